"""The first stage: candidates with their fused scores and each signal's values by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from askrel.answering.queries import build_queries, marking_query
from askrel.answering.retrieval import (
    Candidates,
    first_of_each_group,
    fused,
    retrieve,
)
from askrel.answering.settings import RankSettings
from askrel.backends.local import LocalBackend
from askrel.embedding.fake import fake_embedder
from askrel.indexing.build import build_index

PASSAGES = {
    "alpha.txt": "The orchard grows apples and pears. The harvest starts in September.",
    "bravo.txt": "The orchard keeps bees for the blossom. Beekeeping started there in 1990.",
    "charlie.txt": "Pears ripen after picking. The orchard sells pear juice in winter.",
    "delta.txt": "Pears ripen after picking. The orchard sells pear juice in winter.",
}


@pytest.fixture
def backend(tmp_path: Path) -> LocalBackend:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, text in PASSAGES.items():
        (sources / name).write_text(text + "\n")
    build_index(sources, tmp_path / "index", embedder=fake_embedder(), root=tmp_path)
    return LocalBackend(tmp_path / "index")


def queries(text: str, context: tuple[str, ...] = ()):
    return build_queries(text, context, fake_embedder(), RankSettings().history_weight)


def test_a_question_alone_has_dense_sentence_and_bm25_signals(backend: LocalBackend) -> None:
    found = retrieve(backend, queries("orchard pears"), "hybrid", 3, RankSettings(), None)
    assert list(found.features) == ["dense", "sentence", "bm25"]
    assert all(len(values) == len(found.ids) for values in found.features.values())
    assert list(found.scores) == sorted(found.scores, reverse=True)
    assert found.ids.dtype == np.int64


def test_a_follow_up_adds_the_signals_of_the_question_alone(backend: LocalBackend) -> None:
    found = retrieve(backend, queries("When did it start?", ("Does the orchard keep bees?",)),
                     "hybrid", 3, RankSettings(), None)
    assert list(found.features) == ["dense", "sentence", "bm25",
                                    "dense_alone", "sentence_alone", "bm25_alone"]


def test_each_mode_reads_its_own_signals(backend: LocalBackend) -> None:
    dense = retrieve(backend, queries("orchard pears"), "dense", 3, RankSettings(), None)
    bm25 = retrieve(backend, queries("orchard pears"), "bm25", 3, RankSettings(), None)
    assert list(dense.features) == ["dense", "sentence"]
    assert list(bm25.features) == ["bm25"]
    # no word the sources use: bm25 mode falls back to the embedding
    fallback = retrieve(backend, queries("zzz qqq"), "bm25", 3, RankSettings(), None)
    assert list(fallback.features) == ["dense", "bm25"]


def test_fusion_weighs_each_signal_by_its_name() -> None:
    features = {"dense": np.array([1.0, 0.0, 0.5]), "bm25": np.array([0.0, 2.0, 1.0])}
    for fusion in ("zscore", "rrf"):
        cfg = RankSettings(fusion=fusion)
        assert fused(features, {"dense": 1.0, "bm25": 0.0}, cfg).argmax() == 0
        assert fused(features, {"dense": 0.0, "bm25": 1.0}, cfg).argmax() == 1


def test_of_identical_passages_one_is_returned(backend: LocalBackend) -> None:
    found = retrieve(backend, queries("pear juice"), "hybrid", 10, RankSettings(), None)
    texts = [p.text for p in backend.passages(found.ids.tolist()).values()]
    assert len(found) == 3 and len(set(texts)) == 3


def test_identical_passages_keep_the_best_ranked_one() -> None:
    assert first_of_each_group([7, 3, 8, 4], {8: 7, 7: 7, 4: 3, 3: 3}) == [0, 1]
    assert first_of_each_group([5, 6], {}) == [0, 1]


def test_candidates_move_with_their_features() -> None:
    candidates = Candidates(np.array([4, 9, 2]), np.array([3.0, 2.0, 1.0]),
                            {"dense": np.array([0.4, 0.9, 0.2])})
    moved = candidates.rescored(np.array([2, 0, 1]), np.array([0.5, 0.1, 0.9]))
    assert moved.ids.tolist() == [2, 4, 9]
    assert moved.scores.tolist() == [0.9, 0.5, 0.1]
    assert moved.features["dense"].tolist() == [0.2, 0.4, 0.9]
    assert candidates.head(2).ids.tolist() == [4, 9] and len(candidates.head(5)) == 3


def test_the_marking_query_mixes_the_question_in_context_and_alone() -> None:
    follow_up = queries("When did it start?", ("Does the orchard keep bees?",))
    mixed = marking_query(follow_up)
    assert mixed.text == follow_up[0].text
    assert np.linalg.norm(mixed.vector) == pytest.approx(1.0)
    alone = queries("orchard")
    assert marking_query(alone) is alone[0]
