"""Embedding: texts in, L2-normalized float32 vectors out, plus vectors for spans of each text.

A backend supplies one method, `token_outputs`, giving token vectors with their character
offsets; mean pooling (as all-MiniLM-L6-v2 does) is done here. Pooling the tokens that fall
inside a sentence of a passage gives that sentence a vector in context, from the same forward
pass that embeds the passage, so sentence-level highlighting costs no extra encoding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from askrel.records import Span

DEFAULT_BATCH = 32


@dataclass(frozen=True)
class TokenBatch:
    """Per-token vectors of a batch: vectors [B,T,D], mask [B,T], char offsets [B,T,2]."""

    vectors: np.ndarray
    mask: np.ndarray
    offsets: np.ndarray


class TokenEncoder(Protocol):
    name: str
    dimension: int

    def token_outputs(self, texts: list[str]) -> TokenBatch: ...


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def mean_pool(batch: TokenBatch) -> np.ndarray:
    """Mean of each text's attended token vectors, normalized: the sentence embedding."""
    mask = batch.mask[..., None].astype(np.float32)
    summed = (batch.vectors * mask).sum(axis=1)
    return normalize_rows(summed / np.maximum(mask.sum(axis=1), 1e-9))


def pool_spans(vectors: np.ndarray, offsets: np.ndarray, mask: np.ndarray,
               spans: Sequence[Span]) -> np.ndarray:
    """Normalized mean of the token vectors lying inside each character span of one text.

    A span with no token (cut off by the model's length limit) gets a zero vector.
    """
    out = np.zeros((len(spans), vectors.shape[-1]), dtype=np.float32)
    real = (mask > 0) & (offsets[:, 1] > offsets[:, 0])
    for i, (start, end) in enumerate(spans):
        inside = real & (offsets[:, 0] >= start) & (offsets[:, 1] <= end)
        if inside.any():
            out[i] = vectors[inside].mean(axis=0)
    return normalize_rows(out)


def batches_by_length(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Index batches of similar-length texts (longest first), so padding is small."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


class Embedder:
    """Texts to vectors on top of any TokenEncoder."""

    def __init__(self, encoder: TokenEncoder) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.dimension = encoder.dimension
        self.backend: str = getattr(encoder, "backend", type(encoder).__name__)
        self.precision: str = getattr(encoder, "precision", "fp32")
        # the encoder's fastest batch size (with length-sorted batches), else the default
        self.batch_size: int = getattr(encoder, "batch_size", DEFAULT_BATCH)

    def describe(self) -> dict[str, Any]:
        """What made the vectors, for the index manifest."""
        info: dict[str, Any] = {"backend": self.backend, "precision": self.precision}
        meta = getattr(self.encoder, "meta", None)
        if meta:
            info["verified_cosine"] = meta.get("min_cosine")
        return info

    def embed(self, texts: Sequence[str], *, batch_size: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for ids in batches_by_length(texts, batch_size or self.batch_size):
            out[ids] = mean_pool(self.encoder.token_outputs([texts[i] for i in ids]))
        return out

    def embed_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]], *,
        batch_size: int | None = None, progress: Callable[[int], None] | None = None,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's vector and a vector for each of its spans, from one forward pass."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        span_vectors: list[np.ndarray] = [np.zeros((0, self.dimension), np.float32)] * len(texts)
        for ids in batches_by_length(texts, batch_size or self.batch_size):
            batch = self.encoder.token_outputs([texts[i] for i in ids])
            out[ids] = mean_pool(batch)
            for row, i in enumerate(ids):
                span_vectors[i] = pool_spans(batch.vectors[row], batch.offsets[row],
                                             batch.mask[row], spans[i])
            if progress:
                progress(len(ids))
        return out, span_vectors


def read_compatibility_forms(tokenizer: Any) -> None:
    """Make a `tokenizers` tokenizer read compatibility characters as their plain forms before
    its own normalizer (Unicode NFKC: the ligature "ﬁ" that PDF text often holds becomes "fi",
    full-width "ｆ" becomes "f"), so such words are not unknown tokens. Token offsets still
    index the original text. Applying it twice changes nothing.
    """
    from tokenizers import normalizers

    current = tokenizer.normalizer
    if repr(current).startswith("Sequence(normalizers=[NFKC()"):
        return
    steps = [normalizers.NFKC()] + ([current] if current is not None else [])
    tokenizer.normalizer = normalizers.Sequence(steps)
