"""Reading HTML files: a saved web page, an HTML FAQ or manual, as the text a browser shows.

The page is laid out as text by inscriptis (paragraphs apart, lists, tables and `<pre>` blocks
kept line by line), without what a reader never reads as the page's text: scripts, styles,
forms, and the site's navigation, header, footer and sidebars outside the page's main
content. Headings become Markdown heading lines ("## Installing"), so sections are found as in
a Markdown file, and the rest of the text pipeline (chrome rules, paragraphs, passages) reads
it as it reads any text file. What the page's `<head>` and its structured data (JSON-LD) state
of it — title, author, date, site, address — is its metadata; nothing is guessed from the text.

A citation's characters are those of this text, which the source viewer shows.
"""

from __future__ import annotations

import re

from askrel.reading.decoding import (
    SourceError,
    decode_as,
    decode_text,
    starts_with_bom,
    without_controls,
)
from askrel.reading.linked_data import article_data
from askrel.records import SourceMeta, TextUnit

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements whose text is not the page's: code and styling, forms, embedded frames.
NEVER_TEXT = ("script", "style", "noscript", "template", "svg", "canvas", "form", "button",
              "select", "textarea", "iframe", "object", "embed", "dialog")
# A site's furniture around the page's content, by element, by ARIA role, or by the class
# that documentation generators give it (DocBook's "navheader", Texinfo's "header" and
# "nav-panel", a table of contents); kept where it stands inside an <article> or <main>
# (an article's own header holds its headline and byline).
FURNITURE = frozenset({"nav", "header", "footer", "aside"})
FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
FURNITURE_CLASSES = frozenset({
    "nav", "navbar", "navheader", "navfooter", "nav-panel", "navigation", "breadcrumb",
    "breadcrumbs", "header", "footer", "sidebar", "toc", "contents", "contents-heading",
    "shortcontents", "element-contents", "section-toc", "mini-toc", "toctree-wrapper"})
# Furniture known by its class alone never holds this share of the content's text or more:
# such an element is the content, whatever its class says.
MAX_FURNITURE_SHARE = 0.5
CONTENT = ("main", "article")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """The page's text: in the encoding its `<meta charset>` declares, when it declares one
    Python knows and the bytes are in it, else as any text file is decoded."""
    declared = None if starts_with_bom(data) else _CHARSET.search(data[:4096])
    if declared:
        try:
            return decode_as(data, declared.group(1).decode("ascii"))
        except (LookupError, SourceError):
            pass  # an encoding Python does not know, or bytes not in it
    return decode_text(data)


def read_html_file(data: bytes) -> tuple[SourceMeta, tuple[TextUnit, ...]]:
    """The page's metadata and its text, as one text unit."""
    import lxml.html
    from lxml import etree

    text = decode_html(data)
    if not text.strip():
        raise SourceError("no text in the file")
    # lxml refuses control characters where a dropped element's tail moves to its neighbour
    text = without_controls(re.sub(r"^\s*<\?xml[^>]*>", "", text))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(f"not readable as HTML ({exc})") from exc
    meta = page_meta(root)
    body = page_text(root)
    if not body.strip():
        raise SourceError("no text in the page")
    return meta, (TextUnit(text=body, page=None, body_start=0),)


def page_text(root) -> str:
    """The text of the page's content, headings as Markdown heading lines."""
    from inscriptis import get_annotated_text
    from inscriptis.model.config import ParserConfig
    from lxml import etree

    html = etree.tostring(page_content(root), encoding="unicode", method="html")
    rules = {tag: [tag] for tag in (*HEADINGS, "pre")}
    annotated = get_annotated_text(html, ParserConfig(annotation_rules=rules,
                                                      display_links=False,
                                                      display_images=False))
    return marked_headings(annotated["text"], annotated["label"])


def page_content(root):
    """The page's content (`_content`), without what is never text (`NEVER_TEXT`, hidden
    elements, comments) and without the site's furniture outside an <article> or <main>.
    The tree is cut in place: its metadata (`page_meta`) is read before."""
    from lxml import etree

    for element in root.xpath("//*[@hidden] | //comment() | //processing-instruction()"):
        _drop(element)
    for element in list(root.iter(*NEVER_TEXT)):
        _drop(element)
    content = _content(root)
    size = len(content.text_content())
    for element in list(content.iter(etree.Element)):
        kind = furniture(element)
        if (element is not content and kind is not None
                and not any(a.tag in CONTENT for a in element.iterancestors())
                and (kind != "class" or len(element.text_content()) < MAX_FURNITURE_SHARE * size)):
            _drop(element)
    return content


def furniture(element) -> str | None:
    """How an element shows itself a site's navigation, header, footer or sidebar, or a table
    of contents: by its "element", its "role" or its "class"; None when it does not."""
    if element.tag in FURNITURE:
        return "element"
    if (element.get("role") or "").lower() in FURNITURE_ROLES:
        return "role"
    if set((element.get("class") or "").lower().split()) & FURNITURE_CLASSES:
        return "class"
    return None


def _content(root):
    """The page's main content: its one `<article>`, else its one `<main>` (or element with
    role "main"), else its body."""
    for query in ("//article", "//main | //*[@role='main']"):
        found = root.xpath(query)
        if len(found) == 1:
            return found[0]
    body = root.find("body")
    return body if body is not None else root


def _drop(element) -> None:
    """Remove an element and its text, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def marked_headings(text: str, labels: list[tuple[int, int, str]]) -> str:
    """The text with each heading (a span labelled "h1" … "h6") on one line behind as many
    "#" as its level, and each `<pre>` block (labelled "pre") set apart by blank lines and
    four spaces in, as code stands in a text file. Other lines start at the margin (the
    layout indents nested blocks, which a text file's reading would take for code); blank
    headings are left out, and runs of blank lines cut to one."""
    pieces, position = [], 0
    for start, end, tag in sorted(labels):
        if start < position:  # inside a span already written out
            continue
        span = text[start:end]
        pieces.append(_at_margin(text[position:start]))
        if tag == "pre":
            code = "\n".join("    " + line if line.strip() else ""
                             for line in span.strip("\n").splitlines())
            pieces.append("\n\n" + code + "\n\n")
        elif title := " ".join(span.split()):  # on a line of its own
            pieces.append("\n" + "#" * int(tag[1]) + " " + title + "\n\n")
        position = end
    pieces.append(_at_margin(text[position:]))
    lines = [line.rstrip() for line in "".join(pieces).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def _at_margin(text: str) -> str:
    return re.sub(r"(?m)^[ \t]+", "", text)


# What a page's <head> may state of it, by field, in the order they are preferred.
_META = {
    "title": ("og:title", "twitter:title", "dc.title", "citation_title"),
    "author": ("author", "article:author", "dc.creator", "citation_author", "byl"),
    "date": ("article:published_time", "datepublished", "dc.date", "dc.date.issued",
             "citation_publication_date", "date", "pubdate", "og:published_time"),
    "publisher": ("og:site_name", "dc.publisher", "citation_publisher", "publisher"),
    "url": ("og:url",),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}")


def page_meta(root) -> SourceMeta:
    """Title, author, date, publisher and address as the page's `<head>` states them, or
    its structured data (`linked_data.article_data`) where the head does not: the head first,
    but the publishing organization the structured data names before the site's tag (which
    may name a section of the site: "U.S.")."""
    data = article_data([script.text_content() for script in root.iter("script")
                         if (script.get("type") or "").strip().lower() == "application/ld+json"])
    stated: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop")
               or "").strip().lower()
        value = " ".join((element.get("content") or "").split())
        if key and value and key not in stated:
            stated[key] = value

    def first(field: str) -> str | None:
        return next((stated[k] for k in _META[field] if k in stated), None)

    title_element = root.find(".//title")
    title = first("title") or (" ".join(title_element.text_content().split())
                               if title_element is not None else None) or data.get("title")
    author = first("author")
    if author and re.match(r"https?://", author):  # a profile's address names no one
        author = None
    author = author or data.get("author")
    date = first("date") or data.get("date")
    if date:
        found = _DATE.search(date)
        date = found.group(0).replace("/", "-") if found else None
    canonical = root.xpath("//link[@rel='canonical']/@href")
    url = (canonical[0].strip() if canonical else None) or first("url")
    publisher = data.get("publisher") or first("publisher")
    if title:
        title = without_site_name(title, [publisher, first("publisher")], url)
    return SourceMeta(title=title or None, publisher=publisher, author=author, date=date,
                      url=url or None)


# A site's name set after (or before) a page's title: "Post Mortem | Caktus Group".
_TITLE_PARTS = re.compile(r"\s+(?:[|•–—·-]|::)\s+")


def _bare(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower())


def without_site_name(title: str, sites: list[str | None], url: str | None) -> str:
    """`title` without the site's name that the page sets before or after it, parted by a
    bar, dash or bullet: a name that is the publisher's, or the site's address ("Wikipedia"
    on en.wikipedia.org, "crazy-julia.de"), letters and digits compared. Other parts stay
    ("Zhi Neng Xiang Nian Ni - Jam Hsiao")."""
    names = {_bare(site) for site in sites if site}
    host = re.match(r"https?://(?:www\.)?([^/:]+)", url or "")
    if host:
        labels = host.group(1).lower().split(".")
        names |= {_bare(host.group(1)),  # "crazy-julia.de", "wikipedia" of en.wikipedia.org
                  *(_bare(label) for label in labels[:-1] if len(label) > 2)}
    names.discard("")
    parts = _TITLE_PARTS.split(title)
    if len(parts) < 2:
        return title
    if _bare(parts[-1]) in names:
        return title[:title.rfind(parts[-1])].rstrip(" |•–—·-:")
    if _bare(parts[0]) in names:
        return title[len(parts[0]):].lstrip(" |•–—·-:")
    return title

