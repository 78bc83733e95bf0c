"""A FAQ question set as web pages with its questions kept, and the same text as text files.

Many FAQs are published as HTML: a site's menu and footer around the page, each question a
heading above its answer, paragraphs, examples in `<pre>`. This script writes both forms of a
FAQ set (eval/faq, eval/faq2): `html/` and `txt/`, each with `sources/` and `questions.jsonl`,
judged by the same answer strings (`faq_pdf.answer_strings`: the gold answer's sentences of
six words or more that occur once in the file), so that how askrel reads the two forms can be
compared. Each page has a `<nav>` menu and a `<footer>` outside its `<main>`, which hold words
the answers use ("Download", "Mailing lists", "Copyright"), a `<title>` with the site's name
after the document's, and an `og:title` and `og:site_name` that state them apart.

    python eval/faq_html.py --set eval/faq2 --out reports/faq2-html
    askrel index --sources reports/faq2-html/html/sources --index reports/faq2-html/html/index
    askrel eval --questions reports/faq2-html/html/questions.jsonl \\
        --index reports/faq2-html/html/index --mode hybrid/no-rerank --mode hybrid
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from faq_pdf import forms_main

from askrel.reading.chrome import CODE_INDENT, prose_indent, split_lines
from askrel.reading.sources import parse_front_matter

SITE = "Example Software Project"
MENU = ("Home", "Download", "Documentation", "Mailing lists", "Report a bug")
FOOTER = "Copyright the project's authors. Hosting donated by a friendly sponsor."


def paragraphs(text: str, questions: set[str]) -> Iterator[tuple[str, str]]:
    """The text's paragraphs as ("question", its line), ("code", its lines, the common indent
    taken off: a paragraph indented deeper than the prose, as askrel reads a text file's
    code) or ("prose", its lines joined by spaces)."""
    prose = prose_indent(split_lines(text, 0, len(text)))
    for paragraph in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        indent = min(len(line) - len(line.lstrip()) for line in lines)
        if paragraph.strip() in questions:
            yield "question", paragraph.strip()
        elif indent >= prose + CODE_INDENT:
            yield "code", "\n".join(line.rstrip()[indent:] for line in lines)
        else:
            yield "prose", " ".join(line.strip() for line in lines)


def page(text: str, questions: set[str], title: str) -> str:
    """A web page of `text` (`paragraphs`): questions as `<h2>` headings, examples in
    `<pre>`, prose in `<p>`, inside `<main>` under the title, between a menu and a footer."""
    tags = {"question": "h2", "code": "pre", "prose": "p"}
    body = [f"<h1>{html.escape(title)}</h1>"] + [
        f"<{tags[kind]}>{html.escape(content)}</{tags[kind]}>"
        for kind, content in paragraphs(text, questions)]
    menu = " ".join(f'<a href="/{item.lower().replace(" ", "-")}">{item}</a>' for item in MENU)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{html.escape(title)} | {SITE}</title>\n"
            f'<meta property="og:title" content="{html.escape(title)}">\n'
            f'<meta property="og:site_name" content="{SITE}">\n'
            f"<script>window.analytics = [];</script></head>\n<body>\n"
            f"<header><nav>{menu}</nav></header>\n<main>\n" + "\n".join(body)
            + f"\n</main>\n<footer><p>{FOOTER}</p></footer>\n</body></html>\n")


def write_page(text: str, questions: set[str], path: Path) -> None:
    """`text` (with its front matter) as a web page titled as the front matter says."""
    meta, body_start = parse_front_matter(text)
    path.write_text(page(text[body_start:], questions, meta.title or path.stem),
                    encoding="utf-8")


def main() -> None:
    forms_main(__doc__ or "", "html", write_page, "web pages")


if __name__ == "__main__":
    main()
