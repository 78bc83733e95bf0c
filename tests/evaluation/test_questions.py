"""Loading and checking question files: the bundled set loads; bad lines are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from askrel.evaluation.questions import (
    QuestionsFileError,
    contains_answer,
    load_questions,
    normalize,
)

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bundled_question_set_loads():
    questions = load_questions(ROOT / "eval" / "questions.jsonl")
    assert len(questions) == 128
    unanswerable = [q for q in questions if q.unanswerable]
    assert unanswerable and all(not q.answers for q in unanswerable)
    assert any(q.history for q in questions)
    assert len({q.id for q in questions}) == len(questions)


def test_fields_and_defaults(tmp_path):
    path = write(tmp_path, [
        json.dumps({"question": "Who?", "answers": ["Kim"]}),
        "",
        json.dumps({"id": "x", "question": "And then?", "answers": ["later"],
                    "sources": ["sources/a.txt"], "history": ["Who?"]}),
        json.dumps({"id": "u", "question": "Off topic?", "answers": [], "unanswerable": True}),
    ])
    first, second, third = load_questions(path)
    assert (first.id, first.answers, first.sources, first.line) == ("line1", ("Kim",), (), 1)
    assert second.history == ("Who?",) and second.sources == ("sources/a.txt",)
    assert second.line == 3
    assert third.unanswerable and third.answers == ()


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "line 2: not valid JSON"),
    (json.dumps({"answers": ["a"]}), "line 2: missing key 'question'"),
    (json.dumps({"question": "Why?"}), "line 2: missing key 'answers'"),
    (json.dumps({"question": "Why?", "answers": "a"}), "'answers' must be a list of strings"),
    (json.dumps({"question": "Why?", "answers": []}), "'answers' is empty"),
    (json.dumps({"question": "Why?", "answers": [" "]}), "must not contain empty strings"),
    (json.dumps({"question": "Why?", "answers": ["a"], "unanswerable": True}),
     "unanswerable question must have no answers"),
    (json.dumps({"question": "   ", "answers": ["a"]}), "'question' must be a non-empty"),
    (json.dumps({"question": "Why?", "answers": ["a"], "history": "x"}),
     "'history' must be a list"),
    (json.dumps(["question"]), "line 2: each line must be a JSON object"),
    (json.dumps({"id": "q1", "question": "Again?", "answers": ["a"]}),
     "line 2: id 'q1' already used on line 1"),
])
def test_bad_lines_are_named(tmp_path, line, message):
    path = write(tmp_path, [json.dumps({"id": "q1", "question": "Fine?", "answers": ["a"]}),
                            line])
    with pytest.raises(QuestionsFileError) as info:
        load_questions(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_every_bad_line_is_listed(tmp_path):
    path = write(tmp_path, ["{", json.dumps({"question": "ok?", "answers": ["a"]}), "[1", "x"])
    text = str(pytest.raises(QuestionsFileError, load_questions, path).value)
    assert "3 bad line(s)" in text
    assert "line 1:" in text and "line 3:" in text and "line 4:" in text


def test_unusable_files(tmp_path):
    with pytest.raises(QuestionsFileError, match="no such file"):
        load_questions(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(QuestionsFileError, match="no questions"):
        load_questions(empty)
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(QuestionsFileError, match="not UTF-8"):
        load_questions(binary)


def test_answer_matching_ignores_case_and_whitespace_only():
    assert normalize("A  B\n\tC") == "a b c"
    assert contains_answer("Signed in\n1965 in Tokyo", ["SIGNED IN 1965"])
    assert contains_answer("the Treaty on Basic Relations.", ["treaty  on basic relations"])
    assert not contains_answer("Keio University", ["Keiō"])
    assert not contains_answer("“quoted”", ['"quoted"'])
    assert not contains_answer("anything", [])
