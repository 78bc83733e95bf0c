"""Rank fusion on hand-computed examples."""

from __future__ import annotations

import pytest

from askrel.fusion import reciprocal_rank_fusion, top_items


def test_rrf_matches_hand_computed_scores() -> None:
    scores = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=10)
    assert scores[1] == pytest.approx(1 / 11 + 1 / 12)
    assert scores[2] == pytest.approx(1 / 12)
    assert scores[3] == pytest.approx(1 / 13 + 1 / 11)
    assert [i for i, _ in top_items(scores, 3)] == [1, 3, 2]


def test_rrf_weights_scale_each_run() -> None:
    scores = reciprocal_rank_fusion([[1], [2]], weights=[1.0, 3.0], k=0)
    assert scores == {1: 1.0, 2: 3.0}


def test_rrf_needs_one_weight_per_run() -> None:
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[1], [2]], weights=[1.0])


def test_ties_break_by_smaller_id() -> None:
    assert top_items({5: 1.0, 2: 1.0, 9: 0.5}, 2) == [(2, 1.0), (5, 1.0)]
