"""PDF outlines give passages their section; contents and index pages are left out."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from askrel.indexing.build import ChunkSettings, document_passages
from askrel.reading.sections import TypeRun, heading_line, heading_sizes, locate_sections
from askrel.reading.sources import parse_document
from askrel.records import Document, SourceMeta, TextUnit

INSTALL = ("Unpack the archive into a folder of your choice. Run the configure script with "
           "the prefix option to choose where the program goes. ") * 3
CONFIG = ("The settings file lives in your home folder. Each line holds one option and its "
          "value, separated by an equals sign. ") * 3


def write(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def manual_pdf(outline: bool = True) -> bytes:
    """Contents page, two chapters (the second with a sub-section) and an index page."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    write(pdf, "Widget Manual\nThis manual explains how to install and set up the widget.")
    pdf.add_page()
    write(pdf, "\n".join(f"{n} Chapter about part {n} . . . . . . . {n + 2}"
                                   for n in range(1, 11)))
    for number, title, body in (("1", "Installing", INSTALL), ("2", "Configuring", CONFIG)):
        pdf.add_page()
        if outline:
            pdf.start_section(f"{number} {title}", level=0)
        write(pdf, f"{number} {title}\n{body}")
        if number == "2":
            if outline:
                pdf.start_section("Options file", level=1)
            write(pdf, f"2.1 Options file\n{CONFIG}")
    pdf.add_page()
    write(pdf, "\n".join(f"term{n}, {n}, {n + 20}" for n in range(12)))
    return bytes(pdf.output())


def test_outline_entries_become_sections_at_their_heading_lines() -> None:
    doc = parse_document(Path("m.pdf"), manual_pdf(), None)
    assert doc.meta.title == "Widget Manual"  # no title in the metadata: the first line
    sections = [(u.page, s.title, u.text[s.start:s.end]) for u in doc.units for s in u.sections]
    assert sections == [(3, "1 Installing", "1 Installing"),
                        (4, "2 Configuring", "2 Configuring"),
                        (4, "2 Configuring › Options file", "2.1 Options file")]


def test_passages_carry_their_section_and_skip_contents_and_index_pages() -> None:
    doc = parse_document(Path("m.pdf"), manual_pdf(), None)
    passages = document_passages(doc, ChunkSettings(max_words=100, min_words=10))
    assert {p.page for p in passages} == {1, 3, 4}  # contents (2) and index (5) left out
    by_section = {p.heading: p.text for p in passages if p.heading}
    assert by_section["1 Installing"].startswith("1 Installing")
    assert by_section["2 Configuring › Options file"].startswith("2.1 Options file")
    assert "equals sign" in by_section["2 Configuring"]


def test_without_an_outline_numbered_headings_give_the_sections() -> None:
    doc = parse_document(Path("m.pdf"), manual_pdf(outline=False), None)
    passages = document_passages(doc, ChunkSettings(max_words=100, min_words=10))
    headings = {p.heading for p in passages if "equals sign" in p.text}
    assert headings == {"2 Configuring", "2 Configuring › 2.1 Options file"}


def test_heading_line_finds_numbered_run_in_and_appendix_headings() -> None:
    text = ("Chapter 2: Setup 4\n2.1 Simple compilation\nColumn The column(x) function\n"
            "Appendix A Essential programs\n")
    found = heading_line(text, "Simple compilation")
    assert found and text[found.start:found.end] == "2.1 Simple compilation"
    run_in = heading_line(text, "Column")
    assert run_in and text[run_in.start:run_in.end] == "Column"
    appendix = heading_line(text, "A Essential programs")
    assert appendix and text[appendix.start:appendix.end] == "Appendix A Essential programs"
    assert heading_line(text, "Setup") is None  # "Chapter 2: Setup 4" is a running header
    assert heading_line(text, "Missing title") is None


def sections_found(units: list[TextUnit]) -> list[tuple[int | None, str, str]]:
    """(page, title path, heading's text) of each section `numbered_sections` finds."""
    from askrel.reading.sections import numbered_sections

    return [(u.page, s.title, u.text[s.start:s.end]) for u in numbered_sections(units)
            for s in u.sections]


def test_pdf_without_outline_takes_sections_from_numbered_headings_in_order() -> None:
    units = [
        TextUnit("Contents\n1 Start . . . 3\nAppendix A Extra notes on the\n", page=1),
        TextUnit("1 Getting started\nText.\n1.1 Requirements\nYou need 4 GB.\n", page=2),
        TextUnit("2 CARD32 OFFSET\n3 cups of flour are added.\n2 Configuring\nSet it.\n", page=3),
        TextUnit("Chapter 2: Configuring 4\n2.1 Options file\nMore.\nAppendix A Licence\n"
                 "A.1 Free documentation\n", page=4),
    ]
    assert sections_found(units) == [
        (2, "1 Getting started", "1 Getting started"),
        (2, "1 Getting started › 1.1 Requirements", "1.1 Requirements"),
        (3, "2 Configuring", "2 Configuring"),
        (4, "2 Configuring › 2.1 Options file", "2.1 Options file"),
        (4, "Appendix A Licence", "Appendix A Licence"),
        (4, "Appendix A Licence › A.1 Free documentation", "A.1 Free documentation"),
    ]


def test_a_chapters_label_above_its_title_heads_the_chapter() -> None:
    """A word processor's chapter opening: "Section 2:" on a line, the title under it; the
    chapters' subheadings follow on, and a running head with the page's number is none."""
    units = [
        TextUnit("Section 1:\nIntroduction\nCLIPS is a tool.\n", page=1),
        TextUnit("Section 2:\nBasic Elements\nThere are three.\n2.1 Data Types\nSix.\n",
                 page=2),
        TextUnit("Reference Manual\n12 Section 2: Basic Elements\n2.2 Functions\nCalls.\n",
                 page=3),
        TextUnit("Appendix A:\nSupport Information\nA.1 Questions\nAsk.\n", page=4),
    ]
    assert sections_found(units) == [
        (1, "Section 1: Introduction", "Section 1:\nIntroduction"),
        (2, "Section 2: Basic Elements", "Section 2:\nBasic Elements"),
        (2, "Section 2: Basic Elements › 2.1 Data Types", "2.1 Data Types"),
        (3, "Section 2: Basic Elements › 2.2 Functions", "2.2 Functions"),
        (4, "Appendix A: Support Information", "Appendix A:\nSupport Information"),
        (4, "Appendix A: Support Information › A.1 Questions", "A.1 Questions"),
    ]
    # a question over a numbered list of its own heads it; the list's items are no headings
    faq = [TextUnit("1 Developing\n1.1 How can I start?\nRead the guide.\n", page=1),
           TextUnit("1.2 How can I help?\n1. Write code\n2. Write documentation\n"
                    "3. Test it\n4. Tell others\nAll help is welcome.\n1.3 Who are you?\nA team.\n",
                    page=2)]
    assert [title for _, title, _ in sections_found(faq)] == [
        "1 Developing", "1 Developing › 1.1 How can I start?",
        "1 Developing › 1.2 How can I help?", "1 Developing › 1.3 Who are you?"]


def test_a_numbered_question_is_a_heading_however_long() -> None:
    from askrel.reading.sections import numbered_heading

    question = "1.5.3 What is the current state of development of the front-end?"
    assert numbered_heading(question) == (
        (1, 5, 3), "What is the current state of development of the front-end?")
    assert numbered_heading("1.1.4 Does GNUstep run on Windows?") == (
        (1, 1, 4), "Does GNUstep run on Windows?")
    # a statement of that length is a numbered sentence or list item, not a heading
    assert numbered_heading("1.5.3 The current state of development of the front-end is "
                            "good") is None
    assert numbered_heading("2 Then run the installer.") is None


def test_a_chapter_over_its_own_contents_and_a_title_ending_in_a_digit() -> None:
    """ "2. How to use bzip2" is a chapter's heading: a name may end in a digit, a running
    head ends in a number of its own. A chapter that opens with its own contents list (each
    line ending in its page's number) heads the chapter; the list's lines head nothing."""
    from askrel.reading.sections import numbered_heading

    assert numbered_heading("2. How to use bzip2") == ((2,), "How to use bzip2")
    assert numbered_heading("4.2 Using IPv6") == ((4, 2), "Using IPv6")
    assert numbered_heading("Chapter 2: Setup 14") is None
    assert numbered_heading("22.4 Version 4.5.1") is None
    contents = "".join(f"2.{n}. {t} . . . . . . {n + 1}\n" for n, t in enumerate(
        ["Name", "Synopsis", "Description", "Options"], start=1))
    units = [TextUnit("1. Introduction\nIt compresses files.\n", page=1),
             TextUnit(f"2. How to use bzip2\n{contents}This chapter is the man page.\n"
                      "2.1. Name\nbzip2, bunzip2.\n", page=2),
             TextUnit("2.2. Synopsis\nbzip2 [ -cdfkqstvzVL123456789 ] [ filenames ... ]\n",
                      page=3)]
    assert [title for _, title, _ in sections_found(units)] == [
        "1. Introduction", "2. How to use bzip2", "2. How to use bzip2 › 2.1. Name",
        "2. How to use bzip2 › 2.2. Synopsis"]
    # an appendix over its own contents too
    appendix = "".join(f"A.{n} Part {t}\n" for n, t in enumerate("WXYZ", start=1))
    units[2] = TextUnit(f"Appendix A Licence\n{appendix}The licence follows.\n"
                        "A.1 Part W\nText.\n", page=3)
    assert [title for _, title, _ in sections_found(units)][-2:] == [
        "Appendix A Licence", "Appendix A Licence › A.1 Part W"]


def test_heading_chain_takes_the_longest_run_in_order() -> None:
    from askrel.reading.sections import heading_chain

    # a numbered list (1., 2., 3.) inside chapter 1 must not stop chapter 2 being read
    numbers = [(1,), (1, 1), (1,), (2,), (3,), (2,), (2, 1), (2, 2), (3,)]
    assert heading_chain(numbers) == [0, 1, 5, 6, 7, 8]
    # a chapter printed alone starts at its own number; "6.3" cannot start
    assert heading_chain([(6, 3), (6,), (6, 1), (6, 2)]) == [1, 2, 3]
    # "6.2.1" comes after "6.1.1" when "6.2" was not read as a heading
    assert heading_chain([(6, 1), (6, 1, 1), (6, 2, 1), (6, 3)]) == [0, 1, 2, 3]
    # of two equal runs (a contents list, then the body) the later wins
    assert heading_chain([(2,), (2, 1), (2,), (2, 1)]) == [2, 3]
    assert heading_chain([(4, 2), (5, 3)]) == []
    # chapters 3, 4, 6 and 7 have no numbered heading that reads as one (a chapter's title
    # stands apart from its number): the run goes on from chapter to chapter, in order
    numbers = [(2, 1), (2, 2), (5, 1), (5, 2), (3, 1), (8, 1), (8, 2), (1001, 1)]
    assert heading_chain(numbers) == [0, 1, 2, 3, 5, 6, 7]
    # a chapter's number alone does not jump: even pages' running heads "12 Setup", "14
    # Setup", "16 Setup" are no run
    assert len(heading_chain([(12,), (14,), (16,), (18,)])) == 1
    # a section's subheadings not read as headings (a question that wraps, a sentence)
    # leave a gap the run steps over, in order
    assert heading_chain([(1,), (1, 3), (1, 3, 2), (1, 3, 4), (1, 4)]) == [0, 1, 2, 3, 4]
    assert len(heading_chain([(1,), (1, 3), (1, 3, 4), (1, 3, 3), (1, 4)])) == 4  # not both


def test_chapter_without_outline_keeps_body_headings_not_its_contents_list() -> None:
    from askrel.reading.sections import numbered_sections
    from askrel.records import TextUnit

    units = [
        TextUnit("Chapter 6. Updates\n6.1. Sources\n6.1.1. Syntax\n6.2. Mirrors\n"
                 "6.3. Proxies\nAPT reads its sources first.\n", page=1),
        TextUnit("Handbook 2/3\n6.1. Sources\nEach line names a source.\n6.1.1. Syntax\n"
                 "Fields are separated by spaces.\n", page=2),
        TextUnit("Handbook 3/3\n6.2. Mirrors\nPick a mirror near you.\n6.3. Proxies\n"
                 "Set the proxy in apt.conf.\n", page=3),
    ]
    found = [(u.page, s.title) for u in numbered_sections(units) for s in u.sections]
    assert found == [
        (1, "Chapter 6. Updates"),  # a heading over its own contents list is kept
        (2, "Chapter 6. Updates › 6.1. Sources"),
        (2, "Chapter 6. Updates › 6.1. Sources › 6.1.1. Syntax"),
        (3, "Chapter 6. Updates › 6.2. Mirrors"),
        (3, "Chapter 6. Updates › 6.3. Proxies"),
    ]
    # a contents list whose headings the body does not number gives no sections at all
    unnumbered = [units[0], TextUnit("Sources\nEach line names a source.\n", page=2)]
    assert not any(u.sections for u in numbered_sections(unnumbered))


def test_heading_sizes_are_large_and_rare() -> None:
    body = [TypeRun(10.0, "body text " * 50), TypeRun(9.0, "code " * 30)]
    pages = [[TypeRun(18.0, "Installing"), *body],
             [TypeRun(14.0, "Options file"), TypeRun(18.0, "Using"), *body]]
    assert heading_sizes(pages) == [18.0, 14.0]
    # a size that sets much of the text is body text, however large
    assert heading_sizes([[TypeRun(12.0, "body text " * 50),
                           TypeRun(10.0, "small print " * 60)]]) == []
    assert heading_sizes([[]]) == []


def test_sized_lines_are_whole_lines_in_heading_sizes() -> None:
    from askrel.reading.sections import sized_lines

    runs = [TypeRun(*run) for run in (
        (16.0, "6.2. "), (16.0, "aptitude"), (16.0, ", and apt Commands\n"),
        (10.0, "Body text.\n"), (14.0, "Initialization"), (10.0, "\n"),
        (10.0, "A sentence with "), (14.0, "one larger"), (10.0, " word.\n"),
        (14.0, "2023"), (10.0, "\n"), (14.0, "Options"))]
    assert sized_lines(runs, [16.0, 14.0]) == [(16.0, "6.2. aptitude, and apt Commands"),
                                               (14.0, "Initialization"), (14.0, "Options")]


def test_a_heading_wrapped_over_lines_is_one_heading() -> None:
    from askrel.reading.chrome import content_blocks
    from askrel.reading.sections import sized_lines

    # A FAQ sets its questions in a larger type; a long one wraps. A long line in a larger
    # type that is no question stays no heading.
    runs = [TypeRun(*run) for run in (
        (12.0, "How can I make my hash remember the order I put\n"),
        (12.0, "elements into it?\n"), (10.0, "Use the Tie::IxHash module.\n"),
        (12.0, "A long line in the larger type that runs on for more than twelve words\n"),
        (10.0, "More text.\n"))]
    question = "How can I make my hash remember the order I put elements into it?"
    assert sized_lines(runs, [12.0]) == [(12.0, question)]
    text = "".join(run.text for run in runs)
    found = heading_line(text, question)
    assert found and text[found.start:found.end] == question.replace("put ", "put\n")
    blocks = content_blocks(text, web_rules=False, sections=(found,))
    heading, answer = blocks[:2]
    assert (text[heading.start:heading.end], heading.heading) == (
        question.replace("put ", "put\n"), True)
    assert text[answer.start:].startswith("Use the Tie::IxHash") and not answer.heading
    assert heading_line(text, "How can I make my hash remember the order I got") is None


def test_a_numbered_heading_wrapped_over_lines_is_found_with_its_number() -> None:
    # The outline names the entry without its number; the page sets it numbered and wrapped.
    text = ("7.33 Why are powers of negative numbers wrong?\nYou are probably seeing -4.\n"
            "7.34 How can I save the result of each iteration in a loop\n"
            "into a separate file?\nUse the function save().\n")
    title = "How can I save the result of each iteration in a loop into a separate file?"
    found = heading_line(text, title)
    assert found and text[found.start:found.end] == (
        "7.34 How can I save the result of each iteration in a loop\ninto a separate file?")
    sections = locate_sections(text, ["7 R Miscellanea › Why are powers of negative numbers "
                                      "wrong?", f"7 R Miscellanea › {title}"])
    assert text[sections[0].end:sections[1].start].strip() == "You are probably seeing -4."


def test_capital_lines_are_whole_lines_in_bold_capitals() -> None:
    from askrel.reading.sections import capital_lines

    runs = [TypeRun(*run) for run in (
        (10.0, "EXIT STATUS\n", True), (10.0, "find exits with status 0.\n"),
        (10.0, "-maxdepth", True), (10.0, " levels\n"),  # an option tag: bold, then roman
        (10.0, "BatchMode\n", True),  # bold, not capitals
        (10.0, "NOTE: a ", True), (10.0, "sentence\n"),
        (10.0, "NON-BUGS", True), (10.0, "\n"), (10.0, "X\n", True))]
    assert capital_lines(runs) == ["EXIT STATUS", "NON-BUGS"]


def manual_page_pdf() -> bytes:
    """A manual page: headings in bold capitals of the body's size, running head in roman."""
    pdf = FPDF()
    pdf.add_page()
    for title, body in (("NAME", "widget - turn the widget. "), ("OPTIONS", INSTALL * 3),
                        ("FILES", CONFIG * 3)):
        pdf.set_font("helvetica", style="B", size=11)
        write(pdf, title)
        pdf.set_font("helvetica", size=11)
        write(pdf, body)
    return bytes(pdf.output())


def test_pdf_whose_headings_are_bold_capitals_takes_sections_from_them() -> None:
    doc = parse_document(Path("widget.pdf"), manual_page_pdf(), None)
    titles = [s.title for u in doc.units for s in u.sections]
    assert titles == ["NAME", "OPTIONS", "FILES"]
    passages = document_passages(doc, ChunkSettings(max_words=100, min_words=10))
    assert {p.heading for p in passages if "equals sign" in p.text} == {"FILES"}


def indented_manual_page_pdf() -> bytes:
    """A manual page as groff sets it: section headings in bold capitals at the margin,
    subsection headings in bold a little further in, and the body further in still, where
    a list's terms (the variables "HOME", "TMPDIR") stand in bold capitals too."""
    pdf = FPDF()
    pdf.add_page()

    def line(indent: float, text: str, bold: bool = False) -> None:
        pdf.set_font("helvetica", style="B" if bold else "", size=11)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    line(0, "NAME", bold=True)
    line(12, "widget - turn the widget.")
    line(0, "PARAMETERS", bold=True)
    line(12, INSTALL)
    line(5, "Shell Variables", bold=True)
    line(12, "The following variables are set by the shell.")
    for term, text in (("HOME", "The home folder of the current user. " * 2),
                       ("TMPDIR", CONFIG)):
        line(12, term, bold=True)
        line(24, text)
    line(0, "FILES", bold=True)
    line(12, CONFIG)
    return bytes(pdf.output())


def test_a_manual_pages_headings_nest_by_indent_and_its_list_terms_are_no_headings() -> None:
    doc = parse_document(Path("widget.pdf"), indented_manual_page_pdf(), None)
    titles = [s.title for u in doc.units for s in u.sections]
    assert titles == ["NAME", "PARAMETERS", "PARAMETERS › Shell Variables", "FILES"]
    passages = document_passages(doc, ChunkSettings(max_words=100, min_words=10))
    assert {p.heading for p in passages if "home folder of the current" in p.text} == {
        "PARAMETERS › Shell Variables"}


def test_bold_faces_are_read_from_the_font_name_or_weight() -> None:
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    from askrel.reading.sources import is_bold

    def font(name: str, weight: int | None = None) -> DictionaryObject:
        entries = {NameObject("/BaseFont"): NameObject(name)}
        if weight is not None:
            entries[NameObject("/FontDescriptor")] = DictionaryObject(
                {NameObject("/FontWeight"): NumberObject(weight)})
        return DictionaryObject(entries)

    assert is_bold(font("/Times-Bold")) and is_bold(font("/ABCDEF+NotoSans-SemiBold"))
    assert is_bold(font("/F1", 700)) and not is_bold(font("/F1", 400))
    assert not is_bold(font("/Times-Roman")) and not is_bold(None)


def unnumbered_pdf() -> bytes:
    """Two chapters and a section with unnumbered headings set larger than the body."""
    pdf = FPDF()
    for title, size, body in (("Installing the widget", 18, INSTALL),
                              ("Configuring the widget", 18, CONFIG),
                              ("The options file", 14, CONFIG)):
        if size == 18:
            pdf.add_page()
        pdf.set_font("helvetica", size=size)
        write(pdf, title)
        pdf.set_font("helvetica", size=11)
        write(pdf, body * 3)
    return bytes(pdf.output())


def test_pdf_with_neither_outline_nor_numbers_takes_sections_from_type_size() -> None:
    doc = parse_document(Path("m.pdf"), unnumbered_pdf(), None)
    sections = [(u.page, s.title, u.text[s.start:s.end]) for u in doc.units for s in u.sections]
    assert sections == [
        (1, "Installing the widget", "Installing the widget"),
        (2, "Configuring the widget", "Configuring the widget"),
        (2, "Configuring the widget › The options file", "The options file"),
    ]
    passages = document_passages(doc, ChunkSettings(max_words=100, min_words=10))
    assert {p.heading for p in passages if "equals sign" in p.text} == {
        "Configuring the widget", "Configuring the widget › The options file"}


def test_runs_whose_size_cannot_be_read_keep_their_text_with_size_zero() -> None:
    from askrel.reading.sources import _recorder

    runs: list = []
    visit = _recorder(runs)
    visit("Title", [1, 0, 0, 1, 0, 0], [1, 0, 0, 12, 72, 700], None, 1.5)
    visit("broken", None, [1], None, "x")
    visit("huge", [1, 0, 0, 1, 0, 0], [0, 0, 0, float("inf"), 0, 0], None, 2.0)
    # the text stays (lines are matched to the page text by it); size 0 is never a heading's
    assert runs == [TypeRun(18.0, "Title", False, 700.0, x=72.0), TypeRun(0.0, "broken"),
                    TypeRun(0.0, "huge")]
    assert heading_sizes([runs]) == []


def test_topic_cuts_apply_to_text_files_and_not_to_pdf_pages() -> None:
    first = ("SQLite has limited ALTER TABLE support that you can use to add, rename or drop "
             "columns of a table, or to change the name of a table.")
    second = ("When you delete content, the database file stays the same size. Empty pages "
              "are marked free and reused; run VACUUM to give the space back.")
    text = f"{first}\n\n{second}"
    meta = SourceMeta(title="FAQ")
    as_text = Document("faq.txt", meta, (TextUnit(text),), "h1")
    as_page = Document("faq.pdf", meta, (TextUnit(text, page=1),), "h2")
    settings = ChunkSettings(max_words=100, min_words=10)
    assert [p.text for p in document_passages(as_text, settings)] == [first, second]
    assert [p.text for p in document_passages(as_page, settings)] == [text]


def test_a_question_at_the_foot_of_a_page_heads_the_answer_on_the_next() -> None:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    for paragraph in ("How do I install the widget?", INSTALL, "How do I configure it?"):
        write(pdf, paragraph)
        pdf.ln(5)
    pdf.add_page()
    for paragraph in ("Edit the settings file.", "Can I undo a change?", CONFIG):
        write(pdf, paragraph)
        pdf.ln(5)
    doc = parse_document(Path("faq.pdf"), bytes(pdf.output()), None)
    passages = document_passages(doc, ChunkSettings(max_words=100, min_words=10))
    assert [(p.page, p.heading, p.text[:20]) for p in passages] == [
        (1, "How do I install the widget?", "How do I install the"),
        (2, "How do I configure it?", "Edit the settings fi"),
        (2, "Can I undo a change?", "Can I undo a change?")]
