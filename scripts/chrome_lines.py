"""Which lines of each source the chrome rules drop, and by which rule.

    python scripts/chrome_lines.py [DIR ...] [--show RULE ...] [--kept OUT_DIR]

Reads every source under the folders given (default: sources/ and eval/*/sources) as
`askrel index` does, and prints per file how many lines each rule drops; `--show` lists the
dropped lines of the rules named (`all` for every rule); `--kept` writes each file's kept
text (one line per kept line) under OUT_DIR, for comparing two versions of the rules.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from askrel.reading.chrome import chrome_reasons, navigation_pages, running_lines, split_lines
from askrel.reading.sources import discover, read_document


def dropped_lines(path: Path, folder: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(rule, line) for each dropped line of a source, and its kept lines, in order."""
    doc = read_document(path, folder, root=None)
    pages = [u for u in doc.units if u.page is not None]
    running = running_lines([u.text for u in pages])
    navigation = {pages[i].page for i in navigation_pages([u.text for u in pages])}
    dropped: list[tuple[str, str]] = []
    kept: list[str] = []
    for unit in doc.units:
        lines = split_lines(unit.text, unit.body_start, len(unit.text))
        if unit.page in navigation:
            dropped += [("navigation-page", line.text) for line in lines]
            continue
        reasons = chrome_reasons(lines, web_rules=unit.page is None, running=running)
        for line, rule in zip(lines, reasons, strict=True):
            if rule is None:
                kept.append(line.text)
            else:
                dropped.append((rule, line.text))
    return dropped, kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--show", nargs="+", default=[], metavar="RULE")
    parser.add_argument("--kept", type=Path, metavar="OUT_DIR")
    args = parser.parse_args(argv)
    folders = args.folders or [Path("sources"), *sorted(Path("eval").glob("*/sources"))]
    totals: Counter[str] = Counter()
    for folder in folders:
        for path in discover(folder):
            dropped, kept = dropped_lines(path, folder)
            counts = Counter(rule for rule, _ in dropped)
            totals.update(counts)
            summary = ", ".join(f"{rule} {n}" for rule, n in counts.most_common()) or "none"
            print(f"{path}: {len(kept)} kept, {len(dropped)} dropped ({summary})")
            for rule, text in dropped:
                if rule in args.show or "all" in args.show:
                    print(f"    [{rule}] {text}")
            if args.kept:
                out = args.kept / path.with_suffix(path.suffix + ".kept")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    print("all:", ", ".join(f"{rule} {n}" for rule, n in totals.most_common()) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
