"""The local backend: one index folder of FAISS vectors, bm25s BM25 and SQLite passages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from askrel.backends.base import FullScores, LexicalRun
from askrel.indexing.build import (
    EMBEDDINGS_FILE,
    SENTENCE_VECTORS_FILE,
    IndexOutdated,
    is_outdated,
    require_build,
)
from askrel.indexing.lexical import LexicalIndex
from askrel.indexing.store import STORE_FILE, PassageStore, read_manifest
from askrel.indexing.vectors import VectorIndex, open_rows
from askrel.records import Passage, SourceMeta


class LocalBackend:
    """The live build of an index folder, opened for answering (read-only)."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.build = require_build(index_dir)
        self.manifest: dict[str, Any] = read_manifest(self.build)
        if is_outdated(self.manifest):
            raise IndexOutdated(
                f"The index in {index_dir} was built by an older version of askrel. Rebuild "
                f"it with: askrel index --index {index_dir}")
        self.store = PassageStore(self.build / STORE_FILE)
        self.embeddings = open_rows(self.build / EMBEDDINGS_FILE)
        self.sentence_rows = open_rows(self.build / SENTENCE_VECTORS_FILE)
        self.vectors = VectorIndex.load(self.build)
        self.lexical_index = LexicalIndex.load(self.build, self.manifest["passages"])

    @property
    def size(self) -> int:
        return int(self.manifest["passages"])

    @property
    def location(self) -> str:
        return str(self.index_dir)

    @property
    def local_dir(self) -> Path | None:
        return self.index_dir

    def is_current(self) -> bool:
        return require_build(self.index_dir) == self.build

    def dense_top(self, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> list[int]:
        return [int(i) for i in self.vectors.search(vector, k, allowed)[1]]

    def lexical(self, text: str, allowed: np.ndarray | None) -> LexicalRun:
        scores = self.lexical_index.scores(text)
        if allowed is not None:
            masked = np.zeros_like(scores)
            masked[allowed] = scores[allowed]
            scores = masked
        return FullScores(scores)

    def passage_vectors(self, ids: np.ndarray) -> np.ndarray:
        return np.asarray(self.embeddings[ids], np.float32)

    def sentence_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        rows = self.store.sentence_rows(ids)
        return {pid: np.asarray(self.sentence_rows[first:first + count], np.float32)
                for pid, (first, count) in rows.items()}

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        return {pid: passage for pid, (passage, _) in self.store.get(ids).items()}

    def same_as(self, ids: Sequence[int]) -> dict[int, int]:
        return self.store.same_as(ids)

    def ids_of_sources(self, sources: Sequence[str]) -> list[int]:
        return self.store.ids_of_sources(sources)

    def sources(self) -> list[dict[str, Any]]:
        return self.store.sources()

    def passages_of(self, source: str) -> Iterator[Passage]:
        return (passage for passage, _ in self.store.passages_of(source))

    def meta(self, source: str) -> SourceMeta:
        return self.store.meta(source)

    def terms(self, text: str) -> list[str]:
        return self.lexical_index.terms(text)

    def vocabulary(self, sources: Sequence[str] | None) -> frozenset[str]:
        if sources is None:
            return frozenset(self.lexical_index.vocabulary)
        ids = np.asarray(self.store.ids_of_sources(sources), dtype=np.int64)
        return self.lexical_index.vocabulary_of(ids)
