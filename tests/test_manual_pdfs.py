"""The bundled PDFs (eval/manuals, eval/heldout, eval/browser, eval/webdocs, eval/manpages) read
into passages that keep every answer's text.

A regression guard for reading real-world manuals: page-chrome rules once dropped wrapped
lines of a manual ("R_BROWSER, the default HTML browser, ..."), so that 8 of the manual
questions had no passage holding their answer. No model is needed: this checks passages.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from askrel.evaluation.questions import load_questions
from askrel.evaluation.runner import relevant_passages
from askrel.indexing.build import ChunkSettings, document_passages
from askrel.reading.sources import discover, read_document

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MANUALS = PROJECT_ROOT / "eval" / "manuals"
HELDOUT = PROJECT_ROOT / "eval" / "heldout"
BROWSER = PROJECT_ROOT / "eval" / "browser"
WEBDOCS = PROJECT_ROOT / "eval" / "webdocs"
MANPAGES = PROJECT_ROOT / "eval" / "manpages"
POLICY = PROJECT_ROOT / "eval" / "policy"


@cache
def passages_of(question_set: Path) -> list:
    passages = []
    for path in discover(question_set / "sources"):
        doc = read_document(path, question_set / "sources", PROJECT_ROOT)
        passages += document_passages(doc, ChunkSettings())
    return [replace(p, id=i) for i, p in enumerate(passages)]


@pytest.fixture(scope="module")
def manual_passages():
    return passages_of(MANUALS)


@pytest.mark.parametrize("question_set", [MANUALS, HELDOUT, BROWSER, WEBDOCS, MANPAGES],
                         ids=["manuals", "heldout", "browser", "webdocs", "manpages"])
def test_every_answerable_manual_question_has_a_passage_holding_its_answer(question_set):
    passages = passages_of(question_set)
    questions = load_questions(question_set / "questions.jsonl")
    qrels = relevant_passages(passages, questions)
    unfindable = [q.id for q in questions if not q.unanswerable and not qrels[q.id]]
    assert len(questions) >= 50 and unfindable == []


def test_browser_printed_pdf_without_outline_gets_sections_from_numbered_headings():
    passages = [p for p in passages_of(BROWSER) if "apt" in p.source]
    with_section = [p for p in passages if p.heading]
    assert len(with_section) >= 0.95 * len(passages)
    # the chapter's contents list on page 1 does not take the place of the body's headings
    first = next(p for p in passages if p.heading.endswith("› 6.1.1. Syntax"))
    assert first.page == 2 and "6.1.1. Syntax\nEach active line" in first.text
    assert not any(p.text.endswith("6.1.1.") for p in passages)  # the heading is not split
    # the running header and footer are not passage text
    assert not any("debian-handbook.info" in p.text for p in passages)


def test_manual_passages_carry_outline_sections_and_skip_the_index(manual_passages):
    with_section = [p for p in manual_passages if p.heading]
    assert len(with_section) >= 0.95 * len(manual_passages)
    assert any(p.heading.startswith("B Configuration on a Unix-alike ›") for p in with_section)
    # The R manual's index ends with "DESTDIR . . . 8, 39"-style lines: none is a passage.
    assert not any("DESTDIR . ." in p.text for p in manual_passages)


def test_manual_passages_carry_the_printed_page_number(manual_passages):
    r_manual = [p for p in manual_passages if "r-installation" in p.source]
    gnuplot = [p for p in manual_passages if "gnuplot" in p.source]
    # The R manual numbers its front matter i, ii, ... and its body from 1 on page 6.
    assert {p.page_label for p in r_manual if p.page == 57} == {"52"}
    assert all(p.page_label is not None for p in r_manual)
    # gnuplot's printed numbers are its page numbers: no label is stored.
    assert gnuplot and all(p.page_label is None for p in gnuplot)


def test_a_sentence_cut_by_a_page_break_stays_whole_in_one_passage(manual_passages):
    from askrel.records import passage_parts

    # "... which is the simplest" ends one page of the R manual; "way to use it." opens the next.
    (whole,) = [p for p in manual_passages if "which is the simplest\nway to use it." in p.text]
    assert whole.continued is not None and whole.continued.page == whole.page + 1
    units = read_units(whole.source)
    for piece, start, end in passage_parts(whole.text, whole.char_start, whole.char_end,
                                           whole.continued):
        page = whole.page if start == whole.char_start else whole.continued.page
        assert units[page].text[start:end] == piece
    s, e = whole.sentences[-1]
    assert whole.text[s:e].endswith("way to use it.")
    # The next page's passages start after the sentence's end: no sentence is in two passages.
    next_page = [p for p in manual_passages
                 if p.source == whole.source and p.page == whole.continued.page]
    assert next_page[0].char_start >= whole.continued.char_end
    assert not any(p.text.startswith("way to use it.") for p in next_page)


@cache
def read_units(source: str) -> dict:
    path = PROJECT_ROOT / source
    return {u.page: u for u in read_document(path, path.parent, PROJECT_ROOT).units}


def test_web_page_printed_without_outline_or_numbers_gets_sections_from_type_size():
    passages = [p for p in passages_of(WEBDOCS) if "logging" in p.source]
    assert all(p.heading for p in passages)
    assert {p.heading for p in passages} >= {"Logging HOWTO › Basic Logging Tutorial",
                                             "Logging HOWTO › Advanced Logging Tutorial"}


def test_manual_page_printed_by_groff_reads_whole_words_and_bold_capital_sections():
    passages = [p for p in passages_of(MANPAGES) if p.source.endswith("find.pdf")]
    text = " ".join(p.text for p in passages)
    assert "evaluating the given expression" in text  # pypdf reads "e valuating the gi ven"
    exit_status = [p for p in passages if "exits with status 0" in p.text]
    assert exit_status and all(p.heading == "EXIT STATUS" for p in exit_status)


def test_manual_page_passages_keep_an_option_with_its_description():
    # groff sets each option's entry apart with extra space; pypdf's text has no blank line
    # there, so a passage once ended at "-P Never follow symbolic links." and the next began
    # "This is the default behaviour."
    passages = [p for p in passages_of(MANPAGES) if p.source.endswith("find.pdf")]
    (entry,) = [p for p in passages if "-P Never follow symbolic links." in p.text]
    assert "-P Never follow symbolic links. This is the default behaviour." in entry.text
    assert entry.text.startswith("-P Never follow")  # the paragraph before went to its own


def test_words_a_pdf_runs_together_are_split_again():
    # xdvipdfmx's Debian Policy Manual: pypdf's text ran many words of the body font together
    passages = [p for p in passages_of(POLICY) if p.source.endswith("debian-policy.pdf")]
    text = " ".join(" ".join(p.text.split()) for p in passages)
    assert "This information is used to control which packages are included in standard" in text
    questions = load_questions(POLICY / "questions.jsonl")
    qrels = relevant_passages(passages_of(POLICY), questions)
    unfindable = {q.id for q in questions if not q.unanswerable and not qrels[q.id]}
    # before splitting, 9 questions had no passage holding an answer (eval/policy/README.md)
    assert unfindable == set()
