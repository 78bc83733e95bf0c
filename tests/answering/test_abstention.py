"""The "no answer" decision: evidence, penalties instead of vetoes, and the first stage's rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from askrel.answering.abstention import (
    CALIBRATION_FILE,
    VETO,
    Calibration,
    Evidence,
    declines,
    gather,
    load_calibration,
    signal,
)
from askrel.records import Citation, Hit

CAL = Calibration(threshold=0.4, rerank_threshold=-2.0, missing_penalty=6.0, type_penalty=4.0,
                  relevance_floor=0.25)


def hit(text: str, relevance: float, logit: float | None,
        highlights: tuple[tuple[int, int], ...] = ()) -> Hit:
    citation = Citation("sources/a.txt", None, None, None, None, None, None, 0, len(text))
    return Hit(1, 1.0, relevance, text, highlights or ((0, len(text)),), citation, 1, logit)


def test_a_missing_name_lowers_the_evidence_but_a_strong_answer_survives_it() -> None:
    strong = Evidence(relevance=0.5, rerank=7.0, missing=True, typed=True)
    weak = Evidence(relevance=0.5, rerank=2.0, missing=True, typed=True)
    assert signal(strong, CAL) == 1.0 and not declines(strong, CAL)
    assert signal(weak, CAL) == -4.0 and declines(weak, CAL)
    assert not declines(Evidence(0.5, 2.0, False, True), CAL)


def test_a_missing_number_is_a_penalty_too() -> None:
    assert signal(Evidence(0.5, 3.0, False, False), CAL) == -1.0
    assert declines(Evidence(0.5, 1.0, False, False), CAL)


def test_below_the_relevance_floor_or_with_nothing_it_always_declines() -> None:
    assert signal(Evidence(0.2, 9.0, False, True), CAL) is None
    assert declines(Evidence(None, None, False, False), CAL)


def test_without_reranking_the_first_stage_rule_holds_with_its_vetoes() -> None:
    assert not declines(Evidence(0.45, None, False, True), CAL)
    assert declines(Evidence(0.35, None, False, True), CAL)
    assert declines(Evidence(0.9, None, True, True), CAL)
    assert declines(Evidence(0.9, None, False, False), CAL)


def test_a_fitted_first_stage_weighs_its_checks_as_penalties() -> None:
    from dataclasses import replace

    fitted = replace(CAL, first_stage_missing_penalty=0.2, first_stage_type_penalty=0.3)
    assert signal(Evidence(0.9, None, True, True), fitted) == pytest.approx(0.7)
    assert not declines(Evidence(0.9, None, True, True), fitted)
    assert declines(Evidence(0.55, None, True, True), fitted)
    assert signal(Evidence(0.9, None, True, False), fitted) == pytest.approx(0.4)
    assert not declines(Evidence(0.45, None, False, True), fitted)


def test_a_record_without_first_stage_penalties_keeps_the_vetoes(tmp_path: Path) -> None:
    record = {"model": "m", "threshold": 0.3, "first_stage_missing_penalty": 0.25,
              "first_stage_type_penalty": None}
    path = tmp_path / "packaged.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    loaded = load_calibration(None, "m", path)
    assert (loaded.first_stage_missing_penalty, loaded.first_stage_type_penalty) == (0.25, VETO)
    path.write_text(json.dumps({"model": "m", "threshold": 0.3}), encoding="utf-8")
    old = load_calibration(None, "m", path)
    assert declines(Evidence(0.9, None, True, True), old)


def test_gather_reads_the_first_three_passages() -> None:
    hits = [hit("Signed in 1965.", 0.6, -1.0), hit("Later.", 0.3, 5.0),
            hit("Other.", 0.2, 2.0), hit("Far down 1999.", 0.9, 9.0)]
    evidence = gather("When was it signed?", hits, ("Docker",))
    assert evidence == Evidence(relevance=0.9, rerank=5.0, missing=True, typed=True)
    undated = gather("When was it signed?", hits[1:3])
    assert not undated.typed and undated.rerank == 5.0


def test_the_index_calibration_wins_over_the_packaged_one(tmp_path: Path) -> None:
    record = {"model": "m", "threshold": 0.3, "rerank_threshold": -1.5,
              "missing_penalty": 2.0, "type_penalty": 1.0, "relevance_floor": 0.1}
    packaged = tmp_path / "packaged.json"
    packaged.write_text(json.dumps({**record, "threshold": 0.9}), encoding="utf-8")
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps(record), encoding="utf-8")
    loaded = load_calibration(tmp_path, "m", packaged)
    assert (loaded.threshold, loaded.rerank_threshold, loaded.missing_penalty,
            loaded.type_penalty, loaded.relevance_floor, loaded.fitted) == (
        0.3, -1.5, 2.0, 1.0, 0.1, True)
    assert load_calibration(None, "m", packaged).threshold == 0.9
    assert not load_calibration(None, "other model", packaged).fitted


def test_surely_answered_adds_only_the_penalties_that_can_apply() -> None:
    from askrel.answering.abstention import Calibration, surely_answered

    calibration = Calibration(rerank_threshold=-8.0, missing_penalty=12.0, type_penalty=5.0)
    assert surely_answered(calibration, "Why did the talks stall?", False) == -8.0
    assert surely_answered(calibration, "How many boats came in?", False) == -3.0
    assert surely_answered(calibration, "Why did Zanzibarco sue?", True) == 4.0
    assert surely_answered(calibration, "When did Zanzibarco sue?", True) == 9.0
