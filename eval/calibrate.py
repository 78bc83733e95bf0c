"""Fit the packaged "no answer" calibration on every question set together.

Each set is indexed (as `make eval` does, into reports/<set>/index) and asked in hybrid mode,
with reranking and without. For each, the penalties and the threshold of its signal are
fitted on all the questions pooled (askrel.evaluation.calibration.fit_penalties), with at
most 1% of each set's answerable questions declined, then each set's figures are printed
with them.

    .venv/bin/python eval/calibrate.py            # prints the figures
    .venv/bin/python eval/calibrate.py --write    # also writes src/askrel/calibration.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SETS = {"news": ("eval/questions.jsonl", "sources")} | {
    name: (f"eval/{name}/questions.jsonl", f"eval/{name}/sources")
    for name in ("manuals", "heldout", "browser", "webdocs", "manpages", "policy", "faq",
                 "faq2")}


RERANKED, FIRST_STAGE = "hybrid", "hybrid/no-rerank"


def index_of(name: str, sources: str, root: Path) -> Path:
    """The set's index under `root` (reports/ by default), built or brought up to date now."""
    index = root / name / "index"
    subprocess.run([sys.executable, "-m", "askrel.cli", "index", "--sources", sources,
                    "--index", str(index)], cwd=PROJECT, check=True,
                   stdout=subprocess.DEVNULL)
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true",
                        help="write the packaged calibration.json")
    parser.add_argument("--indexes", type=Path, default=PROJECT / "reports",
                        help="folder of the sets' indexes, <set>/index (default: reports/)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.chdir(PROJECT)

    from dataclasses import replace

    from askrel.answering.search import Searcher
    from askrel.evaluation import calibration as cal
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.runner import evaluate

    runs: dict[str, dict[str, Sequence]] = {RERANKED: {}, FIRST_STAGE: {}}
    model = ""
    base = None
    for name, (questions, sources) in SETS.items():
        searcher = Searcher(index_of(name, sources, args.indexes))
        print(f"{name}: asking {questions}", file=sys.stderr)
        evaluation = evaluate(searcher, load_questions(Path(questions)), list(runs))
        model, base = evaluation.model, evaluation.calibration
        for mode in runs:
            runs[mode][name] = evaluation.runs[mode]

    def fit_mode(mode: str) -> cal.PenaltyFit:
        pooled = [r for rs in runs[mode].values() for r in rs]
        return cal.fit_penalties([r.evidence for r in pooled],
                                 [r.question.unanswerable for r in pooled],
                                 groups=[name for name, rs in runs[mode].items() for _ in rs],
                                 first_stage=mode == FIRST_STAGE, in_force=base)

    assert base is not None, "no question sets"
    reranked, first = fit_mode(RERANKED), fit_mode(FIRST_STAGE)
    fitted = replace(base, rerank_threshold=reranked.fit.threshold,
                     missing_penalty=reranked.missing_penalty,
                     type_penalty=reranked.type_penalty,
                     relevance_floor=reranked.relevance_floor, threshold=first.fit.threshold,
                     first_stage_missing_penalty=first.missing_penalty,
                     first_stage_type_penalty=first.type_penalty)
    for mode, fit in ((RERANKED, reranked), (FIRST_STAGE, first)):
        print(f"\n{mode}: relevance_floor {fit.relevance_floor}, missing_penalty "
              f"{fit.missing_penalty}, type_penalty {fit.type_penalty}, threshold "
              f"{fit.fit.threshold:.4f}")
        print_sets(runs[mode], fitted)
        s = fit.fit.scores
        print(f"pooled: abstain precision {s.precision}, recall {s.recall}, answerable "
              f"declined {s.answerable_declined_rate}")
    if args.write:
        pooled = [r for rs in runs[RERANKED].values() for r in rs]
        record = cal.calibration_record(
            reranked.fit, model=model, questions=", ".join(q for q, _ in SETS.values()),
            n_answerable=sum(not r.question.unanswerable for r in pooled),
            n_unanswerable=sum(r.question.unanswerable for r in pooled), mode="hybrid",
            top_k=10, base=fitted, key="rerank_threshold")
        record["first_stage_fit"] = {"mode": FIRST_STAGE, "signal": cal.SIGNALS["threshold"],
                                     **cal.abstention_figures(first.fit.scores)}
        written, problems = cal.write_calibration(record, [cal.packaged_calibration_path()])
        print("\n".join(problems) or f"wrote {', '.join(written)}")
        print(json.dumps(record, indent=2))


def print_sets(runs: dict[str, Sequence], calibration) -> None:
    """Each set's declines and ranking under `calibration`."""
    from askrel.evaluation.runner import summarize

    print("set        answerable  declined  unanswerable  declined  hit@1  hit@5  mrr@10")
    for name, rs in runs.items():
        ranking = summarize(rs, calibration)
        n_un = sum(r.question.unanswerable for r in rs)
        declined_un = sum(r.declined(calibration) for r in rs if r.question.unanswerable)
        declined_an = sum(r.declined(calibration) for r in rs if not r.question.unanswerable)
        print(f"{name:<10} {len(rs) - n_un:>10}  {declined_an:>8}  {n_un:>12}  {declined_un:>8}  "
              f"{ranking['hit@1']:.3f}  {ranking['hit@5']:.3f}  {ranking['mrr@10']:.3f}")


if __name__ == "__main__":
    main()
