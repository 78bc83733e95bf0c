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
their hyphen. The opposite fault, words run together ("informationisused"), is mostly
prevented where the text is read (`sources.py` reads word gaps set as moves; a gap where the
font changes is put back below); what is left is split again in the fonts where it is common
(see "Words run together" below). Only PDF text is mended: a text file's citations index the
file as it is on disk.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence

from askrel.reading.english import zipf
from askrel.reading.sections import TypeRun, runs_text

SPLIT_SCORE = 6.0  # a join this likely is made in any document
PRONE_SCORE = 3.0  # the bar in a document that splits words often
PRONE_RATE = 0.002  # "often": at least this many sure joins per word of the document
MIN_JOINED_ZIPF = 3.0  # the joined word is a common one (once per million words or more)

_LETTERS = re.compile(r"[^\W\d_]+")
# Letters that belong to a longer token (a path, a contraction, a hyphenated word, a file
# name) are not word pieces.
_ATTACHED = frozenset("-'’/_\\")


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
    return space_before_addresses(hyphenated.sub(_rejoin_hyphenated, _join(text, pairs, bar)))


# A web address run into the word before it, where a link starts within one font and the
# reader loses the gap: "athttps://…", "seehttp://…". No address starts with a word.
_WORD_BEFORE_ADDRESS = re.compile(r"(?<![\w/.@+\-])([^\W\d_]{2,})(?=https?://)")


def space_before_addresses(text: str) -> str:
    """`text` with a space put back between a common word and the web address run into it."""
    return _WORD_BEFORE_ADDRESS.sub(
        lambda m: m.group(1) + " " if zipf(m.group(1).lower()) >= MIN_JOINED_ZIPF
        else m.group(1), text)


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


# Words run together. Some PDFs set word gaps as moves in the text (a TJ offset) rather than
# as space characters, and pypdf counts a move as a space only when it reaches half the width
# it takes for the font's space. Where that width is read wrong (in xdvipdfmx's PDFs, from a
# glyph twice a space's width), the narrower gaps of a justified line are lost:
# "informationisused to controlwhichpackages". The reader now takes such moves for gaps
# (`word_gaps.WORD_GAP`); for a PDF that still runs words together some other way, a font that
# does shows itself by how many of its words are unknown to English and read as a few common
# ones, and only its runs are split again.

# English's closed-class words: a run of prose several words long nearly always holds one,
# names run together ("debhelper", "ExecStart", "postinst") rarely do.
FUNCTION_WORDS = frozenset("""
a an the this that these those such some any all each every no not nor and or but if then
than so as of in on at to for by with from into onto upon about over under after before
between through during without within is are was were be been being am has have had do does
did can could may might must shall should will would it its they them their there here which
you he she we me him her us my your his our
who whom whose what when where why how also only both either neither whether while""".split())
MERGED_SHARE = 0.04  # a font runs words together when this share of its words are such tokens
MIN_MERGED = 30  # and at least this many (a few code names in a small font prove nothing)
SHORT_PART_ZIPF = 4.0  # a part of three or four letters is a frequent word ("use", "log", "bug")
_LOST_SPACE_AFTER_COMMA = re.compile(r"(?<=[^\W_])([,;])(?=[^\W\d_])")  # "strong,but", "3.0,with"
_MERGED_CANDIDATE = re.compile(r"(?<![\w\-/_.@])[^\W\d_]{4,}(?![\w\-/_@]|\.\w)")
# Where a font is known to run words together, each piece of a hyphenated token is read too:
# "composedofarchitecture-independent" holds "composed of architecture".
_MERGED_PIECE = re.compile(r"(?<![\w/_.@])[^\W\d_]{4,}(?![\w/_@]|\.\w)")
_CLITICS = ("s", "t", "d", "m", "ll", "re", "ve")  # after an apostrophe: "package’s", "don’t"


def _part_zipf(part: str) -> float | None:
    """The frequency of a part of a run-together token: a function word; a word of five
    letters or more, however rare ("complies", not "comp lies"); a frequent shorter word
    ("debhelper" is no "deb helper"); or "a" or "I"."""
    lower = part.lower()
    if lower in FUNCTION_WORDS or part == "I":
        return zipf(lower)
    if len(part) < 3:
        return None
    return word_zipf(part, least=0.0 if len(part) >= 5 else SHORT_PART_ZIPF)


@functools.lru_cache(maxsize=8192)
def merged_words(token: str, names: bool = False) -> tuple[str, ...] | None:
    """The words a run-together token is made of ("informationisused": information, is,
    used), or None when it is a word or does not read as common words of which one is a
    function word ("postinst", "debhelper"). Capitals inside the token ("ExecStart") make it
    a name, and a token English knows stays whole, unless `names` (a font known to run words
    together) allows capitalised parts ("ofDebian") and the split of a known token when it is
    ten times likelier than the token ("withthe", a common slip; not "onto" or "maybe")."""
    own = zipf(token.lower())
    if not names and (own > 0 or not token[1:].islower()):
        return None
    best: list[tuple[float, tuple[str, ...]] | None] = [None] * (len(token) + 1)
    best[0] = (0.0, ())
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 24), end):
            before, part = best[start], token[start:end]
            frequency = _part_zipf(part)
            if before is None or frequency is None:
                continue
            score = before[0] + frequency - 9  # log10 of the parts' probability together
            current = best[end]
            if current is None or score > current[0]:
                best[end] = (score, (*before[1], part))
    found = best[-1]
    if found is None or len(found[1]) < 2 or (own > 0 and found[0] < own - 9 + 1):
        return None
    parts = found[1]
    return parts if any(p.lower() in FUNCTION_WORDS for p in parts) else None


def _split_merged(text: str) -> str:
    """`text` with run-together words split ("the package’s", "information is used"), and
    the space lost after a comma or semicolon between words put back ("strong, but")."""
    text = _LOST_SPACE_AFTER_COMMA.sub(r"\1 ", text)

    def split(match: re.Match[str]) -> str:
        token = match.group()
        clitic = ""
        if match.start() and text[match.start() - 1] in "’'":
            clitic = next((c for c in _CLITICS if token.startswith(c)), "")
            if not clitic:
                return token
        parts = merged_words(token[len(clitic):], names=True)
        if parts is None:
            return token
        return " ".join((clitic, *parts) if clitic else parts)

    return _MERGED_PIECE.sub(split, text)


def _merged_count(text: str) -> int:
    return sum(1 for m in _MERGED_CANDIDATE.finditer(text) if merged_words(m.group()))


def fonts_running_words_together(runs_by_page: Sequence[Sequence[TypeRun]]) -> set[str]:
    """The fonts (by name) of a document in which pypdf's text runs words together."""
    words: dict[str, int] = {}
    merged: dict[str, int] = {}
    for runs in runs_by_page:
        for run in runs:
            words[run.font] = words.get(run.font, 0) + len(run.text.split())
            merged[run.font] = merged.get(run.font, 0) + _merged_count(run.text)
    return {font for font, n in merged.items()
            if n >= MIN_MERGED and n >= MERGED_SHARE * words[font]}


# A word gap where the font changes ("the" in the body font, then "postinst" in the code
# font) is a move of the pen, which pypdf reads as a space when it reaches half the space
# width it reads for the fonts: where that width is read too wide, "thepostinst" is left.
# Within a word the font rarely changes, and then to set a letter or a suffix apart
# ("conffile" then "s", a ligature "ﬁ" from another font) or part of a word English knows
# ("re" then "build"). The word before may end in digits, as names do ("why3", "G2"); a
# number alone is not read, as its unit may follow in another font ("10" then "pt").
_END_LETTERS = re.compile(r"[^\W\d_][^\W_]*\Z")  # \Z: "$" would match before a line end
_START_LETTERS = re.compile(r"^[^\W\d_]+")


def _one_word(left: str, right: str) -> bool:
    """Whether the letters before and after a change of font read as one word."""
    if len(left) < 2 or len(right) < 2:
        return True
    return zipf(unicodedata.normalize("NFKC", left + right).lower()) > 0


def space_font_changes(runs: Sequence[TypeRun]) -> list[TypeRun]:
    """`runs` with a space put back between two runs of different fonts whose letters meet
    and do not read as one word (`_one_word`): "the postinst", not "thepostinst"."""
    out = list(runs)
    last = None  # the index of the last run with text
    for i, run in enumerate(out):
        if not run.text:
            continue
        if last is not None and out[last].font != run.font:
            left = _END_LETTERS.search(out[last].text)
            right = _START_LETTERS.match(run.text)
            if left and right and not _one_word(left.group(), right.group()):
                out[last] = out[last]._replace(text=out[last].text + " ")
        last = i
    return out


def split_run_together_words(pages: Sequence[str], runs_by_page: Sequence[Sequence[TypeRun]]
                             ) -> tuple[list[str], list[list[TypeRun]]]:
    """The pages and their runs with the spaces lost where the font changes put back
    (`space_font_changes`), and words run together split again in the runs of the fonts that
    do it (`fonts_running_words_together`). A page whose text is not exactly its runs' text
    is left as it is."""
    spaced = [space_font_changes(runs) if runs_text(runs) == text else list(runs)
              for text, runs in zip(pages, runs_by_page, strict=True)]
    pages = [runs_text(runs) if runs_text(old) == text else text
             for text, runs, old in zip(pages, spaced, runs_by_page, strict=True)]
    runs_by_page = spaced
    fonts = fonts_running_words_together(runs_by_page)
    if not fonts:
        return list(pages), [list(runs) for runs in runs_by_page]
    out_pages, out_runs = [], []
    for text, runs in zip(pages, runs_by_page, strict=True):
        if runs_text(runs) != text:
            out_pages.append(text)
            out_runs.append(list(runs))
            continue
        mended = [run._replace(text=_split_merged(run.text)) if run.font in fonts else run
                  for run in runs]
        out_pages.append(runs_text(mended))
        out_runs.append(mended)
    return out_pages, out_runs
