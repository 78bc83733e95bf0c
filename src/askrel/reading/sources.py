"""Reading sources: discover files, decode them, split off front matter, keep PDF pages."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from askrel.reading.decoding import SourceError, decode_text, without_controls
from askrel.reading.html import read_html_file
from askrel.reading.mending import mend_pages, mend_split_words, split_run_together_words
from askrel.reading.paragraphs import paragraph_pages
from askrel.reading.sections import (
    TypeRun,
    body_size,
    locate_sections,
    outline_by_page,
    run_size,
    sections_without_outline,
    type_lines,
)
from askrel.reading.titles import (
    first_page_title,
    largest_type_title,
    stated_title,
    with_opening_title,
)
from askrel.reading.word import read_word_file
from askrel.reading.word_gaps import gap_keeper, spacing_read_as_moves
from askrel.records import Document, SourceMeta, TextUnit

# The types askrel reads, in the order messages name them.
READ_SUFFIXES = (".txt", ".md", ".rst", ".adoc", ".html", ".htm", ".docx", ".pdf")
TEXT_SUFFIXES = frozenset({".txt", ".md", ".rst", ".adoc"})  # plain text, markup and all
HTML_SUFFIXES = frozenset({".html", ".htm"})
WORD_SUFFIXES = frozenset({".docx"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | WORD_SUFFIXES | PDF_SUFFIXES
MAX_FILE_BYTES = 200_000_000
# Office formats askrel does not read, and what to save them as instead.
SAVE_AS = {suffix: " (save it as .docx or .pdf)" for suffix in (".doc", ".rtf", ".odt")}
META_FIELDS = ("title", "publisher", "author", "date", "url")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


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


def suffix_list(last: str = "and") -> str:
    """The file types askrel reads, as a message names them: ".txt, .md, .rst, .adoc and
    .pdf" (`last`: the word before the last one)."""
    return f"{', '.join(READ_SUFFIXES[:-1])} {last} {READ_SUFFIXES[-1]}"


def check_file(path: Path, sources_dir: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse files askrel will not read, with the reason."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(sources_dir.resolve()):
            raise SourceError("symbolic link pointing outside the sources folder; refused")
        if target.is_dir():
            raise SourceError("symbolic link to a folder; not followed")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        hint = SAVE_AS.get(path.suffix.lower(), "")
        raise SourceError(f"unsupported file type '{path.suffix or '(none)'}'; askrel reads "
                          f"{suffix_list()}{hint}")
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
    unit = TextUnit(text=text, page=None, body_start=body_start)
    return with_opening_title(meta, unit), (unit,)


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


_BOLD_NAME = re.compile(r"bold|black|heavy|demi|semibold", re.IGNORECASE)


def is_bold(font: object) -> bool:
    """Whether a PDF font dictionary is a bold face: by its name ("Times-Bold",
    "ABCDEF+NotoSans-SemiBold") or its descriptor's weight (600 or more)."""
    try:
        if _BOLD_NAME.search(str(font.get("/BaseFont", ""))):  # type: ignore[attr-defined]
            return True
        descriptor = font.get("/FontDescriptor")  # type: ignore[attr-defined]
        weight = descriptor.get_object().get("/FontWeight", 0) if descriptor else 0
        return float(weight) >= 600
    except Exception:  # noqa: BLE001 - a damaged font dictionary only loses the weight
        return False


def font_name(font: object) -> str:
    """A PDF font dictionary's /BaseFont name ("ABCDEF+FreeSerif"), or "" when it has none."""
    try:
        return str(font.get("/BaseFont", ""))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a damaged font dictionary only loses its name
        return ""


def _recorder(runs: list[TypeRun]) -> Callable[..., None]:
    """A pypdf text visitor that keeps each text run with its printed size, weight, height
    and start across the page (a run whose size cannot be read gets size 0: it is still part
    of a line)."""
    fonts: dict[int, tuple[bool, str]] = {}  # by font dictionary: few fonts set many runs

    def visit(text: str, ctm: list[float], matrix: list[float], font: object,
              size: float) -> None:
        x: float | None
        try:
            printed = run_size(float(size), list(matrix), list(ctm))
            x = float(matrix[4] * ctm[0] + matrix[5] * ctm[2] + ctm[4])
            y = float(matrix[4] * ctm[1] + matrix[5] * ctm[3] + ctm[5])
        except (TypeError, ValueError, OverflowError, IndexError):
            printed, x, y = 0.0, None, 0.0
        if id(font) not in fonts:
            fonts[id(font)] = (is_bold(font), font_name(font))
        bold, name = fonts[id(font)]
        runs.append(TypeRun(printed, str(text), bold, y, name, x))

    return visit


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
        type_runs: dict[int, list[TypeRun]] = {}
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            visitor = _recorder(type_runs.setdefault(number, []))
            with spacing_read_as_moves(page, reader):
                pages.append(without_controls(page.extract_text(
                    visitor_text=visitor, visitor_operand_before=gap_keeper(page)) or ""))
        runs = [[run._replace(text=without_controls(run.text)) for run in page_runs]
                for page_runs in type_runs.values()]
        pages, runs = split_run_together_words(pages, runs)
        type_runs = dict(zip(type_runs, runs, strict=True))
        pages = paragraph_pages(pages, runs)
        pages, bar = mend_pages(pages)
        units = []
        for number, text in enumerate(pages, start=1):
            if text.strip():
                sections = locate_sections(text, outline.get(number - 1, []))
                units.append(TextUnit(text=text, page=number, sections=sections,
                                      page_label=labels.get(number)))
        if not outline:
            mended_runs = {number: [run._replace(text=mend_split_words(run.text, bar))
                                    for run in runs]
                           for number, runs in type_runs.items()}
            units = sections_without_outline(units, mended_runs)
        info = reader.metadata
        title = stated_title(_as_text(info.get("/Title"))) if info else None
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
    title = (title or largest_type_title(type_lines(type_runs.get(units[0].page or 1, [])),
                                         body_size(list(type_runs.values())))
             or first_page_title(units[0].text))
    return SourceMeta(title=title, author=author), tuple(units)


def parse_document(path: Path, data: bytes, root: Path | None) -> Document:
    """A Document from a source file's bytes, or SourceError saying why not."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        meta, units = read_pdf(data)
    elif suffix in HTML_SUFFIXES | WORD_SUFFIXES:  # laid out as a web page is
        meta, units = (read_word_file if suffix in WORD_SUFFIXES else read_html_file)(data)
        meta = with_opening_title(meta, units[0])  # when its head or properties name it not
    else:
        meta, units = read_text_file(data)
    return Document(source=display_path(path, root), meta=meta, units=units,
                    content_hash=content_hash(data))


def read_document(path: Path, sources_dir: Path, root: Path | None,
                  max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read one source file into a Document, or raise SourceError saying why not."""
    return parse_document(path, read_source_bytes(path, sources_dir, max_bytes), root)
