"""Fusion: combine each candidate's signals (dense, best sentence, BM25) into one score."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RRF_K = 60


def top_indices(scores: np.ndarray, n: int) -> list[int]:
    """Indices of the n highest positive scores, best first."""
    n = min(n, len(scores))
    if n <= 0:
        return []
    top = np.argpartition(-scores, n - 1)[:n]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(i) for i in top if scores[i] > 0]


def zscore(values: np.ndarray) -> np.ndarray:
    """(x - mean) / std over the candidates; all zeros when the values do not vary."""
    values = np.asarray(values, dtype=np.float64)
    spread = values.std()
    if spread < 1e-9:
        return np.zeros_like(values)
    return (values - values.mean()) / spread


def zscore_fusion(features: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Convex-combination fusion: sum_f w_f * zscore(f) over the same candidates.

    Score fusion of normalized signals ranks better than RRF when retrievers disagree in
    confidence (Bruch et al., 2023, "An Analysis of Fusion Functions for Hybrid Retrieval").
    """
    if len(features) != len(weights):
        raise ValueError("one weight per feature")
    total = np.zeros(len(features[0]) if features else 0)
    for values, weight in zip(features, weights, strict=True):
        total += weight * zscore(values)
    return total


def rrf_scores(features: Sequence[np.ndarray], weights: Sequence[float],
               k: int = RRF_K) -> np.ndarray:
    """Weighted RRF over candidates, ranking each feature from the highest value down."""
    total = np.zeros(len(features[0]) if features else 0)
    for values, weight in zip(features, weights, strict=True):
        ranks = np.empty(len(values), dtype=np.float64)
        ranks[np.argsort(-np.asarray(values), kind="stable")] = np.arange(1, len(values) + 1)
        total += weight / (k + ranks)
    return total
