"""A FAQ question set with half of its answers cut out of its sources.

The FAQ sets (eval/faq, eval/faq2) hold only answerable questions, written by the documents'
own authors. "No answer" needs unanswerable questions too, and the ones that test it are
asked of sources on their very topic. This script writes a set's variant in which every
other answer of each file (the first, third, … or the second, fourth, …: `--half`) is cut
out of the text, with the blank line after it: the questions of those answers become
unanswerable, asked of the FAQ that answers their neighbours. The rest keep their answers,
their gold spans moved to match. The two halves together ask every question once each way.

An answer cut out may still be given in other words elsewhere in its FAQ (a FAQ repeats
itself now and then), so a few of these "unanswerable" questions are answerable: the set
measures "no answer" on questions written by others, not a count to fit to the last one.

    python eval/faq_cut.py --set eval/faq --half 0 --out reports/faq-cut0
"""

from __future__ import annotations

import argparse
from pathlib import Path

from faq_kept import rows_by_source, write_rows


def without_answers(text: str, spans: list[tuple[int, int]],
                    cut: list[bool]) -> tuple[str, list[tuple[int, int] | None]]:
    """The text with each span marked in `cut` taken out (with the line ends after it), and
    each span's place in the new text (None for a span cut out), in the order given."""
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    pieces: list[str] = []
    moved: list[tuple[int, int] | None] = [None] * len(spans)
    position, shift = 0, 0
    for i in order:
        start, end = spans[i]
        if not cut[i]:
            moved[i] = (start - shift, end - shift)
            continue
        after = end
        while after < len(text) and text[after] == "\n":
            after += 1
        pieces.append(text[position:start])
        shift += after - start
        position = after
    pieces.append(text[position:])
    return "".join(pieces), moved


def write_variant(question_set: Path, half: int, out: Path) -> tuple[int, int]:
    """Write `out`/sources and `out`/questions.jsonl; returns (answerable, unanswerable)."""
    rows, by_source = rows_by_source(question_set)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    for source, numbers in by_source.items():
        text = Path(source).read_text(encoding="utf-8")
        numbers.sort(key=lambda n: rows[n]["spans"][0]["start"])
        spans = [(rows[n]["spans"][0]["start"], rows[n]["spans"][0]["end"]) for n in numbers]
        cut = [k % 2 == half for k in range(len(numbers))]
        new_text, moved = without_answers(text, spans, cut)
        new_source = (out / "sources" / Path(source).name).as_posix()
        Path(new_source).write_text(new_text, encoding="utf-8")
        for n, place, (start, end) in zip(numbers, moved, spans, strict=True):
            if place is None:
                rows[n] = {"id": rows[n]["id"], "question": rows[n]["question"],
                           "answers": [], "unanswerable": True}
                continue
            assert new_text[place[0]:place[1]] == text[start:end]
            rows[n] = {**rows[n], "sources": [new_source],
                       "spans": [{"source": new_source, "start": place[0], "end": place[1]}]}
    write_rows(out, rows)
    unanswerable = sum(bool(row.get("unanswerable")) for row in rows)
    return len(rows) - unanswerable, unanswerable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="a FAQ set's folder")
    parser.add_argument("--half", type=int, choices=(0, 1), required=True,
                        help="cut the answers at even (0) or odd (1) places of each file")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    answerable, unanswerable = write_variant(args.set, args.half, args.out)
    print(f"{answerable} answerable and {unanswerable} unanswerable questions in {args.out}")


if __name__ == "__main__":
    main()
