"""The `/ask` endpoint through gradio_client against a real server on 127.0.0.1."""

from __future__ import annotations

import os

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


def load_test_script():
    import importlib.util
    import sys
    from pathlib import Path

    if "load_test" not in sys.modules:
        path = Path(__file__).resolve().parents[2] / "scripts" / "load_test.py"
        spec = importlib.util.spec_from_file_location("load_test", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["load_test"] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["load_test"]


def test_rest_api_without_a_python_client_gives_the_same_answer(client, served):
    """The README's plain-HTTP form (post all five values, read the event stream), as the
    load test's users ask: the same JSON as gradio_client."""
    import httpx

    ask_over_http = load_test_script().ask_over_http
    with httpx.Client(timeout=60) as session:
        got = ask_over_http(session, served.url.rstrip("/"), QUESTION, 3)
        empty = ask_over_http(session, served.url.rstrip("/"), "", 3)
    expected = client.predict(QUESTION, 3, api_name="/ask")
    assert got == expected
    assert len(got["results"]) == 3 and got["answered"] is True
    assert empty["results"] == [] and empty["answered"] is False and empty["error"]


def test_load_test_counts_answers_and_cpu_time(served):
    module = load_test_script()
    # The server runs in this process here, so "server" and "client" CPU are the same
    # process's, read two ways (/proc ticks and process_time): they must agree.
    result = module.run(served.url.rstrip("/"), [QUESTION, "How did Seoul respond?"],
                        users=2, per_user=2, top_k=3, time_limit=120, seed=1,
                        server_pid=os.getpid())
    assert result["ok"] == 4 and result["errors"] == 0 and result["answered"] >= 2
    assert result["p50_ms"] > 0 and result["requests_per_second"] > 0
    assert result["client_cpu_ms_per_answer"] > 0
    assert abs(result["server_cpu_ms_per_answer"] - result["client_cpu_ms_per_answer"]) <= 10
