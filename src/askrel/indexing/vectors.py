"""The vector index: FAISS over unit vectors (inner product = cosine). FAISS lives only here.

The index type follows the corpus size: exact search (`IndexFlatIP`) while scanning every
vector is fast enough, then an inverted-file index (IVF, nlist ~ 4*sqrt(n) k-means cells,
searching the `nprobe` nearest cells), whose nprobe is tuned at build time to reach a recall@10
target against exact search. `describe()` gives the parameters for the manifest.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

VECTOR_FILE = "vectors.faiss"
# Up to this many vectors an exact scan costs a few milliseconds (about 0.13 us per vector
# on one core with AVX-512); above it, IVF answers in about a millisecond.
FLAT_MAX = 50_000
TARGET_RECALL = 0.97  # on stand-in queries; question vectors came out ~1 point higher
NPROBE_CHOICES = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
TRAIN_PER_CELL = 64  # k-means training points per cell (FAISS warns below 39)
# numpy parses a .npy header with ast.literal_eval, which CPython 3.11 before 3.11.8 can fail
# with a spurious "AST constructor recursion depth mismatch" SystemError when two threads do it
# at once (CPython gh-106905): a rebuild and a reload may. Headers are read one at a time.
_NPY_HEADER_LOCK = threading.Lock()


def load_npy(path: Path, mmap_mode: Any = None) -> np.ndarray:
    """np.load of a plain numeric `.npy` file, safe to call from several threads."""
    with _NPY_HEADER_LOCK:
        return np.load(path, mmap_mode=mmap_mode, allow_pickle=False)


def ivf_cells(n: int) -> int:
    """nlist for n vectors: 4*sqrt(n), rounded to a multiple of 16."""
    return max(16, int(round(4 * math.sqrt(n) / 16)) * 16)


def set_query_threads(threads: int = 1) -> None:
    """FAISS's OpenMP threads for answering single queries (one is faster than two)."""
    import faiss

    faiss.omp_set_num_threads(threads)


class VectorIndex:
    """build / search / save / load over row ids 0..n-1."""

    def __init__(self, index: Any, kind: str, info: dict[str, Any] | None = None) -> None:
        self._index = index
        self.kind = kind
        self.info = dict(info or {})

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, *, flat_max: int = FLAT_MAX,
              target_recall: float = TARGET_RECALL, seed: int = 0) -> VectorIndex:
        """An exact index for up to `flat_max` vectors, else IVF with nprobe tuned."""
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dimension = vectors.shape
        if n <= flat_max:
            flat = faiss.IndexFlatIP(dimension)
            if n:
                flat.add(vectors)
            return cls(flat, "flat")
        previous = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # building is batch work: all cores
        try:
            nlist = ivf_cells(n)
            quantizer = faiss.IndexFlatIP(dimension)
            index: Any = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(seed)
            train = vectors[np.sort(rng.choice(n, min(n, TRAIN_PER_CELL * nlist),
                                               replace=False))]
            index.cp.seed = seed
            index.train(train)
            index.add(vectors)
            nprobe, recall = tune_nprobe(index, vectors, target_recall, rng)
        finally:
            faiss.omp_set_num_threads(previous)
        index.nprobe = nprobe
        return cls(index, "ivf", {"tuned_recall@10": round(recall, 4),
                                  "target_recall@10": target_recall})

    def describe(self) -> dict[str, Any]:
        """Type and parameters, for the index manifest."""
        out: dict[str, Any] = {"type": self.kind, "metric": "inner_product", "size": self.size}
        if self.kind == "ivf":
            out["nlist"] = int(self._index.nlist)
            out["nprobe"] = int(self._index.nprobe)
        out.update(self.info)
        return out

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one query vector; `allowed` restricts to those row ids."""
        scores, ids = self.search_many(np.asarray(query).reshape(1, -1), k, allowed)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def search_many(self, queries: np.ndarray, k: int,
                    allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; missing results have id -1."""
        import faiss

        k = min(k, self.size)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if k <= 0:
            return (np.zeros((len(queries), 0), dtype=np.float32),
                    np.zeros((len(queries), 0), dtype=np.int64))
        params: Any = None
        if self.kind == "ivf":
            params = faiss.SearchParametersIVF()
            nprobe = int(self._index.nprobe)
            if allowed is not None and len(allowed):
                # a filter keeps a fraction of each cell: visit proportionally more cells
                nprobe = int(nprobe * self.size / len(allowed))
            params.nprobe = min(int(self._index.nlist), max(1, nprobe))
        elif allowed is not None:
            params = faiss.SearchParameters()
        if allowed is not None:
            params.sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        return self._index.search(queries, k, params=params)

    def save(self, directory: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(directory / VECTOR_FILE))

    @classmethod
    def load(cls, directory: Path, kind: str | None = None, *,
             info: dict[str, Any] | None = None, query_threads: int | None = 1
             ) -> VectorIndex:
        """Load for searching; the type is read from the file (`kind` is only a fallback).

        Loading sets FAISS's threads to `query_threads` (None leaves them): one thread answers
        a single query faster than several, which only add OpenMP start-up and contention.
        """
        import faiss

        if query_threads:
            set_query_threads(query_threads)
        index = faiss.read_index(str(directory / VECTOR_FILE))
        if isinstance(index, faiss.IndexIVF):
            return cls(index, "ivf", info)
        return cls(index, kind or "flat", info)


class NpyRows:
    """Rows of a 2-D `.npy` file, read on demand with pread.

    For the few rows a query needs (candidates' vectors, a passage's sentence vectors).
    A memory map of the file would do the same reads, but every page it touches, and on
    kernels that cache files in large folios whole neighbouring blocks, stays counted in
    the process's resident memory: at a million passages that grows past a gigabyte.
    Indexing gives numpy arrays: an int gives one row, a slice or a sequence of ints a 2-D
    array (rows in the order asked).
    """

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f, _NPY_HEADER_LOCK:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            self.offset = f.tell()
        if fortran or len(shape) != 2 or dtype.hasobject:
            raise ValueError(f"{path} is not a 2-D C-ordered numeric array.")
        self.path = path
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.dtype = dtype
        self.row_bytes = self.shape[1] * dtype.itemsize
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def _read(self, start: int, count: int) -> np.ndarray:
        data = os.pread(self._fd, count * self.row_bytes, self.offset + start * self.row_bytes)
        if len(data) != count * self.row_bytes:
            raise IndexError(f"rows {start}..{start + count} are beyond {self.path}")
        return np.frombuffer(data, dtype=self.dtype).reshape(count, self.shape[1])

    def __getitem__(self, key: Any) -> np.ndarray:
        n = self.shape[0]
        if isinstance(key, (int, np.integer)):
            i = int(key) + (n if key < 0 else 0)
            if not 0 <= i < n:
                raise IndexError(f"row {key} out of range for {n} rows")
            return self._read(i, 1)[0]
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step != 1:
                return self[np.arange(start, stop, step)]
            return self._read(start, max(0, stop - start))
        ids = np.asarray(key, dtype=np.int64).reshape(-1)
        ids = np.where(ids < 0, ids + n, ids)
        if len(ids) and (ids.min() < 0 or ids.max() >= n):
            raise IndexError(f"row ids out of range for {n} rows")
        size, fd, base = self.row_bytes, self._fd, self.offset
        data = b"".join([os.pread(fd, size, base + i * size) for i in ids.tolist()])
        return np.frombuffer(data, dtype=self.dtype).reshape(len(ids), self.shape[1])


def open_rows(path: Path, in_memory_max: int = 64 * 2 ** 20) -> np.ndarray | NpyRows:
    """A 2-D `.npy` file for row lookups: loaded whole when small, else read row by row."""
    if path.stat().st_size <= in_memory_max:
        return load_npy(path)
    return NpyRows(path)


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k ids by inner product (ground truth for recall)."""
    import faiss

    return faiss.knn(np.ascontiguousarray(queries, dtype=np.float32),
                     np.ascontiguousarray(vectors, dtype=np.float32), k,
                     metric=faiss.METRIC_INNER_PRODUCT)[1]


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean fraction of each query's true top-k that was found (recall@k)."""
    hits = [len(set(f[f >= 0].tolist()) & set(t.tolist())) / max(1, len(t))
            for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits)) if hits else 1.0


def probe_queries(vectors: np.ndarray, count: int, rng: np.random.Generator,
                  similarity: float = 0.7) -> np.ndarray:
    """Stand-in queries: random stored vectors moved off to about `similarity` cosine.

    Real questions sit near, not on, their passages; a stored vector as its own query would
    overstate recall.
    """
    rows = vectors[rng.choice(len(vectors), min(count, len(vectors)), replace=False)]
    noise = rng.standard_normal(rows.shape).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    angle = math.acos(similarity)
    out = math.cos(angle) * rows + math.sin(angle) * noise
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def tune_nprobe(index: Any, vectors: np.ndarray, target: float,
                rng: np.random.Generator, queries: int = 200, k: int = 10) -> tuple[int, float]:
    """The smallest nprobe whose recall@k against exact search reaches `target`."""
    sample = probe_queries(vectors, queries, rng)
    truth = exact_top(vectors, sample, k)
    recall = 0.0
    nprobe = NPROBE_CHOICES[0]
    for nprobe in NPROBE_CHOICES:
        if nprobe > index.nlist:
            break
        index.nprobe = nprobe
        recall = recall_at(index.search(sample, k)[1], truth)
        if recall >= target:
            break
    return min(nprobe, int(index.nlist)), recall
