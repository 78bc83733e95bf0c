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
