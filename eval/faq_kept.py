"""A FAQ question set with the authors' questions put back in its sources.

The FAQ sets (eval/faq, eval/faq2) leave each question out of the text it is asked of, so
that a question's own words cannot find its answer. A FAQ as people keep it has the question
right above its answer, and askrel must not mistake that copy of the question for a pointer
to the answer elsewhere (answering/pointers.py). This script writes a set's variant with
every question back before its answer, as a plain line (`--style text`), a Markdown
heading (`--style markdown`, the files renamed .md) or a line underlined with dashes as
reStructuredText and Markdown's setext headings are (`--style underlined`), and the questions
with their gold spans moved to match. `make eval` builds and measures the first two.

    python eval/faq_kept.py --set eval/faq --style markdown --out reports/faq-kept
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

STYLES = {"text": ("", ".txt"), "markdown": ("## ", ".md"), "underlined": ("", ".txt")}
UNDERLINE = {"underlined": "-"}  # the character that underlines a question, by style


def question_lines(question: str, style: str) -> str:
    """How a style writes a question above its answer, blank line after."""
    marker, _ = STYLES[style]
    underline = UNDERLINE.get(style)
    under = f"\n{underline * len(question)}" if underline else ""
    return f"{marker}{question}{under}\n\n"


def with_questions(text: str, questions: list[tuple[str, int, int]],
                   style: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with each (question, start, end) answer's question on a line before it, and
    each answer's span in the new text, in the order given."""
    order = sorted(range(len(questions)), key=lambda i: questions[i][1])
    pieces, moved, position, shift = [], [(0, 0)] * len(questions), 0, 0
    for i in order:
        question, start, end = questions[i]
        lines = question_lines(question, style)
        pieces += [text[position:start], lines]
        shift += len(lines)
        moved[i] = (start + shift, end + shift)
        position = start
    pieces.append(text[position:])
    return "".join(pieces), moved


def write_variant(question_set: Path, style: str, out: Path) -> int:
    """Write `out`/sources and `out`/questions.jsonl; returns the number of questions."""
    _, suffix = STYLES[style]
    rows = [json.loads(line) for line in (question_set / "questions.jsonl").open()]
    by_source: dict[str, list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        (span,) = row["spans"]
        by_source[span["source"]].append(n)
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
    with (out / "questions.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
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
