"""Scale benchmark: build, recall and end-to-end query latency at 10k, 100k and 1M passages.

How the large corpora are made (documented in docs/performance.md):
  1. The bundled sources are indexed for real (`build_index`), giving real passages, their
     sentences, passage vectors and per-sentence vectors from the real model.
  2. Synthetic passage i joins 3 sentences drawn at random from that pool (text recombined
     from real sentences). Its vector is the normalized mean of those sentences' real vectors
     plus gaussian noise (cosine ~0.95 to the clean mean), so no two passages coincide; its
     sentence vectors are the real ones of its sentences.
  3. The index files are written directly in askrel's on-disk format (passages.sqlite,
     embeddings.npy, sentence_vectors.npy, vectors.faiss, bm25/, manifest.json, and the
     `current` link), using the same writers as `build_index` (PassageStore.create,
     VectorIndex.build, LexicalIndex.build): embedding a million passages through the model
     would take about six hours on 2 cores and measure the encoder, not the index.

Each size is built in its own process and queried in another, so peak memory (VmHWM) is that
of one job. Queries are the question set's questions through `Searcher.ask`; recall@10 compares
the vector index's top 10 to exact search for the same question vectors.

    python benchmarks/scale.py --sizes 10000 100000 1000000 --work /tmp/askrel-scale
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SENTENCES_PER_PASSAGE = 3
NOISE_COSINE = 0.95


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def base_index(work: Path) -> Path:
    """A real index of the bundled sources (built once)."""
    from askrel.indexing.build import build_index, current_build

    index = work / "base" / "index"
    if current_build(index) is None:
        build_index(ROOT / "sources", index, root=ROOT)
    return index


def sentence_pool(index: Path) -> tuple[list[str], np.ndarray, list[str]]:
    """Every sentence of the base index with its vector (float32) and its source."""
    from askrel.indexing.build import SENTENCE_VECTORS_FILE, current_build
    from askrel.indexing.store import STORE_FILE, PassageStore

    build = current_build(index)
    assert build is not None
    store = PassageStore(build / STORE_FILE)
    vectors = np.load(build / SENTENCE_VECTORS_FILE).astype(np.float32)
    texts, rows, sources = [], [], []
    for source in [s["source"] for s in store.sources()]:
        for passage, first in store.passages_of(source):
            for k, (s, e) in enumerate(passage.sentences):
                texts.append(passage.text[s:e])
                rows.append(first + k)
                sources.append(source)
    return texts, vectors[rows], sources


def synthetic_text(texts: list[str], picks: np.ndarray) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A synthetic passage: the picked sentences joined by spaces, with their spans."""
    parts, spans, at = [], [], 0
    for j in picks:
        text = texts[j]
        spans.append((at, at + len(text)))
        parts.append(text)
        at += len(text) + 1
    return " ".join(parts), tuple(spans)


def synthetic_vectors(sentence_vectors: np.ndarray, picks: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Passage vectors for rows of picked sentences: the normalized mean of the sentences'
    vectors moved to cosine NOISE_COSINE by gaussian noise, so no two passages coincide."""
    spread = np.sqrt(1 - NOISE_COSINE ** 2)
    mean = sentence_vectors[picks].mean(axis=1)
    mean /= np.linalg.norm(mean, axis=1, keepdims=True)
    noise = rng.standard_normal(mean.shape).astype(np.float32)
    noise -= (noise * mean).sum(axis=1, keepdims=True) * mean
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    rows = NOISE_COSINE * mean + spread * noise
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def build(size: int, work: Path, seed: int = 0) -> dict:
    """Write an index of `size` synthetic passages; returns timings and memory."""
    from askrel.embedding.onnx_encoder import MODELS_DIR
    from askrel.indexing.build import (
        BUILDS,
        CURRENT,
        EMBEDDINGS_FILE,
        SENTENCE_VECTORS_FILE,
        current_build,
    )
    from askrel.indexing.lexical import LexicalIndex
    from askrel.indexing.store import STORE_FILE, PassageStore, read_manifest, write_manifest
    from askrel.indexing.vectors import VectorIndex
    from askrel.records import Passage

    base = base_index(work)
    base_build = current_build(base)
    assert base_build is not None
    texts, sentence_vectors, sources = sentence_pool(base)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(texts), size=(size, SENTENCES_PER_PASSAGE))

    index = work / f"n{size}" / "index"
    shutil.rmtree(index.parent, ignore_errors=True)
    folder = index / BUILDS / "scale"
    folder.mkdir(parents=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def passage(i: int) -> tuple[str, tuple[tuple[int, int], ...]]:
        return synthetic_text(texts, picks[i])

    t = time.perf_counter()
    base_store = PassageStore(base_build / STORE_FILE)
    source_rows = [(s["source"], base_store.meta(s["source"]), s["content_hash"], 0,
                    s["indexed_at"]) for s in base_store.sources()]

    def rows():
        for i in range(size):
            text, spans = passage(i)
            source = sources[picks[i][0]]
            yield (Passage(i, source, None, 0, len(text), text, spans, None),
                   i * SENTENCES_PER_PASSAGE, None)

    PassageStore.create(folder / STORE_FILE, rows(), source_rows)
    timings["store_s"] = time.perf_counter() - t

    t = time.perf_counter()
    dimension = sentence_vectors.shape[1]
    embeddings = np.lib.format.open_memmap(folder / EMBEDDINGS_FILE, mode="w+",
                                           dtype=np.float32, shape=(size, dimension))
    per_sentence = np.lib.format.open_memmap(
        folder / SENTENCE_VECTORS_FILE, mode="w+", dtype=np.float16,
        shape=(size * SENTENCES_PER_PASSAGE, dimension))
    for start in range(0, size, 50_000):
        chunk = picks[start:start + 50_000]
        embeddings[start:start + len(chunk)] = synthetic_vectors(sentence_vectors, chunk, rng)
        per_sentence[start * SENTENCES_PER_PASSAGE:(start + len(chunk)) *
                     SENTENCES_PER_PASSAGE] = sentence_vectors[chunk.reshape(-1)]
    embeddings.flush()
    per_sentence.flush()
    del embeddings, per_sentence
    timings["vectors_s"] = time.perf_counter() - t

    t = time.perf_counter()
    LexicalIndex.build([passage(i)[0] for i in range(size)]).save(folder)
    timings["bm25_s"] = time.perf_counter() - t

    t = time.perf_counter()
    vectors = np.load(folder / EMBEDDINGS_FILE, mmap_mode="r")
    vector_index = VectorIndex.build(vectors)
    vector_index.save(folder)
    timings["vector_index_s"] = time.perf_counter() - t
    info = vector_index.describe()
    del vector_index, vectors

    manifest = read_manifest(base_build)
    manifest.update({"passages": size, "sentences": size * SENTENCES_PER_PASSAGE,
                     "duplicate_passages": 0, "vector_index": info,
                     "synthetic": {"sentences_per_passage": SENTENCES_PER_PASSAGE,
                                   "noise_cosine": NOISE_COSINE, "seed": seed}})
    write_manifest(folder, manifest)
    (index / CURRENT).symlink_to(Path(BUILDS) / "scale")
    if (base / MODELS_DIR).exists():
        shutil.copytree(base / MODELS_DIR, index / MODELS_DIR)
    return {"size": size, "build_s": round(time.perf_counter() - started, 1),
            **{k: round(v, 1) for k, v in timings.items()}, "vector_index": info,
            "build_peak_rss_mb": vm_hwm_mb(), "disk_mb": disk_mb(folder)}


def disk_mb(folder: Path) -> dict[str, float]:
    out = {}
    for path in folder.iterdir():
        size = (sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir()
                else path.stat().st_size)
        out[path.name] = round(size / 2 ** 20, 1)
    return out


def ask_latency(searcher: Any, repeats: int,
                before_mode: Callable[[], None] | None = None) -> tuple[list[str], dict]:
    """The bench questions, and `Searcher.ask` latency per first-stage mode (no reranking:
    its cost does not grow with the index). `before_mode` runs before each mode's questions
    (the Milvus benchmark empties its backend's cache there: each mode asks the same
    questions)."""
    from askrel.bench import bench_questions, percentiles

    questions = bench_questions(ROOT / "eval" / "questions.jsonl")
    for q in questions[:5]:
        searcher.ask(q, rerank=False)
    out: dict = {"questions": len(questions), "ask_ms": {}}
    for mode in ("hybrid", "dense", "bm25"):
        if before_mode is not None:
            before_mode()
        took = []
        for _ in range(repeats):
            for q in questions:
                t = time.perf_counter()
                searcher.ask(q, mode=mode, rerank=False)
                took.append((time.perf_counter() - t) * 1000)
        out["ask_ms"][mode] = percentiles(took)
    return questions, out


def query(index: Path, repeats: int) -> dict:
    """End-to-end `Searcher.ask` latency, recall@10 of the vector index, memory."""
    from askrel.answering.search import Searcher
    from askrel.indexing.build import EMBEDDINGS_FILE
    from askrel.indexing.vectors import exact_top, probe_queries, recall_at

    started = time.perf_counter()
    searcher = Searcher(index)
    searcher.embedder.embed(["warm up"])
    load_s = time.perf_counter() - started
    questions, out = ask_latency(searcher, repeats)
    out["load_s"] = round(load_s, 2)
    out["query_peak_rss_mb"] = vm_hwm_mb()

    local = searcher.backend  # the local backend: its build folder and FAISS index
    vectors = np.load(local.build / EMBEDDINGS_FILE, mmap_mode="r")
    qvec = searcher.embedder.embed(questions)
    truth = exact_top(vectors, qvec, 10)
    found = local.vectors.search_many(qvec, 10)[1]
    probes = probe_queries(vectors, 200, np.random.default_rng(1))
    out["recall@10_questions"] = round(recall_at(found, truth), 4)
    out["recall@10_probes"] = round(recall_at(local.vectors.search_many(probes, 10)[1],
                                              exact_top(vectors, probes, 10)), 4)
    t = time.perf_counter()
    for v in qvec:
        local.vectors.search(v, 50)
    out["vector_search_ms_mean"] = round((time.perf_counter() - t) * 1000 / len(qvec), 3)
    out["vector_index"] = local.vectors.describe()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/askrel-scale"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="Write the results as JSON.")
    parser.add_argument("--keep", action="store_true", help="Keep the built indexes.")
    parser.add_argument("--job", choices=["build", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.job == "build":
        print(json.dumps(build(args.size, args.work)))
        return
    if args.job == "query":
        print(json.dumps(query(args.work / f"n{args.size}" / "index", args.repeats)))
        return

    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        row: dict = {"size": size}
        for job in ("build", "query"):
            done = subprocess.run(
                [sys.executable, __file__, "--job", job, "--size", str(size), "--work",
                 str(args.work), "--repeats", str(args.repeats)],
                capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"{job} at {size} failed:\n{done.stderr[-3000:]}")
            row.update(json.loads(done.stdout.strip().splitlines()[-1]))
        results.append(row)
        print(summary_line(row), flush=True)
        if not args.keep:
            shutil.rmtree(args.work / f"n{size}", ignore_errors=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


def summary_line(row: dict) -> str:
    hybrid = row["ask_ms"]["hybrid"]
    info = row["vector_index"]
    kind = info["type"] + (f" nlist={info['nlist']} nprobe={info['nprobe']}"
                           if info["type"] == "ivf" else "")
    return (f"{row['size']:>9,} passages: build {row['build_s']}s ({kind}), "
            f"recall@10 {row['recall@10_questions']} (probes {row['recall@10_probes']}), "
            f"ask hybrid p50 {hybrid['p50']:.1f} ms p99 {hybrid['p99']:.1f} ms, "
            f"peak RSS build {row['build_peak_rss_mb']} MB / query {row['query_peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
