"""Expected answer types on hand-made questions and sentences."""

from __future__ import annotations

import pytest

from askrel.answering.answer_type import (
    expected_answer_type,
    has_date,
    has_number,
    offers_answer_type,
)


@pytest.mark.parametrize("question, kind", [
    ("How many people signed it?", "number"),
    ("And how much did it cost?", "number"),
    ("What percentage of voters agreed?", "number"),
    ("When was the treaty signed?", "date"),
    ("In what year did it open?", "date"),
    ("Who signed the treaty?", None),
    ("Why did Japan restrict exports?", None),
    ("And when exactly was it signed?", "date"),
    # a "when" clause that sets the scene does not ask for a date
    ("When I export a data frame, how do I add a blank header cell?", None),
    ("When making an animated GIF, what unit is the delay given in?", None),
    # what something does in the present tense happens under a condition, not on a date
    ("When does find print its warnings, and when does it stay quiet?", None),
    ("When is a unit restarted?", None),
    ("What value should I give the encoding option?", None),  # values are often not numbers
    # a port, a timeout, a version or an amount in a unit is a number, wherever it is asked
    ("What TCP port does the handler connect to if I give none?", "number"),
    ("I run a cache on our LAN. Which port do the clients need?", "number"),
    ("What timeout does download.file use by default?", "number"),
    ("What is the maximum size in megabytes of an upload?", "number"),
    ("What is the actual numeric value of MAX_NAME_SIZE?", "number"),
    ("Which Python version added possessive quantifiers?", "number"),
    ("How do I tell what version of sed I am using?", None),  # run it with --version
])
def test_expected_answer_type(question: str, kind: str | None) -> None:
    assert expected_answer_type(question) == kind


def test_years_are_dates_not_counts() -> None:
    assert has_date("It happened in the 1970s.") and not has_number("It happened in the 1970s.")
    assert has_number("Some 17 people came in 1980.")
    assert has_number("Three ministers resigned.")
    assert has_date("The talks resumed in March.")


def test_offers_answer_type() -> None:
    assert offers_answer_type("Who won?", ["Nothing numeric here."])
    assert not offers_answer_type("How many were abducted?", ["They were abducted in the 1970s."])
    assert offers_answer_type("How many were abducted?", ["Seventeen were abducted."])
