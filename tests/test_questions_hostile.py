"""Hostile questions get a clear answer or message, never a traceback: through Searcher and
through `askrel ask` (plain and --json, as arguments and as standard-input batches)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from askrel.answering.search import QuestionError

pytestmark = pytest.mark.slow

EMPTY_MESSAGE = "Please type a question (it was empty or had no words)."
LONG = ("When did Japan and South Korea normalize relations? " * 400)[:20_000]
JAPANESE = "日本と韓国はいつ国交を正常化しましたか？"
KOREAN = "한국과 일본은 언제 국교를 정상화했습니까?"
NO_WORDS = ["", "   ", "\t\n  \r\n", "\x01\x02\x03\x1b\x7f\x08", "\u200b\u200b\ufeff", "?!… ---",
            "🙂🙂🙂"]
ANSWERABLE = [LONG, JAPANESE, KOREAN, "When\x00 did\x07 colonial\x1b[0m rule\u200b end?",
              "Treaty of 1965 ' OR 1=1; DROP TABLE passages; --", "<script>alert(1)</script> 1965",
              "مَتى تم تطبيع العلاقات بين اليابان وكوريا؟", "treaty " * 300]


@pytest.mark.parametrize("question", NO_WORDS)
def test_questions_without_words_get_a_clear_message(bundled_searcher, question):
    with pytest.raises(QuestionError) as err:
        bundled_searcher.ask(question)
    assert str(err.value) == EMPTY_MESSAGE


@pytest.mark.parametrize("question", ANSWERABLE)
def test_odd_questions_are_answered_or_declined_cleanly(bundled_searcher, question):
    answer = bundled_searcher.ask(question, top_k=3)
    assert answer.question == question
    assert 1 <= len(answer.results) <= 3
    assert answer.answered or answer.message
    json.dumps(answer.to_json(), ensure_ascii=False)  # the --json contract holds


def test_long_question_is_cut_with_a_note(bundled_searcher):
    answer = bundled_searcher.ask(LONG)
    assert answer.message and answer.message.startswith(
        "The question was 20,000 characters long; only the first 1,000 were used.")


def test_the_index_is_intact_after_hostile_questions(bundled_searcher):
    bundled_searcher.ask("Treaty ' OR 1=1; DROP TABLE passages; --")
    assert len(bundled_searcher.backend.store) == bundled_searcher.size  # the SQLite store


# ---------------------------------------------------------------- through the CLI


def askrel(args: list[str], index: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).with_name("askrel"))
    return subprocess.run([exe, "ask", "--index", str(index), *args], input=stdin,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, cwd=index.parent)


@pytest.mark.parametrize("as_json", [False, True])
def test_cli_refuses_questions_without_words(bundled_index, as_json):
    for question in ["", "   ", "\x01\x02\x1b\x7f"]:
        run = askrel([question, *(["--json"] if as_json else [])], bundled_index)
        assert run.returncode == 2
        assert "Traceback" not in run.stderr
        if as_json:
            out = json.loads(run.stdout)
            assert out["error"] == EMPTY_MESSAGE and out["results"] == []
        else:
            assert f"Error: {EMPTY_MESSAGE}" in run.stderr and run.stdout == ""


def test_cli_plain_batch_of_odd_questions(bundled_index):
    lines = [LONG, JAPANESE, KOREAN, "When\x00 did\x07 colonial rule end?", "\x01\x02", "\u200b"]
    run = askrel(["-"], bundled_index, stdin="\n".join(lines) + "\n")
    assert "Traceback" not in run.stderr
    assert run.returncode == 2  # two lines had no words
    assert run.stderr.count(f"Error: {EMPTY_MESSAGE}") == 2
    assert "only the first 1,000 were used" in run.stdout
    assert run.stdout.count("[1] ") == 4  # every answerable question got ranked passages


def test_cli_json_batch_of_odd_questions(bundled_index):
    lines = [LONG, JAPANESE, KOREAN, "\x01\x02", "When\x00 did colonial rule end?"]
    run = askrel(["-", "--json", "--top-k", "2"], bundled_index, stdin="\n".join(lines) + "\n")
    assert "Traceback" not in run.stderr
    outs = [json.loads(line) for line in run.stdout.splitlines()]
    assert [o["question"] for o in outs] == lines
    assert outs[3]["error"] == EMPTY_MESSAGE and outs[3]["results"] == []
    for out in outs[:3] + outs[4:]:
        assert "error" not in out and len(out["results"]) == 2
        assert out["answered"] or out["message"]
    assert outs[0]["message"].startswith("The question was 20,000 characters long")


def test_cli_undecodable_standard_input(bundled_index):
    exe = str(Path(sys.executable).with_name("askrel"))
    run = subprocess.run([exe, "ask", "--index", str(bundled_index), "-", "--json"],
                         input=b"caf\xe9 treaty 1965?\n", capture_output=True, timeout=600,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert b"Traceback" not in run.stderr and run.returncode == 0
    assert json.loads(run.stdout.decode("utf-8", "replace"))["results"]


def test_cli_mismatched_model_is_refused_with_the_fix(bundled_index):
    run = askrel(["When did colonial rule end?", "--model", "some-other-model"], bundled_index)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "was built with model 'all-MiniLM-L6-v2', not 'some-other-model'" in run.stderr
    assert "askrel index --model some-other-model" in run.stderr
