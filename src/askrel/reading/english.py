"""How common a word is in English: wordfreq's frequencies, shared by the mending of PDF words
(joining split words, splitting run-together ones) and the names check (rare words that no
source uses)."""

from __future__ import annotations

import functools
import math


@functools.cache
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en")


def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-case word: log10 of its uses per billion words
    (0 for a word it does not know)."""
    frequency = _frequencies().get(word, 0.0)
    return math.log10(frequency * 1e9) if frequency > 0 else 0.0
