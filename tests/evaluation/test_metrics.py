"""Metrics on tiny hand-computed examples, and agreement with ranx on the same runs and qrels."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from askrel.evaluation import metrics as m

T, F = True, False


def test_parse_metric_names():
    assert m.parse_metric("hit@5") == ("hit", 5)
    assert m.parse_metric("NDCG@10") == ("ndcg", 10)
    assert m.parse_metric("abstain_recall") == ("abstain_recall", None)
    for bad in ("hit@", "hit@0", "@5", "hit@five", "hit@-1", ""):
        with pytest.raises(ValueError):
            m.parse_metric(bad)


def test_ranking_metric_dispatches_on_the_parsed_name():
    assert m.ranking_metric("hit@2", [F, T], 1) == 1.0
    assert m.ranking_metric("hit@1", [F, T], 1) == 0.0
    assert m.ranking_metric("mrr@10", [F, T], 1) == 0.5
    with pytest.raises(ValueError, match="Unknown ranking metric"):
        m.ranking_metric("recall@5", [T], 1)
    with pytest.raises(ValueError, match="Unknown ranking metric"):
        m.ranking_metric("hit", [T], 1)


def test_hit_at_k():
    assert m.hit_at_k([F, F, T], 2) == 0.0
    assert m.hit_at_k([F, F, T], 3) == 1.0
    assert m.hit_at_k([F, F, T], 10) == 1.0
    assert m.hit_at_k([], 5) == 0.0


def test_reciprocal_rank():
    assert m.reciprocal_rank([T, T], 10) == 1.0
    assert m.reciprocal_rank([F, F, T, T], 10) == pytest.approx(1 / 3)
    assert m.reciprocal_rank([F, F, T], 2) == 0.0
    assert m.reciprocal_rank([], 10) == 0.0


def test_ndcg_by_hand():
    # Relevant at ranks 2 and 3, three relevant passages in the index:
    # DCG = 1/log2(3) + 1/log2(4) = 0.63093 + 0.5; IDCG = 1 + 0.63093 + 0.5.
    dcg = 1 / math.log2(3) + 0.5
    assert m.dcg_at_k([F, T, T, F], 10) == pytest.approx(dcg)
    assert m.ndcg_at_k([F, T, T, F], 3, 10) == pytest.approx(dcg / (1 + 1 / math.log2(3) + 0.5))
    # The ideal ranking is cut at k: with k = 2 only two ideal gains count.
    assert m.ndcg_at_k([F, T, T], 3, 2) == pytest.approx((1 / math.log2(3)) /
                                                          (1 + 1 / math.log2(3)))
    assert m.ndcg_at_k([T], 1, 10) == 1.0
    # Relevant passages the ranking missed lower the score.
    assert m.ndcg_at_k([T], 2, 10) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert m.ndcg_at_k([F, F], 0, 10) == 0.0


def test_ndcg_rejects_more_found_than_exist():
    with pytest.raises(ValueError):
        m.ndcg_at_k([T, T], 1, 10)


def test_source_recall():
    assert m.source_recall(["a", "b", "a"], ["a", "c"], 5) == 0.5
    assert m.source_recall(["b", "b", "b", "b", "b", "a"], ["a"], 5) == 0.0
    assert m.source_recall(["b", "a"], ["a", "b"], 5) == 1.0
    with pytest.raises(ValueError):
        m.source_recall(["a"], [], 5)


def test_abstention_by_hand():
    # 4 unanswerable (3 declined), 6 answerable (1 declined).
    declined = [T, T, T, F, T, F, F, F, F, F]
    unanswerable = [T, T, T, T, F, F, F, F, F, F]
    a = m.abstention(declined, unanswerable)
    assert a.precision == 0.75
    assert a.recall == 0.75
    assert a.answerable_declined_rate == pytest.approx(1 / 6)
    assert a.f1 == pytest.approx(0.75)


def test_abstention_undefined_cases():
    nothing_declined = m.abstention([F, F], [T, F])
    assert nothing_declined.precision is None
    assert nothing_declined.recall == 0.0
    assert nothing_declined.f1 == 0.0
    no_unanswerable = m.abstention([T, F], [F, F])
    assert no_unanswerable.recall is None
    assert no_unanswerable.precision == 0.0
    assert no_unanswerable.answerable_declined_rate == 0.5
    with pytest.raises(ValueError):
        m.abstention([T], [T, F])


def test_mean_and_percentile():
    assert m.mean([1.0, 0.0, 0.5]) == 0.5
    assert m.mean([]) is None
    values = [40.0, 10.0, 30.0, 20.0]
    assert m.percentile(values, 50) == 25.0
    assert m.percentile(values, 95) == pytest.approx(38.5)  # 30 + 0.85 * 10
    assert m.percentile(values, 0) == 10.0
    assert m.percentile([7.0], 95) == 7.0
    assert m.percentile([], 50) is None
    with pytest.raises(ValueError):
        m.percentile(values, 101)


# ------------------------------------------------------------------ agreement with ranx

RANX_NAMES = {"hit@1": "hit_rate@1", "hit@5": "hit_rate@5", "hit@10": "hit_rate@10",
              "mrr@10": "mrr@10", "ndcg@10": "ndcg@10", "ndcg@3": "ndcg@3"}


def _ranx_scores(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict:
    from ranx import Qrels, Run, evaluate

    run = Run({q: {d: float(len(ids) - i) for i, d in enumerate(ids)}
               for q, ids in rankings.items()})
    truth = Qrels({q: {d: 1 for d in docs} for q, docs in qrels.items()})
    evaluate(truth, run, list(RANX_NAMES.values()))
    # ranx keeps per-query scores by query id in run.scores.
    return {ours: [float(run.scores[theirs][q]) for q in rankings]
            for ours, theirs in RANX_NAMES.items()}


def _our_scores(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict:
    return {ours: [m.ranking_metric(ours, [d in qrels[q] for d in ids], len(qrels[q]))
                   for q, ids in rankings.items()]
            for ours in RANX_NAMES}


def _assert_agree(rankings, qrels):
    ours, theirs = _our_scores(rankings, qrels), _ranx_scores(rankings, qrels)
    for name in RANX_NAMES:
        assert ours[name] == pytest.approx(theirs[name], abs=1e-6), name


@pytest.mark.slow
def test_agrees_with_ranx_on_hand_built_runs():
    rankings = {
        "top": ["d1", "d2", "d3"],
        "second": ["d4", "d1", "d9"],
        "late": [f"x{i}" for i in range(7)] + ["d5", "d6"],
        "beyond_ten": [f"y{i}" for i in range(10)] + ["d7"],
        "never": ["z1", "z2"],
        "many": ["a", "n", "b", "c", "n2", "d", "e", "f", "g", "h", "i"],
    }
    qrels = {
        "top": {"d1"},
        "second": {"d1", "d9", "d8"},
        "late": {"d5", "d6"},
        "beyond_ten": {"d7"},
        "never": {"d1"},
        "many": {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"},
    }
    _assert_agree(rankings, qrels)


@pytest.mark.slow
def test_agrees_with_ranx_on_real_index_runs(bundled_searcher):
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.runner import evaluate

    root = Path(__file__).resolve().parents[2]
    answerable = [q for q in load_questions(root / "eval" / "questions.jsonl")
                  if not q.unanswerable]
    picked = answerable[:6] + [q for q in answerable if q.history][:2]
    evaluation = evaluate(bundled_searcher, picked, ["hybrid", "bm25"], top_k=10)
    for mode, runs in evaluation.runs.items():
        rankings = {r.question.id: [str(h.passage_id) for h in r.hits] for r in runs}
        # The qrels ranx sees are rebuilt from the stored passages, independently of `judged`.
        qrels = {}
        for r in runs:
            qrels[r.question.id] = {
                str(pid) for pid, p in bundled_searcher.backend.passages(
                    range(bundled_searcher.size)).items()
                if (not r.question.sources or p.source in r.question.sources)
                and any(a.lower() in " ".join(p.text.lower().split())
                        for a in r.question.answers)}
            assert len(qrels[r.question.id]) == r.n_relevant, (mode, r.question.id)
        assert any(qrels.values())
        _assert_agree(rankings, qrels)
        summary = evaluation.summary(mode)
        theirs = _ranx_scores(rankings, qrels)
        for name in ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10"):
            assert summary[name] == pytest.approx(sum(theirs[name]) / len(runs), abs=1e-6)
    assert json.dumps(evaluation.summary("hybrid"))  # every figure is plain JSON
