"""The reranking stage inside Searcher: what it reorders, what it reports, and its switch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from askrel.answering.search import RankSettings, Searcher
from askrel.embedding.fake import fake_embedder
from askrel.indexing.build import build_index

PASSAGES = {
    "alpha.txt": "The orchard grows apples and pears. The harvest starts in September.",
    "bravo.txt": "The orchard keeps bees for the blossom. Beekeeping started there in 1990.",
    "charlie.txt": "Pears ripen after picking. The orchard sells pear juice in winter.",
    "delta.txt": "The farm shop opens at nine. Visitors park by the old barn.",
    "echo.txt": "Cider from the apples is pressed in October and sold at the market.",
}


class KeywordReranker:
    """Scores a text 1 when it holds the keyword, else 0, and records what it read."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        self.calls: list[tuple[str, list[str]]] = []

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        self.calls.append((question, list(texts)))
        return np.array([float(self.keyword in t) for t in texts], dtype=np.float32)


@pytest.fixture
def index(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, text in PASSAGES.items():
        (sources / name).write_text(f"---\ntitle: {name[:-4].title()}\n---\n{text}\n")
    build_index(sources, tmp_path / "index", embedder=fake_embedder(), root=tmp_path)
    return tmp_path / "index"


def searcher(index: Path, reranker: KeywordReranker, **settings) -> Searcher:
    """A searcher of the index; the gate only where a test sets one (it would keep some
    first-stage orders these tests reorder)."""
    settings.setdefault("rerank_gate", None)
    return Searcher(index, embedder=fake_embedder(), reranker=reranker,
                    settings=RankSettings(**settings))


def test_the_passage_the_cross_encoder_prefers_comes_first(index: Path) -> None:
    reranker = KeywordReranker("1990")
    first_stage = searcher(index, reranker).ask("orchard", top_k=3, rerank=False)
    assert not reranker.calls
    assert all(h.rerank_score is None for h in first_stage.results)
    answer = searcher(index, reranker, rerank_weight=1.0).ask("orchard", top_k=3)
    assert "1990" in answer.results[0].text
    assert [h.rerank_score for h in answer.results] == [1.0, 0.0, 0.0]
    assert [h.rank for h in answer.results] == [1, 2, 3]
    assert {h.passage_id for h in answer.results} == {h.passage_id
                                                      for h in first_stage.results}
    scores = [h.score for h in answer.results]
    assert scores == sorted(scores, reverse=True)


def test_zero_weight_keeps_the_first_stage_order(index: Path) -> None:
    reranker = KeywordReranker("1990")
    first = searcher(index, reranker).ask("pears", top_k=3, rerank=False)
    kept = searcher(index, reranker, rerank_weight=0.0).ask("pears", top_k=3)
    assert [h.passage_id for h in kept.results] == [h.passage_id for h in first.results]


def test_it_reads_title_and_the_question_in_context(index: Path) -> None:
    reranker = KeywordReranker("1990")
    searcher(index, reranker, rerank_depth=2, rerank_context=True).ask(
        "When did it start?", top_k=1,
        history=["Does the orchard keep bees?"])
    question, texts = reranker.calls[0]
    assert question == "Does the orchard keep bees? When did it start?"
    assert len(texts) == 2  # the depth, though one passage is returned
    assert all(t.split("\n")[0] in {"Alpha", "Bravo", "Charlie", "Delta", "Echo"}
               for t in texts)


def test_settings_turn_it_off(index: Path) -> None:
    reranker = KeywordReranker("1990")
    answer = searcher(index, reranker, rerank=False).ask("orchard", top_k=2)
    assert not reranker.calls and answer.results
    assert "rerank_score" not in answer.to_json()["results"][0]


def test_a_runaway_winner_is_told_by_its_lead_over_the_spread() -> None:
    from askrel.answering.rerank import runaway_winner

    assert runaway_winner(np.array([5.0, 1.0, 0.9, 0.8, 0.7]), 1.5)
    assert not runaway_winner(np.array([1.1, 1.0, 0.9, 0.8, 0.7]), 1.5)
    assert not runaway_winner(np.array([1.0, 1.0]), 0.0)  # no spread: nothing leads
    # among fewer than five the lead says little (of two, the first always leads by two)
    assert not runaway_winner(np.array([5.0, 1.0, 0.9, 0.8]), 1.5)
    assert not runaway_winner(np.array([1.0]), 1.5)


def test_a_gated_question_keeps_the_first_stage_and_reads_only_the_winner(index: Path) -> None:
    reranker = KeywordReranker("1990")
    first = searcher(index, reranker).ask("orchard", top_k=5, rerank=False)
    gated = searcher(index, reranker, rerank_gate=-1.0).ask("orchard", top_k=5)
    assert len(reranker.calls) == 1 and len(reranker.calls[0][1]) == 1
    assert [h.passage_id for h in gated.results] == [h.passage_id for h in first.results]
    assert gated.results[0].rerank_score is not None
    assert all(h.rerank_score is None for h in gated.results[1:])


def test_without_context_it_reads_the_passage_alone(index: Path) -> None:
    reranker = KeywordReranker("1990")
    searcher(index, reranker, rerank_context=False).ask("orchard", top_k=3)
    _, texts = reranker.calls[0]
    assert sorted(texts) == sorted(PASSAGES.values())


def test_a_gated_winner_too_weak_to_answer_has_the_others_read(index: Path) -> None:
    """The gate keeps the first stage's order only when the winner's logit alone answers the
    question; else the other candidates are read and fused as without the gate, so "no
    answer" weighs the same logits."""
    from askrel.answering.abstention import Calibration

    reranker = KeywordReranker("October")
    gated = searcher(index, reranker, rerank_gate=-1.0, rerank_weight=1.0)
    first = gated.ask("orchard", top_k=5, rerank=False)
    assert "October" not in first.results[0].text
    gated.calibration = Calibration(rerank_threshold=0.5)  # a logit of 0 answers nothing
    answer = gated.ask("orchard", top_k=5)
    assert [len(texts) for _, texts in reranker.calls] == [1, 4]
    assert "October" in answer.results[0].text
    assert all(h.rerank_score is not None for h in answer.results)
    reranker.calls.clear()
    gated.calibration = Calibration(rerank_threshold=-0.5)  # now the winner's 0 is enough
    kept = gated.ask("orchard", top_k=5)
    assert [len(texts) for _, texts in reranker.calls] == [1]
    assert [h.passage_id for h in kept.results] == [h.passage_id for h in first.results]
