"""Print two Python HOWTOs to PDF, as a browser prints a web page.

The HTML comes from Debian's `python3.11-doc` package:

    apt-get download python3.11-doc && dpkg-deb -x python3.11-doc_*.deb pydoc
    python eval/webdocs/make_pdfs.py pydoc/usr/share/doc/python3.11/html

Each page is printed by headless Chromium on A4, with the site's navigation taken out and the
header and footer a browser adds by default (date and title; address and page n/N). Sphinx
gives the headings no numbers and the PDF has no outline, so sections come from type size.
The printing is `eval/browser_print.py`'s.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # eval/, for browser_print
from browser_print import browser_page, print_pdf, remove  # noqa: E402

PAGES = {"python-logging-howto": "howto/logging.html",
         "python-regex-howto": "howto/regex.html"}
NAVIGATION = ".sphinxsidebar, .related, .footer, #sidebarbutton, .headerlink, .mobile-nav"


def main(html_dir: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with browser_page() as page:
        for name, path in PAGES.items():
            page.goto((html_dir / path).as_uri())
            remove(page, NAVIGATION)
            print_pdf(page, out_dir / f"{name}.pdf", footer_left='<span class="url"></span>')


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(__file__).parent / "sources")
