"""End to end in headless Chromium: asking, follow-up decisions, the answer at a glance,
citations, the source viewer, upload, rebuild and deletion of sources, Escape and focus, escaping
of hostile sources, accessibility (axe-core) and the phone layout. One server for the module."""

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
    page.wait_for_selector(f"#turn-{turn} .card", state="attached")
    return page.locator(f"#turn-{turn}")


def squash(text: str) -> str:
    return " ".join(text.split())


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def test_answer_shows_ranked_cited_passages_with_highlight(page):
    turn = ask(page, "When did Japan and South Korea normalize relations?")

    cards = turn.locator(".card")
    first = cards.first
    assert cards.count() == 5
    assert first.locator(".rank").inner_text() == "1"
    assert first.locator(".rel").inner_text().startswith("best match")
    highlight = first.locator("mark.hl").first.inner_text()
    assert highlight.strip() and highlight.strip() in first.locator(".passage").inner_text()
    cite = first.locator(".cite")
    assert re.search(r"characters [\d,]+–[\d,]+", cite.get_attribute("title"))
    assert ".txt" in cite.get_attribute("title") and "characters" not in cite.inner_text()
    assert "1965" in squash(turn.inner_text())
    # the bars follow the ranking: never longer further down
    widths = [float(w) for w in cards.evaluate_all(
        "cs => cs.map(c => c.querySelector('.rel-bar > span').style.width.replace('%', ''))")]
    assert widths == sorted(widths, reverse=True) and widths[0] == 100
    # the numbers are on focus, and the open buttons are named after their passages
    first.locator(".rel").focus()
    assert "ranking score" in first.locator(".rel-score").inner_text()
    names = cards.evaluate_all("cs => cs.map(c => c.querySelector('button.open-source')"
                               ".getAttribute('aria-label'))")
    assert len(set(names)) == 5 and all(n.startswith(f"Open passage {k} in source: ")
                                        for k, n in enumerate(names, start=1))


def test_glance_quotes_the_best_sentences_and_folds_weak_matches(page):
    turn = ask(page, "Which products did Japan curb exports of to South Korea in 2019?")
    items = turn.locator(".glance li")
    assert 1 <= items.count() <= 3
    for k in range(items.count()):
        quote = squash(items.nth(k).locator("q").inner_text()).rstrip(" …")
        chip = items.nth(k).locator("a.chip")
        card = page.locator(f"#{chip.get_attribute('data-card')}")
        marked = squash(" ".join(card.locator("mark.hl").all_inner_texts()))
        assert quote[:60] in marked
    chip = items.last.locator("a.chip")
    chip.click()
    target = chip.get_attribute("data-card")
    assert page.evaluate("() => document.activeElement.id") == target
    box = page.locator(f"#{target}").bounding_box()
    assert box and 0 <= box["y"] < 900

    # weak matches are folded away with a faint mark; an unanswered question folds them all
    folded = turn.locator("details.less-relevant")
    if folded.count():
        assert not folded.first.evaluate("d => d.open")
        assert folded.locator(".card mark.hl").count() == 0
    off = ask(page, "What is the best recipe for sourdough bread?", 1)
    assert "No answer found" in off.inner_text()
    assert off.locator(".glance").count() == 0
    assert off.locator("details.less-relevant").count() == 1
    assert not off.locator("details.less-relevant .card").first.is_visible()
    assert off.locator("mark.hl").count() == 0
    # the new answer is announced politely
    region = page.locator("#answer-announcer")
    assert region.get_attribute("aria-live") == "polite"
    assert "No answer found for: What is the best recipe" in region.inner_text()


def test_follow_up_decisions_are_shown_and_can_be_changed(page, served):
    from askrel.answering.search import Searcher

    first = "What did Yoon propose to resolve the forced labor issue?"
    follow = "How did Japan respond?"
    ask(page, first, 0)
    turn = ask(page, follow, 1)

    searcher = Searcher(served.project.index)
    in_context = searcher.ask(follow, history=[first]).results[0]
    context = turn.locator(".context").first.inner_text()
    assert "Searched with" in context and f"“{first}”" in context
    assert squash(turn.locator(".card").first.locator(".passage").inner_text()) == \
        squash(in_context.text)

    # one click asks it alone, one more asks it as a follow-up again
    turn.get_by_role("button", name="Ask it on its own").click()
    page.locator("#turn-1 .context").get_by_text("Searched on its own").wait_for()
    alone = searcher.ask(follow).results[0]
    assert squash(page.locator("#turn-1 .card").first.locator(".passage").inner_text()) == \
        squash(alone.text)
    page.locator("#turn-1").get_by_role("button", name=re.compile("Ask it as a follow-up")).click()
    page.locator("#turn-1 .context").get_by_text("Searched with").wait_for()

    # a new topic is searched on its own
    other = ask(page, "How many crates did the moon melon harvest reach in Quillan?", 2)
    assert "Searched on its own" in other.locator(".context").first.inner_text()
    assert "Searched with" not in other.inner_text()

    page.locator("#new-conversation").click()
    page.wait_for_selector(".empty-state")
    assert page.locator(".turn").count() == 0


def test_a_declined_question_is_never_carried_forward(page):
    first = "What did Yoon propose to resolve the forced labor issue?"
    declined = "What is the best recipe for sourdough bread?"
    ask(page, first, 0)
    ask(page, declined, 1)
    assert "No answer found" in page.locator("#turn-1").inner_text()
    turn = ask(page, "How did Japan respond to it?", 2)

    context = turn.locator(".context").first.inner_text()
    assert f"“{first}”" in context and "sourdough" not in context


def test_new_conversation_then_a_quick_question_keeps_the_question(page):
    ask(page, "When did Japan and South Korea normalize relations?", 0)
    box = page.locator("#question textarea")
    page.locator("#new-conversation").click()
    box.fill("Who wrote the Zephyr Accord article?")  # no wait in between
    box.press("Enter")
    page.wait_for_selector("#turn-0 .card", state="attached")
    page.wait_for_timeout(500)

    assert page.locator(".turn").count() == 1
    assert page.locator("#turn-0 .asked").inner_text() == "Who wrote the Zephyr Accord article?"


def test_citation_names_title_author_and_links_the_web_address(page):
    turn = ask(page, "When was the Zephyr Accord signed?")
    card = turn.locator(".card").filter(has_text="Zephyr").first
    cite = card.locator(".cite")

    text = cite.inner_text()
    assert "The Zephyr Accord" in text  # no title in the front matter: the first heading
    assert "by Ada Quill" in text and "Coastal Gazette, 2031" in text
    link = cite.locator("a.cite-link")
    assert link.get_attribute("href") == "https://example.org/zephyr-accord"
    assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    assert "zephyr-accord.md" in cite.get_attribute("title")
    assert "**" not in card.inner_text() and "# The" not in card.inner_text()

    # the viewer shows the Markdown as clean text, and the file and range
    card.locator("button.open-source").click()
    page.locator("#viewer .cited-passage").wait_for()
    viewer = page.locator("#viewer")
    assert "sources/zephyr-accord.md" in viewer.locator(".doc-where").inner_text()
    body = viewer.locator(".doc-body").inner_text()
    assert "The Zephyr Accord" in body and "#" not in body and "**" not in body
    assert "`" not in body and "Port Alder" in body


def test_source_viewer_shows_the_passage_and_escape_closes_it(page):
    turn = ask(page, "What happened to South Korea's exports to Japan?")
    card = turn.locator(".card").nth(1)
    passage = squash(card.locator(".passage").inner_text())

    card.locator("button.open-source").click()
    cited = page.locator("#viewer .cited-passage")
    cited.wait_for()

    assert squash(cited.inner_text()) == passage
    assert cited.locator("mark.hl").count() >= 1
    page.wait_for_timeout(300)
    body = page.locator("#viewer .doc-body").bounding_box()
    mark = cited.bounding_box()
    assert body and mark
    assert mark["y"] < body["y"] + body["height"] and mark["y"] + mark["height"] > body["y"]
    assert 0 <= mark["y"] < 900  # on screen

    page.keyboard.press("Escape")
    page.locator("#viewer-col").wait_for(state="hidden")
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.activeElement.closest('.card')?.id") == \
        card.get_attribute("id")


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
    message = page.locator("#sources-message")
    message.get_by_text("Rebuild index").wait_for()
    text = message.inner_text()
    assert "saved as halvorsen-lighthouse.txt" in text
    assert "saved as moon-melons-2.md" in text and "not overwritten" in text
    assert "Not indexed yet" in page.locator("#sources-table").inner_text()

    # a file the browser refuses: its toast replaces the message, and goes with the tab
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ not a text file")
    page.locator("#upload input[type=file]").set_input_files([str(exe)])
    page.locator(".toast-body").first.wait_for()
    message.wait_for(state="hidden")
    page.get_by_role("tab", name="Evaluate").click()
    page.locator(".toast-body").first.wait_for(state="detached")
    page.get_by_role("tab", name="Sources & index").click()

    page.locator("#rebuild").click()
    page.locator("#sources-message .report").wait_for(timeout=180_000)
    report = message.inner_text()
    assert "Index updated" in report and "saved as" not in report  # the latest action only
    assert "broken.txt" in report and "binary" in report
    assert "sources/halvorsen-lighthouse.txt" in page.locator("#sources-table").inner_text()

    page.get_by_role("tab", name="Ask").click()
    turn = ask(page, "Who first lit the Halvorsen lighthouse?")
    first = turn.locator(".card").first
    assert "halvorsen-lighthouse.txt" in first.locator(".cite").get_attribute("title")
    assert "Ingrid Moe" in first.inner_text()


def test_sources_tab_opens_and_deletes_a_source(page, served):
    from askrel.indexing.build import build_index

    doomed = served.project.sources / "old-ferry-notes.txt"
    doomed.write_text("The old ferry between Brannick and Tolloway stopped running in 1974, "
                      "when the bridge opened.\n", encoding="utf-8")
    build_index(served.project.sources, served.project.index, root=served.project.root)

    page.get_by_role("tab", name="Sources & index").click()
    row = page.locator("#sources-table tr", has_text="old-ferry-notes.txt")
    # the table may first show a render from page load, before the build; wait for the new one
    row.locator("td.status").filter(has_text=re.compile(r"^Indexed$")).wait_for()

    # open: the source's passages, closed again with Escape
    row.get_by_role("button", name=re.compile("Open source")).click()
    panel = page.locator("#source-panel")
    panel.get_by_text("Passage 1").wait_for()
    assert "stopped running in 1974" in panel.inner_text()
    page.keyboard.press("Escape")
    page.locator("#source-panel-col").wait_for(state="hidden")

    # delete, after a confirmation; cancelling first changes nothing
    row.get_by_role("button", name=re.compile("Delete source")).click()
    row.get_by_role("button", name="Cancel").click()
    assert doomed.exists()
    row.get_by_role("button", name=re.compile("Delete source")).click()
    row.get_by_role("button", name="Delete", exact=True).click()
    message = page.locator("#sources-message")
    message.get_by_text("Deleted old-ferry-notes.txt").wait_for(timeout=180_000)
    assert "1 removed" in message.inner_text()
    assert not doomed.exists()
    page.wait_for_timeout(300)
    assert "old-ferry-notes.txt" not in page.locator("#sources-table").inner_text()


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
    page.locator("#sources-table tr", has_text="moon-melons.md").get_by_role(
        "button", name=re.compile("Open source")).click()
    page.locator("#source-panel").get_by_text("Passage 1").wait_for()
    page.get_by_role("tab", name="Ask").click()
    page.locator("#search-options").get_by_text("Search options").click()
    page.locator("#source-filter input").click()
    page.get_by_text(re.compile(r"Moon melons <img")).first.wait_for()
    page.keyboard.press("Escape")

    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#conversation script, #viewer script, #sources-table script, "
                        "#source-panel script").count() == 0
    assert page.evaluate("() => [...document.scripts].some(s => s.text.trim() === "
                         "'window.__pwned=1')") is False


def test_no_serious_accessibility_problems_on_ask_sources_and_evaluate(page):
    box = page.get_by_role("textbox", name="Your question")
    assert box.count() == 1
    turn = ask(page, "Why did relations between Japan and South Korea worsen in 2019?")
    turn.locator(".card button.open-source").first.click()
    page.locator("#viewer .cited-passage").wait_for()
    page.wait_for_timeout(1000)  # the viewer fades in; colours are judged once it is opaque
    found = {"Ask": serious_violations(page)}

    page.get_by_role("tab", name="Sources & index").click()
    page.locator("#sources-table table").wait_for()
    page.wait_for_timeout(1000)  # the tab fades in; colours are judged once it is opaque
    found["Sources"] = serious_violations(page)

    page.get_by_role("tab", name="Evaluate").click()
    page.locator("#eval-run").wait_for()
    page.wait_for_timeout(1000)
    found["Evaluate"] = serious_violations(page)

    assert found == {"Ask": [], "Sources": [], "Evaluate": []}


def test_phone_close_returns_to_the_passage_and_no_sideways_scrolling(browser, served):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(served.url)
        page.wait_for_selector("#question textarea")
        turn = ask(page, "Why did relations between Japan and South Korea worsen in 2019?")
        card = turn.locator(".card").nth(1)
        card.locator("button.open-source").click()
        page.locator("#viewer .cited-passage").wait_for()

        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        page.wait_for_timeout(300)
        assert card.bounding_box()["y"] + card.bounding_box()["height"] < 0  # viewer in view

        page.locator("#close-viewer").click()
        page.locator("#viewer-col").wait_for(state="hidden")
        page.wait_for_timeout(400)
        box = card.bounding_box()
        assert box and box["y"] < 844 and box["y"] + box["height"] > 0  # back at the passage
    finally:
        context.close()
