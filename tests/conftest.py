"""Shared fixtures: the project's paths, a fake embedder, PDFs made on the fly, and an index
of the bundled sources built once per session with the real bundled model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_SOURCES = PROJECT_ROOT / "sources"


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory) -> Path:
    """The ONNX export an index without a folder (Milvus) uses, kept for this session only
    (`askrel` run as a subprocess inherits it)."""
    folder = tmp_path_factory.mktemp("model-cache")
    os.environ["ASKREL_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture
def fake_embedder():
    from askrel.embedding.fake import fake_embedder as make

    return make()


def pdf_bytes(pages: list[str], front_matter: int = 0) -> bytes:
    """A PDF with a real text layer, one page per string. With `front_matter`, that many
    first pages are numbered i, ii, ... in the PDF's page labels and the rest 1, 2, ..."""
    import io

    from fpdf import FPDF
    from pypdf import PdfWriter
    from pypdf.constants import PageLabelStyle

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    data = bytes(pdf.output())
    if not front_matter:
        return data
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.set_page_label(0, front_matter - 1, style=PageLabelStyle.LOWERCASE_ROMAN, start=1)
    writer.set_page_label(front_matter, len(pages) - 1, style=PageLabelStyle.DECIMAL, start=1)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def make_pdf():
    return pdf_bytes


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory) -> Path:
    """An index of a copy of the bundled sources, built with the real model (read-only use)."""
    from askrel.indexing.build import build_index

    root = tmp_path_factory.mktemp("bundled")
    shutil.copytree(BUNDLED_SOURCES, root / "sources")
    build_index(root / "sources", root / "index", root=root)
    return root / "index"


@pytest.fixture(scope="session")
def bundled_searcher(bundled_index):
    from askrel.answering.search import Searcher

    return Searcher(bundled_index)
