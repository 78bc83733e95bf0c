"""Paragraphs of PDF pages, told from where their lines are printed.

pypdf's page text has a line break at every printed line and nothing more between paragraphs,
so a page reads as one long paragraph, and passages are cut wherever the word count runs out:
between an option and its description ("-P Never follow symbolic links." / "This is the
default behaviour."), or in the middle of a step. Most manuals set paragraphs, list items and
option entries apart with a little extra space. Between the lines of one paragraph, the step
down the page is the same for a given type size; a paragraph starts where the step is clearly
wider. Such a line gets a blank line before it, as in a text file, and the chunker then packs
passages from whole paragraphs.

The gaps found this way, as a share of the usual step, across the eleven PDFs of askrel's
evaluation sets: 1.0-1.1 within paragraphs (a raised symbol moves a line a little), 1.2-2.5
between them (texinfo sets paragraphs 1.2 apart, groff 1.4-2.4, DocBook and Sphinx 1.7-1.9).
Documents that mark paragraphs only by indenting their first line keep their text as it is.
A FAQ may set its questions in bold right above their answers, with no space between: a
question set wholly in bold is a paragraph of its own (`sets_bold_apart`). A list of terms
(a manual page's options and variables) may set its entries with no space between them
either: a line that starts with a bold term out from the description above it starts an
entry (`opens_list_entry`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from askrel.chunking import ends_mid_sentence
from askrel.reading.sections import SAME_X, TypeRun, runs_text

PARAGRAPH_GAP = 1.15  # a step this much wider than the usual one starts a paragraph


class LineStart(NamedTuple):
    """Where a printed line starts: its baseline's height on the page and its type size;
    whether all its printed text is bold; where it starts across the page (None when not
    known) and whether its first printed text is bold."""

    y: float
    size: float
    bold: bool = False
    x: float | None = None
    opens_bold: bool = False


def line_starts(runs: Sequence[TypeRun]) -> list[LineStart | None]:
    """One entry per line of the page text that `runs` make up: where the first run that
    starts on it with printed text sits, or None (a blank line, or one whose text all comes
    after a line break inside a run or in runs whose size could not be read, where its
    position is not known)."""
    lines: list[LineStart | None] = []
    current: LineStart | None = None
    bold = True  # every printed piece of the line so far is bold
    for run in runs:
        for n, piece in enumerate(run.text.split("\n")):
            if n:
                lines.append(current._replace(bold=bold) if current else None)
                current, bold = None, True
            if piece.strip():
                bold = bold and run.bold
                if current is None and run.size and not n:
                    current = LineStart(run.y, run.size, x=run.x, opens_bold=run.bold)
    lines.append(current._replace(bold=bold) if current else None)
    return lines


def _steps_down(lines: Sequence[LineStart | None]) -> list[tuple[float, float]]:
    """(size, step) for each pair of neighbouring lines of one size, the second lower by at
    least half the type size (a smaller step is a raised symbol or a table's jitter, not a
    line of text below another)."""
    return [(a.size, a.y - b.y) for a, b in zip(lines, lines[1:], strict=False)
            if a is not None and b is not None and a.size == b.size
            and a.y - b.y >= a.size / 2]


def usual_steps(pages: Sequence[Sequence[LineStart | None]]) -> dict[float, float]:
    """For each type size, the usual step from one line to the next in a document: the lower
    quartile of the steps between neighbouring lines of that size (paragraph gaps are the
    wider steps, so they stay above it even where they are frequent)."""
    steps: dict[float, list[float]] = defaultdict(list)
    for lines in pages:
        for size, step in _steps_down(lines):
            steps[size].append(step)
    return {size: sorted(found)[len(found) // 4] for size, found in steps.items()}


def paragraph_starts(texts: Sequence[str], lines: Sequence[LineStart | None],
                     usual: dict[float, float]) -> list[int]:
    """The lines (by index) that start a paragraph: those printed lower than the line before
    by clearly more than the usual step of its type size, where that line ends a sentence. A
    line that leaves its sentence open goes on below it however wide the gap: a command or a
    formula set apart ("You can uninstall R by" / "make uninstall") is part of the sentence.
    A line in a larger type than the line above it that starts with no lower-case letter goes
    on with nothing: after an example (which ends no sentence) it starts the next question or
    section, where the rest of a sentence would start in lower case."""
    starts = []
    for n in range(1, len(lines)):
        above, line = lines[n - 1], lines[n]
        if above is None or line is None or line.y >= above.y:
            continue
        if sets_bold_apart(texts, lines, n) or opens_list_entry(lines, n):
            starts.append(n)
            continue
        if ends_mid_sentence(texts[n - 1]) and (
                line.size <= above.size or texts[n].lstrip()[:1].islower()):
            continue
        step = usual.get(above.size) or usual.get(line.size)
        if step and above.y - line.y > step * PARAGRAPH_GAP:
            starts.append(n)
    return starts


def sets_bold_apart(texts: Sequence[str], lines: Sequence[LineStart | None], n: int) -> bool:
    """Whether line n starts a paragraph because it opens or follows a question set wholly in
    bold, as a FAQ may set its questions right above their answers with no space between:
    the bold lines from the first to the one that ends with a question mark stand apart from
    the text before and after them, in the body's type as in a larger one."""
    above, line = lines[n - 1], lines[n]
    if above is None or line is None or above.bold == line.bold:
        return False
    last = n - 1  # the last of the bold lines: above this one, or from this one down
    if line.bold:
        last = n
        while last + 1 < len(lines) and (below := lines[last + 1]) is not None and below.bold:
            last += 1
    return texts[last].rstrip().endswith("?")


def opens_list_entry(lines: Sequence[LineStart | None], n: int) -> bool:
    """Whether line n opens an entry of a list of terms: it starts with a term in bold, left
    of where the line above starts, as a manual page sets an option or a variable ("HOME",
    "-daystart") out from the end of the description above it, often with no space between."""
    above, line = lines[n - 1], lines[n]
    return (above is not None and line is not None and line.opens_bold
            and above.x is not None and line.x is not None and line.x < above.x - SAME_X)


def with_blank_lines(text: str, before: Sequence[int]) -> str:
    """The text with a blank line put before each of the given lines (by index), unless one
    is there already."""
    lines = text.split("\n")
    wanted = set(before)
    out: list[str] = []
    for n, line in enumerate(lines):
        if n in wanted and out and out[-1].strip():
            out.append("")
        out.append(line)
    return "\n".join(out)


def paragraph_pages(pages: Sequence[str], runs_by_page: Sequence[Sequence[TypeRun]]) -> list[str]:
    """Each page's text with a blank line before every paragraph. A page whose text is not
    exactly its runs' text (so lines cannot be matched to positions) is left as it is."""
    starts_by_page = [line_starts(runs) for runs in runs_by_page]
    usual = usual_steps(starts_by_page)
    out = []
    for text, runs, lines in zip(pages, runs_by_page, starts_by_page, strict=True):
        if runs_text(runs) != text:
            out.append(text)
            continue
        out.append(with_blank_lines(text, paragraph_starts(text.split("\n"), lines, usual)))
    return out
