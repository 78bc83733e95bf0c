"""eval/faq_html.py: a FAQ set as web pages, read back by askrel as the text it came from."""

from __future__ import annotations

from askrel.reading.html import read_html_file

TEXT = ("Intro to the tool.\n\nHow do I sort?\n\nUse sort(), or:\n\n    sort -r file\n    uniq\n\n"
        "Is <b> bold?\n\nYes & no.\n")



def test_a_page_sets_questions_as_headings_examples_as_pre_and_escapes_text(faq_html) -> None:
    page = faq_html.page(TEXT, {"How do I sort?", "Is <b> bold?"}, "Tool FAQ")
    assert "<h2>How do I sort?</h2>" in page and "<h2>Is &lt;b&gt; bold?</h2>" in page
    assert "<pre>sort -r file\nuniq</pre>" in page and "<p>Yes &amp; no.</p>" in page
    assert page.index("<nav>") < page.index("<main>") < page.index("<footer>")


def test_askrel_reads_the_page_back_as_the_text_without_the_sites_furniture(faq_html) -> None:
    page = faq_html.page(TEXT, {"How do I sort?", "Is <b> bold?"}, "Tool FAQ")
    meta, (unit,) = read_html_file(page.encode("utf-8"))
    assert (meta.title, meta.publisher) == ("Tool FAQ", faq_html.SITE)
    assert unit.text == ("# Tool FAQ\n\nIntro to the tool.\n\n## How do I sort?\n\n"
                         "Use sort(), or:\n\n    sort -r file\n    uniq\n\n"
                         "## Is <b> bold?\n\nYes & no.\n")
