"""Deciding "no answer": the evidence an answer's passages give, weighed against a calibration.

With reranking (the default) the signal is the cross-encoder's best logit among the first
passages, lowered by a penalty when the question names something no source mentions and by
another when the marked sentences lack the kind of answer asked for (a number, a date); a
best cosine relevance under a floor declines outright. The checks are evidence, not vetoes:
a question worded in words the sources do not use ("keypress" for "key press") is still
answered when a passage answers it strongly. Without reranking, the signal is the best
cosine relevance, lowered by penalties of its own for the same two checks (a calibration
without them treats either check as a veto). A question is declined when its signal is below
the calibrated threshold of its kind.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from askrel.answering.answer_type import expected_answer_type, offers_answer_type
from askrel.records import Hit

CALIBRATION_FILE = "calibration.json"
DEFAULT_THRESHOLD = 0.35  # used only until a calibration exists; see `askrel eval --calibrate`
DEFAULT_RERANK_THRESHOLD = -4.0  # a cross-encoder logit; likewise replaced by the calibration
EVIDENCE_DEPTH = 3  # the passages whose marks and logits are read
VETO = math.inf  # a penalty that always declines: the first stage's checks until fitted


@dataclass(frozen=True)
class Evidence:
    """What the decision reads from an answer: `relevance` None when nothing came back,
    `rerank` None when the cross-encoder did not read the passages."""

    relevance: float | None
    rerank: float | None
    missing: bool  # a name in the question that no source mentions
    typed: bool  # the marked sentences hold the kind of answer asked for


@dataclass(frozen=True)
class Calibration:
    """Thresholds (cosine for the first stage alone, logit with reranking) and penalties
    (in logits with reranking, in cosine for the first stage alone)."""

    threshold: float = DEFAULT_THRESHOLD
    rerank_threshold: float = DEFAULT_RERANK_THRESHOLD
    missing_penalty: float = 0.0
    type_penalty: float = 0.0
    relevance_floor: float = 0.0  # with reranking, a lower best cosine is always declined
    fitted: bool = False
    detail: dict | None = None
    first_stage_missing_penalty: float = VETO
    first_stage_type_penalty: float = VETO

    def threshold_for(self, evidence: Evidence) -> float:
        return self.threshold if evidence.rerank is None else self.rerank_threshold


def gather(question: str, hits: Sequence[Hit], missing: Sequence[str] = ()) -> Evidence:
    """The evidence of the returned passages, best first."""
    if not hits:
        return Evidence(None, None, bool(missing), False)
    first = hits[:EVIDENCE_DEPTH]
    marked = [h.text[s:e] for h in first for s, e in h.highlights]
    logits = [h.rerank_score for h in first if h.rerank_score is not None]
    return Evidence(max(h.relevance for h in hits), max(logits) if logits else None,
                    bool(missing), offers_answer_type(question, marked))


def signal(evidence: Evidence, calibration: Calibration) -> float | None:
    """The value compared with the threshold; None means always "no answer"."""
    if evidence.relevance is None:
        return None
    if evidence.rerank is None:
        return _penalised(evidence.relevance, evidence, calibration.first_stage_missing_penalty,
                          calibration.first_stage_type_penalty)
    if evidence.relevance < calibration.relevance_floor:
        return None
    return _penalised(evidence.rerank, evidence, calibration.missing_penalty,
                      calibration.type_penalty)


def _penalised(value: float, evidence: Evidence, missing_penalty: float,
               type_penalty: float) -> float:
    """`value` less the penalty of each check the evidence fails (−inf after a VETO)."""
    if evidence.missing:
        value -= missing_penalty
    if not evidence.typed:
        value -= type_penalty
    return value


def surely_answered(calibration: Calibration, question: str, missing: bool) -> float:
    """The first passage's logit from which `question` is answered whatever the other
    passages and their marks say: the threshold plus each penalty that can apply to it (for
    the name it has that no source mentions; for the number or date it asks for). The
    reranking gate keeps the first stage's order only from there."""
    asks_for_type = expected_answer_type(question) is not None
    return (calibration.rerank_threshold + calibration.missing_penalty * missing
            + calibration.type_penalty * asks_for_type)


def declines(evidence: Evidence, calibration: Calibration) -> bool:
    """True when the sources do not seem to answer."""
    value = signal(evidence, calibration)
    return value is None or value < calibration.threshold_for(evidence)


def load_calibration(index_dir: Path | None, model: str, packaged: Path) -> Calibration:
    """The calibration fitted for this model: the index's own (when it has a folder), else
    the packaged one."""
    own = [index_dir / CALIBRATION_FILE] if index_dir is not None else []
    for path in (*own, packaged):
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("model") == model:
                return calibration_from(data)
    return Calibration()


def calibration_from(data: dict) -> Calibration:
    """A Calibration from a calibration.json record (older records lack the rerank keys and
    the first stage's penalties; a missing or null first-stage penalty is a VETO)."""
    def penalty(key: str) -> float:
        value = data.get(key)
        return VETO if value is None else float(value)

    return Calibration(float(data["threshold"]),
                       float(data.get("rerank_threshold", DEFAULT_RERANK_THRESHOLD)),
                       float(data.get("missing_penalty", 0.0)),
                       float(data.get("type_penalty", 0.0)),
                       float(data.get("relevance_floor", 0.0)), True, data,
                       penalty("first_stage_missing_penalty"),
                       penalty("first_stage_type_penalty"))
