"""Sections of a PDF: where each heading's line is on its page, from the PDF's outline
(bookmarks); without one, from the run of numbered heading lines that best explains the
document; without those, from the lines set in a larger type than the body; without those,
from whole lines in bold capitals (the headings of a manual page: "OPTIONS", "EXIT STATUS").
Every passage then carries the title path of its section."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

from askrel.reading.chrome import (
    MAX_QUESTION_HEADING_WORDS,
    Line,
    at_page_edge,
    line_key,
    running_lines,
    running_rule,
    split_lines,
)
from askrel.records import Section, TextUnit

SECTION_PATH_DEPTH = 3  # outline levels kept in a section's title path
SECTION_SEPARATOR = " › "
# A heading line's numbering before its title: "2.1 ", "A.3 ", "Appendix C ", "IV. ".
_NUMBERING = re.compile(r"(?:(?:chapter|appendix|section|part)\s+)?(?:[a-z]|\d+|[ivxlc]+)"
                        r"(?:\.\d+)*\.?:?\s+", re.IGNORECASE)


def outline_by_page(reader: object) -> dict[int, list[str]]:
    """The PDF outline (bookmarks) as title paths by 0-based page, in outline order.

    A damaged or missing outline gives {}: sections are a help, never a reason to fail.
    """
    by_page: dict[int, list[str]] = {}

    def walk(items: list, parents: list[str]) -> None:
        title = ""
        for item in items:
            if isinstance(item, list):
                walk(item, [*parents, title] if title else parents)
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
            if title and page is not None and page >= 0:
                path = [*parents, title][-SECTION_PATH_DEPTH:]
                by_page.setdefault(page, []).append(SECTION_SEPARATOR.join(path))

    try:
        walk(reader.outline, [])  # type: ignore[attr-defined]
    except Exception:  # pypdf raises many kinds on broken outlines
        return {}
    return by_page


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text).split()).casefold()


def title_forms(line: str) -> frozenset[str]:
    """A heading folded (`_fold`), as it stands and without its numbering: "5.4.3.7 Putting
    answers on multiple columns" is also "putting answers on multiple columns"."""
    line = " ".join(line.split())
    numbering = _NUMBERING.match(line)
    forms = {_fold(line), _fold(line[numbering.end():]) if numbering else ""}
    return frozenset(forms - {""})


def heading_line(text: str, title: str, after: int = 0) -> Section | None:
    """Where the heading `title` is in text, at or after `after`: a line that is the title,
    perhaps numbered ("2.1 Simple compilation"), or a line that starts with it (a run-in
    heading, "Column The column(x) function ..."). The span covers the title only; None
    when no line has it."""
    want = _fold(title)
    if not want:
        return None
    lines = split_lines(text, after, len(text))
    for n, found in enumerate(lines):
        line, start = found.text, found.start
        numbering = _NUMBERING.match(line)
        for skip in (0, numbering.end()) if numbering else (0,):
            folded = _fold(line[skip:])
            if folded == want:
                return Section(start, start + len(line), title)
            if folded.startswith(want + " ") and not skip:
                return Section(start, start + _title_length(line, want), title)
        if _fold(line).endswith(" " + want) and len(_fold(line).split()) <= len(want.split()) + 2:
            return Section(start, start + len(line), title)  # "Appendix A Essential ..."
        for skip in (0, numbering.end()) if numbering else (0,):
            last = wrapped_heading_end(lines, n, want, skip)
            if last is not None:
                return Section(start, last.start + len(last.text), title)
    return None


def wrapped_heading_end(lines: list[Line], n: int, want: str, skip: int = 0) -> Line | None:
    """The last line of a heading (folded: `want`) that starts on line n, `skip` characters
    in (past its numbering: "7.34 How can I save the result of each iteration in a loop" /
    "into a separate file?"), and wraps over the lines under it, or None when it does not."""
    joined = _fold(lines[n].text[skip:])
    for below in lines[n + 1:]:
        if not joined or not want.startswith(joined + " "):
            return None
        joined = f"{joined} {_fold(below.text)}"
        if joined == want:
            return below
    return None


def _title_length(line: str, want: str) -> int:
    """How many characters of `line` its first words matching the folded title take."""
    for end in range(len(want), len(line) + 1):
        if _fold(line[:end]) == want and (end == len(line) or not line[end].isalnum()):
            return end
    return len(line)


def locate_sections(text: str, paths: list[str]) -> tuple[Section, ...]:
    """Sections starting on a page: each outline entry's heading, found in order; one not
    found is taken to start where the previous one's heading ended (or at the top)."""
    sections = []
    cursor = 0
    for path in paths:
        found = heading_line(text, path.rsplit(SECTION_SEPARATOR, 1)[-1], cursor)
        start, end = (found.start, found.end) if found else (cursor, cursor)
        sections.append(Section(start, end, path))
        cursor = end
    return tuple(sections)


# A numbered heading line: "2 Installing R", "2.1 Simple compilation", "Appendix B Paths".
_NUMBERED_HEADING = re.compile(
    r"(?i:chapter|section|part)\s+(?P<cnumber>\d{1,2}(?:\.\d{1,2}){0,3})[.:]?\s+"
    r"(?P<ctitle>[A-Z][^\n]{1,80})"
    r"|(?P<number>\d{1,2}(?:\.\d{1,2}){0,3}|[A-Z](?:\.\d{1,2}){1,3})\.?\s+"
    r"(?P<title>[A-Z][^\n]{1,80})"
    r"|[Aa](?:ppendix|PPENDIX)\s+(?P<appendix>[A-Z])\.?:?\s+(?P<atitle>[A-Z][^\n]{1,80})")
# A chapter's label on a line of its own, its title on the next: "Section 6:" / "Defglobal
# Construct", "Appendix A:" / "Support Information", "Chapter 3" / "Installation".
_LABEL_LINE = re.compile(r"(?i:chapter|section|part|appendix)\s+(?:\d{1,2}|[A-Z])[.:]?")
MAX_LABELLED_TITLE_WORDS = 8
# Any line that starts with a numbering, heading or not: "2.1 Vectors", "8.1.3. Migrating to
# UTF-8", "Appendix B Paths". Runs of them are lists.
_NUMBERED_LINE = re.compile(r"(?:(?i:chapter|section|part|appendix)\s+\w{1,2}:?"
                            r"|\d{1,2}(?:\.\d{1,2})*|[A-Z](?:\.\d{1,2})+)\.?\s")
MAX_NUMBERED_HEADING_WORDS = 10
_FRESH_LIST = re.compile(r"1[.)]?\s")  # a list's first item: "1. Write code"
_LEADING_NUMBER = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s")  # "2.1. NAME . . . 2"
Numbering = tuple[int, ...]
# This many numbered lines in a row are a list (a contents list, numbered steps), not
# headings; a heading stacked on its subheadings ("2", "2.1", "2.1.1") makes at most 3.
MIN_LIST_LINES = 4


def numbered_heading(line: str) -> tuple[Numbering, str] | None:
    """(numbering, title) when a line reads as a numbered section heading, else None.
    Letters count from 1001 ("A.2" is (1001, 2)), so appendices follow chapters."""
    match = _NUMBERED_HEADING.fullmatch(line)
    longest = MAX_QUESTION_HEADING_WORDS if line.endswith("?") else MAX_NUMBERED_HEADING_WORDS
    if not match or len(line.split()) > longest:
        return None
    number = match["cnumber"] or match["number"] or match["appendix"]
    title = match["ctitle"] or match["title"] or match["atitle"]
    title = title.rstrip()
    # No heading: a sentence, a running head that ends in its page's number, a table row.
    # A title may end in a name with a digit ("How to use bzip2") or be a FAQ's question.
    if (title[-1] in ".,;:!" or re.search(r"(?:^|\s)[\d.,]+$", title)
            or not re.search(r"[a-z]{2}", title)):
        return None
    return _numbering(number), title


def _numbering(number: str) -> Numbering:
    """"2.1" as (2, 1); letters count from 1001 ("A.2" is (1001, 2))."""
    parts = number.split(".")
    head = int(parts[0]) if parts[0].isdigit() else 1000 + ord(parts[0].upper()) - 64
    return (head, *(int(p) for p in parts[1:]))


def can_start(number: Numbering) -> bool:
    """Whether a numbering can open a document's sections: "1", "6", "6.1", "A", "A.1.1" (a
    chapter printed on its own starts at its own number), but not "6.3"."""
    return set(number[1:]) <= {1}


def _predecessor_keys(number: Numbering) -> list[tuple[str, Numbering]]:
    """Where the headings that `number` can follow are kept (see `heading_chain`).

    A heading follows its parent ("2.1" after "2"), its previous sibling or anything under
    that ("2.2" after "2.1" or "2.1.3"), or, for an appendix, any chapter. It may also come
    after a gap of unread headings whose numbering it implies: "6.2.1" after "6.1.6" when
    "6.2" was not read as a heading, or "1.3.4" after "1.3.2" (or "1.3") when "1.3.3" was
    not; a chapter's number skips none. (In `heading_chain`, a chapter's first subheading,
    "8.1", may also follow any heading of an earlier chapter: chapters 6 to 8 may have no
    heading that could be read. A chapter's number alone may not: "72 Installing", "74
    Installing" are running heads with their pages' numbers.)
    """
    keys: list[tuple[str, Numbering]] = []
    depth = len(number)
    while depth >= 1:
        head = number[:depth]
        if depth < len(number):
            keys.append(("exact", head))  # "2.1" after "2"
        if head[-1] > 1:
            keys.append(("prefix", (*head[:-1], head[-1] - 1)))  # "2.2" after "2.1" or "2.1.3"
            if depth > 1:  # "1.3.4" after "1.3.2" or "1.3" when "1.3.3" was not read
                keys += [("prefix", (*head[:-1], k)) for k in range(head[-1] - 2, 0, -1)]
                keys.append(("exact", head[:-1]))
        if head[-1] != 1:
            break
        depth -= 1
    if number[0] > 1000 and can_start(number):
        keys.append(("chapters", ()))  # "Appendix A" after any chapter
    return keys


def heading_chain(numbers: list[Numbering]) -> list[int]:
    """The positions of the longest run of numberings that follow each other in order (of
    equal runs, the later).

    Numbered lines that are not headings (table rows, list items, a contents list) may sit
    among the real ones; the run that best explains the document is kept. Dynamic
    programming, with the best run so far ending at each numbering (and under each numbering
    prefix) kept in dictionaries, so each line costs a few lookups.
    """
    score: list[float] = []
    back: list[int | None] = []
    best: dict[tuple[str, Numbering], int] = {}
    chapters: set[int] = set()  # the chapters seen (best run under each: "prefix", (c,))

    def keep(key: tuple[str, Numbering], i: int) -> None:
        if key not in best or score[i] >= score[best[key]]:  # a tie goes to the later line
            best[key] = i

    for i, number in enumerate(numbers):
        before = [best[k] for k in _predecessor_keys(number) if k in best]
        if len(number) > 1 and can_start(number) and number[0] < 1000:  # any earlier chapter
            before += [best[("prefix", (c,))] for c in chapters if c < number[0]]
        j = max(before, key=lambda n: score[n], default=None)
        if j is None and not can_start(number):
            score.append(float("-inf"))
            back.append(None)
            continue
        score.append(1.0 + (score[j] if j is not None else 0.0))
        back.append(j)
        keep(("exact", number), i)
        for depth in range(1, len(number) + 1):
            keep(("prefix", number[:depth]), i)
        chapters.add(number[0])
        if number[0] < 1000:
            keep(("chapters", ()), i)
    if not score or max(score) == float("-inf"):
        return []
    last: int | None = max(range(len(score)), key=lambda n: (score[n], n))  # ties: later
    chain = []
    while last is not None:
        chain.append(last)
        last = back[last]
    return chain[::-1]


MIN_NUMBERED_HEADINGS = 2


def _introduces(first: tuple[Numbering, str] | None, second: tuple[Numbering, str] | None,
                second_text: str) -> bool:
    """Whether a list of numbered lines opens with a heading over what follows: over its own
    contents ("Chapter 6", then "6.1", "6.2", ...), or a subsection's heading over a list
    of its own ("1.2.2 How can I help?", then "1. Write code", "2. Write documentation"):
    that first line is a heading. `second`: the next line as `numbered_heading` reads it."""
    if first is None:
        return False
    leading = _LEADING_NUMBER.match(second_text)  # a contents line may end in its page number
    under = second[0] if second else _numbering(leading[1]) if leading else None
    return under == (*first[0], 1) or (len(first[0]) > 1 and bool(_FRESH_LIST.match(second_text)))


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """[start, end) of each run of consecutive True values."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if flag and (not runs or runs[-1][1] != i):
            runs.append((i, i + 1))
        elif flag:
            runs[-1] = (runs[-1][0], i + 1)
    return runs


def with_labels_joined(lines: list[Line]) -> list[Line]:
    """The lines, with a chapter's label that stands alone (`_LABEL_LINE`) and the title on
    the line under it made one line: "Section 6: Defglobal Construct". A title is short, opens
    with a capital and ends with no stop."""
    joined: list[Line] = []
    for line in lines:
        label = joined[-1] if joined else None
        if (label is not None and _LABEL_LINE.fullmatch(label.text)
                and line.text[:1].isupper() and line.words <= MAX_LABELLED_TITLE_WORDS
                and line.text[-1] not in ".,;:!?"):
            joined[-1] = replace(label, end=line.end, text=f"{label.text} {line.text}")
        else:
            joined.append(line)
    return joined


def numbered_sections(units: list[TextUnit], running: set[str] | None = None
                      ) -> list[TextUnit]:
    """For a PDF without an outline: sections from numbered heading lines that follow each
    other in order ("2 Setup", "2.1 Options", "2.2 Files", "3 Use"), nested by numbering.

    Among all lines that read as numbered headings, the longest run in order is taken.
    Running headers do not count, nor do lines in a list of such lines (a contents list
    printed without page numbers, numbered steps), except a first line over its own
    contents (a chapter's opening page) or over a list of its own (`_introduces`).
    `running`: the document's running lines, when already known.
    """
    if running is None:
        running = running_lines([unit.text for unit in units])
    found: list[tuple[int, Line, Numbering]] = []
    for n, unit in enumerate(units):
        page = split_lines(unit.text, 0, len(unit.text))
        lines = with_labels_joined([
            line for i, line in enumerate(page)
            if running_rule(line, running, at_page_edge(i, len(page))) is None])
        headings = [numbered_heading(line.text) for line in lines]
        for start, end in _runs([bool(_NUMBERED_LINE.match(line.text)) for line in lines]):
            if end - start >= MIN_LIST_LINES:
                opens = _introduces(headings[start], headings[start + 1], lines[start + 1].text)
                end = start + 1 if opens else start
            for line, heading in zip(lines[start:end], headings[start:end], strict=True):
                if heading:
                    found.append((n, line, heading[0]))
    chain = heading_chain([number for _, _, number in found])
    if len(chain) < MIN_NUMBERED_HEADINGS or len({found[i][0] for i in chain}) < 2:
        chain = []  # one page's numbered lines are a list, not the document's sections
    sections: list[list[Section]] = [[] for _ in units]
    path: list[tuple[Numbering, str]] = []
    for n, line, number in (found[i] for i in chain):
        path = [(p, h) for p, h in path if len(p) < len(number) and p == number[:len(p)]]
        path.append((number, line.text))
        titles = [h for _, h in path][-SECTION_PATH_DEPTH:]
        sections[n].append(Section(line.start, line.end, SECTION_SEPARATOR.join(titles)))
    return [replace(unit, sections=tuple(found_here))
            for unit, found_here in zip(units, sections, strict=True)]


# Headings told by type size, for a PDF with neither an outline nor numbered headings.
class TypeRun(NamedTuple):
    """A run of text as the PDF sets it: its type size in points, whether it is bold, the
    height of its baseline on the page in points (from the bottom), its font's name, and
    where it starts across the page in points (from the left; None when not known)."""

    size: float
    text: str
    bold: bool = False
    y: float = 0.0
    font: str = ""
    x: float | None = None


class WholeLine(NamedTuple):
    """A line of a page told from its runs: its number on the page, its largest type size,
    its text, and where its first run starts across the page (None when not known)."""

    number: int
    size: float
    text: str
    x: float | None


def runs_text(runs: Sequence[TypeRun]) -> str:
    """The text that runs make up. pypdf's page text is exactly this; a page where it is not
    (lines cannot then be matched to runs) is read from its text alone."""
    return "".join(run.text for run in runs)


HEADING_SIZE_RATIO = 1.15  # a heading's type is at least this much larger than the body's
MAX_HEADING_SIZE_SHARE = 0.05  # and a heading size sets at most this share of the text
MAX_SIZED_HEADING_WORDS = 12
MAX_CAPITAL_HEADING_WORDS = 6
SAME_X = 2.0  # points: two lines that start this close across the page start together


def run_size(size: float, matrix: list[float], ctm: list[float]) -> float:
    """The printed size of a text run: its font size scaled by the text and current
    transformation matrices (their vertical scale)."""
    def scale(m: list[float]) -> float:
        return float((m[2] ** 2 + m[3] ** 2) ** 0.5) if len(m) >= 4 else 1.0

    return round(size * scale(matrix) * scale(ctm) * 2) / 2  # half points: 15.7 and 15.69 agree


def _characters_by_size(pages: Sequence[Sequence[TypeRun]]) -> dict[float, int]:
    chars: dict[float, int] = {}
    for runs in pages:
        for run in runs:
            chars[run.size] = chars.get(run.size, 0) + len(run.text.strip())
    return chars


def _largest_count(chars: dict[float, int]) -> float:
    return max(chars, key=lambda size: chars[size]) if any(chars.values()) else 0.0


def body_size(pages: Sequence[Sequence[TypeRun]]) -> float:
    """The body's type size: the size that sets the most characters (0 when none do)."""
    return _largest_count(_characters_by_size(pages))


def heading_sizes(pages: list[list[TypeRun]]) -> list[float]:
    """The type sizes of headings, largest first: sizes well above the body's (the size that
    sets the most characters) that set only a small share of the text."""
    chars = _characters_by_size(pages)
    total = sum(chars.values())
    if not total:
        return []
    body = _largest_count(chars)
    rare = MAX_HEADING_SIZE_SHARE * total
    return sorted((size for size, n in chars.items()
                   if size >= body * HEADING_SIZE_RATIO and 0 < n <= rare), reverse=True)


def whole_lines(runs: list[TypeRun], keep: Callable[[TypeRun], bool],
                max_words: int) -> list[tuple[float, str]]:
    """Each line whose text is all in runs that `keep` accepts, as (its largest size, text);
    a line that mixes in other text (a larger or bold word inside a sentence) is left out, and
    so is a line of more than `max_words` words or without a word of two letters."""
    return [(line.size, line.text) for line in numbered_whole_lines(runs, keep, max_words)]


def _run_lines(runs: Sequence[TypeRun]) -> list[list[TypeRun]]:
    """A page's runs cut at their line breaks, line by line (the last line may be empty); a
    run's start across the page stays with its first piece."""
    lines: list[list[TypeRun]] = [[]]
    for run in runs:
        for n, piece in enumerate(p for p in re.split(r"(\n)", run.text) if p):
            if piece == "\n":
                lines.append([])
            else:
                lines[-1].append(run._replace(text=piece, x=run.x if n == 0 else None))
    return lines


def numbered_whole_lines(runs: list[TypeRun], keep: Callable[[TypeRun], bool],
                         max_words: int) -> list[WholeLine]:
    """`whole_lines`, each with its line's number on the page and where it starts."""
    lines: list[WholeLine] = []
    for number, line in enumerate(_run_lines(runs)):
        kept = [run for run in line if keep(run)]
        whole = all(keep(run) or not run.text.strip() for run in line)
        title = " ".join("".join(run.text for run in kept).split())
        if whole and re.search(r"[^\W\d_]{2}", title) and len(title.split()) <= max_words:
            lines.append(WholeLine(number, max(run.size for run in kept), title, kept[0].x))
    return lines


MIN_SIZING_CHARACTERS = 3  # a shorter run (a drop capital, a note marker) sizes no line


def type_lines(runs: Sequence[TypeRun]) -> list[tuple[float, str]]:
    """Each line of a page as (its type size, its text). A line's size is the largest that
    sets a run of MIN_SIZING_CHARACTERS or more on it, so a drop capital does not make a line
    of body text large (0 when no run is that long); a note marker set smaller at the end of a
    line ("The widget package∗") is not part of its text."""
    lines: list[tuple[float, str]] = []
    for line in _run_lines(runs):
        while line and not line[-1].text.strip():
            line.pop()
        if line:
            size = max((run.size for run in line
                        if len(run.text.strip()) >= MIN_SIZING_CHARACTERS), default=0.0)
            marker = line[-1].text.strip()
            if len(line) > 1 and line[-1].size < size and len(marker) < MIN_SIZING_CHARACTERS:
                line.pop()
            lines.append((size, " ".join(runs_text(line).split())))
    return lines


def sized_lines(runs: list[TypeRun], sizes: list[float]) -> list[tuple[float, str]]:
    """Each heading set in heading sizes, as (size, text): whole lines of one size in a row
    (a heading may wrap), of at most MAX_SIZED_HEADING_WORDS words, or of at most
    MAX_QUESTION_HEADING_WORDS for a question (a FAQ may set its questions so)."""
    headings: list[tuple[int, float, str]] = []
    for number, size, title, _ in numbered_whole_lines(runs, lambda run: run.size in sizes,
                                                       MAX_QUESTION_HEADING_WORDS):
        if headings and headings[-1][:2] == (number - 1, size):
            title = f"{headings.pop()[2]} {title}"
        headings.append((number, size, title))
    return [(size, title) for _, size, title in headings
            if len(title.split()) <= (MAX_QUESTION_HEADING_WORDS if title.endswith("?")
                                      else MAX_SIZED_HEADING_WORDS)]


def capital_lines(runs: list[TypeRun]) -> list[str]:
    """Each whole line in bold capitals ("EXIT STATUS", "NON-BUGS")."""
    return [line.text for line in _capital_lines(runs)]


def _capital_lines(runs: list[TypeRun]) -> list[WholeLine]:
    return [line for line in numbered_whole_lines(runs, lambda run: run.bold,
                                                  MAX_CAPITAL_HEADING_WORDS)
            if line.text.upper() == line.text]


class ManualIndents(NamedTuple):
    """Where a manual page's lines start across the page: its headings, and its body."""

    headings: float
    body: float


def manual_indents(pages: list[list[TypeRun]]) -> ManualIndents | None:
    """The indents of a page laid out as a manual page is, when its lines in bold capitals
    that start furthest left (the headings) start left of the lines under them (the body).
    None when the capitals start no further left than the lines under them (headings flush
    with the body, or centred over it) or where lines start is not known."""
    capitals = [[line for line in _capital_lines(runs) if line.x is not None]
                for runs in pages]
    if not any(capitals):
        return None
    headings = min(line.x for lines in capitals for line in lines if line.x is not None)
    under: list[int] = []
    for runs, page_capitals in zip(pages, capitals, strict=True):
        numbers = {line.number for line in page_capitals
                   if line.x is not None and line.x <= headings + SAME_X}
        if not numbers:
            continue  # no heading on the page, so no line under one
        lines = numbered_whole_lines(runs, lambda run: True, len(runs_text(runs)))
        under += [round(after.x) for line, after in zip(lines, lines[1:], strict=False)
                  if line.number in numbers and after.x is not None]
    if not under:
        return None
    body = Counter(under).most_common(1)[0][0]
    return ManualIndents(headings, body) if headings < body - SAME_X else None


def manual_headings(runs: list[TypeRun], indents: ManualIndents) -> list[tuple[int, str]]:
    """A manual page's headings on a page, as (level, title): bold capitals at the headings'
    indent (level 0); whole bold lines, in capitals or not, indented less than the body
    (level 1: "Shell Variables" under "PARAMETERS"). Bold lines that start with the body or
    further in are the terms of a list (an option, the variables "HOME", "TMPDIR"), not
    headings."""
    found = []
    for line in numbered_whole_lines(runs, lambda run: run.bold, MAX_CAPITAL_HEADING_WORDS):
        capitals = line.text.upper() == line.text
        if line.x is None or line.x <= indents.headings + SAME_X:
            if capitals:
                found.append((0, line.text))
        elif line.x < indents.body - SAME_X:
            found.append((1, line.text))
    return found


def _heading_sections(units: list[TextUnit],
                      headings_of: Callable[[TextUnit], list[tuple[int, str]]],
                      running: set[str] | None) -> list[TextUnit]:
    """Sections from the heading lines of each page, given as (level, title) in page order:
    a deeper level nests under the last shallower one. A line that runs along the pages (a
    running head) is not a heading."""
    if running is None:
        running = running_lines([unit.text for unit in units])
    path: list[tuple[int, str]] = []
    result = []
    for unit in units:
        sections = []
        cursor = 0
        for level, title in headings_of(unit):
            found = heading_line(unit.text, title, cursor)
            if not found or line_key(unit.text[found.start:found.end]) in running:
                continue
            path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
            titles = [t for _, t in path][-SECTION_PATH_DEPTH:]
            sections.append(Section(found.start, found.end, SECTION_SEPARATOR.join(titles)))
            cursor = found.end
        result.append(replace(unit, sections=tuple(sections)))
    return result


def sized_sections(units: list[TextUnit], runs_by_page: dict[int, list[TypeRun]],
                   running: set[str] | None = None) -> list[TextUnit]:
    """For a PDF with neither an outline nor numbered headings: sections from lines set in
    a larger type than the body, nested by size (the larger, the higher the level)."""
    sizes = heading_sizes(list(runs_by_page.values()))
    return _heading_sections(units, lambda unit: [
        (sizes.index(size), title)
        for size, title in sized_lines(runs_by_page.get(unit.page or 0, []), sizes)],
        running)


def capital_sections(units: list[TextUnit], runs_by_page: dict[int, list[TypeRun]],
                     running: set[str] | None = None) -> list[TextUnit]:
    """For a PDF whose headings are set in bold capitals of the body's size, as a manual
    page's are: sections from those lines, all at one level, or, where the headings start
    left of the body, at the two levels of a manual page (`manual_headings`)."""
    indents = manual_indents(list(runs_by_page.values()))
    if indents is not None:
        return _heading_sections(units, lambda unit: manual_headings(
            runs_by_page.get(unit.page or 0, []), indents), running)
    return _heading_sections(units, lambda unit: [
        (0, title) for title in capital_lines(runs_by_page.get(unit.page or 0, []))],
        running)


def sections_without_outline(units: list[TextUnit],
                             runs_by_page: dict[int, list[TypeRun]]) -> list[TextUnit]:
    """Sections of a PDF without an outline: from its numbered headings where it has them
    (the numbers give the nesting exactly), else from type size, else from bold capitals."""
    running = running_lines([unit.text for unit in units])
    for find in (lambda: numbered_sections(units, running),  # tried in order, until one finds
                 lambda: sized_sections(units, runs_by_page, running),
                 lambda: capital_sections(units, runs_by_page, running)):
        found = find()
        if any(unit.sections for unit in found):
            return found
    return units
