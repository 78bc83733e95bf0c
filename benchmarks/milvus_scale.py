"""Scale benchmark of the Milvus backend beside the local one, on the same synthetic passages.

The passages are those of benchmarks/scale.py (real sentences of the bundled sources
recombined three at a time; vectors from the real sentence vectors plus noise; see that file).
For each size, in separate processes so peak memory is that of one job:
  * local: scale.py's build and query jobs (FAISS + bm25s + SQLite);
  * milvus: the same passages written into Milvus Lite by askrel's own revision writer
    (`write_revision`: passages with BM25 text, sentence vectors, sources; then the switch),
    then `Searcher.ask` through the Milvus backend, with the local index's query encoder (its
    ONNX export), so the two asks differ only in the backend.
Reported: insert rate, end-to-end ask p50/p99 per mode, the raw dense and BM25 search
latency, the time to embed a question with the ONNX export and with torch (what a Milvus
index uses, having no index folder for an export), and peak memory of the Python process and
of the Milvus Lite engine (a child process).

    python benchmarks/milvus_scale.py --sizes 100000 --work /tmp/askrel-milvus-scale
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale  # noqa: E402  (benchmarks/scale.py: the synthetic passages)

COLLECTION = "scale"


def child_memory_mb() -> dict[str, float]:
    """Peak and current resident memory of this process's children (the Milvus Lite engine)."""
    peak = current = 0.0
    me = str(os.getpid())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() != me:
            continue
        peak += int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
        current += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    return {"engine_peak_rss_mb": round(peak, 1), "engine_rss_mb": round(current, 1)}


def milvus_build(size: int, work: Path, index_type: str, seed: int = 0) -> dict:
    """Write `size` synthetic passages into Milvus Lite as one askrel revision."""
    from askrel.backends.milvus import MilvusTarget, connect
    from askrel.backends.milvus_build import new_revision, switch_to, write_revision
    from askrel.indexing.build import ChunkSettings, _Entry, current_build
    from askrel.indexing.store import PassageStore, read_manifest
    from askrel.records import Passage

    base = scale.base_index(work)
    base_build = current_build(base)
    assert base_build is not None
    texts, sentence_vectors, sources = scale.sentence_pool(base)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(texts), size=(size, scale.SENTENCES_PER_PASSAGE))
    started = time.perf_counter()
    vectors = np.concatenate([scale.synthetic_vectors(sentence_vectors, picks[s:s + 50_000], rng)
                              for s in range(0, size, 50_000)])
    store = PassageStore(base_build / "passages.sqlite")
    by_source: dict[str, list[int]] = {}
    for i in range(size):
        by_source.setdefault(sources[picks[i][0]], []).append(i)
    entries = []
    for source, rows in by_source.items():
        passages = []
        for i in rows:
            text, spans = scale.synthetic_text(texts, picks[i])
            passages.append(Passage(-1, source, None, 0, len(text), text, spans))
        # float16, as write_revision stores them (a float32 copy of 3M vectors is 4.6 GB)
        entries.append(_Entry(source, store.meta(source), "synthetic", 0, 0, passages,
                              vectors[rows],
                              sentence_vectors[picks[rows].reshape(-1)].astype(np.float16)))
    prepared_s = time.perf_counter() - started

    db = work / f"milvus-n{size}" / "askrel.db"
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    target = MilvusTarget(str(db), COLLECTION)
    client = connect(target)
    manifest = read_manifest(base_build)
    t = time.perf_counter()
    revision = new_revision()
    written = write_revision(client, COLLECTION, revision, entries, manifest["model"],
                             int(manifest["dimension"]), ChunkSettings(), time.time_ns(),
                             manifest.get("encoder"), None, index_type)
    switch_to(client, COLLECTION, revision, replace_encoder(written, manifest))
    write_s = time.perf_counter() - t
    return {"size": size, "prepare_s": round(prepared_s, 1), "write_s": round(write_s, 1),
            "insert_passages_per_s": round(size / write_s),
            "sentences": int(written["sentences"]), "index_type": index_type,
            "build_peak_rss_mb": scale.vm_hwm_mb(), **child_memory_mb(),
            "disk_mb": round(sum(p.stat().st_size for p in db.parent.rglob("*")
                                 if p.is_file()) / 2 ** 20, 1)}


def replace_encoder(written: dict, base_manifest: dict) -> dict:
    """The written manifest with the base index's encoder record (queries embed alike)."""
    return {**written, "encoder": base_manifest.get("encoder") or written["encoder"]}


def milvus_query(size: int, work: Path, repeats: int) -> dict:
    """End-to-end `Searcher.ask` latency through the Milvus backend, raw search latency,
    memory."""
    from askrel.answering.search import Searcher
    from askrel.backends.milvus import MilvusBackend, MilvusTarget
    from askrel.bench import percentiles
    from askrel.embedding.loading import load_embedder, load_query_embedder

    target = MilvusTarget(str(work / f"milvus-n{size}" / "askrel.db"), COLLECTION)
    base = scale.base_index(work)
    started = time.perf_counter()
    backend = MilvusBackend(target)
    # the local query encoder (the base index's ONNX export), so the asks compare the two
    # backends; a Milvus index has no index folder for an export and embeds with torch, timed
    # apart below
    searcher = Searcher(backend=backend, embedder=load_query_embedder(
        backend.manifest["model"], base, backend.manifest.get("encoder")))
    searcher.embedder.embed(["warm up"])
    load_s = time.perf_counter() - started
    def forget() -> None:  # what the backend read for one mode's questions, not the next's
        cache = getattr(backend, "_cache", None)  # none in backends from before the cache
        if cache is not None:
            backend._cache = type(cache)()

    questions, out = scale.ask_latency(searcher, repeats, forget)
    out["load_s"] = round(load_s, 2)
    out["query_encoder"] = searcher.embedder.describe()
    out["embed_ms"] = embed_latency(searcher.embedder, questions)
    vectors = searcher.embedder.embed(questions)
    dense, lexical = [], []
    for v, q in zip(vectors, questions, strict=True):
        t = time.perf_counter()
        backend.dense_top(v, 50, None)
        dense.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        backend.bm25_search(q, 50, None)
        lexical.append((time.perf_counter() - t) * 1000)
    out["dense_search_ms"] = percentiles(dense)
    out["bm25_search_ms"] = percentiles(lexical)
    out["query_peak_rss_mb"] = scale.vm_hwm_mb()
    out.update({f"query_{k}": v for k, v in child_memory_mb().items()})
    # last, so the memory figures above are those of answering with the ONNX encoder
    out["embed_torch_ms"] = embed_latency(load_embedder(backend.manifest["model"]), questions)
    return out


def embed_latency(embedder: Any, questions: list[str]) -> dict:
    """Time to embed one question, as an ask does."""
    from askrel.bench import percentiles

    embedder.embed(questions[:3])
    took = []
    for q in questions:
        t = time.perf_counter()
        embedder.embed([q])
        took.append((time.perf_counter() - t) * 1000)
    return percentiles(took)


def run_job(script: Path, args: list[str]) -> dict:
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{script.name} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/askrel-milvus-scale"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--index-type", default="FLAT", help="FLAT or IVF_FLAT (Milvus Lite).")
    parser.add_argument("--out", type=Path, default=None, help="Write the results as JSON.")
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--job", choices=["build", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.job == "build":
        print(json.dumps(milvus_build(args.size, args.work, args.index_type)))
        return
    if args.job == "query":
        print(json.dumps(milvus_query(args.size, args.work, args.repeats)))
        return

    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        common = ["--size", str(size), "--work", str(args.work), "--repeats", str(args.repeats)]
        row: dict = {"size": size, "milvus": {}, "local": {}}
        for job in ("build", "query"):
            row["milvus"].update(run_job(Path(__file__), ["--job", job, *common,
                                                          "--index-type", args.index_type]))
            if not args.skip_local:
                row["local"].update(run_job(HERE / "scale.py", ["--job", job, *common]))
        results.append(row)
        print(json.dumps(row), flush=True)
        shutil.rmtree(args.work / f"milvus-n{size}", ignore_errors=True)
        shutil.rmtree(args.work / f"n{size}", ignore_errors=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
