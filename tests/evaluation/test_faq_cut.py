"""eval/faq_cut.py: a FAQ set with every other answer cut out of its sources."""

from __future__ import annotations

import json
from pathlib import Path

THREE_ANSWERS = "Intro.\n\nUse reverse().\n\nUse sort().\n\nUse push().\n"
SPANS = [(24, 35), (8, 22), (37, 48)]  # sort, reverse, push: out of order



def test_a_cut_answer_leaves_with_its_blank_line_and_the_other_spans_follow(faq_cut):
    new_text, moved = faq_cut.without_answers(THREE_ANSWERS, SPANS, [True, False, False])
    assert new_text == "Intro.\n\nUse reverse().\n\nUse push().\n"
    assert moved[0] is None
    assert [new_text[s:e] for s, e in moved[1:]] == ["Use reverse().", "Use push()."]


def test_the_last_answer_cut_takes_the_line_end_of_the_file(faq_cut):
    new_text, moved = faq_cut.without_answers(THREE_ANSWERS, SPANS, [False, True, True])
    assert new_text == "Intro.\n\nUse sort().\n\n"
    assert new_text[moved[0][0]:moved[0][1]] == "Use sort()."


def test_each_half_cuts_every_other_answer_of_a_file(faq_cut, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "set" / "sources").mkdir(parents=True)
    Path("set/sources/tool.txt").write_text(THREE_ANSWERS)
    questions = ["How do I sort?", "How do I reverse?", "How do I push?"]
    with open("set/questions.jsonl", "w") as f:
        for n, (question, (start, end)) in enumerate(zip(questions, SPANS, strict=True)):
            f.write(json.dumps({"id": f"tool-{n}", "question": question,
                                "sources": ["set/sources/tool.txt"],
                                "spans": [{"source": "set/sources/tool.txt",
                                           "start": start, "end": end}]}) + "\n")
    # In the file's order: reverse (0), sort (1), push (2).
    assert faq_cut.write_variant(Path("set"), 0, Path("cut0")) == (1, 2)
    rows = {r["question"]: r for r in map(json.loads, open("cut0/questions.jsonl"))}
    assert rows["How do I reverse?"] == {"id": "tool-1", "question": "How do I reverse?",
                                         "answers": [], "unanswerable": True}
    assert rows["How do I push?"]["unanswerable"] is True
    span = rows["How do I sort?"]["spans"][0]
    text = Path("cut0/sources/tool.txt").read_text()
    assert text == "Intro.\n\nUse sort().\n\n"
    assert span["source"] == "cut0/sources/tool.txt"
    assert text[span["start"]:span["end"]] == "Use sort()."
    assert faq_cut.write_variant(Path("set"), 1, Path("cut1")) == (2, 1)
    assert Path("cut1/sources/tool.txt").read_text() == "Intro.\n\nUse reverse().\n\nUse push().\n"
