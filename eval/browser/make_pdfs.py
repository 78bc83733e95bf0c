"""Print two chapters of The Debian Administrator's Handbook to PDF, as a browser prints them.

The HTML comes from Debian's `debian-handbook` package:

    apt-get download debian-handbook && dpkg-deb -x debian-handbook_*.deb handbook
    python eval/browser/make_pdfs.py handbook/usr/share/doc/debian-handbook/html/en-US

Each chapter's pages are joined into one HTML file (site navigation and index anchors taken
out) and printed by headless Chromium on A4 with a running header (date, title) and footer
(site, page n/N). Needs Playwright and Debian's chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHAPTERS = {
    "debian-handbook-basic-configuration": [
        "basic-configuration", "sect.network-config", "sect.hostname-name-service",
        "sect.user-group-databases", "sect.creating-accounts", "sect.shell-environment",
        "sect.config-printing", "sect.config-bootloader", "sect.config-misc",
        "sect.kernel-compilation", "sect.kernel-installation"],
    "debian-handbook-apt": [
        "apt", "sect.apt-get", "sect.apt-cache", "sect.apt-file", "sect.apt-frontends",
        "sect.package-authentication", "sect.dist-upgrade", "sect.regular-upgrades",
        "sect.automatic-upgrades", "sect.searching-packages"],
}
NAVIGATION = "#banner, #title, .docnav, #site_footer, .indexterm"
HEAD = ('<!DOCTYPE html><html><head><meta charset="utf-8">'
        "<title>The Debian Administrator's Handbook</title>"
        '<link rel="stylesheet" href="Common_Content/css/default.css">'
        '<link rel="stylesheet" media="print" href="Common_Content/css/print.css"></head><body>')
HEADER = ('<div style="font-size:8px;width:100%;margin:0 1cm"><span class="date"></span>'
          '<span style="float:right" class="title"></span></div>')
FOOTER = ('<div style="font-size:8px;width:100%;margin:0 1cm"><span>debian-handbook.info</span>'
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
        for name, pages in CHAPTERS.items():
            bodies = []
            for stem in pages:
                page.goto((html_dir / f"{stem}.html").as_uri())
                page.evaluate(f"document.querySelectorAll('{NAVIGATION}')"
                              ".forEach(e => e.remove())")
                bodies.append(page.evaluate("document.body.innerHTML"))
            joined = html_dir / f"_{name}.html"  # beside the pages, so their CSS is found
            joined.write_text(HEAD + "\n".join(bodies) + "</body></html>", encoding="utf-8")
            page.goto(joined.as_uri())
            page.pdf(path=str(out_dir / f"{name}.pdf"), format="A4",
                     display_header_footer=True, header_template=HEADER,
                     footer_template=FOOTER,
                     margin={side: "1.5cm" for side in ("top", "bottom", "left", "right")})
            joined.unlink()
            print(f"wrote {out_dir / f'{name}.pdf'}")
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(__file__).parent / "sources")
