"""Follow-up decisions measured: the eval sets' follow-up questions asked with their history
always, with the follow-up decision, and alone; and standalone questions given an unrelated
earlier question (from another set, or about another source of the same set) as history.

    HF_HUB_OFFLINE=1 python benchmarks/followup.py --set bundled=INDEX:eval/questions.jsonl \
        --set heldout=INDEX2:eval/heldout/questions.jsonl ...

Each index must be built from that set's sources. Prints one table per kind of pair.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from askrel.answering.followup import decide
from askrel.answering.search import Searcher
from askrel.evaluation.metrics import hit_at_k, reciprocal_rank
from askrel.evaluation.questions import Question, load_questions
from askrel.evaluation.runner import all_passages, judge, relevant_passages
from askrel.records import Answer

Asker = Callable[[Searcher, Question, tuple[str, ...]], tuple[Answer, bool]]


def always(searcher: Searcher, q: Question, history: tuple[str, ...]) -> tuple[Answer, bool]:
    return searcher.ask(q.question, history=history), bool(history)


def alone(searcher: Searcher, q: Question, history: tuple[str, ...]) -> tuple[Answer, bool]:
    return searcher.ask(q.question), False


def decided(searcher: Searcher, q: Question, history: tuple[str, ...]) -> tuple[Answer, bool]:
    decision, answer = decide(searcher, q.question, history)
    return answer, decision.follow_up


def score(searcher: Searcher, pairs: Sequence[tuple[Question, tuple[str, ...]]],
          asker: Asker) -> dict[str, float]:
    """hit@1, hit@5, MRR@10 and the share searched as follow-ups over (question, history)."""
    qrels = relevant_passages(all_passages(searcher), [q for q, _ in pairs])
    h1 = h5 = rr = follow = 0.0
    for q, history in pairs:
        answer, follow_up = asker(searcher, q, history)
        run = judge(q, "hybrid", answer, qrels[q.id], 0.0)
        h1 += hit_at_k(run.judged, 1)
        h5 += hit_at_k(run.judged, 5)
        rr += reciprocal_rank(run.judged, 10)
        follow += follow_up
    n = max(len(pairs), 1)
    return {"n": len(pairs), "hit@1": h1 / n, "hit@5": h5 / n, "mrr@10": rr / n,
            "follow-up": follow / n}


def pairs_of_kind(kind: str, name: str, sets: dict[str, list[Question]]
                  ) -> list[tuple[Question, tuple[str, ...]]]:
    """The (question, history) pairs of one kind for the set `name`."""
    own = sets[name]
    standalone = [q for q in own if not q.history and not q.unanswerable]
    if kind == "follow-up":
        return [(q, q.history) for q in own if q.history]
    if kind == "other set":
        others = [q for other, qs in sorted(sets.items()) if other != name for q in qs
                  if not q.history and not q.unanswerable]
        return [(q, (others[(7 * n) % len(others)].question,))
                for n, q in enumerate(standalone)] if others else []
    # another source of the same set: the next standalone question whose sources differ
    pairs = []
    for n, q in enumerate(standalone):
        later = standalone[n + 1:] + standalone[:n]
        other = next((o for o in later if set(o.sources).isdisjoint(q.sources)), None)
        if other is not None:
            pairs.append((q, (other.question,)))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True,
                        help="NAME=INDEX_DIR:QUESTIONS_JSONL")
    args = parser.parse_args()
    indexes: dict[str, Path] = {}
    sets: dict[str, list[Question]] = {}
    for item in args.set:
        name, _, rest = item.partition("=")
        index, _, questions = rest.partition(":")
        indexes[name] = Path(index)
        sets[name] = load_questions(Path(questions))
    askers: dict[str, Asker] = {"always with history": always, "decision": decided,
                                "alone": alone}
    for kind in ("follow-up", "other set", "same set, other source"):
        print(f"\n## {kind} pairs\n")
        print("| set | n | asked | hit@1 | hit@5 | MRR@10 | searched as follow-up |")
        print("|---|---:|---|---:|---:|---:|---:|")
        totals: dict[str, list[float]] = {a: [0, 0, 0, 0, 0] for a in askers}
        for name in sets:
            searcher = Searcher(indexes[name])
            pairs = pairs_of_kind(kind, name, sets)
            for label, asker in askers.items():
                s = score(searcher, pairs, asker)
                print(f"| {name} | {s['n']} | {label} | {s['hit@1']:.3f} | {s['hit@5']:.3f} | "
                      f"{s['mrr@10']:.3f} | {s['follow-up']:.0%} |", flush=True)
                t = totals[label]
                for k, key in enumerate(("hit@1", "hit@5", "mrr@10", "follow-up")):
                    t[k] += s[key] * s["n"]
                t[4] += s["n"]
        for label, t in totals.items():
            n = max(t[4], 1)
            print(f"| **all** | {int(t[4])} | {label} | {t[0] / n:.3f} | {t[1] / n:.3f} | "
                  f"{t[2] / n:.3f} | {t[3] / n:.0%} |")


if __name__ == "__main__":
    main()
