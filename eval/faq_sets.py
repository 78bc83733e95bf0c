"""What the builders of the FAQ question sets (eval/faq/build_faq.py, eval/faq2/build_faq2.py)
share: a source's front matter, the rule that drops an answer unfit to be gold, and joining a
FAQ's blocks into one text with the character span of each answer kept as gold."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

# An answer that only sends the reader elsewhere: one short paragraph that starts so
# ("Look in" is procmail's first answer); a paragraph that only credits its author is ignored.
POINTER = re.compile(r"^(see|read|consult|check out|look in)\b", re.IGNORECASE)
POINTER_MAX_WORDS = 30
CREDIT = "(contributed by"


@dataclass(frozen=True)
class Joined:
    """A FAQ's source text, the (question, start, end) of each answer kept as gold, and the
    (question, reason) of each answer dropped."""

    text: str
    questions: tuple[tuple[str, int, int], ...]
    dropped: tuple[tuple[str, str], ...]


def front_matter(fields: dict[str, str]) -> str:
    lines = ["---"]
    for key in ("title", "publisher", "author", "date", "url"):
        value = fields.get(key, "")
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}" if value else f"{key}:")
    return "\n".join(lines + ["---", ""])


def drop_reason(answer: str) -> str | None:
    """Why an answer cannot serve as gold: empty, or only a pointer to other documentation."""
    if not answer.strip():
        return "empty answer"
    paragraphs = [p for p in re.split(r"\n\s*\n", answer.strip())
                  if not p.strip().startswith(CREDIT)]
    if len(paragraphs) == 1 and len(paragraphs[0].split()) <= POINTER_MAX_WORDS \
            and POINTER.match(paragraphs[0].strip()):
        return "only a pointer elsewhere"
    return None


def join_blocks(header: str, blocks: Iterable[tuple[str, str | None]]) -> Joined:
    """The (body, question) blocks joined by blank lines after the front matter `header`;
    a block without a question is text outside any answer, an empty block is left out."""
    text = header
    questions: list[tuple[str, int, int]] = []
    dropped: list[tuple[str, str]] = []
    for body, question in blocks:
        reason = drop_reason(body) if question is not None else None
        if reason:
            dropped.append((question or "", reason))
        if not body:
            continue
        if text != header:
            text += "\n"  # a blank line between blocks
        start = len(text)
        text += body + "\n"
        if question is not None and reason is None:
            questions.append((question, start, start + len(body)))
    return Joined(text, tuple(questions), tuple(dropped))


def question_rows(name: str, source: str,
                  questions: Iterable[tuple[str, int, int]]) -> list[dict]:
    """The questions.jsonl rows of one FAQ: ids `<name>-001`…, each answer's span in `source`
    (the source's path as the project names it) as the gold."""
    return [{"id": f"{name}-{number:03d}", "question": question, "sources": [source],
             "spans": [{"source": source, "start": start, "end": end}]}
            for number, (question, start, end) in enumerate(questions, start=1)]
