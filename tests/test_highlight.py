"""Choosing the answering sentence, on hand-made scores."""

from __future__ import annotations

import numpy as np
import pytest

from askrel.highlight import pick_highlights, sentence_scores, term_overlap


def test_term_overlap_is_the_share_of_query_terms() -> None:
    overlap = term_overlap({"export", "japan"}, [{"export"}, {"japan", "export", "x"}, set()])
    assert overlap.tolist() == [0.5, 1.0, 0.0]
    assert term_overlap(set(), [{"a"}]).tolist() == [0.0]


def test_scores_add_weighted_overlap() -> None:
    scores = sentence_scores(np.array([0.5, 0.2]), np.array([0.0, 1.0]), lexical_weight=0.25)
    assert scores.tolist() == pytest.approx([0.5, 0.45])


def test_best_sentence_alone_when_neighbours_are_far_behind() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    assert pick_highlights(np.array([0.1, 0.9, 0.2]), spans) == ((11, 20),)


def test_close_neighbour_joins_the_highlight() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    assert pick_highlights(np.array([0.1, 0.9, 0.88]), spans, margin=0.05) == ((11, 30),)


def test_no_sentences_no_highlight() -> None:
    assert pick_highlights(np.array([]), []) == ()
