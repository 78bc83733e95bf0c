"""PDF sources end to end: page numbers, page-relative offsets, running headers dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from askrel.answering.search import Searcher
from askrel.indexing.build import build_index

BODY = {
    1: "The boiler must be serviced every twelve months by a qualified engineer.",
    2: "Reset the thermostat by holding the mode button for five seconds.",
    3: "The warranty covers parts and labour for two years from installation.",
    4: "Descale the heat exchanger when the water hardness exceeds the limit.",
}


@pytest.fixture
def pdf_index(tmp_path: Path, make_pdf) -> tuple[Path, Path]:
    sources = tmp_path / "sources"
    sources.mkdir()
    pages = [f"Heating Manual HX-200\n{BODY[n]}\nPage {n} of 4" for n in sorted(BODY)]
    (sources / "manual.pdf").write_bytes(make_pdf(pages))
    build_index(sources, tmp_path / "index", root=tmp_path)
    return tmp_path, tmp_path / "index"


@pytest.mark.slow
def test_pdf_citations_point_at_the_page_text(pdf_index) -> None:
    root, index = pdf_index
    answer = Searcher(index).ask("How long is the warranty?", top_k=4)
    top = answer.results[0]
    assert "two years" in top.text
    assert top.citation.page == 3
    page_text = PdfReader(root / "sources" / "manual.pdf").pages[2].extract_text()
    assert " ".join(page_text[top.citation.char_start:top.citation.char_end].split()) == \
        " ".join(top.text.split())
    every_text = " ".join(h.text for h in answer.results)
    assert "Heating Manual HX-200" not in every_text and "of 4" not in every_text


def labelled_pdf(make_pdf) -> bytes:
    """Two front-matter pages numbered i, ii, then the body numbered from 1."""
    pages = ["Preface. This manual describes the HX-200 boiler.",
             "Contents. Safety, servicing, warranty.",
             BODY[1], BODY[2], BODY[3]]
    return make_pdf(pages, front_matter=2)


def test_pdf_units_carry_printed_page_numbers_that_differ(make_pdf) -> None:
    from askrel.reading.sources import read_pdf

    _, units = read_pdf(labelled_pdf(make_pdf))
    assert [(u.page, u.page_label) for u in units] == [
        (1, "i"), (2, "ii"), (3, "1"), (4, "2"), (5, "3")]
    _, plain = read_pdf(make_pdf(["One.", "Two."]))
    assert [u.page_label for u in plain] == [None, None]


def test_unreadable_page_labels_are_left_out() -> None:
    from askrel.reading.sources import printed_page_labels

    class DamagedLabels:
        @property
        def page_labels(self):
            raise KeyError("/Nums")

    assert printed_page_labels(DamagedLabels()) == {}


def test_citation_and_page_show_the_printed_number(tmp_path: Path, make_pdf,
                                                   fake_embedder) -> None:
    from askrel.cli import format_answer
    from askrel.web.render import place

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "manual.pdf").write_bytes(labelled_pdf(make_pdf))
    build_index(sources, tmp_path / "index", root=tmp_path, embedder=fake_embedder)
    answer = Searcher(tmp_path / "index", embedder=fake_embedder).ask(
        "warranty parts labour two years", top_k=5, mode="bm25")
    top = answer.results[0]
    assert (top.citation.page, top.citation.page_label) == (5, "3")
    assert answer.to_json()["results"][0]["citation"]["page_label"] == "3"
    assert place(answer.to_json()["results"][0]["citation"]) == "page 5 (printed 3)"
    assert "page 5 (printed 3)" in format_answer(answer, color=False)


def test_a_sentence_over_a_page_break_is_one_passage_cited_on_both_pages(
        tmp_path: Path, make_pdf, fake_embedder) -> None:
    from askrel.cli import format_answer
    from askrel.web.documents import DocumentCache, source_view
    from askrel.web.render import place, view_body_html

    sources = tmp_path / "sources"
    sources.mkdir()
    bodies = ["Read this manual before use.\nThe boiler must be serviced every year by a",
              "qualified engineer with a gas safety licence. Reset the thermostat by holding "
              "the mode button.",
              BODY[3]]
    pages = [f"Heating Manual HX-200\n{b}\nPage {n} of 3" for n, b in enumerate(bodies, 1)]
    (sources / "manual.pdf").write_bytes(make_pdf(pages))
    build_index(sources, tmp_path / "index", root=tmp_path, embedder=fake_embedder)
    answer = Searcher(tmp_path / "index", embedder=fake_embedder).ask(
        "serviced qualified engineer gas safety licence", top_k=3, mode="bm25")

    top = answer.results[0]
    assert top.text.endswith("every year by a\nqualified engineer with a gas safety licence.")
    assert (top.citation.page, top.citation.continued.page) == (1, 2)
    (marked,) = top.highlights
    assert top.text[marked[0]:marked[1]].startswith("The boiler") and marked[1] == len(top.text)
    assert not any(h.text.startswith("qualified") for h in answer.results)
    hit = answer.to_json()["results"][0]
    page_two = PdfReader(sources / "manual.pdf").pages[1].extract_text()
    rest = "qualified engineer with a gas safety licence."
    assert hit["citation"]["continued"] == {"page": 2, "char_start": page_two.index(rest),
                                            "char_end": page_two.index(rest) + len(rest),
                                            "page_label": None}
    assert place(hit["citation"]) == "pages 1–2"
    assert "pages 1–2" in format_answer(answer, color=False)

    view = source_view(hit, sources, tmp_path, DocumentCache())
    first, second = view.parts
    assert view.where == "pages 1–2" and view.notes == ()
    assert first.text[first.passage[0]:first.passage[1]].endswith("every year by a")
    assert second.text[second.passage[0]:second.passage[1]] == \
        "qualified engineer with a gas safety licence."
    assert second.heading == "page 2"
    (on_first,), (on_second,) = first.answer_spans, second.answer_spans
    assert first.text[on_first[0]:on_first[1]].startswith("The boiler must be serviced")
    assert second.text[on_second[0]:on_second[1]] == second.text[slice(*second.passage)]
    body = view_body_html(view.parts)
    assert body.count('class="cited-passage"') == 2 and '<p class="page-break">page 2</p>' in body


def faq_pdf(entries: list[tuple[str, str]]) -> bytes:
    """A FAQ as a PDF: each question in bold body type, its answer right under it with no
    space between, as a word processor sets a FAQ."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for question, answer in entries:
        pdf.set_font("helvetica", "B", 11)
        pdf.multi_cell(0, 6, question, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(0, 6, answer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_a_faq_with_bold_questions_right_above_their_answers_is_cut_at_each_question(
        tmp_path: Path) -> None:
    from askrel.indexing.build import ChunkSettings, document_passages
    from askrel.reading.sources import read_document

    entries = [("How long are backups kept?", "Backups are kept for two weeks on the local disk "
                "and for a year in the archive, as the storage policy allows."),
               ("2. Can I restore one file from a backup?", "yes, run the restore command with "
                "the path of the file; the rest of the backup is left alone."),
               ("Who can read the backups?", "Only the operators on call, who are listed in "
                "the handbook.")]
    (tmp_path / "faq.pdf").write_bytes(faq_pdf(entries))
    doc = read_document(tmp_path / "faq.pdf", tmp_path, tmp_path)
    passages = document_passages(doc, ChunkSettings())
    assert [(p.heading, " ".join(p.text.split())) for p in passages] == [
        (question, f"{question} {answer}") for question, answer in entries]
