"""Reading Word documents (.docx): the text Word shows, headings marked, metadata from the
document's properties, and bad files refused with a reason."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE

from askrel.answering.search import RankSettings, Searcher
from askrel.embedding.fake import fake_embedder
from askrel.indexing.build import build_index
from askrel.reading import word
from askrel.reading.sources import SourceError, read_document
from askrel.reading.word import read_word_file


def word_document(*, title: str | None = "Field guide to the export deal",
                  author: str | None = "Jane Doe") -> bytes:
    document = docx.Document()
    if title:
        document.core_properties.title = title
    if author:
        document.core_properties.author = author
    document.core_properties.created = datetime.datetime(2023, 3, 16, 9, 30)
    document.add_heading("Seoul and Tokyo agree on export deal", 0)  # Word's Title style
    document.add_paragraph("Japan lifted its export controls on three chemicals used to make "
                           "semiconductors, and South Korea withdrew its complaint.")
    document.add_heading("What the deal changes", 1)
    changes = document.add_paragraph("Companies can trade photoresists ")
    changes.add_run("without licences").bold = True
    changes.add_run(". A source may say <script>alert(1)</script> in its text.")
    document.add_paragraph("Licences are no longer needed.", style="List Bullet")
    document.add_paragraph("Shipments resume this month.", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Chemical", (0, 1): "Status",
                                (1, 0): "Hydrogen fluoride", (1, 1): "free"}.items():
        table.cell(row, column).text = text
    document.add_heading("How do I apply?", 2)
    document.add_paragraph("You do not need to apply any more.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rewritten(data: bytes, parts: dict[str, bytes | None]) -> bytes:
    """The package with some parts replaced (None: removed) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            if name not in parts:
                new.writestr(name, old.read(name))
        for name, content in parts.items():
            if content is not None:
                new.writestr(name, content)
    return out.getvalue()


def text_of(data: bytes) -> str:
    _, (unit,) = read_word_file(data)
    return unit.text


def test_the_text_word_shows_with_headings_lists_and_tables() -> None:
    text = text_of(word_document())
    assert text.startswith("# Seoul and Tokyo agree on export deal\n\nJapan lifted its export")
    assert "\n# What the deal changes\n" in text
    assert "\n## How do I apply?\n\nYou do not need to apply any more." in text
    assert ("Companies can trade photoresists without licences. A source may say "
            "<script>alert(1)</script> in its text.") in text  # markup in the text is text
    assert "* Licences are no longer needed." in text
    assert "1. Shipments resume this month." in text
    assert "Hydrogen fluoride" in text and "free" in text


def test_a_table_of_contents_and_an_index_that_word_generates_are_not_text() -> None:
    document = docx.Document()
    for name in ("toc 1", "toc 2", "index 1", "Index Heading", "Indexed term"):
        document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Contents", style="TOC Heading")
    document.add_paragraph("1 Introduction\t3", style="toc 1")
    document.add_paragraph("1.1 Scope\t3", style="toc 2")
    document.add_heading("Introduction", 1)
    document.add_paragraph("This manual explains the tool.")
    document.add_paragraph("A style of the writer's own, named much as the index's.",
                           style="Indexed term")
    document.add_paragraph("Index", style="Index Heading")
    document.add_paragraph("scope, 3", style="index 1")
    out = io.BytesIO()
    document.save(out)
    assert text_of(out.getvalue()) == (
        "# Introduction\n\nThis manual explains the tool.\n\n"
        "A style of the writer's own, named much as the index's.\n")


def test_an_example_in_a_fixed_width_font_or_a_style_for_code_is_code() -> None:
    document = docx.Document()
    document.styles.add_style("HTML Preformatted", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("To sort a file, run:")
    for line in ("sort -r file", "  | uniq"):  # a paragraph a line, as people type code
        document.add_paragraph().add_run(line).font.name = "Courier New"
    document.add_paragraph("Or, with line breaks in one paragraph:")
    example = document.add_paragraph()
    example.add_run("ls -l").font.name = "Consolas"
    example.runs[-1].add_break()
    example.add_run("wc -l").font.name = "DejaVu Sans Mono"
    document.add_paragraph("In a style for code:")
    document.add_paragraph("make all", style="HTML Preformatted")
    mixed = document.add_paragraph("Run ")
    mixed.add_run("ls").font.name = "Courier New"
    mixed.add_run(" to list the files.")
    out = io.BytesIO()
    document.save(out)
    assert text_of(out.getvalue()) == (
        "To sort a file, run:\n\n    sort -r file\n      | uniq\n\n"
        "Or, with line breaks in one paragraph:\n\n    ls -l\n    wc -l\n\n"
        "In a style for code:\n\n    make all\n\nRun ls to list the files.\n")


def test_the_properties_give_title_author_and_date() -> None:
    meta, _ = read_word_file(word_document())
    assert (meta.title, meta.author, meta.date) == (
        "Field guide to the export deal", "Jane Doe", "2023-03-16")
    meta, _ = read_word_file(word_document(title="Microsoft Word - Report.docx", author=None))
    assert meta.title == "Report.docx"


def test_a_document_without_a_title_property_takes_its_opening_heading(tmp_path: Path) -> None:
    (tmp_path / "deal.docx").write_bytes(word_document(title=None))
    document = read_document(tmp_path / "deal.docx", tmp_path, None)
    assert document.meta.title == "Seoul and Tokyo agree on export deal"


def test_a_notes_back_link_is_dropped_and_its_text_follows_the_body() -> None:
    main = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = (f'<w:footnotes xmlns:w="{main}"><w:footnote w:id="1"><w:p><w:r>'
             '<w:t>The ministry said so on 16 March.</w:t></w:r></w:p></w:footnote>'
             '</w:footnotes>').encode()
    data = word_document()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
        types = package.read("[Content_Types].xml").decode()
    body = body.replace("<w:t>without licences</w:t></w:r>",
                        "<w:t>without licences</w:t></w:r>"
                        '<w:r><w:footnoteReference w:id="1"/></w:r>', 1)
    rels = rels.replace("</Relationships>", (
        '<Relationship Id="rIdNotes" Target="footnotes.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/footnotes"/></Relationships>'))
    types = types.replace("</Types>", (
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.footnotes+xml"/></Types>'))
    text = text_of(rewritten(data, {"word/document.xml": body.encode(), "word/footnotes.xml": notes,
                                    "word/_rels/document.xml.rels": rels.encode(),
                                    "[Content_Types].xml": types.encode()}))
    assert "without licences[1]." in text
    assert text.rstrip().endswith("1. The ministry said so on 16 March.")  # no "↑"


def test_tracked_changes_read_as_accepted() -> None:
    data = word_document()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml").decode()
    body = body.replace("<w:t>without licences</w:t></w:r>", (
        '<w:t>without licences</w:t></w:r><w:del w:id="9" w:author="A"><w:r>'
        '<w:delText> or with them</w:delText></w:r></w:del><w:ins w:id="10" w:author="A">'
        '<w:r><w:t> or fees</w:t></w:r></w:ins>'), 1)
    text = text_of(rewritten(data, {"word/document.xml": body.encode()}))
    assert "photoresists without licences or fees." in text and "with them" not in text


def test_neither_properties_nor_body_resolve_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2")
    core = (f'<?xml version="1.0"?><!DOCTYPE cp [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:title>Report &leak;</dc:title></cp:coreProperties>').encode()
    meta, _ = read_word_file(rewritten(word_document(), {"docProps/core.xml": core}))
    assert "hunter2" not in str(meta)
    data = word_document()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml").decode()
    declaration = body.index("?>") + 2
    doctype = f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    body = (body[:declaration] + doctype + body[declaration:].replace("<w:t>without licences</w:t>",
                                         "<w:t>without licences &leak;</w:t>"))
    _, (unit,) = read_word_file(rewritten(data, {"word/document.xml": body.encode()}))
    assert "hunter2" not in unit.text and "without licences" in unit.text


def test_a_document_with_broken_or_missing_properties_is_still_read() -> None:
    for core in (b"<not xml", None):
        meta, (unit,) = read_word_file(rewritten(word_document(), {"docProps/core.xml": core}))
        assert meta.title is None and "What the deal changes" in unit.text


def test_a_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(SourceError, match="unpacks to"):
        read_word_file(word_document())


@pytest.mark.parametrize("data, reason", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "not a .docx"),  # an old .doc
    (b"PK\x03\x04 broken", "not a .docx"),
    (b"", "not a .docx"),
])
def test_a_file_that_is_no_word_document_is_refused_with_the_reason(data: bytes,
                                                                    reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        read_word_file(data)


def test_a_zip_without_a_word_body_or_a_document_without_text_is_refused() -> None:
    with pytest.raises(SourceError, match="no word/document.xml"):
        read_word_file(rewritten(word_document(), {"word/document.xml": None}))
    empty = io.BytesIO()
    docx.Document().save(empty)
    with pytest.raises(SourceError, match="no text in the document"):
        read_word_file(empty.getvalue())


def test_a_word_document_is_indexed_asked_and_cited_in_the_text_read(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "deal.docx").write_bytes(word_document())
    (sources / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    result = build_index(sources, tmp_path / "index", embedder=fake_embedder(), root=tmp_path)
    assert [p.source for p in result.problems] == ["sources/old.docx"]
    searcher = Searcher(tmp_path / "index", embedder=fake_embedder(),
                        settings=RankSettings(rerank=False))
    hit = searcher.ask("photoresists without licences", top_k=3).results[0]
    assert hit.citation.source == "sources/deal.docx"
    assert (hit.citation.title, hit.citation.date) == ("Field guide to the export deal",
                                                       "2023-03-16")
    text = read_document(sources / "deal.docx", sources, tmp_path).units[0].text
    assert text[hit.citation.char_start:hit.citation.char_end] == hit.text
    assert "photoresists" in hit.text
