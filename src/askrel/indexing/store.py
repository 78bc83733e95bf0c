"""The passage store (SQLite, read on demand) and the index manifest (JSON)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from askrel.records import Continuation, Passage, SourceMeta

# 2: passages.same_as marks repeats; 3: passages.heading is their section; 4: page_label;
# 5: passages continued over a page break
FORMAT_VERSION = 5
MANIFEST_FILE = "manifest.json"
STORE_FILE = "passages.sqlite"

_SCHEMA = """
CREATE TABLE passages (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, page INTEGER,
    char_start INTEGER NOT NULL, char_end INTEGER NOT NULL, text TEXT NOT NULL,
    sentences TEXT NOT NULL, heading TEXT, first_sentence INTEGER NOT NULL,
    same_as INTEGER, page_label TEXT,
    next_page INTEGER, next_start INTEGER, next_end INTEGER, next_label TEXT
);
CREATE INDEX passages_source ON passages(source);
CREATE TABLE sources (
    source TEXT PRIMARY KEY, title TEXT, publisher TEXT, author TEXT, date TEXT, url TEXT,
    content_hash TEXT NOT NULL, passages INTEGER NOT NULL, indexed_at TEXT NOT NULL
);
"""


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False),
                                           encoding="utf-8")


def read_manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))


def passage_key(text: str) -> str:
    """What makes two passages the same for de-duplication: words, ignoring spacing and case."""
    return " ".join(text.split()).casefold()


def _continuation_row(continued: Continuation | None) -> tuple:
    if continued is None:
        return (None, None, None, None)
    return (continued.page, continued.char_start, continued.char_end, continued.page_label)


_PASSAGE_COLUMNS = ("id, source, page, char_start, char_end, text, sentences, heading, "
                    "first_sentence, page_label, next_page, next_start, next_end, next_label")


class PassageStore:
    """Passages and source metadata by id, from a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    @staticmethod
    def create(path: Path, passages: Iterable[tuple[Passage, int, int | None]],
               sources: Iterable[tuple[str, SourceMeta, str, int, str]]) -> None:
        """Write a new store: (passage, first sentence row, id of the earlier passage with
        the same text or None) triples, and source rows."""
        db = sqlite3.connect(path)
        try:
            db.executescript(_SCHEMA)
            db.executemany(
                "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                ((p.id, p.source, p.page, p.char_start, p.char_end, p.text,
                  json.dumps(p.sentences), p.heading, first, same, p.page_label,
                  *_continuation_row(p.continued))
                 for p, first, same in passages),
            )
            db.executemany(
                "INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?)",
                ((src, m.title, m.publisher, m.author, m.date, m.url, h, n, when)
                 for src, m, h, n, when in sources),
            )
            db.commit()
        finally:
            db.close()

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    @staticmethod
    def _passage(row: tuple) -> tuple[Passage, int]:
        pid, source, page, start, end, text, sentences, heading, first, label, *after = row
        spans = tuple((int(a), int(b)) for a, b in json.loads(sentences))
        continued = Continuation(*after) if after[0] is not None else None
        return (Passage(pid, source, page, start, end, text, spans, heading, label, continued),
                int(first))

    def _by_ids(self, columns: str, ids: Iterable[int], condition: str = "") -> list[tuple]:
        """Rows of the given passage ids (any order); `condition` narrows them further."""
        ids = [int(i) for i in ids]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._db.execute(
            f"SELECT {columns} FROM passages WHERE id IN ({marks}){condition}", ids).fetchall()

    def get(self, ids: Iterable[int]) -> dict[int, tuple[Passage, int]]:
        """Passages (with their first sentence row) by id."""
        return {row[0]: self._passage(row) for row in self._by_ids(_PASSAGE_COLUMNS, ids)}

    def sentence_rows(self, ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """(first sentence row, sentence count) of each passage id."""
        rows = self._by_ids("id, first_sentence, json_array_length(sentences)", ids)
        return {pid: (first, count) for pid, first, count in rows}

    def passages_of(self, source: str) -> Iterator[tuple[Passage, int]]:
        rows = self._db.execute(
            f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE source = ? ORDER BY id", (source,))
        for row in rows:
            yield self._passage(row)

    def same_as(self, ids: Iterable[int]) -> dict[int, int]:
        """For each given passage repeated from an earlier one: id -> the earlier one's id.

        Passages whose text (ignoring spacing and case) appears earlier in the index point at
        its first occurrence; showing only one per group keeps answers free of repeats.
        """
        rows = self._by_ids("id, same_as", ids, " AND same_as IS NOT NULL")
        return {int(pid): int(first) for pid, first in rows}

    def ids_of_sources(self, sources: Iterable[str]) -> list[int]:
        sources = list(sources)
        marks = ",".join("?" * len(sources))
        rows = self._db.execute(f"SELECT id FROM passages WHERE source IN ({marks})", sources)
        return [r[0] for r in rows]

    def sources(self) -> list[dict[str, Any]]:
        cur = self._db.execute("SELECT * FROM sources ORDER BY source")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def meta(self, source: str) -> SourceMeta:
        row = self._db.execute(
            "SELECT title, publisher, author, date, url FROM sources WHERE source = ?", (source,)
        ).fetchone()
        return SourceMeta(*row) if row else SourceMeta()
