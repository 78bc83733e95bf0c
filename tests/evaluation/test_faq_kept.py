"""eval/faq_kept.py: a FAQ set with its questions put back before their answers."""

from __future__ import annotations

import json
from pathlib import Path

# Two answers and their questions, given out of order: (question, answer start, answer end).
TWO_ANSWERS = "Intro.\n\nUse reverse().\n\nUse sort().\n"
TWO_QUESTIONS = [("How do I sort?", 24, 35), ("How do I reverse?", 8, 22)]



def test_each_question_goes_before_its_answer_and_the_spans_follow(faq_kept):
    new_text, spans = faq_kept.with_questions(TWO_ANSWERS, TWO_QUESTIONS, "markdown")
    assert new_text == ("Intro.\n\n## How do I reverse?\n\nUse reverse().\n\n"
                        "## How do I sort?\n\nUse sort().\n")
    assert [new_text[s:e] for s, e in spans] == ["Use sort().", "Use reverse()."]


def test_an_underlined_question_is_underlined_to_its_length(faq_kept):
    text = "Intro.\n\nUse sort().\n"
    new_text, spans = faq_kept.with_questions(text, [("How do I sort?", 8, 19)], "underlined")
    assert new_text == "Intro.\n\nHow do I sort?\n--------------\n\nUse sort().\n"
    assert [new_text[s:e] for s, e in spans] == ["Use sort()."]


def test_a_set_is_written_with_its_sources_renamed(faq_kept, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "set" / "sources").mkdir(parents=True)
    (tmp_path / "set" / "sources" / "tool.txt").write_text("Intro.\n\nUse reverse().\n")
    row = {"id": "tool-001", "question": "How do I reverse?", "sources": ["set/sources/tool.txt"],
           "spans": [{"source": "set/sources/tool.txt", "start": 8, "end": 22}]}
    (tmp_path / "set" / "questions.jsonl").write_text(json.dumps(row) + "\n")
    assert faq_kept.write_variant(Path("set"), "markdown", Path("kept")) == 1
    (kept,) = [json.loads(line) for line in open("kept/questions.jsonl")]
    assert kept["sources"] == ["kept/sources/tool.md"]
    span = kept["spans"][0]
    text = Path("kept/sources/tool.md").read_text()
    assert text[span["start"]:span["end"]] == "Use reverse()."
    assert text.startswith("Intro.\n\n## How do I reverse?\n\n")


def test_numbered_and_tight_styles_number_per_file_and_leave_no_blank_line(faq_kept):
    numbered, _ = faq_kept.with_questions(TWO_ANSWERS, TWO_QUESTIONS, "numbered")
    assert numbered == ("Intro.\n\n1. How do I reverse?\n\nUse reverse().\n\n"
                        "2. How do I sort?\n\nUse sort().\n")
    tight, spans = faq_kept.with_questions(TWO_ANSWERS, TWO_QUESTIONS, "definition")
    assert tight == ("Intro.\n\nHow do I reverse?::\nUse reverse().\n\n"
                     "How do I sort?::\nUse sort().\n")
    assert [tight[s:e] for s, e in spans] == ["Use sort().", "Use reverse()."]
