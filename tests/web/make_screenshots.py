"""Take the README screenshots of the web UI with headless Chromium.

    HF_HUB_OFFLINE=1 .venv/bin/python tests/web/make_screenshots.py [out-folder]

Serves a temporary copy of sources/ and eval/ (and of index/ when it is built), so nothing in the
project is changed; writes docs/screenshots/*.png by default.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
QUESTION = "Why did relations between Japan and South Korea worsen in 2019?"
FOLLOW_UP = "How did Seoul respond?"


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from askrel.indexing.build import build_index, current_build
    from askrel.web import build_app
    from askrel.web.ui import serve

    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="askrel-shots-"))
    shutil.copytree(PROJECT / "sources", root / "sources")
    shutil.copytree(PROJECT / "eval", root / "eval")
    if current_build(PROJECT / "index"):
        shutil.copytree(PROJECT / "index", root / "index", symlinks=True,
                        ignore=shutil.ignore_patterns(".lock"))
    build_index(root / "sources", root / "index", root=root)
    app = build_app(root / "index", root / "sources", root=root)
    url = serve(app, port=_free_port(), block=False, quiet=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            _desktop(browser, url, out)
            _phone(browser, url, out)
            browser.close()
    finally:
        app.close()
        shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ask(page, question: str, turn: int) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    page.wait_for_selector(f"#turn-{turn} .card", state="attached")
    page.wait_for_timeout(400)


def _desktop(browser, url: str, out: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    _ask(page, QUESTION, 0)
    page.locator("#turn-0").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('#turn-0').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(out / "chat-answer.png"))
    _ask(page, FOLLOW_UP, 1)
    page.evaluate("() => document.querySelector('#turn-1').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(out / "follow-up.png"))
    page.locator("#turn-1 .card button.open-source").first.click()
    page.locator("#viewer .cited-passage").wait_for()
    page.wait_for_timeout(600)
    page.screenshot(path=str(out / "source-viewer.png"))
    page.locator("#new-conversation").click()
    page.locator(".empty-state").wait_for()
    _ask(page, "What is the best recipe for sourdough bread?", 0)
    page.evaluate("() => document.querySelector('#turn-0').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(out / "not-answered.png"))
    page.get_by_role("tab", name="Sources & index").click()
    page.locator("#sources-table table").wait_for()
    page.wait_for_timeout(400)
    page.screenshot(path=str(out / "sources-index.png"), full_page=True)
    page.get_by_role("tab", name="Evaluate").click()
    page.locator("#eval-run").click()
    page.locator("#eval-misses table, #eval-misses p, #eval-status p").first.wait_for(
        timeout=300_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(out / "evaluate.png"))
    page.close()


def _phone(browser, url: str, out: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    _ask(page, QUESTION, 0)
    page.evaluate("() => document.querySelector('#turn-0').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(out / "phone-answer.png"))
    page.locator("#turn-0 .card button.open-source").first.click()
    page.locator("#viewer .cited-passage").wait_for()
    page.wait_for_timeout(600)
    page.screenshot(path=str(out / "phone-source-viewer.png"))
    context.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT / "docs" / "screenshots")
