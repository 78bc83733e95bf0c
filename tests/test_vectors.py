"""The vector index: exact for small corpora, IVF with tuned nprobe for large ones."""

from __future__ import annotations

import numpy as np
import pytest

from askrel.indexing.vectors import (
    VectorIndex,
    exact_top,
    ivf_cells,
    probe_queries,
    recall_at,
)


def unit_rows(n: int, dimension: int = 32, seed: int = 0, clusters: int = 40) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((clusters, dimension))
    rows = centers[rng.integers(0, clusters, n)] + 0.4 * rng.standard_normal((n, dimension))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_small_corpus_gets_exact_search_with_true_cosine_order():
    vectors = unit_rows(200)
    index = VectorIndex.build(vectors)
    assert index.describe() == {"type": "flat", "metric": "inner_product", "size": 200}
    scores, ids = index.search(vectors[17], 5)
    assert ids[0] == 17 and scores[0] == pytest.approx(1.0, abs=1e-5)
    expected = np.argsort(-(vectors @ vectors[17]), kind="stable")[:5]
    assert set(ids.tolist()) == set(expected.tolist())


def test_allowed_ids_restrict_flat_search():
    vectors = unit_rows(100)
    _, ids = VectorIndex.build(vectors).search(vectors[0], 10, np.array([3, 5, 7]))
    assert sorted(ids.tolist()) == [3, 5, 7]


def test_empty_index_returns_nothing():
    index = VectorIndex.build(np.zeros((0, 8), np.float32))
    scores, ids = index.search(np.ones(8, np.float32), 5)
    assert index.size == 0 and len(scores) == 0 and len(ids) == 0


def test_ivf_cells_grow_with_square_root():
    assert ivf_cells(10_000) == 400
    assert ivf_cells(1_000_000) == 4000
    assert ivf_cells(100) == 32
    assert ivf_cells(10) == 16


def test_recall_at_counts_found_true_neighbours():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    found = np.array([[4, 3, 9, -1], [5, 6, 7, 8]])
    assert recall_at(found, truth) == pytest.approx((2 / 4 + 1) / 2)


def test_probe_queries_sit_near_their_source_vectors():
    vectors = unit_rows(500, dimension=64)
    queries = probe_queries(vectors, 50, np.random.default_rng(1), similarity=0.7)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    best = (queries @ vectors.T).max(axis=1)
    assert np.all(best >= 0.6) and np.all(best < 0.99)


@pytest.mark.slow
def test_large_corpus_gets_ivf_meeting_the_recall_target(tmp_path):
    vectors = unit_rows(6000, dimension=32)
    index = VectorIndex.build(vectors, flat_max=1000, target_recall=0.95)
    info = index.describe()
    assert info["type"] == "ivf" and info["nlist"] == ivf_cells(6000)
    assert 1 <= info["nprobe"] <= info["nlist"]
    assert info["tuned_recall@10"] >= 0.95

    queries = probe_queries(vectors, 100, np.random.default_rng(7))
    truth = exact_top(vectors, queries, 10)
    assert recall_at(index.search_many(queries, 10)[1], truth) >= 0.9

    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert loaded.kind == "ivf" and loaded.describe()["nprobe"] == info["nprobe"]
    allowed = np.arange(0, 6000, 50)
    _, ids = loaded.search(vectors[100], 10, allowed)
    assert len(ids) == 10 and set(ids.tolist()) <= set(allowed.tolist())
    assert ids[0] == 100


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_npy_rows_reads_the_same_rows_as_numpy(tmp_path, dtype):
    from askrel.indexing.vectors import NpyRows

    data = np.arange(60, dtype=dtype).reshape(20, 3)
    np.save(tmp_path / "a.npy", data)
    rows = NpyRows(tmp_path / "a.npy")
    assert len(rows) == 20 and rows.shape == (20, 3)
    assert np.array_equal(rows[4], data[4]) and np.array_equal(rows[-1], data[-1])
    assert np.array_equal(rows[3:7], data[3:7]) and rows[5:5].shape == (0, 3)
    assert np.array_equal(rows[0:10:3], data[0:10:3])
    for ids in ([7, 2, 3, 4, 19, 2], np.array([0, 1, 2]), []):
        assert np.array_equal(rows[ids], data[ids]), ids
    with pytest.raises(IndexError):
        rows[20]
    with pytest.raises(IndexError):
        rows[[1, 25]]


def test_open_rows_loads_small_files_and_reads_large_ones_by_row(tmp_path):
    from askrel.indexing.vectors import NpyRows, open_rows

    np.save(tmp_path / "a.npy", np.ones((10, 4), np.float32))
    assert isinstance(open_rows(tmp_path / "a.npy"), np.ndarray)
    large = open_rows(tmp_path / "a.npy", in_memory_max=16)
    assert isinstance(large, NpyRows) and np.array_equal(large[[3, 1]], np.ones((2, 4)))
