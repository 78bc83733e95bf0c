"""askrel side by side with txtai on the same passages, model and questions.

Both index the passages askrel cuts from the sources (txtai does not chunk): txtai gets the
texts askrel embeds (title and heading context + passage), with the bundled all-MiniLM-L6-v2
folder as its model and hybrid=True (BM25 keyword scoring fused with dense search). Both are
timed in this one process, then judged with the question set's rule: a returned passage
answers when it holds one of the answers and comes from one of the listed sources.

txtai is not an askrel dependency; install it for the run (pip's --no-deps keeps torch as is):
    .venv/bin/pip install --no-deps txtai msgpack
    .venv/bin/python benchmarks/peer_txtai.py [--out reports/peer_txtai.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def judged_metrics(results: list[list[tuple[str, str]]], questions: list) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 over the answerable questions, from (text, source) lists."""
    from askrel.evaluation.metrics import hit_at_k, reciprocal_rank
    from askrel.evaluation.runner import is_relevant

    hits1, hits5, rr = [], [], []
    for found, question in zip(results, questions, strict=True):
        if question.unanswerable:
            continue
        judged = [is_relevant(text, source, question) for text, source in found]
        hits1.append(hit_at_k(judged, 1))
        hits5.append(hit_at_k(judged, 5))
        rr.append(reciprocal_rank(judged, 10))
    return {"hit@1": round(statistics.fmean(hits1), 4), "hit@5": round(statistics.fmean(hits5), 4),
            "mrr@10": round(statistics.fmean(rr), 4), "answerable": len(hits1)}


def timed(fn, items) -> tuple[list, list[float]]:
    out, millis = [], []
    for item in items:
        started = time.perf_counter()
        out.append(fn(item))
        millis.append((time.perf_counter() - started) * 1000)
    return out, millis


def run_askrel(sources: Path, work: Path, questions: list) -> tuple[dict, list[dict]]:
    """Build askrel's index of the sources (the model export, done once per index folder,
    is timed apart) and ask every question."""
    from askrel.answering.search import Searcher
    from askrel.bench import percentiles
    from askrel.embedding.loading import DEFAULT_PRECISION
    from askrel.embedding.onnx_encoder import ensure_export
    from askrel.indexing.build import build_index, passage_prefix

    index = work / f"askrel-index-{len(list(work.glob('askrel-index-*')))}"
    started = time.perf_counter()
    ensure_export(index, None, DEFAULT_PRECISION)
    export_s = time.perf_counter() - started
    report = build_index(sources, index, root=ROOT, precision=DEFAULT_PRECISION)
    searcher = Searcher(index)
    for q in questions[:3]:
        searcher.ask(q.question, top_k=10)
    answers, millis = timed(lambda q: searcher.ask(q.question, top_k=10,
                                                   history=q.history), questions)
    found = [[(h.text, h.citation.source) for h in a.results] for a in answers]
    passages = []
    for source in [s["source"] for s in searcher.store.sources()]:
        meta = searcher.store.meta(source)
        for p, _ in searcher.store.passages_of(source):
            passages.append({"id": p.id, "source": source, "text": p.text,
                             "embedded": passage_prefix(meta, p.heading, p.text) + p.text})
    return {"build_s": round(report.seconds, 2), "export_s_once": round(export_s, 2),
            "passages": report.passages, "precision": DEFAULT_PRECISION,
            "query_ms": percentiles(millis),
            **judged_metrics(found, questions)}, passages


def run_txtai(passages: list[dict], questions: list, work: Path) -> dict:
    from txtai import Embeddings

    from askrel.bench import percentiles
    from askrel.embedding.models import default_model_path

    by_id = {str(p["id"]): p for p in passages}
    started = time.perf_counter()
    embeddings = Embeddings(path=default_model_path(), content=True, hybrid=True)
    embeddings.index([(0, "warm up", None)])  # loads the model, so the build times indexing
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    embeddings.index([(p["id"], p["embedded"], None) for p in passages])
    build_s = time.perf_counter() - started
    for q in questions[:3]:
        embeddings.search(q.question, 10)

    def ask(q) -> list[dict]:
        text = " ".join([*q.history, q.question]) if q.history else q.question
        return embeddings.search(text, 10)

    results, millis = timed(ask, questions)
    found = [[(by_id[r["id"]]["text"], by_id[r["id"]]["source"]) for r in rows]
             for rows in results]
    return {"build_s": round(build_s, 2), "model_load_s": round(load_s, 2),
            "passages": len(passages), "config": {"hybrid": True, "content": True,
                                                  "scoring": embeddings.config.get("scoring")},
            "query_ms": percentiles(millis), **judged_metrics(found, questions)}


def median_round(rounds: list[dict]) -> dict:
    """The first round's figures with build time and query p50 replaced by their medians."""
    out = dict(rounds[0])
    out["build_s"] = round(statistics.median(r["build_s"] for r in rounds), 2)
    out["build_s_rounds"] = [r["build_s"] for r in rounds]
    out["query_ms"] = {**rounds[0]["query_ms"],
                       "p50": round(statistics.median(r["query_ms"]["p50"] for r in rounds), 3),
                       "p99": round(statistics.median(r["query_ms"]["p99"] for r in rounds), 3)}
    out["query_p50_rounds"] = [r["query_ms"]["p50"] for r in rounds]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=ROOT / "sources")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from askrel.bench import machine
    from askrel.evaluation.questions import load_questions

    questions = load_questions(args.questions)
    work = Path(tempfile.mkdtemp(prefix="askrel-peer-"))
    rounds: list[tuple[dict, dict]] = []
    try:
        for _ in range(args.rounds):  # alternated, so a change in machine load hits both
            ours, passages = run_askrel(args.sources, work, questions)
            rounds.append((ours, run_txtai(passages, questions, work)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ours, theirs = median_round([r[0] for r in rounds]), median_round([r[1] for r in rounds])
    ratios = {
        "build_s (txtai / askrel)": round(theirs["build_s"] / ours["build_s"], 2),
        "query_p50 (txtai / askrel)": round(theirs["query_ms"]["p50"]
                                            / ours["query_ms"]["p50"], 2),
        "hit@1 (askrel - txtai)": round(ours["hit@1"] - theirs["hit@1"], 4),
        "mrr@10 (askrel - txtai)": round(ours["mrr@10"] - theirs["mrr@10"], 4),
    }
    result = {"machine": machine(), "questions": len(questions), "askrel": ours,
              "txtai": theirs, "ratios": ratios}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
