"""The source viewer's data: find a cited file in the sources folder and the text its citation
indexes (a text file's decoded text, or one PDF page, and the next page when the passage runs
over a page break), with the passage located in it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from askrel.reading.sources import SourceError, discover, display_path, read_document
from askrel.records import JOIN, Continuation, Document, TextUnit, page_place, passage_parts

MAX_SHOWN_CHARS = 300_000  # a longer text shows a window around the passage
CACHE_SIZE = 8


class ViewerError(Exception):
    """The cited source cannot be shown; the message says why."""


@dataclass(frozen=True)
class ShownText:
    """A stretch of one text unit with the cited passage (or its part on that unit) located;
    `heading` names the page when the passage goes on there from the page before."""

    text: str
    shown: tuple[int, int]
    passage: tuple[int, int] | None
    answer_spans: tuple[tuple[int, int], ...]
    heading: str | None = None


@dataclass(frozen=True)
class SourceView:
    """What the viewer shows: the cited text unit, and the next page when the passage runs
    over a page break."""

    source: str
    meta: dict[str, Any]
    parts: tuple[ShownText, ...]
    where: str
    notes: tuple[str, ...]


def locate(source: str, sources_dir: Path, root: Path) -> Path:
    """The file in `sources_dir` that a citation's source names; nothing outside is opened."""
    for path in discover(sources_dir):
        if display_path(path, root) == source:
            return _inside(path, sources_dir, source)
    # The index may have been built from another working folder: match the path's tail.
    wanted = source.replace("\\", "/")
    matches = [p for p in discover(sources_dir)
               if wanted.endswith("/" + p.relative_to(sources_dir).as_posix())]
    if len(matches) == 1:
        return _inside(matches[0], sources_dir, source)
    raise ViewerError(f"{source} is no longer in the sources folder; rebuild the index.")


def _inside(path: Path, sources_dir: Path, source: str) -> Path:
    if not path.resolve().is_relative_to(sources_dir.resolve()):
        raise ViewerError(f"{source} points outside the sources folder; it is not shown.")
    return path


class DocumentCache:
    """Recently read documents, keyed by path, size and modification time."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._docs: OrderedDict[tuple[str, int, int], Document] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, path: Path, sources_dir: Path, root: Path) -> Document:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if key in self._docs:
                self._docs.move_to_end(key)
                return self._docs[key]
        try:
            doc = read_document(path, sources_dir, root)
        except SourceError as exc:
            raise ViewerError(f"{path.name} cannot be read: {exc}") from exc
        with self._lock:
            self._docs[key] = doc
            while len(self._docs) > self._size:
                self._docs.popitem(last=False)
        return doc


def source_view(hit: dict[str, Any], sources_dir: Path, root: Path,
                cache: DocumentCache) -> SourceView:
    """The document behind one hit of an answer (`Answer.to_json()` form)."""
    citation = hit["citation"]
    source = citation["source"]
    path = locate(source, sources_dir, root)
    doc = cache.read(path, sources_dir, root)
    page = citation.get("page")
    continued = Continuation(**citation["continued"]) if citation.get("continued") else None
    start, end = int(citation["char_start"]), int(citation["char_end"])
    pieces = passage_parts(hit["text"], start, end, continued)
    pages = [page] + ([continued.page] if continued else [])
    units = [_unit(doc, number, source) for number in pages]
    parts, notes, offset = [], [], 0
    for n, ((piece, piece_start, piece_end), unit) in enumerate(zip(pieces, units, strict=True)):
        spans = [(max(s, offset) - offset, min(e, offset + len(piece)) - offset)
                 for s, e in hit.get("highlights", []) if s < offset + len(piece) and e > offset]
        heading = page_place(unit.page or 0, unit.page_label) if n else None
        part, note = _shown(unit, piece, piece_start, piece_end, spans, heading)
        parts.append(part)
        notes += note
        offset += len(piece) + len(JOIN)
    meta = {k: citation.get(k) or getattr(doc.meta, k) for k in
            ("title", "publisher", "author", "date", "url")}
    if page:
        where = page_place(page, units[0].page_label,
                           replace(continued, page_label=units[1].page_label)
                           if continued else None)
        where += f", {citation['section']}" if citation.get("section") else ""
    elif parts[0].passage:
        where = "characters {:,}–{:,}".format(*parts[0].passage)
    else:
        where = "passage not found"
    return SourceView(source, meta, tuple(parts), where, tuple(dict.fromkeys(notes)))


def _unit(doc: Document, page: int | None, source: str) -> TextUnit:
    units = [u for u in doc.units if u.page == page]
    if not units:
        raise ViewerError(f"Page {page} of {source} has no text any more; rebuild the index.")
    return units[0]


def _shown(unit: TextUnit, piece: str, start: int, end: int, spans: list[tuple[int, int]],
           heading: str | None) -> tuple[ShownText, list[str]]:
    """One unit's text with the passage's piece on it located (where the citation says, or
    where the piece is now if the file changed), and a note when it had to be looked for."""
    text = unit.text
    notes: list[str] = []
    if text[start:end] != piece:
        found = text.find(piece)
        if found < 0:
            notes.append("The file changed since it was indexed and the cited passage is no "
                         "longer in it; rebuild the index.")
            start = end = -1
        else:
            notes.append("The file changed since it was indexed; the passage is shown where it "
                         "is now. Rebuild the index to update the citations.")
            start, end = found, found + len(piece)
    passage = (start, end) if start >= 0 else None
    body_start = min(unit.body_start, start) if passage else unit.body_start
    shown = (body_start, len(text))
    if len(text) - body_start > MAX_SHOWN_CHARS:
        centre = start if passage else body_start
        lo = max(body_start, centre - MAX_SHOWN_CHARS // 2)
        hi = min(len(text), lo + MAX_SHOWN_CHARS)
        shown = (lo, hi)
        notes.append(f"This document is long; showing characters {lo:,}–{hi:,} of "
                     f"{len(text):,} around the passage.")
    answer_spans = tuple((start + s, start + e) for s, e in spans) if passage else ()
    return ShownText(text, shown, passage, answer_spans, heading), notes
