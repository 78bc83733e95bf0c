"""The embedding model as ONNX: exported once from sentence-transformers, then run without torch.

An export lives in `<index>/models/<model>-<precision>/` as plain files: `model.onnx`, the fast
tokenizer's `tokenizer.json`, and `encoder.json` saying which model it came from and how close
its vectors came to the torch model's on sample texts. Only a verified export is used; the query
path then needs onnxruntime and tokenizers, never torch.

Precisions: "fp32" is the model as exported (it must reach cosine >= 0.999 to the torch vectors);
"int8" is onnxruntime's dynamic quantization with per-channel weights, about twice as fast on
CPUs with VNNI, whose fitness is judged on the question set (see docs/performance.md).
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from askrel.embedding.base import Embedder, TokenBatch, read_compatibility_forms
from askrel.embedding.models import resolve_model
from askrel.embedding.torch_encoder import SentenceTransformerEncoder

MODELS_DIR = "models"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "encoder.json"
EXPORT_VERSION = 1
PRECISIONS = ("fp32", "int8")
# Least cosine, per text, between the export's vectors and the torch model's.
MIN_COSINE = {"fp32": 0.999, "int8": 0.95}

# Texts of many shapes to verify an export on: short queries, numbers, punctuation, non-ASCII,
# and one longer than the model's token limit (truncation must match too).
SAMPLE_TEXTS = (
    "When was the treaty signed?",
    "hi",
    "What did the 2015 agreement say about compensation, and who paid?",
    "Chapter 3. Installing the pump\nDisconnect the power supply before opening the cover.",
    "The ratio rose from 1.5% in 2019 to 12.25% in 2023 (see Table 4, p. 117).",
    "Tokyo and Seoul — Kishida and Yoon met in Hiroshima; Keiō University hosted a forum.",
    "Torque the M8 bolts to 25 N·m in a cross pattern, then check the gasket for leaks.",
    "Why do leaves change colour in autumn?",
    " ".join(["The committee reviewed every clause of the draft before voting on it."] * 40),
    "Résumé: naïve café owners in São Paulo adopted the new tax code in 2021.",
)


def model_slug(model: str) -> str:
    """A folder name for a model name or path."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model.strip("/\\")).strip("-.")
    return slug[-80:] or "model"


def export_dir(index_dir: Path, model: str, precision: str) -> Path:
    return index_dir / MODELS_DIR / f"{model_slug(model)}-{precision}"


def read_export(directory: Path) -> dict[str, Any] | None:
    """The export's description, or None when the folder holds no complete export."""
    meta_path = directory / META_FILE
    if not (meta_path.exists() and (directory / MODEL_FILE).exists()
            and (directory / TOKENIZER_FILE).exists()):
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("export_version") == EXPORT_VERSION else None


def usable_export(index_dir: Path, model: str, precision: str) -> dict[str, Any] | None:
    """A verified export of `model` at `precision` in this index folder, if there is one."""
    meta = read_export(export_dir(index_dir, model, precision))
    if meta and meta.get("model") == model and meta.get("verified"):
        return meta
    return None


class OnnxEncoder:
    """A TokenEncoder running an exported model with onnxruntime and the `tokenizers` library."""

    backend = "onnx"
    # Small batches run faster on CPU than large ones (measured: 8 beats 32 by ~1.3x for
    # this model, fp32 and int8 alike), since their activations stay in cache.
    batch_size = 8

    def __init__(self, directory: Path, *, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = read_export(directory)
        if meta is None:
            raise RuntimeError(f"No usable ONNX export in {directory}.")
        self.directory = directory
        self.meta = meta
        self.name = str(meta["model"])
        self.dimension = int(meta["dimension"])
        self.precision = str(meta["precision"])
        self.max_tokens = int(meta["max_tokens"])
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        read_compatibility_forms(self.tokenizer)  # exports written before it was applied
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=int(meta["pad_id"]), pad_token=str(meta["pad_token"]))
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.inter_op_num_threads = 1
        # Threads that spin while waiting for work win little on an idle machine and lose
        # half the speed when other processes want the cores (measured 24 vs 44 passages/s).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if threads:
            options.intra_op_num_threads = threads
        self.threads = threads or 0
        self.session = ort.InferenceSession(str(directory / MODEL_FILE), options,
                                            providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def token_outputs(self, texts: list[str]) -> TokenBatch:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, {k: feeds[k] for k in self.inputs})[0]
        offsets = np.array([e.offsets for e in encodings], dtype=np.int64)
        return TokenBatch(vectors=hidden, mask=mask, offsets=offsets)


# ---------------------------------------------------------------- export (needs torch)


def export_model(model: str | None, target: Path, *, precision: str = "fp32",
                 samples: tuple[str, ...] = SAMPLE_TEXTS) -> dict[str, Any]:
    """Export a sentence-transformers model to ONNX in `target`, verified against torch.

    Writes the folder aside and renames it into place, so a half-written export is never seen.
    Returns the description written to encoder.json (its `verified` says whether to use it).
    """
    import torch



    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision '{precision}'; choose one of {', '.join(PRECISIONS)}.")
    started = time.perf_counter()
    reference = SentenceTransformerEncoder(model)
    st = reference.model
    transformer: Any = st[0].auto_model
    transformer.eval()
    tokenizer = st.tokenizer
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{os.getpid()}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        tokenizer.backend_tokenizer.save(str(tmp / TOKENIZER_FILE))
        names = ["input_ids", "attention_mask"]
        forward_args = inspect.signature(transformer.forward).parameters
        if "token_type_ids" in forward_args and "token_type_ids" in tokenizer.model_input_names:
            names.append("token_type_ids")
        example = tokenizer(["a short text", "a somewhat longer text to pad the batch"],
                            padding=True, return_tensors="pt")
        wrapper = _LastHiddenState(transformer, names).eval()
        fp32_path = tmp / ("model-fp32.onnx" if precision == "int8" else MODEL_FILE)
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shape-dependent Python branches
            torch.onnx.export(
                wrapper, tuple(example[n] for n in names), str(fp32_path),
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"}
                              for n in [*names, "last_hidden_state"]},
                opset_version=17, dynamo=False,
            )
        if precision == "int8":
            root_logger = logging.getLogger()
            level, handlers = root_logger.level, list(root_logger.handlers)
            # onnxruntime's quantization modules call logging.basicConfig when imported and
            # log a pre-processing hint: keep both out of the caller's logging
            from onnxruntime.quantization import QuantType, quantize_dynamic

            root_logger.setLevel(logging.ERROR)
            try:
                quantize_dynamic(str(fp32_path), str(tmp / MODEL_FILE), per_channel=True,
                                 weight_type=QuantType.QInt8)
            finally:
                root_logger.setLevel(level)
                for handler in [h for h in root_logger.handlers if h not in handlers]:
                    root_logger.removeHandler(handler)
            fp32_path.unlink()
        meta: dict[str, Any] = {
            "export_version": EXPORT_VERSION,
            "model": reference.name,
            "precision": precision,
            "dimension": reference.dimension,
            "max_tokens": int(st.max_seq_length or tokenizer.model_max_length),
            "pad_id": int(tokenizer.pad_token_id or 0),
            "pad_token": str(tokenizer.pad_token or "[PAD]"),
            "inputs": names,
        }
        (tmp / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        cosines = _compare(Embedder(reference), Embedder(OnnxEncoder(tmp)), list(samples))
        meta.update({
            "min_cosine": round(float(cosines.min()), 6),
            "mean_cosine": round(float(cosines.mean()), 6),
            "required_cosine": MIN_COSINE[precision],
            "verified": bool(cosines.min() >= MIN_COSINE[precision]),
            "samples": len(samples),
            "export_seconds": round(time.perf_counter() - started, 2),
        })
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        if read_export(target) is None:  # else another process made it meanwhile: keep it
            shutil.rmtree(target, ignore_errors=True)
            try:
                tmp.rename(target)
            except OSError:
                if read_export(target) is None:
                    raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return meta


def _compare(reference: Any, candidate: Any, texts: list[str]) -> np.ndarray:
    """Per-text cosine of two embedders' vectors, in batches with padding as in real use."""
    a = reference.embed(texts, batch_size=4)
    b = candidate.embed(texts, batch_size=4)
    return np.asarray((a * b).sum(axis=1), dtype=np.float64)


class _LastHiddenState:
    """Wraps a Hugging Face encoder so tracing sees positional tensors in, one tensor out."""

    def __new__(cls, transformer: Any, names: list[str]) -> Any:
        import torch

        class Wrapper(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.transformer = transformer

            def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
                kwargs = dict(zip(names, tensors, strict=True))
                return self.transformer(**kwargs, return_dict=True).last_hidden_state

        return Wrapper()


# Exports made by this process, so a second index folder copies one instead of exporting again.
_made_here: dict[tuple[str, str], Path] = {}


def _copy_export(source: Path, target: Path) -> dict[str, Any]:
    tmp = target.parent / f".{target.name}.{os.getpid()}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return read_export(target) or {}


def ensure_export(index_dir: Path, model: str | None, precision: str,
                  log: Any = None) -> dict[str, Any]:
    """A verified-or-not export for this index folder, made now if there is none yet."""

    name = resolve_model(model)[0]
    target = export_dir(index_dir, name, precision)
    meta = read_export(target)
    if meta and meta.get("model") == name:
        return meta
    earlier = _made_here.get((name, precision))
    if earlier is not None and read_export(earlier) is not None and earlier != target:
        return _copy_export(earlier, target)
    meta = export_model(model, target, precision=precision)
    _made_here[(name, precision)] = target
    if log and not meta["verified"]:
        log(f"The ONNX export of {name} ({precision}) reached cosine {meta['min_cosine']:.4f} "
            f"to the torch model (needs {meta['required_cosine']}); using torch instead.")
    return meta
