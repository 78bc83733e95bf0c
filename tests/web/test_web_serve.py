"""Serving: local binding by default, login with --auth, clear errors for bad settings,
and app.py starting the same command as `askrel serve`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from askrel.web.ui import parse_auth

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("auth", "pair"), [
    (None, None), ("", None), ("ann:s3cret", ("ann", "s3cret")),
    ("ann:pass:with:colons", ("ann", "pass:with:colons")),
])
def test_parse_auth(auth, pair):
    assert parse_auth(auth) == pair


@pytest.mark.parametrize("auth", ["ann", "ann:", ":secret"])
def test_parse_auth_refuses_incomplete_pairs(auth):
    with pytest.raises(ValueError, match="USER:PASSWORD"):
        parse_auth(auth)


def test_launch_with_bad_settings_ends_with_a_message(tmp_path):
    from askrel.web import launch

    with pytest.raises(SystemExit, match="USER:PASSWORD"):
        launch(tmp_path, tmp_path, None, "127.0.0.1", 7860, "nopassword", False)
    with pytest.raises(SystemExit, match="askrel index"):
        launch(tmp_path / "none", tmp_path, None, "127.0.0.1", 7860, None, False)


@pytest.mark.slow
def test_server_binds_locally_and_asks_for_a_login(web_project, unused_port):
    import httpx
    from gradio_client import Client

    from askrel.web import build_app
    from askrel.web.ui import serve

    app = build_app(web_project.index, web_project.sources, read_only=True,
                    root=web_project.root)
    url = serve(app, port=unused_port, auth="ann:s3cret pass", block=False, quiet=True)
    try:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "config").status_code == 401
        assert httpx.post(url + "login", data={"username": "ann", "password": "wrong"}
                          ).status_code == 400
        answer = Client(url, auth=("ann", "s3cret pass"), verbose=False).predict(
            "When did Japan and South Korea normalize relations?", api_name="/ask")
        assert answer["answered"] is True
    finally:
        app.close()


def test_app_py_starts_the_serve_command():
    out = subprocess.run([sys.executable, str(PROJECT_ROOT / "app.py"), "--help"],
                         capture_output=True, text=True, timeout=60, check=True)
    assert "Start the web UI" in out.stdout
    assert "--read-only" in out.stdout


@pytest.mark.slow
def test_a_rebuild_from_another_process_is_picked_up_without_a_restart(web_project, unused_port):
    from gradio_client import Client

    from askrel.indexing.build import build_index
    from askrel.web import build_app
    from askrel.web.ui import serve

    app = build_app(web_project.index, web_project.sources, root=web_project.root)
    url = serve(app, port=unused_port, block=False, quiet=True)
    question = "How many quince trees did the Brightwater orchard plant?"
    try:
        client = Client(url, verbose=False)
        before = client.predict(question, api_name="/ask")
        (web_project.sources / "orchard.md").write_text(
            "The Brightwater orchard planted 340 quince trees along the north wall in 2021.\n\n"
            "Quince blossoms appear there in late April.\n", encoding="utf-8")
        build_index(web_project.sources, web_project.index, root=web_project.root)
        after = client.predict(question, api_name="/ask")
    finally:
        app.close()
        (web_project.sources / "orchard.md").unlink()

    assert all(h["citation"]["source"] != "sources/orchard.md" for h in before["results"])
    assert after["results"][0]["citation"]["source"] == "sources/orchard.md"
