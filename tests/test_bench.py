"""askrel bench: the figures' structure on a tiny run (times are printed, never asserted)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from askrel.bench import bench_questions, format_text, percentiles
from askrel.cli import app
from conftest import BUNDLED_SOURCES

HEADLINE = ("raw_encode_passages_per_s", "index_passages_per_s", "raw_query_encode_p50_ms",
            "query_p50_ms", "query_p99_ms", "rerank_query_p50_ms", "rerank_query_p99_ms",
            "cold_start_s", "peak_rss_mb")


def test_percentiles_use_the_median_and_nearest_rank():
    out = percentiles([float(x) for x in range(1, 101)])
    assert out["p50"] == 50.5 and out["p99"] == 99.0 and out["n"] == 100
    assert percentiles([3.0])["p99"] == 3.0
    assert percentiles([])["n"] == 0


def test_bench_questions_come_from_the_question_file(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "One?"}\nnot json\n{"question": "Two?"}\n{"id": 3}\n')
    assert bench_questions(path) == ["One?", "Two?"]
    assert len(bench_questions(tmp_path / "missing.jsonl")) >= 3


def test_bench_refuses_a_missing_index_with_a_message(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--quick", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "No index" in result.output and "Traceback" not in result.output


def test_bench_refuses_a_missing_sources_folder(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--quick", "--sources", str(tmp_path / "none")])
    assert result.exit_code == 1 and "not found" in result.output


@pytest.mark.slow
def test_quick_bench_reports_every_figure(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    first = sorted(BUNDLED_SOURCES.glob("*.txt"))[0]
    shutil.copy(first, sources / first.name)
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "When did the colonial period end?"}\n'
                         '{"question": "What year was the Republic founded?"}\n')
    result = CliRunner().invoke(app, ["bench", "--quick", "--json", "--sources", str(sources),
                                      "--questions", str(questions)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{"):])
    for key in HEADLINE:
        assert data[key] > 0, key
    entry = data["precisions"][data["default_precision"]]
    assert entry["build"]["passages"] == data["passages"] > 0
    assert set(entry["query"]["ask_ms"]) == {"hybrid", "dense", "bm25", "hybrid+rerank"}
    for figures in entry["query"]["ask_ms"].values():
        assert 0 < figures["p50"] <= figures["p99"]
    assert entry["query"]["encoder"]["backend"] == "onnx"
    assert data["cold_start"]["heavy_modules_loaded"] == []
    assert data["cold_start"]["process_peak_rss_mb"] > 0
    assert "passages/s" in format_text(data)


def test_larger_corpus_makes_distinct_variants_of_text_sources(tmp_path):
    from askrel.bench import corpus_texts, larger_corpus

    sources = tmp_path / "sources"
    sources.mkdir()
    first = sorted(BUNDLED_SOURCES.glob("*.txt"))[0]
    shutil.copy(first, sources / first.name)
    (sources / "ignored.pdf").write_bytes(b"%PDF-1.4")
    large = larger_corpus(sources, tmp_path / "large", copies=3)
    assert large is not None
    files = sorted((tmp_path / "large").iterdir())
    assert len(files) == 3 and len({f.read_text() for f in files}) == 3
    assert large["passages"] >= 3 * len(corpus_texts(sources)[0])
