"""Validate eval/manuals/questions.jsonl against the PDF text extracted by pypdf.

Run from the project root:

    .venv/bin/python eval/manuals/check_answers.py [--pages]

Checks: every line parses as a JSON object, ids are unique, every answerable
question has 1-3 answers and a `sources` list, every answer string occurs in the
text of each listed source (lowercased, whitespace runs collapsed to one space,
nothing else normalised), unanswerable questions have empty answers, and
`history` (if present) is a non-empty list of strings. With --pages, also
prints the PDF page numbers (1-based) on which each answer string occurs.
Exit status is 0 when everything passes, 1 otherwise.

Answers are matched against each page's text and against the whole document
(pages joined with a newline); a match that exists only across a page break is
reported as a failure, because passages are unlikely to span it.
"""

import json
import re
import sys
from pathlib import Path

import pypdf

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
QUESTIONS = HERE / "questions.jsonl"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def main() -> int:
    show_pages = "--pages" in sys.argv[1:]
    errors: list[str] = []
    pages_cache: dict[str, list[str]] = {}

    def pages_of(src: str) -> list[str]:
        if src not in pages_cache:
            reader = pypdf.PdfReader(str(ROOT / src))
            pages_cache[src] = [norm(p.extract_text() or "") for p in reader.pages]
        return pages_cache[src]

    records = []
    for lineno, line in enumerate(QUESTIONS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"line {lineno}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {lineno}: invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            errors.append(f"line {lineno}: not a JSON object")
            continue
        records.append((lineno, obj))

    ids = [obj.get("id") for _, obj in records]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        errors.append(f"duplicate ids: {dupes}")

    allowed = {"id", "question", "answers", "sources", "unanswerable", "history"}
    n_answerable = n_unanswerable = n_followups = n_answer_strings = 0
    per_source: dict[str, int] = {}

    for lineno, obj in records:
        qid = obj.get("id", f"line {lineno}")
        extra = set(obj) - allowed
        if extra:
            errors.append(f"{qid}: unexpected keys {sorted(extra)}")
        if not isinstance(obj.get("question"), str) or not obj["question"].strip():
            errors.append(f"{qid}: missing or empty question")
        answers = obj.get("answers")
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            errors.append(f"{qid}: answers must be a list of strings")
            continue
        history = obj.get("history")
        if history is not None:
            if not isinstance(history, list) or not history or not all(
                isinstance(h, str) and h.strip() for h in history
            ):
                errors.append(f"{qid}: history must be a non-empty list of strings")
            else:
                n_followups += 1

        if obj.get("unanswerable", False):
            n_unanswerable += 1
            if answers:
                errors.append(f"{qid}: unanswerable but answers is not empty")
            continue

        n_answerable += 1
        if not 1 <= len(answers) <= 3:
            errors.append(f"{qid}: expected 1-3 answers, got {len(answers)}")
        sources = obj.get("sources")
        if not isinstance(sources, list) or not sources:
            errors.append(f"{qid}: answerable question without sources")
            continue
        for src in sources:
            if not (ROOT / src).is_file():
                errors.append(f"{qid}: source not found: {src}")
                continue
            per_source[src] = per_source.get(src, 0) + 1
            pages = pages_of(src)
            whole = "\n".join(pages)
            for ans in answers:
                n_answer_strings += 1
                needle = norm(ans)
                hits = [i + 1 for i, p in enumerate(pages) if needle in p]
                if hits:
                    if show_pages:
                        print(f"{qid}  {Path(src).name}  pages {hits}  {ans!r}")
                elif needle in norm(whole):
                    errors.append(f"{qid}: {ans!r} only matches across a page break in {src}")
                else:
                    errors.append(f"{qid}: {ans!r} not found in {src}")

    print(f"questions: {len(records)}  answerable: {n_answerable}  "
          f"unanswerable: {n_unanswerable}  follow-ups: {n_followups}  "
          f"answer strings checked: {n_answer_strings}")
    for src, n in sorted(per_source.items()):
        print(f"  {src}: {n} answerable questions")
    if errors:
        print(f"FAILED ({len(errors)} problems):")
        for e in errors:
            print("  " + e)
        return 1
    print("OK: all lines parse, ids unique, every answer found in its source, "
          "unanswerable questions have no answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
