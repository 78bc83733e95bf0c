"""Reading sources: decoding, refusals with reasons, PDFs, front matter, file names."""

from __future__ import annotations

import io
import os

import pytest

from askrel.reading.sections import TypeRun, type_lines
from askrel.reading.sources import (
    SourceError,
    check_file,
    decode_text,
    discover,
    human_size,
    name_problem,
    parse_front_matter,
    printable_name,
    read_document,
    read_source_bytes,
)
from askrel.reading.titles import first_page_title, largest_type_title
from askrel.records import SourceMeta

TEXT = "Der Bäcker öffnet um sechs Uhr – “früh”, sagt er."


# ---------------------------------------------------------------- decoding


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32"])
def test_decode_text_reads_unicode_encodings(encoding):
    assert decode_text(TEXT.encode(encoding)) == TEXT


def test_decode_text_drops_the_bom_so_offsets_index_the_decoded_text():
    data = "Hello world.".encode("utf-16")
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = decode_text(data)
    assert text == "Hello world."
    assert text[6:11] == "world"


def test_decode_text_reads_latin1():
    data = "Café crème, naïve façade, smørrebrød.".encode("latin-1")
    assert decode_text(data) == "Café crème, naïve façade, smørrebrød."


def test_decode_text_reads_windows_1252_punctuation():
    data = "“Quoted” – dash… and € sign".encode("cp1252")
    assert decode_text(data) == "“Quoted” – dash… and € sign"


def test_decode_text_refuses_binary_with_nul_bytes():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(SourceError, match="binary data"):
        decode_text(png)


def test_decode_text_refuses_binary_without_nul_bytes():
    noise = bytes(b for b in range(1, 32) if b not in b"\n\r\t\f") * 50
    with pytest.raises(SourceError, match="binary data"):
        decode_text(noise)


def test_decode_text_reports_broken_utf16():
    with pytest.raises(SourceError, match="UTF-16"):
        decode_text(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate


# ---------------------------------------------------------------- refusals


def test_check_file_refuses_empty_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(SourceError, match="empty file"):
        check_file(tmp_path / "empty.txt", tmp_path)


def test_check_file_names_the_size_limit(tmp_path):
    (tmp_path / "big.txt").write_text("word " * 1000)
    with pytest.raises(SourceError, match=r"file is 5\.0 KB; the limit is 4\.0 KB"):
        check_file(tmp_path / "big.txt", tmp_path, max_bytes=4000)


def test_read_source_bytes_never_reads_past_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "grows.txt"
    path.write_text("a" * 100)
    monkeypatch.setattr("askrel.reading.sources.check_file", lambda *a, **k: None)  # grew
    with pytest.raises(SourceError, match="the limit is 50 bytes"):
        read_source_bytes(path, tmp_path, max_bytes=50)


def test_check_file_refuses_unsupported_types(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    with pytest.raises(SourceError, match=r"unsupported file type '.jpg'; askrel reads .*\.pdf$"):
        check_file(tmp_path / "photo.jpg", tmp_path)
    (tmp_path / "Minutes.DOC").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceError, match=r"'.DOC'; askrel reads .* \(save it as .docx or .pdf\)"):
        check_file(tmp_path / "Minutes.DOC", tmp_path)


def test_check_file_refuses_links_out_of_the_sources_folder(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (tmp_path / "secret.txt").write_text("outside text")
    (sources / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(SourceError, match="outside the sources folder"):
        check_file(sources / "link.txt", sources)


def test_check_file_accepts_links_inside_and_refuses_folder_links(tmp_path):
    (tmp_path / "a.txt").write_text("Some text here.")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    check_file(tmp_path / "b.txt", tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "loop").symlink_to(tmp_path / "sub")
    with pytest.raises(SourceError, match="link to a folder"):
        check_file(tmp_path / "loop", tmp_path)


def test_check_file_reports_broken_links(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    with pytest.raises(SourceError, match="broken symbolic link"):
        check_file(tmp_path / "gone.txt", tmp_path)


def test_check_file_refuses_fifos(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "pipe.txt").symlink_to(tmp_path / "pipe")
    with pytest.raises(SourceError, match="not a regular file"):
        check_file(tmp_path / "pipe.txt", tmp_path)


def test_discover_skips_hidden_and_yields_links_without_following_folders(tmp_path):
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("x")
    (tmp_path / ".notes.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("x")
    (tmp_path / "alias").symlink_to(tmp_path / "sub")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a.txt", "alias", "sub/b.md"]


# ---------------------------------------------------------------- PDFs


def _encrypted(pdf: bytes, user_password: str, algorithm: str = "RC4-128") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_pages_become_text_units_numbered_from_one(tmp_path, make_pdf):
    (tmp_path / "m.pdf").write_bytes(make_pdf(["First page words.", "Second page words."]))
    doc = read_document(tmp_path / "m.pdf", tmp_path, tmp_path)
    assert [u.page for u in doc.units] == [1, 2]
    assert "Second page" in doc.units[1].text
    assert doc.source == "m.pdf"


def test_corrupt_pdf_is_refused_with_reason(tmp_path, make_pdf):
    data = make_pdf(["Some words on a page."])
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 2])
    (tmp_path / "fake.pdf").write_bytes(b"this is not a PDF at all")
    for name in ("cut.pdf", "fake.pdf"):
        with pytest.raises(SourceError, match="corrupt or unreadable PDF"):
            read_document(tmp_path / name, tmp_path, tmp_path)


def test_password_protected_pdf_is_refused(tmp_path, make_pdf):
    (tmp_path / "locked.pdf").write_bytes(_encrypted(make_pdf(["Secret words."]), "pw"))
    with pytest.raises(SourceError, match="encrypted PDF; it needs a password"):
        read_document(tmp_path / "locked.pdf", tmp_path, tmp_path)


def test_pdf_encrypted_without_user_password_is_read(tmp_path, make_pdf):
    pytest.importorskip("cryptography")
    data = _encrypted(make_pdf(["Open words on the page."]), "", algorithm="AES-256")
    (tmp_path / "open.pdf").write_bytes(data)
    doc = read_document(tmp_path / "open.pdf", tmp_path, tmp_path)
    assert "Open words" in doc.units[0].text


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 80, 60, style="F")  # a drawing, no text
    (tmp_path / "scan.pdf").write_bytes(bytes(pdf.output()))
    with pytest.raises(SourceError, match="needs OCR"):
        read_document(tmp_path / "scan.pdf", tmp_path, tmp_path)


# ---------------------------------------------------------------- front matter and names


def test_front_matter_gives_metadata_and_body_start():
    text = "---\ntitle: A Title\nauthor: [Ann, Bob]\n---\nBody text."
    meta, start = parse_front_matter(text)
    assert meta == SourceMeta(title="A Title", author="Ann; Bob")
    assert text[start:] == "Body text."


BODY = "Tokyo and Seoul agreed on Monday to restore the trade status each had revoked in 2019.\n"


@pytest.mark.parametrize("text, title", [
    ("Japan and Korea mend ties\n\n" + BODY, "Japan and Korea mend ties"),  # a headline
    ("# Frequently Asked Questions\n\n" + BODY, "Frequently Asked Questions"),
    ("The zlib FAQ\n============\n\n" + BODY, "The zlib FAQ"),  # underlined
    ("---\ntitle: Given\n---\n# Other\n\n" + BODY, "Given"),  # front matter first
    (BODY + "\nMore text.\n", None),  # no heading first
    ("What is zlib?\n\n" + BODY, None),  # a question heads its answer
    ("Skip to main content\nMenu\nHome\nNews\n\nJapan and Korea mend ties\n\n" + BODY, None),
    # reStructuredText's overlined title under its field lines and labels; AsciiDoc's title
    # over its author and attribute lines
    (":tocdepth: 2\n\n.. _faq:\n\n===\nFAQ\n===\n\n" + BODY, "FAQ"),
    ("= The Widget Guide\nAnn Author\n:toc:\n\n" + BODY, "The Widget Guide"),
    ("#include <stdio.h>\n\n" + BODY, None),  # code
])
def test_a_text_file_without_a_title_takes_its_opening_heading(text, title):
    from askrel.reading.sources import read_text_file

    meta, (unit,) = read_text_file(text.encode())
    assert meta.title == title
    assert unit.text == text  # the heading stays in the text, and offsets stay as they were


def test_bad_front_matter_is_a_source_error():
    with pytest.raises(SourceError, match="front matter"):
        parse_front_matter("---\ntitle: [unclosed\n---\nBody.")


def test_name_problems():
    assert name_problem("sources/<script>alert('x')</script> “quoted” ..résumé.txt") is None
    assert "control characters" in name_problem("sources/line\nbreak.txt")
    assert "not valid UTF-8" in name_problem("sources/" + b"caf\xe9.txt".decode(
        "utf-8", "surrogateescape"))


def test_printable_name_escapes_controls_and_bad_bytes():
    assert printable_name("a\nb\x1b[31m.txt") == "a\\nb\\x1b[31m.txt"
    assert printable_name(b"caf\xe9.txt".decode("utf-8", "surrogateescape")) == "caf\ufffd.txt"


@pytest.mark.parametrize(("n", "text"), [(0, "0 bytes"), (999, "999 bytes"), (4000, "4.0 KB"),
                                         (52_000_000, "52 MB"), (209_715_200, "210 MB")])
def test_human_size(n, text):
    assert human_size(n) == text


def test_a_pdf_title_taken_from_its_first_line_has_single_spaces():
    line = "FIND(1)          General Commands Manual          FIND(1)\nNAME\n"
    assert first_page_title(line) == "FIND(1) General Commands Manual FIND(1)"
    assert first_page_title("This is a sentence.\n") is None
    assert first_page_title("Table of Contents\n1 Introduction\n") is None


def test_a_pdf_without_a_stated_title_takes_the_lines_its_first_page_sets_largest(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for size, style, line in [(9, "", "28 Water Quarterly, Volume 4 (2025), No. 2"),
                              (20, "B", "Keeping a small reservoir clean"),
                              (20, "B", "through a dry summer"),
                              (11, "", "Ann Author"),
                              (11, "", "Engineers inspected the dam in March and found cracks."),
                              (11, "", "The council will raise the water rate from next year.")]:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(0, size / 2, line, new_x="LMARGIN", new_y="NEXT")
    (tmp_path / "report.pdf").write_bytes(bytes(pdf.output()))
    meta = read_document(tmp_path / "report.pdf", tmp_path, tmp_path).meta
    # the running head above it is passed over; the title's two lines are joined
    assert meta.title == "Keeping a small reservoir clean through a dry summer"


@pytest.mark.parametrize("lines, title", [
    ([(20.0, "E N I G M A"), (11.0, "Body text.")], "ENIGMA"),  # letter-spaced
    ([(25.0, "symptote" * 8), (20.0, "Asymptote"), (11.0, "Body text.")], "Asymptote"),
    ([(14.0, "Contents"), (12.0, "The widget package"), (10.0, "Body.")], "The widget package"),
    # a question heads its answer and a numbered heading names a section: no title stands out
    ([(12.0, "How do I install it?"), (10.0, "Run make.")], None),
    ([(14.0, "1 Introduction"), (10.0, "Body.")], None),
    ([(10.5, "A line hardly larger"), (10.0, "Body.")], None),
])
def test_the_largest_type_on_a_first_page_titles_it_when_it_can_be_a_title(lines, title):
    assert largest_type_title(lines, body=10.0) == title


def test_a_line_is_sized_by_its_runs_of_words_not_a_drop_capital_or_note_marker():
    runs = [TypeRun(30.0, "T"), TypeRun(10.0, "he dam was inspected in March.\n"),
            TypeRun(17.0, "The "), TypeRun(15.0, "Linebreaker"), TypeRun(17.0, " package"),
            TypeRun(8.0, "∗"), TypeRun(12.0, "\n")]
    assert type_lines(runs) == [(10.0, "The dam was inspected in March."),
                                (17.0, "The Linebreaker package")]


def test_a_pdf_title_that_names_no_document_is_none(tmp_path, make_pdf):
    import io

    from pypdf import PdfWriter

    from askrel.reading.titles import stated_title

    assert stated_title("Microsoft Word - Annual report 2024.docx") == "Annual report 2024.docx"
    assert [stated_title(t) for t in ("Contents", "untitled", "Document1", " ", None)] == [
        None] * 5
    assert stated_title("Contents of the Package") == "Contents of the Package"
    # a converter titled the PDF after its contents page: its first line is the title then
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(["Widget Manual\nThe widget works."])))
    writer.add_metadata({"/Title": "Contents"})
    with (tmp_path / "ref.pdf").open("wb") as out:
        writer.write(out)
    assert read_document(tmp_path / "ref.pdf", tmp_path, tmp_path).meta.title == "Widget Manual"


def tj_pdf(moves: list[tuple[str, int]], font: str = "/Courier") -> bytes:
    """One page of text set by a single TJ array in a standard font: each piece of text, then
    the move after it (thousandths of an em; a negative one moves right)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font_dict = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                  NameObject("/Subtype"): NameObject("/Type1"),
                                  NameObject("/BaseFont"): NameObject(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font_dict)})})
    array = " ".join(f"({text}) {move}" for text, move in moves)
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 10 Tf 72 700 Td [{array}] TJ ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_word_gaps_set_as_moves_are_read_as_spaces_whatever_the_font_claims():
    from askrel.reading.sources import read_pdf

    # Courier's space is 600 wide, so pypdf alone reads a space from a move of 285; groff sets
    # gaps of 250 in it, a Times space
    moves = [("The", -250), ("Match", -250), ("keyword", -180), ("may", -250), ("b", -40),
             ("e", -250), ("used.", 0)]
    _, (unit,) = read_pdf(tj_pdf(moves))
    assert unit.text.strip() == "The Match keyword may be used."
    # a font whose space pypdf reads right keeps pypdf's reading
    _, (unit,) = read_pdf(tj_pdf([("The", -150), ("end", 0)], font="/Times-Roman"))
    assert unit.text.strip() == "The end"


def test_control_characters_of_pdf_text_are_dropped():
    from askrel.reading.sources import read_pdf

    # a list's bullet whose glyph maps to no character reads as U+0000
    data = tj_pdf([(r"\000", -300), ("First", -300), ("item.", 0)])
    _, (unit,) = read_pdf(data)
    assert unit.text.strip() == "First item."


def test_restructuredtext_and_asciidoc_sources_are_read_as_text(tmp_path):
    (tmp_path / "faq.rst").write_text("What is it?\n-----------\n\nA small tool.\n")
    (tmp_path / "faq.adoc").write_text("What is it?::\n  A small tool.\n")
    for name in ("faq.rst", "faq.adoc"):
        doc = read_document(tmp_path / name, tmp_path, tmp_path)
        assert "A small tool." in doc.units[0].text


def test_the_sources_option_names_every_type_read_and_its_default():
    from typer.testing import CliRunner

    from askrel.cli import app
    from askrel.reading.sources import READ_SUFFIXES

    result = CliRunner().invoke(app, ["index", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert all(suffix in result.stdout for suffix in READ_SUFFIXES)
    # written as text, not taken for markup and dropped
    assert "[default: the folder the index was built from, else sources]" in result.stdout
