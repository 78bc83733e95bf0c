"""Building the results: each ranked passage with its marked sentences and its citation."""

from __future__ import annotations

import numpy as np

from askrel.answering.highlight import (
    heading_lines,
    introducing_lines,
    pick_highlights,
    question_lines,
    within,
)
from askrel.answering.pointers import heading_span, question_copy
from askrel.answering.queries import Query
from askrel.answering.retrieval import Candidates
from askrel.backends.base import Backend
from askrel.records import Citation, Hit, Passage, SourceMeta, Span


def build_hits(backend: Backend, candidates: Candidates, passages: dict[int, Passage],
               query: Query, logits: dict[int, float] | None = None,
               asked: str | None = None) -> list[Hit]:
    """The results, ranked as the candidates, from their passages as read (`passages`).

    A hit's relevance is the cosine of its passage or of its best sentence to `query`,
    whichever is higher; `logits` are the cross-encoder's, when it read them. Sentences that
    repeat the question `asked` are not marked (they never answer it).
    """
    ids = candidates.ids.tolist()
    sentence_vectors = backend.sentence_vectors(ids)
    passage_vectors = backend.passage_vectors(np.asarray(ids, dtype=np.int64))
    hits = []
    scores = candidates.scores.tolist()
    for rank, (pid, score) in enumerate(zip(ids, scores, strict=True), start=1):
        passage = passages[pid]
        similarity = float(passage_vectors[rank - 1] @ query.vector)
        highlights, best = highlight(passage, sentence_vectors[pid], query.vector, asked)
        hits.append(Hit(rank, score, max(similarity, best), passage.text, highlights,
                        citation(passage, backend.meta(passage.source)), pid,
                        logits.get(pid) if logits is not None else None))
    return hits


def highlight(passage: Passage, sentence_vectors: np.ndarray, query_vector: np.ndarray,
              asked: str | None = None) -> tuple[tuple[Span, ...], float]:
    """The marked sentence(s) and the best sentence's similarity to the query. Neither the
    passage's heading line, nor a question, nor a copy of the question `asked` (a FAQ's
    question above its answer, with its heading markup: "### How do I …?") is marked unless
    there is nothing else; a marked sentence that ends with a colon takes the next one too."""
    spans = passage.sentences
    if not spans:
        return (), 0.0
    vectors = np.asarray(sentence_vectors[:len(spans)], dtype=np.float32)
    similarity = vectors @ query_vector
    skip = (heading_lines(passage.text, spans, passage.heading)
            | question_lines(passage.text, spans))
    copy = question_copy(asked, passage.text) if asked else None
    if copy:
        skip |= within(spans, heading_span(passage.text, copy) or copy)
    return (pick_highlights(similarity, spans, skip=skip,
                            introducing=introducing_lines(passage.text, spans)),
            float(similarity.max()))


def citation(passage: Passage, meta: SourceMeta) -> Citation:
    """Where a passage stands: its source's metadata, page and span; a PDF's section."""
    return Citation(passage.source, meta.title, meta.publisher, meta.author, meta.date,
                    meta.url, passage.page, passage.char_start, passage.char_end,
                    passage.heading if passage.page is not None else None,
                    passage.page_label, passage.continued)
