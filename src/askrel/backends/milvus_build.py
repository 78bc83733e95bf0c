"""Building an index in Milvus: the local build's reading, chunking and embedding, written as
a new revision of collections and switched in with one upsert (see backends/milvus.py).

Only new and changed sources are embedded: unchanged ones (same size and time, or same
content hash) lend their passages and vectors from the live revision.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from askrel.backends.milvus import (
    BATCH,
    BM25_ANALYZER_NAME,
    MAX_VARCHAR,
    PLACEHOLDER_DIM,
    SENTENCE_BATCH,
    STATE_KEY,
    MilvusTarget,
    as_vector,
    bm25_analyzer,
    check_target,
    connect,
    filter_in,
    passage_of,
    passage_record,
    query_all,
    read_state,
    revision_names,
    revisions_present,
    source_row,
    state_name,
)
from askrel.embedding.base import Embedder
from askrel.embedding.loading import load_cached_embedder
from askrel.embedding.models import resolve_model
from askrel.indexing.build import (
    BuildReport,
    ChunkSettings,
    IndexError_,
    PreviousBuild,
    Progress,
    _chunking,
    _collect,
    _compatible,
    _embed_entries,
    _Entry,
    _nothing_to_index,
    numbered_passages,
    passage_prefix,
)
from askrel.indexing.store import FORMAT_VERSION
from askrel.reading.sources import MAX_FILE_BYTES
from askrel.records import Passage, SourceMeta

# FLAT is exact (as the local index is up to 50k passages) and the one dense index every
# Milvus has; a server may use HNSW or IVF_FLAT instead (see docs/milvus.md).
DEFAULT_INDEX_TYPE = "FLAT"
DEFAULT_CHUNKING = ChunkSettings()
BM25_K1 = 1.5  # Lucene's BM25 weights, as bm25s applies them to the local index
BM25_B = 0.75
# Milvus's BM25 reads the terms askrel's own tokenizer gives (lowercase, split, stopwords out,
# stemmed), joined by spaces: the same terms as the local index, so the two rank alike
BM25_ANALYZER = {"tokenizer": "whitespace"}


@dataclass
class MilvusPrevious(PreviousBuild):
    """The live revision in Milvus, lending unchanged sources' passages and vectors."""

    manifest: dict[str, Any]
    client: Any
    names: dict[str, str]

    def entry(self, source: str, meta_source: str, size: int, mtime_ns: int) -> _Entry:
        info = self.source_entry(meta_source) or {}
        rows = query_all(self.client, self.names["passages"], filter_in("source", [meta_source]),
                         ["id", "source", "text", "record", "vector"])
        rows.sort(key=lambda r: int(r["id"]))
        ids = [int(r["id"]) for r in rows]
        sentences = query_all(self.client, self.names["sentences"], filter_in("passage", ids),
                              ["id", "vector"]) if ids else []
        sentences.sort(key=lambda r: int(r["id"]))
        dimension = int(self.manifest["dimension"])
        meta_rows = query_all(self.client, self.names["sources"],
                              filter_in("source", [meta_source]), ["source", "record"])
        meta = source_row(meta_rows[0]) if meta_rows else {}
        return _Entry(
            source,
            SourceMeta(meta.get("title"), meta.get("publisher"), meta.get("author"),
                       meta.get("date"), meta.get("url")),
            info["content_hash"], size, mtime_ns,
            [replace(passage_of(r), id=-1, source=source) for r in rows],
            np.asarray([as_vector(r["vector"]) for r in rows],
                       np.float32).reshape(len(rows), dimension),
            np.asarray([as_vector(r["vector"]) for r in sentences],
                       np.float32).reshape(len(sentences), dimension))


def _open_previous(client: Any, collection: str, state: dict[str, Any] | None, model: str,
                   settings: ChunkSettings) -> tuple[MilvusPrevious | None, set[str], str | None]:
    """(what the live revision can lend, its sources, why everything is redone if so)."""
    if state is None:
        return None, set(), None
    names = revision_names(collection, state["revision"])
    try:
        for name in names.values():
            client.load_collection(name)
        rows = query_all(client, names["sources"], "source != ''", ["source", "record"])
    except Exception:  # noqa: BLE001 - any failure to read it means: rebuild everything
        return None, set(), "the previous revision could not be read; rebuilding everything"
    manifest = dict(state["manifest"])
    manifest["sources"] = {r["source"]: {k: r["record"].get(k) for k in
                                         ("content_hash", "size", "mtime_ns", "passages")}
                           for r in rows}
    old_sources = set(manifest["sources"])
    reason = _compatible(manifest, model, settings)
    if reason is not None:
        return None, old_sources, reason
    return MilvusPrevious(manifest, client, names), old_sources, None


def build_milvus(
    sources_dir: Path,
    target: MilvusTarget,
    *,
    model: str | None = None,
    embedder: Embedder | None = None,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    root: Path | None = None,
    progress: Progress | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    index_type: str = DEFAULT_INDEX_TYPE,
) -> BuildReport:
    """Bring the index in Milvus up to date with `sources_dir` (a new revision when anything
    changed). Raises IndexBusy when another process holds a Milvus Lite file."""
    started = time.perf_counter()
    check_target(target)
    if not sources_dir.is_dir():
        raise IndexError_(f"Sources folder not found: {sources_dir}")
    client = connect(target)
    scan_started_ns = time.time_ns()
    collection = target.collection
    state = read_state(client, collection)
    drop_leftovers(client, collection, state)
    model_name = embedder.name if embedder else resolve_model(model)[0]
    report = BuildReport(model=model_name)
    prev, old_sources, report.reembedded_all = _open_previous(client, collection, state,
                                                              model_name, settings)
    entries = _collect(sources_dir, root, prev, old_sources, settings, report, progress,
                       max_file_bytes)
    report.removed = sorted(old_sources - {e.source for e in entries})
    if not entries and state is None:
        raise IndexError_(_nothing_to_index(sources_dir, report))
    to_embed = [e for e in entries if e.vectors is None]
    if to_embed:
        embedder = embedder or load_cached_embedder(model)
        _embed_entries(embedder, to_embed, progress)
        report.embedded = sum(len(e.passages) for e in to_embed)
    # a revision whose BM25 read other terms is rewritten, with its vectors
    if (not report.changed and state is not None
            and bm25_analyzer(state["manifest"]) == BM25_ANALYZER_NAME):
        report.passages = int(state["manifest"]["passages"])
        report.duplicate_passages = int(state["manifest"].get("duplicate_passages", 0))
        report.path = f"{target.describe()}, revision {state['revision']}"
        report.seconds = time.perf_counter() - started
        return report
    # nothing embedded (sources only removed): the live revision's dimension
    dimension = embedder.dimension if embedder else int(state["manifest"]["dimension"]) \
        if state else 0
    encoder = (embedder.describe() if embedder
               else (prev.manifest.get("encoder") if prev else None))
    revision = new_revision()
    manifest = write_revision(client, collection, revision, entries, model_name, dimension,
                              settings, scan_started_ns, encoder, sources_dir, index_type,
                              progress)
    switch_to(client, collection, revision, manifest)
    drop_leftovers(client, collection, {"revision": revision},
                   keep=state["revision"] if state else None)
    report.passages = int(manifest["passages"])
    report.duplicate_passages = int(manifest["duplicate_passages"])
    report.path = f"{target.describe()}, revision {revision}"
    report.seconds = time.perf_counter() - started
    return report


def new_revision() -> str:
    """A revision id that sorts by time (a collection-name-safe word)."""
    return "r" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


def drop_leftovers(client: Any, collection: str, state: dict[str, Any] | None,
                   keep: str | None = None) -> list[str]:
    """Drop every revision but the live one (and `keep`): whatever an interrupted build left,
    and revisions replaced before the last switch."""
    live = {state["revision"]} if state else set()
    dropped = []
    for revision in sorted(revisions_present(client, collection) - live - {keep}):
        for name in revision_names(collection, revision).values():
            if client.has_collection(name):
                client.drop_collection(name)
        dropped.append(revision)
    return dropped


def switch_to(client: Any, collection: str, revision: str, manifest: dict[str, Any]) -> None:
    """Point the collection's state at `revision`: one row upserted, atomic for readers."""
    from pymilvus import DataType

    name = state_name(collection)
    if not client.has_collection(name):
        schema = client.create_schema(auto_id=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("value", DataType.VARCHAR, max_length=MAX_VARCHAR)
        schema.add_field("placeholder", DataType.FLOAT_VECTOR, dim=PLACEHOLDER_DIM)
        client.create_collection(name, schema=schema, index_params=_flat(client, "placeholder"))
    value = json.dumps({"revision": revision, "manifest": manifest}, ensure_ascii=False)
    if len(value.encode()) > MAX_VARCHAR:
        raise IndexError_("The index manifest is too large for the Milvus state row.")
    client.upsert(name, [{"key": STATE_KEY, "value": value,
                          "placeholder": [0.0] * PLACEHOLDER_DIM}])
    client.flush(name)


# ---------------------------------------------------------------- writing a revision


def _flat(client: Any, field: str, index_type: str = "FLAT") -> Any:
    params = client.prepare_index_params()
    params.add_index(field, index_type=index_type, metric_type="IP")
    return params


def _create_revision(client: Any, names: dict[str, str], dimension: int,
                     index_type: str) -> None:
    from pymilvus import DataType, Function, FunctionType

    passages = client.create_schema(auto_id=False)
    passages.add_field("id", DataType.INT64, is_primary=True)
    passages.add_field("source", DataType.VARCHAR, max_length=MAX_VARCHAR)
    passages.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
    passages.add_field("record", DataType.JSON)
    passages.add_field("same_as", DataType.INT64)
    passages.add_field("terms", DataType.VARCHAR, max_length=MAX_VARCHAR)
    passages.add_field("bm25_terms", DataType.VARCHAR, max_length=MAX_VARCHAR,
                       enable_analyzer=True, analyzer_params=BM25_ANALYZER)
    passages.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    passages.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    passages.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                   input_field_names=["bm25_terms"],
                                   output_field_names=["sparse"]))
    params = _flat(client, "vector", index_type)
    # Lucene's weights, as the local index's bm25s uses them (Milvus's own default k1 is 1.2)
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": BM25_K1, "bm25_b": BM25_B})
    client.create_collection(names["passages"], schema=passages, index_params=params)

    # float16: the precision the local index keeps them at, half the bytes to send and hold.
    # `passage` has no scalar index: on Milvus Lite neither an INVERTED index on it nor
    # sentence ids derived from passage ids read 100 passages' sentences faster than the
    # scan (docs/milvus.md, "Scale and cost")
    sentences = client.create_schema(auto_id=False)
    sentences.add_field("id", DataType.INT64, is_primary=True)
    sentences.add_field("passage", DataType.INT64)
    sentences.add_field("vector", DataType.FLOAT16_VECTOR, dim=dimension)
    client.create_collection(names["sentences"], schema=sentences,
                             index_params=_flat(client, "vector"))

    sources = client.create_schema(auto_id=False)
    sources.add_field("source", DataType.VARCHAR, is_primary=True, max_length=MAX_VARCHAR)
    sources.add_field("record", DataType.JSON)
    sources.add_field("placeholder", DataType.FLOAT_VECTOR, dim=PLACEHOLDER_DIM)
    client.create_collection(names["sources"], schema=sources,
                             index_params=_flat(client, "placeholder"))


def _fits(text: str, what: str, source: str) -> str:
    if len(text.encode()) > MAX_VARCHAR:
        raise IndexError_(f"{source}: a passage's {what} is longer than Milvus's "
                          f"{MAX_VARCHAR:,}-byte text field; the index was not changed.")
    return text


def _clip(text: str) -> str:
    """Text cut to fit a text field (for search text only, never for cited text)."""
    data = text.encode()
    return text if len(data) <= MAX_VARCHAR else data[:MAX_VARCHAR].decode(errors="ignore")


def passage_rows(passages: list[tuple[Passage, int, int | None]],
                 meta_of: dict[str, SourceMeta], tokenizer: Any) -> Iterator[dict[str, Any]]:
    """The passages collection's rows but their vectors: what answering needs, and the terms
    of the passage with its title and heading, as the local index has them: in order for
    Milvus's BM25 (`bm25_terms`), and once each for the names check (`terms`)."""
    for p, _, same in passages:
        terms = tokenizer.terms(passage_prefix(meta_of[p.source], p.heading, p.text) + p.text)
        yield {"id": p.id, "source": _fits(p.source, "source name", p.source),
               "text": _fits(p.text, "text", p.source),
               "record": passage_record(p, same), "same_as": -1 if same is None else same,
               "terms": _clip(" ".join(sorted(set(terms)))),
               "bm25_terms": _clip(" ".join(terms))}


PASSAGE_FIELDS = ("id", "source", "text", "record", "same_as", "terms", "bm25_terms")


def passage_batches(passages: list[tuple[Passage, int, int | None]], vectors: np.ndarray,
                    meta_of: dict[str, SourceMeta], tokenizer: Any,
                    size: int = BATCH) -> Iterator[list[Any]]:
    """The passages collection's rows as column batches, in the schema's field order."""
    for start in range(0, len(passages), size):
        rows = list(passage_rows(passages[start:start + size], meta_of, tokenizer))
        yield [[r[f] for r in rows] for f in PASSAGE_FIELDS] + [
            vectors[start:start + len(rows)]]


def sentence_batches(passages: list[tuple[Passage, int, int | None]],
                     entries: list[_Entry], size: int = SENTENCE_BATCH) -> Iterator[list[Any]]:
    """The sentences collection's rows as column batches: row number, passage id, vector at
    float16 (converted an entry at a time, so a large build never holds a float32 copy)."""
    owners = np.fromiter((pid for p, _, _ in passages for pid in [p.id] * len(p.sentences)),
                         dtype=np.int64)
    given = sum(len(e.sentence_vectors) for e in entries if e.sentence_vectors is not None)
    if given != len(owners):
        raise IndexError_(f"{given} sentence vectors for {len(owners)} sentences.")
    row = 0

    def batch(parts: list[np.ndarray]) -> list[Any]:
        count = sum(len(part) for part in parts)
        return [list(range(row, row + count)), owners[row:row + count].tolist(),
                [vector for part in parts for vector in part]]

    parts: list[np.ndarray] = []
    count = 0
    for e in entries:
        if e.sentence_vectors is None:
            continue
        block = e.sentence_vectors.astype(np.float16, copy=False)
        at = 0
        while at < len(block):
            take = min(size - count, len(block) - at)
            parts.append(block[at:at + take])
            count, at = count + take, at + take
            if count == size:
                yield batch(parts)
                row, parts, count = row + count, [], 0
    if count:
        yield batch(parts)


def _insert(client: Any, name: str, batches: Iterator[list[Any]], progress: Progress | None,
            done: int, total: int) -> int:
    """Write column batches (one list or array per field, in schema order): pymilvus checks a
    column of text string by string, where a row costs it a Python step per character."""
    from pymilvus import Collection

    collection = Collection(name, using=client._using)  # the client's own connection
    for columns in batches:
        collection.insert(columns)
        done += len(columns[0])
        if progress:
            progress("writing", done, total)
    return done


def write_revision(client: Any, collection: str, revision: str, entries: list[_Entry],
                   model: str, dimension: int, settings: ChunkSettings, scan_started_ns: int,
                   encoder: dict[str, Any] | None, sources_dir: Path | None,
                   index_type: str = DEFAULT_INDEX_TYPE,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Write a whole revision's collections and flush them; returns its manifest (the state
    row is not touched: the revision is not live until `switch_to`)."""
    from askrel.indexing.lexical import QueryTokenizer, _tokenizer

    names = revision_names(collection, revision)
    _create_revision(client, names, dimension, index_type)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    passages, sentence_count = numbered_passages(entries)
    duplicates = sum(1 for *_, same in passages if same is not None)
    vectors = (np.concatenate([e.vectors for e in entries if e.vectors is not None])
               if entries else np.zeros((0, dimension), np.float32))
    stopwords = sorted(_tokenizer().stopwords or ())
    tokenizer = QueryTokenizer(stopwords)
    meta_of = {e.source: e.meta for e in entries}
    total = len(passages) + sentence_count + len(entries)
    done = _insert(client, names["sources"], iter([[
        [e.source for e in entries],
        [{"title": e.meta.title, "publisher": e.meta.publisher, "author": e.meta.author,
          "date": e.meta.date, "url": e.meta.url, "content_hash": e.content_hash,
          "size": e.size, "mtime_ns": e.mtime_ns, "passages": len(e.passages),
          "indexed_at": now} for e in entries],
        np.zeros((len(entries), PLACEHOLDER_DIM), np.float32)]] if entries else []),
        None, 0, total)
    done = _insert(client, names["passages"],
                   passage_batches(passages, vectors, meta_of, tokenizer), progress, done, total)
    _insert(client, names["sentences"], sentence_batches(passages, entries), progress, done,
            total)
    for name in names.values():
        client.flush(name)
    return {
        "format_version": FORMAT_VERSION,
        "backend": "milvus",
        "model": model,
        "dimension": dimension,
        "chunking": _chunking(settings),
        "encoder": encoder or {"backend": "torch", "precision": "fp32"},
        "vector_index": {"type": index_type, "metric": "inner_product",
                         "size": len(passages)},
        "bm25": {"engine": "milvus", "analyzer": BM25_ANALYZER_NAME,
                 "text": "title+section+passage"},
        "passages": len(passages),
        "duplicate_passages": duplicates,
        "sentences": int(sentence_count),
        "built_at": now,
        "scan_started_ns": scan_started_ns,
        "sources_dir": str(sources_dir.resolve()) if sources_dir else None,
        "stopwords": stopwords,
    }
