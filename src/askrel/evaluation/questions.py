"""Reading and checking an evaluation question set (JSON Lines; format in eval/README.md)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

MAX_ERRORS_SHOWN = 10


class QuestionsFileError(ValueError):
    """A question file askrel cannot use; the message names the file, the line and the reason."""


@dataclass(frozen=True)
class Question:
    """One evaluation question; `answers` is empty exactly when it is unanswerable."""

    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...] = ()
    unanswerable: bool = False
    history: tuple[str, ...] = ()
    line: int = 0


def normalize(text: str) -> str:
    """Lowercase and collapse every run of whitespace to one space (the answer-matching rule)."""
    return re.sub(r"\s+", " ", text.lower())


def contains_answer(text: str, answers: tuple[str, ...] | list[str]) -> bool:
    """True when any answer string is a case- and whitespace-insensitive substring of `text`."""
    haystack = normalize(text)
    return any(normalize(a).strip() in haystack for a in answers if a.strip())


def _string_list(item: dict, key: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{key}' must be a list of strings")
    return tuple(value)


def parse_question(item: object, line: int) -> Question:
    """One checked question from one decoded JSON line; raises ValueError saying what is wrong."""
    if not isinstance(item, dict):
        raise ValueError("each line must be a JSON object")
    for key in ("question", "answers"):
        if key not in item:
            raise ValueError(f"missing key '{key}'")
    text = item["question"]
    if not isinstance(text, str) or not any(ch.isalnum() for ch in text):
        raise ValueError("'question' must be a non-empty string")
    answers = _string_list(item, "answers")
    if any(not a.strip() for a in answers):
        raise ValueError("'answers' must not contain empty strings (they would match anything)")
    unanswerable = item.get("unanswerable", False)
    if not isinstance(unanswerable, bool):
        raise ValueError("'unanswerable' must be true or false")
    if unanswerable and answers:
        raise ValueError("an unanswerable question must have no answers")
    if not unanswerable and not answers:
        raise ValueError("'answers' is empty; give at least one answer or set "
                         "\"unanswerable\": true")
    qid = item.get("id", f"line{line}")
    if not isinstance(qid, str) or not qid.strip():
        raise ValueError("'id' must be a non-empty string")
    return Question(qid, text, answers, _string_list(item, "sources"), unanswerable,
                    _string_list(item, "history"), line)


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
