"""First-stage retrieval: candidates from each retriever, scored on every signal, fused.

Each query (the question in context, and in a follow-up the question alone) brings the
passages closest to it by embedding and by BM25. Every candidate is then scored on each
signal: the cosine of its passage vector, of its best sentence, and its BM25 score, per
query. The signals are fused (answering/fusion.py), passages where the conversation has
been get a boost, and of identical passages only the best-ranked one is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from askrel.answering.fusion import rrf_scores, zscore_fusion
from askrel.answering.queries import Query
from askrel.answering.settings import RankSettings
from askrel.backends.base import Backend, LexicalRun

# The signals' names for each query, in query order: the question in context, then alone.
QUERY_SUFFIXES = ("", "_alone")
DEDUP_SLACK = 10  # candidates looked at beyond top_k, so repeats dropped leave enough


@dataclass(frozen=True, eq=False)
class Candidates:
    """Passages best first, with their fused score and each signal's own value.

    `features` maps a signal's name ("dense", "sentence", "bm25"; "dense_alone", … for the
    question alone in a follow-up) to its values, aligned with `ids`.
    """

    ids: np.ndarray  # int64 passage ids
    scores: np.ndarray  # float64, the score the order follows
    features: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, positions: Sequence[int] | np.ndarray) -> Candidates:
        """The candidates at `positions`, in that order."""
        index = np.asarray(positions, dtype=np.int64)
        return Candidates(self.ids[index], self.scores[index],
                          {name: values[index] for name, values in self.features.items()})

    def head(self, n: int) -> Candidates:
        return self.take(np.arange(min(n, len(self))))

    def rescored(self, order: np.ndarray, scores: np.ndarray) -> Candidates:
        """Reordered by `order` with new `scores` (given in the current order)."""
        moved = self.take(order)
        return Candidates(moved.ids, np.asarray(scores)[order], moved.features)


def allowed_ids(backend: Backend, sources: Sequence[str] | None) -> np.ndarray | None:
    """The passages a question limited to `sources` may find; None when not limited."""
    if not sources:
        return None
    return np.array(sorted(backend.ids_of_sources(sources)), dtype=np.int64)


def retrieve(backend: Backend, queries: Sequence[Query], mode: str, top_k: int,
             settings: RankSettings, allowed: np.ndarray | None,
             focus: Sequence[int] = ()) -> Candidates:
    """The `top_k` best candidates for the queries in `mode` ("hybrid", "dense", "bm25")."""
    lexical = {q.text: backend.lexical(q.text, allowed) for q in queries} \
        if mode != "dense" else {}
    # bm25 mode falls back to the embedding when the question has no term the sources use
    use_dense = mode != "bm25" or not any(run.found() for run in lexical.values())
    depth = max(settings.depth, 5 * top_k)
    ids = candidate_ids(backend, queries, lexical, use_dense, depth, allowed, focus)
    if len(ids) == 0:
        return Candidates(ids, np.zeros(0), {})
    features, weights = signals(backend, ids, queries, lexical, mode, use_dense, settings)
    scores = fused(features, weights, settings)
    if focus:
        scores = scores + settings.focus_weight * np.isin(ids, np.asarray(focus))
    pool = Candidates(ids, scores, features).take(best_first(scores, top_k + DEDUP_SLACK))
    groups = backend.same_as(pool.ids.tolist())
    return pool.take(first_of_each_group(pool.ids.tolist(), groups)[:top_k])


def candidate_ids(backend: Backend, queries: Sequence[Query],
                  lexical: dict[str, LexicalRun], use_dense: bool, depth: int,
                  allowed: np.ndarray | None, focus: Sequence[int]) -> np.ndarray:
    """Sorted ids of the passages any retriever puts in its `depth` best for any query, and
    the `focus` passages."""
    found: set[int] = set(focus)
    for q in queries:
        if use_dense:
            found.update(backend.dense_top(q.vector, depth, allowed))
        if q.text in lexical:
            found.update(lexical[q.text].top(depth))
    return np.array(sorted(found), dtype=np.int64)


def signals(backend: Backend, ids: np.ndarray, queries: Sequence[Query],
            lexical: dict[str, LexicalRun], mode: str, use_dense: bool,
            settings: RankSettings) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Each candidate's value on every signal, by name, and each signal's fusion weight.

    The order of the signals is the order they are summed in: per query, dense, sentence,
    then BM25.
    """
    features: dict[str, np.ndarray] = {}
    weights: dict[str, float] = {}
    if use_dense:  # each candidate's vectors are read once, for every query
        query_vectors = np.stack([q.vector for q in queries])
        passage_sims = backend.passage_vectors(ids) @ query_vectors.T
        if mode != "bm25":
            sentence_sims = best_sentence(backend, ids, query_vectors)
    for n, (q, suffix) in enumerate(zip(queries, QUERY_SUFFIXES, strict=False)):
        if use_dense and mode != "bm25":
            features["dense" + suffix] = passage_sims[:, n]
            weights["dense" + suffix] = q.weight * settings.dense_weight
            features["sentence" + suffix] = sentence_sims[:, n]
            weights["sentence" + suffix] = q.weight * settings.sentence_weight
        elif use_dense:  # bm25 mode with no known term: dense is all there is
            features["dense" + suffix] = passage_sims[:, n]
            weights["dense" + suffix] = q.weight
        if q.text in lexical and mode != "dense":
            features["bm25" + suffix] = lexical[q.text].scores_of(ids)
            weights["bm25" + suffix] = q.weight * settings.bm25_weight
    return features, weights


def best_sentence(backend: Backend, ids: np.ndarray, query_vectors: np.ndarray) -> np.ndarray:
    """[passage, query]: the similarity of each passage's sentence closest to each query."""
    rows = backend.sentence_vectors(ids.tolist())
    best = np.full((len(ids), len(query_vectors)), -1.0, dtype=np.float32)
    for n, pid in enumerate(ids.tolist()):
        sentences = rows.get(pid)
        if sentences is not None and len(sentences):
            best[n] = (sentences @ query_vectors.T).max(axis=0)
    return best


def fused(features: dict[str, np.ndarray], weights: dict[str, float],
          settings: RankSettings) -> np.ndarray:
    """One score per candidate: z-score fusion of the signals, or RRF."""
    values = list(features.values())
    weighed = [weights[name] for name in features]
    if settings.fusion == "rrf":
        return rrf_scores(values, weighed, settings.rrf_k)
    return zscore_fusion(values, weighed)


def best_first(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the `n` highest scores, best first (ties keep their order)."""
    return np.argsort(-scores, kind="stable")[:n]


def first_of_each_group(ids: Sequence[int], groups: dict[int, int]) -> list[int]:
    """Positions of the first id of each group of identical passages (`groups` maps an id to
    its group; an id not in it is its own group)."""
    seen: set[int] = set()
    kept = []
    for position, pid in enumerate(ids):
        group = groups.get(pid, pid)
        if group not in seen:
            seen.add(group)
            kept.append(position)
    return kept


def conversation_focus(backend: Backend, previous: Sequence[Query], mode: str,
                       settings: RankSettings, allowed: np.ndarray | None) -> list[int]:
    """Where the conversation has been: the passages that answered the previous question
    (searched as `previous`), with their neighbours in the same source (a follow-up's answer
    is usually close by)."""
    ids = retrieve(backend, previous, mode, settings.focus_depth, settings, allowed).ids.tolist()
    size = backend.size
    around = [n for pid in ids for n in (pid, pid - 1, pid + 1) if 0 <= n < size]
    rows = backend.passages(around)
    focus: list[int] = []
    for pid in ids:
        for n in (pid, pid - 1, pid + 1):
            if n in rows and rows[n].source == rows[pid].source and n not in focus:
                focus.append(n)
    if allowed is not None:
        keep = set(allowed.tolist())
        focus = [n for n in focus if n in keep]
    return focus
