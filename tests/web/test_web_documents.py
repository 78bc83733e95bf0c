"""The source viewer's data: the cited file, the text its offsets index, and the passage."""

from __future__ import annotations

import pytest

from askrel.web.documents import DocumentCache, ViewerError, locate, source_view

TEXT = "---\ntitle: Notes\npublisher: Desk\n---\nFirst line.\n\nThe cited passage is here. More.\n"


def hit_for(text: str, passage: str, source: str = "sources/notes.txt", page=None) -> dict:
    start = text.index(passage)
    return {"rank": 1, "text": passage, "highlights": [[4, 10]],
            "citation": {"source": source, "title": None, "publisher": None, "author": None,
                         "date": None, "url": None, "page": page, "char_start": start,
                         "char_end": start + len(passage)}}


@pytest.fixture
def project(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "notes.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path, sources


def test_text_file_view_locates_the_cited_passage(project):
    root, sources = project
    hit = hit_for(TEXT, "The cited passage is here.")

    view = source_view(hit, sources, root, DocumentCache())

    (part,) = view.parts
    start, end = part.passage
    assert part.text[start:end] == hit["text"]
    assert part.shown == (TEXT.index("First"), len(TEXT))  # front matter is shown as metadata
    assert part.answer_spans == ((start + 4, start + 10),)
    assert view.meta["title"] == "Notes" and view.meta["publisher"] == "Desk"
    assert view.notes == ()


def test_changed_file_is_said_and_the_passage_found_where_it_is_now(project):
    root, sources = project
    hit = hit_for(TEXT, "The cited passage is here.")
    (sources / "notes.txt").write_text(TEXT.replace("First line.", "A longer first line."),
                                       encoding="utf-8")

    view = source_view(hit, sources, root, DocumentCache())

    (part,) = view.parts
    assert part.text[part.passage[0]:part.passage[1]] == hit["text"]
    assert "changed since it was indexed" in view.notes[0]


def test_passage_gone_from_the_file_is_said(project):
    root, sources = project
    hit = hit_for(TEXT, "The cited passage is here.")
    (sources / "notes.txt").write_text("Entirely new text.", encoding="utf-8")

    view = source_view(hit, sources, root, DocumentCache())

    assert view.parts[0].passage is None and "no longer in it" in view.notes[0]


def test_pdf_view_shows_the_cited_page(tmp_path, make_pdf):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "manual.pdf").write_bytes(make_pdf(["Page one about pumps.",
                                                   "Page two explains the valve settings."]))
    from askrel.reading.sources import read_document

    page_two = read_document(sources / "manual.pdf", sources, tmp_path).units[1].text
    hit = hit_for(page_two, page_two.strip(), "sources/manual.pdf", page=2)

    view = source_view(hit, sources, tmp_path, DocumentCache())

    assert view.where == "page 2"
    (part,) = view.parts
    assert "valve settings" in part.text and "pumps" not in part.text
    hit["citation"]["section"] = "2 Valves › 2.1 Settings"  # as the card cites it
    assert source_view(hit, sources, tmp_path, DocumentCache()).where == (
        "page 2, 2 Valves › 2.1 Settings")


def test_pdf_view_names_the_printed_page_number(tmp_path, make_pdf):
    from askrel.reading.sources import read_document

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "manual.pdf").write_bytes(make_pdf(["Preface.", "The valve settings."],
                                                  front_matter=1))
    page_two = read_document(sources / "manual.pdf", sources, tmp_path).units[1].text
    hit = hit_for(page_two, page_two.strip(), "sources/manual.pdf", page=2)

    assert source_view(hit, sources, tmp_path, DocumentCache()).where == "page 2 (printed 1)"


def test_only_files_in_the_sources_folder_are_opened(project, tmp_path):
    root, sources = project
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")

    with pytest.raises(ViewerError):
        locate("secret.txt", sources, root)
    with pytest.raises(ViewerError):
        locate("sources/../secret.txt", sources, root)
    assert locate("sources/notes.txt", sources, root) == sources / "notes.txt"


def test_index_built_from_another_folder_still_finds_its_files(project):
    root, sources = project
    assert locate("elsewhere/sources/notes.txt", sources, root) == sources / "notes.txt"
