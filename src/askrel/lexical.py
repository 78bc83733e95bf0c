"""Lexical search: BM25 (bm25s) over stemmed tokens with English stopwords removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

BM25_DIR = "bm25"


def _tokenizer() -> Any:
    import Stemmer
    from bm25s.tokenization import Tokenizer

    return Tokenizer(stemmer=Stemmer.Stemmer("english"), stopwords="en", lower=True)


class LexicalIndex:
    """BM25 scores for every passage; ids are row numbers."""

    def __init__(self, retriever: Any, tokenizer: Any, size: int) -> None:
        self._retriever = retriever
        self._tokenizer = tokenizer
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        tokenizer = _tokenizer()
        tokens = tokenizer.tokenize(texts, update_vocab=True, return_as="tuple",
                                    show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, tokenizer, len(texts))

    def query_terms(self, query: str) -> list[str]:
        """The query's stemmed terms that the corpus vocabulary knows."""
        tokens = self._tokenizer.tokenize([query], update_vocab=False, return_as="string",
                                          show_progress=False)[0]
        vocab = self._retriever.vocab_dict
        return [t for t in tokens if t and t in vocab]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no term is known)."""
        terms = self.query_terms(query)
        if not terms or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(terms), dtype=np.float32)

    def stem_terms(self, text: str) -> set[str]:
        """Stemmed, stopword-free terms of any text (for highlighting)."""
        return set(self._tokenizer.tokenize([text], update_vocab=False, return_as="string",
                                            show_progress=False)[0])

    def save(self, directory: Path) -> None:
        target = directory / BM25_DIR
        self._retriever.save(str(target))
        self._tokenizer.save_vocab(str(target))
        self._tokenizer.save_stopwords(str(target))

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        import bm25s

        target = directory / BM25_DIR
        retriever = bm25s.BM25.load(str(target), mmap=True)
        tokenizer = _tokenizer()
        tokenizer.load_vocab(str(target))
        tokenizer.load_stopwords(str(target))
        return cls(retriever, tokenizer, size)
