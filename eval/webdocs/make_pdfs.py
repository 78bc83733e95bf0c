"""Print two Python HOWTOs to PDF, as a browser prints a web page.

The HTML comes from Debian's `python3.11-doc` package:

    apt-get download python3.11-doc && dpkg-deb -x python3.11-doc_*.deb pydoc
    python eval/webdocs/make_pdfs.py pydoc/usr/share/doc/python3.11/html

Each page is printed by headless Chromium on A4, with the site's navigation taken out and the
header and footer a browser adds by default (date and title; address and page n/N). Sphinx
gives the headings no numbers and the PDF has no outline, so sections come from type size.
Needs Playwright and Debian's chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {"python-logging-howto": "howto/logging.html",
         "python-regex-howto": "howto/regex.html"}
NAVIGATION = ".sphinxsidebar, .related, .footer, #sidebarbutton, .headerlink, .mobile-nav"
HEADER = ('<div style="font-size:8px;width:100%;margin:0 1cm"><span class="date"></span>'
          '<span style="float:right" class="title"></span></div>')
FOOTER = ('<div style="font-size:8px;width:100%;margin:0 1cm"><span class="url"></span>'
          '<span style="float:right"><span class="pageNumber"></span>/'
          '<span class="totalPages"></span></span></div>')
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def main(html_dir: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        page = browser.new_page()
        for name, path in PAGES.items():
            page.goto((html_dir / path).as_uri())
            page.evaluate(f"document.querySelectorAll('{NAVIGATION}')"
                          ".forEach(e => e.remove())")
            page.pdf(path=str(out_dir / f"{name}.pdf"), format="A4",
                     display_header_footer=True, header_template=HEADER,
                     footer_template=FOOTER,
                     margin={side: "1.5cm" for side in ("top", "bottom", "left", "right")})
            print(f"wrote {out_dir / f'{name}.pdf'}")
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(__file__).parent / "sources")
