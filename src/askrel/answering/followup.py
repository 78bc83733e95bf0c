"""Whether a question in a conversation is a follow-up: searched with the earlier questions of
its topic, or alone.

A question is a follow-up when it points back (a pronoun or demonstrative with nothing in the
question to refer to, an opening "and …" / "what about …"). Anything else is a new topic,
searched on its own: with the cross-encoder reading the earlier questions too, an unrelated
question searched with them finds their answers, so "alone it finds nothing, with the
conversation it does" is no sign of a follow-up. Only answered questions are carried forward,
and only those of the current topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from askrel.answering.search import Searcher
    from askrel.records import Answer

OWN_WORDS = 5  # a cue after this many content words likely refers inside the question
MAX_THREAD = 2  # earlier questions a follow-up is searched with (Searcher uses the last two)

# Words that stand for something said before. "that", "this" and "there" are matched apart
# (_THAT_BACK, _THERE_BACK): they are as often a conjunction, a relative pronoun or "there is".
_PRONOUNS = frozenset("""it its itself they them their theirs themselves he him his himself
she her hers herself these those""".split())
_OPENERS = re.compile(r"^\s*(and|but|also|so|or|then|what about|how about|same for|"
                      r"what else|anything else)\b", re.IGNORECASE)
_BACK_PHRASES = re.compile(
    r"\b(doing (so|that|this)|the same( thing)?(?![^?.!]*\bas\b)|the other (way|one|side)|"
    r"in return|instead(?! of)|afterwards|after that|before that|as well|that one|this one)\b",
    re.IGNORECASE)
# "that"/"this" as a determiner or pronoun pointing back, not as a conjunction ("says that …")
# or a relative pronoun ("the file that holds …"): after a preposition or verb of action, or
# at the end of the question.
_THAT_BACK = re.compile(
    r"\b(about|after|against|at|by|for|from|in|into|of|on|over|to|under|with|within|"
    r"do|does|did|doing|done|use|using|used|try|tried|run|running|copy|copied|"
    r"apply|applies|fix|change|set|is|was)\s+(that|this)\b|\b(that|this)\s*[?.!]*\s*$",
    re.IGNORECASE)
# "there" as a place said before, not "there is" nor "are there …?"
_THERE_BACK = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!n't )"
                         r"\bthere\b(?!\s+(is|are|was|were|be|been|'s|any|a|an|no|some)\b)",
                         re.IGNORECASE)
# "it" that stands for nothing: "is it safe to …", "it is possible to …"
_DUMMY_IT = re.compile(
    r"\b(is|was|isn't|wasn't|would|will|does) (it) (be )?(possible|safe|risky|better|worse|"
    r"worth|true|a good idea|a bad idea|ok|okay|necessary|wise|normal|allowed|enough|"
    r"required|recommended|advisable)\b|\b(it) (is|'s|was) (possible|safe|risky|better|worth|"
    r"true|necessary|recommended|advisable)\b", re.IGNORECASE)
# a reaction with nothing to react to: "How did Seoul respond?"
_ELLIPSIS = re.compile(r"\b(respond|responded|react|reacted|reply|replied|retaliate|retaliated|"
                       r"happen next|happened next|then)\s*[?.!]*\s*$", re.IGNORECASE)
_POSSESSIVES = frozenset({"its", "their", "his", "her"})
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_FUNCTION_WORDS = frozenset("""a an the and or but so if then than as of in on at by for from to
into onto over under with within without about after before during between through up down
out off again also too very just only not no nor do does did done doing be is are was were been
being am have has had having can could shall should will would may might must what which who
whom whose when where why how whether i me my mine we us our you your yours it its they them
their he him his she her this that these those there here some any all each every such own
same other another more most much many few i'm i've i'd don't doesn't isn't can't won't
yet still even ever once get gets got""".split())


@dataclass(frozen=True)
class Decision:
    """How a question was searched: with `history` (a follow-up) or alone, and why."""

    follow_up: bool
    history: tuple[str, ...]
    reason: str


def reference_cues(question: str) -> tuple[str, ...]:
    """The words or phrases of a question that point back to something said before it."""
    return tuple(dict.fromkeys(cue for _, cue in _cues(question)))


def cue_positions(question: str) -> tuple[tuple[str, int], ...]:
    """Each cue with the number of content words before it: a cue after many content words
    more likely points to something earlier in the same question."""
    return tuple((cue, content_words(question[:start])) for start, cue in _cues(question))


def _cues(question: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    opener = _OPENERS.match(question)
    if opener:
        found.append((opener.start(1), opener.group(1).lower()))
    dummies = {m.start(2) for m in _DUMMY_IT.finditer(question) if m.group(2)}
    dummies |= {m.start(5) for m in _DUMMY_IT.finditer(question) if m.group(5)}
    for m in _WORD.finditer(question):
        word = m.group(0).lower().strip("'’")
        if word not in _PRONOUNS or m.start() in dummies:
            continue
        if word in _POSSESSIVES and (_named_before(question[:m.start()])
                                     or content_words(question[:m.start()])):
            continue  # "Kishida presented his plan", "the command logs its results"
        found.append((m.start(), m.group(0).lower()))
    if content_words(question) < 2 and not found:
        found.append((0, "too short to stand alone"))
    for pattern in (_BACK_PHRASES, _THAT_BACK, _THERE_BACK, _ELLIPSIS):
        found += [(m.start(), m.group(0).lower().rstrip("?.! "))
                  for m in pattern.finditer(question)]
    return sorted(found)


def _named_before(text: str) -> bool:
    """Whether `text` names someone or something: a capitalised word that does not open it
    and is not "I"."""
    words = _WORD.findall(text)
    return any(w[:1].isupper() and w not in ("I", "I'm", "I've", "I'd") for w in words[1:])


def content_words(text: str) -> int:
    """How many words of `text` carry content (not function words or question words)."""
    return sum(1 for w in _WORD.findall(text) if w.lower().strip("'’") not in _FUNCTION_WORDS)


def points_back(question: str, own_words: int = OWN_WORDS) -> tuple[str, ...]:
    """The cues that point outside the question: those with fewer than `own_words` content
    words before them (the question has not yet said enough to hold what they refer to)."""
    return tuple(cue for cue, before in cue_positions(question) if before < own_words)


def thread(turns: Sequence[tuple[str, bool, bool]]) -> tuple[str, ...]:
    """The earlier questions a new one may follow up: of (question, answered, follow_up) turns,
    oldest first, the answered ones since the last answered new topic, the last MAX_THREAD."""
    kept: list[str] = []
    for question, answered, follow_up in turns:
        if not answered:
            continue  # a declined question is never carried forward
        if not follow_up:
            kept = []
        kept.append(question)
    return tuple(kept[-MAX_THREAD:])


def decide(searcher: Searcher, question: str, history: Sequence[str], *, top_k: int = 5,
           mode: str = "hybrid", sources: Sequence[str] | None = None,
           own_words: int = OWN_WORDS) -> tuple[Decision, Answer]:
    """Search `question` alone or as a follow-up of `history`, whichever it is, with the answer.

    A question that points back before saying much of its own is a follow-up, unless only
    alone it finds an answer; any other question is searched alone. Raises QuestionError as
    Searcher.ask does.
    """
    history = tuple(h for h in history if h.strip())

    def ask(context: tuple[str, ...]) -> Answer:
        return searcher.ask(question, top_k=top_k, mode=mode, history=context, sources=sources)

    if not history:
        return Decision(False, (), "the first question of the conversation"), ask(())
    cues = points_back(question, own_words)
    if cues:
        together = ask(history)
        shown = ", ".join(f"“{c}”" for c in cues[:3])
        if together.answered:
            return Decision(True, history, f"it refers back ({shown})"), together
        alone = ask(())
        if alone.answered:
            return Decision(False, (), "only on its own does it find an answer"), alone
        return Decision(True, history, f"it refers back ({shown})"), together
    return Decision(False, (), "it makes sense on its own"), ask(())
