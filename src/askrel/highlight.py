"""Highlighting: which sentences of a passage answer the question (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from askrel.records import Span

LEXICAL_WEIGHT = 0.3
SECOND_SENTENCE_MARGIN = 0.04


def term_overlap(query_terms: set[str], sentence_terms: Sequence[set[str]]) -> np.ndarray:
    """Share of the query's terms found in each sentence (0 when the query has none)."""
    if not query_terms:
        return np.zeros(len(sentence_terms), dtype=np.float32)
    return np.array([len(query_terms & terms) / len(query_terms) for terms in sentence_terms],
                    dtype=np.float32)


def sentence_scores(similarity: np.ndarray, overlap: np.ndarray,
                    lexical_weight: float = LEXICAL_WEIGHT) -> np.ndarray:
    """Score = cosine similarity to the question + lexical_weight * term overlap."""
    return similarity + lexical_weight * overlap


def pick_highlights(scores: np.ndarray, spans: Sequence[Span],
                    margin: float = SECOND_SENTENCE_MARGIN) -> tuple[Span, ...]:
    """The best sentence, plus a neighbour scoring within `margin` of it (merged into one span)."""
    if len(spans) == 0:
        return ()
    best = int(np.argmax(scores))
    chosen = [best]
    for neighbour in (best - 1, best + 1):
        if 0 <= neighbour < len(spans) and scores[neighbour] >= scores[best] - margin:
            chosen.append(neighbour)
            break
    chosen.sort()
    return ((spans[chosen[0]][0], spans[chosen[-1]][1]),)
