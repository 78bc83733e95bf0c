"""Word gaps in PDF text: spaces that a PDF sets as moves of the pen, read as spaces.

A PDF need not hold a space character between two words: it may move the pen instead. pypdf
reads some of those moves as spaces and misses others, and then words run together
("invokedasalogin shell"). Two kinds are mended here, on the page read in memory only:

- a move in a TJ array ("[(word) -250 (gap)] TJ") narrower than pypdf's reading of the font's
  space, though wide enough to be a word gap (`gap_keeper`);
- a gap set as character spacing: Ghostscript, turning PostScript into PDF (groff's manual
  pages, LaTeX through dvips), shows a short run of glyphs with a large `Tc`, the spacing added
  after each glyph, so that "y r" is the string "yr" spaced 0.29 em apart
  (`spacing_read_as_moves`);
- word spacing (`Tw`), added to each space of a justified line, which pypdf leaves out of
  the line's width, so that it reads a word's next run as a new word ("non-interacti ve").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

# A word gap that a PDF sets as a move in a TJ array is read by pypdf as a space when the
# move reaches 0.95 of half the width it reads for the font's space. Where that width is read
# too wide (a monospaced font's 600 for a gap set at a text font's 250, in groff's manual
# pages; a wrong glyph sent to U+0020, in xdvipdfmx's PDFs: 564 for FreeSerif's 250), the
# narrower gaps of a justified line are lost and words run together. A space is never wider
# than a third of an em in a text font, so a move right of 0.16 em (0.95 of half a third of an
# em) or more is a gap, whatever width the font claims; kerning moves glyphs by a few
# hundredths of an em.
WORD_GAP = 160  # thousandths of an em, the unit of TJ moves
# Character spacing is a gap between the glyphs of short runs only: Ghostscript sets runs of
# one to three glyphs so. A longer run spaced that wide is letter-spaced type ("C H A P T E R"),
# whose letters make one word.
MAX_SPACED_GLYPHS = 3


def space_bar(font: object) -> float | None:
    """The move (in thousandths of an em) from which pypdf reads a space in a TJ array set in
    this font dictionary, or None when it cannot be told."""
    try:
        from pypdf.generic._font import Font

        read = Font.from_font_resource(font.get_object())  # type: ignore[attr-defined]
        width = (read.space_width if read.character_widths.get(read.space_char, 0) != 0
                 else 200.0)  # pypdf's space width for a font that gives its space none
        return 0.95 * float(width) / 2
    except Exception:  # noqa: BLE001 - an unreadable font keeps pypdf's reading
        return None


def read_as_space(bar: float) -> float:
    """A move pypdf surely reads as a space, for a font whose `space_bar` is `bar`."""
    return bar / 0.95


def page_fonts(page: Any) -> dict[str, Any]:
    """The page's font dictionaries by resource name ("/R7"), or none when they cannot be read."""
    try:
        return dict(page["/Resources"]["/Font"].get_object())
    except Exception:  # noqa: BLE001 - a page without fonts has no moves to read
        return {}


def gap_keeper(page: Any) -> Callable[..., None]:
    """A pypdf operand visitor that makes each TJ move of `WORD_GAP` or more, which pypdf
    would not read as a space in its font, just wide enough to be read as one. Only the page
    read in memory changes; the move grows by a few hundredths of an em at most."""
    from pypdf.generic import ArrayObject, FloatObject

    fonts = page_fonts(page)
    bars: dict[str, float | None] = {}
    bar: list[float | None] = [None]

    def visit(operator: bytes, operands: list[object], cm: object, tm: object) -> None:
        if operator == b"Tf" and operands:
            name = str(operands[0])
            if name not in bars:
                bars[name] = space_bar(fonts[name]) if name in fonts else None
            bar[0] = bars[name]
        elif operator == b"TJ" and operands and isinstance(operands[0], ArrayObject):
            limit = bar[0]
            if limit is None or limit <= WORD_GAP:
                return
            items = operands[0]
            for i, item in enumerate(items):
                if _is_number(item) and WORD_GAP <= -float(item) < limit:
                    items[i] = FloatObject(-read_as_space(limit))

    return visit


def moves_for_spacing(items: list[Any], spacing: float, word_spacing: float,
                      space_move: float) -> list[Any] | None:
    """A TJ array's items (byte strings and moves, in thousandths of an em) with the spacing
    the text state adds set as moves, which pypdf reads, or None when nothing needs to change:

    - a word gap set as character spacing (`spacing`, less the move between two strings, of
      `WORD_GAP` or more after a glyph) becomes `space_move`, a move pypdf reads as a space,
      then its opposite, so the run keeps its width; only in runs whose strings hold at most
      `MAX_SPACED_GLYPHS` glyphs (a longer string spaced that wide is letter-spaced type);
    - word spacing (`word_spacing`, added after each space of a justified line, which pypdf
      leaves out of a run's width and then reads the next run's start as a gap) becomes one
      move for all of a string's spaces, after the last of them.
    """
    from pypdf.generic import ByteStringObject, FloatObject

    if not all(isinstance(item, bytes) or _is_number(item) for item in items):
        return None
    letter_gaps = spacing >= WORD_GAP and all(
        len(item) <= MAX_SPACED_GLYPHS for item in items if isinstance(item, bytes))
    gap = [FloatObject(-space_move), FloatObject(space_move)]
    out: list[Any] = []
    for n, item in enumerate(items):
        if not isinstance(item, bytes):
            out.append(item)
            between = 0 < n < len(items) - 1 and isinstance(items[n - 1], bytes) \
                and isinstance(items[n + 1], bytes)
            if letter_gaps and between and WORD_GAP <= spacing - float(item) \
                    and -float(item) < WORD_GAP:
                out.extend(gap)
            continue
        if letter_gaps:
            for k, code in enumerate(item):
                out.extend([*(gap if k else []), ByteStringObject(bytes([code]))])
                if code == 0x20 and word_spacing:
                    out.append(FloatObject(-word_spacing))
        elif word_spacing and b" " in item:
            # The stretch of all the string's spaces, after its last one: the run's width is
            # right where the next run is placed, and pypdf adds no space after a space.
            cut = item.rindex(b" ") + 1
            stretch = FloatObject(-word_spacing * item.count(b" "))
            out.extend([ByteStringObject(item[:cut]), stretch,
                        *([ByteStringObject(item[cut:])] if item[cut:] else [])])
        else:
            out.append(item)
    return out if len(out) != len(items) else None


def _is_number(item: object) -> bool:
    return isinstance(item, (int, float)) and not isinstance(item, bool)


@dataclass
class TextState:
    """The parts of a PDF's text state that place glyphs: spacings in text space units."""

    character_spacing: float = 0.0  # Tc, added after every glyph
    word_spacing: float = 0.0  # Tw, added after every space (code 32) of a simple font
    font: str = ""  # the font's resource name, as Tf sets it
    size: float = 0.0

    def per_em(self, spacing: float) -> float:
        """A spacing in thousandths of an em, the unit of TJ moves."""
        return 1000 * spacing / self.size if self.size else 0.0


@contextmanager
def spacing_read_as_moves(page: Any, reader: Any) -> Iterator[None]:
    """While in the block, the page's content is set in memory so that pypdf reads the
    spacing the text state adds (`moves_for_spacing`): each Tj or TJ in a simple font shown
    with character spacing (`Tc`) of a word gap or with word spacing (`Tw`) becomes a TJ with
    moves. The content is parsed once (pypdf reuses it) and let go after the block, which
    puts the page's own content back."""
    from pypdf.generic import ContentStream, NameObject

    original = page.get("/Contents")
    try:
        contents = original.get_object()
        content = contents if isinstance(contents, ContentStream) \
            else ContentStream(contents, reader, "bytes")
        data = content.get_data()
        if b"Tc" in data or b"Tw" in data:
            content.operations = _with_moves(content.operations, page_fonts(page))
    except Exception:  # noqa: BLE001 - pypdf reads (or reports) a content it cannot parse
        yield  # the page as it is
        return
    page[NameObject("/Contents")] = content
    try:
        yield
    finally:
        page[NameObject("/Contents")] = original


def _with_moves(operations: list[tuple[Any, bytes]],
                fonts: dict[str, Any]) -> list[tuple[Any, bytes]]:
    """The content's operations with each Tj or TJ that character or word spacing places
    rewritten as a TJ with moves (`moves_for_spacing`)."""
    from pypdf.generic import ArrayObject

    moves: dict[str, float | None] = {}
    state, saved = TextState(), list[TextState]()
    for i, (operands, operator) in enumerate(operations):
        if operator == b"q":
            saved.append(replace(state))
        elif operator == b"Q" and saved:
            state = saved.pop()
        elif operator == b"Tc" and operands and _is_number(operands[0]):
            state.character_spacing = float(operands[0])
        elif operator == b"Tw" and operands and _is_number(operands[0]):
            state.word_spacing = float(operands[0])
        elif operator == b"Tf" and len(operands) > 1 and _is_number(operands[1]):
            state.font, state.size = str(operands[0]), abs(float(operands[1]))
        elif operator in (b"Tj", b"TJ") and operands:
            spacing = state.per_em(state.character_spacing)
            word_spacing = state.per_em(state.word_spacing)
            if spacing < WORD_GAP and not word_spacing:
                continue
            if state.font not in moves:
                moves[state.font] = _space_move(fonts.get(state.font))
            move = moves[state.font]
            items = [operands[0]] if operator == b"Tj" else operands[0]
            run = moves_for_spacing(list(items), spacing, word_spacing, move) \
                if move is not None and isinstance(items, list) else None
            if run is not None:
                operations[i] = ([ArrayObject(run)], b"TJ")
    return operations


def _space_move(font: Any) -> float | None:
    """The move that pypdf surely reads as a space in this font (simple fonts only: a
    composite font's glyph codes are not single bytes), or None."""
    try:
        if font is None or font.get_object().get("/Subtype") == "/Type0":
            return None
    except Exception:  # noqa: BLE001
        return None
    bar = space_bar(font)
    return None if bar is None else max(read_as_space(bar), WORD_GAP)
