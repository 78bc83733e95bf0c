"""A deterministic bag-of-words encoder for tests that need exact, model-free vectors."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from askrel.embedding.base import Embedder, TokenBatch


def word_vector(word: str, dimension: int) -> np.ndarray:
    """A fixed pseudo-random vector for a lowercased word."""
    seed = int.from_bytes(hashlib.sha256(word.lower().encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dimension).astype(np.float32)


class FakeEncoder:
    """Each word gets a fixed random vector; texts sharing words get similar embeddings."""

    def __init__(self, dimension: int = 16, name: str = "fake-bag-of-words") -> None:
        self.name = name
        self.dimension = dimension

    def token_outputs(self, texts: list[str]) -> TokenBatch:
        tokens = [[(m.start(), m.end(), m.group()) for m in re.finditer(r"\w+", t)] or
                  [(0, 0, "")] for t in texts]
        width = max(len(t) for t in tokens)
        vectors = np.zeros((len(texts), width, self.dimension), dtype=np.float32)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        offsets = np.zeros((len(texts), width, 2), dtype=np.int64)
        for row, toks in enumerate(tokens):
            for col, (start, end, word) in enumerate(toks):
                vectors[row, col] = word_vector(word, self.dimension)
                mask[row, col] = 1
                offsets[row, col] = (start, end)
        return TokenBatch(vectors, mask, offsets)


def fake_embedder(dimension: int = 16) -> Embedder:
    return Embedder(FakeEncoder(dimension))
