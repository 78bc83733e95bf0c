"""Search on the bundled sources with the real model: ranking, highlights, follow-ups,
abstention and the JSON contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from askrel.answering.search import QuestionError, clean_question

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def source_text(root: Path, source: str) -> str:
    return (root / source).read_text(encoding="utf-8")


def check_contract(obj: dict, root: Path) -> None:
    assert set(obj) >= {"question", "answered", "mode", "missing_names", "results"}
    assert isinstance(obj["answered"], bool)
    assert all(isinstance(name, str) for name in obj["missing_names"])
    for rank, result in enumerate(obj["results"], start=1):
        assert result["rank"] == rank
        assert isinstance(result["score"], float)
        citation = result["citation"]
        assert set(citation) >= {"source", "title", "publisher", "author", "date", "url",
                                 "page", "char_start", "char_end"}
        text = source_text(root, citation["source"])
        assert norm(text[citation["char_start"]:citation["char_end"]]) == norm(result["text"])
        for start, end in result["highlights"]:
            assert 0 <= start < end <= len(result["text"])
    scores = [r["score"] for r in obj["results"]]
    assert scores == sorted(scores, reverse=True)


def test_answer_follows_the_json_contract(bundled_searcher, bundled_index) -> None:
    answer = bundled_searcher.ask("Why did Japan restrict exports to South Korea in 2019?",
                                  top_k=5)
    obj = answer.to_json()
    check_contract(obj, bundled_index.parent)
    assert len(obj["results"]) == 5
    assert obj["results"][0]["citation"]["source"].startswith("sources/")


@pytest.mark.parametrize("question, expected", [
    ("How far apart are South Korea and Japan?", "942 km"),
    ("Who is Kristi Govella?", "Deputy Director of the Asia Program"),
    ("When did Japan and South Korea normalize relations?", "1965"),
])
def test_top_passage_and_highlight_answer_the_question(bundled_searcher, question: str,
                                                       expected: str) -> None:
    answer = bundled_searcher.ask(question, top_k=5)
    assert answer.answered
    top = answer.results[0]
    assert expected in top.text
    marked = " ".join(top.text[s:e] for s, e in top.highlights)
    assert expected in marked


def test_follow_up_uses_the_conversation(bundled_searcher) -> None:
    first = "Why did Japan restrict exports to South Korea in 2019?"
    alone = bundled_searcher.ask("How did Seoul respond?")
    follow = bundled_searcher.ask("How did Seoul respond?", history=[first])
    wanted = ("economic retaliation", "threatening to stop sharing intelligence",
              "dropping Japan from its own whitelist")

    def marked(answer) -> str:
        return " ".join(h.text[s:e] for h in answer.results for s, e in h.highlights)

    # with the conversation, a passage on Seoul's response to the 2019 controls is among the
    # default five and its answering sentence is the one marked; without it, none is
    assert any(w in marked(follow) for w in wanted)
    assert not any(w in marked(alone) for w in wanted)


def test_unrelated_question_is_not_answered_but_lists_closest(bundled_searcher) -> None:
    answer = bundled_searcher.ask("What is a good recipe for lasagna with spinach?", top_k=3)
    assert not answer.answered
    assert len(answer.results) == 3
    assert "do not seem to answer" in (answer.message or "")


def test_a_name_no_source_mentions_is_said_and_weighs_against_the_answer(bundled_searcher):
    answer = bundled_searcher.ask("What is Docker?", top_k=3)
    assert answer.missing_names == ("Docker",)
    assert not answer.answered
    assert answer.message.startswith("No source mentions “Docker”.")
    assert len(answer.results) == 3  # the closest passages are still shown
    # A passage that answers the rest of the question strongly is not vetoed by the name,
    # which the message still points out.
    strong = bundled_searcher.ask("How did South Korea respond to the Docker export controls?")
    assert strong.answered and strong.missing_names == ("Docker",)
    assert strong.message == ("No source mentions “Docker”. The passages below answer the rest "
                              "of the question.")


def test_names_are_looked_up_with_typos_and_in_metadata(bundled_searcher) -> None:
    vocabulary = bundled_searcher.backend.vocabulary(None)
    assert "kishida" in vocabulary and "kishda" not in vocabulary
    assert bundled_searcher.missing_names("Where did Yoon and Kishda meet?") == ()
    # "nippon" is the publisher's name, not a word of any passage
    assert "nippon" not in vocabulary
    assert bundled_searcher.missing_names("What does the nippon.com piece recommend?") == ()


def test_names_are_looked_up_in_the_chosen_sources_only(bundled_searcher) -> None:
    question = "What did the Gallup Korea poll find?"
    poll = "sources/nippon-com-breakthrough-japan-rok-relations-2023.txt"
    other = "sources/usip-south-korea-japan-relations-frank-aum-2022.txt"
    assert bundled_searcher.missing_names(question) == ()
    assert bundled_searcher.missing_names(question, [poll]) == ()
    assert bundled_searcher.missing_names(question, [other]) == ("Gallup",)
    answer = bundled_searcher.ask(question, sources=[other])
    assert not answer.answered and answer.missing_names == ("Gallup",)
    assert answer.message.startswith("None of the chosen sources mentions “Gallup”.")
    assert bundled_searcher.ask(question, sources=[poll]).answered


def test_every_mode_answers_and_source_filter_applies(bundled_searcher) -> None:
    source = "sources/usip-south-korea-japan-relations-frank-aum-2022.txt"
    for mode in ("hybrid", "dense", "bm25"):
        answer = bundled_searcher.ask("trilateral security cooperation", mode=mode, top_k=4,
                                      sources=[source])
        assert answer.mode == mode
        assert answer.results and all(h.citation.source == source for h in answer.results)


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01\x02", "?!"])
def test_empty_questions_are_refused_clearly(bundled_searcher, bad: str) -> None:
    with pytest.raises(QuestionError, match="Please type a question"):
        bundled_searcher.ask(bad)


def test_long_question_is_shortened_with_a_note() -> None:
    text, note = clean_question("why " * 5000)
    assert len(text) <= 1000 and note and "19,999" in note


def test_bad_mode_and_top_k_are_refused(bundled_searcher) -> None:
    with pytest.raises(QuestionError, match="Unknown mode"):
        bundled_searcher.ask("treaty", mode="magic")
    with pytest.raises(QuestionError, match="top-k"):
        bundled_searcher.ask("treaty", top_k=0)
