"""Fusion on hand-computed examples."""

from __future__ import annotations

import pytest


def test_zscore_fusion_matches_hand_computed_values() -> None:
    import numpy as np

    from askrel.answering.fusion import zscore, zscore_fusion

    a = np.array([1.0, 2.0, 3.0])  # z = [-1.2247, 0, 1.2247]
    b = np.array([3.0, 3.0, 3.0])  # constant: contributes nothing
    assert zscore(a) == pytest.approx([-1.224745, 0.0, 1.224745], abs=1e-6)
    assert zscore_fusion([a, b], [2.0, 5.0]) == pytest.approx([-2.44949, 0.0, 2.44949], abs=1e-5)


def test_rrf_scores_rank_each_feature_from_the_top() -> None:
    import numpy as np

    from askrel.answering.fusion import rrf_scores

    scores = rrf_scores([np.array([0.9, 0.1]), np.array([0.2, 0.8])], [1.0, 2.0], k=1)
    assert scores == pytest.approx([1 / 2 + 2 / 3, 1 / 3 + 2 / 2])


def test_top_indices_keeps_positive_scores_best_first() -> None:
    import numpy as np

    from askrel.answering.fusion import top_indices

    assert top_indices(np.array([0.0, 3.0, 1.0, 2.0]), 3) == [1, 3, 2]
    assert top_indices(np.array([0.0, 0.0]), 5) == []
