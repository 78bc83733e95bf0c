"""A FAQ question set typeset as PDFs with its questions kept, and the same text as text files.

Many FAQs reach their readers as PDFs: each question in bold type above its answer, the prose
wrapped to the page, examples in a fixed-width font. This script writes both forms of a FAQ
set (eval/faq, eval/faq2): `pdf/` and `txt/`, each with `sources/` and `questions.jsonl`.
The questions are judged by answer strings in both forms, so the two can be compared: each
sentence of six words or more of the gold answer that occurs once in its file (a passage
holding one of them overlaps the answer). A question without such a sentence is left out.
Characters outside Latin-1 (the PDF's core fonts) are replaced in both forms alike.
`--style` says how the PDF sets each question (`STYLES`); the text files keep it as a plain
line above its answer.

    python eval/faq_pdf.py --set eval/faq2 --out reports/faq2-pdf
    askrel index --sources reports/faq2-pdf/pdf/sources --index reports/faq2-pdf/pdf/index
    askrel eval --questions reports/faq2-pdf/pdf/questions.jsonl \\
        --index reports/faq2-pdf/pdf/index --mode hybrid/no-rerank --mode hybrid
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from faq_kept import rows_by_source, with_questions, write_rows

from askrel.chunking import split_sentences
from askrel.evaluation.questions import normalize
from askrel.reading.chrome import CODE_INDENT, prose_indent, split_lines

MIN_ANSWER_WORDS = 6


def latin1(char: str) -> str:
    """One Latin-1 character for `char`: itself, its decomposed base letter, or "?"."""
    if ord(char) < 256:
        return char
    base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
    return base[:1] or {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}.get(
        char, "-" if char in "\u2013\u2014" else "?")


def answer_strings(text: str, start: int, end: int) -> list[str]:
    """The sentences of text[start:end] of MIN_ANSWER_WORDS words or more found once in text."""
    whole = normalize(text)  # as `askrel eval` matches answer strings
    sentences = [normalize(text[s:e]) for s, e in split_sentences(text, start, end)]
    return [s for s in sentences if len(s.split()) >= MIN_ANSWER_WORDS and whole.count(s) == 1]


# How each style sets the n-th question of a file: (font style, size, its line, space under it)
STYLES = {
    "bold": ("B", 12, lambda q, n: q, 2),  # bold and larger, a space under it
    "numbered": ("B", 12, lambda q, n: f"{n}. {q}", 2),
    "tight": ("B", 10, lambda q, n: q, 0),  # bold body type, the answer right under it
    "numbered-tight": ("B", 10, lambda q, n: f"{n}. {q}", 0),
    "plain": ("", 10, lambda q, n: q, 2),  # body type, a paragraph of its own
    "plain-tight": ("", 10, lambda q, n: q, 0),
}


def typeset(text: str, questions: set[str], path: Path, style: str = "bold") -> None:
    """Write text as a PDF: questions as `style` sets them (bold 12 pt by default), examples
    (paragraphs indented deeper than the prose, as askrel reads a text file's code) line by
    line in Courier 9 pt, prose paragraphs rewrapped in Helvetica 10 pt."""
    from fpdf import FPDF

    font_style, size, line_of, space = STYLES[style]
    number = 0
    prose = prose_indent(split_lines(text, 0, len(text)))
    pdf = FPDF()
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()

    def cell(height: float, line: str) -> None:
        pdf.multi_cell(0, height, line, new_x="LMARGIN", new_y="NEXT")

    for paragraph in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        indent = min(len(line) - len(line.lstrip()) for line in lines)
        gap = 2
        if paragraph.strip() in questions:
            number += 1
            pdf.set_font("helvetica", font_style, size)
            cell(size / 2, line_of(paragraph.strip(), number))
            gap = space
        elif indent >= prose + CODE_INDENT:
            pdf.set_font("courier", "", 9)
            for line in lines:
                cell(4.5, line.rstrip()[indent:])
        else:
            pdf.set_font("helvetica", "", 10)
            cell(5, " ".join(line.strip() for line in lines))
        pdf.ln(gap)
    pdf.output(str(path))


def write_judged_forms(question_set: Path, out: Path, form: str,
                       write: Callable[[str, set[str], Path], None],
                       prepare: Callable[[str], str] = str) -> tuple[int, int]:
    """Write a FAQ set with its questions kept as plain lines, `prepare`d, twice: as text files
    (out/txt) and by `write(text, questions, path)` (out/`form`, files named .`form`), each
    with the questions that have answer strings; returns (questions in the set, kept)."""
    rows, by_source = rows_by_source(question_set)
    kept: dict[str, list[dict]] = {form: [], "txt": []}
    for name in kept:
        (out / name / "sources").mkdir(parents=True, exist_ok=True)
    for source, numbers in by_source.items():
        asked = [(rows[n]["question"], rows[n]["spans"][0]["start"], rows[n]["spans"][0]["end"])
                 for n in numbers]
        text, spans = with_questions(Path(source).read_text(encoding="utf-8"), asked, "text")
        text = prepare(text)  # one character for one: the spans still hold
        stem = Path(source).stem
        files = {form: out / form / "sources" / f"{stem}.{form}",
                 "txt": out / "txt" / "sources" / f"{stem}.txt"}
        files["txt"].write_text(text, encoding="utf-8")
        write(text, {prepare(q) for q, _, _ in asked}, files[form])
        for n, (start, end) in zip(numbers, spans, strict=True):
            answers = answer_strings(text, start, end)
            if answers:
                for name, path in files.items():
                    kept[name].append({"id": rows[n]["id"], "question": rows[n]["question"],
                                       "sources": [path.as_posix()], "answers": answers})
    for name, questions in kept.items():
        write_rows(out / name, questions)
    return len(rows), len(kept[form])


def forms_main(doc: str, form: str, write: Callable[[str, set[str], Path], None],
               described: str) -> None:
    """The command line of a script that writes a FAQ set in one more form beside text
    (faq_html.py, faq_word.py): --set and --out, then `write_judged_forms`."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="a FAQ set's folder")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    total, kept = write_judged_forms(args.set, args.out, form, write)
    print(f"{kept} of {total} questions, as {described} and as text, in {args.out}")


def write_forms(question_set: Path, out: Path, style: str = "bold") -> tuple[int, int]:
    """Write out/pdf and out/txt; returns (questions in the set, questions kept)."""
    return write_judged_forms(
        question_set, out, "pdf",
        lambda text, questions, path: typeset(text, questions, path, style),
        lambda text: "".join(latin1(char) for char in text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="a FAQ set's folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--style", choices=STYLES, default="bold",
                        help="how the PDF sets each question (the text files keep a plain line)")
    args = parser.parse_args()
    total, kept = write_forms(args.set, args.out, args.style)
    print(f"{kept} of {total} questions, as PDFs and as text, in {args.out}")


if __name__ == "__main__":
    main()
