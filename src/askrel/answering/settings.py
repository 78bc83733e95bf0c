"""How the stages rank: the one settings object, built at the edge and read by each stage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankSettings:
    """How runs are fused; the defaults are what the evaluation supports (docs/experiments.md)."""

    depth: int = 50
    fusion: str = "zscore"  # or "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5
    sentence_weight: float = 1.0
    bm25_weight: float = 0.4
    history_weight: float = 0.5
    focus_depth: int = 5
    focus_weight: float = 0.5
    rerank: bool = True  # a cross-encoder reads the best candidates (answering/rerank.py)
    rerank_depth: int = 5  # how many; at least top_k
    rerank_weight: float = 0.4  # the cross-encoder's share of the reranked score
    rerank_context: bool = False  # it reads the document title and section heading too
    # keep the first stage's order when its winner leads the second by this many standard
    # deviations of the candidates' scores and its logit alone answers (experiments.md §20, §21)
    rerank_gate: float | None = 0.75
