"""The `/ask` endpoint through gradio_client against a real server on 127.0.0.1."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

QUESTION = "When did Japan and South Korea normalize relations?"
CITATION_KEYS = {"source", "title", "publisher", "author", "date", "url", "page", "char_start",
                 "char_end", "section", "page_label", "continued"}


@pytest.fixture(scope="module")
def client(served):
    from gradio_client import Client

    return Client(served.url, verbose=False)


@pytest.fixture(scope="module")
def searcher(web_project):
    from askrel.answering.search import Searcher

    return Searcher(web_project.index)


def test_ask_returns_the_cli_json_contract(client, searcher):
    got = client.predict(QUESTION, api_name="/ask")
    expected = searcher.ask(QUESTION).to_json()

    assert set(got) == set(expected)
    assert {"question", "answered", "mode", "results"} <= set(got)
    assert got["question"] == QUESTION and got["mode"] == "hybrid"
    assert got["answered"] is True
    assert len(got["results"]) == 5
    for hit in got["results"]:
        assert {"rank", "score", "text", "highlights", "citation"} <= set(hit)
        assert set(hit["citation"]) == CITATION_KEYS
        start, end = hit["highlights"][0]
        assert 0 <= start < end <= len(hit["text"])
    assert [h["rank"] for h in got["results"]] == [1, 2, 3, 4, 5]
    assert [h["citation"] for h in got["results"]] == [h["citation"] for h in expected["results"]]
    assert [h["text"] for h in got["results"]] == [h["text"] for h in expected["results"]]
    assert "1965" in got["results"][0]["text"] + got["results"][1]["text"]


def test_citation_offsets_index_the_source_text(client, web_project):
    from askrel.reading.sources import decode_text

    hit = client.predict(QUESTION, api_name="/ask")["results"][0]
    c = hit["citation"]
    text = decode_text((web_project.root / c["source"]).read_bytes())
    assert text[c["char_start"]:c["char_end"]] == hit["text"]


def test_extra_inputs_top_k_mode_history_and_sources(client, searcher):
    follow_up = "How did Seoul respond?"
    history = ["What did Japan's 2019 export controls target?"]
    source = "sources/nippon-com-breakthrough-japan-rok-relations-2023.txt"

    got = client.predict(follow_up, top_k=3, mode="bm25", history=history, sources=[source],
                         api_name="/ask")
    expected = searcher.ask(follow_up, top_k=3, mode="bm25", history=history,
                            sources=[source]).to_json()

    assert got["mode"] == "bm25"
    assert len(got["results"]) == 3
    assert {h["citation"]["source"] for h in got["results"]} == {source}
    assert [h["text"] for h in got["results"]] == [h["text"] for h in expected["results"]]


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x07\x1b", "?!"])
def test_bad_question_gives_an_error_object(client, question):
    got = client.predict(question, api_name="/ask")

    assert got["answered"] is False
    assert got["results"] == []
    assert "question" in got["error"].lower()


def test_bad_mode_and_top_k_give_error_objects(client):
    bad_mode = client.predict(QUESTION, mode="magic", api_name="/ask")
    bad_k = client.predict(QUESTION, top_k=0, api_name="/ask")

    assert bad_mode["results"] == [] and "hybrid" in bad_mode["error"]
    assert bad_k["results"] == [] and "top-k" in bad_k["error"]


def test_off_topic_question_is_not_answered_but_shows_closest(client):
    got = client.predict("What is the best recipe for sourdough bread?", api_name="/ask")

    assert got["answered"] is False
    assert "do not seem to answer" in got["message"]
    assert got["results"]
