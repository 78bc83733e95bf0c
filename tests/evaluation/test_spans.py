"""Gold spans: reading them from question files, the overlap rule, and judging passages and
highlights by it (tiny inline data, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from askrel.answering.abstention import Calibration
from askrel.evaluation.questions import (
    GoldSpan,
    Question,
    QuestionsFileError,
    covers_span,
    load_questions,
    overlaps_enough,
)
from askrel.evaluation.report import expected, markdown
from askrel.evaluation.runner import (
    Evaluation,
    highlight_answers,
    is_relevant,
    judge,
    passage_places,
    relevant_passages,
    stretch_places,
)
from askrel.reading.sources import read_text_file
from askrel.records import Answer, Citation, Continuation, Hit, Passage

ROOT = Path(__file__).resolve().parents[2]
A = "eval/x/sources/a.txt"
B = "eval/x/sources/b.txt"


def write(tmp_path: Path, items: list[dict]) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.mark.parametrize(("a", "b", "result"), [
    ((0, 10), (5, 20), True),  # overlap 5 = exactly half of the shorter (10)
    ((0, 10), (6, 20), False),  # overlap 4 < 5
    ((0, 10), (10, 20), False),  # touching, no overlap
    ((0, 10), (30, 40), False),  # apart
    ((100, 150), (0, 1000), True),  # a passage inside a long answer
    ((0, 1000), (400, 420), True),  # a long passage holding a short answer
    ((0, 410), (400, 420), True),  # holds half of a short answer
    ((0, 409), (400, 420), False),  # holds less than half of it
    ((3, 8), (3, 8), True),
])
def test_overlap_rule(a, b, result):
    assert overlaps_enough(a, b) is result
    assert overlaps_enough(b, a) is result  # symmetric


def test_covers_span_needs_the_same_file_and_page():
    spans = (GoldSpan(A, 100, 200),)
    assert covers_span(A, [(None, 120, 180)], spans)
    assert not covers_span(B, [(None, 120, 180)], spans)  # same offsets, other file
    assert not covers_span(A, [(3, 120, 180)], spans)  # a page of a PDF, gold in a text file
    assert covers_span(A, [(2, 0, 10), (3, 100, 300)], (GoldSpan(A, 150, 160, page=3),))
    assert not covers_span(A, [(None, 120, 180)], ())


def test_span_questions_load(tmp_path):
    path = write(tmp_path, [
        {"id": "s", "question": "Why?", "sources": [A],
         "spans": [{"source": A, "start": 10, "end": 50}]},
        {"id": "both", "question": "Who?", "answers": ["Kim"],
         "spans": [{"source": B, "start": 0, "end": 5, "page": 2}]},
        {"id": "plain", "question": "When?", "answers": ["1965"]},
    ])
    spans_only, both, plain = load_questions(path)
    assert spans_only.spans == (GoldSpan(A, 10, 50),) and spans_only.answers == ()
    assert not spans_only.unanswerable
    assert both.spans == (GoldSpan(B, 0, 5, 2),) and both.answers == ("Kim",)
    assert plain.spans == ()


@pytest.mark.parametrize(("item", "message"), [
    ({"question": "Why?"}, "missing key 'answers' (or 'spans')"),
    ({"question": "Why?", "spans": []}, "'answers' is empty; give at least one answer or span"),
    ({"question": "Why?", "spans": {"source": A}}, "'spans' must be a list of objects"),
    ({"question": "Why?", "spans": [[A, 1, 2]]}, "each span must be an object"),
    ({"question": "Why?", "spans": [{"start": 1, "end": 2}]}, "'source' must be a non-empty"),
    ({"question": "Why?", "spans": [{"source": A, "start": "1", "end": 2}]},
     "'start' and 'end' must be whole numbers"),
    ({"question": "Why?", "spans": [{"source": A, "start": True, "end": 2}]},
     "'start' and 'end' must be whole numbers"),
    ({"question": "Why?", "spans": [{"source": A, "start": 5, "end": 5}]},
     "0 <= start < end (got 5..5)"),
    ({"question": "Why?", "spans": [{"source": A, "start": -1, "end": 5}]},
     "0 <= start < end"),
    ({"question": "Why?", "spans": [{"source": A, "start": 1, "end": 5, "page": 0}]},
     "'page' must be a page number"),
    ({"question": "Why?", "spans": [{"source": A, "start": 1, "end": 5, "stop": 6}]},
     "unknown key(s) in a span: stop"),
    ({"question": "Why?", "sources": [B], "spans": [{"source": A, "start": 1, "end": 5}]},
     f"span source '{A}' is not among the question's 'sources'"),
    ({"question": "Why?", "unanswerable": True,
      "spans": [{"source": A, "start": 1, "end": 5}]}, "must have no answers and no spans"),
])
def test_bad_spans_are_named(tmp_path, item, message):
    path = write(tmp_path, [item])
    with pytest.raises(QuestionsFileError) as info:
        load_questions(path)
    assert "line 1: " in str(info.value) and message in str(info.value)


SPAN_Q = Question("s", "Why?", (), (A,), spans=(GoldSpan(A, 100, 300),))
BOTH_Q = Question("b", "Who?", ("Kim",), (A, B), spans=(GoldSpan(A, 100, 300),))


def test_relevance_by_span():
    text = "Some passage text."
    assert is_relevant(text, A, SPAN_Q, [(None, 150, 250)])
    assert is_relevant(text, A, SPAN_Q, [(None, 0, 1000)])  # long passage, short answer
    assert not is_relevant(text, A, SPAN_Q, [(None, 0, 150)])  # 50 of 150: under half
    assert not is_relevant(text, B, SPAN_Q, [(None, 150, 250)])  # other file
    assert not is_relevant(text, A, SPAN_Q)  # no place given: strings only, and it has none
    # Answer strings and spans: either one makes the passage answer.
    assert is_relevant("Kim said so.", B, BOTH_Q, [(None, 0, 50)])
    assert is_relevant(text, A, BOTH_Q, [(None, 200, 260)])
    assert not is_relevant(text, B, BOTH_Q, [(None, 200, 260)])


def test_qrels_by_span_over_passages():
    passages = [Passage(1, A, None, 0, 90, "x", ()), Passage(2, A, None, 90, 200, "x", ()),
                Passage(3, A, None, 200, 400, "x", ()), Passage(4, B, None, 100, 300, "x", ())]
    # Passage 2 holds 100 of its 110 chars in the answer; passage 3 100 of 200 (exactly half).
    assert relevant_passages(passages, [SPAN_Q]) == {"s": frozenset({2, 3})}


def test_places_of_a_passage_run_over_a_page_break():
    carried = Passage(7, A, 4, 500, 560, "y" * 60 + "\n" + "z" * 20, (),
                      continued=Continuation(5, 0, 20))
    assert passage_places(carried) == [(4, 500, 560), (5, 0, 20)]
    # Offsets 50..70 of the text: 50..60 on page 4, the joining newline, then 0..9 on page 5.
    assert stretch_places([(50, 70)], passage_places(carried)) == [(4, 550, 560), (5, 0, 9)]
    assert stretch_places([(0, 10)], [(None, 100, 200)]) == [(None, 100, 110)]


def span_hit(start: int, end: int, highlights: tuple[tuple[int, int], ...],
             source: str = A) -> Hit:
    citation = Citation(source, None, None, None, None, None, None, start, end)
    return Hit(1, 1.0, 0.9, "w" * (end - start), highlights, citation, 1)


def test_highlight_by_span():
    # Passage 50..250; gold 100..300. A marked sentence at 60..90 lies before the answer.
    assert not highlight_answers(span_hit(50, 250, ((10, 40),)), SPAN_Q)
    assert highlight_answers(span_hit(50, 250, ((60, 100),)), SPAN_Q)  # 110..150
    # Half of the marked sentence (90..110) is inside the answer: it counts.
    assert highlight_answers(span_hit(50, 250, ((40, 60),)), SPAN_Q)
    assert not highlight_answers(span_hit(50, 250, ((60, 100),), source=B), SPAN_Q)


def test_judge_and_report_a_span_question():
    run = judge(SPAN_Q, "hybrid", Answer("Why?", True, "hybrid",
                                         (span_hit(50, 250, ((60, 100),)),)),
                frozenset({1}), 0.01)
    assert run.judged == (True,) and run.highlight_hit
    assert expected(SPAN_Q) == f"{A} [100:300]"
    assert expected(BOTH_Q) == f"Kim | {A} [100:300]"
    evaluation = Evaluation("q.jsonl", (SPAN_Q,), {"hybrid": (run,)}, 10,
                            Calibration(0.5, fitted=True), "m")
    assert "overlaps it by at least half" in markdown(evaluation)


@pytest.mark.parametrize("name", ["faq", "faq2"])
def test_faq_set_spans_are_answers_in_the_files(name: str):
    """Every gold span of the FAQ sets, read as askrel reads the file, is one whole block of
    the body: after the front matter, neither starting nor ending inside a paragraph, and
    no two spans share text."""
    questions = load_questions(ROOT / "eval" / name / "questions.jsonl")
    assert len(questions) >= 300
    by_source: dict[str, list[tuple[int, int]]] = {}
    for q in questions:
        assert q.answers == () and len(q.spans) == 1 and q.sources == (q.spans[0].source,)
        span = q.spans[0]
        _, units = read_text_file((ROOT / span.source).read_bytes())
        text, body = units[0].text, units[0].body_start
        answer = text[span.start:span.end]
        assert body <= span.start and answer.strip() == answer and answer, q.id
        assert text[span.start - 1] == "\n" and text[span.end] == "\n", q.id
        by_source.setdefault(span.source, []).append((span.start, span.end))
    for spans in by_source.values():
        spans.sort()
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
