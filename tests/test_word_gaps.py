"""Word gaps that a PDF sets as moves or spacing, rather than as spaces, are read as spaces;
spacing that is no word gap adds none."""

from __future__ import annotations

import io

import pytest
from pypdf.generic import ByteStringObject, FloatObject

from askrel.reading.sources import read_pdf
from askrel.reading.word_gaps import WORD_GAP, moves_for_spacing, spacing_read_as_moves

FONT_SIZE = 10


def _text_width(text: str) -> float:
    """The width in points of `text` in 10 pt Helvetica, the test pages' font."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt")
    pdf.set_font("helvetica", size=FONT_SIZE)
    return float(pdf.get_string_width(text))


def _page_showing(content: str) -> bytes:
    """A one-page PDF whose text is shown by `content` (operators between BT and ET, with
    the page's Helvetica at 10 pt already set)."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, DecodedStreamObject

    pdf = FPDF()
    pdf.set_font("helvetica", size=FONT_SIZE)
    pdf.add_page()
    pdf.cell(0, 6, "x")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    page = writer.pages[0]
    font = next(iter(page["/Resources"]["/Font"]))
    stream = DecodedStreamObject()
    stream.set_data(f"BT {font} {FONT_SIZE} Tf 1 0 0 1 72 700 Tm {content} ET".encode())
    page.replace_contents(ContentStream(stream, writer))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _read_by_pypdf(data: bytes, *, mended: bool) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    if not mended:
        return page.extract_text()
    with spacing_read_as_moves(page, reader):
        return page.extract_text()


# Ghostscript's way: "invoked as a login" with the gaps after "d", "s" and "a" set by a
# character spacing of 0.25 em, the one after "a" of "as" taken back by a move of 250.
SPACED_GLYPHS = ("(It had been invoke) Tj 2.5 Tc [(da) 250 (sal)] TJ 0 Tc (ogin shell, and an) Tj "
                 "2.919 Tc (yr) Tj 0 Tc (emaining words.) Tj")


def test_a_word_gap_set_as_character_spacing_is_read_as_a_space():
    data = _page_showing(SPACED_GLYPHS)
    assert "invokedasalogin" in _read_by_pypdf(data, mended=False)  # pypdf runs them together
    assert "invoked as a login shell, and any remaining words." in _read_by_pypdf(data,
                                                                                  mended=True)
    _, units = read_pdf(data)
    assert "It had been invoked as a login shell, and any remaining words." in units[0].text


def test_letter_spaced_type_stays_one_word():
    data = _page_showing("3 Tc (CHAPTER) Tj 0 Tc ( One) Tj")
    assert "CHAPTER One" in _read_by_pypdf(data, mended=True)


def test_word_spacing_counts_in_the_width_of_a_justified_run():
    # groff's way: the spaces of the first run stretch by 3 points each (Tw), and the rest
    # of "non-interactive" is moved into place on its own, right after them.
    first = "or as a non-interacti"
    width = _text_width(first) + first.count(" ") * 3
    content = f"3 Tw ({first}) Tj {width:.3f} 0 Td 0 Tw (ve shell.) Tj"
    data = _page_showing(content)
    assert "non-interacti ve" in _read_by_pypdf(data, mended=False)
    assert "or as a non-interactive shell." in _read_by_pypdf(data, mended=True)


def test_moves_for_spacing_sets_each_gap_as_a_move_and_its_opposite():
    gap = [FloatObject(-300), FloatObject(300)]
    run = moves_for_spacing([ByteStringObject(b"da"), 250, ByteStringObject(b"sal")],
                            spacing=250, word_spacing=0, space_move=300)
    assert run == [b"d", *gap, b"a", 250, b"s", *gap, b"a", *gap, b"l"]
    # A move that leaves a word gap between two strings gets one too.
    run = moves_for_spacing([ByteStringObject(b"a"), 50, ByteStringObject(b"b")],
                            spacing=WORD_GAP + 60, word_spacing=0, space_move=300)
    assert run == [b"a", 50, *gap, b"b"]


def test_moves_for_spacing_adds_the_word_spacing_of_a_strings_spaces_after_the_last():
    run = moves_for_spacing([ByteStringObject(b"a b c")], spacing=0, word_spacing=39.5,
                            space_move=300)
    assert run == [b"a b ", -79.0, b"c"]
    run = moves_for_spacing([ByteStringObject(b"end "), -20], spacing=0, word_spacing=10,
                            space_move=300)
    assert run == [b"end ", -10.0, -20]


@pytest.mark.parametrize("items, spacing, word_spacing", [
    ([ByteStringObject(b"word")], WORD_GAP - 1, 0),  # spacing narrower than a word gap
    ([ByteStringObject(b"CHAPTER")], 300, 0),  # letter-spaced type
    ([ByteStringObject(b"ab")], -20, 0),  # tightened type
    ([ByteStringObject(b"no-spaces")], 0, 40),  # word spacing with no space to widen
])
def test_moves_for_spacing_leaves_other_runs_alone(items, spacing, word_spacing):
    assert moves_for_spacing(items, spacing, word_spacing, space_move=300) is None


def test_a_page_whose_spacing_cannot_be_read_is_read_as_it_is(monkeypatch):
    from askrel.reading import word_gaps

    def broken(operations, fonts):
        raise ValueError("an operand of an unexpected kind")

    monkeypatch.setattr(word_gaps, "_with_moves", broken)
    data = _page_showing(SPACED_GLYPHS)
    assert _read_by_pypdf(data, mended=True) == _read_by_pypdf(data, mended=False)
    _, units = read_pdf(data)
    assert "shell, and an" in units[0].text  # the text is still read
