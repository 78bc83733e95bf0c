"""Building the index: read, chunk, embed, write aside, then swap in atomically.

Layout of an index folder:
    current -> builds/<id>/   (symlink, replaced atomically when a build completes)
    builds/<id>/manifest.json, passages.sqlite, embeddings.npy, sentence_vectors.npy,
                vectors.faiss, bm25/
    .lock                     (held while a build runs)
Unchanged sources (same size and mtime, or same content hash) keep their passages and vectors.
A build killed at any moment leaves `current` on the previous complete build; its leftovers
(`builds/.<id>.partial`, `.current.<pid>` links) are removed by the next build.
"""

from __future__ import annotations

import functools
import inspect
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from askrel.chunking import (
    DEFAULT_MAX_WORDS,
    DEFAULT_MIN_WORDS,
    chunk_blocks,
    ends_mid_sentence,
    sentence_rest,
)
from askrel.embedding.base import Embedder
from askrel.embedding.loading import build_precision, load_embedder
from askrel.embedding.models import resolve_model
from askrel.indexing.lexical import LexicalIndex
from askrel.indexing.store import (
    FORMAT_VERSION,
    STORE_FILE,
    PassageStore,
    passage_key,
    read_manifest,
    write_manifest,
)
from askrel.indexing.vectors import VectorIndex, load_npy
from askrel.reading.chrome import content_blocks, navigation_pages, running_lines
from askrel.reading.sources import (
    MAX_FILE_BYTES,
    Problem,
    SourceError,
    content_hash,
    discover,
    display_path,
    name_problem,
    parse_document,
    printable_name,
    read_source_bytes,
    suffix_list,
)
from askrel.records import (
    JOIN,
    Block,
    Continuation,
    Document,
    Passage,
    SourceMeta,
    Span,
    TextUnit,
)

CURRENT = "current"
BUILDS = "builds"
LOCK_FILE = ".lock"
EMBEDDINGS_FILE = "embeddings.npy"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
PARTIAL_SUFFIX = ".partial"
# A file modified this close to the previous scan may have changed again within the same
# timestamp tick (some file systems keep 2-second times), so its size and mtime are not trusted.
MTIME_SLACK_NS = 2_000_000_000

Progress = Callable[[str, int, int], None]  # (stage, done so far, total)


class IndexError_(Exception):
    """Base for index problems a person can fix; the message says how."""


class IndexMissing(IndexError_):
    pass


class IndexOutdated(IndexError_):
    pass


class IndexBusy(IndexError_):
    pass


class ModelMismatch(IndexError_):
    pass


@dataclass(frozen=True)
class ChunkSettings:
    max_words: int = DEFAULT_MAX_WORDS
    min_words: int = DEFAULT_MIN_WORDS


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    passages: int = 0
    duplicate_passages: int = 0
    embedded: int = 0
    model: str = ""
    reembedded_all: str | None = None
    seconds: float = 0.0
    path: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.reembedded_all)


def current_build(index_dir: Path) -> Path | None:
    """The folder of the live build, or None when there is no index yet."""
    link = index_dir / CURRENT
    if link.exists() and (link / "manifest.json").exists():
        return link.resolve()
    return None


def built_from(index_dir: Path) -> Path | None:
    """The sources folder the live build was made from, when the index records one and the
    folder is still there."""
    build = current_build(index_dir)
    if build is None:
        return None
    try:
        recorded = read_manifest(build).get("sources_dir")
    except (OSError, ValueError):
        return None
    return Path(recorded) if recorded and Path(recorded).is_dir() else None


def require_build(index_dir: Path) -> Path:
    build = current_build(index_dir)
    if build is None:
        raise IndexMissing(
            f"No index in {index_dir}. Build one with: askrel index --index {index_dir}"
        )
    return build


def is_outdated(manifest: dict[str, Any]) -> bool:
    """True for a build (given by its manifest) in an older store format, which this version
    cannot read."""
    return bool(manifest.get("format_version") != FORMAT_VERSION)


# ---------------------------------------------------------------- passages of a document


def passage_prefix(meta: SourceMeta, heading: str | None, text: str) -> str:
    """Context put before a passage when embedding it: the title and the section heading."""
    parts = [meta.title] if meta.title else []
    if heading and not text.startswith(heading):
        parts.append(heading)
    return "".join(f"{p}\n" for p in parts)


def document_passages(doc: Document, settings: ChunkSettings) -> list[Passage]:
    """Chunk every text unit of a document into passages (ids are assigned later).

    A PDF with sections (from its outline or numbered headings) gives each passage the one
    it belongs to: the last section that starts before the passage ends. Otherwise a
    passage's heading is the one it contains, if any (headings guessed from the text are not
    carried forward: a web article's short lines are too often no real section heading).
    In a text file, a paragraph that shifts the topic starts a new passage (`shifts_topic`:
    a FAQ stripped of its questions runs one answer into the next); a PDF's paragraphs are
    cut by its sections and headings only.
    When a PDF page ends mid-sentence and the next page goes on in lower case, the page's
    last passage takes the rest of that sentence from the next page (see `continued_passage`).
    When a PDF without sections ends a page with a heading (a FAQ's question at the foot of a
    page, its answer over the page), the next page's first passage takes that heading as its
    own, unless it starts with one (`page_foot_heading`).
    Contents and index pages are left out.
    """
    passages: list[Passage] = []
    pages = [u for u in doc.units if u.page is not None]
    running = running_lines([u.text for u in pages], page_numbers=[u.page or 0 for u in pages])
    navigation = {pages[i].page for i in navigation_pages([u.text for u in pages])}
    section: str | None = None
    unfinished: Passage | None = None  # the previous page's last passage, cut mid-sentence
    foot: tuple[int, str] | None = None  # a page and the heading at its foot
    for unit in doc.units:
        if unit.page in navigation:
            unfinished = foot = None
            continue
        blocks = content_blocks(unit.text, unit.body_start, web_rules=unit.page is None,
                                running=running, sections=unit.sections)
        if unfinished is not None and unit.page == (unfinished.page or 0) + 1:
            rest = sentence_rest(unit.text, blocks, settings.max_words // 2)
            if rest is not None:
                span, blocks = rest
                passages[-1] = continued_passage(unfinished, unit, span)
        marks = list(unit.sections)
        before = len(passages)
        carried = foot[1] if foot is not None and unit.page == foot[0] + 1 else None
        for chunk in chunk_blocks(unit.text, blocks, max_words=settings.max_words,
                                  min_words=settings.min_words, topic_cuts=unit.page is None,
                                  headed=carried is not None):
            while marks and marks[0].start < chunk.end:
                section = marks.pop(0).title
            spans = tuple((s - chunk.start, e - chunk.start) for s, e in chunk.sentences)
            passages.append(Passage(-1, doc.source, unit.page, chunk.start, chunk.end,
                                    unit.text[chunk.start:chunk.end], spans,
                                    section or chunk.heading or carried, unit.page_label))
            carried = None
        foot = page_foot_heading(unit, blocks) if section is None else None
        page_ends_open = (unit.page is not None and len(passages) > before
                          and ends_mid_sentence(last_sentence(passages[-1])))
        unfinished = passages[-1] if page_ends_open else None
    return passages


def page_foot_heading(unit: TextUnit, blocks: list[Block]) -> tuple[int, str] | None:
    """The page and the heading that ends it, if a heading does: what the next page's first
    passage is about."""
    if unit.page is None or not blocks or not blocks[-1].heading:
        return None
    return unit.page, " ".join(unit.text[blocks[-1].start:blocks[-1].end].split())


def last_sentence(passage: Passage) -> str:
    return passage.text[passage.sentences[-1][0]:passage.sentences[-1][1]] \
        if passage.sentences else ""


def continued_passage(passage: Passage, unit: TextUnit, rest: Span) -> Passage:
    """The passage with its unfinished last sentence completed by `rest` of the next page.

    Its text becomes the two verbatim pieces joined by `JOIN`, its last sentence runs to the
    end, and `continued` says where the second piece is.
    """
    text = passage.text + JOIN + unit.text[rest[0]:rest[1]]
    sentences = (*passage.sentences[:-1], (passage.sentences[-1][0], len(text)))
    return replace(passage, text=text, sentences=sentences,
                   continued=Continuation(unit.page or 0, rest[0], rest[1], unit.page_label))


# ---------------------------------------------------------------- the previous build


class PreviousBuild:
    """What a previous compatible build can lend to the next one: its manifest says which
    sources it holds (content hashes, sizes, times); `entry` hands one over, vectors included."""

    manifest: dict[str, Any]

    def entry(self, source: str, meta_source: str, size: int, mtime_ns: int) -> _Entry:
        """The passages and vectors of `meta_source` in the previous build, cited as `source`."""
        raise NotImplementedError

    def source_entry(self, source: str) -> dict[str, Any] | None:
        return self.manifest["sources"].get(source)

    def source_with_hash(self, digest: str) -> str | None:
        """A source of the previous build with exactly this content (a renamed or copied file)."""
        for source, info in self.manifest["sources"].items():
            if info["content_hash"] == digest:
                return source
        return None

    def trusted_stat(self, info: dict[str, Any], size: int, mtime_ns: int) -> bool:
        """True when size and mtime match the previous build's and were not too fresh then."""
        scanned = int(self.manifest.get("scan_started_ns", 0))
        return (info["size"] == size and info["mtime_ns"] == mtime_ns
                and mtime_ns < scanned - MTIME_SLACK_NS)


@dataclass
class _Reusable(PreviousBuild):
    """A previous local build (an index folder's build)."""

    manifest: dict[str, Any]
    store: PassageStore
    embeddings: np.ndarray
    sentence_vectors: np.ndarray

    @classmethod
    def open(cls, build: Path, manifest: dict[str, Any]) -> _Reusable:
        return cls(
            manifest=manifest,
            store=PassageStore(build / STORE_FILE),
            embeddings=load_npy(build / EMBEDDINGS_FILE, mmap_mode="r"),
            sentence_vectors=load_npy(build / SENTENCE_VECTORS_FILE, mmap_mode="r"),
        )

    def entry(self, source: str, meta_source: str, size: int, mtime_ns: int) -> _Entry:
        info = self.source_entry(meta_source) or {}
        rows = list(self.store.passages_of(meta_source))
        ids = [p.id for p, _ in rows]
        sentence_rows = [first + k for p, first in rows for k in range(len(p.sentences))]
        passages = [replace(p, id=-1, source=source) for p, _ in rows]
        return _Entry(source, self.store.meta(meta_source), info["content_hash"], size,
                      mtime_ns, passages,
                      np.asarray(self.embeddings[ids], dtype=np.float32),
                      np.asarray(self.sentence_vectors[sentence_rows], dtype=np.float32))


@dataclass
class _Entry:
    """One source in the build being made."""

    source: str
    meta: SourceMeta
    content_hash: str
    size: int
    mtime_ns: int
    passages: list[Passage]
    vectors: np.ndarray | None = None
    sentence_vectors: np.ndarray | None = None
    indexed_at: str | None = None  # when its passages were last built; None: in this build


def _compatible(manifest: dict[str, Any], model: str, settings: ChunkSettings) -> str | None:
    """None if a previous build's passages and vectors can be reused, else the reason not."""
    if manifest.get("format_version") != FORMAT_VERSION:
        return "the index format changed"
    if manifest.get("model") != model:
        return (f"the index was built with model '{manifest.get('model')}' and this build uses "
                f"'{model}'; re-embedding everything")
    if cut_by_other_code(manifest):
        return "the reading or chunking code changed; re-chunking everything"
    if manifest.get("chunking") != _chunking(settings):
        return "chunking settings changed; re-chunking everything"
    return None


def cut_by_other_code(manifest: dict[str, Any]) -> bool:
    """True when a build's passages were cut by reading or chunking code other than this
    version's, so they may differ from what `askrel index` would cut now."""
    return bool((manifest.get("chunking") or {}).get("code") != _passage_code_hash())


def _chunking(settings: ChunkSettings) -> dict[str, Any]:
    return {"max_words": settings.max_words, "min_words": settings.min_words,
            "splitter": "blingfire", "passage_context": "title+section",
            "bm25_text": "context+passage",
            "code": _passage_code_hash()}


@functools.cache
def _passage_code_hash() -> str:
    """A hash of the code that turns files into passages, so passages kept from an older
    build always come from the code in use (the code running, read once)."""
    import askrel.chunking
    import askrel.indexing.lexical
    import askrel.reading

    reading = sorted(Path(askrel.reading.__file__).parent.glob("*.py"))
    chunking = [Path(askrel.chunking.__file__),
                Path(askrel.indexing.lexical.__file__)]  # its terms tell topic shifts
    data = b"".join(path.read_bytes() for path in [*reading, *chunking])
    here = "".join(inspect.getsource(f)
                   for f in (document_passages, last_sentence, continued_passage,
                             passage_prefix))
    return content_hash(data + here.encode())[:16]


# ---------------------------------------------------------------- the build


def build_index(
    sources_dir: Path,
    index_dir: Path,
    *,
    model: str | None = None,
    embedder: Embedder | None = None,
    settings: ChunkSettings = ChunkSettings(),
    root: Path | None = None,
    progress: Progress | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    precision: str | None = None,
) -> BuildReport:
    """Bring the index in `index_dir` up to date with `sources_dir`.

    Files larger than `max_file_bytes` are refused (and reported). Raises IndexBusy when
    another build holds the lock, IndexError_ when nothing can be built or written.
    """
    from filelock import FileLock, Timeout

    started = time.perf_counter()
    if not sources_dir.is_dir():
        raise IndexError_(f"Sources folder not found: {sources_dir}")
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise IndexBusy(
            f"Another rebuild of {index_dir} is running; wait for it to finish and try again."
        ) from exc
    try:
        report = _build_locked(sources_dir, index_dir, model, embedder, settings, root,
                               progress, max_file_bytes, precision)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _build_locked(sources_dir: Path, index_dir: Path, model: str | None,
                  embedder: Embedder | None, settings: ChunkSettings, root: Path | None,
                  progress: Progress | None, max_file_bytes: int,
                  precision: str | None = None) -> BuildReport:
    scan_started_ns = time.time_ns()
    precision = embedder.precision if embedder else build_precision(index_dir, model, precision)
    remove_leftovers(index_dir)
    model_name = embedder.name if embedder else resolve_model(model)[0]
    report = BuildReport(model=model_name)
    previous = current_build(index_dir)
    prev: _Reusable | None = None
    old_sources: set[str] = set()
    if previous is not None:
        prev, old_sources, report.reembedded_all = _open_previous(previous, model_name,
                                                                  settings, precision)

    entries = _collect(sources_dir, root, prev, old_sources, settings, report, progress,
                       max_file_bytes)
    new_sources = {e.source for e in entries}
    report.removed = sorted(old_sources - new_sources)
    if not entries and previous is None:
        raise IndexError_(_nothing_to_index(sources_dir, report))

    to_embed = [e for e in entries if e.vectors is None]
    if to_embed:
        embedder = embedder or load_embedder(model, precision=precision, index_dir=index_dir)
        _embed_entries(embedder, to_embed, progress)
        report.embedded = sum(len(e.passages) for e in to_embed)
    dimension = embedder.dimension if embedder else _dimension_of(entries, prev)

    if not report.changed and previous is not None and prev is not None:
        report.passages = int(prev.manifest["passages"])
        report.duplicate_passages = int(prev.manifest.get("duplicate_passages", 0))
        report.path = str(previous)
        return report
    encoder = embedder.describe() if embedder else (prev.manifest.get("encoder") if prev else None)
    build, duplicates = _write_build(index_dir, entries, model_name, dimension, settings,
                                     progress, scan_started_ns, encoder, sources_dir)
    _swap_in(index_dir, build)
    report.passages = sum(len(e.passages) for e in entries)
    report.duplicate_passages = duplicates
    report.path = str(build)
    return report


def _open_previous(previous: Path, model: str, settings: ChunkSettings, precision: str = "fp32"
                   ) -> tuple[_Reusable | None, set[str], str | None]:
    """(what the previous build can lend, its sources, why everything is redone if so)."""
    try:
        manifest = read_manifest(previous)
        old_sources = set(manifest["sources"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, set(), "the previous index could not be read; rebuilding everything"
    reason = _compatible(manifest, model, settings)
    made_at = (manifest.get("encoder") or {}).get("precision", "fp32")
    if reason is None and made_at != precision:
        reason = f"the vectors were made at {made_at} precision and this build uses {precision}"
    if reason is not None:
        return None, old_sources, reason
    try:
        return _Reusable.open(previous, manifest), old_sources, None
    except (OSError, ValueError, sqlite3.Error):
        return None, old_sources, "the previous index is damaged; rebuilding everything"


def _nothing_to_index(sources_dir: Path, report: BuildReport) -> str:
    if not report.problems and not report.skipped:
        return (f"No sources to index in {sources_dir}: add {suffix_list('or')} files there "
                "and run askrel index again.")
    lines = [f"None of the files in {sources_dir} could be indexed:"]
    lines += [f"  {p.source}: {p.reason}" for p in report.problems[:10]]
    if len(report.problems) > 10:
        lines.append(f"  ... and {len(report.problems) - 10} more")
    return "\n".join(lines)


def _dimension_of(entries: list[_Entry], prev: PreviousBuild | None) -> int:
    for e in entries:
        if e.vectors is not None and len(e.vectors):
            return int(e.vectors.shape[1])
    return int(prev.manifest["dimension"]) if prev else 0


def _collect(sources_dir: Path, root: Path | None, prev: PreviousBuild | None,
             old_sources: set[str], settings: ChunkSettings, report: BuildReport,
             progress: Progress | None, max_bytes: int) -> list[_Entry]:
    files = list(discover(sources_dir))
    entries: list[_Entry] = []
    seen_hashes: dict[str, str] = {}
    for n, path in enumerate(files, start=1):
        source = display_path(path, root)
        if progress:
            progress("reading", n, len(files))
        bad_name = name_problem(source)
        if bad_name:
            report.problems.append(Problem(printable_name(source), bad_name))
            continue
        try:
            entry = _entry_for(path, source, sources_dir, root, prev, old_sources, settings,
                               report, max_bytes)
        except SourceError as exc:
            report.problems.append(Problem(source, str(exc)))
            continue
        except (OSError, UnicodeError, ValueError, MemoryError, RecursionError) as exc:
            report.problems.append(Problem(source, f"could not be read ({exc})"))
            continue
        if entry is None:
            continue
        if entry.content_hash in seen_hashes:
            report.skipped.append(Problem(
                source, f"identical to {seen_hashes[entry.content_hash]}; indexed once"))
            _unlist(report, source)
            continue
        if not entry.passages:
            report.problems.append(Problem(source, "no indexable text after removing page chrome"))
            _unlist(report, source)
            continue
        seen_hashes[entry.content_hash] = source
        entries.append(entry)
    return entries


def _unlist(report: BuildReport, source: str) -> None:
    for names in (report.added, report.updated, report.unchanged):
        if names and names[-1] == source:
            names.pop()


def _entry_for(path: Path, source: str, sources_dir: Path, root: Path | None,
               prev: PreviousBuild | None, old_sources: set[str], settings: ChunkSettings,
               report: BuildReport, max_bytes: int) -> _Entry | None:
    """The source's entry: kept from the previous build when its content is the same."""
    old = prev.source_entry(source) if prev else None
    stat = path.stat()  # taken before reading, so a change while reading shows next time
    if prev and old and not path.is_symlink() and stat.st_size <= max_bytes \
            and prev.trusted_stat(old, stat.st_size, stat.st_mtime_ns):
        report.unchanged.append(source)
        return replace(prev.entry(source, source, stat.st_size, stat.st_mtime_ns),
                       indexed_at=_indexed_at(prev, old))
    data = read_source_bytes(path, sources_dir, max_bytes)
    digest = content_hash(data)
    if prev:
        donor = source if old and old["content_hash"] == digest else prev.source_with_hash(
            digest)
        if donor is not None:
            _classify(report, source, old_sources, same=donor == source)
            entry = prev.entry(source, donor, stat.st_size, stat.st_mtime_ns)
            return replace(entry, indexed_at=_indexed_at(prev, old)) if donor == source else entry
    doc = parse_document(path, data, root)
    _classify(report, source, old_sources, same=False)
    return _Entry(source, doc.meta, digest, stat.st_size, stat.st_mtime_ns,
                  document_passages(doc, settings))


def _indexed_at(prev: PreviousBuild, info: dict[str, Any] | None) -> str | None:
    """When an unchanged source was last indexed: as recorded, else when that build was made."""
    return (info or {}).get("indexed_at") or prev.manifest.get("built_at")


def _classify(report: BuildReport, source: str, old_sources: set[str], same: bool) -> None:
    if same:
        report.unchanged.append(source)
    elif source in old_sources:
        report.updated.append(source)
    else:
        report.added.append(source)


def _embed_entries(embedder: Embedder, entries: list[_Entry], progress: Progress | None) -> None:
    texts, spans, owners = [], [], []
    for e in entries:
        for p in e.passages:
            prefix = passage_prefix(e.meta, p.heading, p.text)
            texts.append(prefix + p.text)
            spans.append([(s + len(prefix), t + len(prefix)) for s, t in p.sentences])
            owners.append(e)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embedding", done, len(texts))

    vectors, sentence_vectors = embedder.embed_with_spans(texts, spans, progress=advance)
    row = 0
    for e in entries:
        n = len(e.passages)
        e.vectors = vectors[row:row + n]
        e.sentence_vectors = (np.concatenate(sentence_vectors[row:row + n])
                              if n else np.zeros((0, embedder.dimension), np.float32))
        row += n


def _write_build(index_dir: Path, entries: list[_Entry], model: str, dimension: int,
                 settings: ChunkSettings, progress: Progress | None,
                 scan_started_ns: int, encoder: dict[str, Any] | None = None,
                 sources_dir: Path | None = None) -> tuple[Path, int]:
    """Write a complete build aside (`builds/.<id>.partial`), then rename it into place.

    Returns the build folder and how many passages repeat an earlier passage's text.
    """
    builds = index_dir / BUILDS
    builds.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    build = builds / f"{stamp}-{os.getpid()}"
    tmp = builds / f".{build.name}{PARTIAL_SUFFIX}"
    tmp.mkdir()
    try:
        duplicates = _write_files(tmp, entries, model, dimension, settings, progress,
                                  scan_started_ns, encoder, sources_dir)
        _fsync_tree(tmp)
        tmp.rename(build)
        _fsync_dir(builds)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise IndexError_(f"Could not write the index in {index_dir} ({exc}); the previous "
                              "index is still in use.") from exc
        raise
    if progress:
        progress("writing", 1, 1)
    return build, duplicates


def numbered_passages(entries: list[_Entry]) -> tuple[list[tuple[Passage, int, int | None]], int]:
    """Every entry's passages with ids 0..n-1 in order, each with its first sentence row and
    the id of the earlier passage with the same text (None if it is the first); and the
    number of sentences."""
    passages: list[tuple[Passage, int, int | None]] = []
    first_of: dict[str, int] = {}
    sentence_row = 0
    for e in entries:
        for p in e.passages:
            pid = len(passages)
            first = first_of.setdefault(passage_key(p.text), pid)
            passages.append((replace(p, id=pid), sentence_row,
                             None if first == pid else first))
            sentence_row += len(p.sentences)
    return passages, sentence_row


def _write_files(tmp: Path, entries: list[_Entry], model: str, dimension: int,
                 settings: ChunkSettings, progress: Progress | None,
                 scan_started_ns: int, encoder: dict[str, Any] | None = None,
                 sources_dir: Path | None = None) -> int:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    passages, sentence_row = numbered_passages(entries)
    duplicates = sum(1 for *_, same in passages if same is not None)
    vectors = (np.concatenate([e.vectors for e in entries if e.vectors is not None])
               if entries else np.zeros((0, dimension), np.float32))
    sentence_vectors = (
        np.concatenate([e.sentence_vectors for e in entries if e.sentence_vectors is not None])
        if entries else np.zeros((0, dimension), np.float32))
    if progress:
        progress("writing", 0, 1)
    PassageStore.create(
        tmp / STORE_FILE, passages,
        ((e.source, e.meta, e.content_hash, len(e.passages), e.indexed_at or now)
         for e in entries))
    np.save(tmp / EMBEDDINGS_FILE, vectors.astype(np.float32), allow_pickle=False)
    np.save(tmp / SENTENCE_VECTORS_FILE, sentence_vectors.astype(np.float16), allow_pickle=False)
    vector_index = VectorIndex.build(vectors)
    vector_index.save(tmp)
    meta_of = {e.source: e.meta for e in entries}
    LexicalIndex.build([passage_prefix(meta_of[p.source], p.heading, p.text) + p.text
                        for p, _, _ in passages]).save(tmp)
    write_manifest(tmp, {
        "format_version": FORMAT_VERSION,
        "model": model,
        "dimension": dimension,
        "chunking": _chunking(settings),
        "encoder": encoder or {"backend": "torch", "precision": "fp32"},
        "vector_index": vector_index.describe(),
        "passages": len(passages),
        "duplicate_passages": duplicates,
        "sentences": int(sentence_row),
        "built_at": now,
        "scan_started_ns": scan_started_ns,
        "sources_dir": str(sources_dir.resolve()) if sources_dir else None,
        "sources": {
            e.source: {"content_hash": e.content_hash, "size": e.size, "mtime_ns": e.mtime_ns,
                       "passages": len(e.passages), "indexed_at": e.indexed_at or now}
            for e in entries
        },
    })
    return duplicates


def _fsync_tree(directory: Path) -> None:
    for path in [*directory.rglob("*"), directory]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_in(index_dir: Path, build: Path) -> None:
    """Point `current` at the new build atomically (a rename over the old link).

    The build it replaces stays until the next build starts, so a reader that resolved the
    old link just before the swap can still open it; older builds are deleted.
    """
    link = index_dir / CURRENT
    replaced = link.resolve() if link.is_symlink() else None
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(Path(BUILDS) / build.name)
    os.replace(tmp_link, link)
    _fsync_dir(index_dir)
    keep = {build.name} | ({replaced.name} if replaced is not None else set())
    for other in (index_dir / BUILDS).iterdir():
        if other.name not in keep:
            shutil.rmtree(other, ignore_errors=True)


def remove_leftovers(index_dir: Path) -> list[str]:
    """Delete what earlier builds left behind: partial builds, superseded builds and
    temporary links. Call only while holding the build lock. Returns what was removed."""
    removed = []
    for tmp_link in index_dir.glob(f".{CURRENT}.*"):
        if tmp_link.is_symlink():
            tmp_link.unlink()
            removed.append(tmp_link.name)
    builds = index_dir / BUILDS
    if not builds.is_dir():
        return removed
    link = index_dir / CURRENT
    live = link.resolve().name if link.is_symlink() else None
    for other in builds.iterdir():
        if other.name != live:
            if other.is_dir() and not other.is_symlink():
                shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink(missing_ok=True)
            removed.append(other.name)
    return removed
