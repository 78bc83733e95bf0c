"""Expected answer types: a question asking "how many" or "when" needs a number or a date.

When none of the marked sentences of the best passages holds the kind of answer the question
asks for, the sources most likely do not answer it, however close the topic is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER_QUESTION = re.compile(
    r"^\s*(?:and\s+)?(?:how (?:many|much|large|big|far|long|old|tall|high|often)|"
    r"what (?:percentage|percent|share|proportion|number|amount|size|sum)|"
    r"roughly how|by how much)\b", re.IGNORECASE)
# A value that is a number whatever the question's first words: a port, a timeout, a numeric
# value, an amount in a unit ("What TCP port does it connect to?", "the maximum size in
# megabytes"), or a version ("Which Python version added it?"), unless the question asks how
# to learn the version ("How do I tell what version of sed I have?": run it with --version).
_VALUE_QUESTION = re.compile(
    r"\b(?:(?:what|which)\s+(?:(?:tcp|udp|default)\s+)?port|"
    r"(?:what|which)\s+(?:default\s+)?timeout|numeric value|"
    r"in\s+(?:bytes|kilobytes|megabytes|gigabytes|seconds|milliseconds|minutes|hours|days|"
    r"percent))\b", re.IGNORECASE)
_VERSION_QUESTION = re.compile(r"^(?!\s*how\b).*\b(?:what|which)\s+(?:\w+\s+)?version\b",
                               re.IGNORECASE)
# "When did/was …" asks for a date. "When does find print warnings?" asks for a condition
# (what something does, in the present tense, happens whenever a condition holds), and
# "When I export a file, …" only sets the scene.
_DATE_QUESTION = re.compile(
    r"^\s*(?:and\s+)?(?:when\s+(?:exactly\s+)?(?:did|was|were|had)\b|"
    r"(?:in |during )?(?:what|which) "
    r"(?:year|month|date|day|decade|century)\b)", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[0-9]|20)\d{2}s?\b")
_MONTH = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b", re.IGNORECASE)
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|"
    r"seven|eigh|nine)teen|twenty|thirty|sixty|seventy|eighty|ninety|"
    r"forty|fifty|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|percent|"
    r"once|twice|annually|yearly|monthly|weekly|daily)\b", re.IGNORECASE)


def expected_answer_type(question: str) -> str | None:
    """'number', 'date', or None when the question does not ask for either."""
    if any(rule.search(question)
           for rule in (_NUMBER_QUESTION, _VALUE_QUESTION, _VERSION_QUESTION)):
        return "number"
    if _DATE_QUESTION.search(question):
        return "date"
    return None


def has_number(text: str) -> bool:
    """A quantity: digits or number words, years not counted (a count is not a year)."""
    without_years = _YEAR.sub(" ", text)
    return bool(re.search(r"\d", without_years) or _NUMBER_WORD.search(without_years))


def has_date(text: str) -> bool:
    return bool(_YEAR.search(text) or _MONTH.search(text))


def offers_answer_type(question: str, marked_sentences: Iterable[str]) -> bool:
    """False only when the question needs a number or date and no marked sentence has one."""
    kind = expected_answer_type(question)
    if kind is None:
        return True
    check = has_number if kind == "number" else has_date
    return any(check(text) for text in marked_sentences)
