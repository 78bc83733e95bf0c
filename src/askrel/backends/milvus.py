"""The Milvus backend: an index kept in Milvus collections, so any machine that can reach the
Milvus URI answers with no local file.

A target is a URI and a collection name. A file path (`askrel.db`) opens Milvus Lite, the
embedded engine (one process at a time may hold its file); `http(s)://host:19530` a Milvus
server or cluster (with a token when it asks for one). Each build writes a whole revision:

    <name>_state                 one row, "current": the live revision and its manifest
    <name>_<revision>_passages   id, source, text, record (offsets, sentences, heading...),
                                 vector, bm25_terms -> sparse (Milvus's BM25 function), terms
    <name>_<revision>_sentences  id (sentence row), passage, vector (float16)
    <name>_<revision>_sources    source, record (metadata, content hash, size, time, count)

A build writes its revision's collections completely, then points "current" at it (one
upsert): a build interrupted at any moment leaves the previous revision answering, and the
next build drops what it left. The revision it replaces stays until the next build starts, so
a replica that loaded it just before the switch can finish its questions.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from askrel.backends.base import LexicalRun
from askrel.indexing.build import IndexBusy, IndexError_, IndexMissing, IndexOutdated, is_outdated
from askrel.records import Continuation, Passage, SourceMeta

DEFAULT_COLLECTION = "askrel"
# What Milvus's BM25 reads: askrel's own terms, split on whitespace (milvus_build.BM25_ANALYZER)
BM25_ANALYZER_NAME = "askrel-terms"
STATE_KEY = "current"
PLACEHOLDER_DIM = 2  # Milvus wants a vector field in every collection; these hold zeros
MAX_VARCHAR = 65_535
BATCH = 1000  # passage rows per insert (well under gRPC's message limit at 384 dimensions)
SENTENCE_BATCH = 5000  # sentence rows per insert (id, passage, 768 bytes of float16 each)
PAGE = 4096  # rows per page when reading many rows back
MAX_TOPK = 16_384  # Milvus's limit on a search's limit
MAX_RANGES = 16  # above this many runs of ids a filter lists them (Lite fails on ~50 ORs)
CACHED_PASSAGES = 4096  # passages whose vectors a backend keeps (a few questions' candidates)
EXTRA = "milvus"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


class MilvusUnavailable(IndexError_):
    """pymilvus (or milvus-lite) is not installed, or the Milvus URI cannot be reached."""


@dataclass(frozen=True)
class MilvusTarget:
    """Where an index lives in Milvus: a URI (a Lite file or a server) and a collection name."""

    uri: str
    collection: str = DEFAULT_COLLECTION
    token: str | None = None

    @property
    def is_lite(self) -> bool:
        return not self.uri.startswith(("http://", "https://", "tcp://", "grpc://"))

    def describe(self) -> str:
        return f"Milvus collection '{self.collection}' at {self.uri}"


def check_target(target: MilvusTarget) -> MilvusTarget:
    """The target, or a ValueError saying what is wrong with it."""
    if not _NAME.match(target.collection):
        raise ValueError(
            f"Collection name '{target.collection}' is not usable in Milvus: use letters, digits "
            "and underscores, starting with a letter (at most 100 characters).")
    if target.is_lite and not target.uri.endswith(".db"):
        raise ValueError(f"A Milvus Lite file name must end in .db (got '{target.uri}'); a "
                         "server is given as http://host:19530.")
    return target


# ---------------------------------------------------------------- connection


_CLIENTS: dict[tuple[str, str | None], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def connect(target: MilvusTarget) -> Any:
    """A MilvusClient for the target, shared within this process (a Lite file can only be
    opened once). Raises IndexBusy when another process holds the Lite file."""
    key = (_uri_key(target), target.token)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS[key] = _open_client(target)
        return client


def release(target: MilvusTarget) -> None:
    """Close this process's client of the target; for Milvus Lite, stop its engine and free
    the file for other processes."""
    key = (_uri_key(target), target.token)
    with _CLIENTS_LOCK:
        client = _CLIENTS.pop(key, None)
    if client is None:
        return
    client.close()
    if target.is_lite:
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(_uri_key(target))


def _uri_key(target: MilvusTarget) -> str:
    return str(Path(target.uri).resolve()) if target.is_lite else target.uri


def _open_client(target: MilvusTarget) -> Any:
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise MilvusUnavailable(
            "The Milvus backend needs pymilvus and milvus-lite: pip install 'askrel[milvus]'"
        ) from exc
    # pymilvus logs every unsupported call and iterator detail at WARNING/ERROR; askrel reports
    # what matters itself.
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    if target.is_lite:
        path = Path(target.uri)
        if not path.parent.is_dir():
            raise IndexError_(f"The folder of the Milvus Lite file does not exist: {path.parent}")
        if lite_file_locked(path):
            raise IndexBusy(lite_busy_message(path))
    try:
        return MilvusClient(_uri_key(target), token=target.token or "")
    except Exception as exc:  # pymilvus raises its own hierarchy; say where and why
        if target.is_lite and lite_file_locked(Path(target.uri)):
            raise IndexBusy(lite_busy_message(Path(target.uri))) from exc
        raise MilvusUnavailable(f"Could not open Milvus at {target.uri}: {exc}") from exc


def lite_file_locked(path: Path) -> bool:
    """True when another process holds the Milvus Lite file (milvus-lite's lock beside it)."""
    lock = path.resolve().parent / f".{path.name}.lock"
    if not lock.exists():
        return False
    with open(lock, "a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
    return False


def lite_busy_message(path: Path) -> str:
    return (f"The Milvus Lite file {path} is open in another process (for example a running "
            "`askrel serve`); Milvus Lite lets one process use a file at a time. Stop that "
            "process first, rebuild from its web UI, or use a Milvus server for several "
            "processes.")


# ---------------------------------------------------------------- names and state


def state_name(collection: str) -> str:
    return f"{collection}_state"


def revision_names(collection: str, revision: str) -> dict[str, str]:
    return {part: f"{collection}_{revision}_{part}"
            for part in ("passages", "sentences", "sources")}


def revisions_present(client: Any, collection: str) -> set[str]:
    """The revisions with at least one collection in Milvus (whole or not)."""
    pattern = re.compile(rf"^{re.escape(collection)}_(r\d+[a-z0-9]*)_(passages|sentences|sources)$")
    return {m.group(1) for name in client.list_collections() if (m := pattern.match(name))}


def read_state(client: Any, collection: str) -> dict[str, Any] | None:
    """The live revision and its manifest, or None when nothing was built yet."""
    name = state_name(collection)
    if not client.has_collection(name):
        return None
    client.load_collection(name)
    rows = client.query(name, filter=f'key == "{STATE_KEY}"', output_fields=["value"])
    return json.loads(rows[0]["value"]) if rows else None


def filter_in(field: str, values: Sequence[Any]) -> str:
    """A Milvus filter `field in [...]` (strings quoted as JSON, which Milvus accepts)."""
    return f"{field} in {json.dumps(list(values), ensure_ascii=False)}"


def id_filter(ids: Sequence[int]) -> str:
    """A filter for these passage ids: ranges when they come in few runs (a source's passages
    are consecutive), else the list."""
    ordered = sorted({int(i) for i in ids})
    if not ordered:
        return "id < 0"
    runs: list[list[int]] = []
    for i in ordered:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    if len(runs) > MAX_RANGES:
        return filter_in("id", ordered)
    return " or ".join(f"(id >= {a} and id <= {b})" if a != b else f"id == {a}"
                       for a, b in runs)


def query_all(client: Any, collection: str, condition: str,
              fields: list[str]) -> list[dict[str, Any]]:
    """Every row matching `condition` (a query alone stops at Milvus's result window)."""
    iterator = client.query_iterator(collection, batch_size=PAGE, filter=condition,
                                     output_fields=fields)
    rows: list[dict[str, Any]] = []
    try:
        while batch := iterator.next():
            rows.extend(batch)
    finally:
        iterator.close()
    return rows


def query_many(client: Any, collection: str, condition: str,
               fields: list[str]) -> list[dict[str, Any]]:
    """Every row matching `condition`: one query when they fit in Milvus's result window
    (an iterator costs several round trips), else all of them through an iterator."""
    rows = list(client.query(collection, filter=condition, output_fields=fields,
                             limit=MAX_TOPK))
    return rows if len(rows) < MAX_TOPK else query_all(client, collection, condition, fields)


# ---------------------------------------------------------------- records


def passage_record(passage: Passage, same_as: int | None) -> dict[str, Any]:
    """Everything of a passage but its text and source, as JSON for the `record` field."""
    continued = passage.continued
    return {"page": passage.page, "char_start": passage.char_start,
            "char_end": passage.char_end, "sentences": [list(s) for s in passage.sentences],
            "heading": passage.heading, "page_label": passage.page_label,
            "continued": None if continued is None else [
                continued.page, continued.char_start, continued.char_end, continued.page_label],
            "same_as": same_as}


def passage_of(row: dict[str, Any]) -> Passage:
    record = row["record"]
    continued = record.get("continued")
    return Passage(int(row["id"]), row["source"], record["page"], int(record["char_start"]),
                   int(record["char_end"]), row["text"],
                   tuple((int(a), int(b)) for a, b in record["sentences"]),
                   record.get("heading"), record.get("page_label"),
                   Continuation(*continued) if continued else None)


def source_row(row: dict[str, Any]) -> dict[str, Any]:
    """A sources-collection row as the rows PassageStore.sources() gives."""
    record = row["record"]
    keys = ("title", "publisher", "author", "date", "url", "content_hash", "passages",
            "indexed_at")
    return {"source": row["source"], **{k: record.get(k) for k in keys}}


def as_vector(value: Any) -> np.ndarray:
    """A stored vector as float32: a FLOAT16_VECTOR comes back as bytes (in a one-item list),
    a FLOAT_VECTOR as a list of floats (sentence vectors of indexes built before float16)."""
    if isinstance(value, list) and value and isinstance(value[0], bytes):
        value = value[0]
    if isinstance(value, bytes):
        return np.frombuffer(value, dtype=np.float16).astype(np.float32)
    return np.asarray(value, dtype=np.float32)


# ---------------------------------------------------------------- answering


class VectorCache:
    """What a backend has read of its revision's passages, by id: the passage vector, the
    sentence vectors, the `same_as` link. A revision never changes, so a question's later
    steps (marking sentences, dropping repeats) reuse what its first stage read instead of
    asking Milvus again. Bounded: the least recently used passages go first."""

    def __init__(self, capacity: int = CACHED_PASSAGES) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._parts: dict[str, OrderedDict[int, Any]] = {
            part: OrderedDict() for part in ("vector", "sentences", "same_as")}

    def get(self, part: str, ids: Iterable[int]) -> dict[int, Any]:
        """The cached values of `part` for those of `ids` that are cached."""
        store = self._parts[part]
        found = {}
        with self._lock:
            for pid in ids:
                if pid in store:
                    store.move_to_end(pid)
                    found[pid] = store[pid]
        return found

    def put(self, part: str, values: dict[int, Any]) -> None:
        store = self._parts[part]
        with self._lock:
            store.update(values)
            for pid in values:
                store.move_to_end(pid)
            while len(store) > self._capacity:
                store.popitem(last=False)



class MilvusLexical:
    """One question's Milvus BM25 results: the top passages, and any other passage's score on
    demand (fusion needs the BM25 score of every candidate, not only of the BM25 top-k)."""

    def __init__(self, backend: MilvusBackend, text: str, allowed: str | None) -> None:
        self._backend = backend
        self._text = text
        self._allowed = allowed
        self._scores: dict[int, float] = {}
        self._order: list[int] = []  # the searched passages, best first
        self._searched = 0  # the largest limit searched so far

    def _search(self, k: int) -> list[int]:
        if k > self._searched:
            found = self._backend.bm25_search(self._text, min(k, MAX_TOPK), self._allowed)
            self._scores.update(found)
            self._order = sorted(found, key=lambda i: -found[i])
            self._searched = k
        return self._order[:k]

    def found(self) -> bool:
        return bool(self._search(1))

    def top(self, k: int) -> list[int]:
        return self._search(k)

    def scores_of(self, ids: np.ndarray) -> np.ndarray:
        missing = [int(i) for i in ids if int(i) not in self._scores]
        if missing and self._searched < self._backend.size:
            condition = id_filter(missing)
            if self._allowed is not None:
                condition = f"({self._allowed}) and ({condition})"
            found = self._backend.bm25_search(self._text, len(missing), condition)
            self._scores.update({i: found.get(i, 0.0) for i in missing})
        return np.array([self._scores.get(int(i), 0.0) for i in ids], dtype=np.float32)


def bm25_analyzer(manifest: dict[str, Any]) -> str | None:
    """The analyzer a revision's BM25 was built with (older revisions used "english")."""
    return (manifest.get("bm25") or {}).get("analyzer")


def higher_is_better(scores: list[float]) -> list[float]:
    """Scores that grow with relevance, from a best-first list whatever the engine's sign."""
    if len(scores) >= 2 and scores[0] < scores[-1]:
        return [-s for s in scores]
    return scores


class MilvusBackend:
    """One revision of an index in Milvus, opened for answering."""

    def __init__(self, target: MilvusTarget) -> None:
        self.target = check_target(target)
        self.client = connect(target)
        state = read_state(self.client, target.collection)
        if state is None:
            raise IndexMissing(
                f"No index in {target.describe()}. Build one with: askrel index --milvus "
                f"{target.uri}" + ("" if target.collection == DEFAULT_COLLECTION
                                   else f" --collection {target.collection}"))
        self.revision: str = state["revision"]
        self.manifest: dict[str, Any] = state["manifest"]
        if is_outdated(self.manifest) or bm25_analyzer(self.manifest) != BM25_ANALYZER_NAME:
            raise IndexOutdated(
                f"The index in {target.describe()} was built by an older version of askrel. "
                f"Rebuild it with: askrel index --milvus {target.uri}")
        self.names = revision_names(target.collection, self.revision)
        for name in self.names.values():
            self.client.load_collection(name)
        self._source_rows = [source_row(r) for r in query_all(
            self.client, self.names["sources"], "source != ''", ["source", "record"])]
        self._source_rows.sort(key=lambda r: r["source"])
        self.manifest["sources"] = {r["source"]: {"content_hash": r["content_hash"],
                                                  "passages": r["passages"]}
                                    for r in self._source_rows}
        self._vocabulary: frozenset[str] | None = None
        self._tokenizer: Any = None
        self._cache = VectorCache()

    @property
    def size(self) -> int:
        return int(self.manifest["passages"])

    @property
    def location(self) -> str:
        return self.target.describe()

    @property
    def local_dir(self) -> Path | None:
        return None

    def is_current(self) -> bool:
        state = read_state(self.client, self.target.collection)
        return state is not None and state["revision"] == self.revision

    # ------------------------------------------------------------ candidates

    def _allowed_filter(self, allowed: np.ndarray | None) -> str | None:
        return None if allowed is None else id_filter(allowed.tolist())

    def dense_top(self, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> list[int]:
        condition = self._allowed_filter(allowed)
        found = self.client.search(
            self.names["passages"], data=[np.asarray(vector, np.float32).tolist()],
            anns_field="vector", limit=min(k, MAX_TOPK), filter=condition or "",
            search_params={"metric_type": "IP"}, output_fields=["vector", "same_as"])
        hits = list(found[0])
        # the hits' vectors come with them: the ranking reads them next
        self._cache.put("vector", {int(h["id"]): as_vector(h["entity"]["vector"])
                                   for h in hits})
        self._cache.put("same_as", {int(h["id"]): int(h["entity"]["same_as"]) for h in hits})
        return [int(hit["id"]) for hit in hits]

    def lexical(self, text: str, allowed: np.ndarray | None) -> LexicalRun:
        return MilvusLexical(self, text, self._allowed_filter(allowed))

    def bm25_search(self, text: str, k: int, condition: str | None) -> dict[int, float]:
        """Milvus's BM25 scores of the best k passages for `text` (among `condition`), which
        it reads as askrel's terms of `text`, as it read the passages'."""
        terms = self.terms(text)
        if k <= 0 or not terms:
            return {}
        found = self.client.search(
            self.names["passages"], data=[" ".join(terms)], anns_field="sparse",
            limit=min(k, MAX_TOPK), filter=condition or "",
            search_params={"metric_type": "BM25"}, output_fields=[])
        hits = list(found[0])
        scores = higher_is_better([float(h["distance"]) for h in hits])
        return {int(h["id"]): s for h, s in zip(hits, scores, strict=True)}

    # ------------------------------------------------------------ records

    def _rows(self, collection: str, condition: str, fields: list[str]) -> list[dict[str, Any]]:
        return list(self.client.query(collection, filter=condition, output_fields=fields))

    def passage_vectors(self, ids: np.ndarray) -> np.ndarray:
        wanted = [int(i) for i in ids]
        vectors = self._cache.get("vector", wanted)
        missing = sorted(set(wanted) - set(vectors))
        if missing:
            rows = self._rows(self.names["passages"], id_filter(missing),
                              ["id", "vector", "same_as"])
            read = {int(r["id"]): as_vector(r["vector"]) for r in rows}
            self._cache.put("vector", read)
            self._cache.put("same_as", {int(r["id"]): int(r["same_as"]) for r in rows})
            vectors.update(read)
        dimension = int(self.manifest["dimension"])
        out = np.zeros((len(wanted), dimension), dtype=np.float32)
        for n, pid in enumerate(wanted):
            if pid in vectors:
                out[n] = vectors[pid]
        return out

    def sentence_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        wanted = sorted({int(i) for i in ids})
        found: dict[int, np.ndarray] = self._cache.get("sentences", wanted)
        missing = [pid for pid in wanted if pid not in found]
        if missing:
            rows = query_many(self.client, self.names["sentences"],
                              filter_in("passage", missing), ["id", "passage", "vector"])
            rows.sort(key=lambda r: int(r["id"]))
            grouped: dict[int, list[np.ndarray]] = {pid: [] for pid in missing}
            for r in rows:
                grouped[int(r["passage"])].append(as_vector(r["vector"]))
            dimension = int(self.manifest["dimension"])
            read = {pid: (np.stack(v) if v else np.zeros((0, dimension), np.float32))
                    for pid, v in grouped.items()}
            self._cache.put("sentences", read)
            found.update(read)
        return {pid: found[pid] for pid in wanted}

    def passages(self, ids: Sequence[int]) -> dict[int, Passage]:
        wanted = [int(i) for i in ids]
        if not wanted:
            return {}
        rows = self._rows(self.names["passages"], id_filter(wanted),
                          ["id", "source", "text", "record"])
        return {int(r["id"]): passage_of(r) for r in rows}

    def same_as(self, ids: Sequence[int]) -> dict[int, int]:
        wanted = [int(i) for i in ids]
        links = self._cache.get("same_as", wanted)
        missing = sorted(set(wanted) - set(links))
        if missing:
            rows = self._rows(self.names["passages"], id_filter(missing), ["id", "same_as"])
            read = {int(r["id"]): int(r["same_as"]) for r in rows}
            self._cache.put("same_as", read)
            links.update(read)
        return {pid: link for pid, link in links.items() if link >= 0}

    def ids_of_sources(self, sources: Sequence[str]) -> list[int]:
        rows = query_many(self.client, self.names["passages"],
                          filter_in("source", list(sources)), ["id"])
        return sorted(int(r["id"]) for r in rows)

    def sources(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._source_rows]

    def passages_of(self, source: str) -> Iterator[Passage]:
        rows = query_many(self.client, self.names["passages"], filter_in("source", [source]),
                          ["id", "source", "text", "record"])
        return iter(sorted((passage_of(r) for r in rows), key=lambda p: p.id))

    def meta(self, source: str) -> SourceMeta:
        for r in self._source_rows:
            if r["source"] == source:
                return SourceMeta(r["title"], r["publisher"], r["author"], r["date"], r["url"])
        return SourceMeta()

    # ------------------------------------------------------------ the names check

    def terms(self, text: str) -> list[str]:
        if self._tokenizer is None:
            from askrel.indexing.lexical import QueryTokenizer

            self._tokenizer = QueryTokenizer(list(self.manifest["stopwords"]))
        return list(self._tokenizer.terms(text))

    def vocabulary(self, sources: Sequence[str] | None) -> frozenset[str]:
        """The terms of the passages, as askrel's own tokenizer gives them (stored per passage
        at build time: Milvus does not hand back its analyzer's vocabulary)."""
        if sources is None and self._vocabulary is not None:
            return self._vocabulary
        condition = "id >= 0" if sources is None else filter_in("source", list(sources))
        rows = query_many(self.client, self.names["passages"], condition, ["terms"])
        vocabulary = frozenset(t for r in rows for t in r["terms"].split())
        if sources is None:
            self._vocabulary = vocabulary
        return vocabulary
