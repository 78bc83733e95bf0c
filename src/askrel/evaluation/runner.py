"""Running a Searcher over a question set, judging each ranking, and summarising per mode."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from askrel.answering.abstention import Calibration, Evidence, declines, gather, signal
from askrel.evaluation import metrics as m
from askrel.evaluation.questions import Place, Question, contains_answer, covers_span

if TYPE_CHECKING:
    from askrel.answering.search import Searcher
    from askrel.records import Answer, Citation, Hit, Passage

DEFAULT_MODE = "hybrid"
NO_RERANK = "/no-rerank"  # a run label's suffix: the mode without the cross-encoder stage
CURVE_DEPTH = 10
RANKING = ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10")
SOURCE_RECALL = "recall@5"
METRIC_NAMES = (*RANKING, SOURCE_RECALL, "highlight@1", "abstain_precision", "abstain_recall",
                "answerable_declined_rate", "latency_p50_ms", "latency_p95_ms")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class QuestionRun:
    """One question asked in one mode: what came back, judged against the question."""

    question: Question
    mode: str
    answer: Answer | None  # None when the searcher refused the question
    judged: tuple[bool, ...]  # per returned passage: does it count as answering?
    n_relevant: int  # passages in the whole index that count as answering
    highlight_hit: bool  # the top passage's highlighted sentences hold an answer
    seconds: float
    error: str | None = None

    @property
    def hits(self) -> tuple[Hit, ...]:
        return self.answer.results if self.answer else ()

    @property
    def evidence(self) -> Evidence:
        """What Searcher.ask's "no answer" decision reads from this answer."""
        missing = self.answer.missing_names if self.answer else ()
        return gather(self.question.question, self.hits, missing)

    def signal(self, calibration: Calibration) -> float | None:
        return signal(self.evidence, calibration)

    def declined(self, calibration: Calibration) -> bool:
        """Whether the searcher says "no answer" with this calibration (as Searcher.ask)."""
        return declines(self.evidence, calibration)


@dataclass(frozen=True)
class Evaluation:
    """Every mode's runs over one question set, with the abstention threshold in force."""

    questions_path: str
    questions: tuple[Question, ...]
    runs: dict[str, tuple[QuestionRun, ...]]
    top_k: int
    calibration: Calibration
    model: str
    missing_sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_answerable(self) -> int:
        return sum(1 for q in self.questions if not q.unanswerable)

    def summary(self, mode: str) -> dict[str, float | None]:
        return summarize(self.runs[mode], self.calibration)

    def hit_curve(self, mode: str) -> list[float | None]:
        """Mean hit@k over the answerable questions for k = 1..CURVE_DEPTH."""
        answerable = [r for r in self.runs[mode] if not r.question.unanswerable]
        return [m.mean([m.hit_at_k(r.judged, k) for r in answerable])
                for k in range(1, CURVE_DEPTH + 1)]


def is_relevant(passage_text: str, passage_source: str, question: Question,
                places: Sequence[Place] = ()) -> bool:
    """The eval/README.md rule: an answer string in a passage from one of the question's
    sources (from any source when the question lists none), or the passage's `places` in its
    source meeting a gold span by the span rule."""
    if question.unanswerable:
        return False
    if covers_span(passage_source, places, question.spans):
        return True
    if question.sources and passage_source not in question.sources:
        return False
    return contains_answer(passage_text, question.answers)


def passage_places(passage: Passage | Citation) -> list[Place]:
    """Where a passage's text stands in its source: its span, and the span on the next page
    that ends its last sentence when it runs over a page break."""
    places: list[Place] = [(passage.page, passage.char_start, passage.char_end)]
    if passage.continued is not None:
        places.append((passage.continued.page, passage.continued.char_start,
                       passage.continued.char_end))
    return places


def stretch_places(stretches: Sequence[tuple[int, int]],
                   places: Sequence[Place]) -> list[Place]:
    """Offsets into a passage's text mapped to where they stand in the source; the passage's
    parts (`places`) follow one another in its text, joined by JOIN."""
    from askrel.records import JOIN

    out: list[Place] = []
    offset = 0
    for page, start, end in places:
        for a, b in stretches:
            low, high = max(a, offset), min(b, offset + end - start)
            if low < high:
                out.append((page, start + low - offset, start + high - offset))
        offset += end - start + len(JOIN)
    return out


def all_passages(searcher: Searcher) -> Iterable[Passage]:
    store = searcher.store
    for row in store.sources():
        yield from store.passages_of(row["source"])


def relevant_passages(passages: Iterable[Passage],
                      questions: Sequence[Question]) -> dict[str, frozenset[int]]:
    """The qrels: for each question id, the ids of every indexed passage that answers it."""
    found: dict[str, set[int]] = {q.id: set() for q in questions}
    for passage in passages:
        for q in questions:
            if is_relevant(passage.text, passage.source, q, passage_places(passage)):
                found[q.id].add(passage.id)
    return {qid: frozenset(ids) for qid, ids in found.items()}


def merged_stretches(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Highlight spans, joining those separated only by whitespace into one stretch."""
    stretches: list[list[int]] = []
    for start, end in sorted(spans):
        if stretches and not text[stretches[-1][1]:start].strip():
            stretches[-1][1] = max(stretches[-1][1], end)
        else:
            stretches.append([start, end])
    return [(a, b) for a, b in stretches]


def merged_highlights(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """Highlighted text, joining spans separated only by whitespace into one stretch."""
    return [text[a:b] for a, b in merged_stretches(text, spans)]


def highlight_answers(hit: Hit, question: Question) -> bool:
    """Whether a passage's marked sentence(s) answer: a stretch holds an answer string, or
    meets a gold span by the span rule (so at least half of a short marked sentence lies
    inside a long answer)."""
    stretches = merged_stretches(hit.text, hit.highlights)
    if any(contains_answer(hit.text[a:b], question.answers) for a, b in stretches):
        return True
    places = stretch_places(stretches, passage_places(hit.citation))
    return covers_span(hit.citation.source, places, question.spans)


def judge(question: Question, mode: str, answer: Answer | None, relevant: frozenset[int],
          seconds: float, error: str | None = None) -> QuestionRun:
    hits = answer.results if answer else ()
    judged = tuple(h.passage_id in relevant for h in hits)
    highlight_hit = bool(judged) and judged[0] and highlight_answers(hits[0], question)
    return QuestionRun(question, mode, answer, judged, len(relevant), highlight_hit, seconds,
                       error)


def parse_run(label: str) -> tuple[str, bool]:
    """(retrieval mode, rerank?) of a run label: 'hybrid' reranks, 'hybrid/no-rerank' not."""
    if label.endswith(NO_RERANK):
        return label[:-len(NO_RERANK)], False
    return label, True


def run_mode(searcher: Searcher, questions: Sequence[Question], mode: str, top_k: int,
             qrels: dict[str, frozenset[int]],
             progress: Progress | None = None) -> tuple[QuestionRun, ...]:
    """Ask every question in one run (a mode label, see parse_run), timing each Searcher.ask
    call (wall clock)."""
    from askrel.answering.search import QuestionError

    retrieval, rerank = parse_run(mode)
    runs = []
    for done, q in enumerate(questions, start=1):
        started = time.perf_counter()
        try:
            answer: Answer | None = searcher.ask(q.question, top_k=top_k, mode=retrieval,
                                                 history=q.history, rerank=rerank)
            error = None
        except QuestionError as exc:
            answer, error = None, str(exc)
        seconds = time.perf_counter() - started
        runs.append(judge(q, mode, answer, qrels[q.id], seconds, error))
        if progress:
            progress(mode, done, len(questions))
    return tuple(runs)


def evaluate(searcher: Searcher, questions: Sequence[Question], modes: Sequence[str], *,
             top_k: int = 10, questions_path: str = "",
             progress: Progress | None = None) -> Evaluation:
    """Run every mode over the questions with one loaded searcher."""
    from askrel.answering.search import MODES

    unknown = [mode for mode in modes if parse_run(mode)[0] not in MODES]
    if unknown or not modes:
        raise ValueError(f"Unknown mode(s) {', '.join(unknown) or '(none given)'}; "
                         f"choose from {', '.join(MODES)}, each optionally with "
                         f"'{NO_RERANK}'.")
    passages = list(all_passages(searcher))
    qrels = relevant_passages(passages, questions)
    indexed = {p.source for p in passages}
    named = {s for q in questions for s in q.sources} | {s.source for q in questions
                                                         for s in q.spans}
    missing = sorted(named - indexed)
    notes = []
    unfindable = [q.id for q in questions if not q.unanswerable and not qrels[q.id]]
    if unfindable:
        notes.append(f"{len(unfindable)} answerable question(s) have no indexed passage that "
                     f"holds an answer, so no ranking can score on them: "
                     f"{', '.join(unfindable)}.")
    if top_k < CURVE_DEPTH:
        notes.append(f"Only {top_k} passages were retrieved per question, so metrics cut at "
                     f"a larger k (hit@{CURVE_DEPTH}, mrr@{CURVE_DEPTH}, ...) see only those.")
    searcher.embedder.embed(["warm up"])  # load the model before any ask is timed
    runs = {mode: run_mode(searcher, questions, mode, top_k, qrels, progress)
            for mode in dict.fromkeys(modes)}
    return Evaluation(questions_path, tuple(questions), runs, top_k,
                      searcher.calibration,
                      searcher.model, tuple(missing), tuple(notes))


def summarize(runs: Sequence[QuestionRun],
              calibration: Calibration) -> dict[str, float | None]:
    """Every metric of METRIC_NAMES for one mode's runs."""
    answerable = [r for r in runs if not r.question.unanswerable]
    out: dict[str, float | None] = {
        name: m.mean([m.ranking_metric(name, r.judged, r.n_relevant) for r in answerable])
        for name in RANKING
    }
    _, k = m.parse_metric(SOURCE_RECALL)
    with_sources = [r for r in answerable if r.question.sources]
    out[SOURCE_RECALL] = m.mean([
        m.source_recall([h.citation.source for h in r.hits], r.question.sources, k or 5)
        for r in with_sources])
    out["highlight@1"] = m.mean([1.0 if r.highlight_hit else 0.0 for r in answerable])
    abstain = m.abstention([r.declined(calibration) for r in runs],
                           [r.question.unanswerable for r in runs])
    out["abstain_precision"] = abstain.precision
    out["abstain_recall"] = abstain.recall
    out["answerable_declined_rate"] = abstain.answerable_declined_rate
    millis = [r.seconds * 1000 for r in runs]
    out["latency_p50_ms"] = m.percentile(millis, 50)
    out["latency_p95_ms"] = m.percentile(millis, 95)
    return out


def questions_label(path: Path) -> str:
    """The questions file as shown in reports: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
