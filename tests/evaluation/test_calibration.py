"""Fitting the abstention threshold: the rule, its limit on wrong declines, and LOO."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from askrel.evaluation import calibration as cal


def test_candidates_are_midpoints_plus_ends():
    assert cal.candidate_thresholds([0.2, None, 0.4, 0.4, 0.8]) == [
        0.2, 0.3, 0.6, pytest.approx(0.800001)]
    assert cal.candidate_thresholds([None]) == [0.0]


def test_fit_separable():
    signal = [0.1, 0.2, 0.6, 0.7, 0.8, 0.9]
    unanswerable = [True, True, False, False, False, False]
    fit = cal.fit_threshold(signal, unanswerable)
    assert fit.threshold == pytest.approx(0.4)
    assert (fit.scores.precision, fit.scores.recall) == (1.0, 1.0)
    assert fit.scores.answerable_declined_rate == 0.0


def test_fit_respects_the_wrong_decline_limit():
    # 0.3 is answerable: declining it would catch the unanswerable 0.35 too, but 1 of 4
    # answerable questions (25%) is over the limit, so only 0.1 is declined.
    signal = [0.1, 0.3, 0.35, 0.6, 0.7, 0.8]
    unanswerable = [True, False, True, False, False, False]
    fit = cal.fit_threshold(signal, unanswerable, max_answerable_declined=0.03)
    assert fit.threshold == pytest.approx(0.2)
    assert fit.scores.recall == 0.5 and fit.scores.precision == 1.0
    loose = cal.fit_threshold(signal, unanswerable, max_answerable_declined=0.25)
    assert loose.threshold == pytest.approx(0.475)  # declines 0.1, 0.3, 0.35: F1 = 0.8
    assert loose.scores.answerable_declined_rate == 0.25


def test_fit_ties_go_to_the_lowest_threshold_and_no_hits_always_decline():
    signal = [None, 0.5, 0.9]
    unanswerable = [True, False, False]
    fit = cal.fit_threshold(signal, unanswerable)
    assert fit.threshold == 0.5  # declines only the question with no hits
    assert fit.scores.recall == 1.0


def test_fit_declines_nothing_when_nothing_separates():
    signal = [0.9, 0.1, 0.2]
    unanswerable = [True, False, False]
    fit = cal.fit_threshold(signal, unanswerable)
    assert fit.threshold == 0.1
    assert fit.scores.precision is None and fit.scores.recall == 0.0


def test_leave_one_out_is_no_better_than_in_sample():
    signal = [0.1, 0.2, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.95]
    unanswerable = [True, True, False, True, False, False, False, False, False, False]
    in_sample = cal.fit_threshold(signal, unanswerable, max_answerable_declined=0.2)
    loo = cal.leave_one_out(signal, unanswerable, max_answerable_declined=0.2)
    assert in_sample.scores.f1 >= loo.f1
    # Left out, 0.1 and 0.2 are still below any fitted threshold; 0.5 needs 0.45 declined,
    # which the others' fit does not do without it.
    assert loo.recall == pytest.approx(2 / 3)


def test_record_and_write(tmp_path):
    fit = cal.fit_threshold([0.1, 0.9], [True, False])
    loo = cal.leave_one_out([0.1, 0.9], [True, False])
    record = cal.calibration_record(fit, model="m", questions="q.jsonl", n_answerable=1,
                                    n_unanswerable=1, mode="hybrid", top_k=10, loo=loo)
    for key in ("model", "threshold", "signal", "rule", "fitted_on", "n_answerable",
                "n_unanswerable", "abstain_precision", "abstain_recall",
                "answerable_declined_rate", "fitted_at", "leave_one_out"):
        assert key in record
    good, bad = tmp_path / "a.json", tmp_path / "missing" / "b.json"
    written, problems = cal.write_calibration(record, [good, bad])
    assert written == [str(good)]
    assert len(problems) == 1 and str(bad) in problems[0]
    assert json.loads(good.read_text(encoding="utf-8"))["threshold"] == fit.threshold


def test_written_record_is_what_the_searcher_loads(tmp_path):
    from askrel.answering.abstention import CALIBRATION_FILE, load_calibration

    record = cal.calibration_record(cal.fit_threshold([0.1, 0.9], [True, False]), model="m",
                                    questions="q", n_answerable=1, n_unanswerable=1,
                                    mode="hybrid", top_k=10)
    cal.write_calibration(record, [tmp_path / CALIBRATION_FILE])
    loaded = load_calibration(tmp_path, "m", tmp_path / "none.json")
    assert loaded.fitted and loaded.threshold == record["threshold"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(-20, 20).map(lambda v: v / 4)),
                          st.booleans()), min_size=1, max_size=30))
def test_the_fast_threshold_is_the_rule_s_threshold(pairs):
    signal = [s for s, _ in pairs]
    labels = [u for _, u in pairs]
    fast = cal.best_f1_threshold(signal, labels)
    rule = cal.fit_threshold(signal, labels)
    if fast is None:  # no threshold keeps within the limit: the rule falls back to the lowest
        assert (rule.scores.answerable_declined_rate or 0.0) > cal.MAX_ANSWERABLE_DECLINED
    else:
        assert fast == rule.threshold


def test_penalties_are_fitted_where_a_check_separates_the_questions():
    from askrel.answering.abstention import Evidence

    # Answerable: strong logits, one with a missing name. Unanswerable: middling logits with
    # a missing name or a missing date, which only a penalty tells from the answerable ones.
    answerable = [Evidence(0.5, v, False, True) for v in (3.0, 4.0, 5.0, 6.0)]
    answerable.append(Evidence(0.5, 6.0, True, True))
    unanswerable = [Evidence(0.5, 3.5, True, True), Evidence(0.5, 3.5, False, False)]
    fit = cal.fit_penalties(answerable + unanswerable, [False] * 5 + [True] * 2,
                            grid=[float(p) for p in range(9)], max_answerable_declined=0.0)
    assert fit.fit.scores.recall == 1.0 and fit.fit.scores.answerable_declined_rate == 0.0
    # Any penalty over 0.5 drops both below the weakest answerable 3.0; the smallest wins.
    assert (fit.missing_penalty, fit.type_penalty, fit.relevance_floor) == (1.0, 1.0, 0.0)
    # Penalties in force that do as well win the tie; ones that do worse do not.
    from askrel.answering.abstention import Calibration

    grid = [float(p) for p in range(9)]
    evidence, labels = answerable + unanswerable, [False] * 5 + [True] * 2
    kept = cal.fit_penalties(evidence, labels, grid=grid, max_answerable_declined=0.0,
                             in_force=Calibration(missing_penalty=4.0, type_penalty=3.0))
    assert (kept.missing_penalty, kept.type_penalty) == (4.0, 3.0)
    assert kept.fit.scores.recall == 1.0
    worse = cal.fit_penalties(evidence, labels, grid=grid, max_answerable_declined=0.0,
                              in_force=Calibration(missing_penalty=0.0, type_penalty=3.0))
    assert (worse.missing_penalty, worse.type_penalty) == (1.0, 1.0)


def test_first_stage_penalties_replace_a_veto_that_would_refuse_answerable_questions():
    from askrel.answering.abstention import VETO, Evidence

    # Answerable: cosines 0.5-0.8, two naming something no source mentions (0.7 and 0.8).
    # Unanswerable: a missing name at 0.55, and no name missing at 0.4. A veto on the missing
    # name refuses two answerable questions of seven; 0.1 is the smallest penalty that takes
    # the 0.55 below the weakest answerable 0.5, keeping 0.7 and 0.8 (0.6 and 0.7) above.
    answerable = [Evidence(v, None, False, True) for v in (0.5, 0.6, 0.65, 0.75, 0.8)]
    answerable += [Evidence(0.7, None, True, True), Evidence(0.8, None, True, True)]
    unanswerable = [Evidence(0.55, None, True, True), Evidence(0.4, None, False, True)]
    grid = [0.0, 0.1, 0.2, 0.3, VETO]
    fit = cal.fit_penalties(answerable + unanswerable, [False] * 7 + [True] * 2, grid=grid,
                            max_answerable_declined=0.0, first_stage=True)
    assert fit.fit.scores.recall == 1.0 and fit.fit.scores.answerable_declined_rate == 0.0
    assert fit.missing_penalty == 0.1 and 0.45 < fit.fit.threshold <= 0.5
    assert (fit.type_penalty, fit.relevance_floor) == (0.0, 0.0)
    # Without any room for a penalty, nothing keeps within the limit.
    with pytest.raises(ValueError, match="within the limit"):
        cal.fit_penalties(answerable + unanswerable, [False] * 7 + [True] * 2, grid=[VETO],
                          max_answerable_declined=0.0, first_stage=True)


def test_with_sets_no_set_may_lose_more_than_its_share_of_answerable_questions():
    # Set "a": 100 answerable questions at 1..100; set "b": 10 answerable at 0.5..5; one
    # unanswerable in each, at 0.7 and 2.2. Pooled, 1% of 110 allows one refusal: 0.85
    # declines b's 0.5 and the 0.7. By set, 1% of b's ten allows none: nothing below 0.5.
    a = [float(v) for v in range(1, 101)]
    b = [v / 2 for v in range(1, 11)]
    signal = [*a, *b, 0.7, 2.2]
    labels = [False] * 110 + [True, True]
    groups = ["a"] * 100 + ["b"] * 10 + ["a", "b"]
    pooled = cal.best_f1_threshold(signal, labels, 0.01)
    by_set = cal.best_f1_threshold(signal, labels, 0.01, groups)
    declined_b = sum(s < by_set for s, g, u in zip(signal, groups, labels, strict=True)
                     if g == "b" and not u)
    assert pooled > 0.5 and declined_b == 0  # pooled declines b's 0.5; by set, nothing of b
    assert by_set <= 0.5
