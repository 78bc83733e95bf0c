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


def plain(results: list[dict]) -> list[dict]:
    """Results without the title the UI adds for untitled sources, to compare with the API's."""
    return [h | {"citation": {k: v for k, v in h["citation"].items() if k != "display_title"}}
            for h in results]


@pytest.fixture(scope="module")
def web(web_project):
    from askrel.web.ui import WebApp

    return WebApp(web_project.index, web_project.sources, model=None, read_only=False,
                  root=web_project.root)


def test_follow_up_is_asked_with_the_earlier_questions(web):
    first = "What did Yoon propose to resolve the forced labor issue?"
    follow = "How did Japan respond?"

    _, turns, status = web.chat(first, [], 5, "hybrid", [])
    html, turns, _ = web.chat(follow, turns, 5, "hybrid", [])

    expected = web.live.get().ask(follow, history=[first]).to_json()
    assert status == ""
    assert [t["history"] for t in turns] == [[], [first]]
    assert plain(turns[1]["answer"]["results"]) == expected["results"]
    assert "Searched with" in html and "(a follow-up)" in html


def test_new_topic_is_asked_alone_and_can_be_asked_again_either_way(web):
    first = "What did Yoon propose to resolve the forced labor issue?"
    other = "When was the Zephyr Accord signed?"

    _, turns, _ = web.chat(first, [], 5, "hybrid", [])
    _, turns, _ = web.chat(other, turns, 5, "hybrid", [])
    searcher = web.live.get()

    assert turns[1]["history"] == [] and turns[1]["thread"] == [first]
    assert plain(turns[1]["answer"]["results"]) == searcher.ask(other).to_json()["results"]
    html, again, *_ = web.conversation_click(turns, Event({"action": "follow", "turn": 1}))
    assert again[1]["history"] == [first] and len(again) == 2
    assert plain(again[1]["answer"]["results"]) == \
        searcher.ask(other, history=[first]).to_json()["results"]
    _, back, *_ = web.conversation_click(again, Event({"action": "alone", "turn": 1}))
    assert back[1]["history"] == [] and back[1]["reason"] == "as you chose"
    for data in ({"action": "alone", "turn": 7}, {"action": "follow", "turn": -1},
                 {"action": "alone"}):
        out = web.conversation_click(turns, Event(data))
        assert all(x.__class__.__name__ != "str" for x in out)  # nothing changes


def test_untitled_source_is_cited_by_its_first_heading(web):
    # a Markdown file whose front matter has no title: its opening "# The Zephyr Accord"
    _, turns, _ = web.chat("When was the Zephyr Accord signed?", [], 3, "hybrid", [])
    citation = next(h["citation"] for h in turns[0]["answer"]["results"]
                    if h["citation"]["source"].endswith("zephyr-accord.md"))

    assert citation["title"] == "The Zephyr Accord"  # read as its title: nothing to stand in
    assert citation["display_title"] is None


def test_bad_question_leaves_the_conversation_and_says_why(web):
    html, turns, status = web.chat("   \x00 ", [], 5, "hybrid", [])

    assert turns == []
    assert "Please type a question" in status


def test_open_source_shows_the_whole_document_with_the_passage_marked(web, web_project):
    _, turns, _ = web.chat("When did the two countries normalize relations?", [], 3,
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
    _, turns, _ = web.chat("When did the two countries normalize relations?", [], 3,
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


def test_deleting_a_source_removes_its_file_and_rebuilds(web, web_project):
    doomed = web_project.sources / "note-to-delete.txt"
    doomed.write_text("The lantern festival of Orrin is held on the first frost night.\n",
                      encoding="utf-8")
    web.rebuild(progress=no_progress)
    assert "sources/note-to-delete.txt" in web.source_panel("sources/note-to-delete.txt")

    panel, column, message, _, table, _ = web.source_action(
        Event({"action": "delete", "source": "sources/note-to-delete.txt"}),
        progress=no_progress)

    assert not doomed.exists()
    assert "Deleted note-to-delete.txt" in message and "1 removed" in message
    assert "note-to-delete.txt" not in table
    outside = web.source_action(Event({"action": "delete", "source": "../pyproject.toml"}),
                                progress=no_progress)
    assert "was not deleted" in outside[2]


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
    assert plot.visible is True and plot.value is not None
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


def test_the_index_panel_says_when_passages_were_cut_by_another_version(web, monkeypatch):
    facts, _, _ = web.index_views()
    assert "Passages" in facts and "cut from the sources by another version" not in facts
    monkeypatch.setattr("askrel.web.ui.cut_by_other_code", lambda manifest: True)
    facts, _, _ = web.index_views()
    assert "cut from the sources by another version of askrel. Rebuild cuts them anew." in facts
