"""HTML rendering: escaping, highlight marks, citation lines and relevance cues."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from askrel.web import render

HOSTILE = '<script>window.__pwned=1</script> & <img src=x onerror="window.__pwned=1">'


def hit(text: str, highlights: list[list[int]], **citation) -> dict:
    base = {"source": "sources/a.txt", "title": "A title", "publisher": "Pub", "author": None,
            "date": "2023", "url": None, "page": None, "char_start": 564, "char_end": 764}
    return {"rank": 1, "score": 0.03, "relevance": 0.6, "text": text,
            "highlights": highlights, "citation": base | citation}


def unescape_text(markup: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_mark_skips_blank_lines_inside_a_span():
    text = "Heading\n\nBody sentence."

    assert render.mark(text, [[0, len(text)]]) == (
        '<mark class="hl">Heading</mark>\n\n<mark class="hl">Body sentence.</mark>')


def test_mark_escapes_each_piece_and_marks_the_span():
    text = "Before <b>. The <answer> & more. After"
    start = text.index("The")
    end = text.index(". After") + 1

    out = render.mark(text, [[start, end]])

    assert out == ("Before &lt;b&gt;. <mark class=\"hl\">The &lt;answer&gt; &amp; more.</mark>"
                   " After")


@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'\n")), max_size=40),
       st.lists(st.tuples(st.integers(-5, 45), st.integers(-5, 45)), max_size=4))
def test_mark_never_lets_markup_through_and_keeps_the_text(text, spans):
    out = render.mark(text, spans)

    assert unescape_text(out) == text
    assert re.sub(r'</?mark( class="hl")?>', "", out).count("<") == 0


def test_clean_spans_clips_sorts_and_merges():
    assert render.clean_spans([(8, 20), (-3, 2), (1, 4), (5, 5)], 10) == [(0, 4), (8, 10)]


def test_card_escapes_hostile_text_and_metadata():
    h = hit(HOSTILE, [[0, 10]], title=HOSTILE, publisher="<i>P</i>",
            source='sources/<img src=x onerror="x">.txt')

    out = render.card(h, threshold=0.35, turn=0)

    assert "<script" not in out and "<img" not in out and "<i>" not in out
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in out
    assert 'data-turn="0" data-rank="1"' in out


def test_citation_line_names_title_publisher_date_place_and_file():
    line = unescape_text(render.citation_line(hit("x", [])["citation"]))
    pdf = unescape_text(render.citation_line(hit("x", [], page=3, title=None)["citation"]))

    assert line == "A title — Pub, 2023 · characters 564–764 · a.txt"
    assert pdf == "Pub, 2023 · page 3 · a.txt"


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("section", "2 Setup › <b>Options</b>", "page 3, 2 Setup › <b>Options</b>"),
    ("page_label", "<b>iv</b>", "page 3 (printed <b>iv</b>)"),
    ("continued", {"page": 4, "char_start": 0, "char_end": 9, "page_label": None},
     "pages 3–4"),
])
def test_citation_line_shows_pdf_section_and_printed_page_escaped(key, value, shown):
    citation = hit("x", [], page=3, title=None)["citation"]
    citation[key] = value
    html = render.citation_line(citation)

    assert "<b>" not in html
    assert unescape_text(html) == f"Pub, 2023 · {shown} · a.txt"


def test_a_passage_over_a_page_break_names_both_printed_pages():
    citation = hit("x", [], page=3, title=None, page_label="iv",
                   continued={"page": 4, "char_start": 0, "char_end": 9, "page_label": "1"})
    assert render.place(citation["citation"]) == "pages 3–4 (printed iv–1)"


@pytest.mark.parametrize(("relevance", "band"), [(0.9, "strong"), (0.5, "strong"),
                                                  (0.4, "partial"), (0.35, "partial"),
                                                  (0.2, "weak"), (-0.1, "weak")])
def test_relevance_band_is_relative_to_the_answer_threshold(relevance, band):
    assert render.relevance_band(relevance, 0.35) == band
    assert f"{band} match" in render.relevance_cue(relevance, 0.35)


def test_unanswered_turn_says_so_plainly_then_shows_passages():
    answer = {"question": "Off topic?", "answered": False, "mode": "hybrid",
              "message": "The sources do not seem to answer this; the closest passages follow.",
              "results": [hit("closest", [[0, 7]])]}

    out = render.turn_html({"answer": answer, "threshold": 0.35, "history": []}, 0)

    assert "No answer found." in out
    assert "do not seem to answer" in out
    assert out.index("No answer found") < out.index('class="card"')


def test_follow_up_turn_names_the_earlier_questions():
    answer = {"question": "And then?", "answered": True, "mode": "hybrid", "results": []}

    out = render.turn_html({"answer": answer, "threshold": 0.35, "history": ["<first>"]}, 1)

    assert "Follow-up" in out and "“&lt;first&gt;”" in out


def test_turn_says_when_the_search_was_narrowed():
    answer = {"question": "Q?", "answered": True, "mode": "bm25", "results": []}

    out = render.turn_html({"answer": answer, "threshold": 0.35, "history": [],
                            "sources": ["sources/a<b>.txt"]}, 0)

    assert "Searched words (BM25) only · only in a&lt;b&gt;.txt." in out


def test_document_body_marks_the_passage_and_its_answer_inside():
    text = "---\ntitle: x\n---\nIntro <x>. Cited part. Answer here. Rest & end."
    start, end = text.index("Cited"), text.index(" Rest")
    answer = (text.index("Answer"), text.index("here.") + 5)

    from askrel.web.documents import ShownText

    out = render.view_body_html(
        [ShownText(text, (text.index("Intro"), len(text)), (start, end), (answer,))])

    assert out.startswith('<div class="doc-body">Intro &lt;x&gt;. <span class="cited-passage">'
                          '<mark class="cited">')
    assert '<mark class="hl">Answer here.</mark>' in out
    assert out.endswith(" Rest &amp; end.</div>")
    assert unescape_text(out) == text[text.index("Intro"):]


def test_meta_header_links_only_web_urls():
    safe = render.meta_header({"title": "T", "url": "https://example.org/a?b=1&c=2"}, "s.txt", "p")
    unsafe = render.meta_header({"title": "T", "url": "javascript:alert(1)"}, "s.txt", "p")

    assert 'href="https://example.org/a?b=1&amp;c=2"' in safe
    assert "href" not in unsafe and "javascript" not in unsafe


def test_sources_table_escapes_and_lists_files_waiting_for_a_rebuild():
    rows = [{"source": "sources/a.txt", "title": "<b>T</b>", "publisher": None, "date": None,
             "passages": 1200, "indexed_at": "2026-01-01T00:00:00+00:00"}]

    out = render.sources_table_html(rows, ["sources/<new>.md"])

    assert "&lt;b&gt;T&lt;/b&gt;" in out and "1,200" in out
    assert "sources/&lt;new&gt;.md" in out and "not in the index" in out
