"""End to end in headless Chromium: asking, follow-ups, the source viewer, upload and rebuild,
escaping of hostile sources, and the phone layout. One server for the whole module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
TIMEOUT = 120_000  # generous: CI machines may be busy


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (make browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(served.url)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def ask(page, question: str, turn: int = 0):
    """Ask in the chat and wait for that turn's answer; returns the turn's locator."""
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_selector(f"#turn-{turn} .card")
    return page.locator(f"#turn-{turn}")


def squash(text: str) -> str:
    return " ".join(text.split())


def test_answer_shows_ranked_cited_passages_with_highlight(page):
    turn = ask(page, "When did Japan and South Korea normalize relations?")

    cards = turn.locator(".card")
    first = cards.first
    assert cards.count() == 5
    assert first.locator(".rank").inner_text() == "1"
    assert re.search(r"(strong|partial|weak) match", first.locator(".rel").inner_text())
    highlight = first.locator("mark.hl").inner_text()
    assert highlight.strip() and highlight.strip() in first.locator(".passage").inner_text()
    cite = first.locator(".cite").inner_text()
    assert re.search(r"characters [\d,]+–[\d,]+", cite) and ".txt" in cite
    assert "1965" in squash(turn.inner_text())


def test_follow_up_uses_the_conversation(page, served):
    from askrel.answering.search import Searcher

    first = "What did Yoon propose to resolve the forced labor issue?"
    follow = "How did Japan respond?"
    ask(page, first, 0)
    turn = ask(page, follow, 1)

    expected = Searcher(served.project.index).ask(follow, history=[first]).results[0]
    assert f"“{first}”" in turn.locator(".context").inner_text()
    shown = squash(turn.locator(".card").first.locator(".passage").inner_text())
    assert shown == squash(expected.text)

    page.locator("#new-conversation").click()
    page.wait_for_selector(".empty-state")
    assert page.locator(".turn").count() == 0


def test_source_viewer_shows_the_document_with_the_passage_in_view(page):
    turn = ask(page, "What happened to South Korea's exports to Japan?")
    card = turn.locator(".card").nth(1)
    passage = squash(card.locator(".passage").inner_text())

    card.locator("button.open-source").click()
    cited = page.locator("#viewer .cited-passage")
    cited.wait_for()

    assert squash(cited.inner_text()) == passage
    assert cited.locator("mark.hl").count() >= 1
    header = page.locator("#viewer .doc-meta").inner_text()
    file_name = card.locator(".cite-file").inner_text()
    assert file_name in header
    page.wait_for_timeout(300)
    body = page.locator("#viewer .doc-body").bounding_box()
    mark = cited.bounding_box()
    assert body and mark
    assert mark["y"] < body["y"] + body["height"] and mark["y"] + mark["height"] > body["y"]
    assert 0 <= mark["y"] < 900  # on screen

    page.locator("#close-viewer").click()
    page.locator("#viewer-col").wait_for(state="hidden")


def test_upload_rebuild_then_ask_about_the_new_file(page, served, tmp_path):
    good = tmp_path / "halvorsen lighthouse.txt"
    good.write_text("The Halvorsen lighthouse on the island of Skarvoy was first lit in 1887 "
                    "by the keeper Ingrid Moe, who tended its lamp for forty years.\n\n"
                    "The light was automated in 1962 and still guides fishing boats home.\n",
                    encoding="utf-8")
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00data" * 50)
    clash = tmp_path / "moon-melons.md"  # a source of this name is already indexed
    clash.write_text("Storage notes: keep the crates of apples cool, dry and out of the sun "
                     "until they are sold at the winter market.\n", encoding="utf-8")

    page.get_by_role("tab", name="Sources & index").click()
    page.locator("#upload input[type=file]").set_input_files([str(good), str(bad), str(clash)])
    result = page.locator("#upload-result")
    result.get_by_text("Rebuild index").wait_for()
    text = result.inner_text()
    assert "saved as halvorsen-lighthouse.txt" in text
    assert "saved as moon-melons-2.md" in text and "not overwritten" in text

    page.locator("#rebuild").click()
    page.locator("#rebuild-result .report").wait_for(timeout=180_000)
    report = page.locator("#rebuild-result").inner_text()
    assert "Index updated" in report
    assert "broken.txt" in report and "binary" in report
    assert "sources/halvorsen-lighthouse.txt" in page.locator("#sources-table").inner_text()

    page.get_by_role("tab", name="Ask").click()
    turn = ask(page, "Who first lit the Halvorsen lighthouse?")
    first = turn.locator(".card").first
    assert "halvorsen-lighthouse.txt" in first.locator(".cite").inner_text()
    assert "Ingrid Moe" in first.inner_text()


def test_hostile_source_is_shown_as_text_and_runs_nothing(page):
    turn = ask(page, "How many crates did the moon melon harvest reach in Quillan?")
    card = turn.locator(".card").filter(has_text="Moon melon farmers").first

    assert "<script>window.__pwned=1</script>" in card.inner_text()
    assert "<img src=x onerror=" in card.inner_text() + turn.inner_text()
    card.locator("button.open-source").click()
    page.locator("#viewer .cited-passage").wait_for()
    viewer = page.locator("#viewer").inner_text()
    assert '<img src=x onerror="window.__pwned=1">' in viewer
    assert "<b>Orchard</b> Gazette" in viewer

    page.get_by_role("tab", name="Sources & index").click()
    page.locator("#sources-table").get_by_text("Moon melons <img").wait_for()
    page.get_by_role("tab", name="Ask").click()
    page.locator("#search-options").get_by_text("Search options").click()
    page.locator("#source-filter input").click()
    page.get_by_text(re.compile(r"Moon melons <img")).first.wait_for()
    page.keyboard.press("Escape")

    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#conversation script, #viewer script, #sources-table script").count() == 0
    assert page.evaluate("() => [...document.scripts].some(s => s.text.trim() === "
                         "'window.__pwned=1')") is False


def test_phone_width_has_no_sideways_scrolling(browser, served):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(served.url)
        page.wait_for_selector("#question textarea")
        turn = ask(page, "Why did relations between Japan and South Korea worsen in 2019?")
        turn.locator(".card").first.locator("button.open-source").click()
        page.locator("#viewer .cited-passage").wait_for()

        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
