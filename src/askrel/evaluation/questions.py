"""Reading and checking an evaluation question set (JSON Lines; format in eval/README.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

MAX_ERRORS_SHOWN = 10


class QuestionsFileError(ValueError):
    """A question file askrel cannot use; the message names the file, the line and the reason."""


@dataclass(frozen=True)
class GoldSpan:
    """Where an answer stands in a source: [start, end) in the file's whole decoded text,
    front matter included (a PDF's: in the text of page `page`), as citations count."""

    source: str
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True)
class Question:
    """One evaluation question; `answers` and `spans` are both empty exactly when it is
    unanswerable."""

    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...] = ()
    unanswerable: bool = False
    history: tuple[str, ...] = ()
    line: int = 0
    spans: tuple[GoldSpan, ...] = ()


def normalize(text: str) -> str:
    """Lowercase and collapse every run of whitespace to one space (the answer-matching rule)."""
    return re.sub(r"\s+", " ", text.lower())


def contains_answer(text: str, answers: tuple[str, ...] | list[str]) -> bool:
    """True when any answer string is a case- and whitespace-insensitive substring of `text`."""
    haystack = normalize(text)
    return any(normalize(a).strip() in haystack for a in answers if a.strip())


Place = tuple[int | None, int, int]  # (page or None, start, end) of a stretch of one source


def overlaps_enough(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when spans [a) and [b) share at least half of the shorter one (the span rule):
    a passage inside a long answer counts, and so does a long passage around a short one."""
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return overlap > 0 and 2 * overlap >= shorter


def covers_span(source: str, places: Sequence[Place], spans: Sequence[GoldSpan]) -> bool:
    """True when a stretch of `source` (a passage, or a marked sentence) at any of `places`
    meets a gold span of the same file and page by the span rule."""
    return any(span.source == source and span.page == page
               and overlaps_enough((start, end), (span.start, span.end))
               for page, start, end in places for span in spans)


def _string_list(item: dict, key: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{key}' must be a list of strings")
    return tuple(value)


def _whole_number(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_span(value: object) -> GoldSpan:
    """One checked gold span from its JSON object; raises ValueError saying what is wrong."""
    if not isinstance(value, dict):
        raise ValueError("each span must be an object with 'source', 'start' and 'end'")
    unknown = sorted(set(value) - {"source", "start", "end", "page"})
    if unknown:
        raise ValueError(f"unknown key(s) in a span: {', '.join(unknown)}")
    source = value.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError("a span's 'source' must be a non-empty string")
    start, end = value.get("start"), value.get("end")
    if not _whole_number(start) or not _whole_number(end):
        raise ValueError("a span's 'start' and 'end' must be whole numbers")
    if start < 0 or end <= start:
        raise ValueError(f"a span must have 0 <= start < end (got {start}..{end})")
    page = value.get("page")
    if page is not None and (not _whole_number(page) or page < 1):
        raise ValueError("a span's 'page' must be a page number (1 or more)")
    return GoldSpan(source, start, end, page)


def _spans(item: dict, sources: tuple[str, ...]) -> tuple[GoldSpan, ...]:
    value = item.get("spans", [])
    if not isinstance(value, list):
        raise ValueError("'spans' must be a list of objects")
    spans = tuple(parse_span(v) for v in value)
    outside = [s.source for s in spans if sources and s.source not in sources]
    if outside:
        raise ValueError(f"span source '{outside[0]}' is not among the question's 'sources'")
    return spans


def parse_question(item: object, line: int) -> Question:
    """One checked question from one decoded JSON line; raises ValueError saying what is wrong."""
    if not isinstance(item, dict):
        raise ValueError("each line must be a JSON object")
    if "question" not in item:
        raise ValueError("missing key 'question'")
    if "answers" not in item and "spans" not in item:
        raise ValueError("missing key 'answers' (or 'spans')")
    text = item["question"]
    if not isinstance(text, str) or not any(ch.isalnum() for ch in text):
        raise ValueError("'question' must be a non-empty string")
    answers = _string_list(item, "answers")
    if any(not a.strip() for a in answers):
        raise ValueError("'answers' must not contain empty strings (they would match anything)")
    sources = _string_list(item, "sources")
    spans = _spans(item, sources)
    unanswerable = item.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise ValueError("'unanswerable' must be true or false")
    if unanswerable and (answers or spans):
        raise ValueError("an unanswerable question must have no answers and no spans")
    if not unanswerable and not answers and not spans:
        raise ValueError("'answers' is empty; give at least one answer or span, or set "
                         "\"unanswerable\": true")
    qid = item.get("id", f"line{line}")
    if not isinstance(qid, str) or not qid.strip():
        raise ValueError("'id' must be a non-empty string")
    return Question(qid, text, answers, sources, unanswerable,
                    _string_list(item, "history"), line, spans)


def load_questions(path: Path) -> list[Question]:
    """All questions of a JSONL file, or QuestionsFileError listing every bad line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise QuestionsFileError(f"{path}: no such file.") from exc
    except OSError as exc:
        raise QuestionsFileError(f"{path}: cannot read it ({exc.strerror}).") from exc
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise QuestionsFileError(f"{path}: not UTF-8 text ({exc.reason} at byte "
                                 f"{exc.start}).") from exc
    questions: list[Question] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not valid JSON ({exc.msg}, column {exc.colno})")
            continue
        try:
            question = parse_question(item, number)
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        if question.id in seen:
            errors.append(f"line {number}: id '{question.id}' already used on line "
                          f"{seen[question.id]}")
            continue
        seen[question.id] = number
        questions.append(question)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        tail = [f"... and {more} more bad line(s)"] if more else []
        raise QuestionsFileError(f"{path}: {len(errors)} bad line(s):\n  "
                                 + "\n  ".join(shown + tail))
    if not questions:
        raise QuestionsFileError(f"{path}: no questions in it (expected one JSON object "
                                 "per line; see eval/README.md).")
    return questions
