"""Paragraphs of a PDF page told from where its lines are printed, on hand-made runs."""

from __future__ import annotations

from askrel.reading.paragraphs import (
    LineStart,
    line_starts,
    paragraph_pages,
    paragraph_starts,
    usual_steps,
    with_blank_lines,
)
from askrel.reading.sections import TypeRun


def page_runs(lines: list[tuple[float, str]], size: float = 10.0) -> list[TypeRun]:
    """Runs as pypdf's visitor reports them: each line's text then its line break."""
    runs = []
    for n, (y, text) in enumerate(lines):
        runs.append(TypeRun(size, text + ("\n" if n < len(lines) - 1 else ""), False, y))
    return runs


def test_line_starts_follow_the_line_breaks_inside_runs() -> None:
    runs = [TypeRun(10.0, "First line\nsec", False, 700.0), TypeRun(9.0, "ond\n", False, 688.0),
            TypeRun(12.0, "", False, 0.0), TypeRun(12.0, "Third", False, 670.0)]
    assert line_starts(runs) == [LineStart(700.0, 10.0), LineStart(688.0, 9.0),
                                 LineStart(670.0, 12.0)]
    assert line_starts([TypeRun(10.0, "a\n\nb", False, 5.0)]) == [
        LineStart(5.0, 10.0), None, None]  # a blank line, then "b" in the same run
    # a run whose size could not be read (size 0) gives no position
    assert line_starts([TypeRun(0.0, "a", False, 0.0), TypeRun(10.0, "b\nc", False, 9.0),
                        TypeRun(0.0, "d", False, 0.0)]) == [LineStart(9.0, 10.0), None]


def test_the_usual_step_is_per_type_size_and_ignores_wide_gaps() -> None:
    body = [LineStart(700.0 - 12 * n, 10.0) for n in range(6)]
    gapped = [LineStart(400.0, 10.0), LineStart(380.0, 10.0), LineStart(360.0, 10.0)]
    code = [LineStart(300.0, 8.0), LineStart(291.0, 8.0), LineStart(282.0, 8.0)]
    assert usual_steps([body, gapped, code]) == {10.0: 12.0, 8.0: 9.0}
    # steps under half the type size (raised symbols, jitter) are no line steps
    jitter = [LineStart(500.0 - 0.5 * (n % 2), 10.0) for n in range(20)]
    assert usual_steps([body, jitter]) == {10.0: 12.0}
    # a jump up the page (a new column) and lines of two sizes give no step
    assert usual_steps([[LineStart(100.0, 10.0), LineStart(700.0, 10.0),
                         LineStart(688.0, 12.0)]]) == {}


def test_a_wider_step_after_a_full_stop_starts_a_paragraph() -> None:
    texts = ["arbitrary starting points to find.", "-P Never follow symbolic links. This is",
             "the default behaviour.", "-L Follow symbolic links.", "You can uninstall R by",
             "make uninstall", "and that is all."]
    ys = [362.0, 333.2, 321.2, 292.4, 280.4, 256.4, 244.4]
    lines = [LineStart(y, 10.0) for y in ys]
    # 28.8 and 28.8 are paragraph gaps; 24 after "by" leaves the sentence open: no break
    assert paragraph_starts(texts, lines, {10.0: 12.0}) == [1, 3]
    # a gap only 10% wider than usual is no paragraph (a raised symbol moves a line a little)
    assert paragraph_starts(["One.", "Two."], [LineStart(100.0, 10.0), LineStart(86.8, 10.0)],
                            {10.0: 12.0}) == []
    # a size the document has no usual step for, a line printed higher, a blank line: no break
    assert paragraph_starts(["One.", "Two."], [LineStart(100.0, 14.0), LineStart(50.0, 14.0)],
                            {10.0: 12.0}) == []
    assert paragraph_starts(["One.", "Two."], [LineStart(100.0, 10.0), LineStart(600.0, 10.0)],
                            {10.0: 12.0}) == []
    assert paragraph_starts(["One.", "", "Two."], [LineStart(100.0, 10.0), None,
                                                   LineStart(50.0, 10.0)], {10.0: 12.0}) == []


def test_a_larger_line_after_an_example_starts_a_paragraph() -> None:
    # An example in 9 pt ends no sentence; the question below it, in 12 pt, is no part of it.
    texts = ["Use this:", "xz -dc foo.tar.xz | tar xf -", "Can I recover a broken file?",
             "It may be possible.", "sed -n '$p' file", "and it prints the last line."]
    lines = [LineStart(400.0, 10.0), LineStart(384.0, 9.0), LineStart(366.0, 12.0),
             LineStart(352.0, 10.0), LineStart(336.0, 9.0), LineStart(322.0, 10.0)]
    usual = {9.0: 10.8, 10.0: 12.0, 12.0: 14.4}
    # 18 after the example, in a larger type and a capital: a break. The second example
    # follows a full stop (a break); the line after it is larger too, but goes on with a
    # sentence in lower case: none.
    assert paragraph_starts(texts, lines, usual) == [2, 4]


def test_line_starts_say_whether_all_the_line_is_bold() -> None:
    runs = [TypeRun(10.0, "How do I reset it?\n", True, 700.0),
            TypeRun(10.0, "Hold the ", False, 688.0), TypeRun(10.0, "button", True, 688.0),
            TypeRun(10.0, "\n", False, 688.0), TypeRun(10.0, "AddKeysToAgent", True, 676.0)]
    assert [line.bold for line in line_starts(runs) if line] == [True, False, True]


def test_a_question_in_bold_body_type_stands_apart_from_the_text_around_it() -> None:
    # A FAQ that sets its questions in bold right above their answers, with no space between.
    texts = ["Keep the receipt, as we may ask", "for it", "Where do I buy spare", "parts?",
             "curl's shop sells them.", "AddKeysToAgent", "Specifies whether keys are added."]
    lines = [LineStart(700.0 - 12 * n, 10.0, bold) for n, bold in
             enumerate([False, False, True, True, False, True, False])]
    # the question starts a paragraph (though the line above leaves its sentence open) and so
    # does the answer under it (though it starts in lower case); a bold name that is no
    # question stays with its description
    assert paragraph_starts(texts, lines, {10.0: 12.0}) == [2, 4]


def test_blank_lines_are_put_before_paragraphs_once() -> None:
    assert with_blank_lines("a.\nb\nc.\n\nd", [1, 4]) == "a.\n\nb\nc.\n\nd"
    assert with_blank_lines("a.\nb", [0]) == "a.\nb"


def test_paragraph_pages_marks_gaps_and_leaves_unmatched_pages_alone() -> None:
    lines = [(700.0, "Options are listed below."), (688.0, "They go first."),
             (664.0, "-P Never follow symbolic links."), (652.0, "This is the default."),
             (628.0, "-L Follow symbolic links.")]
    runs = page_runs(lines)
    text = "".join(r.text for r in runs)
    assert paragraph_pages([text], [runs]) == [
        "Options are listed below.\nThey go first.\n\n-P Never follow symbolic links.\n"
        "This is the default.\n\n-L Follow symbolic links."]
    # text that is not the runs' text (lines cannot be matched to positions) is kept as it is
    assert paragraph_pages(["Other text.\nHere."], [runs]) == ["Other text.\nHere."]


def test_a_bold_term_set_out_from_the_description_above_opens_an_entry() -> None:
    from askrel.reading.paragraphs import opens_list_entry

    # a shell's variables, as groff sets them: the term at the body's indent, the
    # description further in, and no space between one entry and the next
    lines = [LineStart(700.0, 10.0, True, x=108.0, opens_bold=True),    # FCEDIT
             LineStart(688.0, 10.0, False, x=144.0),                    # The default editor…
             LineStart(676.0, 10.0, True, x=108.0, opens_bold=True),    # FIGNORE
             LineStart(664.0, 10.0, False, x=144.0),                    # A colon-separated …
             LineStart(652.0, 10.0, False, x=108.0, opens_bold=False),  # roman, out: no term
             LineStart(640.0, 10.0, False, x=108.0, opens_bold=True)]   # bold, not out
    assert [n for n in range(1, len(lines)) if opens_list_entry(lines, n)] == [2]
    texts = ["FCEDIT", "The default editor for the fc builtin command.", "FIGNORE",
             "A colon-separated list of suffixes to ignore.", "And more.", "Bold."]
    assert 2 in paragraph_starts(texts, lines, usual_steps([lines]))
