"""Print two chapters of The Debian Administrator's Handbook to PDF, as a browser prints them.

The HTML comes from Debian's `debian-handbook` package:

    apt-get download debian-handbook && dpkg-deb -x debian-handbook_*.deb handbook
    python eval/browser/make_pdfs.py handbook/usr/share/doc/debian-handbook/html/en-US

Each chapter's pages are joined into one HTML file (site navigation and index anchors taken
out) and printed by headless Chromium on A4 with a running header (date, title) and footer
(site, page n/N), by `eval/browser_print.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # eval/, for browser_print
from browser_print import browser_page, print_pdf, remove  # noqa: E402

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


def main(html_dir: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with browser_page() as page:
        for name, pages in CHAPTERS.items():
            bodies = []
            for stem in pages:
                page.goto((html_dir / f"{stem}.html").as_uri())
                remove(page, NAVIGATION)
                bodies.append(page.evaluate("document.body.innerHTML"))
            joined = html_dir / f"_{name}.html"  # beside the pages, so their CSS is found
            joined.write_text(HEAD + "\n".join(bodies) + "</body></html>", encoding="utf-8")
            page.goto(joined.as_uri())
            print_pdf(page, out_dir / f"{name}.pdf", footer_left="debian-handbook.info")
            joined.unlink()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(__file__).parent / "sources")
