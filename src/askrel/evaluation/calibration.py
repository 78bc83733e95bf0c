"""Fitting the abstention threshold behind `answered: false`, with an out-of-sample check.

The signal is the max relevance of the passages a question gets back (search.abstention_signal);
a question is declined when that is below the threshold or there is no signal, as in
Searcher.ask.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from askrel.answering.abstention import VETO, Calibration, Evidence, signal
from askrel.evaluation.metrics import Abstention, abstention
from askrel.evaluation.runner import DEFAULT_MODE, parse_run

if TYPE_CHECKING:
    from askrel.evaluation.runner import Evaluation

MAX_ANSWERABLE_DECLINED = 0.01
SIGNALS = {
    "threshold": "max relevance of returned passages (first stage alone), less the penalties "
                 "for a missing name and a missing number or date",
    "rerank_threshold": "the cross-encoder's best logit among the first three passages, less "
                        "the penalties for a missing name and a missing number or date",
}
RULE = ("Among thresholds halfway between consecutive observed signal values, take the one "
        "with the highest abstention F1 (unanswerable questions as positives) such that at "
        f"most {MAX_ANSWERABLE_DECLINED:.0%} of the answerable questions of each question set "
        "are declined; ties go to "
        "the lowest threshold. Declines when signal < threshold; a question without a "
        "signal (no passages) is always declined.")
DIGITS = 6


@dataclass(frozen=True)
class Fit:
    """A fitted threshold and its in-sample abstention figures."""

    threshold: float
    scores: Abstention


def _declined(signal: Sequence[float | None], threshold: float) -> list[bool]:
    return [s is None or s < threshold for s in signal]


def candidate_thresholds(signal: Sequence[float | None]) -> list[float]:
    """The lowest observed value (declines nothing that has a value), every midpoint between
    consecutive distinct values, and just above the highest (declines everything)."""
    values = sorted({s for s in signal if s is not None and math.isfinite(s)})
    if not values:
        return [0.0]
    mids = [round((a + b) / 2, DIGITS) for a, b in zip(values, values[1:], strict=False)]
    return [values[0], *mids, values[-1] + 10 ** -DIGITS]


def fit_threshold(signal: Sequence[float | None], unanswerable: Sequence[bool],
                  max_answerable_declined: float = MAX_ANSWERABLE_DECLINED) -> Fit:
    """The threshold chosen by RULE on these questions (in-sample)."""
    if len(signal) != len(unanswerable):
        raise ValueError("signal and unanswerable must have one entry per question.")
    if not signal:
        raise ValueError("no questions to fit a threshold on.")
    best: Fit | None = None
    for t in candidate_thresholds(signal):
        scores = abstention(_declined(signal, t), unanswerable)
        if (scores.answerable_declined_rate or 0.0) > max_answerable_declined + 1e-12:
            continue
        if best is None or scores.f1 > best.scores.f1:
            best = Fit(t, scores)
    if best is None:  # only when questions without any hit already break the limit
        low = candidate_thresholds(signal)[0]
        best = Fit(low, abstention(_declined(signal, low), unanswerable))
    return best


PENALTY_GRID = tuple(float(p) for p in range(17))  # cross-encoder logits
FLOOR_GRID = (0.0, 0.2, 0.25, 0.3, 0.35)  # cosine relevance
COSINE_PENALTY_GRID = (*(i / 100 for i in range(61)), VETO)  # the first stage's penalties


@dataclass(frozen=True)
class PenaltyFit:
    """Penalties (on the reranked signal, or on the first stage's) and the threshold fitted
    with them."""

    missing_penalty: float
    type_penalty: float
    relevance_floor: float
    fit: Fit


def best_f1_threshold(signal: Sequence[float | None], unanswerable: Sequence[bool],
                      max_answerable_declined: float = MAX_ANSWERABLE_DECLINED,
                      groups: Sequence[str] | None = None) -> float | None:
    """fit_threshold's threshold, computed over every candidate at once (for grid searches);
    None when no threshold keeps the answerable questions declined within the limit. With
    `groups` (each question's set), at most `max_answerable_declined` of every set's
    answerable questions may be declined, not only of all of them pooled."""
    import numpy as np

    candidates = np.array(candidate_thresholds(signal))
    labels = np.array(unanswerable, dtype=bool)
    values = np.array([np.inf if s is None else s for s in signal], dtype=np.float64)
    none = np.array([s is None for s in signal])
    answerable = np.sort(values[~labels & ~none])
    others = np.sort(values[labels & ~none])
    declined_answerable = np.searchsorted(answerable, candidates) + (~labels & none).sum()
    declined_unanswerable = np.searchsorted(others, candidates) + (labels & none).sum()
    n_answerable, n_unanswerable = int((~labels).sum()), int(labels.sum())
    declined = declined_answerable + declined_unanswerable
    precision = np.divide(declined_unanswerable, declined, out=np.zeros(len(candidates)),
                          where=declined > 0)
    recall = declined_unanswerable / max(n_unanswerable, 1)
    f1 = np.divide(2 * precision * recall, precision + recall,
                   out=np.zeros(len(candidates)), where=precision + recall > 0)
    allowed = declined_answerable <= max_answerable_declined * n_answerable + 1e-9
    sets = np.array(groups or [])
    for group in set(sets):
        mine = (sets == group) & ~labels
        declined_here = (np.searchsorted(np.sort(values[mine & ~none]), candidates)
                         + (mine & none).sum())
        allowed &= declined_here <= max_answerable_declined * mine.sum() + 1e-9
    if not allowed.any():
        return None
    return float(candidates[np.flatnonzero(allowed)[np.argmax(f1[allowed])]])


def fit_penalties(evidence: Sequence[Evidence], unanswerable: Sequence[bool],
                  grid: Sequence[float] | None = None,
                  floors: Sequence[float] = FLOOR_GRID,
                  max_answerable_declined: float = MAX_ANSWERABLE_DECLINED,
                  groups: Sequence[str] | None = None, *,
                  first_stage: bool = False,
                  in_force: Calibration | None = None) -> PenaltyFit:
    """The relevance floor and the penalties for a missing name and a missing number or date,
    with the threshold, that give the best abstention F1 by RULE on these questions (reranked
    evidence; `groups` names each question's set); ties go to the lower floor and the smaller
    penalties. With `first_stage`, the evidence of runs without reranking: cosine penalties
    (COSINE_PENALTY_GRID, VETO included) and no floor. With `in_force`, the penalties and
    floor in force win a tie, so that refitting on evidence they shaped (the reranking gate
    reads them) does not flip between equals. Raises ValueError when no choice keeps within
    the limit."""
    grid = grid or (COSINE_PENALTY_GRID if first_stage else PENALTY_GRID)
    best: PenaltyFit | None = None
    for floor in (0.0,) if first_stage else floors:
        for missing_penalty in grid:
            for type_penalty in grid:
                fit = _penalty_fit(evidence, unanswerable, missing_penalty, type_penalty, floor,
                                   first_stage, max_answerable_declined, groups)
                if fit and (best is None or fit.fit.scores.f1 > best.fit.scores.f1 + 1e-12):
                    best = fit
    if best is not None and in_force is not None:
        kept = _penalty_fit(evidence, unanswerable, *_penalties(in_force, first_stage),
                            first_stage, max_answerable_declined, groups)
        if kept and kept.fit.scores.f1 >= best.fit.scores.f1 - 1e-12:
            best = kept
    if best is None:
        raise ValueError("no penalties keep the answerable questions declined within the "
                         "limit.")
    return best


def _penalties(calibration: Calibration, first_stage: bool) -> tuple[float, float, float]:
    """A calibration's (missing-name penalty, number-or-date penalty, floor) of one kind."""
    if first_stage:
        return (calibration.first_stage_missing_penalty, calibration.first_stage_type_penalty,
                0.0)
    return calibration.missing_penalty, calibration.type_penalty, calibration.relevance_floor


def _penalty_fit(evidence: Sequence[Evidence], unanswerable: Sequence[bool],
                 missing_penalty: float, type_penalty: float, floor: float, first_stage: bool,
                 max_answerable_declined: float,
                 groups: Sequence[str] | None) -> PenaltyFit | None:
    """These penalties with the threshold RULE gives them; None when none keeps within the
    limit."""
    cal = (Calibration(first_stage_missing_penalty=missing_penalty,
                       first_stage_type_penalty=type_penalty) if first_stage else
           Calibration(missing_penalty=missing_penalty, type_penalty=type_penalty,
                       relevance_floor=floor))
    values = [signal(e, cal) for e in evidence]
    threshold = best_f1_threshold(values, unanswerable, max_answerable_declined, groups)
    if threshold is None:
        return None
    return PenaltyFit(missing_penalty, type_penalty, floor,
                      Fit(threshold, abstention(_declined(values, threshold), unanswerable)))


def leave_one_out(signal: Sequence[float | None], unanswerable: Sequence[bool],
                  max_answerable_declined: float = MAX_ANSWERABLE_DECLINED) -> Abstention:
    """Out-of-sample abstention: each question judged by a threshold fitted on all the others."""
    declined = []
    for i in range(len(signal)):
        rest = [s for j, s in enumerate(signal) if j != i]
        labels = [u for j, u in enumerate(unanswerable) if j != i]
        t = fit_threshold(rest, labels, max_answerable_declined).threshold
        declined.append(_declined([signal[i]], t)[0])
    return abstention(declined, unanswerable)


def calibration_record(fit: Fit, *, model: str, questions: str, n_answerable: int,
                       n_unanswerable: int, mode: str, top_k: int,
                       loo: Abstention | None = None, base: Calibration | None = None,
                       key: str = "threshold") -> dict:
    """The calibration.json content read by abstention.load_calibration: `base`'s values with
    the threshold named `key` replaced by the fitted one."""
    base = base or Calibration()
    record = {
        "model": model,
        "threshold": base.threshold,
        "rerank_threshold": base.rerank_threshold,
        "missing_penalty": base.missing_penalty,
        "type_penalty": base.type_penalty,
        "relevance_floor": base.relevance_floor,
        "first_stage_missing_penalty": _penalty(base.first_stage_missing_penalty),
        "first_stage_type_penalty": _penalty(base.first_stage_type_penalty),
        key: fit.threshold,
        "fitted": key,
        "signal": SIGNALS[key],
        "rule": RULE,
        "fitted_on": questions,
        "mode": mode,
        "top_k": top_k,
        "n_answerable": n_answerable,
        "n_unanswerable": n_unanswerable,
        **abstention_figures(fit.scores),
        "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if loo is not None:
        record["leave_one_out"] = abstention_figures(loo)
    return record


def abstention_figures(scores: Abstention) -> dict:
    """The figures a calibration record gives of a fit, rounded."""
    return {"abstain_precision": _round(scores.precision),
            "abstain_recall": _round(scores.recall),
            "answerable_declined_rate": _round(scores.answerable_declined_rate)}


def _penalty(value: float) -> float | None:
    """A penalty as JSON holds it: null for a VETO."""
    return None if value == VETO else value


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def write_calibration(record: dict, paths: Sequence[Path]) -> tuple[list[str], list[str]]:
    """Write the record to each path (atomically): (paths written, a message per failure)."""
    written: list[str] = []
    problems: list[str] = []
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    for path in paths:
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            problems.append(f"could not write {path}: {exc.strerror or exc}")
        else:
            written.append(str(path))
    return written, problems


def packaged_calibration_path() -> Path:
    """The packaged default calibration, used when an index has none of its own."""
    import askrel
    from askrel.answering.abstention import CALIBRATION_FILE

    return Path(askrel.__file__).with_name(CALIBRATION_FILE)


def fit_evaluation(evaluation: Evaluation, mode: str = DEFAULT_MODE) -> dict | None:
    """The calibration record fitted on one mode's runs of an evaluation, with its LOO
    estimate; None when that mode was not run."""
    runs = evaluation.runs.get(mode)
    if not runs:
        return None
    base = evaluation.calibration
    signal = [r.signal(base) for r in runs]
    labels = [r.question.unanswerable for r in runs]
    fit = fit_threshold(signal, labels)
    return calibration_record(
        fit, model=evaluation.model, questions=evaluation.questions_path,
        n_answerable=sum(1 for u in labels if not u), n_unanswerable=sum(labels), mode=mode,
        top_k=evaluation.top_k, loo=leave_one_out(signal, labels), base=base,
        key="rerank_threshold" if parse_run(mode)[1] else "threshold")
