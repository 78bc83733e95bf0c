"""Replay reranking choices on stored candidates (docs/experiments.md §15 and §17).

`collect` asks every question of a set once, keeps the first stage's top 20 with every signal
the first stage fuses (named as `retrieval.Candidates` names them), a few more per passage
(question terms in its heading, title and text; its length), whether it answers (the rule of
`askrel eval`), and the cross-encoder's logit for the passage as is and, where the passage
copies the question, without the copy. `compare` then reorders the first candidates each way
and judges them, without running a model again:

* the kept fusion, `(1 - w)·z(first stage) + w·z(logit)`;
* learned fusions: pairwise logistic regression and gradient-boosted trees over the
  signals, fitted on the FAQ set (its own figure by 5-fold cross-validation) and fitted
  leave-one-set-out;
* the pointer rule of answering/pointers.py.

`gate` replays the reranking gate (`rerank_gate`, docs/experiments.md §20–21) at several
thresholds and depths against reranking every question: a gated question keeps the first
stage's order when its winner's logit reaches `abstention.surely_answered` under the packaged
calibration (rows collected before `missing` was stored count as naming nothing missing).

Gains and losses are answerable questions whose first passage turns right or wrong against
the kept fusion; p is a two-sided sign test. `compare` needs scikit-learn and scipy.

    python eval/rerank_replay.py collect --index reports/faq/index \
        --questions eval/faq/questions.jsonl --out replay/faq.json
    python eval/rerank_replay.py compare replay/*.json
    python eval/rerank_replay.py gate replay/*.json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from askrel.answering.fusion import zscore
from askrel.answering.rerank import fuse

DEPTH = 20
SIGNALS = ("first", "logit", "logit_raw", "dense", "sentence", "bm25", "heading", "title",
           "cover", "length", "rank")
Scorer = Callable[[dict, int], np.ndarray]


def collect(index: Path, questions: Path, out: Path, name: str | None = None,
            depth: int = DEPTH) -> None:
    from askrel.answering.pointers import question_copy, without_copy
    from askrel.answering.queries import build_queries
    from askrel.answering.rerank import CrossEncoder
    from askrel.answering.retrieval import conversation_focus, retrieve
    from askrel.answering.search import Searcher
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.runner import is_relevant, passage_places

    searcher = Searcher(index)
    backend, cfg = searcher.backend, searcher.settings
    encoder = CrossEncoder(workers=2).load()
    rows = []
    for q in load_questions(questions):
        context = list(q.history[-2:])
        queries = build_queries(q.question, context, searcher.embedder, cfg.history_weight)
        focus = conversation_focus(
            backend, build_queries(context[-1], context[:-1], searcher.embedder,
                                   cfg.history_weight), "hybrid", cfg, None) if context else []
        found = retrieve(backend, queries, "hybrid", depth, cfg, None, focus)
        passages = backend.passages(found.ids.tolist())
        asked = set(backend.terms(queries[0].text))
        candidates = []
        for n, pid in enumerate(found.ids.tolist()):
            p = passages[pid]
            title = backend.meta(p.source).title or ""
            copy = question_copy(q.question, p.text)
            candidates.append(dict(
                pid=pid, first=float(found.scores[n]),
                dense=float(found.features["dense"][n]),
                sentence=float(found.features["sentence"][n]),
                bm25=float(found.features["bm25"][n]),
                heading=_share(asked, backend.terms(p.heading or "")),
                title=_share(asked, backend.terms(title)),
                cover=_share(asked, backend.terms(p.text)),
                length=len(p.text.split()),
                answers=is_relevant(p.text, p.source, q, passage_places(p)),
                text=p.text, copy=copy))
        logits = encoder.score(queries[0].text, [c["text"] for c in candidates])
        for c, logit in zip(candidates, logits.tolist(), strict=True):
            c["logit"] = logit
            c["logit_without_copy"] = (
                float(encoder.score(queries[0].text, [without_copy(c["text"], c["copy"])])[0])
                if c["copy"] else logit)
            del c["text"]
        rows.append(dict(id=q.id, question=q.question, unanswerable=q.unanswerable,
                         missing=bool(searcher.missing_names(q.question)),
                         candidates=candidates))
        print(f"{len(rows)} questions", end="\r", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(set=name or questions.parent.name, rows=rows)))
    print(f"{len(rows)} questions -> {out}")


def _share(asked: set[str], terms: list[str]) -> float:
    return len(asked & set(terms)) / max(len(asked), 1)


# ------------------------------------------------------------------ replay

def signals(row: dict, n: int, names: tuple[str, ...]) -> np.ndarray:
    """[n, len(names)]: each signal of the first n candidates, z-scored within the question
    where its scale varies between questions."""
    c = row["candidates"][:n]

    def column(name: str) -> np.ndarray:
        if name == "logit_raw":
            return np.array([x["logit"] for x in c]) / 10
        if name == "length":
            return np.log1p([x["length"] for x in c])
        if name == "rank":
            return 1 / (1 + np.arange(len(c)))
        values = [x[name] for x in c]
        return zscore(values) if name in ("first", "logit", "dense", "sentence", "bm25") \
            else np.asarray(values, dtype=np.float64)

    return np.stack([column(name) for name in names], axis=1)


def kept_fusion(weight: float = 0.4) -> Scorer:
    return lambda row, n: fuse(np.array([c["first"] for c in row["candidates"][:n]]),
                               np.array([c["logit"] for c in row["candidates"][:n]]), weight)


def pointer_fusion(weight: float = 0.4, discount: str = "lowest") -> Scorer:
    """The kept fusion, a passage copying the question read without the copy, and its
    first-stage score counted as the candidates' lowest or mean (or kept: "none")."""
    def score(row: dict, n: int) -> np.ndarray:
        c = row["candidates"][:n]
        first = zscore([x["first"] for x in c])
        copies = np.array([bool(x["copy"]) for x in c])
        if discount == "lowest":
            first = np.where(copies, first.min(), first)
        elif discount == "mean":
            first = np.where(copies, 0.0, first)
        return (1 - weight) * first + weight * zscore([x["logit_without_copy"] for x in c])
    return score


def first_places(rows: list[dict], scorer: Scorer, n: int) -> np.ndarray:
    """Per answerable question: [hit@1, hit@5, reciprocal rank at 10] after reordering the
    first n candidates."""
    out = []
    for row in rows:
        c = row["candidates"]
        m = min(n, len(c))
        order = list(np.argsort(-scorer(row, m), kind="stable")) + list(range(m, len(c))) \
            if m else []
        judged = [c[i]["answers"] for i in order]
        out.append((float(bool(judged) and judged[0]), float(any(judged[:5])),
                    next((1 / (k + 1) for k, j in enumerate(judged[:10]) if j), 0.0)))
    return np.array(out)


def pairs(rows: list[dict], n: int, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise examples: (answer - non-answer) → 1 and the reverse → 0, per question."""
    x, y = [], []
    for row in rows:
        m = min(n, len(row["candidates"]))
        answers = np.array([c["answers"] for c in row["candidates"][:m]], dtype=bool)
        if m < 2 or answers.all() or not answers.any():
            continue
        s = signals(row, m, names)
        for a in np.flatnonzero(answers):
            for b in np.flatnonzero(~answers):
                x += [s[a] - s[b], s[b] - s[a]]
                y += [1, 0]
    return np.array(x), np.array(y)


def logistic(rows: list[dict], n: int, names: tuple[str, ...]) -> Scorer:
    from sklearn.linear_model import LogisticRegression

    x, y = pairs(rows, n, names)
    coef = LogisticRegression(fit_intercept=False, max_iter=2000).fit(x, y).coef_[0]
    return lambda row, m: signals(row, m, names) @ coef


def trees(rows: list[dict], n: int, names: tuple[str, ...]) -> Scorer:
    from sklearn.ensemble import HistGradientBoostingClassifier

    xs, ys = [], []
    for row in rows:
        m = min(n, len(row["candidates"]))
        if m >= 2 and any(c["answers"] for c in row["candidates"][:m]):
            xs.append(signals(row, m, names))
            ys.append([c["answers"] for c in row["candidates"][:m]])
    model = HistGradientBoostingClassifier(max_depth=3, max_iter=100, learning_rate=0.05,
                                           l2_regularization=1.0)
    model.fit(np.vstack(xs), np.concatenate(ys))
    return lambda row, m: model.predict_proba(signals(row, m, names))[:, 1]


def compare(files: list[Path], n: int) -> None:
    from scipy.stats import binomtest

    sets = {}
    for path in files:
        data = json.loads(path.read_text())
        sets[data["set"]] = [r for r in data["rows"] if not r["unanswerable"]]
    base = {s: first_places(rows, kept_fusion(), n) for s, rows in sets.items()}
    print(f"{'':60s}" + "".join(f"{s[:9]:>10s}" for s in sets) + "   pooled h1/h5/mrr  +/-  p")

    def report(label: str, results: dict[str, np.ndarray]) -> None:
        gains = sum(int(((r[:, 0] == 1) & (base[s][:, 0] == 0)).sum())
                    for s, r in results.items())
        losses = sum(int(((r[:, 0] == 0) & (base[s][:, 0] == 1)).sum())
                     for s, r in results.items())
        pooled = np.vstack(list(results.values())).mean(axis=0)
        p = binomtest(gains, gains + losses).pvalue if gains + losses else 1.0
        print(f"{label:60s}" + "".join(f"{r[:, 0].mean():10.3f}" for r in results.values())
              + f"   {pooled[0]:.3f}/{pooled[1]:.3f}/{pooled[2]:.3f} +{gains}/-{losses} "
                f"p={p:.2g}")

    def fitted(label: str, fit: Callable, names: tuple[str, ...]) -> None:
        if "faq" in sets:
            faq = sets["faq"]
            folds = np.arange(len(faq)) % 5
            cv = np.zeros((len(faq), 3))
            for k in range(5):
                scorer = fit([r for r, f in zip(faq, folds, strict=True) if f != k], n, names)
                held = np.flatnonzero(folds == k)
                cv[held] = first_places([faq[i] for i in held], scorer, n)
            on_faq = fit(faq, n, names)
            report(f"{label}, fitted on faq",
                   {s: cv if s == "faq" else first_places(rows, on_faq, n)
                    for s, rows in sets.items()})
        if len(sets) < 2:
            return
        report(f"{label}, leave one set out",
               {s: first_places(rows, fit([r for t, o in sets.items() if t != s for r in o],
                                          n, names), n)
                for s, rows in sets.items()})

    report("first stage alone", {s: first_places(rows, lambda r, m: np.array(
        [c["first"] for c in r["candidates"][:m]]), n) for s, rows in sets.items()})
    report("kept fusion (w 0.4)", base)
    report("kept fusion, w 0.5", {s: first_places(rows, kept_fusion(0.5), n)
                                  for s, rows in sets.items()})
    for names in (("first", "logit"), ("first", "logit", "heading", "title"),
                  ("first", "logit", "logit_raw", "heading"),
                  ("first", "logit", "dense", "sentence", "bm25"), SIGNALS):
        fitted(f"logistic: {'+'.join(names) if len(names) < 6 else 'all'}", logistic, names)
    fitted("trees: all", trees, SIGNALS)
    for discount in ("none", "mean", "lowest"):
        report(f"pointers: without copy, first stage {discount}",
               {s: first_places(rows, pointer_fusion(0.4, discount), n)
                for s, rows in sets.items()})


def gate(files: list[Path], depths: tuple[int, ...] = (5, 10),
         leads: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5)) -> None:
    from scipy.stats import binomtest

    import askrel
    from askrel.answering.abstention import CALIBRATION_FILE, calibration_from, surely_answered
    from askrel.answering.rerank import runaway_winner

    calibration = calibration_from(json.loads(
        Path(askrel.__file__).with_name(CALIBRATION_FILE).read_text(encoding="utf-8")))
    rows = [r for path in files for r in json.loads(path.read_text())["rows"]]

    def places(n: int, lead: float | None) -> tuple[np.ndarray, float]:
        out, gated = [], 0
        for row in rows:
            c = row["candidates"][:n]
            first = np.array([x["first"] for x in c])
            first[[i for i, x in enumerate(c) if x["copy"]]] = first.min() if len(c) else 0
            sure = surely_answered(calibration, row["question"], row.get("missing", False))
            keep = (lead is not None and len(c) and not any(x["copy"] for x in c)
                    and runaway_winner(first, lead) and c[0]["logit"] >= sure)
            gated += bool(keep)
            if not row["unanswerable"]:
                # as rerank_candidates does: a pointer's first-stage score is the lowest
                scores = -np.arange(len(c), dtype=float) if keep else fuse(
                    first, np.array([x["logit_without_copy"] for x in c]), 0.4)
                out.append(first_places([dict(row, candidates=c)],
                                        lambda r, m, s=scores: s[:m], len(c))[0])
        return np.array(out), gated / max(len(rows), 1)

    for n in depths:
        base, _ = places(n, None)
        print(f"top {n}, no gate: hit@1 {base[:, 0].mean():.3f} MRR {base[:, 2].mean():.3f}")
        for lead in leads:
            res, share = places(n, lead)
            gains = int(((res[:, 0] == 1) & (base[:, 0] == 0)).sum())
            losses = int(((res[:, 0] == 0) & (base[:, 0] == 1)).sum())
            p = binomtest(gains, gains + losses).pvalue if gains + losses else 1.0
            print(f"top {n}, gate {lead}: {share:.0%} of questions gated, hit@1 "
                  f"{res[:, 0].mean():.3f} MRR {res[:, 2].mean():.3f} +{gains}/-{losses} p={p:.2g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--index", type=Path, required=True)
    c.add_argument("--questions", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--name", help="the set's name (default: the questions' folder)")
    c.add_argument("--depth", type=int, default=DEPTH, help=f"candidates kept (default {DEPTH})")
    r = sub.add_parser("compare")
    r.add_argument("files", type=Path, nargs="+")
    r.add_argument("--depth", type=int, default=10, help="candidates reordered (default 10)")
    g = sub.add_parser("gate")
    g.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "collect":
        collect(args.index, args.questions, args.out, args.name, args.depth)
    elif args.command == "gate":
        gate(args.files)
    else:
        compare(args.files, args.depth)


if __name__ == "__main__":
    main()
