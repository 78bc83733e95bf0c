"""Printing HTML to PDF as a browser does, for the browser-printed question sets
(eval/browser, eval/webdocs): headless Chromium, A4, with a running header (date, title) and a
footer (a left-hand text, page n/N). Needs Playwright and Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
HEADER = ('<div style="font-size:8px;width:100%;margin:0 1cm"><span class="date"></span>'
          '<span style="float:right" class="title"></span></div>')


def footer(left: str) -> str:
    """A footer with `left` (HTML: plain text, or Chromium's <span class="url"></span>) and
    the page as n/N."""
    return (f'<div style="font-size:8px;width:100%;margin:0 1cm"><span>{left}</span>'
            '<span style="float:right"><span class="pageNumber"></span>/'
            '<span class="totalPages"></span></span></div>')


@contextmanager
def browser_page() -> Iterator[Any]:
    """A page of a headless Chromium, closed afterwards."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def remove(page: Any, selector: str) -> None:
    """Take the elements matching a CSS selector out of the loaded page."""
    page.evaluate(f"document.querySelectorAll('{selector}').forEach(e => e.remove())")


def print_pdf(page: Any, path: Path, footer_left: str) -> None:
    """Print the loaded page to `path` as a browser prints it."""
    page.pdf(path=str(path), format="A4", display_header_footer=True, header_template=HEADER,
             footer_template=footer(footer_left),
             margin={side: "1.5cm" for side in ("top", "bottom", "left", "right")})
    print(f"wrote {path}")
