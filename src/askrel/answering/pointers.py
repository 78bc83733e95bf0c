"""Pointers: a passage that repeats the question word for word is read without that copy.

Documents point to their answers by quoting the question: "see the answer to 'How can I
make my Perl program run faster?'". Such a passage shares every word with the question, so
every signal (vectors, BM25, the cross-encoder) ranks it first, yet it only names where the
answer is. Over the 723 answerable questions of askrel's eight sets, 19 candidates quoted
their question whole and none of them was the answer (docs/experiments.md §17).

The reranking stage therefore reads such a passage without the copy, and does not let the
first stage's scores (which measured the copy) lift it.

A FAQ that keeps its questions as headings is another matter: there the copy stands on a line
of its own (after a blank line, a finished sentence or a title line), followed by its answer,
and the passage that holds it is most often the answer (docs/experiments.md §32, §46). Such
a copy is no pointer (`points_elsewhere`). A copy on a line of its own that is followed by
another question, as in a FAQ's list of contents, or by nothing in the passage, still is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from askrel.reading.chrome import ADORNMENT, ATX_HEADING

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


# What may stand beside a question that is a heading, on its line: markup ("## ", "**", "* "),
# a "Q:" and a number ("4.2.", "1)", "b)") before it; markup or a colon after it ("::", "**").
HEADING_BEFORE = re.compile(r"[ \t]*(?:[#*=>•-]+[ \t]*)?(?:(?:Q|Question)[ \t]*[:.]?[ \t]*)?"
                            r"(?:\(?\d+(?:\.\d+)*[.):]?[ \t]+|[A-Za-z][.)][ \t]+)?")
HEADING_AFTER = re.compile(r"[^\w\n]*")  # the question's own "()?", "<*>?", "]?" too
# A heading starts its text, or follows a blank line or a line that ends a sentence; a quoted
# question that starts a line the sentence before runs on to ("described in\nHow do I …")
# does not.
ENDS_BEFORE_HEADING = re.compile(r"(?:\A|\n[ \t]*|[.!?:;)\"'’”])[ \t]*\n[ \t]*\Z")
MAX_TITLE_WORDS = 8  # a title line right above a question heading: "7. PHP/CURL Issues"


def points_elsewhere(question: str, text: str) -> tuple[int, int] | None:
    """Where `text` quotes `question` to point to its answer elsewhere (`question_copy`,
    unless the copy is a heading of the answer that follows it: `heads_an_answer`)."""
    copy = question_copy(question, text)
    return None if copy is None or heads_an_answer(text, copy) else copy


def heading_span(text: str, copy: tuple[int, int]) -> tuple[int, int] | None:
    """The copy's whole line, when the rest of that line is only heading markup or numbering
    ("### How do I …?", "12. How do I …?::"); else None."""
    start, end = copy
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if (HEADING_BEFORE.fullmatch(text, line_start, start)
            and HEADING_AFTER.fullmatch(text, end, line_end)):
        return line_start, line_end
    return None


def heads_an_answer(text: str, copy: tuple[int, int]) -> bool:
    """Whether the copy stands on a line of its own (markup and numbering aside) that starts
    the text or follows a blank line, a finished sentence or a title line (`is_title_line`),
    and the next line that is no underline or blank holds something other than another
    question."""
    heading = heading_span(text, copy)
    if heading is None:
        return False
    line_start, line_end = heading
    if (line_start and not ENDS_BEFORE_HEADING.search(text, 0, line_start)
            and not is_title_line(text[text.rfind("\n", 0, line_start - 1) + 1:line_start])):
        return False
    following = [line.strip() for line in text[line_end:].splitlines()
                 if line.strip() and not ADORNMENT.fullmatch(line.strip())]
    return bool(following) and not following[0].endswith("?")


def is_title_line(line: str) -> bool:
    """Whether a line reads as a title, so that a question under it may head its answer:
    a Markdown heading line, an underline, or a few words that each start with a capital or a
    digit ("7. PHP/CURL Issues", "Installing"). A sentence running on to the next line
    ("For that, read the answer to") is none."""
    line = line.strip()
    words = re.findall(r"[^\W_][\w'’/.-]*", line)
    return bool(ATX_HEADING.match(line) or ADORNMENT.fullmatch(line)
                or (words and len(words) <= MAX_TITLE_WORDS
                    and all(w[0].isupper() or w[0].isdigit() for w in words)))


def without_copy(text: str, copy: tuple[int, int]) -> str:
    """The text with the copied question cut out."""
    start, end = copy
    return f"{text[:start].rstrip()} {text[end:].lstrip()}".strip()
