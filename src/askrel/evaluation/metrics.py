"""Retrieval and abstention metrics as small pure functions over judged rankings.

A ranking is judged as a sequence of booleans, one per retrieved passage in rank order
(True = the passage is relevant). Scores are per question; `mean` averages them.
Metric names such as "hit@5" or "ndcg@10" are parsed only in `parse_metric`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_NAME = re.compile(r"^([a-z_0-9]+?)(?:@(\d+))?$")

# The per-question ranking metrics, by base name; each takes (judged, n_relevant, k).
RANKING_METRICS: dict[str, Callable[[Sequence[bool], int, int], float]] = {}


def parse_metric(name: str) -> tuple[str, int | None]:
    """('hit', 5) for 'hit@5'; ('abstain_recall', None) for a name without a cut-off."""
    match = _NAME.match(name.strip().lower())
    if not match:
        raise ValueError(f"Not a metric name: '{name}' (expected e.g. 'hit@5' or 'mrr@10').")
    base, k = match.group(1), match.group(2)
    if k is not None and int(k) < 1:
        raise ValueError(f"The cut-off in '{name}' must be at least 1.")
    return base, (int(k) if k is not None else None)


def hit_at_k(judged: Sequence[bool], k: int) -> float:
    """1.0 if any of the top-k passages is relevant, else 0.0 (ranx: "hit_rate@k")."""
    return 1.0 if any(judged[:k]) else 0.0


def reciprocal_rank(judged: Sequence[bool], k: int) -> float:
    """1 / rank of the first relevant passage within the top k, 0.0 if none (mean = MRR@k)."""
    for rank, relevant in enumerate(judged[:k], start=1):
        if relevant:
            return 1.0 / rank
    return 0.0


def dcg_at_k(judged: Sequence[bool], k: int) -> float:
    """DCG@k with binary gains: sum over ranks i <= k of rel_i / log2(i + 1)."""
    return sum(1.0 / math.log2(rank + 1)
               for rank, relevant in enumerate(judged[:k], start=1) if relevant)


def ndcg_at_k(judged: Sequence[bool], n_relevant: int, k: int) -> float:
    """nDCG@k = DCG@k / IDCG@k, where IDCG@k = sum_{i=1}^{min(R, k)} 1 / log2(i + 1).

    R (`n_relevant`) is the number of relevant passages in the whole index (the qrels), not
    only among those retrieved, as in trec_eval and ranx. A question with R = 0 scores 0.0.
    """
    found = sum(bool(x) for x in judged)
    if found > n_relevant:
        raise ValueError(f"{found} relevant passages retrieved but only {n_relevant} exist.")
    if n_relevant == 0:
        return 0.0
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_relevant, k) + 1))
    return dcg_at_k(judged, k) / ideal


RANKING_METRICS.update({
    "hit": lambda judged, n_relevant, k: hit_at_k(judged, k),
    "mrr": lambda judged, n_relevant, k: reciprocal_rank(judged, k),
    "ndcg": ndcg_at_k,
})


def ranking_metric(name: str, judged: Sequence[bool], n_relevant: int) -> float:
    """The per-question score of a named ranking metric such as 'ndcg@10'."""
    base, k = parse_metric(name)
    if base not in RANKING_METRICS or k is None:
        raise ValueError(f"Unknown ranking metric '{name}'; use one of "
                         f"{', '.join(f'{b}@k' for b in RANKING_METRICS)}.")
    return RANKING_METRICS[base](judged, n_relevant, k)


def source_recall(retrieved_sources: Sequence[str], relevant_sources: Sequence[str],
                  k: int) -> float:
    """|relevant sources among the sources of the top-k passages| / |relevant sources|."""
    wanted = set(relevant_sources)
    if not wanted:
        raise ValueError("source recall needs at least one relevant source.")
    return len(wanted & set(retrieved_sources[:k])) / len(wanted)


@dataclass(frozen=True)
class Abstention:
    """How well "no answer" (declining) matches the unanswerable questions.

    Positives are unanswerable questions; a decline is `answered: false`.
    precision = correct declines / all declines (None when nothing was declined);
    recall = correct declines / unanswerable questions (None when there are none);
    answerable_declined_rate = answerable questions declined / answerable questions.
    """

    precision: float | None
    recall: float | None
    answerable_declined_rate: float | None

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0.0 when either is undefined or zero."""
        p, r = self.precision, self.recall
        if not p or not r:
            return 0.0
        return 2 * p * r / (p + r)


def abstention(declined: Sequence[bool], unanswerable: Sequence[bool]) -> Abstention:
    """Abstention precision, recall and the wrong-decline rate (see `Abstention`)."""
    if len(declined) != len(unanswerable):
        raise ValueError("declined and unanswerable must have one entry per question.")
    pairs = list(zip(declined, unanswerable, strict=True))
    correct = sum(1 for d, u in pairs if d and u)
    n_declined = sum(1 for d, _ in pairs if d)
    n_unanswerable = sum(1 for _, u in pairs if u)
    n_answerable = len(pairs) - n_unanswerable
    wrong = sum(1 for d, u in pairs if d and not u)
    return Abstention(
        correct / n_declined if n_declined else None,
        correct / n_unanswerable if n_unanswerable else None,
        wrong / n_answerable if n_answerable else None,
    )


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, None for no values."""
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between order statistics.

    Position p = (n - 1) * q / 100 in the sorted values; the result interpolates between the
    values at floor(p) and ceil(p) (numpy's default "linear" method). None for no values.
    """
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100.")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
