"""Highlighting: which sentences of a passage answer the question (pure functions).

Each sentence is scored by the cosine similarity of its in-context vector (pooled from the
passage's own forward pass) to the question. Adding a lexical term-overlap score did not
help on the question set (docs/experiments.md), so the score is the similarity alone. The
passage's heading line is never marked: it names the topic and answers nothing; nor is a
question, nor a sentence that repeats the question asked (results.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from askrel.chunking import introduces
from askrel.reading.sections import SECTION_SEPARATOR, title_forms
from askrel.records import Span

SECOND_SENTENCE_MARGIN = 0.04


def heading_lines(text: str, spans: Sequence[Span], heading: str | None) -> frozenset[int]:
    """Which sentences are the passage's own heading line (the last part of its section path),
    compared folded, with or without a numbering on either ("5.4.3.7 Putting answers on
    multiple columns" under the outline's "Putting answers on multiple columns")."""
    if not heading:
        return frozenset()
    title = title_forms(heading.split(SECTION_SEPARATOR)[-1])
    return frozenset(i for i, (start, end) in enumerate(spans)
                     if title_forms(text[start:end]) & title)


_QUESTION_END = re.compile(r"\?[\"'\u201d\u2019)\]]*\Z")


def question_lines(text: str, spans: Sequence[Span]) -> frozenset[int]:
    """Which sentences are questions: a question answers nothing, whether it heads the answer
    or is a writer's rhetorical one ("What is the issue between them? Find all the answers
    in this article.")."""
    return frozenset(i for i, (start, end) in enumerate(spans)
                     if _QUESTION_END.search(text[start:end].rstrip()))


def introducing_lines(text: str, spans: Sequence[Span]) -> frozenset[int]:
    """Which sentences end with a colon: they introduce what follows ("To import QIF files:"
    before the steps), which is the answer."""
    return frozenset(i for i, (start, end) in enumerate(spans) if introduces(text[start:end]))


def within(spans: Sequence[Span], outer: Span) -> frozenset[int]:
    """Which spans lie inside `outer`."""
    return frozenset(i for i, (start, end) in enumerate(spans)
                     if outer[0] <= start and end <= outer[1])


def pick_highlights(scores: np.ndarray, spans: Sequence[Span],
                    margin: float = SECOND_SENTENCE_MARGIN,
                    skip: frozenset[int] = frozenset(),
                    introducing: frozenset[int] = frozenset()) -> tuple[Span, ...]:
    """The best sentence, plus a neighbour scoring within `margin` of it (merged into one span).
    Sentences in `skip` are not marked unless there is nothing else. A marked sentence in
    `introducing` takes the sentence after it too, unless that one is in `skip`."""
    if len(spans) == 0:
        return ()
    eligible = np.asarray(scores, dtype=np.float64).copy()
    if len(skip) < len(spans):
        eligible[list(skip)] = -np.inf
    best = int(np.argmax(eligible))
    chosen = [best]
    for neighbour in (best - 1, best + 1):
        if 0 <= neighbour < len(spans) and eligible[neighbour] >= eligible[best] - margin:
            chosen.append(neighbour)
            break
    chosen.sort()
    after = chosen[-1] + 1
    if chosen[-1] in introducing and after < len(spans) and np.isfinite(eligible[after]):
        chosen.append(after)
    return ((spans[chosen[0]][0], spans[chosen[-1]][1]),)
