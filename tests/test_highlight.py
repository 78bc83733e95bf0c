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


def test_a_sentence_that_repeats_the_question_is_not_marked() -> None:
    from askrel.answering.results import highlight
    from askrel.records import Passage

    question = "How do I flush an output filehandle? Why must I do this?"
    text = ("Some intro.\nHow do I flush an output filehandle? Why must I do this?\n"
            "Set $| to a true value. Output is then written at once.")
    spans = ((0, 11), (12, 48), (49, 68), (69, 92), (93, 124))
    assert [text[s:e] for s, e in spans][1:3] == ["How do I flush an output filehandle?",
                                                  "Why must I do this?"]
    passage = Passage(id=0, source="faq.txt", page=None, char_start=0, char_end=len(text),
                      text=text, sentences=spans)
    vectors = np.eye(5, dtype=np.float32)
    query = np.array([0.1, 1.0, 0.97, 0.5, 0.2], dtype=np.float32)
    marked, best = highlight(passage, vectors, query, asked=question)
    assert marked == ((69, 92),)
    assert best == 1.0  # the relevance still counts every sentence
    # without the question asked, its copy is still a question: not marked either
    assert highlight(passage, vectors, query)[0] == ((69, 92),)


def test_a_copy_of_the_question_with_its_heading_markup_is_not_marked() -> None:
    from askrel.answering.results import highlight
    from askrel.records import Passage

    text = "# Widget FAQ\n\n### How do I reset my widget?\nHold the button for ten seconds."
    spans = ((0, 12), (14, 43), (44, 77))
    passage = Passage(id=0, source="faq.md", page=None, char_start=0, char_end=len(text),
                      text=text, sentences=spans, heading="# Widget FAQ")
    query = np.array([0.1, 1.0, 0.5], dtype=np.float32)
    assert highlight(passage, np.eye(3, dtype=np.float32), query,
                     asked="How do I reset my widget?")[0] == ((44, 77),)


def test_a_numbered_heading_line_under_its_bare_outline_title_is_not_marked() -> None:
    """An outline names a section without the number its heading line prints."""
    text = ("5.4.3.7 Putting answers on multiple columns\n"
            "To put the answers on two columns, use the multicol package.")
    spans = [(0, 43), (44, len(text))]
    heading = "LaTeX commands › Questions and answers › Putting answers on multiple columns"
    assert heading_lines(text, spans, heading) == frozenset({0})
    assert heading_lines(text.upper(), spans, heading) == frozenset({0})
    assert heading_lines(text, spans, "Questions and answers › Using columns") == frozenset()


def test_a_writers_question_is_not_marked_as_the_answer() -> None:
    from askrel.answering.highlight import question_lines
    from askrel.answering.results import highlight
    from askrel.records import Passage

    text = ("The two have had ups and downs. What is the issue between them? Are ties "
            "getting better? Find all the answers in this article.")
    sentences = ["The two have had ups and downs.", "What is the issue between them?",
                 "Are ties getting better?", "Find all the answers in this article."]
    spans = tuple((text.index(x), text.index(x) + len(x)) for x in sentences)
    assert question_lines(text, spans) == frozenset({1, 2})
    assert question_lines('He asked: "Why now?"', [(0, 20)]) == frozenset({0})
    passage = Passage(id=0, source="news.txt", page=None, char_start=0, char_end=len(text),
                      text=text, sentences=spans)
    query = np.array([0.80, 0.90, 0.85, 0.30], dtype=np.float32)
    assert highlight(passage, np.eye(4, dtype=np.float32), query)[0] == ((0, 31),)
    # a passage of questions alone still marks its best one
    questions = " ".join(sentences[1:3])
    only = Passage(id=1, source="news.txt", page=None, char_start=0, char_end=len(questions),
                   text=questions, sentences=((0, 31), (32, len(questions))))
    assert highlight(only, np.eye(2, dtype=np.float32), query[1:3])[0] == ((0, 31),)


def test_a_sentence_that_introduces_what_follows_takes_it_along() -> None:
    from askrel.answering.highlight import introducing_lines

    text = "To import QIF files: Select File, Import, then QIF. Check the accounts. Done."
    spans = ((0, 20), (21, 51), (52, 71), (72, 77))
    assert introducing_lines(text, spans) == frozenset({0})
    scores = np.array([0.9, 0.5, 0.3, 0.1])
    assert pick_highlights(scores, spans, introducing=frozenset({0})) == ((0, 51),)
    assert pick_highlights(scores, spans) == ((0, 20),)
    # not into a sentence that is never marked (a heading under it)
    assert pick_highlights(scores, spans, skip=frozenset({1}),
                           introducing=frozenset({0})) == ((0, 20),)
