"""Reading HTML files: the page's text without its furniture, headings marked, metadata from
its head, and bad pages refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from askrel.answering.search import RankSettings, Searcher
from askrel.embedding.fake import fake_embedder
from askrel.indexing.build import build_index
from askrel.reading.html import marked_headings, read_html_file, without_site_name
from askrel.reading.sources import SourceError, read_document

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Seoul and Tokyo agree on export deal | World News Daily</title>
<meta property="og:title" content="Seoul and Tokyo agree on export deal">
<meta property="og:site_name" content="World News Daily">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2023-03-16T09:30:00+09:00">
<link rel="canonical" href="https://news.example.com/2023/export-deal">
<script>var tracking = "<p>tracking pixel</p>";</script>
<style>p { color: red }</style>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="cookies" hidden>We use cookies. Accept all?</div>
<main>
<article>
<header><h1>Seoul and Tokyo agree on export deal</h1><p>By Jane Doe</p></header>
<p>Japan lifted its export controls on three chemicals used to make semiconductors,
and South Korea withdrew its complaint at the World Trade Organization.</p>
<h2>What the deal <em>changes</em></h2>
<p>Companies can trade photoresists and hydrogen fluoride without licences.</p>
<ul><li>Licences are no longer needed.</li><li>Shipments resume this month.</li></ul>
<pre>make deal
  --now</pre>
<p>A source may say &lt;script&gt;alert(1)&lt;/script&gt; in its text.</p>
<script>document.write("written by a script")</script>
<form><button>Subscribe to our newsletter</button></form>
</article>
<aside>Most read: ten recipes for summer</aside>
</main>
<footer>All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>
"""


def text_of(html: str | bytes) -> str:
    _, (unit,) = read_html_file(html.encode("utf-8") if isinstance(html, str) else html)
    return unit.text


def test_an_article_is_read_without_the_sites_furniture_and_its_scripts() -> None:
    text = text_of(ARTICLE)
    assert text.startswith("# Seoul and Tokyo agree on export deal\n\nBy Jane Doe\n\n")
    assert "Japan lifted its export controls" in text
    assert "* Licences are no longer needed.\n* Shipments resume this month." in text
    for furniture in ("Home", "cookies", "tracking pixel", "color: red", "written by a script",
                      "Subscribe", "Most read", "All rights reserved"):
        assert furniture not in text
    # text that shows markup is kept as the words it shows, never run
    assert "A source may say <script>alert(1)</script> in its text." in text


def test_headings_are_markdown_lines_and_preformatted_text_is_set_in_as_code() -> None:
    text = text_of(ARTICLE)
    assert "\n\n## What the deal changes\n\n" in text
    assert "\n\n    make deal\n      --now\n\n" in text


def test_the_head_gives_title_publisher_author_date_and_address() -> None:
    meta, _ = read_html_file(ARTICLE.encode("utf-8"))
    assert meta.title == "Seoul and Tokyo agree on export deal"  # og:title, without the site
    assert meta.publisher == "World News Daily"
    assert meta.author == "Jane Doe"
    assert meta.date == "2023-03-16"
    assert meta.url == "https://news.example.com/2023/export-deal"


def test_a_page_that_states_nothing_of_itself_has_only_its_title() -> None:
    meta, _ = read_html_file(b"<html><head><title>Notes</title>"
                             b'<meta name="author" content="https://example.com/me"></head>'
                             b"<body><p>Some notes of mine.</p></body></html>")
    assert (meta.title, meta.author, meta.date, meta.publisher, meta.url) == (
        "Notes", None, None, None, None)


LINKED_DATA = """<html><head><title>Parasite wins | U.S.</title>
<meta property="og:site_name" content="U.S.">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": ["Person", "Organization"], "@id": "#blogger", "name": "Julia"},
  {"@type": "Person", "@id": "#jill", "name": "Jill Serjeant"},
  {"@type": "NewsArticle", "headline": "Parasite wins",
   "author": [{"@id": "#jill"}, {"@type": "Person", "name": "Lindsey O&#039;Donnell"}],
   "datePublished": "2020-01-19T12:25:36Z",
   "publisher": {"@type": "Organization", "name": "Reuters"}}]}</script>
<script type="application/ld+json">{not json</script>
</head><body><article><p>Parasite scored an upset at the awards.</p></article></body></html>"""


def test_structured_data_states_the_authors_date_and_publishing_organization() -> None:
    meta, _ = read_html_file(LINKED_DATA.encode("utf-8"))
    assert meta.author == "Jill Serjeant; Lindsey O'Donnell"  # by reference, unescaped
    assert meta.date == "2020-01-19"
    assert meta.publisher == "Reuters"  # before the site's tag, which names a section
    assert meta.title == "Parasite wins"  # the head's title, without the name its tag states
    # the head's author and date come first; a person stated as publisher is none
    page = (LINKED_DATA.replace("<title>", '<meta name="author" content="Ann Editor"><title>')
            .replace('{"@type": "Organization", "name": "Reuters"}', '{"@id": "#blogger"}'))
    meta, _ = read_html_file(page.encode("utf-8"))
    assert (meta.author, meta.publisher) == ("Ann Editor", "U.S.")


@pytest.mark.parametrize("data", [
    '{"@type": "Article", "author": {"@id": ["not", "a", "string"]}}',
    '{"@type": "Article", "author": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"@type": "Article", "author": ' + "[" * 50 + '"Ann"' + "]" * 50 + "}",
    '{"@type": "Article", "headline": {"name": {"x": 1}}, "publisher": 7}',
    '[{"@graph": "no list"}, 3, null]',
])
def test_structured_data_of_any_shape_is_read_or_passed_over(data: str) -> None:
    page = (f'<html><head><title>T</title><script type="application/ld+json">{data}</script>'
            "</head><body><p>The article says one thing.</p></body></html>")
    meta, units = read_html_file(page.encode("utf-8"))
    assert meta.title == "T" and meta.author is None and units[0].text.strip()


@pytest.mark.parametrize("title, sites, url, bare", [
    ("Post Mortem | Caktus Group", ["Caktus Group"], None, "Post Mortem"),
    ("t-SNE - Wikipedia", [None], "https://en.wikipedia.org/wiki/T-SNE", "t-SNE"),
    ("Tips • crazy-julia.de", [], "https://crazy-julia.de/tips/", "Tips"),
    ("BMJV | Transparenz bei Preisanpassungen", [], "https://www.bmjv.de/x", "Transparenz bei "
     "Preisanpassungen"),
    # a part that names no site stays, and so does a title of one part
    ("Zhi Neng Xiang Nian Ni - Jam Hsiao", ["KKBox"], "https://kkbox.com/a", "Zhi Neng Xiang Nian "
     "Ni - Jam Hsiao"),
    ("Wikipedia", [], "https://en.wikipedia.org/", "Wikipedia"),
])
def test_a_title_loses_the_site_name_set_beside_it(title, sites, url, bare) -> None:
    assert without_site_name(title, sites, url) == bare


def test_the_declared_encoding_is_read() -> None:
    page = ('<html><head><meta charset="iso-8859-1"></head>'
            "<body><p>Caf\u00e9 cr\u00e8me, \u00e0 la carte.</p></body></html>")
    assert "Café crème, à la carte." in text_of(page.encode("latin-1"))


def test_a_page_without_content_element_is_read_from_its_body() -> None:
    text = text_of("<html><body><h3>FAQ</h3><p><b>(1) How?</b></p><p>Like this.</p>"
                   "</body></html>")
    assert text == "### FAQ\n\n(1) How?\n\nLike this.\n"


def test_heading_spans_become_one_line_each() -> None:
    text = "Intro\n\n\nA long\nheading\n\nBody\n"
    assert marked_headings(text, [(7, 22, "h2")]) == "Intro\n\n## A long heading\n\nBody\n"


@pytest.mark.parametrize("data, reason", [
    (b"\x00\x01\x02binary\x00" * 50, "binary"),
    (b"<html><head><script>x()</script></head><body><nav>Home</nav></body></html>",
     "no text"),
    (b"   \n", "no text"),
])
def test_a_page_without_readable_text_is_refused_with_the_reason(data: bytes,
                                                                  reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        read_html_file(data)


def test_an_html_source_is_indexed_asked_and_cited_in_the_text_read(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "deal.html").write_text(ARTICLE, encoding="utf-8")
    (sources / "broken.htm").write_bytes(b"\x00\xff" * 100)
    result = build_index(sources, tmp_path / "index", embedder=fake_embedder(), root=tmp_path)
    assert [p.source for p in result.problems] == ["sources/broken.htm"]
    searcher = Searcher(tmp_path / "index", embedder=fake_embedder(),
                        settings=RankSettings(rerank=False))
    answer = searcher.ask("photoresists hydrogen fluoride licences", top_k=3)
    hit = answer.results[0]
    assert hit.citation.source == "sources/deal.html"
    assert hit.citation.title == "Seoul and Tokyo agree on export deal"
    assert hit.citation.publisher == "World News Daily"
    document = read_document(sources / "deal.html", sources, tmp_path)
    text = document.units[0].text
    assert text[hit.citation.char_start:hit.citation.char_end] == hit.text


def test_documentation_generators_navigation_and_contents_are_furniture() -> None:
    """DocBook's and Texinfo's navigation panels, an ARIA navigation landmark and a table of
    contents are left out; an element of such a class that holds most of the page is its
    content and is kept."""
    page = ('<html><body><div class="navheader">Prev Up Next</div>'
            '<div class="header"><p>Next: Definitions, Up: Features</p></div>'
            '<div role="navigation">Site map</div>'
            '<div class="contents"><ul><li>1 Introduction</li><li>2 Definitions</li></ul></div>'
            "<h2>1 Introduction</h2><p>Bash is the shell of the GNU operating system, and it "
            "runs the commands you type or read from a file.</p></body></html>")
    assert text_of(page) == ("## 1 Introduction\n\nBash is the shell of the GNU operating "
                             "system, and it runs the commands you type or read from a file.\n")
    wrapped = ('<html><body><div class="contents"><p>All of the page is in here, '
               "wrapped by a site that calls its content contents.</p></div>"
               '<div class="footer">Footer</div></body></html>')
    assert text_of(wrapped) == ("All of the page is in here, wrapped by a site that calls its "
                                "content contents.\n")


TAGS = ("p", "div", "table", "tr", "td", "pre", "ul", "li", "h1", "h3", "b", "article", "main",
        "nav", "header", "script", "style", "svg", "iframe", "template", "blockquote", "dl",
        "dd", "frameset", "textarea")
ATTRIBUTES = ("", ' class="header"', ' role="navigation"', " hidden", ' colspan="0"',
              ' rowspan="999999"', ' colspan="-5"', ' class="contents"')
PIECES = st.one_of(
    st.builds(lambda tag, attribute: f"<{tag}{attribute}>", st.sampled_from(TAGS),
              st.sampled_from(ATTRIBUTES)),
    st.builds(lambda tag: f"</{tag}>", st.sampled_from(TAGS)),
    st.sampled_from(("text", "&amp;", "&#0;", "&#xD800;", "&bogus;", "&#99999999;", "<", "\n")),
    st.text(max_size=20))


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=40), st.booleans())
@example(["<nav>", "</nav>", "\x1f"], False)  # a control character after dropped furniture
def test_any_tag_soup_is_read_or_refused_with_a_reason(pieces: list[str], wrapped: bool) -> None:
    page = ("<html><body>" if wrapped else "") + "".join(pieces)
    try:
        meta, (unit,) = read_html_file(page.encode("utf-8", "surrogatepass"))
    except SourceError:
        return
    assert unit.text.strip() and unit.body_start == 0


def test_a_page_without_a_title_in_its_head_takes_its_opening_heading(tmp_path: Path) -> None:
    (tmp_path / "notes.htm").write_text("<body><h1>Field notes</h1><p>The birds came back "
                                        "early this spring, in the first week of March.</p>")
    document = read_document(tmp_path / "notes.htm", tmp_path, tmp_path)
    assert document.meta.title == "Field notes"
