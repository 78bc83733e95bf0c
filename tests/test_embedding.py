"""Embedding backends: pooling, the ONNX export and its verification, and the query path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from askrel.embedding.base import Embedder, mean_pool, pool_spans
from askrel.embedding.fake import FakeEncoder
from askrel.embedding.loading import build_precision
from askrel.embedding.onnx_encoder import (
    EXPORT_VERSION,
    META_FILE,
    MODEL_FILE,
    TOKENIZER_FILE,
    export_dir,
    model_slug,
    read_export,
    usable_export,
)


def fake_export(index_dir, model="all-MiniLM-L6-v2", precision="fp32", **meta):
    folder = export_dir(index_dir, model, precision)
    folder.mkdir(parents=True)
    (folder / MODEL_FILE).write_bytes(b"")
    (folder / TOKENIZER_FILE).write_text("{}")
    record = {"export_version": EXPORT_VERSION, "model": model, "precision": precision,
              "verified": True, **meta}
    (folder / META_FILE).write_text(json.dumps(record))
    return folder


def test_mean_pool_ignores_padding():
    from askrel.embedding.base import TokenBatch

    vectors = np.array([[[1.0, 0.0], [0.0, 1.0], [9.0, 9.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    pooled = mean_pool(TokenBatch(vectors, mask, np.zeros((1, 3, 2), np.int64)))
    assert np.allclose(pooled, [[2 ** -0.5, 2 ** -0.5]])


def test_pool_spans_uses_only_tokens_inside_each_span():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    offsets = np.array([[0, 3], [4, 7], [8, 9]])
    out = pool_spans(vectors, offsets, np.array([1, 1, 1]), [(0, 3), (4, 9), (20, 30)])
    assert np.allclose(out, [[1, 0], [0, 1], [0, 0]])


def test_embedder_describes_its_backend():
    embedder = Embedder(FakeEncoder())
    assert embedder.describe() == {"backend": "FakeEncoder", "precision": "fp32"}


def test_model_slug_is_a_safe_folder_name():
    assert model_slug("all-MiniLM-L6-v2") == "all-MiniLM-L6-v2"
    assert model_slug("/models/my model/") == "models-my-model"
    assert "/" not in model_slug("sentence-transformers/all-mpnet-base-v2")
    assert model_slug("///") == "model"


def test_incomplete_or_foreign_exports_are_not_used(tmp_path):
    assert read_export(tmp_path / "nothing") is None
    folder = fake_export(tmp_path)
    assert usable_export(tmp_path, "all-MiniLM-L6-v2", "fp32") is not None
    assert usable_export(tmp_path, "all-MiniLM-L6-v2", "int8") is None
    (folder / TOKENIZER_FILE).unlink()
    assert usable_export(tmp_path, "all-MiniLM-L6-v2", "fp32") is None


def test_unverified_exports_are_not_used(tmp_path):
    fake_export(tmp_path, verified=False, min_cosine=0.9)
    assert read_export(export_dir(tmp_path, "all-MiniLM-L6-v2", "fp32")) is not None
    assert usable_export(tmp_path, "all-MiniLM-L6-v2", "fp32") is None


def test_old_export_versions_are_ignored(tmp_path):
    folder = fake_export(tmp_path)
    (folder / META_FILE).write_text(json.dumps({"export_version": -1, "model": "x"}))
    assert read_export(folder) is None


def test_int8_falls_back_to_fp32_when_its_export_failed(tmp_path):
    assert build_precision(tmp_path, None, "int8") == "int8"  # not tried yet
    fake_export(tmp_path, precision="int8", verified=False)
    assert build_precision(tmp_path, None, "int8") == "fp32"
    assert build_precision(tmp_path, None, "fp32") == "fp32"
    with pytest.raises(ValueError, match="precision"):
        build_precision(tmp_path, None, "fp16")


@pytest.mark.slow
def test_bundled_index_has_a_verified_export_matching_torch(bundled_index):
    from askrel.embedding.loading import load_query_embedder
    from askrel.embedding.onnx_encoder import OnnxEncoder
    from askrel.embedding.torch_encoder import SentenceTransformerEncoder

    meta = usable_export(bundled_index, "all-MiniLM-L6-v2", "fp32")
    assert meta is not None and meta["min_cosine"] >= 0.999
    onnx = OnnxEncoder(export_dir(bundled_index, "all-MiniLM-L6-v2", "fp32"))
    torch_encoder = SentenceTransformerEncoder()
    texts = ["When did the war end?", "Seoul and Tokyo met. They agreed on a plan in 2023."]
    a, b = onnx.token_outputs(texts), torch_encoder.token_outputs(texts)
    assert np.array_equal(a.offsets, b.offsets) and np.array_equal(a.mask, b.mask)
    assert np.allclose(a.vectors, b.vectors, atol=1e-3)
    query = load_query_embedder(None, bundled_index, {"precision": "fp32"})
    assert query.backend == "onnx" and query.encoder.threads == 1
    cosine = Embedder(torch_encoder).embed(texts) * query.embed(texts)
    assert cosine.sum(axis=1).min() > 0.9999


@pytest.mark.slow
def test_answering_a_question_does_not_load_torch(bundled_index):
    code = (
        "import sys\nfrom pathlib import Path\nfrom askrel.answering.search import Searcher\n"
        f"answer = Searcher(Path({str(bundled_index)!r})).ask('When did the war end?')\n"
        "assert answer.results\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'bm25s')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_bundled_manifest_records_encoder_and_vector_index(bundled_index):
    from askrel.indexing.build import current_build
    from askrel.indexing.store import read_manifest

    manifest = read_manifest(current_build(bundled_index))
    assert manifest["model"] == "all-MiniLM-L6-v2"
    assert manifest["encoder"]["backend"] == "onnx"
    assert manifest["encoder"]["precision"] in ("fp32", "int8")
    assert manifest["vector_index"]["type"] == "flat"
    assert manifest["vector_index"]["size"] == manifest["passages"]


def test_a_change_of_precision_re_embeds_everything(tmp_path):
    from askrel.indexing.build import build_index, current_build
    from askrel.indexing.store import read_manifest

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.txt").write_text("Pumps need priming before the first start. " * 20)
    fp32 = Embedder(FakeEncoder())
    build_index(sources, tmp_path / "index", embedder=fp32)
    manifest = read_manifest(current_build(tmp_path / "index"))
    assert manifest["encoder"] == {"backend": "FakeEncoder", "precision": "fp32"}
    assert manifest["vector_index"]["type"] == "flat"

    assert build_index(sources, tmp_path / "index", embedder=fp32).embedded == 0
    int8_encoder = FakeEncoder()
    int8_encoder.precision = "int8"  # type: ignore[attr-defined]
    report = build_index(sources, tmp_path / "index", embedder=Embedder(int8_encoder))
    assert report.reembedded_all and "precision" in report.reembedded_all
    assert report.embedded > 0
    manifest = read_manifest(current_build(tmp_path / "index"))
    assert manifest["encoder"]["precision"] == "int8"


@pytest.mark.slow
def test_pdf_ligatures_and_full_width_letters_read_as_plain_letters(bundled_index):
    from askrel.embedding.base import read_compatibility_forms
    from askrel.embedding.onnx_encoder import OnnxEncoder
    from askrel.embedding.torch_encoder import SentenceTransformerEncoder

    plain = ["Edit the config file to set the floating point format.", "full width"]
    odd = ["Edit the conﬁg ﬁle to set the ﬂoating point format.", "ｆｕｌｌ width"]
    onnx = Embedder(OnnxEncoder(export_dir(bundled_index, "all-MiniLM-L6-v2", "fp32")))
    torch_encoder = SentenceTransformerEncoder()
    for embedder in (onnx, Embedder(torch_encoder)):
        cosine = (embedder.embed(plain) * embedder.embed(odd)).sum(axis=1)
        assert cosine.min() > 0.999
    # Offsets still index the text as written, so sentence spans and highlights hold.
    batch = torch_encoder.token_outputs(odd[:1])
    assert batch.offsets[0].max() == len(odd[0])
    tokenizer = torch_encoder.model.tokenizer.backend_tokenizer
    before = repr(tokenizer.normalizer)
    read_compatibility_forms(tokenizer)
    assert repr(tokenizer.normalizer) == before
