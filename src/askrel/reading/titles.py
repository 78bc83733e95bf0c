"""A document's title as a citation shows it: as its properties state it (a PDF's or a Word
document's metadata), else its opening heading (a text file, a web page) or, for a PDF, the
lines its first page sets in the largest type, or its first line when that reads as a title.
None where nothing names the document."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from askrel.records import SourceMeta, TextUnit

# Titles that name no document: what a converter wrote for the first page it met, or for none.
_NO_TITLE = re.compile(r"(?:table of )?contents|untitled(?: document)?|index|title|document\d*",
                       re.IGNORECASE)
# An office program's name before the file's: "Microsoft Word - Annual report.docx".
_PROGRAM_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.IGNORECASE)


def stated_title(title: str | None) -> str | None:
    """A title as a document's metadata states it, as a citation shows it: None when it names
    no document ("Contents", "Untitled"), without an office program's name before it."""
    if title is None:
        return None
    title = " ".join(_PROGRAM_PREFIX.sub("", title).split())
    return None if not title or _NO_TITLE.fullmatch(title) else title


def with_opening_title(meta: SourceMeta, unit: TextUnit) -> SourceMeta:
    """`meta`, titled by the text's opening heading (`first_heading_title`) when it gives no
    title of its own."""
    if meta.title is not None:
        return meta
    return replace(meta, title=first_heading_title(unit.text, unit.body_start))


MAX_TITLE_WORDS = 15
# A document title marked as one on the text's first line: Markdown's "# Title" or AsciiDoc's
# "= Title" (its author and attribute lines may follow right under it).
_MARKED_TITLE = re.compile(r"\s*(?:#|=)[ \t]+(\S[^\n]*)")
_TITLE_MARKER = re.compile(r"^(?:#{1,6}|={1,6})[ \t]+|[ \t]+#+$")
# What may stand above a title without being text: blank lines, a reStructuredText title's
# overline ("====="), its comments and labels (".. _faq:"), its field lines (":tocdepth: 2").
_MARKUP_ONLY = re.compile(r"(?:\s*(?:([=\-~*+^#\"'`_.:])\1{2,}|\.\.[ \t][^\n]*"
                          r"|:\w[\w-]*:[^\n]*))*\s*")
TITLE_WINDOW = 4000  # characters of a text file's opening read for its title


def first_heading_title(text: str, start: int = 0) -> str | None:
    """A text file without a title in its front matter: its opening heading, as a citation
    shows it: a first line marked as a title ("# Title", AsciiDoc's "= Title"), else a first
    paragraph that is a heading (a headline alone on its line, an underlined or over- and
    underlined title, below any `_MARKUP_ONLY` lines). None when the text opens otherwise:
    with a paragraph, a question (which heads its answer), code, or page chrome such as a
    menu."""
    from askrel.reading.chrome import content_blocks

    head = text.find("\n", start + TITLE_WINDOW)  # the opening is enough to tell
    end = len(text) if head < 0 else head
    marked = _MARKED_TITLE.match(text, start, end)
    if marked:
        title = marked.group(1)
    else:
        blocks = [block for block in content_blocks(text, start, end)
                  if not _MARKUP_ONLY.fullmatch(text[block.start:block.end])]
        if not blocks or not blocks[0].heading or not _MARKUP_ONLY.fullmatch(
                text[start:blocks[0].start]):
            return None  # no heading first, or one under cut chrome (a web page's menu)
        title = text[blocks[0].start:blocks[0].end]
        if re.match(r"#\S", title):
            return None  # "#include <stdio.h>", "#!/bin/sh": code, not a title
    title = " ".join(_TITLE_MARKER.sub("", title.strip()).split())
    if not title or len(title.split()) > MAX_TITLE_WORDS or title.endswith("?"):
        return None  # a question heads its answer; it names no document
    return stated_title(title)


TITLE_SIZE_RATIO = 1.15  # a title's type is at least this much larger than the body's
MAX_TITLE_WORD_LENGTH = 30  # a longer "word" is lettering run together, not a title's
# A section's heading ("1 Introduction", "2.3. Usage"), or a question (which heads its answer),
# names no document.
_NUMBERED_SECTION = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[^\W\d_]")
_SPACED_LETTERS = re.compile(r"(?:[^\W\d_] ){2,}[^\W\d_]")  # "E N I G M A"


def largest_type_title(lines: Sequence[tuple[float, str]], body: float) -> str | None:
    """A PDF without a title in its metadata: the lines its first page sets in the largest
    type, when that is larger than the body's (`lines` as (type size, text), in reading order;
    `body` the body's size). The lines in a row at that size make the title, since a title
    may wrap ("Asymptote: the Vector Graphics" / "Language"); a running head or a date above it,
    in small type, is passed over. Lines that cannot be a title (no word, lettering run
    together, "Contents", a numbered heading, a question) do not set the size. None when no
    line stands out."""
    def joined(text: str) -> str:
        return text.replace(" ", "") if _SPACED_LETTERS.fullmatch(text) else text

    def could_be_title(text: str) -> bool:
        return (bool(re.search(r"[^\W\d_]{2}", text)) and stated_title(text) is not None
                and max(len(word) for word in text.split()) <= MAX_TITLE_WORD_LENGTH
                and not text.endswith("?") and not _NUMBERED_SECTION.match(text))

    lines = [(size, joined(text)) for size, text in lines]
    top = max((size for size, text in lines if could_be_title(text)), default=0.0)
    if not body or top < body * TITLE_SIZE_RATIO:
        return None
    first = next(n for n, (size, text) in enumerate(lines) if size == top and could_be_title(text))
    title = []
    for size, text in lines[first:]:
        if size != top:
            break
        title.append(text)
    words = " ".join(title).split()
    return stated_title(" ".join(words)) if len(words) <= MAX_TITLE_WORDS else None


def first_page_title(text: str, max_words: int = 12) -> str | None:
    """A PDF without a title in its metadata: its first line, when that reads as a title."""
    line = next((" ".join(ln.split()) for ln in text.splitlines() if ln.strip()), "")
    if (not line or len(line.split()) > max_words or not re.search(r"[^\W\d_]{2,}", line)
            or line.endswith((".", ",", ";", ":"))):
        return None
    return stated_title(line)
