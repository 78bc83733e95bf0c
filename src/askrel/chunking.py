"""Chunking: text in, sentence-aware passages with exact offsets out (pure functions)."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from askrel.records import Block, Chunk, Span

DEFAULT_MAX_WORDS = 100
DEFAULT_MIN_WORDS = 30
# A paragraph of a text file whose words barely overlap the two paragraphs before it starts a
# new passage once the current one has TOPIC_MIN_WORDS words (docs/experiments.md §25).
TOPIC_CONTEXT = 2
TOPIC_SHIFT = 0.05
TOPIC_MIN_WORDS = 15
_WORD = re.compile(r"\S+")
_FULL_STOP = re.compile(r"[.!?…][\"'”’)\]]*\s*\Z")


# Closing brackets or quotes that open a sentence as the splitter cut it, followed by a space
# or nothing: they end the sentence before ("[x] = f (. . . )" / "Return the sum.", after
# the splitter took ". . ." for a full stop). A quote that opens a sentence is followed by
# its first word, so it stays.
_LEADING_CLOSERS = re.compile(r"([)\]}”’\"']+)(?=\s|\Z)")


def trim_span(text: str, start: int, end: int) -> Span:
    """Shrink [start, end) so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of text[start:end] as absolute offsets, in order, never overlapping."""
    import blingfire

    end = len(text) if end is None else end
    piece = text[start:end]
    if not piece.strip():
        return []
    _, offsets = blingfire.text_to_sentences_and_offsets(piece)
    spans: list[Span] = []
    cursor = 0
    for s, e in offsets:
        s, e = max(s, cursor), min(e, len(piece))
        s, e = trim_span(piece, s, e)
        closers = _LEADING_CLOSERS.match(piece, s, e)
        if closers and spans:  # they close the sentence before: "f (. . . )" / "Split …"
            spans[-1] = (spans[-1][0], start + closers.end(1))
            s, e = trim_span(piece, closers.end(1), e)
        if s < e:
            spans.append((start + s, start + e))
            cursor = e
    return spans


def word_count(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


def split_long_span(text: str, span: Span, max_words: int) -> list[Span]:
    """Cut a span of more than `max_words` words at word boundaries into pieces of at most that."""
    words = list(_WORD.finditer(text, span[0], span[1]))
    if len(words) <= max_words:
        return [span]
    return [
        (words[i].start(), words[min(i + max_words, len(words)) - 1].end())
        for i in range(0, len(words), max_words)
    ]


@dataclass(frozen=True)
class _Piece:
    span: Span
    words: int
    heading: bool
    segment: int
    starts_block: bool
    shifts_topic: bool = False


@functools.cache
def _index_terms() -> Callable[[str], list[str]]:
    import bm25s

    from askrel.indexing.lexical import QueryTokenizer

    return QueryTokenizer(list(bm25s.stopwords.STOPWORDS_EN)).terms


def _weighted_terms(text: str) -> dict[str, float]:
    """The text's index terms (stemmed, stopwords out), each counted and weighted by
    rarity: 7 less its Zipf frequency in English, at least 0.5 (a stem that is no English
    word counts as rare)."""
    from askrel.reading.english import zipf

    return {term: n * max(0.5, 7 - zipf(term))
            for term, n in Counter(_index_terms()(text)).items()}


def topic_overlap(before: str, paragraph: str) -> float | None:
    """Cosine of the weighted terms of two texts; None when either has no terms."""
    a, b = _weighted_terms(before), _weighted_terms(paragraph)
    if not a or not b:
        return None
    shared = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    return shared / (sum(w * w for w in a.values()) * sum(w * w for w in b.values())) ** 0.5


def shifts_topic(previous: list[str], paragraph: str) -> bool:
    """True when a paragraph barely shares a word with the paragraphs just before it, as
    where one answer of a FAQ ends and the next begins."""
    overlap = topic_overlap(" ".join(previous), paragraph) if previous else None
    return overlap is not None and overlap < TOPIC_SHIFT


def introduces(paragraph: str) -> bool:
    """True for a paragraph that ends with a colon: it introduces what follows ("You can
    slurp it in:" before the code; "Check for these three things:" before the list)."""
    return paragraph.rstrip().endswith(":")


def _pieces(text: str, blocks: list[Block], max_words: int, topic_cuts: bool) -> list[_Piece]:
    """The blocks' sentences as pieces. A paragraph that follows one introducing it
    (`introduces`) goes on with that paragraph: it starts no block of its own, so the two are
    cut apart only where a paragraph would be cut in the middle, and no topic shift is looked
    for between them."""
    pieces = []
    previous: list[str] = []  # the paragraphs since the last heading, for topic_cuts
    introduced = False
    for block in blocks:
        sentences = (
            [(block.start, block.end)] if block.heading
            else split_sentences(text, block.start, block.end)
        )
        paragraph = text[block.start:block.end]
        goes_on = introduced and not block.heading
        shift = topic_cuts and not block.heading and not goes_on and shifts_topic(
            previous[-TOPIC_CONTEXT:], paragraph)
        previous = [] if block.heading else [*previous[-TOPIC_CONTEXT:], paragraph]
        introduced = not block.heading and introduces(paragraph)
        first = not goes_on
        for sentence in sentences:
            for span in split_long_span(text, sentence, max_words):
                n = word_count(text, *span)
                pieces.append(_Piece(span, n, block.heading, block.segment, first,
                                     first and shift))
                first = False
    return pieces


def _paragraph_cut(current: list[_Piece], piece: _Piece, max_words: int, min_words: int) -> int:
    """Where to end the passage so the paragraph in progress moves whole to the next (0: none).

    A piece that starts a paragraph has no paragraph in progress: the passage ends before it.
    """
    if piece.starts_block:
        return 0
    total = sum(p.words for p in current)
    before = 0
    best = 0
    for j, p in enumerate(current):
        fits_next = total - before + piece.words <= max_words
        if j and p.starts_block and before >= min_words and fits_next:
            best = j
        before += p.words
    return best


def _has_section(pieces: list[_Piece]) -> bool:
    """Whether the pieces hold a heading with text under it: a whole (short) section."""
    return any(p.heading for p in pieces) and not pieces[-1].heading


def chunk_blocks(text: str, blocks: list[Block], *, max_words: int = DEFAULT_MAX_WORDS,
                 min_words: int = DEFAULT_MIN_WORDS, topic_cuts: bool = False,
                 headed: bool = False) -> list[Chunk]:
    """Pack sentences into passages of at most `max_words` words.

    Passages never cross a segment (where chrome was removed), start a new one at a heading
    once the current passage has `min_words` or a heading with text under it (so a short
    section, as a FAQ's short answer under its question, is a passage of its own), move a
    paragraph that would overflow whole to the next passage where it fits, never end on a
    heading, and drop passages that are only headings.
    A section's last words, fewer than `min_words` after its last passage, join that passage
    rather than the next section's (which may then hold up to `max_words + min_words - 1`).
    With `topic_cuts`, a paragraph that shifts the topic (`shifts_topic`) starts a new passage
    once the current one has TOPIC_MIN_WORDS words besides its headings. `headed` says the
    text opens under a heading that stands before it (at the foot of the page before): its
    first words are a section of their own too.
    """
    if max_words < 1 or min_words < 0:
        raise ValueError("max_words must be at least 1 and min_words not negative")
    chunks: list[Chunk] = []
    current: list[_Piece] = []
    last_segment: int | None = None  # the segment of the last passage made

    def flush(keep_trailing_headings: bool = False) -> None:
        nonlocal last_segment
        carry: list[_Piece] = []
        while keep_trailing_headings and current and current[-1].heading:
            carry.insert(0, current.pop())
        if current and not all(p.heading for p in current):
            heading = next((text[p.span[0]:p.span[1]] for p in current if p.heading), None)
            chunks.append(Chunk(current[0].span[0], current[-1].span[1],
                                tuple(p.span for p in current), heading))
            last_segment = current[-1].segment
        current[:] = carry

    def end_section() -> None:
        """At a heading, the end of the section before, when it is shorter than `min_words`
        and has no heading of its own, goes back into the passage before it: else it would
        open the next section's passage, under that section's heading."""
        if (not current or sum(p.words for p in current) >= min_words
                or any(p.heading for p in current)
                or last_segment != current[0].segment):
            return
        chunks[-1] = replace(chunks[-1], end=current[-1].span[1],
                             sentences=chunks[-1].sentences + tuple(p.span for p in current))
        current.clear()

    for piece in _pieces(text, blocks, max_words, topic_cuts):
        if piece.heading and piece.starts_block:
            end_section()
        size = sum(p.words for p in current)
        if current and piece.segment != current[-1].segment:
            flush()
        elif current and size + piece.words > max_words:
            cut = _paragraph_cut(current, piece, max_words, min_words)
            if cut:
                tail = current[cut:]
                del current[cut:]
                flush()
                current.extend(tail)
            else:
                flush(keep_trailing_headings=True)
                if current and sum(p.words for p in current) + piece.words > max_words:
                    flush()
        elif current and piece.starts_block and (
            (piece.heading and not current[-1].heading
             and (size >= min_words or _has_section(current) or (headed and not chunks)))
            or size >= max_words * 0.8
            or (piece.shifts_topic
                and sum(p.words for p in current if not p.heading) >= TOPIC_MIN_WORDS)
        ):
            flush()
        current.append(piece)
    flush()
    return chunks


def paragraph_blocks(text: str) -> list[Block]:
    """Paragraphs (runs of non-blank lines) of a text as blocks, with nothing filtered out."""
    blocks = []
    for match in re.finditer(r"\S(?:.*?\S)?(?=\s*?\n[ \t\r\f\v]*\n|\s*\Z)", text, re.DOTALL):
        blocks.append(Block(match.start(), match.end()))
    return blocks


def chunk_text(text: str, blocks: list[Block] | None = None, *,
               max_words: int = DEFAULT_MAX_WORDS, min_words: int = DEFAULT_MIN_WORDS,
               topic_cuts: bool = False) -> list[Chunk]:
    """Chunk a whole text; without blocks every paragraph is kept."""
    return chunk_blocks(text, paragraph_blocks(text) if blocks is None else blocks,
                        max_words=max_words, min_words=min_words, topic_cuts=topic_cuts)


def ends_mid_sentence(sentence: str) -> bool:
    """True for a sentence that stops without a full stop (or ? or !): a page break may have
    cut it off. A colon or semicolon ends no sentence ("contains the following fields:
    login; encrypted password;" goes on)."""
    return bool(sentence.strip()) and not _FULL_STOP.search(sentence)


def _clause_end(text: str, span: Span, max_words: int) -> int | None:
    """The end of the last line of text[span] within its first `max_words` words that ends a
    clause (a comma or semicolon), or None."""
    words = list(_WORD.finditer(text, span[0], span[1]))[:max_words]
    ends = [w.end() for w in words
            if w.group().endswith((",", ";")) and text[w.end():w.end() + 1] in ("\n", "")]
    return ends[-1] if ends else None


def sentence_rest(text: str, blocks: list[Block],
                  max_words: int) -> tuple[Span, list[Block]] | None:
    """Where a page goes on with a sentence that the page before left unfinished.

    That is the first sentence of the page's first block, when that block is no heading and
    does not start with a capital letter (a new sentence would; "< 0 will never be
    installed" or "several fields" go on). A sentence of more than `max_words` words is
    taken up to the last line within them that ends a clause (with a comma or semicolon),
    or not at all. Returns the span taken and the blocks that remain after it.
    """
    if not blocks or blocks[0].heading or text[blocks[0].start].isupper():
        return None
    first = blocks[0]
    sentences = split_sentences(text, first.start, first.end)
    if not sentences:
        return None
    span = sentences[0]
    if word_count(text, *span) > max_words:
        clause = _clause_end(text, span, max_words)
        if clause is None:
            return None
        span = (span[0], clause)
    rest_start, rest_end = trim_span(text, span[1], first.end)
    remaining = [replace(first, start=rest_start)] if rest_start < rest_end else []
    return span, remaining + blocks[1:]
