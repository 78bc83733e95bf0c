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

    out = render.card(h, turn=0)

    assert "<script" not in out and "<img" not in out and "<i>" not in out
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in out
    assert 'data-turn="0" data-rank="1"' in out
    assert 'aria-label="Open passage 1 in source: &lt;script&gt;' in out


def test_citation_line_names_title_author_publisher_date_and_page():
    line = unescape_text(render.citation_line(hit("x", [], author="Ann Lee")["citation"]))
    pdf = unescape_text(render.citation_line(hit("x", [], page=3, title=None)["citation"]))

    assert line == "A title · by Ann Lee · Pub, 2023"
    assert pdf == "a.txt · Pub, 2023 · page 3"  # no title: the file name stands in
    tooltip = render.citation_tooltip(hit("x", [])["citation"])
    assert tooltip == "sources/a.txt · characters 564–764"


def test_citation_title_falls_back_to_the_first_heading():
    citation = hit("x", [], title=None, display_title="The <Heading>")["citation"]

    assert unescape_text(render.citation_line(citation)).startswith("The <Heading> · ")


@pytest.mark.parametrize(("url", "linked"), [
    ("https://example.org/a?b=1&c=2", True), ("http://example.org", True),
    ("javascript:alert(1)", False), ("data:text/html,<b>x</b>", False), ("", False),
    ('https://x.org/"><script>', True)])
def test_citation_links_only_web_addresses_escaped(url, linked):
    out = render.citation_line(hit("x", [], url=url)["citation"])

    assert ("<a " in out) is linked
    assert "<script" not in out and "javascript" not in out
    if linked:
        assert 'rel="noopener noreferrer"' in out and 'target="_blank"' in out


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
    assert unescape_text(html) == f"a.txt · Pub, 2023 · {shown}"


def test_a_passage_over_a_page_break_names_both_printed_pages():
    citation = hit("x", [], page=3, title=None, page_label="iv",
                   continued={"page": 4, "char_start": 0, "char_end": 9, "page_label": "1"})
    assert render.place(citation["citation"]) == "pages 3–4 (printed iv–1)"


def ranked(*relevances: float) -> list[dict]:
    return [hit("x", [[0, 1]]) | {"rank": n, "score": 1.0 - n / 10, "relevance": r}
            for n, r in enumerate(relevances, start=1)]


def test_bands_follow_the_ranking_and_the_answer():
    results = ranked(0.3, 0.5, 0.2, 0.6)

    assert render.bands(results, True, 0.35) == ["best", "relevant", "weak", "weak"]
    assert render.bands(results, False, 0.35) == ["closest"] * 4
    assert render.bands([], True, 0.35) == []


def test_bar_widths_follow_the_scores_and_none_is_empty():
    widths = render.bar_widths([2.0, 1.5, 1.5, 0.2])

    assert widths[0] == 100 and widths == sorted(widths, reverse=True) and min(widths) >= 8
    assert render.bar_widths([0.3, 0.3]) == [100, 100]


def test_answered_turn_quotes_the_best_sentences_and_folds_the_rest():
    results = ranked(0.6, 0.5, 0.1)
    for h, text in zip(results, ["One <b>. Two.", "Three. Four.", "Five. Six."], strict=True):
        h["text"], h["highlights"] = text, [[0, text.index(".") + 1]]
    answer = {"question": "Q?", "answered": True, "mode": "hybrid", "results": results}

    out = render.turn_html({"answer": answer, "threshold": 0.35, "history": []}, 2)

    glance = out[out.index('class="glance"'):out.index('<ol class="cards"')]
    assert "<q>One &lt;b&gt;.</q>" in glance and "<q>Three.</q>" in glance
    assert 'href="#t2-c1"' in glance and 'href="#t2-c2"' in glance and "Five" not in glance
    folded = out[out.index("<details"):]
    assert "1 less relevant passage" in folded and 'id="t2-c3"' in folded
    assert 'class="hl-faint"' in folded and 'class="hl"' not in folded
    assert 'data-announce="Answer to: Q? 2 relevant passages. Best: One &lt;b&gt;."' in out


def test_unanswered_turn_says_so_plainly_then_folds_the_closest_passages():
    answer = {"question": "Off topic?", "answered": False, "mode": "hybrid",
              "message": "The sources do not seem to answer this; the closest passages follow.",
              "results": [hit("closest", [[0, 7]])]}

    out = render.turn_html({"answer": answer, "threshold": 0.35, "history": []}, 0)

    assert "No answer found." in out
    assert "do not seem to answer" in out
    assert out.index("No answer found") < out.index("<details") < out.index('class="card')
    assert "glance" not in out and "not an answer" in out


def test_follow_up_turn_names_the_earlier_questions_and_offers_asking_alone():
    answer = {"question": "And then?", "answered": True, "mode": "hybrid", "results": []}

    out = render.turn_html({"answer": answer, "threshold": 0.35, "history": ["<first>"],
                            "thread": ["<first>"], "reason": "it refers back"}, 1)

    assert "Searched with: “&lt;first&gt;” (a follow-up) — it refers back." in out
    assert 'data-action="alone" data-turn="1"' in out


def test_new_topic_turn_offers_asking_as_a_follow_up():
    answer = {"question": "Q?", "answered": True, "mode": "hybrid", "results": []}

    alone = render.turn_html({"answer": answer, "threshold": 0.35, "history": [],
                              "thread": ["<first>"], "reason": "it makes sense on its own"}, 1)
    first = render.turn_html({"answer": answer, "threshold": 0.35, "history": []}, 0)

    assert "Searched on its own — it makes sense on its own." in alone
    assert 'data-action="follow"' in alone and "&lt;first&gt;" in alone
    assert "Searched" not in first


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

    assert out.startswith('<div class="doc-body" tabindex="0" role="region" '
                          'aria-label="Source text">Intro &lt;x&gt;. <span class="cited-passage">'
                          '<mark class="cited">')
    assert '<mark class="hl">Answer here.</mark>' in out
    assert out.endswith(" Rest &amp; end.</div>")
    assert unescape_text(out) == text[text.index("Intro"):]


def test_markdown_source_is_shown_as_clean_text_with_the_marks_moved():
    text = "# The <Accord>\n\nThe **accord** was signed in `Port Alder`. See [the map](http://x.org)."
    answer = (text.index("The **"), text.index("Alder`.") + 7)
    clean, [span] = render.clean_markdown(text, [answer])

    assert clean == "The <Accord>\n\nThe accord was signed in Port Alder. See the map."
    assert clean[span[0]:span[1]] == "The accord was signed in Port Alder."

    from askrel.web.documents import ShownText

    out = render.view_body_html([ShownText(text, (0, len(text)), answer, (answer,))],
                                markdown=True)
    assert "&lt;Accord&gt;" in out and "#" not in out and "**" not in out
    assert '<mark class="hl">The accord was signed in Port Alder.</mark>' in out


def test_a_markdown_headings_underline_is_hidden_but_a_rule_between_paragraphs_is_not():
    text = "Usage\n-----\n\nRun it.\n\n---\n\nThe end.\nx = 1 - 2\n"
    assert render.clean_markdown(text)[0] == "Usage\n\nRun it.\n\n---\n\nThe end.\nx = 1 - 2\n"


@pytest.mark.parametrize("text", ["window.__pwned=1 and a_b_c", "2 ** 3 is eight",
                                  "a single ` tick", "[not a link] (here)", "C# and F#"])
def test_markdown_that_is_not_syntax_is_kept(text):
    assert render.clean_markdown(text)[0] == text


def test_meta_header_links_only_web_urls():
    safe = render.meta_header({"title": "T", "url": "https://example.org/a?b=1&c=2"}, "s.txt", "p")
    unsafe = render.meta_header({"title": "T", "url": "javascript:alert(1)"}, "s.txt", "p")

    assert 'href="https://example.org/a?b=1&amp;c=2"' in safe
    assert "href" not in unsafe and "javascript" not in unsafe


def test_sources_table_escapes_and_lists_status_actions_and_waiting_files():
    rows = [{"source": "sources/a.txt", "title": "<b>T</b>", "publisher": None, "date": None,
             "author": "<i>A</i>", "passages": 1200, "indexed_at": "2026-01-01T00:00:00+00:00"},
            {"source": "sources/gone.txt", "title": None, "passages": 3,
             "indexed_at": "2026-01-02T10:30:00+00:00"}]

    out = render.sources_table_html(rows, ["sources/<new>.md"],
                                    {"sources/gone.txt": "missing"}, manage=True)
    plain = render.sources_table_html(rows, [], {}, manage=False)

    assert "&lt;b&gt;T&lt;/b&gt;" in out and "&lt;i&gt;A&lt;/i&gt;" in out and "1,200" in out
    assert "2026-01-01 00:00 UTC" in out and "2026-01-02 10:30 UTC" in out
    assert "sources/&lt;new&gt;.md" in out and "Not indexed yet" in out
    assert "File gone" in out
    assert 'aria-label="Open source: &lt;b&gt;T&lt;/b&gt;"' in out
    assert out.count('data-action="delete"') == 2  # a.txt and the waiting file; not the gone one
    assert "Delete" not in plain and 'data-action="open"' in plain
