"""Building the results: the marked sentence and the citation of a passage (pure)."""

from __future__ import annotations

import numpy as np

from askrel.answering.results import citation, highlight
from askrel.records import Passage, SourceMeta

TEXT = "Exports. Japan restricted exports in 2019. Seoul responded."
SPANS = ((0, 7), (9, 42), (43, 59))  # the first is the heading line, "Exports"


def passage(page: int | None = None, heading: str | None = None) -> Passage:
    return Passage(3, "sources/a.txt", page, 100, 100 + len(TEXT), TEXT, SPANS, heading)


def test_the_sentence_closest_to_the_question_is_marked() -> None:
    vectors = np.eye(3, dtype=np.float32)
    spans, best = highlight(passage(), vectors, np.array([0.0, 1.0, 0.2], dtype=np.float32))
    assert spans == ((9, 42),) and best == 1.0


def test_the_heading_line_is_not_marked() -> None:
    vectors = np.eye(3, dtype=np.float32)
    spans, _ = highlight(passage(heading="Exports"), vectors,
                         np.array([1.0, 0.5, 0.0], dtype=np.float32))
    assert spans == ((9, 42),)


def test_a_passage_without_sentences_marks_nothing() -> None:
    empty = Passage(3, "sources/a.txt", None, 0, 0, "", ())
    assert highlight(empty, np.zeros((0, 3)), np.ones(3)) == ((), 0.0)


def test_the_citation_names_the_source_and_a_pdf_section_only() -> None:
    meta = SourceMeta("Title", "Publisher", "Author", "2023", "https://example.org")
    text_file = citation(passage(heading="Exports"), meta)
    assert (text_file.source, text_file.title, text_file.char_start) == (
        "sources/a.txt", "Title", 100)
    assert text_file.section is None
    assert citation(passage(page=2, heading="Exports"), meta).section == "Exports"
