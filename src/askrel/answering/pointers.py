"""Pointers: a passage that repeats the question word for word is read without that copy.

Documents point to their answers by quoting the question: "see the answer to 'How can I
make my Perl program run faster?'". Such a passage shares every word with the question, so
every signal (vectors, BM25, the cross-encoder) ranks it first, yet it only names where the
answer is. Over the 723 answerable questions of askrel's eight sets, 19 candidates quoted
their question whole and none of them was the answer (docs/experiments.md §17).

The reranking stage therefore reads such a passage without the copy, and does not let the
first stage's scores (which measured the copy) lift it. A passage that quotes the question
and then answers it (a FAQ that keeps its question as a heading) still scores on its answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

MIN_WORDS = 4  # shorter questions ("What is Perl?") are common phrases, not quotations
GAP = r"[^A-Za-z0-9]{0,6}"  # punctuation, quotes, spaces or markup between the words
OPENING = r"[\"'“‘(]?"  # a quotation mark before the copy is part of it
CLOSING = r"[?!.]?[\"'”’)]?"  # and so are the question mark and the closing quote


def question_copy(question: str, text: str) -> tuple[int, int] | None:
    """Where `text` repeats every word of `question` in order (case, punctuation and spacing
    aside), as [start, end); None when it does not, or the question is under MIN_WORDS words."""
    pattern = copy_pattern(question)
    found = pattern.search(text) if pattern else None
    return (found.start(), found.end()) if found else None


@lru_cache(maxsize=256)
def copy_pattern(question: str) -> re.Pattern[str] | None:
    """The pattern of a copy of `question` (None under MIN_WORDS words), built once per
    question. Only the words ignore case: a case-insensitive GAP class costs several ms to
    compile (Unicode case folding of a negated class), as much as scoring a pair."""
    words = re.findall(r"[A-Za-z0-9]+", question)
    if len(words) < MIN_WORDS:
        return None
    return re.compile(OPENING + GAP.join(f"(?i:{re.escape(w)})" for w in words) + CLOSING)


def without_copy(text: str, copy: tuple[int, int]) -> str:
    """The text with the copied question cut out."""
    start, end = copy
    return f"{text[:start].rstrip()} {text[end:].lstrip()}".strip()
