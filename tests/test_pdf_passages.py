"""PDF sources end to end: page numbers, page-relative offsets, running headers dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from askrel.indexing import build_index
from askrel.search import Searcher

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
    from askrel.sources import read_pdf

    _, units = read_pdf(labelled_pdf(make_pdf))
    assert [(u.page, u.page_label) for u in units] == [
        (1, "i"), (2, "ii"), (3, "1"), (4, "2"), (5, "3")]
    _, plain = read_pdf(make_pdf(["One.", "Two."]))
    assert [u.page_label for u in plain] == [None, None]


def test_unreadable_page_labels_are_left_out() -> None:
    from askrel.sources import printed_page_labels

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
