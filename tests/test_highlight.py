"""Choosing the answering sentence, on hand-made scores."""

from __future__ import annotations

import numpy as np

from askrel.answering.highlight import heading_lines, pick_highlights


def test_best_sentence_alone_when_neighbours_are_far_behind() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    assert pick_highlights(np.array([0.1, 0.9, 0.2]), spans) == ((11, 20),)


def test_close_neighbour_joins_the_highlight() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    assert pick_highlights(np.array([0.1, 0.9, 0.88]), spans, margin=0.05) == ((11, 30),)


def test_no_sentences_no_highlight() -> None:
    assert pick_highlights(np.array([]), []) == ()


def test_the_heading_line_is_never_marked_when_a_sentence_is_there() -> None:
    text = "8.2.2 Wireless entries\nThe entry needs two more\nparameters. Another one."
    spans = [(0, 22), (23, 59), (60, 72)]
    skip = heading_lines(text, spans, "8 Network › 8.2.2 Wireless  entries")
    assert skip == frozenset({0})
    assert pick_highlights(np.array([0.60, 0.58, 0.1]), spans, skip=skip) == ((23, 59),)
    # a close heading does not join the mark as a neighbour either
    assert pick_highlights(np.array([0.60, 0.58, 0.1]), spans, margin=0.05, skip=skip) == (
        (23, 59),)


def test_a_passage_that_is_only_its_heading_still_marks_it() -> None:
    text = "Samples"
    assert heading_lines(text, [(0, 7)], "III Commands › Samples") == frozenset({0})
    assert pick_highlights(np.array([0.5]), [(0, 7)], skip=frozenset({0})) == ((0, 7),)
    assert heading_lines(text, [(0, 7)], None) == frozenset()
