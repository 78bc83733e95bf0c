"""The question as it is searched: cleaned, joined with the conversation, and embedded."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from askrel.embedding.base import Embedder

MAX_QUESTION_CHARS = 1000


class QuestionError(ValueError):
    """A question askrel cannot search for; the message says why."""


@dataclass(frozen=True, eq=False)
class Query:
    """One text searched for, its normalized vector, and its weight in the fusion."""

    text: str
    vector: np.ndarray
    weight: float


def clean_question(text: str) -> tuple[str, str | None]:
    """The question with control characters removed and length bounded, plus a note if changed."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned or not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("Please type a question (it was empty or had no words).")
    if len(cleaned) > MAX_QUESTION_CHARS:
        return cleaned[:MAX_QUESTION_CHARS], (
            f"The question was {len(cleaned):,} characters long; only the first "
            f"{MAX_QUESTION_CHARS:,} were used.")
    return cleaned, None


def build_queries(text: str, context: Sequence[str], embedder: Embedder,
                  history_weight: float) -> list[Query]:
    """The question in the light of the conversation first (weight 1), then, in a follow-up,
    the question alone (weight `history_weight`)."""
    texts = [" ".join([*context, text])] + ([text] if context else [])
    vectors = embedder.embed(texts)
    weights = [1.0, history_weight]
    return [Query(t, v, w) for t, v, w in zip(texts, vectors, weights, strict=False)]


def marking_query(queries: Sequence[Query]) -> Query:
    """What sentences are marked against: in a follow-up, the question in context and the
    question alone together, so the mark lands on what is asked, not on the topic."""
    if len(queries) == 1:
        return queries[0]
    mixed = queries[0].vector + queries[1].vector
    return Query(queries[0].text, mixed / max(float(np.linalg.norm(mixed)), 1e-9), 1.0)
