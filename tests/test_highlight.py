"""Choosing the answering sentence, on hand-made scores."""

from __future__ import annotations

import numpy as np

from askrel.highlight import pick_highlights


def test_best_sentence_alone_when_neighbours_are_far_behind() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    assert pick_highlights(np.array([0.1, 0.9, 0.2]), spans) == ((11, 20),)


def test_close_neighbour_joins_the_highlight() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    assert pick_highlights(np.array([0.1, 0.9, 0.88]), spans, margin=0.05) == ((11, 30),)


def test_no_sentences_no_highlight() -> None:
    assert pick_highlights(np.array([]), []) == ()
