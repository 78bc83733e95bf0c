"""`askrel eval` and `evaluate_file` end to end on the bundled index with the real model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from askrel.cli import app
from askrel.evaluation.runner import METRIC_NAMES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_questions(tmp_path) -> Path:
    """Eight answerable questions (two follow-ups) and four unanswerable ones."""
    lines = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    plain = [i for i in items if not i.get("unanswerable") and not i.get("history")][:6]
    follow = [i for i in items if i.get("history")][:2]
    off = [i for i in items if i.get("unanswerable")][:4]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in plain + follow + off),
                    encoding="utf-8")
    return path


def test_bad_question_file_is_named_without_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok?", "answers": ["a"]}\n{"question": "x?"}\n',
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--questions", str(bad),
                                      "--index", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "line 2: missing key 'answers'" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unknown_mode_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["eval", "--mode", "fuzzy", "--index", str(tmp_path)])
    assert result.exit_code == 2
    assert "Unknown mode 'fuzzy'" in result.stderr


@pytest.mark.slow
def test_json_output_is_one_object(bundled_index, small_questions):
    result = CliRunner().invoke(app, ["eval", "--questions", str(small_questions),
                                      "--index", str(bundled_index), "--mode", "bm25",
                                      "--mode", "hybrid", "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)  # exactly one JSON document on stdout
    assert out["n"] == 12 and out["n_answerable"] == 8
    assert list(out["modes"]) == ["bm25", "hybrid"]
    for figures in out["modes"].values():
        assert set(figures) == set(METRIC_NAMES)
        assert 0.0 <= figures["hit@1"] <= figures["hit@5"] <= figures["hit@10"] <= 1.0
        assert figures["latency_p50_ms"] > 0
    assert out["modes"]["hybrid"]["hit@10"] >= 0.5  # a sanity floor for the real retriever
    assert "Evaluating 12 questions" in result.stderr


@pytest.mark.slow
def test_out_and_calibrate(bundled_index, small_questions, tmp_path, monkeypatch):
    from askrel.evaluation import calibration as cal

    index = tmp_path / "index"
    shutil.copytree(bundled_index, index, symlinks=True)
    packaged = tmp_path / "packaged" / "calibration.json"
    packaged.parent.mkdir()
    monkeypatch.setattr(cal, "packaged_calibration_path", lambda: packaged)
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["eval", "--questions", str(small_questions),
                                      "--index", str(index), "--mode", "dense",
                                      "--out", str(out), "--calibrate"])
    assert result.exit_code == 0, result.stderr
    assert "running it too" in result.stderr  # --calibrate adds hybrid
    assert "hit@1" in result.stdout and "dense" in result.stdout
    for name in ("report.md", "metrics.json", "misses.md", "misses.csv", "hit_at_k.png"):
        assert (out / name).stat().st_size > 0
    record = json.loads((index / "calibration.json").read_text(encoding="utf-8"))
    assert not packaged.exists()  # the packaged default is fitted on every set together
    assert record["model"] == "all-MiniLM-L6-v2"
    assert (record["n_answerable"], record["n_unanswerable"]) == (8, 4)
    assert "leave_one_out" in record
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["threshold"] == record["threshold"]
    assert metrics["modes"]["hybrid"]["answerable_declined_rate"] == \
        record["answerable_declined_rate"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "leave-one-out" in report and "| dense | hybrid |" in report

    from askrel.answering.search import Searcher

    fitted = record["fitted"]
    assert fitted == "rerank_threshold"  # the default mode reranks
    assert getattr(Searcher(index).calibration, fitted) == record[fitted]


@pytest.mark.slow
def test_evaluate_file_for_the_web_ui(bundled_index, bundled_searcher, small_questions):
    from askrel.evaluation import evaluate_file

    result = evaluate_file(bundled_index, small_questions, ["hybrid"],
                           searcher=bundled_searcher)
    assert set(result) == {"json", "markdown", "plot_png", "misses"}
    assert result["json"]["n"] == 12
    assert result["plot_png"][:4] == b"\x89PNG"
    assert result["markdown"].startswith("# Retrieval evaluation")
    assert "![" not in result["markdown"]  # the plot is returned on its own
    misses = result["misses"]
    assert len(misses) == round((1 - result["json"]["modes"]["hybrid"]["hit@1"]) * 8)
    for row in misses:
        assert {"question", "expected", "first"} <= set(row)


@pytest.mark.slow
def test_answered_flag_matches_the_recorded_signal(bundled_searcher, small_questions):
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.runner import evaluate

    with small_questions.open("a", encoding="utf-8") as out:  # a name no source mentions
        out.write(json.dumps({"question": "How did Kishida's Docker plan go?", "answers": [],
                              "unanswerable": True}) + "\n")
    evaluation = evaluate(bundled_searcher, load_questions(small_questions), ["hybrid"])
    for run in evaluation.runs["hybrid"]:
        assert run.answer is not None
        assert run.declined(evaluation.calibration) == (not run.answer.answered)
    last = evaluation.runs["hybrid"][-1]
    assert last.answer.missing_names == ("Docker",) and last.evidence.missing
