"""What cutting the cross-encoder's input costs: top-1 agreement with the full 512 tokens.

For the first N questions of a question set (answerable, no history), askrel's hybrid top-20
is scored by the cross-encoder at several max token lengths, and on a window of words around
each passage's first marked sentence. Printed per setting: how often the cross-encoder's
top-1 differs from its top-1 at 512 tokens (over the 20 candidates and over the first 10),
and, for reference only, hit@1 by the question set's rule for the first stage and for the
cross-encoder alone. A measurement, not a tuning run: nothing here feeds back into the code.

    askrel index    # the worktree's index/
    .venv/bin/python benchmarks/rerank_truncation.py [--questions eval/questions.jsonl] [--n 50]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LENGTHS = (128, 160, 192, 256, 320)
WINDOWS = (40, 60)  # words around the first marked sentence, read at up to 128 tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from askrel.answering.rerank import CrossEncoder, passage_input, window
    from askrel.answering.search import Searcher
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.runner import is_relevant

    searcher = Searcher(args.index)
    questions = [q for q in load_questions(args.questions)
                 if not q.unanswerable and not q.history][:args.n]
    encoders = {n: CrossEncoder(max_tokens=n).load() for n in (*LENGTHS, 512)}
    short = encoders[128]
    settings = [f"max {n}" for n in LENGTHS] + [f"window {w} words" for w in WINDOWS]
    changed = {s: [0, 0] for s in settings}
    hits = {s: 0 for s in ["first stage", "max 512", *settings]}
    for question in questions:
        answer = searcher.ask(question.question, top_k=20)
        rows = searcher.store.get(h.passage_id for h in answer.results)
        texts, windows = [], {w: [] for w in WINDOWS}
        for hit in answer.results:
            heading = rows[hit.passage_id][0].heading
            texts.append(passage_input(hit.citation.title, heading, hit.text))
            start, end = hit.highlights[0] if hit.highlights else (0, 0)
            for w in WINDOWS:
                windows[w].append(passage_input(hit.citation.title, heading,
                                                window(hit.text, start, end, w)))
        scores = {f"max {n}": encoders[n].score(question.question, texts) for n in LENGTHS}
        scores |= {f"window {w} words": short.score(question.question, windows[w])
                   for w in WINDOWS}
        full = encoders[512].score(question.question, texts)
        relevant = [is_relevant(h.text, h.citation.source, question) for h in answer.results]
        hits["first stage"] += relevant[0]
        hits["max 512"] += relevant[int(np.argmax(full))]
        for name, values in scores.items():
            changed[name][0] += int(np.argmax(values)) != int(np.argmax(full))
            changed[name][1] += int(np.argmax(values[:10])) != int(np.argmax(full[:10]))
            hits[name] += relevant[int(np.argmax(values))]
    n = len(questions)
    print(f"{n} questions of {args.questions}, hybrid top-20 by askrel\n")
    print(f"{'setting':<20} {'top-1 differs from 512 (of 20)':>31} {'(of first 10)':>14}")
    for name, (of20, of10) in changed.items():
        print(f"{name:<20} {of20:>22} ({of20 / n:5.1%}) {of10:>6} ({of10 / n:5.1%})")
    print(f"\n{'hit@1 over top-20':<20}")
    for name, count in hits.items():
        print(f"{name:<20} {count:>4} ({count / n:5.1%})")


if __name__ == "__main__":
    main()
