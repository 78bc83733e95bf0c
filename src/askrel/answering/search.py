"""Answering a question: dense and BM25 retrieval, rank fusion, highlights, and abstention."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import askrel
from askrel.answering import names
from askrel.answering.abstention import CALIBRATION_FILE, declines, gather, load_calibration
from askrel.answering.fusion import rrf_scores, zscore_fusion
from askrel.answering.highlight import heading_lines, pick_highlights
from askrel.answering.rerank import CrossEncoder, Reranker, fuse, passage_input, runaway_winner
from askrel.backends.base import Backend, LexicalRun
from askrel.embedding.base import Embedder
from askrel.embedding.loading import load_embedder, load_query_embedder
from askrel.embedding.models import resolve_model
from askrel.indexing.build import ModelMismatch
from askrel.records import Answer, Citation, Hit, Passage

MODES = ("hybrid", "dense", "bm25")
MAX_QUESTION_CHARS = 1000
MAX_TOP_K = 50
MAX_HISTORY = 2
KNOWN_TERMS_CACHE = 8  # vocabularies of source selections kept for the names check


class QuestionError(ValueError):
    """A question askrel cannot search for; the message says why."""


def clean_question(text: str) -> tuple[str, str | None]:
    """The question with control characters removed and length bounded, plus a note if changed."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned or not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("Please type a question (it was empty or had no words).")
    if len(cleaned) > MAX_QUESTION_CHARS:
        return cleaned[:MAX_QUESTION_CHARS], (
            f"The question was {len(cleaned):,} characters long; only the first "
            f"{MAX_QUESTION_CHARS:,} were used.")
    return cleaned, None


@dataclass(frozen=True)
class RankSettings:
    """How runs are fused; the defaults are what the evaluation supports (docs/experiments.md)."""

    depth: int = 50
    fusion: str = "zscore"  # or "rrf"
    rrf_k: int = 60
    dense_weight: float = 0.5
    sentence_weight: float = 1.0
    bm25_weight: float = 0.4
    history_weight: float = 0.5
    focus_depth: int = 5
    focus_weight: float = 0.5
    rerank: bool = True  # a cross-encoder reads the best candidates (answering/rerank.py)
    rerank_depth: int = 5  # how many; at least top_k
    rerank_weight: float = 0.4  # the cross-encoder's share of the reranked score
    rerank_context: bool = False  # it reads the document title and section heading too
    rerank_gate: float | None = None  # skip it when the first stage's winner leads by this


@dataclass(frozen=True)
class _Query:
    text: str
    vector: np.ndarray
    weight: float


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
                    if local is not None else load_embedder(self.model))
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
        allowed = self._allowed(sources)
        if allowed is not None and len(allowed) == 0:
            return Answer(question, False, mode, (), "None of the chosen sources is indexed.")
        queries = self._queries(text, context)
        focus = self._conversation_focus(context, mode, allowed) if context else []
        rerank = self.settings.rerank if rerank is None else rerank
        depth = max(top_k, self.settings.rerank_depth) if rerank else top_k
        ranked = self._rank(queries, mode, depth, allowed, focus)
        rows = self.backend.passages([pid for pid, _ in ranked])  # read once, for both stages
        logits = None
        if rerank and ranked:
            ranked, logits = self._rerank(queries[0].text, ranked, rows)
        hits = self._hits(ranked[:top_k], rows, self._marking_query(queries), logits)
        missing = self.missing_names(text, sources)
        answered = self.decide_answered(text, hits, missing)
        notes = [note] if note else []
        if missing:
            notes.append(names.missing_names_message(missing, chosen=bool(sources)))
        if not answered:
            notes.append("The sources do not seem to answer this; the closest passages follow.")
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
        return names.missing_names(question, self.backend.terms, known)

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

    # ------------------------------------------------------------ retrieval

    def _allowed(self, sources: Sequence[str] | None) -> np.ndarray | None:
        if not sources:
            return None
        return np.array(sorted(self.backend.ids_of_sources(sources)), dtype=np.int64)

    def _queries(self, text: str, context: list[str]) -> list[_Query]:
        """The question in the light of the conversation first, then the question alone."""
        texts = [" ".join([*context, text])] + ([text] if context else [])
        vectors = self.embedder.embed(texts)
        weights = [1.0, self.settings.history_weight]
        return [_Query(t, v, w) for t, v, w in zip(texts, vectors, weights, strict=False)]

    @staticmethod
    def _marking_query(queries: list[_Query]) -> _Query:
        """What sentences are marked against: in a follow-up, the question in context and the
        question alone together, so the mark lands on what is asked, not on the topic."""
        if len(queries) == 1:
            return queries[0]
        mixed = queries[0].vector + queries[1].vector
        return _Query(queries[0].text, mixed / max(float(np.linalg.norm(mixed)), 1e-9), 1.0)

    def _conversation_focus(self, context: list[str], mode: str,
                            allowed: np.ndarray | None) -> list[int]:
        """Where the conversation has been: the passages that answered the previous question,
        with their neighbours in the same source (a follow-up's answer is usually close by)."""
        previous = self._rank(self._queries(context[-1], context[:-1]), mode,
                              self.settings.focus_depth, allowed)
        ids = [pid for pid, _ in previous]
        around = [n for pid in ids for n in (pid, pid - 1, pid + 1) if 0 <= n < self.size]
        rows = self.backend.passages(around)
        focus: list[int] = []
        for pid in ids:
            for n in (pid, pid - 1, pid + 1):
                if n in rows and rows[n].source == rows[pid].source and n not in focus:
                    focus.append(n)
        if allowed is not None:
            keep = set(allowed.tolist())
            focus = [n for n in focus if n in keep]
        return focus

    def _rank(self, queries: list[_Query], mode: str, top_k: int,
              allowed: np.ndarray | None, focus: Sequence[int] = ()) -> list[tuple[int, float]]:
        """Candidates from each retriever, scored on every signal, fused, best first."""
        cfg = self.settings
        depth = max(cfg.depth, 5 * top_k)
        lexical = {q.text: self._bm25_scores(q.text, allowed) for q in queries} \
            if mode != "dense" else {}
        use_dense = mode != "bm25" or not any(s.found() for s in lexical.values())
        candidates: set[int] = set(focus)
        for q in queries:
            if use_dense:
                candidates.update(self.backend.dense_top(q.vector, depth, allowed))
            if q.text in lexical:
                candidates.update(lexical[q.text].top(depth))
        if not candidates:
            return []
        ids = np.array(sorted(candidates), dtype=np.int64)
        features: list[np.ndarray] = []
        weights: list[float] = []
        if use_dense:  # each candidate's vectors are read once, for every query
            query_vectors = np.stack([q.vector for q in queries])
            passage_sims = self.backend.passage_vectors(ids) @ query_vectors.T
            if mode != "bm25":
                sentence_sims = self._best_sentence(ids, query_vectors)
        for n, q in enumerate(queries):
            if use_dense and mode != "bm25":
                features += [passage_sims[:, n], sentence_sims[:, n]]
                weights += [q.weight * cfg.dense_weight, q.weight * cfg.sentence_weight]
            elif use_dense:  # bm25 mode with no known term: dense is all there is
                features.append(passage_sims[:, n])
                weights.append(q.weight)
            if q.text in lexical and mode != "dense":
                features.append(lexical[q.text].scores_of(ids))
                weights.append(q.weight * cfg.bm25_weight)
        if cfg.fusion == "rrf":
            scores = rrf_scores(features, weights, cfg.rrf_k)
        else:
            scores = zscore_fusion(features, weights)
        if focus:
            scores = scores + cfg.focus_weight * np.isin(ids, np.asarray(focus))
        order = np.argsort(-scores, kind="stable")[:top_k + 10]
        return self._without_repeats([(int(ids[i]), float(scores[i])) for i in order], top_k)

    def _without_repeats(self, ranked: list[tuple[int, float]],
                         top_k: int) -> list[tuple[int, float]]:
        """Keep the best-ranked passage of each group of identical passages."""
        groups = self.backend.same_as([pid for pid, _ in ranked])
        seen: set[int] = set()
        kept = []
        for pid, score in ranked:
            group = groups.get(pid, pid)
            if group not in seen:
                seen.add(group)
                kept.append((pid, score))
        return kept[:top_k]

    def _best_sentence(self, ids: np.ndarray, queries: np.ndarray) -> np.ndarray:
        """[passage, query]: the similarity of each passage's sentence closest to each query."""
        rows = self.backend.sentence_vectors(ids.tolist())
        best = np.full((len(ids), len(queries)), -1.0, dtype=np.float32)
        for n, pid in enumerate(ids.tolist()):
            sentences = rows.get(pid)
            if sentences is not None and len(sentences):
                best[n] = (sentences @ queries.T).max(axis=0)
        return best

    def _bm25_scores(self, text: str, allowed: np.ndarray | None) -> LexicalRun:
        """BM25 scores of the passages (zero outside `allowed`)."""
        return self.backend.lexical(text, allowed)

    def _rerank(self, question: str, ranked: list[tuple[int, float]],
                rows: dict[int, Passage]) -> tuple[list[tuple[int, float]], dict[int, float]]:
        """The candidates reordered by the cross-encoder's logits fused with their first-stage
        scores (`fuse`), with the logits. When the first stage's winner leads by more than
        `rerank_gate` standard deviations, the order stays and only the winner is read (its
        logit is evidence for "no answer")."""
        cfg = self.settings
        first = np.array([s for _, s in ranked])
        gated = cfg.rerank_gate is not None and runaway_winner(first, cfg.rerank_gate)
        passages = [rows[pid] for pid, _ in (ranked[:1] if gated else ranked)]
        texts = [passage_input(self.backend.meta(p.source).title, p.heading, p.text)
                 if cfg.rerank_context else p.text for p in passages]
        logits = self.reranker.score(question, texts)
        if gated:
            return ranked, {ranked[0][0]: float(logits[0])}
        fused = fuse(first, logits, cfg.rerank_weight)
        order = np.argsort(-fused, kind="stable")
        return ([(ranked[i][0], float(fused[i])) for i in order],
                {ranked[i][0]: float(logits[i]) for i in order})

    # ------------------------------------------------------------ results

    def _hits(self, ranked: list[tuple[int, float]], rows: dict[int, Passage], query: _Query,
              logits: dict[int, float] | None = None) -> list[Hit]:
        """The results, from the candidates' passages as read (`rows`)."""
        ids = [pid for pid, _ in ranked]
        sentence_vectors = self.backend.sentence_vectors(ids)
        passage_vectors = self.backend.passage_vectors(np.asarray(ids, dtype=np.int64))
        hits = []
        for rank, (pid, score) in enumerate(ranked, start=1):
            passage = rows[pid]
            similarity = float(passage_vectors[rank - 1] @ query.vector)
            highlights, best = self._highlight(passage, sentence_vectors[pid], query)
            hits.append(Hit(rank, score, max(similarity, best), passage.text, highlights,
                            self._citation(passage), pid,
                            logits.get(pid) if logits is not None else None))
        return hits

    def _highlight(self, passage: Passage, sentence_vectors: np.ndarray,
                   query: _Query) -> tuple[tuple[tuple[int, int], ...], float]:
        """The marked sentence(s) and the best sentence's similarity to the query."""
        spans = passage.sentences
        if not spans:
            return (), 0.0
        vectors = np.asarray(sentence_vectors[:len(spans)], dtype=np.float32)
        similarity = vectors @ query.vector
        skip = heading_lines(passage.text, spans, passage.heading)
        return pick_highlights(similarity, spans, skip=skip), float(similarity.max())

    def _citation(self, passage: Passage) -> Citation:
        meta = self.backend.meta(passage.source)
        return Citation(passage.source, meta.title, meta.publisher, meta.author, meta.date,
                        meta.url, passage.page, passage.char_start, passage.char_end,
                        passage.heading if passage.page is not None else None,
                        passage.page_label, passage.continued)


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
