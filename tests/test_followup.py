"""Follow-up decisions: which questions point back, which earlier questions are carried, and
the decision with the real model on the bundled sources."""

from __future__ import annotations

import pytest

from askrel.answering import followup


@pytest.mark.parametrize("question", [
    "And what about trade going the other way that year?",
    "How did Seoul respond?",
    "Who were their wives?",
    "Why did it fall apart?",
    "What does she do at that organization?",
    "How much money did Japan put in under that deal?",
    "Why?",
    "What about the second one?",
])
def test_questions_that_point_back(question):
    assert followup.points_back(question)


@pytest.mark.parametrize("question", [
    "What is the Quillfeather Protocol?",
    "When did Japan and South Korea normalize relations?",
    "Is it safe to compile R with -O3 using gcc 11.1?",  # "it" that stands for nothing
    "In which city did Kishida present his new plan?",  # "his" is Kishida's
    "Where does the fit command record its results?",  # "its" is the command's
    "Which package provides the file that holds the keys?",  # a relative "that"
    "Is there a way to list every installed package?",  # "there is"
    "Are there copyright restrictions on the use of Python?",  # "are there", no place
    "Why can a 64-bit build be slower than a 32-bit build on the same machine?",
])
def test_questions_that_stand_alone(question):
    assert followup.points_back(question) == ()


def test_a_cue_after_many_words_of_the_question_refers_inside_it():
    long = ("My pattern uses a dot but across the line breaks in my text the match stops. "
            "Which flag fixes that?")

    assert followup.reference_cues(long) and not followup.points_back(long)
    assert followup.points_back(long, own_words=20)


def test_thread_carries_answered_questions_of_the_current_topic_only():
    turns = [("A?", True, False), ("B?", True, True), ("off topic?", False, False),
             ("C?", True, True)]

    assert followup.thread(turns) == ("B?", "C?")
    assert followup.thread([*turns, ("New topic?", True, False)]) == ("New topic?",)
    assert followup.thread([("declined?", False, False)]) == ()
    assert followup.thread([]) == ()


@pytest.mark.slow
def test_decision_with_the_bundled_sources(bundled_searcher):
    first = "Which products did Japan curb exports of to South Korea in 2019?"

    decision, answer = followup.decide(bundled_searcher, "How did Seoul respond?", [first])
    assert decision.follow_up and decision.history == (first,)
    assert answer == bundled_searcher.ask("How did Seoul respond?", history=[first])

    topic = "When did Japan and South Korea normalize relations?"
    decision, answer = followup.decide(bundled_searcher, topic, [first])
    assert not decision.follow_up and decision.history == ()
    assert answer == bundled_searcher.ask(topic)

    decision, _ = followup.decide(bundled_searcher, topic, [])
    assert not decision.follow_up and "first question" in decision.reason
