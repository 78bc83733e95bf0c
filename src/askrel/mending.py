"""Mending words that a PDF's text extraction split apart: "e valuating", "ar gument".

Some PDF producers place the letters of one word in separate pieces: a kerned pair moved into
place on its own, or a justified line whose word spacing stretches the gaps. Reading the page,
pypdf can take such a move for a word gap and put a space inside the word. Manual pages printed
by groff lose a word in every line or two this way ("the e xpression", "def ault", "kno wn");
the glyphs on the page still read "expression", so the split text cannot be found, matched or
cited as printed.

Two neighbouring runs of letters are joined when English makes the joined word far likelier
than the two pieces as separate words. The score is the log10 odds of one word over two
independent ones, from wordfreq's word frequencies: zipf(AB) - zipf(A) - zipf(B) + 9. A real
pair of words scores low, because each word is common ("of the": -2.8; "the y" in "the y
axis": 2.7); a split scores high, because a piece is rare and the word common ("def ault":
7.0, "e xpression": over 8). Across the eight PDF manuals and five articles of askrel's
evaluation sets (about 300,000 words, none of them split) no pair scores 6; in a groff manual
page hundreds do. A document with many such splits gets a lower bar, since there the short
ones ("an y", "F or") are splits too.

A word hyphenated at a line end is joined too: a common word ("de-" / "fault"), or a rarer one
whose parts are no words ("subdi-" / "rectory"); compounds ("command-line", "host-name") keep
their hyphen. Only PDF text is mended: a text file's citations index the
file as it is on disk.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterator, Sequence

SPLIT_SCORE = 6.0  # a join this likely is made in any document
PRONE_SCORE = 3.0  # the bar in a document that splits words often
PRONE_RATE = 0.002  # "often": at least this many sure joins per word of the document
MIN_JOINED_ZIPF = 3.0  # the joined word is a common one (once per million words or more)

_LETTERS = re.compile(r"[^\W\d_]+")
# Letters that belong to a longer token (a path, a contraction, a hyphenated word, a file
# name) are not word pieces.
_ATTACHED = frozenset("-'’/_\\")


@functools.cache
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en")


def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-case word: log10 of its uses per billion words
    (0 for a word it does not know)."""
    frequency = _frequencies().get(word, 0.0)
    return math.log10(frequency * 1e9) if frequency > 0 else 0.0


def word_zipf(word: str, least: float = MIN_JOINED_ZIPF) -> float | None:
    """The Zipf frequency of `word` when it is a word of at least that frequency (by default
    a common one) written in one case pattern ("For", "OPERATORS", "default"), else None."""
    if not (word[1:].islower() or word.isupper()):
        return None
    frequency = zipf(word.lower())
    return frequency if frequency >= least and frequency > 0 else None


def join_score(first: str, second: str, least: float = MIN_JOINED_ZIPF) -> float | None:
    """How much likelier `first + second` is as one word than as two (log10 odds), or None
    when the joined word is not a word of Zipf frequency `least` or more (`word_zipf`)."""
    whole = word_zipf(first + second, least)
    if whole is None:
        return None
    return whole - zipf(first.lower()) - zipf(second.lower()) + 9


def _attached(text: str, at: int, away: int) -> bool:
    """Whether the character at `at`, next to a run of letters, ties the run to more of a
    token: a hyphen, apostrophe or slash, or a dot with more of the token beyond it
    ("file.txt"; a full stop after a word does not count)."""
    if not 0 <= at < len(text):
        return False
    ch = text[at]
    if ch == ".":
        beyond = at + away
        return 0 <= beyond < len(text) and text[beyond].isalnum()
    return ch in _ATTACHED or ch.isalnum()


def _pairs(text: str) -> Iterator[tuple[int, int, float]]:
    """Each pair of letter runs separated by one space that could be one split word, as (the
    number of its first run, counting runs of letters from 0; the space's offset; score)."""
    runs = list(_LETTERS.finditer(text))
    for number, (left, right) in enumerate(itertools.pairwise(runs)):
        gap = left.end()
        if right.start() != gap + 1 or text[gap] != " ":
            continue
        if _attached(text, left.start() - 1, -1) or _attached(text, right.end(), 1):
            continue
        score = join_score(left.group(), right.group())
        if score is not None:
            yield number, gap, score


def _join(text: str, pairs: list[tuple[int, int, float]], bar: float) -> str:
    """`text` with the space of every one of its `pairs` scoring `bar` or more removed.
    Where two pairs share a run, the likelier join wins ("line ar gument": "ar gument", not
    "line ar"), and a run is joined once ("e x ample" keeps one space)."""
    joined: set[int] = set()  # runs already part of a join
    cut = []
    for number, gap, score in sorted(pairs, key=lambda pair: -pair[2]):
        if score >= bar and not {number, number + 1} & joined:
            joined |= {number, number + 1}
            cut.append(gap)
    if not cut:
        return text
    pieces = []
    start = 0
    for gap in sorted(cut):
        pieces.append(text[start:gap])
        start = gap + 1
    pieces.append(text[start:])
    return "".join(pieces)


def split_bar(pairs_by_page: Sequence[list[tuple[int, int, float]]], words: int) -> float:
    """The score a join needs in a document of `words` words: lower when sure splits are
    common in it."""
    sure = sum(1 for pairs in pairs_by_page for _, _, score in pairs if score >= SPLIT_SCORE)
    return PRONE_SCORE if words and sure >= PRONE_RATE * words else SPLIT_SCORE


# A word hyphenated at a line end: "de-" then "fault is no" on the next line. In a document
# that splits words, the hyphen may be split off too ("per -" then "form").
_HYPHENATED = re.compile(r"(?<![\w\-'’/])([^\W\d_]+)-\n([^\W\d_]+)(\S*)( |\n|$)")
_HYPHENATED_SPLIT = re.compile(r"(?<![\w\-'’/])([^\W\d_]+) ?-\n([^\W\d_]+)(\S*)( |\n|$)")


def is_hyphenated_word(first: str, rest: str) -> bool:
    """Whether "first-" at a line end and "rest" on the next line are one word: a common word
    ("de-" / "fault"), or a rarer one far likelier than the two parts as words ("subdi-" /
    "rectory", "optimi-" / "sation": the same odds as a split word). A compound keeps its
    hyphen ("command-line", "host-name", "non-empty"): each part is a word of its own."""
    return (word_zipf(first + rest) is not None
            or (join_score(first, rest, least=0.0) or 0.0) >= SPLIT_SCORE)


def _rejoin_hyphenated(match: re.Match[str]) -> str:
    """One line-end hyphenation undone (`is_hyphenated_word`). The word's rest moves up to
    the first line, so the other lines keep their place; a line that held only the rest is
    taken up whole."""
    first, rest, tail, after = match.groups()
    joined = first + rest
    if not is_hyphenated_word(first, rest):
        return match.group(0)
    return f"{joined}{tail}\n" if after == " " else f"{joined}{tail}{after}"


def _mend(text: str, pairs: list[tuple[int, int, float]], bar: float) -> str:
    hyphenated = _HYPHENATED_SPLIT if bar <= PRONE_SCORE else _HYPHENATED
    return hyphenated.sub(_rejoin_hyphenated, _join(text, pairs, bar))


def mend_split_words(text: str, bar: float = SPLIT_SCORE) -> str:
    """`text` with words that extraction split apart, or a line end hyphenated, joined
    again."""
    return _mend(text, list(_pairs(text)), bar)


def mend_pages(pages: Sequence[str]) -> tuple[list[str], float]:
    """A document's pages with split and hyphenated words joined again, and the bar the
    document got (to mend more of its text alike, such as its headings' runs)."""
    pairs_by_page = [list(_pairs(page)) for page in pages]
    bar = split_bar(pairs_by_page, sum(len(page.split()) for page in pages))
    return [_mend(page, pairs, bar)
            for page, pairs in zip(pages, pairs_by_page, strict=True)], bar
