"""Building the index: read, chunk, embed, write aside, then swap in atomically.

Layout of an index folder:
    current -> builds/<id>/   (symlink, replaced atomically when a build completes)
    builds/<id>/manifest.json, passages.sqlite, embeddings.npy, sentence_vectors.npy,
                vectors.faiss, bm25/
    .lock                     (held while a build runs)
Unchanged sources (same size and mtime, or same content hash) keep their passages and vectors.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from askrel.chrome import content_blocks
from askrel.chunking import DEFAULT_MAX_WORDS, DEFAULT_MIN_WORDS, chunk_blocks
from askrel.embedding import Embedder, load_embedder, resolve_model
from askrel.lexical import LexicalIndex
from askrel.records import Document, Passage, SourceMeta
from askrel.sources import Problem, SourceError, discover, display_path, read_document
from askrel.store import (
    FORMAT_VERSION,
    STORE_FILE,
    PassageStore,
    read_manifest,
    write_manifest,
)
from askrel.vectors import VectorIndex

CURRENT = "current"
BUILDS = "builds"
LOCK_FILE = ".lock"
EMBEDDINGS_FILE = "embeddings.npy"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"

Progress = Callable[[str, int, int], None]  # (stage, done so far, total)


class IndexError_(Exception):
    """Base for index problems a person can fix; the message says how."""


class IndexMissing(IndexError_):
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


def require_build(index_dir: Path) -> Path:
    build = current_build(index_dir)
    if build is None:
        raise IndexMissing(
            f"No index in {index_dir}. Build one with: askrel index --index {index_dir}"
        )
    return build


# ---------------------------------------------------------------- passages of a document


def passage_prefix(meta: SourceMeta, heading: str | None, text: str) -> str:
    """Context put before a passage when embedding it: the title and the section heading."""
    parts = [meta.title] if meta.title else []
    if heading and not text.startswith(heading):
        parts.append(heading)
    return "".join(f"{p}\n" for p in parts)


def document_passages(doc: Document, settings: ChunkSettings) -> list[Passage]:
    """Chunk every text unit of a document into passages (ids are assigned later)."""
    passages = []
    for unit in doc.units:
        blocks = content_blocks(unit.text, unit.body_start, web_rules=unit.page is None)
        for chunk in chunk_blocks(unit.text, blocks, max_words=settings.max_words,
                                  min_words=settings.min_words):
            spans = tuple((s - chunk.start, e - chunk.start) for s, e in chunk.sentences)
            passages.append(Passage(-1, doc.source, unit.page, chunk.start, chunk.end,
                                    unit.text[chunk.start:chunk.end], spans, chunk.heading))
    return passages


# ---------------------------------------------------------------- the previous build


@dataclass
class _Reusable:
    """What a previous compatible build can lend to the next one."""

    manifest: dict[str, Any]
    store: PassageStore
    embeddings: np.ndarray
    sentence_vectors: np.ndarray

    @classmethod
    def open(cls, build: Path) -> _Reusable:
        return cls(
            manifest=read_manifest(build),
            store=PassageStore(build / STORE_FILE),
            embeddings=np.load(build / EMBEDDINGS_FILE, mmap_mode="r"),
            sentence_vectors=np.load(build / SENTENCE_VECTORS_FILE, mmap_mode="r"),
        )

    def source_entry(self, source: str) -> dict[str, Any] | None:
        return self.manifest["sources"].get(source)


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


def _compatible(manifest: dict[str, Any], model: str, settings: ChunkSettings) -> str | None:
    """None if a previous build's passages and vectors can be reused, else the reason not."""
    if manifest.get("format_version") != FORMAT_VERSION:
        return "the index format changed"
    if manifest.get("model") != model:
        return (f"the index was built with model '{manifest.get('model')}' and this build uses "
                f"'{model}'; re-embedding everything")
    if manifest.get("chunking") != _chunking(settings):
        return "chunking settings changed; re-chunking everything"
    return None


def _chunking(settings: ChunkSettings) -> dict[str, Any]:
    return {"max_words": settings.max_words, "min_words": settings.min_words,
            "splitter": "blingfire", "passage_context": "title+heading"}


def _reused_entry(prev: _Reusable, source: str, meta_source: str,
                  stat: os.stat_result) -> _Entry:
    info = prev.source_entry(meta_source) or {}
    rows = list(prev.store.passages_of(meta_source))
    ids = [p.id for p, _ in rows]
    sentence_rows = [first + k for p, first in rows for k in range(len(p.sentences))]
    passages = [Passage(-1, source, p.page, p.char_start, p.char_end, p.text, p.sentences,
                        p.heading) for p, _ in rows]
    return _Entry(source, prev.store.meta(meta_source), info["content_hash"], stat.st_size,
                  stat.st_mtime_ns, passages,
                  np.asarray(prev.embeddings[ids], dtype=np.float32),
                  np.asarray(prev.sentence_vectors[sentence_rows], dtype=np.float32))


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
) -> BuildReport:
    """Bring the index in `index_dir` up to date with `sources_dir`.

    Raises IndexBusy when another build holds the lock.
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
                               progress)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _build_locked(sources_dir: Path, index_dir: Path, model: str | None,
                  embedder: Embedder | None, settings: ChunkSettings, root: Path | None,
                  progress: Progress | None) -> BuildReport:
    model_name = embedder.name if embedder else resolve_model(model)[0]
    report = BuildReport(model=model_name)
    previous = current_build(index_dir)
    prev: _Reusable | None = None
    if previous is not None:
        reason = _compatible(read_manifest(previous), model_name, settings)
        if reason is None:
            prev = _Reusable.open(previous)
        else:
            report.reembedded_all = reason
    old_sources = set(read_manifest(previous)["sources"]) if previous else set()

    entries = _collect(sources_dir, root, prev, settings, report, progress)
    new_sources = {e.source for e in entries}
    report.removed = sorted(old_sources - new_sources)

    to_embed = [e for e in entries if e.vectors is None]
    if to_embed:
        embedder = embedder or load_embedder(model)
        _embed_entries(embedder, to_embed, progress)
        report.embedded = sum(len(e.passages) for e in to_embed)
    dimension = embedder.dimension if embedder else _dimension_of(entries, prev)

    if not report.changed and previous is not None:
        report.passages = read_manifest(previous)["passages"]
        report.path = str(previous)
        return report
    build = _write_build(index_dir, entries, model_name, dimension, settings, progress)
    _swap_in(index_dir, build)
    report.passages = sum(len(e.passages) for e in entries)
    report.path = str(build)
    return report


def _dimension_of(entries: list[_Entry], prev: _Reusable | None) -> int:
    for e in entries:
        if e.vectors is not None and len(e.vectors):
            return int(e.vectors.shape[1])
    return int(prev.manifest["dimension"]) if prev else 0


def _collect(sources_dir: Path, root: Path | None, prev: _Reusable | None,
             settings: ChunkSettings, report: BuildReport,
             progress: Progress | None) -> list[_Entry]:
    files = list(discover(sources_dir))
    entries: list[_Entry] = []
    seen_hashes: dict[str, str] = {}
    for n, path in enumerate(files, start=1):
        source = display_path(path, root)
        if progress:
            progress("reading", n, len(files))
        try:
            entry = _entry_for(path, source, sources_dir, root, prev, settings, report)
        except SourceError as exc:
            report.problems.append(Problem(source, str(exc)))
            continue
        except (OSError, UnicodeError, ValueError, MemoryError) as exc:
            report.problems.append(Problem(source, f"could not be read ({exc})"))
            continue
        if entry.content_hash in seen_hashes:
            report.skipped.append(Problem(
                source, f"identical to {seen_hashes[entry.content_hash]}; indexed once"))
            continue
        if not entry.passages:
            report.problems.append(Problem(source, "no indexable text after removing page chrome"))
            continue
        seen_hashes[entry.content_hash] = source
        entries.append(entry)
    return entries


def _entry_for(path: Path, source: str, sources_dir: Path, root: Path | None,
               prev: _Reusable | None, settings: ChunkSettings, report: BuildReport) -> _Entry:
    stat = path.stat()
    old = prev.source_entry(source) if prev else None
    if prev and old and old["size"] == stat.st_size and old["mtime_ns"] == stat.st_mtime_ns \
            and not path.is_symlink():
        report.unchanged.append(source)
        return _reused_entry(prev, source, source, stat)
    doc = read_document(path, sources_dir, root)
    if prev and old and old["content_hash"] == doc.content_hash:
        report.unchanged.append(source)
        return _reused_entry(prev, source, source, stat)
    (report.updated if old else report.added).append(source)
    return _Entry(source, doc.meta, doc.content_hash, stat.st_size, stat.st_mtime_ns,
                  document_passages(doc, settings))


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
                 settings: ChunkSettings, progress: Progress | None) -> Path:
    builds = index_dir / BUILDS
    builds.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    build = builds / f"{stamp}-{os.getpid()}"
    tmp = builds / f".{build.name}.partial"
    tmp.mkdir()
    now = datetime.now(UTC).isoformat(timespec="seconds")

    passages: list[tuple[Passage, int]] = []
    sentence_row = 0
    for e in entries:
        for p in e.passages:
            passages.append((Passage(len(passages), p.source, p.page, p.char_start, p.char_end,
                                     p.text, p.sentences, p.heading), sentence_row))
            sentence_row += len(p.sentences)
    vectors = (np.concatenate([e.vectors for e in entries if e.vectors is not None])
               if entries else np.zeros((0, dimension), np.float32))
    sentence_vectors = (
        np.concatenate([e.sentence_vectors for e in entries if e.sentence_vectors is not None])
        if entries else np.zeros((0, dimension), np.float32))
    if progress:
        progress("writing", 0, 1)
    PassageStore.create(
        tmp / STORE_FILE, passages,
        ((e.source, e.meta, e.content_hash, len(e.passages), now) for e in entries))
    np.save(tmp / EMBEDDINGS_FILE, vectors.astype(np.float32), allow_pickle=False)
    np.save(tmp / SENTENCE_VECTORS_FILE, sentence_vectors.astype(np.float16), allow_pickle=False)
    VectorIndex.build(vectors).save(tmp)
    LexicalIndex.build([p.text for p, _ in passages]).save(tmp)
    write_manifest(tmp, {
        "format_version": FORMAT_VERSION,
        "model": model,
        "dimension": dimension,
        "chunking": _chunking(settings),
        "vector_index": {"type": "flat", "metric": "inner_product"},
        "passages": len(passages),
        "sentences": int(sentence_row),
        "built_at": now,
        "sources": {
            e.source: {"content_hash": e.content_hash, "size": e.size, "mtime_ns": e.mtime_ns,
                       "passages": len(e.passages)}
            for e in entries
        },
    })
    _fsync_tree(tmp)
    tmp.rename(build)
    if progress:
        progress("writing", 1, 1)
    return build


def _fsync_tree(directory: Path) -> None:
    for path in [*directory.rglob("*"), directory]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap_in(index_dir: Path, build: Path) -> None:
    """Point `current` at the new build atomically, then delete every other build."""
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(Path(BUILDS) / build.name)
    os.replace(tmp_link, index_dir / CURRENT)
    _fsync_tree_dir(index_dir)
    for other in (index_dir / BUILDS).iterdir():
        if other.name != build.name:
            shutil.rmtree(other, ignore_errors=True)


def _fsync_tree_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
