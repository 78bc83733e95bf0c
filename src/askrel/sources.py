"""Reading sources: discover files, decode them, split off front matter, keep PDF pages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from askrel.records import Document, SourceMeta, TextUnit

TEXT_SUFFIXES = frozenset({".txt", ".md"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
MAX_FILE_BYTES = 200 * 1024 * 1024
META_FIELDS = ("title", "publisher", "author", "date", "url")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class SourceError(Exception):
    """A source file that cannot be indexed; the message says why, for a person."""


@dataclass(frozen=True)
class Problem:
    source: str
    reason: str


def discover(sources_dir: Path) -> Iterator[Path]:
    """Every file under `sources_dir` in a stable order, hidden files and folders excepted."""
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


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_file(path: Path, sources_dir: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse files askrel will not read, with the reason."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise SourceError(
            f"unsupported file type '{path.suffix or '(none)'}'; askrel reads .txt, .md and .pdf"
        )
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(sources_dir.resolve()):
            raise SourceError("symbolic link pointing outside the sources folder; refused")
    if not path.exists():
        raise SourceError("broken symbolic link")
    size = path.stat().st_size
    if size == 0:
        raise SourceError("empty file")
    if size > max_bytes:
        raise SourceError(f"file is {size / 1e6:.0f} MB; the limit is {max_bytes / 1e6:.0f} MB")


def decode_text(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Latin-1 if textual."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise SourceError("binary data, not text (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 20000) + 2:
        raise SourceError("binary data, not text (many control characters)")
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


def read_pdf(path: Path) -> tuple[SourceMeta, tuple[TextUnit, ...]]:
    """One text unit per PDF page that has text; page numbers count from 1."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise SourceError("encrypted PDF; askrel cannot read it without the password")
            except NotImplementedError as exc:
                raise SourceError(f"encrypted PDF ({exc})") from exc
        units = []
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            if text.strip():
                units.append(TextUnit(text=text, page=number))
        info = reader.metadata or {}
    except SourceError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise SourceError(f"corrupt or unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise SourceError(f"corrupt or unreadable PDF ({exc.__class__.__name__})") from exc
    if not units:
        raise SourceError("PDF has no text layer (scanned images?); it needs OCR first")
    meta = SourceMeta(
        title=_as_text(info.get("/Title")),
        author=_as_text(info.get("/Author")),
    )
    return meta, tuple(units)


def read_document(path: Path, sources_dir: Path, root: Path | None) -> Document:
    """Read one source file into a Document, or raise SourceError saying why not."""
    check_file(path, sources_dir)
    data = path.read_bytes()
    if path.suffix.lower() in PDF_SUFFIXES:
        meta, units = read_pdf(path)
    else:
        meta, units = read_text_file(data)
    return Document(
        source=display_path(path, root),
        meta=meta,
        units=units,
        content_hash=content_hash(data),
    )
