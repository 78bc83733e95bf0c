"""Build the second FAQ question set (faq2): eight plain-text FAQs from Debian 12 packages,
kept without their question headings, and one question per heading whose gold is the
character span of the author's answer.

Usage: python build_faq2.py PACKAGE_ROOT
where PACKAGE_ROOT holds these Debian packages unpacked into one folder (`apt-get download
zsh-common sed libcurl4-doc zlib1g-dev mc-data xz-utils screen procmail`, then `dpkg -x` each
into the same folder). Writes sources/*.txt and questions.jsonl beside this script (the paths
inside questions.jsonl read eval/faq2/sources/..., where the set is meant to live), and prints
the counts. Plain Python 3, no other dependency.

Every FAQ here is a plain-text file made of numbered (or Q:/A:) headings. A file is split at
its headings; a question heading is left out and starts the block of its answer, which runs up
to the next heading that is not one of its own sub-sections (those stay in the answer, heading
line included, as a line of text). Chapter headings, section headings that ask nothing and
their text are kept as text outside any answer. The FAQ's table of contents is left out (it
would put the questions back into the source), and so are header lines that only carry what
the front matter says (Archive-Name:, title banners, rules of dashes).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # eval/, for what the FAQ builders share
from faq_sets import front_matter, join_blocks, question_rows  # noqa: E402

SOURCES = HERE / "sources"
SOURCE_PREFIX = "eval/faq2/sources"  # where the set is meant to live, relative to the project
PROSE_WORDS = 5  # a line of at least this many words is prose (sets the indentation to drop)


# --------------------------------------------------------------------------- data


@dataclass
class Entry:
    """A stretch of the raw file: a heading (its raw lines) and the lines up to the next one.

    kind: "item" (a numbered or Q: heading, maybe a question), "chapter" or "label" (headings
    kept as a line of text), "rule" (a line of dashes, dropped), "text" (lines before the
    first heading)."""

    kind: str
    number: str | None
    head: list[str]
    body: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    """A stretch of a source: a question's answer (question set) or other text."""

    text: str
    question: str | None = None
    raw_heading: tuple[str, ...] = ()  # the heading lines left out for a question


@dataclass(frozen=True)
class Built:
    name: str
    text: str
    questions: tuple[tuple[str, int, int], ...]
    dropped: tuple[tuple[str, str], ...]
    not_questions: tuple[str, ...]
    answers: dict[str, str]
    raw_words: tuple[str, ...]
    kept_words: tuple[str, ...]


@dataclass(frozen=True)
class Faq:
    """How to read one FAQ file."""

    name: str
    path: str
    meta: dict[str, str]
    # index of the first body line (after header and contents) and of the line after the body
    body: Callable[[list[str]], tuple[int, int]]
    # (kind, number, first line's heading text) for a heading line, else None
    heading: Callable[[str], tuple[str, str | None] | None]
    # numbered items that are section headings, not questions (their sub-sections go with them)
    not_questions: Callable[[str], bool] = lambda number: False
    # lines kept before the body (an introduction), as indexes into the raw lines
    intro: Callable[[list[str]], tuple[int, int]] | None = None
    indent: int | None = None  # the prose indentation to drop, when not read from each part
    qa: bool = False  # Q:/A: format: the answer's first line starts with "A:"
    fixes: dict[str, str] = field(default_factory=dict)  # line-break hyphens in questions


# --------------------------------------------------------------------------- reading


def read_raw(root: Path, path: str) -> list[str]:
    data = (root / path).read_bytes()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    return [line.expandtabs(8).rstrip() for line in text.split("\n")]


def split_entries(lines: list[str], start: int, end: int, faq: Faq) -> list[Entry]:
    """Entries of lines[start:end]: a heading starts where a heading line follows a blank line
    (or the start); an item's heading goes on over the non-blank lines after it."""
    entries = [Entry("text", None, [])]
    i = start
    while i < end:
        line = lines[i]
        found = faq.heading(line) if (i == start or not lines[i - 1].strip()) else None
        if found is None:
            entries[-1].body.append(line)
            i += 1
            continue
        kind, number = found
        head = [line]
        i += 1
        if kind == "item":
            while i < end and lines[i].strip() and not (faq.qa and lines[i].startswith("A:")):
                head.append(lines[i])
                i += 1
        entries.append(Entry(kind, number, head))
    return entries


def is_sub(number: str | None, parent: str) -> bool:
    return number is not None and number.startswith(parent + ".")


def dedent(lines: list[str], base: int | None = None) -> list[str]:
    """Drop the indentation of the prose (`base`, or else the most common one among lines of
    several words, the least one if no line has several), at most that much from each line,
    so prose starts at column 0 and code and lists stay further in."""
    filled = [ln for ln in lines if ln.strip()]
    if not filled:
        return []
    if base is not None:
        return [ln[min(base, len(ln) - len(ln.lstrip(" "))):] for ln in lines]
    indents = Counter(len(ln) - len(ln.lstrip(" ")) for ln in filled
                      if len(ln.split()) >= PROSE_WORDS)
    base = (min(indents, key=lambda n: (-indents[n], n)) if indents
            else min(len(ln) - len(ln.lstrip(" ")) for ln in filled))
    return [ln[min(base, len(ln) - len(ln.lstrip(" "))):] for ln in lines]


def tidy(lines: list[str]) -> str:
    """Lines as a block: blank lines at either end dropped, runs of blank lines made one."""
    out: list[str] = []
    for line in lines:
        if not line.strip():
            if out and out[-1]:
                out.append("")
        else:
            out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def answer_lines(body: list[str], faq: Faq) -> list[str]:
    """An answer's own lines; in a Q:/A: FAQ the "A:" marker gives way to spaces."""
    if faq.qa:
        body = list(body)
        for k, line in enumerate(body):
            if line.strip():
                if not line.startswith("A:"):
                    raise SystemExit(f"answer does not start with A: {line!r}")
                body[k] = "  " + line[2:]
                break
    return dedent(body, faq.indent)


def question_text(entry: Entry, faq: Faq) -> str:
    """The heading as one line: its number or Q: marker left out, whitespace collapsed, and a
    word broken at a line end by a hyphen joined again where `fixes` says so."""
    first = entry.head[0]
    first = re.sub(r"^Q:", "", first) if faq.qa else strip_number(first)
    text = ""
    for line in [first] + entry.head[1:]:
        line = " ".join(line.split())
        # a word broken at the line end with a hyphen ("multi-" / "user-attach") goes on
        # without a space
        text += line if re.search(r"[A-Za-z]-$", text) else (" " + line if text else line)
    for broken, whole in faq.fixes.items():
        text = text.replace(broken, whole)
    return text


def strip_number(line: str) -> str:
    return re.sub(r"^\s*f?\d+(?:\.\d+)*[.:]?\s+", "", line)


def blocks_of(entries: list[Entry], faq: Faq, not_questions: list[str]) -> list[Block]:
    blocks: list[Block] = []
    k = 0
    while k < len(entries):
        entry = entries[k]
        if entry.kind == "rule":
            k += 1
            continue
        if entry.kind == "item" and faq.not_questions(entry.number or ""):
            not_questions.append(question_text(entry, faq))
        if entry.kind == "item" and not faq.not_questions(entry.number or ""):
            parts = [tidy(answer_lines(entry.body, faq))]
            k += 1
            while k < len(entries) and entry.number and is_sub(entries[k].number,
                                                                 entry.number):
                sub = entries[k]
                parts.append(tidy([ln.strip() for ln in sub.head]))
                parts.append(tidy(dedent(sub.body, faq.indent)))
                k += 1
            blocks.append(Block("\n\n".join(p for p in parts if p),
                                question_text(entry, faq), tuple(entry.head)))
            continue
        head = tidy([ln.strip() for ln in entry.head]) if entry.head else ""
        body = tidy(dedent(entry.body, faq.indent))
        blocks.append(Block("\n\n".join(p for p in (head, body) if p)))
        k += 1
    return blocks


def words(text: str) -> list[str]:
    return text.split()


def build(root: Path, faq: Faq) -> Built:
    lines = read_raw(root, faq.path)
    start, end = faq.body(lines)
    intro: list[str] = []
    if faq.intro:
        a, b = faq.intro(lines)
        intro = lines[a:b]
    entries = split_entries(lines, start, end, faq)
    not_questions: list[str] = []
    blocks = ([Block(tidy(dedent(intro, faq.indent)))] if intro else []) + blocks_of(entries, faq,
                                                                        not_questions)
    joined = join_blocks(front_matter(faq.meta), ((b.text, b.question) for b in blocks))
    answers: dict[str, str] = {}
    for question, begin, end_ in joined.questions:
        if question in answers:
            raise SystemExit(f"{faq.name}: question twice: {question}")
        answers[question] = joined.text[begin:end_]
    kept = [w for b in blocks for w in words(" ".join(b.raw_heading)) + words(b.text)]
    # The raw words the source should hold with the question headings put back, read from
    # the raw lines straight (not through the entries): the intro and body lines, less rules
    # of dashes and the "A:" markers.
    raw: list[str] = words(" ".join(intro))
    for line in lines[start:end]:
        found = faq.heading(line)
        if found and found[0] == "rule":
            continue
        raw += words(line[2:] if faq.qa and line.startswith("A:") else line)
    return Built(faq.name, joined.text, joined.questions, joined.dropped,
                 tuple(not_questions), answers, tuple(raw), tuple(kept))


# --------------------------------------------------------------------------- the FAQs


def index_of(lines: list[str], pattern: str, after: int = 0) -> int:
    for i in range(after, len(lines)):
        if re.search(pattern, lines[i]):
            return i
    raise SystemExit(f"no line matches {pattern!r}")


def heading_by(patterns: list[tuple[str, str]]) -> Callable[[str], tuple[str, str | None] |
                                                               None]:
    """A heading reader from (kind, regex) pairs; group 1, if any, is the number."""
    compiled = [(kind, re.compile(rx)) for kind, rx in patterns]

    def heading(line: str) -> tuple[str, str | None] | None:
        for kind, rx in compiled:
            m = rx.match(line)
            if m:
                return kind, (m.group(1) if m.groups() else None)
        return None

    return heading


ZSH = Faq(
    name="zsh-faq",
    path="usr/share/doc/zsh-common/FAQ.gz",
    meta={"title": "Z-Shell Frequently-Asked Questions", "author": "Peter Stephenson",
          "date": "2020-08-08", "url": "https://zsh.sourceforge.io/FAQ/"},
    intro=lambda lines: (index_of(lines, r"^This document contains"),
                         index_of(lines, r"^Contents:$")),
    body=lambda lines: (index_of(lines, r"^--- End of Contents ---$") + 1, len(lines)),
    heading=heading_by([("chapter", r"^Chapter (\d+): "),
                        ("item", r"^(\d+\.\d+): \S"),
                        ("label", r"^(?:Acknowledgments|Copyright Information):$")]),
    # "Sources of information", "Differences from sh and ksh", "Similarities with csh",
    # "... with tcsh", "... with bash": sections, not questions.
    not_questions=lambda n: n in {"1.1", "2.1", "2.2", "2.4", "2.5"},
    indent=2,  # a paragraph's first line is at column 0, the lines after it two spaces in
)

SED_TOPICS = {"1.1", "1.2", "1.3", "1.5", "1.6", "1.7", "3.1", "3.2", "3.3", "3.4", "3.5",
              "3.6", "3.7", "6.6", "6.7"}
SED = Faq(
    name="sed-faq",
    indent=3,  # answers stand three spaces in
    path="usr/share/doc/sed/sedfaq.txt.gz",
    meta={"title": "The sed FAQ: Frequently Asked Questions about sed, the stream editor",
          "author": "Eric Pement", "date": "2003-03-10",
          "url": "http://sed.sourceforge.net/sedfaq.html"},
    body=lambda lines: (index_of(lines, r"^-{20,}$") + 1, len(lines)),
    heading=heading_by([("rule", r"^-{20,}$"),
                        ("chapter", r"^(\d+)\. [A-Z][A-Z' ?]+$"),
                        ("item", r"^(\d+(?:\.\d+)+)\.\s+\S"),
                        ("label", r"^   [A-Z]{2,}[A-Z ,-]*(?: \([a-z ]+\))?$")]),
    # Topics (1.1 "Introduction - How this FAQ is organized", 3.3 "Addressing and address
    # ranges", 6.6 "Known limitations among sed versions", ...) and chapter 7, a list of
    # known bugs by sed version, are sections, not questions.
    not_questions=lambda n: n.split(".")[0] == "7" or ".".join(n.split(".")[:2]) in SED_TOPICS,
)

CURL = Faq(
    name="curl-faq",
    indent=2,  # answers stand two spaces in (one in chapter 8)
    path="usr/share/doc/libcurl4/FAQ.gz",
    meta={"title": "curl FAQ", "publisher": "curl", "url": "https://curl.se/docs/faq.html"},
    body=lambda lines: (index_of(lines, r"^={20,}$") + 1, len(lines)),
    heading=heading_by([("chapter", r"^(\d+)\. [A-Za-z]"),
                        ("item", r"^ {1,4}(\d+\.\d+(?:\.\d+)?) \S")]),
)

ZLIB = Faq(
    name="zlib-faq",
    indent=4,  # answers stand four spaces in
    path="usr/share/doc/zlib1g-dev/FAQ.gz",
    meta={"title": "Frequently Asked Questions about zlib", "publisher": "zlib",
          "url": "http://zlib.net/zlib_faq.html"},
    intro=lambda lines: (index_of(lines, r"^If your question is not there"),
                         index_of(lines, r"^ 1\. ")),
    body=lambda lines: (index_of(lines, r"^ 1\. "), len(lines)),
    heading=heading_by([("item", r"^ ?(\d+)\. \S")]),
)

MC = Faq(
    name="mc-faq",
    indent=3,  # answers stand three spaces in (a few two)
    path="usr/share/doc/mc-data/FAQ.gz",
    meta={"title": "GNU Midnight Commander Frequently Asked Questions",
          "author": "Janne Kukonlehto",
          "url": "https://www.midnight-commander.org/browser/doc/FAQ"},
    intro=lambda lines: (index_of(lines, r"^   The newest version"),
                         index_of(lines, r"^     \* 1 ")),
    body=lambda lines: (index_of(lines, r"^1 Getting started$"), len(lines)),
    heading=heading_by([("chapter", r"^f?(\d+) [A-Z]"),
                        ("item", r"^(\d+\.\d+) \S")]),
    # 12.1 "Authorship", 12.2 "Feedback is invited", 12.3 "Disclaimer and copyright".
    not_questions=lambda n: n.startswith("12."),
)

XZ = Faq(
    name="xz-faq",
    indent=4,  # answers stand four spaces in, after "A:  "
    path="usr/share/doc/xz-utils/faq.txt.gz",
    meta={"title": "XZ Utils FAQ", "publisher": "XZ Utils"},
    body=lambda lines: (index_of(lines, r"^Q:"), len(lines)),
    heading=heading_by([("item", r"^Q:\s")]),
    qa=True,
)

SCREEN = Faq(
    name="screen-faq",
    indent=5,  # answers stand five spaces in, after "A:   "
    path="usr/share/doc/screen/FAQ.gz",
    meta={"title": "screen: frequently asked questions -- known problems -- "
                   "unimplemented bugs", "publisher": "GNU Screen"},
    body=lambda lines: (index_of(lines, r"^Q:"), len(lines)),
    heading=heading_by([("item", r"^Q:\s")]),
    qa=True,
    fixes={"ap-plication": "application"},  # "favourite ap-" / "plication." across lines
)

PROCMAIL = Faq(
    name="procmail-faq",
    indent=8,  # answers stand one tab in
    path="usr/share/doc/procmail/FAQ",
    meta={"title": "procmail: Frequently Asked Questions", "publisher": "procmail"},
    body=lambda lines: (index_of(lines, r"^1\. "), len(lines)),
    heading=heading_by([("item", r"^(\d+)\. \S")]),
)

FAQS = [ZSH, SED, CURL, ZLIB, MC, XZ, SCREEN, PROCMAIL]


# --------------------------------------------------------------------------- checks


def contents_numbers(root: Path, faq: Faq) -> list[str]:
    """Item numbers as the FAQ's own table of contents lists them (curl only: its contents
    and its headings agree), to check that every heading was found."""
    lines = read_raw(root, faq.path)
    end = index_of(lines, r"^={20,}$")
    return [m.group(1) for line in lines[:end]
            if (m := re.match(r"^ {2,3}(\d+\.\d+(?:\.\d+)?) ", line))]


def check(built: Built, path: Path, faq: Faq, root: Path) -> list[str]:
    """Each span read back from the file is its answer, whole lines, stripped; the source
    with the question headings put back holds the raw file's words in order. Returns the
    questions that the source still quotes verbatim (whitespace collapsed)."""
    text = path.read_bytes().decode("utf-8")
    assert text == built.text, path
    assert built.kept_words == built.raw_words, f"{faq.name}: words lost or moved"
    last = 0
    for question, start, end in built.questions:
        answer = text[start:end]
        assert answer == built.answers[question] and answer == answer.strip() and answer, \
            (path, question)
        assert text[start - 1] == "\n" and text[end] == "\n" and start > last, (path, question)
        last = end
        for line in answer.splitlines():  # no heading of a question left inside an answer
            found = faq.heading(line)
            assert not (found and found[0] == "item" and question_text(
                Entry("item", found[1], [line]), faq) in built.answers), (path, question, line)
    flat = " ".join(text.split())
    return [q for q, _, _ in built.questions if q in flat]


def check_with_askrel(out: list[tuple[Path, Built]]) -> None:
    """Read each source as askrel reads it (when askrel is importable) and compare spans."""
    try:
        from askrel.reading.sources import parse_document
    except ImportError:
        print("askrel not importable: spans checked against the file text only")
        return
    for path, built in out:
        doc = parse_document(path, path.read_bytes(), None)
        unit = doc.units[0]
        assert unit.text == built.text and unit.body_start <= built.questions[0][1]
        assert doc.meta.title == built_meta_title(built)
        for question, start, end in built.questions:
            assert unit.text[start:end] == built.answers[question], (path, question)
    print("askrel's parse_document reads every span as its answer")


def built_meta_title(built: Built) -> str:
    return next(f.meta["title"] for f in FAQS if f.name == built.name)


def main(root: Path) -> None:
    SOURCES.mkdir(parents=True, exist_ok=True)
    rows = []
    out: list[tuple[Path, Built]] = []
    total_quoted = 0
    for faq in FAQS:
        built = build(root, faq)
        path = SOURCES / f"{built.name}.txt"
        path.write_text(built.text, encoding="utf-8", newline="\n")
        quoted = check(built, path, faq, root)
        total_quoted += len(quoted)
        out.append((path, built))
        source = f"{SOURCE_PREFIX}/{path.name}"
        rows += question_rows(built.name, source, built.questions)
        print(f"{built.name}: {len(built.questions)} questions, {len(built.dropped)} dropped, "
              f"{len(built.not_questions)} non-question headings (sub-sections included) "
              "kept as text, "
              f"{len(quoted)} quoted in the text"
              + "".join(f"\n  dropped ({why}): {q}" for q, why in built.dropped)
              + "".join(f"\n  quoted: {q}" for q in quoted))
    # curl: every heading its contents list names was found
    curl = next(b for _, b in out if b.name == "curl-faq")
    listed = [n for n in contents_numbers(root, CURL) if n.count(".") == 1]
    found_q = len(curl.questions) + len(curl.dropped)
    assert found_q == len(listed), (found_q, len(listed))
    with (HERE / "questions.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"total: {len(rows)} questions, {total_quoted} quoted in the text")
    check_with_askrel(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
