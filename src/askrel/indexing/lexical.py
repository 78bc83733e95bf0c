"""Lexical search: BM25 over stemmed tokens with English stopwords removed.

bm25s builds and saves the index (its saved files are plain `.npy` and JSON). Queries read
those files directly: the BM25 weights are precomputed per (term, passage) in a CSC matrix, so
a query's score is the sum of its terms' columns. The matrix is memory-mapped, which keeps a
large index out of memory, and answering does not import bm25s (nor numba or scipy with it).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from askrel.indexing.vectors import load_npy

BM25_DIR = "bm25"
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # bm25s's default splitter, so build and query agree
# Methods whose saved weights are complete (BM25L and BM25+ add a non-occurrence term).
PLAIN_METHODS = ("lucene", "robertson", "atire")


def plain_forms(text: str) -> str:
    """Compatibility characters as their plain forms (NFKC), as the embedder reads them: a
    PDF's ligature "ﬁ" matches "fi"."""
    return unicodedata.normalize("NFKC", text)


def _tokenizer() -> Any:
    import Stemmer
    from bm25s.tokenization import Tokenizer

    return Tokenizer(stemmer=Stemmer.Stemmer("english"), stopwords="en", lower=True,
                     splitter=TOKEN_PATTERN)


class QueryTokenizer:
    """Lowercase, split, drop stopwords, stem: what bm25s's Tokenizer does to a query."""

    def __init__(self, stopwords: list[str]) -> None:
        import Stemmer

        self._split = re.compile(TOKEN_PATTERN).findall
        self._stopwords = frozenset(stopwords)
        self._stem = Stemmer.Stemmer("english").stemWord

    def terms(self, text: str) -> list[str]:
        words = self._split(plain_forms(text).lower())
        return [self._stem(w) for w in words if w not in self._stopwords]


class LexicalIndex:
    """BM25 scores for every passage; ids are row numbers."""

    _built: tuple[Any, Any] | None = None  # (bm25s retriever, tokenizer) until saved

    def __init__(self, vocab: dict[str, int], data: np.ndarray, indices: np.ndarray,
                 indptr: np.ndarray, tokenizer: QueryTokenizer, size: int) -> None:
        self._vocab = vocab
        self._data = data
        self._indices = indices
        self._indptr = indptr
        self._tokenizer = tokenizer
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        """Index texts with bm25s (weights as in Lucene's BM25, k1=1.5, b=0.75)."""
        import bm25s

        tokenizer = _tokenizer()
        tokens = tokenizer.tokenize([plain_forms(t) for t in texts], update_vocab=True,
                                    return_as="tuple", show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        index = cls(dict(retriever.vocab_dict), retriever.scores["data"],
                    retriever.scores["indices"], retriever.scores["indptr"],
                    QueryTokenizer(list(tokenizer.stopwords or ())), len(texts))
        index._built = (retriever, tokenizer)
        return index

    def query_terms(self, query: str) -> list[str]:
        """The query's stemmed terms that the corpus vocabulary knows."""
        return [t for t in self.terms(query) if t in self._vocab]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no term is known).

        A term repeated in the query counts each time, as in bm25s.
        """
        out = np.zeros(self.size, dtype=np.float32)
        for term in self.query_terms(query):
            column = self._vocab[term]
            start, end = int(self._indptr[column]), int(self._indptr[column + 1])
            out[self._indices[start:end]] += self._data[start:end]
        return out

    def terms(self, text: str) -> list[str]:
        """Stemmed, stopword-free terms of any text, whether the corpus knows them or not."""
        return self._tokenizer.terms(text)

    @property
    def vocabulary(self) -> Collection[str]:
        """Every term of the indexed passages."""
        return self._vocab.keys()

    def vocabulary_of(self, ids: np.ndarray) -> frozenset[str]:
        """The terms that occur in the given passages."""
        chosen = np.zeros(self.size, dtype=bool)
        chosen[ids] = True
        running = np.concatenate(([0], np.cumsum(chosen[self._indices], dtype=np.int64)))
        indptr = np.asarray(self._indptr)
        columns = np.flatnonzero(running[indptr[1:]] > running[indptr[:-1]])
        term_of = {column: term for term, column in self._vocab.items()}
        return frozenset(term_of[int(c)] for c in columns)

    def save(self, directory: Path) -> None:
        built = self._built
        if built is None:
            raise RuntimeError("Only a freshly built lexical index can be saved.")
        retriever, tokenizer = built
        target = directory / BM25_DIR
        retriever.save(str(target))
        tokenizer.save_vocab(str(target))
        tokenizer.save_stopwords(str(target))

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        """Open a saved index for querying; the weight matrix is memory-mapped."""
        target = directory / BM25_DIR
        params = json.loads((target / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method", "lucene") not in PLAIN_METHODS:
            raise RuntimeError(f"Unsupported BM25 variant in {target}: {params.get('method')}")
        vocab = json.loads((target / "vocab.index.json").read_text(encoding="utf-8"))
        stopwords = json.loads((target / "stopwords.tokenizer.json").read_text(encoding="utf-8"))
        arrays = {name: load_npy(target / f"{name}.csc.index.npy", mmap_mode="r")
                  for name in ("data", "indices", "indptr")}
        return cls(vocab, arrays["data"], arrays["indices"], arrays["indptr"],
                   QueryTokenizer(stopwords), size)
