"""The one interface a search needs from where an index is kept.

`Searcher` ranks, fuses, marks sentences and cites through it; a backend only finds
candidates and hands back stored records. Passage ids are 0..size-1 within one revision of the
index, and a source's passages have consecutive ids in reading order (a follow-up question
looks at a passage's neighbours).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from askrel.records import Passage, SourceMeta


class LexicalRun(Protocol):
    """One question's BM25 scores, read as the ranking needs them."""

    def found(self) -> bool:
        """True when some allowed passage contains a term of the question."""
        ...

    def top(self, k: int) -> list[int]:
        """Ids of the k best-scoring passages (positive scores only), best first."""
        ...

    def scores_of(self, ids: np.ndarray) -> np.ndarray:
        """The BM25 score of each given passage (0 where none of its terms occur)."""
        ...


class Backend(Protocol):
    """Candidate retrieval and stored records of one revision of an index."""

    manifest: dict[str, Any]  # model, encoder, dimension, chunking, sources, passages, ...

    @property
    def size(self) -> int:
        """How many passages this revision holds."""
        ...

    @property
    def location(self) -> str:
        """Where the index is, for messages: a folder, or a Milvus URI and collection."""
        ...

    @property
    def local_dir(self) -> Path | None:
        """The index folder when there is one (calibration and an ONNX encoder live there)."""
        ...

    def is_current(self) -> bool:
        """False once a newer revision has been switched in."""
        ...

    def dense_top(self, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> list[int]:
        """Ids of the k passages whose vectors are closest to `vector`, among `allowed`."""
        ...

    def lexical(self, text: str, allowed: np.ndarray | None) -> LexicalRun:
        """BM25 scores of the question `text`, zero outside `allowed`."""
        ...

    def passage_vectors(self, ids: np.ndarray) -> np.ndarray:
        """[len(ids), dimension] float32: the stored vector of each passage, in order."""
        ...

    def sentence_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Each passage's sentence vectors, [sentences, dimension], in sentence order."""
        ...

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        """The stored passages by id (unknown ids are left out)."""
        ...

    def same_as(self, ids: Sequence[int]) -> dict[int, int]:
        """For each given passage repeating an earlier one's text: id -> the earlier id."""
        ...

    def ids_of_sources(self, sources: Sequence[str]) -> list[int]:
        """The ids of every passage of the given sources."""
        ...

    def sources(self) -> list[dict[str, Any]]:
        """One row per source: source, title, publisher, author, date, url, content_hash,
        passages, indexed_at."""
        ...

    def passages_of(self, source: str) -> Iterator[Passage]:
        """A source's passages in reading order."""
        ...

    def meta(self, source: str) -> SourceMeta:
        """What is known of a source (empty when it is not indexed)."""
        ...

    def terms(self, text: str) -> list[str]:
        """Stemmed, stopword-free terms of any text, as the names check compares them."""
        ...

    def vocabulary(self, sources: Sequence[str] | None) -> frozenset[str]:
        """Every term of the passages (of the given sources only, when some are given)."""
        ...


def scores_top(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the k highest positive scores, best first."""
    from askrel.answering.fusion import top_indices

    return top_indices(scores, k)


class FullScores:
    """A LexicalRun over a score for every passage (what the local BM25 gives)."""

    def __init__(self, scores: np.ndarray) -> None:
        self._scores = scores

    def found(self) -> bool:
        return bool(self._scores.any())

    def top(self, k: int) -> list[int]:
        return scores_top(self._scores, k)

    def scores_of(self, ids: np.ndarray) -> np.ndarray:
        return np.asarray(self._scores[ids], dtype=np.float32)
