"""The embedding model run with sentence-transformers and torch (the reference encoder)."""

from __future__ import annotations

import os

from askrel.embedding.base import TokenBatch, read_compatibility_forms
from askrel.embedding.models import resolve_model


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
