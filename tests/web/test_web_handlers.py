"""The UI's handlers called directly: follow-ups, bad questions, the viewer, rebuild while
another runs, read-only mode and the evaluation tab."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


class Event:
    """Stands in for gr.EventData: what the conversation's click sends."""

    def __init__(self, data):
        self._data = data


def no_progress(*args, **kwargs):
    return None


@pytest.fixture(scope="module")
def web(web_project):
    from askrel.web.ui import WebApp

    return WebApp(web_project.index, web_project.sources, model=None, read_only=False,
                  root=web_project.root)


def test_follow_up_is_asked_with_the_earlier_questions(web):
    first = "What did Yoon propose to resolve the forced labor issue?"
    follow = "How did Japan respond?"

    _, turns, cleared, status = web.chat(first, [], 5, "hybrid", [])
    html, turns, _, _ = web.chat(follow, turns, 5, "hybrid", [])

    expected = web.live.get().ask(follow, history=[first]).to_json()
    assert cleared == "" and status == ""
    assert [t["history"] for t in turns] == [[], [first]]
    assert turns[1]["answer"]["results"] == expected["results"]
    assert "Follow-up" in html


def test_bad_question_leaves_the_conversation_and_says_why(web):
    html, turns, question, status = web.chat("   \x00 ", [], 5, "hybrid", [])

    assert turns == []
    assert "Please type a question" in status


def test_open_source_shows_the_whole_document_with_the_passage_marked(web, web_project):
    _, turns, _, _ = web.chat("When did the two countries normalize relations?", [], 3,
                              "hybrid", [])
    hit = turns[0]["answer"]["results"][1]

    body, column = web.open_source(turns, Event({"turn": 0, "rank": 2}))

    assert 'class="cited"' in body and 'class="hl"' in body
    assert column.visible is True
    import html
    import re

    shown = html.unescape(re.sub(r"<[^>]+>", "", body))
    source_text = (web_project.root / hit["citation"]["source"]).read_text(encoding="utf-8")
    assert hit["text"] in shown
    assert source_text.rstrip()[-200:] in shown  # the whole document, to its end


def test_open_source_ignores_forged_clicks(web):
    _, turns, _, _ = web.chat("When did the two countries normalize relations?", [], 3,
                              "hybrid", [])
    for data in ({"turn": 5, "rank": 1}, {"turn": -1, "rank": 1}, {"turn": 0, "rank": 99},
                 {"turn": "x"}, {}, None):
        body, column = web.open_source(turns, Event(data))
        assert body.__class__.__name__ != "str"  # gr.skip(): nothing changes


def test_rebuild_while_another_runs_says_so(web):
    from filelock import FileLock

    with FileLock(str(web.index_dir / ".lock")):
        report, *_ = web.rebuild(progress=no_progress)

    assert "Another rebuild" in report


def test_uploads_and_rebuilds_are_refused_when_read_only(web_project, tmp_path):
    from askrel.web.ui import WebApp

    ro = WebApp(web_project.index, web_project.sources, model=None, read_only=True,
                root=web_project.root)
    upload = tmp_path / "new.txt"
    upload.write_text("Some new text for the index.", encoding="utf-8")

    message, *_ = ro.save_uploads([str(upload)])
    report, *_ = ro.rebuild(progress=no_progress)

    assert "read-only" in message and "read-only" in report
    assert not (web_project.sources / "new.txt").exists()


def test_read_only_app_has_no_upload_or_rebuild(web_project):
    import gradio as gr

    from askrel.web import build_app

    app = build_app(web_project.index, web_project.sources, read_only=True,
                    root=web_project.root)
    ids = {getattr(b, "elem_id", None) for b in app.blocks.values()}
    files = [b for b in app.blocks.values() if isinstance(b, gr.File)]

    assert "upload" not in ids and "rebuild" not in ids
    assert all(f.elem_id == "eval-file" for f in files)


def questions_file(tmp_path: Path) -> Path:
    path = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "question": "When did Japan and South Korea normalize relations?",
         "answers": ["1965"]},
        {"id": "b", "question": "What year did the moon melon harvest reach four hundred "
                                "crates?", "answers": ["no such answer string"]},
        {"id": "c", "question": "What is the capital of Peru?", "answers": [],
         "unanswerable": True},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_evaluate_tab_shows_metrics_plot_and_misses(web, tmp_path):
    pytest.importorskip("askrel.evaluation")

    status, table, plot, misses = web.evaluate("upload", str(questions_file(tmp_path)),
                                               ["hybrid", "bm25"], progress=no_progress)

    assert status == ""
    assert "hybrid" in table and "bm25" in table
    assert plot is not None and plot.size[0] > 100
    assert "moon melon harvest" in misses and "no such answer string" in misses


def test_evaluate_tab_reports_bad_input(web, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    wrong_type = tmp_path / "q.txt"
    wrong_type.write_text("{}", encoding="utf-8")

    no_modes = web.evaluate("upload", str(bad), [], progress=no_progress)[0]
    no_file = web.evaluate("upload", None, ["hybrid"], progress=no_progress)[0]
    not_jsonl = web.evaluate("upload", str(wrong_type), ["hybrid"], progress=no_progress)[0]
    broken = web.evaluate("upload", str(bad), ["hybrid"], progress=no_progress)[0]

    assert "at least one" in no_modes
    assert "Upload" in no_file
    assert ".jsonl" in not_jsonl
    assert "bad.jsonl" in broken or "not available" in broken
