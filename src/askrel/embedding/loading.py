"""Choosing and loading the embedder for a build or for answering questions."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from askrel.embedding.base import Embedder
from askrel.embedding.models import resolve_model
from askrel.embedding.onnx_encoder import (
    OnnxEncoder,
    ensure_export,
    export_dir,
    read_export,
    usable_export,
)
from askrel.embedding.torch_encoder import SentenceTransformerEncoder

log = logging.getLogger(__name__)

PRECISIONS = ("fp32", "int8")
# The precision index builds use unless told otherwise; int8 becomes the default only if it
# keeps the question-set metrics (see docs/performance.md for the measurement).
DEFAULT_PRECISION = "fp32"


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision '{precision}'; choose one of {', '.join(PRECISIONS)}.")
    return precision


def build_precision(index_dir: Path | None, model: str | None, precision: str | None) -> str:
    """The precision a build will really use: int8 falls back to fp32 if its export failed."""

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

    name = resolve_model(model)[0]
    precision = (encoder or {}).get("precision", "fp32")
    for candidate in dict.fromkeys([precision, "fp32"]):
        if usable_export(index_dir, name, candidate):
            return Embedder(OnnxEncoder(export_dir(index_dir, name, candidate), threads=1))
    return Embedder(SentenceTransformerEncoder(model))


def model_cache() -> Path:
    """Where the model's ONNX export is kept for an index with no folder of its own (Milvus):
    ASKREL_CACHE_DIR, else $XDG_CACHE_HOME/askrel, else ~/.cache/askrel."""
    if os.environ.get("ASKREL_CACHE_DIR"):
        return Path(os.environ["ASKREL_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "askrel"


def load_cached_embedder(model: str | None, *, threads: int | None = None) -> Embedder:
    """The model as its verified fp32 ONNX export in `model_cache()` (exported on first use,
    once per machine), as a local index keeps one in its folder: the same vectors as torch
    (checked when exported) at a fraction of torch's start-up and per-question cost. Torch
    when the cache cannot be written or the export is not close enough."""
    try:
        return load_embedder(model, index_dir=model_cache(), threads=threads)
    except OSError as exc:
        log.warning("No ONNX export in %s (%s); embedding with torch.", model_cache(), exc)
        return Embedder(SentenceTransformerEncoder(model))
