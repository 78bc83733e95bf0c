"""Chunking: exact offsets, sentence boundaries, size limits, headings, segments."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from askrel.chunking import (
    DEFAULT_MAX_WORDS,
    DEFAULT_MIN_WORDS,
    chunk_blocks,
    chunk_text,
    ends_mid_sentence,
    sentence_rest,
    shifts_topic,
    split_long_span,
    split_sentences,
    topic_overlap,
)
from askrel.reading.chrome import content_blocks
from askrel.records import Block

WORDS = st.sampled_from(
    "Japan Korea the a treaty of 1965 was signed in Seoul Tokyo talks resumed U.S. Dr. "
    "3.5 percent “quoted” — and é ü 東京".split()
)
SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(WORDS, min_size=1, max_size=30),
    st.sampled_from([".", "!", "?", "", ".”"]),
)
PARAGRAPH = st.builds(" ".join, st.lists(SENTENCE, min_size=1, max_size=8))
TEXT = st.builds(
    lambda paras, sep: sep.join(paras),
    st.lists(PARAGRAPH, min_size=1, max_size=8),
    st.sampled_from(["\n\n", "\n", "\n \n\t", "\r\n\r\n"]),
)


@settings(max_examples=150, deadline=None)
@given(TEXT, st.integers(min_value=5, max_value=120))
def test_chunks_are_exact_ordered_slices_within_the_limit(text: str, max_words: int) -> None:
    chunks = chunk_text(text, max_words=max_words, min_words=max_words // 3)
    previous_end = 0
    for chunk in chunks:
        piece = text[chunk.start:chunk.end]
        assert piece == piece.strip() and piece
        assert chunk.start >= previous_end
        previous_end = chunk.end
        assert len(piece.split()) <= max_words
        for s, e in chunk.sentences:
            assert chunk.start <= s < e <= chunk.end
            assert text[s:e].strip() == text[s:e]
    # every word of the text lands in exactly one chunk
    covered = " ".join(text[c.start:c.end] for c in chunks).split()
    assert covered == text.split()


@settings(max_examples=100, deadline=None)
@given(st.lists(SENTENCE, min_size=1, max_size=25))
def test_chunks_end_at_sentence_ends_unless_a_sentence_is_too_long(sentences: list[str]) -> None:
    text = " ".join(sentences)
    max_words = 40
    spans = split_sentences(text)
    ends = {e for s, e in spans}
    long_sentence = any(len(text[s:e].split()) > max_words for s, e in spans)
    for chunk in chunk_text(text, max_words=max_words, min_words=10):
        if not long_sentence:
            assert chunk.end in ends


def test_sentences_split_at_abbreviations_correctly() -> None:
    text = "Dr. Smith met U.S. officials on Jan. 5. They agreed. Rates rose 3.5 percent!"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Dr. Smith met U.S. officials on Jan. 5.", "They agreed.", "Rates rose 3.5 percent!"]


def test_a_closing_bracket_or_quote_ends_the_sentence_before_not_the_next() -> None:
    # a manual's call forms end in ". . . )", which the splitter takes for a full stop
    text = ("[s, n] = strsplit (str, . . . )\nSplit the string str at each delimiter. "
            "Call it once.")
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "[s, n] = strsplit (str, . . . )", "Split the string str at each delimiter.",
        "Call it once."]
    # a quote that opens a sentence stays with it
    text = '"Stop," he said. "Go away." She went.'
    assert [text[s:e] for s, e in split_sentences(text)] == [
        '"Stop," he said.', '"Go away."', "She went."]


def test_long_sentence_is_cut_at_word_boundaries() -> None:
    text = " ".join(f"w{i}" for i in range(25))
    pieces = split_long_span(text, (0, len(text)), 10)
    assert [len(text[s:e].split()) for s, e in pieces] == [10, 10, 5]
    assert " ".join(text[s:e] for s, e in pieces) == text


def test_heading_starts_a_passage_and_never_ends_one() -> None:
    body = " ".join(["This sentence has exactly eight words in it."] * 5)
    text = f"{body}\n\nA Section Heading\n\n{body}"
    chunks = chunk_text_web(text, max_words=60, min_words=20)
    assert any(text[c.start:c.end].startswith("A Section Heading") for c in chunks)
    assert not any(text[c.start:c.end].endswith("A Section Heading") for c in chunks)
    heading_chunk = next(c for c in chunks if c.heading)
    assert heading_chunk.heading == "A Section Heading"


@settings(max_examples=150, deadline=None)
@given(TEXT, st.integers(min_value=5, max_value=120))
def test_with_headings_a_passage_runs_over_by_less_than_min_words(text: str,
                                                                  max_words: int) -> None:
    min_words = max_words // 3
    for chunk in chunk_text_web(text, max_words=max_words, min_words=min_words):
        assert len(text[chunk.start:chunk.end].split()) < max_words + max(min_words, 1)


def test_the_short_end_of_a_section_stays_with_its_section() -> None:
    eight = "This sentence has exactly eight words in it."
    body = " ".join([eight] * 5)  # 40 words: 24 fit in the first passage, 16 are left
    text = f"{body}\n\nA Section Heading\n\n{body}"
    chunks = chunk_text_web(text, max_words=30, min_words=20)
    passages = [text[c.start:c.end] for c in chunks]
    assert passages[0] == body
    assert passages[1].startswith("A Section Heading\n\nThis sentence")
    assert chunks[1].heading == "A Section Heading" and chunks[0].heading is None
    # a longer end (20 words or more) makes a passage of its own
    kept_apart = chunk_text_web(text, max_words=30, min_words=10)
    assert text[kept_apart[1].start:kept_apart[1].end] == " ".join([eight] * 2)


def test_a_paragraph_that_would_overflow_moves_whole_to_the_next_passage() -> None:
    eight = "This sentence has exactly eight words in it."
    first = " ".join([eight] * 4)   # 32 words
    second = " ".join([eight] * 3)  # 24 words: 56 in all, over the limit of 50
    text = f"{first}\n\n{second}"
    passages = [text[c.start:c.end] for c in chunk_text(text, max_words=50, min_words=20)]
    assert passages == [first, second]


def test_complete_paragraphs_stay_together_when_the_next_one_overflows() -> None:
    eight = "This sentence has exactly eight words in it."
    intro = " ".join([eight] * 3)  # 24 words
    body = eight                   # 8 words
    later = " ".join(["word"] * 20) + "."  # 52 words in all: over the limit of 50
    text = f"{intro}\n\n{body}\n\n{later}"
    passages = [text[c.start:c.end] for c in chunk_text(text, max_words=50, min_words=20)]
    assert passages == [f"{intro}\n\n{body}", later]


def test_a_paragraph_ending_with_a_colon_stays_with_what_it_introduces() -> None:
    eight = "This sentence has exactly eight words in it."
    before = " ".join([eight] * 4)  # 32 words
    intro = "Use the following simple function:"  # 5 words: 37 in all
    code = "sub century { return int(( (localtime)[5] + 1999 ) / 100); }"  # 12: 49 in all
    text = f"{before}\n\n{intro}\n\n{code}"
    passages = [text[c.start:c.end] for c in chunk_text(text, max_words=45, min_words=20)]
    assert passages == [before, f"{intro}\n\n{code}"]
    # without the colon the two paragraphs are apart, as any two would be
    plain = text.replace("function:", "function.")
    assert [plain[c.start:c.end] for c in chunk_text(plain, max_words=45, min_words=20)] == [
        f"{before}\n\nUse the following simple function.", code]


def test_a_topic_shift_does_not_cut_what_a_colon_introduces() -> None:
    intro = ("When you delete content the database file stays the same size; to give the "
             "space back, run this:")
    code = "sqlite3 data.db 'VACUUM;'"
    text = f"{SQL_ANSWER}\n\n{intro}\n\n{code}"
    cut = [text[c.start:c.end]
           for c in chunk_text_web(text, max_words=100, min_words=30, topic_cuts=True)]
    assert cut == [SQL_ANSWER, f"{intro}\n\n{code}"]


def chunk_text_web(text: str, **kwargs):
    return chunk_blocks(text, content_blocks(text), **kwargs)


# Two answers of a FAQ whose questions were taken out: nothing but the topic tells them apart.
SQL_ANSWER = ("SQLite has limited ALTER TABLE support that you can use to add, rename or drop "
              "columns of a table, or to change the name of a table.")
SQL_MORE = ("For more complex changes to the columns of a table you have to recreate the "
            "table: copy its rows aside, drop it, create it anew and copy the rows back.")
VACUUM_ANSWER = ("When you delete content, the database file stays the same size. Empty pages "
                 "are marked free and reused; run VACUUM to give the space back to the "
                 "operating system.")


def test_topic_overlap_is_high_for_one_answer_and_near_zero_across_answers() -> None:
    assert topic_overlap(SQL_ANSWER, SQL_MORE) > 0.3
    assert topic_overlap(SQL_ANSWER + " " + SQL_MORE, VACUUM_ANSWER) < 0.05
    assert topic_overlap("The of and.", VACUUM_ANSWER) is None  # no index terms
    assert shifts_topic([SQL_ANSWER, SQL_MORE], VACUUM_ANSWER)
    assert not shifts_topic([SQL_ANSWER], SQL_MORE)
    assert not shifts_topic([], VACUUM_ANSWER)  # nothing before it to shift from


def test_topic_cuts_split_answers_that_share_no_words_and_keep_one_answer_whole() -> None:
    text = f"{SQL_ANSWER}\n\n{SQL_MORE}\n\n{VACUUM_ANSWER}"
    plain = [text[c.start:c.end] for c in chunk_text_web(text, max_words=100, min_words=30)]
    assert plain == [text]  # 86 words: one passage by size alone
    cut = [text[c.start:c.end]
           for c in chunk_text_web(text, max_words=100, min_words=30, topic_cuts=True)]
    assert cut == [f"{SQL_ANSWER}\n\n{SQL_MORE}", VACUUM_ANSWER]


def test_a_topic_shift_does_not_cut_a_passage_that_is_still_short() -> None:
    short = "SQLite can add columns."  # 4 words: under TOPIC_MIN_WORDS
    text = f"{short}\n\n{VACUUM_ANSWER}"
    cut = [text[c.start:c.end]
           for c in chunk_text_web(text, max_words=100, min_words=30, topic_cuts=True)]
    assert cut == [text]


def test_a_topic_shift_after_a_heading_counts_only_the_text_words() -> None:
    heading = "How do I give the space of deleted rows back to the operating system?"
    text = f"{heading}\n\n(contributed by Jane Roe)\n\n{VACUUM_ANSWER}"  # 14 + 4 words
    cut = [text[c.start:c.end]
           for c in chunk_text_web(text, max_words=100, min_words=30, topic_cuts=True)]
    assert cut == [text]


def test_passages_never_cross_removed_chrome() -> None:
    text = "First part of the story goes here.\n\nSubscribe now\n\nSecond part of the story."
    chunks = chunk_text_web(text, max_words=100, min_words=0)
    pieces = [text[c.start:c.end] for c in chunks]
    assert pieces == ["First part of the story goes here.", "Second part of the story."]


def test_a_sentence_without_a_full_stop_may_go_on_over_a_page_break() -> None:
    assert ends_mid_sentence("This is the simplest")
    assert ends_mid_sentence("the values are 1, 2,")
    assert not ends_mid_sentence("Use it.")
    assert not ends_mid_sentence("Is it? ")
    assert ends_mid_sentence("as follows:")
    assert ends_mid_sentence("login; encrypted password;")
    assert not ends_mid_sentence("He said “stop.”")
    assert not ends_mid_sentence("(see page 4.)")
    assert not ends_mid_sentence("")


def test_the_rest_of_a_cut_sentence_is_the_next_pages_first_sentence() -> None:
    text = "way to use it. The next sentence starts here.\n\nAnother paragraph."
    blocks = [Block(0, 45), Block(47, len(text))]
    span, rest = sentence_rest(text, blocks, max_words=20)
    assert text[span[0]:span[1]] == "way to use it."
    assert [text[b.start:b.end] for b in rest] == ["The next sentence starts here.",
                                                    "Another paragraph."]
    whole = "way to use it."
    span, rest = sentence_rest(whole, [Block(0, len(whole))], max_words=20)
    assert span == (0, len(whole)) and rest == []
    symbol = "< 0 will never be installed. Then more."
    span, _ = sentence_rest(symbol, [Block(0, len(symbol))], max_words=20)
    assert symbol[span[0]:span[1]] == "< 0 will never be installed."


def test_a_page_starting_anew_continues_nothing() -> None:
    upper = "The page starts a new sentence."
    assert sentence_rest(upper, [Block(0, len(upper))], max_words=20) is None
    lower = "options and settings"
    assert sentence_rest(lower, [Block(0, len(lower), heading=True)], max_words=20) is None
    long = "and " + "more " * 30 + "words."
    assert sentence_rest(long, [Block(0, len(long))], max_words=20) is None
    assert sentence_rest("", [], max_words=20) is None


def test_a_long_rest_is_taken_up_to_a_clause_ending_a_line() -> None:
    listed = ("< 0\nwill never be installed,\n1..99\nwill only be installed if none is,\n"
              + "and " * 30 + "so on.")
    span, rest = sentence_rest(listed, [Block(0, len(listed))], max_words=15)
    assert listed[span[0]:span[1]].endswith("1..99\nwill only be installed if none is,")
    assert listed[span[0]:span[1]].startswith("< 0\nwill never")
    assert rest[0].start == span[1] + 1


def test_heading_only_passages_are_dropped() -> None:
    blocks = [Block(0, 5, heading=True, segment=0)]
    assert chunk_blocks("Title", blocks) == []


def test_bundled_sources_give_readable_passages(bundled_searcher) -> None:
    store = bundled_searcher.store
    words = [len(p.text.split()) for s in store.sources()
             for p in store.passages_of(s["source"])]
    assert statistics.median(words) <= 120
    assert max(words) <= DEFAULT_MAX_WORDS + DEFAULT_MIN_WORDS  # a section's end may join
