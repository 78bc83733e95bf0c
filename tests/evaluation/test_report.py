"""Summaries and reports from hand-built runs (no model): JSON, Markdown, misses, the plot."""

from __future__ import annotations

import csv
import json

import pytest

from askrel.answering.abstention import Calibration
from askrel.evaluation.questions import Question
from askrel.evaluation.report import (
    decline_reason,
    markdown,
    misses,
    misses_markdown,
    text_table,
    to_json,
    write_reports,
)
from askrel.evaluation.runner import METRIC_NAMES, Evaluation, judge, merged_highlights
from askrel.records import Answer, Citation, Hit

Q1 = Question("q1", "When was the treaty signed?", ("1965",), ("sources/a.txt",))
Q2 = Question("q2", "Who | spoke?", ("Kim",), ("sources/a.txt", "sources/b.txt"),
              history=("Earlier?",))
Q3 = Question("q3", "Off topic?", (), unanswerable=True)


def hit(rank: int, pid: int, text: str, source: str, relevance: float,
        highlights: tuple[tuple[int, int], ...] = ()) -> Hit:
    citation = Citation(source, None, None, None, None, None, None, 0, len(text))
    return Hit(rank, 1.0 / rank, relevance, text, highlights, citation, pid)


def answer(question: Question, hits: list[Hit]) -> Answer:
    return Answer(question.question, True, "hybrid", tuple(hits))


def runs():
    a1 = answer(Q1, [hit(1, 1, "Signed in 1965. Later more.", "sources/a.txt", 0.9, ((0, 15),)),
                     hit(2, 2, "Other text", "sources/b.txt", 0.5)])
    a2 = answer(Q2, [hit(1, 3, "Nothing | here " * 30, "sources/b.txt", 0.3),
                     hit(2, 4, "x", "sources/c.txt", 0.2),
                     hit(3, 5, "Kim said so.", "sources/a.txt", 0.6, ((0, 12),))])
    a3 = answer(Q3, [hit(1, 6, "Unrelated", "sources/a.txt", 0.4)])
    return (judge(Q1, "hybrid", a1, frozenset({1}), 0.010),
            judge(Q2, "hybrid", a2, frozenset({5, 7}), 0.030),
            judge(Q3, "hybrid", a3, frozenset(), 0.020))


def evaluation(threshold: float = 0.5) -> Evaluation:
    return Evaluation("eval/q.jsonl", (Q1, Q2, Q3), {"hybrid": runs()}, 10,
                      Calibration(threshold, fitted=True), "test-model")


def test_summary_by_hand():
    s = evaluation().summary("hybrid")
    assert list(s) == list(METRIC_NAMES)
    assert s["hit@1"] == 0.5 and s["hit@5"] == 1.0 and s["hit@10"] == 1.0
    assert s["mrr@10"] == pytest.approx((1 + 1 / 3) / 2)
    # q2: one of two relevant passages, at rank 3: (1/log2 4) / (1 + 1/log2 3).
    assert s["ndcg@10"] == pytest.approx((1 + 0.5 / (1 + 1 / 1.5849625)) / 2, abs=1e-6)
    assert s["recall@5"] == 1.0  # q1 found a.txt; q2 found both a.txt and b.txt
    assert s["highlight@1"] == 0.5
    # Threshold 0.5: q3 (0.4) is declined correctly; q1 (0.9) and q2 (0.6) are answered.
    assert (s["abstain_precision"], s["abstain_recall"]) == (1.0, 1.0)
    assert s["answerable_declined_rate"] == 0.0
    assert s["latency_p50_ms"] == pytest.approx(20.0)
    assert s["latency_p95_ms"] == pytest.approx(29.0)


def test_threshold_changes_only_abstention():
    high = evaluation(threshold=0.95).summary("hybrid")
    assert high["abstain_precision"] == pytest.approx(1 / 3)
    assert high["answerable_declined_rate"] == 1.0
    assert high["hit@1"] == 0.5


def test_highlight_needs_the_answer_inside_the_highlight():
    text = "Signed in 1965. Later more."
    assert merged_highlights(text, [(16, 27), (0, 15)]) == [text]
    run = judge(Q1, "hybrid", answer(Q1, [hit(1, 1, text, "sources/a.txt", 0.9, ((16, 27),))]),
                frozenset({1}), 0.0)
    assert run.judged == (True,) and not run.highlight_hit


def test_json_is_the_documented_object():
    out = to_json(evaluation())
    assert out["n"] == 3 and out["n_answerable"] == 2
    assert set(out["modes"]["hybrid"]) == set(METRIC_NAMES)
    json.dumps(out)


def test_misses_list_highlights_that_miss_the_answer():
    run = judge(Q1, "hybrid", answer(Q1, [hit(1, 1, "Signed in 1965. Later more.",
                                              "sources/a.txt", 0.9, ((16, 27),))]),
                frozenset({1}), 0.0)
    ev = Evaluation("q", (Q1,), {"hybrid": (run,)}, 10, Calibration(0.5, fitted=True), "m")
    assert misses(ev) == []
    assert "q1: When was the treaty signed? — expected 1965; highlighted: Later more." in \
        misses_markdown(ev)


def test_misses_say_why_answerable_questions_were_declined():
    low = judge(Q1, "hybrid", answer(Q1, [hit(1, 1, "Signed in 1965.", "sources/a.txt", 0.3,
                                              ((0, 15),))]), frozenset({1}), 0.0)
    undated = judge(Q1, "hybrid", answer(Q1, [hit(1, 1, "Signed.", "sources/a.txt", 0.9,
                                                  ((0, 7),))]), frozenset(), 0.0)
    named = Answer(Q2.question, False, "hybrid",
                   (hit(1, 5, "Kim said so.", "sources/a.txt", 0.9),), None, ("Docker",))
    unnamed = judge(Q2, "hybrid", named, frozenset({5}), 0.0)
    calibration = Calibration(0.5, fitted=True)
    text = misses_markdown(Evaluation("q", (Q1, Q2), {"hybrid": (low, unnamed)}, 10,
                                      calibration, "m"))
    assert "Answerable questions declined in hybrid:" in text
    assert "- q1: When was the treaty signed? (max relevance 0.300 < 0.500)" in text
    assert "(names no source mentions: Docker; max relevance: none)" in text
    assert decline_reason(undated, calibration) == (
        "no number or date where the question asks for one; max relevance: none")


def test_misses_and_reports(tmp_path):
    rows = misses(evaluation())
    assert [r["id"] for r in rows] == ["q2"]
    row = rows[0]
    assert row["expected"] == "Kim" and row["answer_rank"] == 3
    assert row["first"].startswith("sources/b.txt: Nothing | here")
    assert len(row["first_text"]) == 200
    files = write_reports(evaluation(), tmp_path / "out")
    names = sorted(p.name for p in files)
    assert names == ["hit_at_k.png", "metrics.json", "misses.csv", "misses.md", "report.md"]
    out = tmp_path / "out"
    assert (out / "hit_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "metrics.json").read_text())["modes"]["hybrid"]["hit@1"] == 0.5
    table = (out / "misses.md").read_text()
    assert "Who \\| spoke? (after: Earlier?)" in table
    with (out / "misses.csv").open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    assert [r["id"] for r in records] == ["q2"] and records[0]["history"] == "Earlier?"
    report = markdown(evaluation())
    assert "| hit@1 | 0.500 |" in report and "## Calibration" in report
    assert "![hit@k](hit_at_k.png)" in report
    assert "| hybrid | standalone | 1 | 1.000 | 1.000 | 1.000 |" in report
    assert "| hybrid | follow-up | 1 | 0.000 | 1.000 | 0.333 |" in report
    assert "![" not in markdown(evaluation(), plot=None)
    assert "hit@1" in text_table(evaluation())


def test_importing_the_package_loads_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys, askrel.evaluation, askrel.evaluation.report, "
            "askrel.evaluation.calibration; "
            "print([m for m in ('torch', 'matplotlib', 'numpy', 'faiss', "
            "'sentence_transformers', 'gradio') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_calibration_section_states_the_first_stage_rule_in_force():
    from askrel.evaluation.report import calibration_markdown

    vetoes = calibration_markdown(evaluation(), None, [])
    assert "and always when it names something no source mentions or the marked" in vetoes
    fitted = Evaluation("eval/q.jsonl", (Q1,), {"hybrid": runs()[:1]}, 10,
                        Calibration(0.25, first_stage_missing_penalty=0.22,
                                    first_stage_type_penalty=0.37, fitted=True), "m")
    text = calibration_markdown(fitted, None, [])
    assert "less 0.22 if it names something no source mentions and less 0.37 if" in text
    assert "always when" not in text
