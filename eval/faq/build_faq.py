"""Build the FAQ question set: sources without their question headings, and one question per
heading whose gold is the character span of the author's answer.

Usage: python eval/faq/build_faq.py PACKAGE_ROOT
where PACKAGE_ROOT holds the unpacked Debian packages perl-doc and sqlite3-doc
(`apt-get download perl-doc sqlite3-doc` then `dpkg -x` each into the same folder).
Needs `pod2text` (Pod::Text, shipped with perl). Writes eval/faq/sources/*.txt and
eval/faq/questions.jsonl, and prints the counts.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # eval/, for what the FAQ builders share
from faq_sets import front_matter, join_blocks, question_rows  # noqa: E402

ROOT = HERE.parents[1]
SOURCES = HERE / "sources"
POD_DIR = Path("usr/share/perl/5.36.0/pod")
SQLITE_FAQ = Path("usr/share/doc/sqlite3/faq.html")
PERL_FAQS = [f"perlfaq{n}" for n in range(1, 10)] + ["perlunifaq"]
# Second-level POD headings that name a section rather than ask a question.
NOT_QUESTIONS = frozenset({"Perl Books"})
BLOCK_TAG = r"</?(?:p|blockquote|ol|ul|li|br|pre|div)\b[^>]*>"


@dataclass(frozen=True)
class Block:
    """A stretch of a FAQ: a question's answer (question set) or other text (question None)."""

    text: str
    question: str | None = None


@dataclass(frozen=True)
class Built:
    """One source file's text and its questions with the answer spans in that text; `originals`
    maps each question to its answer cut from the original by a separate, simpler route."""

    name: str
    text: str
    questions: tuple[tuple[str, int, int], ...]
    dropped: tuple[tuple[str, str], ...]
    originals: dict[str, str]


def assemble(name: str, header: str, blocks: list[Block], originals: dict[str, str]) -> Built:
    """Join the blocks with blank lines after the front matter, recording each answer's span."""
    joined = join_blocks(header, ((b.text.strip("\n").rstrip(), b.question) for b in blocks))
    return Built(name, joined.text, joined.questions, joined.dropped, originals)


def pod_text(pod: Path) -> str:
    """The POD rendered as plain text by pod2text (Pod::Text's defaults)."""
    return subprocess.run(["pod2text", "--utf8", str(pod)], check=True, capture_output=True,
                          text=True).stdout


def dedent(line: str) -> str:
    """Body text sits four spaces in (a =head3 three); code eight. Drop that indentation."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, 4):]


def pod_blocks(rendered: str) -> list[Block]:
    """Split pod2text output at its headings: =head1 at column 0 is kept as a line of text,
    a =head2 question at column 2 is dropped and starts the block of its answer."""
    blocks: list[Block] = []
    question: str | None = None
    lines: list[str] = []

    def close() -> None:
        blocks.append(Block("\n".join(lines), question))

    for line in rendered.splitlines():
        if line and not line[0].isspace():  # =head1
            close()
            question, lines = None, [line, ""]
        elif re.match(r"^  \S", line):  # =head2
            close()
            heading = line.strip()
            if heading in NOT_QUESTIONS:
                question, lines = None, [heading, ""]
            else:
                question, lines = heading, []
        else:
            lines.append(dedent(line).rstrip())
    close()
    return blocks


def perl_meta(name: str, rendered: str) -> dict[str, str]:
    title = next((line.strip() for line in rendered.splitlines()[1:3] if line.strip()), name)
    version = re.search(r"version 5\.(\d{4})(\d{2})(\d{2})", rendered)
    author = ("Tom Christiansen, Nathan Torkington, and other authors as noted"
              if name.startswith("perlfaq") else "Juerd Waalboer")
    return {"title": title, "author": author,
            "date": "-".join(version.groups()) if version else "",
            "url": f"https://perldoc.perl.org/5.36.0/{name}"}


class _HtmlText(HTMLParser):
    """HTML to plain text: paragraphs and list items on their own lines, <pre> kept verbatim
    four spaces in, every other tag dropped with its text kept."""

    BLOCK = frozenset({"p", "blockquote", "ol", "ul", "li", "br", "div"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pre = 0
        self.item = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCK or tag == "pre":
            self.parts.append("\n\n")
        if tag == "ol":
            self.item = 0
        if tag == "li":
            self.item += 1
            self.parts.append(f"{self.item}. ")
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.pre -= 1
        if tag in self.BLOCK or tag == "pre":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.pre:
            code = data.strip("\n")
            self.parts.append("\x00" + "\n".join("    " + line if line else ""
                                                  for line in code.split("\n")) + "\x00")
        else:
            self.parts.append(data)

    def text(self) -> str:
        out: list[str] = []
        for chunk in re.split(r"(\x00[^\x00]*\x00)", "".join(self.parts)):
            if chunk.startswith("\x00"):
                out.append("\n\n" + chunk.strip("\x00") + "\n\n")
            else:
                # HTML's own line breaks stay; the indentation around them goes.
                out.append(re.sub(r" *\n *", "\n", re.sub(r"[ \t\r\f\v]+", " ", chunk)))
        joined = "".join(out)
        paragraphs = [p.strip("\n").rstrip() for p in re.split(r"\n\s*\n", joined)]
        return "\n\n".join(p if p.startswith("    ") else p.strip()
                           for p in paragraphs if p.strip())


def html_text(fragment: str) -> str:
    parser = _HtmlText()
    parser.feed(fragment)
    parser.close()
    return parser.text()


def sqlite_blocks(page: str) -> list[Block]:
    """One block per numbered question of the SQLite FAQ; the list of questions at the top of
    the page is left out (it would put the questions back into the source)."""
    blocks = []
    for part in re.split(r'<a name="q\d+"></a>', page)[1:]:
        match = re.match(r"\s*<p><b>\(\d+\)\s*(.*?)</b></p>(.*)", part, re.DOTALL)
        if not match:
            raise SystemExit(f"unexpected SQLite FAQ markup: {part[:80]!r}")
        question = " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())
        body = re.split(r'<p align="center"><small>', match.group(2))[0]
        blocks.append(Block(html_text(body), question))
    return blocks


def pod_originals(rendered: str) -> dict[str, str]:
    """Each =head2 line of pod2text's output and the text up to the next heading line."""
    found = re.finditer(r"^  (\S[^\n]*)\n(.*?)(?=^ {0,2}\S|\Z)", rendered, re.M | re.S)
    return {m.group(1).strip(): m.group(2) for m in found}


def build_perl(root: Path, name: str) -> Built:
    rendered = pod_text(root / POD_DIR / f"{name}.pod")
    return assemble(name, front_matter(perl_meta(name, rendered)), pod_blocks(rendered),
                    pod_originals(rendered))


def build_sqlite(root: Path) -> Built:
    page = (root / SQLITE_FAQ).read_text(encoding="utf-8")
    modified = re.search(r"last modified on\s+<a[^>]*>(\d{4}-\d{2}-\d{2})", page)
    meta = {"title": "SQLite Frequently Asked Questions", "publisher": "SQLite",
            "date": modified.group(1) if modified else "",
            "url": "https://www.sqlite.org/faq.html"}
    return assemble("sqlite-faq", front_matter(meta), sqlite_blocks(page), html_originals(page))


def html_originals(page: str) -> dict[str, str]:
    """Each SQLite question and the raw HTML after it, tags removed and entities decoded."""
    found = re.finditer(r'<p><b>\(\d+\)\s*(.*?)</b></p>(.*?)(?=<a name="q\d+"|<p align)',
                        page, re.S)
    return {" ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).split()):
            html.unescape(re.sub(r"<[^>]+>", "", re.sub(BLOCK_TAG, " ", m.group(2))))
            for m in found}


def check(built: Built, path: Path) -> int:
    """Each span, read back from the file, is a stripped non-empty answer; returns how many
    questions the text still quotes (answers that refer to another question by its title)."""
    text = path.read_bytes().decode("utf-8")
    assert text == built.text, path
    for question, start, end in built.questions:
        answer = text[start:end]
        assert answer == answer.strip() and answer, (path, question)
        # The same words in the same order as the original answer (list numbers aside).
        words = [w for w in answer.split() if not re.fullmatch(r"\d+\.", w)]
        original = [w for w in built.originals[question].split()
                    if not re.fullmatch(r"\d+\.", w)]
        assert words == original, (path, question)
    return sum(1 for question, _, _ in built.questions if question in text)


def main(root: Path) -> None:
    SOURCES.mkdir(parents=True, exist_ok=True)
    builds = [build_perl(root, name) for name in PERL_FAQS] + [build_sqlite(root)]
    rows = []
    for built in builds:
        path = SOURCES / f"{built.name}.txt"
        path.write_text(built.text, encoding="utf-8", newline="\n")
        quoted = check(built, path)
        source = str(path.relative_to(ROOT))
        rows += question_rows(built.name, source, built.questions)
        print(f"{built.name}: {len(built.questions)} questions, {len(built.dropped)} dropped, "
              f"{quoted} quoted in the text"
              + "".join(f"\n  dropped ({why}): {q}" for q, why in built.dropped))
    with (HERE / "questions.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"total: {len(rows)} questions")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
