"""The web-capture chrome filter: generic rules keep the article and drop the page around it."""

from __future__ import annotations

from pathlib import Path

from askrel.chunking import chunk_text
from askrel.reading.chrome import (
    content_blocks,
    is_aside,
    reads_as_prose,
    split_lines,
    underlined_titles,
)
from askrel.reading.sources import read_document
from askrel.records import Section

ARTICLE = """menu_open Columnists
We use cookies to provide some features and experiences on this site

More information  .  Close

A Real Headline About Trade

34 1
19.12.2025

The first paragraph of the article explains the trade dispute in detail.

Also read: Ten Things You Did Not Know About Samurai

The second paragraph continues the argument with evidence and numbers.

You are reading a free article.

Subscribe to The Magazine to get unlimited access.

  • Paywall-free reading of new articles and a century of archives
  • Six issues a year in print, online, and audio editions
Subscribe Now
  • JANE DOE is Senior Fellow at the Example Institute.
  • More By Jane Doe

Related Publications

Another Article Entirely

A teaser paragraph about a different subject, written as full sentences.

Type: Analysis

Leave a Reply
"""


def kept(text: str) -> list[str]:
    return [text[b.start:b.end] for b in content_blocks(text)]


def test_article_and_bio_are_kept_and_chrome_removed() -> None:
    assert kept(ARTICLE) == [
        "A Real Headline About Trade",
        "The first paragraph of the article explains the trade dispute in detail.",
        "The second paragraph continues the argument with evidence and numbers.",
        "• JANE DOE is Senior Fellow at the Example Institute.",
    ]


def test_prose_mentioning_cookies_or_subscriptions_at_length_is_kept() -> None:
    text = ("The company said that subscribers to its newsletter would get cookies baked "
            "fresh every morning, a promotion that ran for most of the year in every store.")
    assert kept(text) == [text]


def test_tail_heading_in_the_first_half_does_not_cut_the_article() -> None:
    text = "Comments\n\n" + "\n\n".join(f"Paragraph {i} has real sentences." for i in range(6))
    assert kept(text)[1:] == [f"Paragraph {i} has real sentences." for i in range(6)]


def test_a_wrapped_line_that_reads_like_a_tail_heading_does_not_cut_the_text() -> None:
    # Hard-wrapped prose (pod2text, plain-text FAQs) can leave one word of a sentence on a
    # line of its own: "comment:" there goes on with the line above, it heads no comments.
    paragraphs = [f"Paragraph {i} explains one more part of the language." for i in range(4)]
    wrapped = ("You still need the cut directive to go back to the code from the\n"
               "comment:")
    after = ["    =begin comment", "The next answer says how to clear a package.",
             "The last answer says how to use a variable as a variable name."]
    text = "\n\n".join([*paragraphs, wrapped, *after])
    assert kept(text) == [*paragraphs, wrapped, "=begin comment", *after[1:]]


def test_a_menu_box_that_holds_a_tail_heading_above_the_article_cuts_nothing() -> None:
    # Wikipedia sets a box of links ("Related articles" among its headings) right under an
    # article's opening, which can fill more lines than the article's paragraphs
    box = "\n".join(["Problems", *(f"* Topic {i}" for i in range(40)), "Related articles",
                     *(f"* Link {i}" for i in range(20))])
    article = [f"Paragraph {i} of the article explains the method in one more way."
               for i in range(6)]
    text = "\n\n".join(["The method maps points into two dimensions.", box, *article])
    assert kept(text)[-6:] == article


def test_tail_headings_standing_alone_still_cut_the_page() -> None:
    article = "\n\n".join(f"Paragraph {i} has real sentences." for i in range(4))
    teaser = "A teaser paragraph about a different subject, written as full sentences."
    for heading in ("Comments:", "Leave a Reply", "Related Articles", "### Leave a Reply",
                    "#### You might also like:"):  # a web page's headings are Markdown lines
        # after a blank line, or right under the article's last sentence or a tag line
        for joint in ("\n\n", "\n", "\nTags: trade, Japan\n"):
            text = f"{article}{joint}{heading}\n\n{teaser}"
            assert kept(text) == [f"Paragraph {i} has real sentences." for i in range(4)], (
                heading, joint)


def test_trailing_tag_list_is_dropped_but_final_sentence_kept() -> None:
    text = "The article ends with this sentence.\n\ndiplomacy South Korea Japan relations"
    assert kept(text) == ["The article ends with this sentence."]


def test_a_short_paragraph_of_a_pdf_is_no_guessed_heading() -> None:
    # A PDF's headings are its sections; a short paragraph may be a sentence that goes on over
    # the page, and a heading block alone at a passage's end would be dropped.
    text = ("APT never installs an older version.\n\n"
            "In more concrete terms, a package whose priority is")
    assert [b.heading for b in content_blocks(text, web_rules=False)] == [False, False]
    assert [b.heading for b in content_blocks("Why it matters\n\nIt does.")] == [True, False]


def test_an_indented_line_of_code_is_no_heading_but_a_centred_title_is() -> None:
    prose = "To count the lines of a file, read it to the end and keep a count of them."
    text = (f"{prose}\n\n    wc -l < file.txt\n\n{prose}\n\n    set -A array one two\n\n"
            f"{prose}\n\n          Further Reading\n\n{prose}")
    blocks = content_blocks(text)
    assert [(text[b.start:b.end], b.heading) for b in blocks if b.heading is not None] == [
        (prose, False), ("wc -l < file.txt", False), (prose, False),
        ("set -A array one two", False), (prose, False), ("Further Reading", True),
        (prose, False)]


def test_a_paragraph_that_is_one_question_is_a_heading_in_a_pdf_and_in_a_text() -> None:
    text = ("I have many .tar.7z files. Can I convert them to .tar.xz without spending hours\n"
            "recompressing the data?\n\nYes: a script in the extra directory converts them.\n\n"
            "or, if you would rather not,\nwhy not keep them as they are?\n\n"
            "Which is faster? It depends on the data, the level and the machine it runs on.")
    expected = [True, False, False, False]
    assert [b.heading for b in content_blocks(text, web_rules=False)] == expected
    assert [b.heading for b in content_blocks(text)] == expected
    long_question = " ".join(["word"] * 40) + "?"  # 41 words: a paragraph, not a heading
    assert [b.heading for b in content_blocks(long_question, web_rules=False)] == [False]


def test_a_line_wholly_in_brackets_is_an_aside_not_a_heading() -> None:
    text = ("How can I compare two dates?\n\n(contributed by brian d foy)\n\n"
            "Store them as numbers and subtract.\n\n(a) Scope\n\nIt covers dates.\n\n"
            "(Optional) Time zones\n\nThey are left out.")
    assert [(text[b.start:b.end], b.heading) for b in content_blocks(text)] == [
        ("How can I compare two dates?", True), ("(contributed by brian d foy)", False),
        ("Store them as numbers and subtract.", False), ("(a) Scope", True),
        ("It covers dates.", False), ("(Optional) Time zones", True),
        ("They are left out.", False)]
    assert is_aside("(see http://bugs.debian.org/558724)")
    assert not is_aside("(a) Scope (b) Terms")


def test_a_line_that_reads_as_prose_is_no_heading_though_it_ends_without_a_stop() -> None:
    # A news page's standfirst, a photograph's caption with its credit, a line going on from
    # the sentence above and one breaking off at a comma are text; a title, a numbered
    # section, "vs." and a section of words alone are headings.
    standfirst = ("Report claims higher education institutions have created pool of "
                  "low-paid staff for teaching and research")
    caption = ("Striking members of the union at University College last year. "
               "Photograph: Guy Smallman/Getty Images")
    going_on = "and if you are using variable names in a Unix shell script"
    broken_off = "Run it from either the DOS prompt or from a batch file,"
    for line in (standfirst, caption, going_on, broken_off):
        text = f"Academics on short contracts\n\n{line}\n\nThousands of staff are on them."
        assert [b.heading for b in content_blocks(text)] == [True, False, False], line
        assert reads_as_prose(line)
    for title in ("Thousands of UK academics 'treated as second-class citizens'",
                  "6.6.2. Maximum size for all buffers (pattern space + hold space)",
                  "Python vs. Perl for text processing", "Installing on Windows, Mac, and Linux",
                  "The Treaty on Basic Relations Between Japan and the Republic of Korea",
                  "curl -X gives me HTTP problems",
                  "6.6.3. Maximum number of files that can be read with read command"):
        text = f"{title}\n\nThousands of staff are on short contracts."
        assert [b.heading for b in content_blocks(text)] == [True, False], title
        assert not reads_as_prose(title)


def test_a_headline_written_as_a_long_sentence_opens_the_text_as_its_heading(
        tmp_path: Path) -> None:
    headline = "Japan and South Korea agree to restore trade ties after years of dispute"
    standfirst = ("The two governments said the export curbs on three chemicals would be lifted "
                  "within a month")
    text = f"{headline}\n\n{standfirst}\n\nTokyo and Seoul announced the deal on Thursday."
    assert [b.heading for b in content_blocks(text)] == [True, False, False]
    (tmp_path / "deal.txt").write_text(text, encoding="utf-8")
    assert read_document(tmp_path / "deal.txt", tmp_path, None).meta.title == headline


def test_a_news_pages_standfirst_is_kept_though_its_headline_and_byline_stand_apart() -> None:
    # Share buttons between the byline and the story cut the page in two; the headline block
    # above them is a passage of its own, with the standfirst in it, not a heading alone.
    text = ("Higher education\n\nThousands of UK academics 'treated as second-class citizens'\n\n"
            "Report claims higher education institutions have created pool of low-paid staff "
            "for teaching and research\n\nRichard Adams Education editor\n\n"
            "Share on Facebook\nShare on Twitter\nShare via Email\n\n"
            "Thousands of academic staff at British universities are being treated as "
            "second-class citizens on precarious contracts, says a report.")
    passages = [text[c.start:c.end] for c in chunk_text(text, content_blocks(text))]
    assert len(passages) == 2
    assert passages[0].endswith("low-paid staff for teaching and research")
    assert passages[1].startswith("Thousands of academic staff")


def test_an_underlined_title_is_a_heading_and_its_underline_cuts_nothing() -> None:
    # reStructuredText and Markdown's setext headings; the title stays with its text.
    text = ("=========\nTools FAQ\n=========\n\nWhat is Python?\n---------------\n\n"
            "Python is a programming language.\n\nI found a bug.\n~~~~~~~~~~~~~~\n"
            "Report it to the tracker.")
    blocks = content_blocks(text)
    assert [(text[b.start:b.end], b.heading) for b in blocks] == [
        ("Tools FAQ", True), ("What is Python?", True),
        ("Python is a programming language.", False), ("I found a bug.", True),
        ("Report it to the tracker.", False)]
    assert len({b.segment for b in blocks}) == 1
    assert [text[c.start:c.end].split("\n")[0] for c in chunk_text(text, blocks, min_words=3)
            ] == ["Tools FAQ", "I found a bug."]


def test_a_rule_under_a_table_header_or_between_paragraphs_is_no_underline() -> None:
    text = ("Match position      GNU sed\n---------------------------\nstart of word  \\<\n\n"
            "   Target:   static lib.\n   ------------------\n   MinGW:   libcurl.a\n\n"
            "The price is thirty dollars.\n\n-----\n\nOrder it by mail.")
    assert underlined_titles(split_lines(text, 0, len(text))) == {}


def test_a_markdown_heading_over_its_text_is_a_heading_but_a_comment_over_code_is_not() -> None:
    text = ("### What does the red light mean?\nThe battery is low; charge it for two hours.\n\n"
            "# Delete leading blank lines\nsed '/./,$!d' file\n\n"
            "# Squeeze blank lines.\n# Keeps one at the end.\nsed '/^$/N;/\\n$/D' file\n\n"
            "#include <stdio.h>\nThat line includes a header.")
    assert [(text[b.start:b.end].split("\n")[0], b.heading) for b in content_blocks(text)] == [
        ("### What does the red light mean?", True),
        ("The battery is low; charge it for two hours.", False),
        ("# Delete leading blank lines", False), ("# Squeeze blank lines.", False),
        ("#include <stdio.h>", False)]


def test_a_question_right_above_its_answer_is_a_heading() -> None:
    text = ("How do I reset my widget?\nHold the button for ten seconds.\n\n"
            "Which version should I use? It depends on the\nplatform you run?::\n"
            "Use the latest release.\n\n"
            "Is it safe? Ask how it\nis used, and by whom.\n\n"
            "Which cables fit?\n- the short one\n- the long one\n\n"
            "What about code?\n    reset --hard\n\nThat is all there is to it.")
    assert [(text[b.start:b.end], b.heading) for b in content_blocks(text)] == [
        ("How do I reset my widget?", True), ("Hold the button for ten seconds.", False),
        ("Which version should I use? It depends on the\nplatform you run?::", True),
        ("Use the latest release.", False),
        ("Is it safe? Ask how it\nis used, and by whom.", False),
        ("Which cables fit?\n- the short one\n- the long one", False),
        ("What about code?\n    reset --hard", False), ("That is all there is to it.", False)]


def test_a_numbered_question_is_a_heading_but_a_list_of_questions_is_not() -> None:
    text = ("1. How do I reset my widget?\n\nHold the button for ten seconds.\n\n"
            "2. Can I use it outdoors?\n\nYes, it is rated IP67.\n\nBefore you call, check:\n\n"
            "1. Is it plugged in?\n\n2. Is the power on?\n\n3. Is the light red?\n- yes\n\n"
            "That is all there is to it.")
    assert [text[b.start:b.end] for b in content_blocks(text) if b.heading] == [
        "1. How do I reset my widget?", "2. Can I use it outdoors?"]
    # a PDF's paragraphs are read the same way
    assert [text[b.start:b.end] for b in content_blocks(text, web_rules=False) if b.heading] == [
        "1. How do I reset my widget?", "2. Can I use it outdoors?"]
    # a question that ends the text (at the foot of a PDF page) is a heading too, unless it
    # ends a list
    page = "Yes, it is rated IP67.\n\n3. Where do I find the manual?"
    assert [page[b.start:b.end] for b in content_blocks(page, web_rules=False) if b.heading] == [
        "3. Where do I find the manual?"]
    listed = "Check these:\n\n1. Is it plugged in?\n\n2. Is the power on?"
    assert not any(b.heading for b in content_blocks(listed, web_rules=False))


def test_pdf_mode_joins_wrapped_lines_and_skips_web_rules() -> None:
    text = "Installation requires a\nsupported operating system and\nat least 2 GB of memory.\n42"
    blocks = content_blocks(text, web_rules=False)
    assert [text[b.start:b.end] for b in blocks] == [
        "Installation requires a\nsupported operating system and\nat least 2 GB of memory."]


def test_bundled_chrome_is_not_indexed(bundled_searcher) -> None:
    store = bundled_searcher.store
    texts = [p.text for s in store.sources() for p in store.passages_of(s["source"])]
    joined = "\n".join(texts)
    for chrome in ("We use cookies", "Subscribe Now", "Also read:", "Related Publications",
                   "Leave a Reply", "Myanmar’s Collapsing Military", "You are reading a free"):
        assert chrome not in joined
    for article in ("KRISTI GOVELLA is Senior Fellow", "Working as a academic lead",
                    "The distance between them is 942 km"):
        assert article in joined


def test_running_headers_and_footers_of_pdf_pages_are_chrome() -> None:
    from askrel.reading.chrome import running_lines

    topics = ["power", "cables", "lights", "reset", "updates", "warranty"]
    pages = [f"ACME Router Manual\nThis page explains the {topic} in full sentences.\n"
             f"Page {i} of 9" for i, topic in enumerate(topics, start=1)]
    running = running_lines(pages)
    kept_text = [pages[2][b.start:b.end]
                 for b in content_blocks(pages[2], web_rules=False, running=running)]
    assert kept_text == ["This page explains the lights in full sentences."]
    assert running_lines(pages[:2]) == {"page # of #"}  # numbered: two pages are enough
    assert running_lines(pages[:1]) == set()
    chapter = ["Chapter 3: Utilities 7\nFirst text.", "Chapter 3: Utilities 8\nOther text."]
    assert running_lines(chapter) == {"chapter #: utilities #"}
    # a code-heavy manual's pages often end with a closing brace: no running footer
    code = [f"{topic.title()} are set up so.\n  print({topic})\n}}" for topic in topics]
    assert running_lines(code) == set()


def test_a_number_alone_in_the_body_is_no_page_number() -> None:
    """A page number recurs as a line of numbers alone; in a page's body such a line is a
    numbered blank line of a code listing (or a table cell): kept, and it cuts nothing."""
    from askrel.reading.chrome import running_lines

    topics = ["power", "cables", "lights", "reset", "updates", "warranty"]
    pages = [f"{n}\n{topic.title()} are set up so:\n000{n}1 int {topic};\n000{n}2\n"
             f"000{n}3 use({topic});\n000{n}4\n000{n}5 return {topic};\nThat is all for {topic}."
             for n, topic in enumerate(topics, start=1)]
    running = running_lines(pages)
    assert running == {"#"}  # the page numbers
    blocks = content_blocks(pages[2], web_rules=False, running=running)
    kept = [pages[2][b.start:b.end] for b in blocks]
    assert kept == ["Lights are set up so:\n00031 int lights;\n00032\n00033 use(lights);\n"
                    "00034\n00035 return lights;\nThat is all for lights."]
    assert {b.segment for b in blocks} == {1}  # one segment, after the page number cut

def test_a_chapters_running_head_is_chrome_at_the_page_edge_only() -> None:
    """A running head that names the chapter recurs on that chapter's pages alone, too few
    for the share a document-wide head needs; it is cut where it stands atop a page, and kept
    in the page's body."""
    from askrel.reading.chrome import chapter_heads, running_lines

    words = ["cables", "power", "lights", "reset", "updates", "warranty", "cleaning",
             "storage", "travel", "batteries", "screens", "keys", "ports", "fans", "noise"]
    pages = [f"Setup\nThe {w} come first in a sentence that\nruns over the page break: "
             f"{w} go on here." for w in words[:5]]
    pages += [f"Use\nThe use of {w} is\nthen {w} alone." for w in words[5:]] * 6
    assert chapter_heads(pages) == {"setup", "use"}
    assert chapter_heads(pages[:3]) == set()  # three pages make no run
    running = running_lines(pages)
    text = pages[2] + "\nSetup is the chapter's subject."
    kept = [text[b.start:b.end] for b in content_blocks(text, web_rules=False, running=running)]
    assert kept[0].startswith("The lights come first in a sentence")
    assert kept[-1].endswith("Setup is the chapter's subject.")  # in the body: text
    # a chapter's title on its first page heads its section, though it runs atop the others
    heading = Section(0, 5, "Setup")
    blocks = content_blocks(pages[0], web_rules=False, running=running, sections=(heading,))
    assert (blocks[0].start, blocks[0].end, blocks[0].heading) == (0, 5, True)


def test_a_line_with_the_pages_printed_number_is_a_running_head() -> None:
    """A running head may name the section on each page with the page's printed number
    ("Main Menus 6"): each is on one page alone, so only the number tells it. A line that
    opens with the number and ends a sentence is a footnote."""
    from askrel.reading.chrome import folio_lines, running_lines

    titles = ["Main Menus", "File Menu", "Edit Menu", "View Menu", "Snap Menu", "Help Menu"]
    verbs = ["save", "open", "cut", "zoom", "align", "seek"]
    pages = [f"The {t.lower()} holds commands.\nTo {verb} is one of them.\n{t} {n + 2}"
             for n, (t, verb) in enumerate(zip(titles, verbs, strict=True), start=4)]
    pages[1] = pages[1].replace("\nFile Menu 7", "\n7 A footnote, on page seven.\nFile Menu 7")
    numbers = list(range(4, 10))
    assert folio_lines(pages, numbers) == {f"{t.lower()} {n + 2}"
                                           for n, t in enumerate(titles, start=4)}
    assert folio_lines(pages, [n + 1 for n in numbers]) != set()  # the offset is found
    assert folio_lines(pages[:2], numbers[:2]) == set()  # two pages agree on nothing
    running = running_lines(pages, page_numbers=numbers)
    kept = [pages[1][b.start:b.end]
            for b in content_blocks(pages[1], web_rules=False, running=running)]
    assert kept == ["The file menu holds commands.\nTo open is one of them.\n"
                    "7 A footnote, on page seven."]


def test_the_printed_number_under_a_document_wide_head_and_roman_page_numbers() -> None:
    """A page may open with the book's running head and put the chapter's head with the
    page's number on the next line ("CLIPS Reference Manual" / "72 Section 7: Deffunction
    Construct"); front matter numbers its pages in roman numerals ("Guide xi"), which
    count as the same running line as "Guide 12"."""
    from askrel.reading.chrome import folio_lines, line_key, running_lines

    topics = ["rules", "facts", "slots", "modules", "methods", "classes"]
    pages = [f"Reference Manual\n{n - 20} Section {n // 3}: {t.title()}\nThe {t} are "
             f"declared so." if n % 2 == 0 else
             f"Reference Manual\nGuide {n - 20}\nThe {t} are declared so."
             for n, t in enumerate(topics, start=30)]
    assert folio_lines(pages, range(30, 36)) == {
        f"{n - 20} section {n // 3}: {t}" if n % 2 == 0 else f"guide {n - 20}"
        for n, t in enumerate(topics, start=30)}
    running = running_lines(pages, page_numbers=range(30, 36))
    kept = [pages[2][b.start:b.end]
            for b in content_blocks(pages[2], web_rules=False, running=running)]
    assert kept == ["The slots are declared so."]
    assert line_key("Guide xi") == line_key("Guide 12") == "guide #"
    assert line_key("xiv Preface") == "# preface" and line_key("iii") == "#"
    # a single letter is a word, a variable or a plot's label, not a page number
    assert [line_key(t) for t in ("x", "i = 0", "v Preface")] == ["x", "i = #", "v preface"]


def test_a_sites_menus_above_the_article_and_its_cookie_notice_are_chrome() -> None:
    """Six short lines or more in a row above the first sentence are a site's menu; the same
    short lines in the text are a list, and a title block of fewer lines is the text's own."""
    menu = "News\nOpinion\nSport\nCulture\nLifestyle\nMore\n"
    article = ("Giant telescope opens to astronomers worldwide\nBy Jane Doe\n"
               "The telescope in Guizhou has opened to scientists from all countries, its "
               "operators said.\nIt needs:\nPower\nCables\nCooling\nStaff\nTime\nMoney\n"
               "All of it is ready now, the operators said.\n")
    notice = ("We use cookies and other tracking technologies to improve your browsing "
              "experience on our site. Find out more in our cookie policy.\n")
    text = "Skip to navigation\n" + menu + article + notice
    kept = [text[b.start:b.end] for b in content_blocks(text)]
    assert kept == [article.rstrip("\n")]
    # a cookie notice above the menu is no sentence of the text the menu would stand above
    text = notice + menu + article
    assert [text[b.start:b.end] for b in content_blocks(text)] == [article.rstrip("\n")]
    # a title block of a few short lines above the text is kept
    faq = "Widget FAQ\nVersion 2\nContents\n" + article
    assert [faq[b.start:b.end] for b in content_blocks(faq)] == [faq.rstrip("\n")]
    # a sentence that names a site's cookies without pointing to a policy is text
    sentence = ("Google uses cookies to follow its users across many other sites, a study by "
                "two universities found last year.\n")
    assert [sentence[b.start:b.end] for b in content_blocks(sentence)] == [sentence.strip()]


def test_table_of_contents_lines_are_chrome() -> None:
    text = ("Contents\n\nHeader file libtasn1.h . . . . . . . . . . . . 4\n"
            "Introduction.......................... iv\n\n"
            "The library parses definitions. It ends with a full stop.")
    assert kept(text) == ["Contents", "The library parses definitions. It ends with a full stop."]


def test_pdf_lines_with_identifiers_or_web_words_are_kept() -> None:
    # Web-page rules (interface prompts, icon names) must not touch a manual's wrapped lines.
    text = ("Another precious variable is R_BROWSER, the default HTML browser, which\n"
            "should take a value. To log in to the server, type your name and\n"
            "subscribe to the list; then stats sets STATS_mean and max_words.\n"
            "12")
    blocks = content_blocks(text, web_rules=False)
    assert [text[b.start:b.end] for b in blocks] == [text.rsplit("\n", 1)[0]]


def test_numeric_rows_of_a_pdf_table_are_kept_but_page_numbers_dropped() -> None:
    text = "Values measured:\n1.5 2.5 3.5 4.5 5.5\n17"
    blocks = content_blocks(text, web_rules=False)
    assert [text[b.start:b.end] for b in blocks] == ["Values measured:\n1.5 2.5 3.5 4.5 5.5"]


def test_a_pdf_line_without_words_is_content_unless_a_page_number_at_the_edge() -> None:
    text = "< 0\nwill never be installed,\n1..99\nwill only be installed,\n}\nThe end.\n- 17 -"
    blocks = content_blocks(text, web_rules=False)
    assert [text[b.start:b.end] for b in blocks] == [text[:text.index("\n- 17 -")]]


def test_icon_names_beside_labels_are_web_chrome_but_prose_with_identifiers_is_not() -> None:
    assert kept("menu_open Columnists\n\nSet max_words in the settings file to change it.") == [
        "Set max_words in the settings file to change it."]


def test_contents_and_index_pages_are_navigation_only_at_the_edges() -> None:
    from askrel.reading.chrome import is_navigation_page, navigation_pages

    contents = "\n".join(f"{n} Section about topic {n} . . . . . . {n * 3}" for n in range(1, 12))
    index = "\n".join(f"term{n}, {n}, {n + 40}–{n + 42}" for n in range(12))
    prose = "\n".join(f"Line {n} of a paragraph that explains how option {n} works." for n in
                      range(12))
    assert is_navigation_page(contents) and is_navigation_page(index)
    assert not is_navigation_page(prose)
    table = "\n".join(f"Width {n} {n * 2}" for n in range(12))  # a table mid-document
    pages = [contents] + [prose] * 8 + [table] + [prose] * 8 + [index]
    assert navigation_pages(pages) == {0, 18}


# Plain-text documentation (pod2text, a FAQ saved as text or Markdown): its lines are pieces
# of wrapped sentences and lines of code, which the single-line web rules must not judge.
FAQ = """How do I clear a package?

Use this code, provided by Mark-Jason Dominus:

    sub scrub_package {
        no strict 'refs';
        my $pack = shift;
    }

    $x = $y + $z;
    sub preserve_case

Or, if you're using a recent release of Perl, you can just use the
Symbol::delete_package() function instead.

If you want to help, subscribe to the mailing list by sending
perl5-porters-subscribe@perl.org a subscription request (an empty
message with no subject is fine).

*   Get a login for the Perl Authors Upload Server (PAUSE) if you don't
    already have one.

What you think in the above as 'three' is really more like
2.9999999999999995559.

See also perlopentut.

See also "How can I make my Perl program take less memory?"

Copyright (c) 1997-2010 Tom Christiansen, Nathan Torkington, and other
authors as noted. All rights reserved.
"""


def kept_lines(text: str) -> list[str]:
    return [line.strip() for block in kept(text) for line in block.splitlines()]


def test_code_and_wrapped_lines_of_plain_text_documentation_are_kept() -> None:
    assert kept_lines(FAQ) == [line.strip() for line in FAQ.splitlines() if line.strip()]


def test_fenced_code_of_markdown_is_kept() -> None:
    text = ("Define the function like this:\n\n```perl\nsub add {\n    $x + $y;\n}\n```\n\n"
            "The braces close the body. Call it with two numbers.")
    assert kept_lines(text) == [line.strip() for line in text.splitlines() if line.strip()]


def test_a_short_line_naming_a_function_is_no_icon_name() -> None:
    text = "Call delete_package() instead.\n\nThe package is gone after that call."
    assert kept(text) == ["Call delete_package() instead.", "The package is gone after that call."]


def test_menus_counters_and_teasers_standing_alone_are_still_chrome() -> None:
    article = "The article explains the dispute. It ends here."
    chrome = ["Share", "Print", "email", "34 1", "19.12.2025",
              "Also read: Why the yen fell to a 34-year low", "Also read: 10 Things About Tokyo",
              "See also: Japan's New Trade Policy", "arrow_forward Next"]
    text = "\n".join(chrome) + "\n\n" + article
    assert kept(text) == [article]
    assert kept(f"Share via Email\nShare via WhatsApp\n\n{article}") == [article]
    assert kept(f"Share via Bluetooth\n\n{article}") == ["Share via Bluetooth", article]
    # a one-word menu line, or a counter, does not wrap on to the line below it
    assert kept(f"{article}\n\nMenu\nemail\n\n{article}") == [article, article]


def test_chrome_lines_standing_alone_in_a_hard_wrapped_capture_are_still_chrome() -> None:
    # A page saved by a text browser wraps its paragraphs; its interface lines stand alone.
    paragraph = ("The talks in Seoul ended with a joint statement on export controls\n"
                 "and a plan to resume the shuttle diplomacy of the two leaders.")
    text = (f"Share\nemail\n\n{paragraph}\n\nYou are reading a free article.\n\n"
            f"Also read: Why the Yen Fell\n\n{paragraph}")
    assert kept(text) == [paragraph, paragraph]


def test_sentences_that_start_in_lower_case_and_list_items_c_are_no_prompts() -> None:
    # A FAQ's text between two code lines, and item (c) of a list, mention "login" and "(c)".
    text = ("Put this in .profile:\n\n  exec $HOME/bin/zsh -l\n\n"
            "or if your login shell is csh or tcsh, put this in .login:\n\n"
            "  if ( -f ~/bin/zsh ) exec ~/bin/zsh -l\n\n"
            "(in each case the `-l' tells zsh it is a login shell).\n\n"
            "(c) Insert an unused character and pipe the output through tr:")
    assert kept(text) == [b.strip() for b in text.split("\n\n")]
    # Interface text starts with a capital or stops without a full stop; a copyright line
    # with its year is still chrome.
    article = "The article explains the dispute. It ends here."
    chrome = ["Log in to read more", "already a subscriber? log in",
              "(c) 2024 Nippon Communications Foundation", "© The Publisher"]
    assert kept("\n\n".join([*chrome, article])) == [article]


def test_skip_and_jump_links_are_interface_labels() -> None:
    article = "The method maps points into two dimensions, the paper says."
    for link in ("Jump to navigation Jump to search", "Skip to navigation", "Skip to content"):
        assert kept(f"{link}\n\n{article}") == [article], link
    # a sentence that starts alike is text
    sentence = "Jump to the content of the report and read its second chapter first."
    assert kept(sentence) == [sentence]
