"""Rank fusion: combine ranked lists of passage ids into one ranking."""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def reciprocal_rank_fusion(runs: Sequence[Sequence[int]], weights: Sequence[float] | None = None,
                           k: int = RRF_K) -> dict[int, float]:
    """Weighted RRF (Cormack et al., 2009): score(d) = sum_r w_r / (k + rank_r(d)), ranks from 1."""
    if weights is None:
        weights = [1.0] * len(runs)
    if len(weights) != len(runs):
        raise ValueError("one weight per run")
    scores: dict[int, float] = {}
    for run, weight in zip(runs, weights, strict=True):
        for rank, item in enumerate(run, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def top_items(scores: dict[int, float], n: int) -> list[tuple[int, float]]:
    """The n best (id, score) pairs, best first; ties broken by the smaller id."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
