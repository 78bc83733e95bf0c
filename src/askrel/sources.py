"""Reading sources: discover files, decode them, split off front matter, keep PDF pages."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from askrel.chrome import Line, line_key, running_lines, split_lines
from askrel.records import Document, Section, SourceMeta, TextUnit

TEXT_SUFFIXES = frozenset({".txt", ".md"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
MAX_FILE_BYTES = 200_000_000
META_FIELDS = ("title", "publisher", "author", "date", "url")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class SourceError(Exception):
    """A source file that cannot be indexed; the message says why, for a person."""


@dataclass(frozen=True)
class Problem:
    source: str
    reason: str


def discover(sources_dir: Path) -> Iterator[Path]:
    """Every file under `sources_dir` in a stable order, hidden files and folders excepted.

    Links to folders are yielded (and refused later) rather than followed.
    """
    for path in sorted(sources_dir.rglob("*")):
        rel = path.relative_to(sources_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() or path.is_symlink():
            yield path


def display_path(path: Path, root: Path | None) -> str:
    """The path as citations show it: relative to `root` when inside it, else absolute."""
    resolved = path.absolute()
    if root is not None:
        try:
            return resolved.relative_to(root.absolute()).as_posix()
        except ValueError:
            pass
    return resolved.as_posix()


def printable_name(name: str) -> str:
    """A file name safe to print: undecodable bytes become U+FFFD, control characters escaped."""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) == "Cc" else ch for ch in name)


def name_problem(name: str) -> str | None:
    """Why a file name cannot be used in citations, or None when it can."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8; rename the file"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "file name contains control characters (such as a line break); rename the file"
    return None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def human_size(n: int) -> str:
    """A byte count for people: 512 bytes, 3.2 KB, 200 MB."""
    if n < 1000:
        return f"{n} bytes"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{n} bytes"  # pragma: no cover


def check_file(path: Path, sources_dir: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse files askrel will not read, with the reason."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(sources_dir.resolve()):
            raise SourceError("symbolic link pointing outside the sources folder; refused")
        if target.is_dir():
            raise SourceError("symbolic link to a folder; not followed")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise SourceError(
            f"unsupported file type '{path.suffix or '(none)'}'; askrel reads .txt, .md and .pdf"
        )
    if not path.exists():
        raise SourceError("broken symbolic link")
    if not path.is_file():
        raise SourceError("not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise SourceError("empty file")
    if size > max_bytes:
        raise SourceError(_too_large(size, max_bytes))


def _too_large(size: int, max_bytes: int) -> str:
    return (f"file is {human_size(size)}; the limit is {human_size(max_bytes)} "
            "(split the file, or raise the limit)")


def read_source_bytes(path: Path, sources_dir: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of an acceptable source file, never reading more than `max_bytes` + 1."""
    check_file(path, sources_dir, max_bytes)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew after it was checked
        raise SourceError(_too_large(path.stat().st_size, max_bytes))
    if not data:
        raise SourceError("empty file")
    return data


def decode_text(data: bytes) -> str:
    """Decode text bytes: a BOM's encoding (UTF-8/16/32), UTF-16 without BOM, UTF-8,
    else Windows-1252 or Latin-1 when the result reads as text."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                       (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return _decode(data, codec)
    head = data[:8192]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16 is None:
            raise SourceError("binary data, not text (contains NUL bytes)")
        return _decode(data, utf16)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 20000) + 2:
        raise SourceError("binary data, not text (many control characters)")
    return text


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes fall on one side only, as in ASCII-range
    UTF-16; None for anything else."""
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode(data: bytes, codec: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid {codec.upper()} text ({exc.reason} at byte "
                          f"{exc.start})") from exc
    if "\x00" in text:
        raise SourceError(f"binary data, not text (NUL characters after decoding {codec})")
    return text


def parse_front_matter(text: str) -> tuple[SourceMeta, int]:
    """Metadata from a leading `---` YAML block, and where the body starts (0 if none)."""
    import yaml

    match = _FRONT_MATTER.match(text)
    if not match:
        return SourceMeta(), 0
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"front matter is not valid YAML: {exc.__class__.__name__}") from exc
    if not isinstance(data, dict):
        raise SourceError("front matter must be 'key: value' lines")
    fields = {k: _as_text(data.get(k)) for k in META_FIELDS}
    return SourceMeta(**fields), match.end()


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value).strip()
    return text or None


def read_text_file(data: bytes) -> tuple[SourceMeta, tuple[TextUnit, ...]]:
    text = decode_text(data)
    meta, body_start = parse_front_matter(text)
    if not text[body_start:].strip():
        raise SourceError("no text in the file")
    return meta, (TextUnit(text=text, page=None, body_start=body_start),)


def printed_page_labels(reader: object) -> dict[int, str]:
    """The PDF's own page numbers ("iii", "41", "A-2") by page number counted from 1, for
    the pages where they differ from it; none when the PDF does not define them or they
    cannot be read."""
    try:
        labels = list(reader.page_labels)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a damaged label tree only loses the labels
        return {}
    return {n: label.strip() for n, label in enumerate(labels, start=1)
            if isinstance(label, str) and label.strip() and label.strip() != str(n)}


def read_pdf(data: bytes) -> tuple[SourceMeta, tuple[TextUnit, ...]]:
    """One text unit per PDF page that has text; page numbers count from 1."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    # pypdf logs every repair it makes on a damaged file; the outcome is reported instead.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR + 10)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except NotImplementedError as exc:
                raise SourceError(f"encrypted PDF askrel cannot open ({exc})") from exc
            if not opened:
                raise SourceError("encrypted PDF; it needs a password, so askrel cannot read "
                                  "it (save a copy without the password)")
        outline = outline_by_page(reader)
        labels = printed_page_labels(reader)
        units = []
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            if text.strip():
                sections = locate_sections(text, outline.get(number - 1, []))
                units.append(TextUnit(text=text, page=number, sections=sections,
                                      page_label=labels.get(number)))
        if not outline:
            units = numbered_sections(units)
        info = reader.metadata
        title = _as_text(info.get("/Title")) if info else None
        author = _as_text(info.get("/Author")) if info else None
    except SourceError:
        raise
    except DependencyError as exc:  # AES encryption without the `cryptography` package
        raise SourceError(f"encrypted PDF askrel cannot open here ({exc})") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise SourceError(f"corrupt or unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise SourceError(f"corrupt or unreadable PDF ({exc.__class__.__name__})") from exc
    finally:
        pypdf_log.setLevel(level)
    if not units:
        raise SourceError("PDF has no text layer (scanned images?); it needs OCR first")
    return SourceMeta(title=title or first_page_title(units[0].text), author=author), tuple(units)


SECTION_PATH_DEPTH = 3  # outline levels kept in a section's title path
SECTION_SEPARATOR = " › "
# A heading line's numbering before its title: "2.1 ", "A.3 ", "Appendix C ", "IV. ".
_NUMBERING = re.compile(r"(?:(?:chapter|appendix|section|part)\s+)?(?:[a-z]|\d+|[ivxlc]+)"
                        r"(?:\.\d+)*\.?:?\s+", re.IGNORECASE)


def outline_by_page(reader: object) -> dict[int, list[str]]:
    """The PDF outline (bookmarks) as title paths by 0-based page, in outline order.

    A damaged or missing outline gives {}: sections are a help, never a reason to fail.
    """
    by_page: dict[int, list[str]] = {}

    def walk(items: list, parents: list[str]) -> None:
        title = ""
        for item in items:
            if isinstance(item, list):
                walk(item, [*parents, title] if title else parents)
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
            if title and page is not None and page >= 0:
                path = [*parents, title][-SECTION_PATH_DEPTH:]
                by_page.setdefault(page, []).append(SECTION_SEPARATOR.join(path))

    try:
        walk(reader.outline, [])  # type: ignore[attr-defined]
    except Exception:  # pypdf raises many kinds on broken outlines
        return {}
    return by_page


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text).split()).casefold()


def heading_line(text: str, title: str, after: int = 0) -> Section | None:
    """Where the heading `title` is in text, at or after `after`: a line that is the title,
    perhaps numbered ("2.1 Simple compilation"), or a line that starts with it (a run-in
    heading, "Column The column(x) function ..."). The span covers the title only; None
    when no line has it."""
    want = _fold(title)
    if not want:
        return None
    for found in split_lines(text, after, len(text)):
        line, start = found.text, found.start
        numbering = _NUMBERING.match(line)
        for skip in (0, numbering.end()) if numbering else (0,):
            folded = _fold(line[skip:])
            if folded == want:
                return Section(start, start + len(line), title)
            if folded.startswith(want + " ") and not skip:
                return Section(start, start + _title_length(line, want), title)
        if _fold(line).endswith(" " + want) and len(_fold(line).split()) <= len(want.split()) + 2:
            return Section(start, start + len(line), title)  # "Appendix A Essential ..."
    return None


def _title_length(line: str, want: str) -> int:
    """How many characters of `line` its first words matching the folded title take."""
    for end in range(len(want), len(line) + 1):
        if _fold(line[:end]) == want and (end == len(line) or not line[end].isalnum()):
            return end
    return len(line)


def locate_sections(text: str, paths: list[str]) -> tuple[Section, ...]:
    """Sections starting on a page: each outline entry's heading, found in order; one not
    found is taken to start where the previous one's heading ended (or at the top)."""
    sections = []
    cursor = 0
    for path in paths:
        found = heading_line(text, path.rsplit(SECTION_SEPARATOR, 1)[-1], cursor)
        start, end = (found.start, found.end) if found else (cursor, cursor)
        sections.append(Section(start, end, path))
        cursor = end
    return tuple(sections)


# A numbered heading line: "2 Installing R", "2.1 Simple compilation", "Appendix B Paths".
_NUMBERED_HEADING = re.compile(
    r"(?:(?i:chapter|section|part)\s+)?"
    r"(?P<number>\d{1,2}(?:\.\d{1,2}){0,3}|[A-Z](?:\.\d{1,2}){1,3})\.?\s+"
    r"(?P<title>[A-Z][^\n]{1,80})"
    r"|[Aa](?:ppendix|PPENDIX)\s+(?P<appendix>[A-Z])\.?:?\s+(?P<atitle>[A-Z][^\n]{1,80})")
MAX_NUMBERED_HEADING_WORDS = 10
Numbering = tuple[int, ...]
# A heading line between two others (in a contents list) counts for less than one near text,
# so the body's headings win over a contents list's.
LISTED_HEADING_WEIGHT = 0.5


def numbered_heading(line: str) -> tuple[Numbering, str] | None:
    """(numbering, title) when a line reads as a numbered section heading, else None.
    Letters count from 1001 ("A.2" is (1001, 2)), so appendices follow chapters."""
    match = _NUMBERED_HEADING.fullmatch(line)
    if not match or len(line.split()) > MAX_NUMBERED_HEADING_WORDS:
        return None
    number, title = match["number"] or match["appendix"], (match["title"] or match["atitle"])
    title = title.rstrip()
    if title[-1] in ".,;:!?" or title[-1].isdigit() or not re.search(r"[a-z]{2}", title):
        return None  # a sentence, a running header ending in its page number, a table row
    parts = number.split(".")
    head = int(parts[0]) if parts[0].isdigit() else 1000 + ord(parts[0].upper()) - 64
    return (head, *(int(p) for p in parts[1:])), title


def can_start(number: Numbering) -> bool:
    """Whether a numbering can open a document's sections: "1", "6", "6.1", "A", "A.1.1" (a
    chapter printed on its own starts at its own number), but not "6.3"."""
    return set(number[1:]) <= {1}


def follows(previous: Numbering, number: Numbering) -> bool:
    """Whether a heading numbered `number` can come next: the first heading of a level
    below, the next at the same level, or the next at a level above (appendices restart)."""
    if number[0] > 1000 > previous[0]:
        return set(number[1:]) <= {1}
    if number == (*previous, 1):
        return True
    depth = len(number)
    return depth <= len(previous) and number == (*previous[:depth - 1], previous[depth - 1] + 1)


def _predecessor_keys(number: Numbering) -> list[tuple[str, Numbering]]:
    """Where the headings that `number` can follow are kept (see `heading_chain`).

    Besides `follows`, a heading may come after a gap of unread headings whose numbering
    it implies: "6.2.1" after "6.1.6" when "6.2" was not read as a heading.
    """
    keys: list[tuple[str, Numbering]] = []
    depth = len(number)
    while depth >= 1:
        head = number[:depth]
        if depth < len(number):
            keys.append(("exact", head))  # "2.1" after "2"
        if head[-1] > 1:
            keys.append(("prefix", (*head[:-1], head[-1] - 1)))  # "2.2" after "2.1" or "2.1.3"
        if head[-1] != 1:
            break
        depth -= 1
    if number[0] > 1000 and can_start(number):
        keys.append(("chapters", ()))  # "Appendix A" after any chapter
    return keys


def heading_chain(numbers: list[Numbering], weights: list[float]) -> list[int]:
    """The positions of the heaviest run of numberings that follow each other in order.

    Numbered lines that are not headings (table rows, list items, a contents list) may sit
    among the real ones; the run that best explains the document is kept. Dynamic
    programming, with the best run so far ending at each numbering (and under each numbering
    prefix) kept in dictionaries, so each line costs a few lookups.
    """
    score: list[float] = []
    back: list[int | None] = []
    best: dict[tuple[str, Numbering], int] = {}

    def keep(key: tuple[str, Numbering], i: int) -> None:
        if key not in best or score[i] >= score[best[key]]:  # a tie goes to the later line
            best[key] = i

    for i, number in enumerate(numbers):
        before = [best[k] for k in _predecessor_keys(number) if k in best]
        j = max(before, key=lambda n: score[n], default=None)
        if j is None and not can_start(number):
            score.append(float("-inf"))
            back.append(None)
            continue
        score.append(weights[i] + (score[j] if j is not None else 0.0))
        back.append(j)
        keep(("exact", number), i)
        for depth in range(1, len(number) + 1):
            keep(("prefix", number[:depth]), i)
        if number[0] < 1000:
            keep(("chapters", ()), i)
    if not score or max(score) == float("-inf"):
        return []
    last: int | None = max(range(len(score)), key=lambda n: (score[n], n))  # ties: later
    chain = []
    while last is not None:
        chain.append(last)
        last = back[last]
    return chain[::-1]


MIN_NUMBERED_HEADINGS = 2


def numbered_sections(units: list[TextUnit]) -> list[TextUnit]:
    """For a PDF without an outline: sections from numbered heading lines that follow each
    other in order ("2 Setup", "2.1 Options", "2.2 Files", "3 Use"), nested by numbering.

    Among all lines that read as numbered headings (running headers aside), the longest run
    in order is taken. A line between two other heading lines counts for less, and of two
    equal runs the later wins, so the body's headings win over a contents list's.
    """
    running = running_lines([unit.text for unit in units])
    found: list[tuple[int, Line, Numbering]] = []
    weights: list[float] = []
    for n, unit in enumerate(units):
        lines = [line for line in split_lines(unit.text, 0, len(unit.text))
                 if line_key(line.text) not in running]
        for i, line in enumerate(lines):
            heading = numbered_heading(line.text)
            if heading:
                listed = all(0 <= j < len(lines) and numbered_heading(lines[j].text)
                             for j in (i - 1, i + 1))
                found.append((n, line, heading[0]))
                weights.append(LISTED_HEADING_WEIGHT if listed else 1.0)
    chain = heading_chain([number for _, _, number in found], weights)
    if len(chain) < MIN_NUMBERED_HEADINGS:
        chain = []
    sections: list[list[Section]] = [[] for _ in units]
    path: list[tuple[Numbering, str]] = []
    for n, line, number in (found[i] for i in chain):
        path = [(p, h) for p, h in path if len(p) < len(number) and p == number[:len(p)]]
        path.append((number, line.text))
        titles = [h for _, h in path][-SECTION_PATH_DEPTH:]
        sections[n].append(Section(line.start, line.end, SECTION_SEPARATOR.join(titles)))
    return [replace(unit, sections=tuple(found_here))
            for unit, found_here in zip(units, sections, strict=True)]


def first_page_title(text: str, max_words: int = 12) -> str | None:
    """A PDF without a title in its metadata: its first line, when that reads as a title."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if (not line or len(line.split()) > max_words or not re.search(r"[^\W\d_]{2,}", line)
            or line.endswith((".", ",", ";", ":"))):
        return None
    return line


def parse_document(path: Path, data: bytes, root: Path | None) -> Document:
    """A Document from a source file's bytes, or SourceError saying why not."""
    if path.suffix.lower() in PDF_SUFFIXES:
        meta, units = read_pdf(data)
    else:
        meta, units = read_text_file(data)
    return Document(source=display_path(path, root), meta=meta, units=units,
                    content_hash=content_hash(data))


def read_document(path: Path, sources_dir: Path, root: Path | None,
                  max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read one source file into a Document, or raise SourceError saying why not."""
    return parse_document(path, read_source_bytes(path, sources_dir, max_bytes), root)
