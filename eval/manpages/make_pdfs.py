"""Print three manual pages to PDF with groff, as `man -Tpdf` does.

The pages come from the Debian 12 packages findutils 4.9.0 (find), openssh-client 9.2p1
(ssh_config) and systemd 252 (systemd.service); gropdf is in Debian's `groff` package:

    apt-get install groff
    python eval/manpages/make_pdfs.py

groff sets the text justified on A4: it stretches the spaces of a line with word spacing and
moves kerned letters into place one by one, which is what makes pypdf split words.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

PAGES = {
    "find": "/usr/share/man/man1/find.1.gz",
    "ssh_config": "/usr/share/man/man5/ssh_config.5.gz",
    "systemd.service": "/usr/share/man/man5/systemd.service.5.gz",
}


def print_page(source: Path, target: Path) -> None:
    roff = gzip.decompress(source.read_bytes())
    pdf = subprocess.run(["groff", "-Tpdf", "-man", "-t", "-P-pa4"], input=roff,
                         capture_output=True, check=True).stdout
    target.write_bytes(pdf)


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, source in PAGES.items():
        print_page(Path(source), out_dir / f"{name}.pdf")
        print(f"{name}.pdf")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "sources")
