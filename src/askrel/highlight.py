"""Highlighting: which sentences of a passage answer the question (pure functions).

Each sentence is scored by the cosine similarity of its in-context vector (pooled from the
passage's own forward pass) to the question. Adding a lexical term-overlap score did not
help on the question set (docs/experiments.md), so the score is the similarity alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from askrel.records import Span

SECOND_SENTENCE_MARGIN = 0.04


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
