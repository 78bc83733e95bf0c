"""A FAQ question set with the authors' questions put back in its sources.

The FAQ sets (eval/faq, eval/faq2) leave each question out of the text it is asked of, so
that a question's own words cannot find its answer. A FAQ as people keep it has the question
right above its answer, and askrel must not mistake that copy of the question for a pointer
to the answer elsewhere (answering/pointers.py). This script writes a set's variant with
every question back before its answer, and the questions with their gold spans moved to
match. `--style` says how a question is written (`STYLES`): a plain line (`text`), a Markdown
heading (`markdown`, the files renamed .md), a line underlined with dashes as reStructuredText
and Markdown's setext headings are (`underlined`), a numbered line (`numbered`), or right above
its answer with no blank line between (`text-tight`, `markdown-tight`, and `definition`, an
AsciiDoc labelled list: "Question?::"). `make eval` measures three of them.

    python eval/faq_kept.py --set eval/faq --style markdown --out reports/faq-kept
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

# How each style writes the n-th question of a file above its answer, and the files' suffix.
STYLES = {
    "text": (lambda q, n: f"{q}\n\n", ".txt"),  # a plain line, a blank line under it
    "markdown": (lambda q, n: f"## {q}\n\n", ".md"),
    "underlined": (lambda q, n: f"{q}\n{'-' * len(q)}\n\n", ".txt"),  # reStructuredText
    "numbered": (lambda q, n: f"{n}. {q}\n\n", ".txt"),
    # the question right above its answer, no blank line between
    "text-tight": (lambda q, n: f"{q}\n", ".txt"),
    "markdown-tight": (lambda q, n: f"### {q}\n", ".md"),
    "definition": (lambda q, n: f"{q}::\n", ".txt"),  # an AsciiDoc labelled list
}


def question_lines(question: str, style: str, number: int = 1) -> str:
    """How a style writes a question (the file's `number`-th) above its answer."""
    write, _ = STYLES[style]
    return write(question, number)


def with_questions(text: str, questions: list[tuple[str, int, int]],
                   style: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with each (question, start, end) answer's question on a line before it, and
    each answer's span in the new text, in the order given."""
    order = sorted(range(len(questions)), key=lambda i: questions[i][1])
    pieces, moved, position, shift = [], [(0, 0)] * len(questions), 0, 0
    for number, i in enumerate(order, start=1):
        question, start, end = questions[i]
        lines = question_lines(question, style, number)
        pieces += [text[position:start], lines]
        shift += len(lines)
        moved[i] = (start + shift, end + shift)
        position = start
    pieces.append(text[position:])
    return "".join(pieces), moved


def rows_by_source(question_set: Path) -> tuple[list[dict], dict[str, list[int]]]:
    """A FAQ set's question rows, and the numbers of each source's rows (a row has one gold
    span), in the set's order."""
    rows = [json.loads(line) for line in (question_set / "questions.jsonl").open()]
    by_source: dict[str, list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        (span,) = row["spans"]
        by_source[span["source"]].append(n)
    return rows, by_source


def write_rows(folder: Path, rows: list[dict]) -> None:
    """A variant's questions, one JSON object a line, as `folder`/questions.jsonl."""
    with (folder / "questions.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_variant(question_set: Path, style: str, out: Path) -> int:
    """Write `out`/sources and `out`/questions.jsonl; returns the number of questions."""
    _, suffix = STYLES[style]
    rows, by_source = rows_by_source(question_set)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    for source, numbers in by_source.items():
        text = Path(source).read_text(encoding="utf-8")
        asked = [(rows[n]["question"], rows[n]["spans"][0]["start"], rows[n]["spans"][0]["end"])
                 for n in numbers]
        new_text, spans = with_questions(text, asked, style)
        new_source = (out / "sources" / Path(source).with_suffix(suffix).name).as_posix()
        Path(new_source).write_text(new_text, encoding="utf-8")
        for n, (start, end) in zip(numbers, spans, strict=True):
            old = rows[n]["spans"][0]
            assert new_text[start:end] == text[old["start"]:old["end"]]
            rows[n] = {**rows[n], "sources": [new_source],
                       "spans": [{"source": new_source, "start": start, "end": end}]}
    write_rows(out, rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="a FAQ set's folder")
    parser.add_argument("--style", choices=sorted(STYLES), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    count = write_variant(args.set, args.style, args.out)
    print(f"{count} questions, their {args.style} questions kept, in {args.out}")


if __name__ == "__main__":
    main()
