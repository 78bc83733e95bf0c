"""The vector index: FAISS over unit vectors (inner product = cosine). FAISS lives only here."""

from __future__ import annotations

from pathlib import Path

import numpy as np

VECTOR_FILE = "vectors.faiss"


class VectorIndex:
    """build / search / save / load over row ids 0..n-1."""

    def __init__(self, index: object, kind: str) -> None:
        self._index = index
        self.kind = kind

    @property
    def size(self) -> int:
        return int(self._index.ntotal)  # type: ignore[attr-defined]

    @classmethod
    def build(cls, vectors: np.ndarray) -> VectorIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(vectors)
        return cls(index, "flat")

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one query vector; `allowed` restricts to those row ids."""
        import faiss

        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
        scores, ids = self._index.search(query, k, params=params)  # type: ignore[attr-defined]
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def save(self, directory: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(directory / VECTOR_FILE))

    @classmethod
    def load(cls, directory: Path, kind: str = "flat") -> VectorIndex:
        import faiss

        return cls(faiss.read_index(str(directory / VECTOR_FILE)), kind)
