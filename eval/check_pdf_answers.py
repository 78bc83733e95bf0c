"""Check a question set over PDFs (eval/manuals, eval/heldout, ...) against their text.

Run from the project root:

    .venv/bin/python eval/check_pdf_answers.py eval/manuals/questions.jsonl [--pages]

The file is read by askrel's own question loader (format, unique ids, answers empty exactly for
unanswerable questions). Then every answer string must occur, by askrel's answer matching
(lowercased, whitespace collapsed), on a page of each listed source as askrel reads it
(pypdf's text, with words that extraction split apart joined again), or,
for an answer in a sentence that a page break cuts in two, in a passage askrel builds over the
break (a page's last passage takes the rest of its sentence from the next page; running
headers and footers are not in it). With --pages, the pages (from 1) on which each answer
occurs are printed. Exit status 0 when all passes, 1 otherwise.
"""

from __future__ import annotations

import sys
from collections import Counter
from functools import cache
from pathlib import Path

from askrel.evaluation.questions import QuestionsFileError, load_questions, normalize

ROOT = Path(__file__).resolve().parent.parent


@cache
def spanning_passages(source: str) -> tuple[tuple[str, int], ...]:
    """The normalized text and first page of askrel's passages that go on over a page break."""
    from askrel.indexing.build import ChunkSettings, document_passages
    from askrel.reading.sources import read_document

    path = ROOT / source
    doc = read_document(path, path.parent, ROOT)
    return tuple((normalize(p.text), p.page or 0)
                 for p in document_passages(doc, ChunkSettings()) if p.continued)


@cache
def page_texts(source: str) -> tuple[str, ...]:
    """The normalized text of each page as askrel reads it (pypdf's text, with words that
    extraction split apart joined again); "" for a page without text."""
    from askrel.reading.sources import read_pdf

    _, units = read_pdf((ROOT / source).read_bytes())
    by_page = {unit.page: unit.text for unit in units}
    return tuple(normalize(by_page.get(n, "")) for n in range(1, max(by_page) + 1))


def answer_problems(qid: str, source: str, answers: tuple[str, ...], show_pages: bool) -> list[str]:
    if not (ROOT / source).is_file():
        return [f"{qid}: source not found: {source}"]
    pages = page_texts(source)
    problems = []
    for answer in answers:
        needle = normalize(answer)
        hits = [i + 1 for i, text in enumerate(pages) if needle in text]
        across = [page for text, page in spanning_passages(source) if needle in text]
        if hits and show_pages:
            print(f"{qid}  {Path(source).name}  pages {hits}  {answer!r}")
        elif not hits and across:
            if show_pages:
                print(f"{qid}  {Path(source).name}  across pages "
                      f"{[f'{p}-{p + 1}' for p in across]}  {answer!r}")
        elif not hits:
            where = ("only across a page break" if needle in normalize(" ".join(pages))
                     else "nowhere")
            problems.append(f"{qid}: {answer!r} occurs {where} in {source}")
    return problems


def main() -> int:
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(paths) != 1:
        print(__doc__)
        return 2
    try:
        questions = load_questions(Path(paths[0]))
    except QuestionsFileError as exc:
        print(f"FAILED: {exc}")
        return 1
    problems = []
    for q in questions:
        if not q.unanswerable and not q.sources:
            problems.append(f"{q.id}: answerable question without sources")
        for source in q.sources:
            problems += answer_problems(q.id, source, q.answers, "--pages" in sys.argv[1:])
    answerable = [q for q in questions if not q.unanswerable]
    print(f"questions: {len(questions)}  answerable: {len(answerable)}  "
          f"unanswerable: {len(questions) - len(answerable)}  "
          f"follow-ups: {sum(1 for q in questions if q.history)}")
    for source, n in sorted(Counter(s for q in answerable for s in q.sources).items()):
        print(f"  {source}: {n} answerable questions")
    if problems:
        print(f"FAILED ({len(problems)} problems):", *problems, sep="\n  ")
        return 1
    print("OK: the file loads, and every answer occurs on a page of its source, or in a "
          "passage over a page break")
    return 0


if __name__ == "__main__":
    sys.exit(main())
