"""Answering a question: a short orchestration of the stages.

clean the question (queries.py) → embed it, in context in a follow-up (queries.py) →
gather, score and fuse candidates (retrieval.py) → rerank them with the cross-encoder
(rerank.py) → results with highlights and citations (results.py) → "no answer"
(abstention.py, names.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import askrel
from askrel.answering import names
from askrel.answering.abstention import (
    CALIBRATION_FILE,
    declines,
    gather,
    load_calibration,
    surely_answered,
)
from askrel.answering.queries import (
    Query,
    QuestionError,
    build_queries,
    clean_question,
    marking_query,
)
from askrel.answering.rerank import CrossEncoder, Reranker, rerank_candidates
from askrel.answering.results import build_hits
from askrel.answering.retrieval import (
    Candidates,
    allowed_ids,
    conversation_focus,
    retrieve,
)
from askrel.answering.settings import RankSettings
from askrel.backends.base import Backend
from askrel.embedding.base import Embedder
from askrel.embedding.loading import load_cached_embedder, load_query_embedder
from askrel.embedding.models import resolve_model
from askrel.indexing.build import ModelMismatch
from askrel.records import Answer, Hit, Passage

# QuestionError, clean_question and RankSettings are imported from here by the edges
__all__ = ["MODES", "LiveSearcher", "QuestionError", "RankSettings", "Searcher",
           "clean_question"]

MODES = ("hybrid", "dense", "bm25")
MAX_TOP_K = 50
MAX_HISTORY = 2
KNOWN_TERMS_CACHE = 8  # vocabularies of source selections kept for the names check
PHRASE_LOOKUP = 20  # passages BM25 ranks first for a phrase, read to find it in a row


class Searcher:
    """A loaded index that answers questions. Safe to share between threads.

    The index is an index folder (`index_dir`) or any `backend` (e.g. a Milvus collection).
    """

    def __init__(self, index_dir: Path | None = None, *, backend: Backend | None = None,
                 model: str | None = None, embedder: Embedder | None = None,
                 reranker: Reranker | None = None,
                 settings: RankSettings = RankSettings()) -> None:
        if backend is None:
            if index_dir is None:
                raise ValueError("A Searcher needs an index folder or a backend.")
            from askrel.backends.local import LocalBackend

            backend = LocalBackend(index_dir)
        self.backend = backend
        self.index_dir = backend.local_dir
        self.settings = settings
        self.manifest = backend.manifest
        recorded = self.manifest["model"]
        wanted = embedder.name if embedder else (resolve_model(model)[0] if model else recorded)
        if wanted != recorded:
            raise ModelMismatch(
                f"The index in {backend.location} was built with model '{recorded}', not "
                f"'{wanted}'. Ask without --model to use '{recorded}', or rebuild: "
                f"askrel index --model {wanted}")
        self.model = recorded
        self.calibration = load_calibration(
            backend.local_dir, recorded, Path(askrel.__file__).with_name(CALIBRATION_FILE))
        self._embedder = embedder
        self._reranker = reranker
        self._lock = threading.Lock()
        self._known_cache: dict[tuple[str, ...] | None, frozenset[str]] = {}

    @property
    def size(self) -> int:
        return int(self.manifest["passages"])

    @property
    def store(self) -> Backend:
        """The stored records (`sources()`, `passages_of()`, `meta()`) of the backend."""
        return self.backend

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                local = self.backend.local_dir
                self._embedder = (
                    load_query_embedder(self.model, local, self.manifest.get("encoder"))
                    if local is not None else load_cached_embedder(self.model, threads=1))
            return self._embedder

    @property
    def reranker(self) -> Reranker:
        with self._lock:
            if self._reranker is None:
                # both cores for one question: with the UI's two searches at once this
                # still served more answers per second than one worker each (7.1 against 6.1)
                self._reranker = CrossEncoder(workers=2)
            return self._reranker

    def is_current(self) -> bool:
        """False once a newer build has been swapped in."""
        return self.backend.is_current()

    def ask(self, question: str, *, top_k: int = 5, mode: str = "hybrid",
            history: Sequence[str] = (), sources: Sequence[str] | None = None,
            rerank: bool | None = None) -> Answer:
        """Ranked, cited passages for a question; `answered` is False when none is relevant.
        `rerank` overrides the settings' choice of reading the candidates with the
        cross-encoder."""
        if mode not in MODES:
            raise QuestionError(f"Unknown mode '{mode}'; choose one of {', '.join(MODES)}.")
        if not 1 <= top_k <= MAX_TOP_K:
            raise QuestionError(f"top-k must be between 1 and {MAX_TOP_K}.")
        text, note = clean_question(question)
        context = [clean_question(h)[0] for h in history if h and h.strip()][-MAX_HISTORY:]
        allowed = allowed_ids(self.backend, sources)
        if allowed is not None and len(allowed) == 0:
            return Answer(question, False, mode, (), "None of the chosen sources is indexed.")
        queries = self._queries(text, context)
        focus = self._conversation_focus(context, mode, allowed) if context else []
        use_reranker = self.settings.rerank if rerank is None else rerank
        depth = max(top_k, self.settings.rerank_depth) if use_reranker else top_k
        candidates = retrieve(self.backend, queries, mode, depth, self.settings, allowed, focus)
        passages = self.backend.passages(candidates.ids.tolist())  # read once, for both stages
        missing = self.missing_names(text, sources)
        logits = None
        if use_reranker and len(candidates):
            candidates, logits = self._rerank(queries[0].text, text, candidates, passages,
                                              sure=surely_answered(self.calibration, text,
                                                                   bool(missing)))
        hits = build_hits(self.backend, candidates.head(top_k), passages,
                          marking_query(queries), logits, asked=text)
        answered = self.decide_answered(text, hits, missing)
        notes = [note] if note else []
        if missing:
            notes.append(names.missing_names_message(missing, chosen=bool(sources)))
        if not answered:
            notes.append("The sources do not seem to answer this; the closest passages follow.")
        elif missing:
            notes.append("The passages below answer the rest of the question.")
        return Answer(question, answered, mode, tuple(hits), " ".join(notes) or None, missing)

    def decide_answered(self, question: str, hits: Sequence[Hit],
                        missing: Sequence[str] = ()) -> bool:
        """Answered unless the passages' evidence falls short of the calibration."""
        return not declines(gather(question, hits, missing), self.calibration)

    def missing_names(self, question: str,
                      sources: Sequence[str] | None = None) -> tuple[str, ...]:
        """Names in the question that no source's text or metadata mentions (of the chosen
        `sources`, when the question is limited to some)."""
        known = self._known_terms(tuple(sorted(set(sources))) if sources else None)
        return names.missing_names(question, self.backend.terms, known,
                                   lambda phrase: self._says(phrase, sources))

    def _says(self, phrase: str, sources: Sequence[str] | None) -> bool:
        """Whether a passage (of the given `sources`, when some are given) contains the words
        of `phrase` in a row. Asked only for a closed compound the sources lack."""
        pattern = re.compile(r"\b" + r"[\s-]+".join(map(re.escape, phrase.split())) + r"\b",
                             re.IGNORECASE)
        allowed = allowed_ids(self.backend, sources)
        ids = self.backend.lexical(phrase, allowed).top(PHRASE_LOOKUP)
        return any(pattern.search(p.text) for p in self.backend.passages(ids).values())

    def _known_terms(self, sources: tuple[str, ...] | None) -> frozenset[str]:
        """Every term of the passages and of the sources' titles, publishers, authors and
        addresses (a question may name a publication that only its metadata gives); only the
        given sources' when some are given. The last few answers are kept."""
        known = self._known_cache.get(sources)
        if known is None:  # a race only computes it twice
            known = self._terms_of_sources(sources)
            if len(self._known_cache) >= KNOWN_TERMS_CACHE:
                self._known_cache.clear()
            self._known_cache[sources] = known
        return known

    def _terms_of_sources(self, sources: tuple[str, ...] | None) -> frozenset[str]:
        rows = [row for row in self.backend.sources()
                if sources is None or row["source"] in sources]
        fields = [row.get(key) for row in rows for key in ("title", "publisher", "author", "url")]
        metadata = {t for text in fields if text for t in self.backend.terms(text)}
        return self.backend.vocabulary(sources) | metadata

    # ------------------------------------------------------------ stages, bound to this index

    def _queries(self, text: str, context: Sequence[str]) -> list[Query]:
        return build_queries(text, context, self.embedder, self.settings.history_weight)

    def _conversation_focus(self, context: Sequence[str], mode: str,
                            allowed: np.ndarray | None) -> list[int]:
        """The passages that answered the previous question, and their neighbours."""
        previous = self._queries(context[-1], context[:-1])
        return conversation_focus(self.backend, previous, mode, self.settings, allowed)

    def _rerank(self, question: str, asked: str, candidates: Candidates,
                passages: dict[int, Passage], sure: float
                ) -> tuple[Candidates, dict[int, float]]:
        cfg = self.settings
        return rerank_candidates(
            question, candidates, passages, self.reranker, weight=cfg.rerank_weight,
            gate=cfg.rerank_gate, sure=sure,
            title_of=self._title if cfg.rerank_context else None, asked=asked)

    def _title(self, source: str) -> str | None:
        return self.backend.meta(source).title


class LiveSearcher:
    """The Searcher of the newest complete build; reloads once a rebuild is swapped in.

    Requests keep being answered by the old build while a new one is written, and the
    embedding model is loaded once and shared across reloads.
    """

    def __init__(self, index_dir: Path | None = None, *, model: str | None = None,
                 open_backend: Callable[[], Backend] | None = None,
                 settings: RankSettings = RankSettings()) -> None:
        self.index_dir = index_dir
        self.settings = settings
        self._open = open_backend or self._open_local
        self._searcher = Searcher(backend=self._open(), model=model, settings=settings)
        self._lock = threading.Lock()

    def _open_local(self) -> Backend:
        from askrel.backends.local import LocalBackend

        if self.index_dir is None:
            raise ValueError("A LiveSearcher needs an index folder or a way to open a backend.")
        return LocalBackend(self.index_dir)

    def get(self) -> Searcher:
        searcher = self._searcher
        try:
            fresh = searcher.is_current()
        except Exception:  # the index vanished mid-swap: keep serving the loaded one
            return searcher
        if fresh:
            return searcher
        with self._lock:
            if self._searcher is searcher:
                fresh_searcher = Searcher(backend=self._open(), settings=self.settings)
                if fresh_searcher.manifest.get("encoder") == searcher.manifest.get("encoder"):
                    fresh_searcher._embedder = searcher._embedder  # same model: no reload
                fresh_searcher._reranker = searcher._reranker
                self._searcher = fresh_searcher
            return self._searcher
