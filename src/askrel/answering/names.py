"""Names in a question that the sources never mention.

A question about "Docker" or "ggplot2" cannot be answered by sources that never use the word,
however close in topic their passages are; a sentence embedding scores such passages almost as
high as real answers. So a word written as a name — capitalised inside the sentence, letters
with digits ("HDF5"), or an identifier ("plt.tight_layout", "R_HOME") — that occurs nowhere in
the sources' text or metadata, not even with a slightly different spelling, makes the answer
"no answer", and the message says which name is missing.

Users seldom capitalise the names of tools and packages ("netplan", "chrony", "jsonlite"), so
a lower-case word also counts when it is rare in English as a whole (wordfreq's Zipf frequency
below 2: fewer than one in ten million words); common words ("garbled", "reshape") never do.

A name is mentioned where the sources abbreviate it with its run of capitalised words:
"UC Berkeley" where they say "UCB". A word written closed is mentioned where the sources
write it open, as a phrase: "keypress" where they say "key press", "domainname" where they
say "domain name" (not "markdown" where they only say "mark" and "down" apart). A regular
expression's character class ("a-zA-Z") is no name.

Short all-capital abbreviations ("DPRK", "ICBM") are not checked: sources often spell them
out instead. Nor are the asker's own files and modules named by the usual placeholder
("myapp.cron", "my_module"): no source can mention them. Nor are adjectives of nationality,
language or region ("a European locale", "German messages"): English capitalises them, but
they describe rather than name. Capitals say
nothing in a question written in title case or all capitals, so there only digits and
identifiers count.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from rapidfuzz import fuzz, process

from askrel.reading.english import zipf

_WORD = re.compile(r"\w+(?:[._'’+-]\w+)*")
_SENTENCE_END = re.compile(r"[.?!:;]\W*$")
_ABBREVIATION = re.compile(r"[A-Z]{2,5}s?")  # DPRK, ICBMs: often spelled out in the sources
_LETTERS_THEN_DIGITS = re.compile(r"^[^\W\d_]+\w*\d")  # HDF5, ggplot2, x11; not 1990s, 3D
_IDENTIFIER = re.compile(r"\w[._]\w")  # plt.tight_layout, R_HOME, nippon.com
_JOINERS = re.compile(r"[._]")
_CHARACTER_RANGES = re.compile(r"(?:[A-Za-z0-9]-[A-Za-z0-9])+")  # a-z, a-zA-Z0-9
MIN_COMPOUND_PART = 3  # "keypress" is "key press"; two-letter pieces match too much
MIN_INITIALISM = 3  # "UC Berkeley": "ucb"; two letters ("cd", "ip") are words of their own
# The asker's own things, by the usual placeholder: "myapp.cron", "my_module", "yoursite.com"
_OWN_NAME = re.compile(r"^(?:my|your)[^\W\d_]*[._-]\w", re.IGNORECASE)
_CONTRACTION = re.compile(r"(?:['’](?:s|ve|m|d|ll|re)|n['’]t)$", re.IGNORECASE)  # I've, Yoon's
# European, Korean, Japanese, English, Arabic, French: when also a common word, an adjective
_ADJECTIVE_ENDING = re.compile(r"(?:ean|ian|can|man|ese|ish|ic|ch)$")
RARE_WORD_ZIPF = 2.0  # wordfreq's scale: log10 of a word's frequency per billion words
MIN_RARE_WORD_LENGTH = 3
SPELLING_CUTOFF = 85  # rapidfuzz ratio, 0-100: "Kishda" still finds "Kishida" (92)
MIN_FUZZY_LENGTH = 5  # shorter terms must match exactly ("cuda" is not a misspelt "cud")


def _capitals_carry_meaning(words: list[tuple[str, bool]]) -> bool:
    """False for a question in title case or all capitals, where every word looks like a name:
    three or more longer words (letters only) inside sentences, all capitalised."""
    inner = [w for w, initial in words if not initial and len(w) >= 4 and w.isalpha()]
    return len(inner) < 3 or not all(w[0].isupper() for w in inner)


def _words(question: str) -> list[tuple[str, bool]]:
    """Each word, with whether it starts a sentence (its capital then means nothing)."""
    words = []
    for match in _WORD.finditer(question):
        before = question[:match.start()]
        words.append((match.group(), not before.strip() or bool(_SENTENCE_END.search(before))))
    return words


def name_words(question: str) -> list[str]:
    """The words of a question written as names, in order, without repeats."""
    words = _words(question)
    capitals = _capitals_carry_meaning(words)
    found: list[str] = []
    for word, initial in words:
        word = _CONTRACTION.sub("", word)
        if len(word) < 2 or _OWN_NAME.match(word):  # "I", "R": a letter is no index term
            continue
        if _CHARACTER_RANGES.fullmatch(word):  # "[a-zA-Z]": a character class
            continue
        identifier = bool(_IDENTIFIER.search(word)) and any(ch.isalpha() for ch in word)
        looks_like_name = bool(_LETTERS_THEN_DIGITS.search(word)) or identifier
        if (capitals and not initial and not _ABBREVIATION.fullmatch(word)
                and not _is_adjective(word)):
            looks_like_name = looks_like_name or any(ch.isupper() for ch in word)
        if looks_like_name and word not in found:
            found.append(word)
    return found


def _is_adjective(word: str) -> bool:
    """A capitalised adjective of nationality, language or region ("European", "Japanese")."""
    lower = word.lower()
    return bool(_ADJECTIVE_ENDING.search(lower)) and lower in common_words()


@functools.cache
def common_words() -> frozenset[str]:
    """Common English words: the whole-word entries of the bundled model's vocabulary
    (a WordPiece list of about 30,000 entries, learnt from English books and Wikipedia).
    Empty when the model package is missing."""
    from askrel.embedding.models import default_model_path

    try:
        lines = (Path(default_model_path()) / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (RuntimeError, OSError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower())


def lower_case_words(question: str) -> list[str]:
    """The question's words of letters only written in lower case (a capital that starts a
    sentence aside), lower-cased, in order, without repeats."""
    found: list[str] = []
    for word, initial in _words(question):
        word = _CONTRACTION.sub("", word)
        plain = word.islower() or (initial and word[:1].isupper() and word[1:].islower())
        if (plain and word.isalpha() and len(word) >= MIN_RARE_WORD_LENGTH
                and word.lower() not in found):
            found.append(word.lower())
    return found


def is_rare_word(word: str) -> bool:
    """Whether an English text uses `word` fewer than once in ten million words."""
    return round(zipf(word.lower()), 2) < RARE_WORD_ZIPF  # rounded as wordfreq reports it


def close_spelling(term: str, known: Collection[str]) -> bool:
    """Whether a known term is spelt almost the same (a typo or a transliteration)."""
    if len(term) < MIN_FUZZY_LENGTH:
        return False
    return process.extractOne(term, known, scorer=fuzz.ratio,
                              score_cutoff=SPELLING_CUTOFF) is not None


def missing_names(question: str, terms: Callable[[str], list[str]],
                  known: Collection[str],
                  says: Callable[[str], bool] | None = None) -> tuple[str, ...]:
    """The question's names, and its rare lower-case words, that the sources never mention.

    `terms` turns text into index terms (stemmed, stopwords dropped) and `known` holds every
    term of the sources; a name is missing when one of its terms is neither known nor a close
    spelling of a known term (an identifier is also read as its parts). `says(phrase)`, when
    given, tells whether the sources contain a phrase; a word written closed is then also
    mentioned where they write it open ("keypress": "key press").
    """
    def mentioned(text: str) -> bool:
        return all(t in known or close_spelling(t, known) for t in terms(text))

    def mentioned_somehow(word: str) -> bool:
        return (any(mentioned(reading) for reading in _readings(word))
                or any(a in known for a in initialisms(question, word))
                or (says is not None and any(says(phrase) for phrase in open_compounds(word)
                                             if mentioned(phrase))))

    names = [word for word in name_words(question) if not mentioned_somehow(word)]
    named = {name.lower() for name in names}
    for word in lower_case_words(question):  # known terms first: they need no word list
        if (word not in named and not all(t in known for t in terms(word))
                and is_rare_word(word) and not mentioned_somehow(word)):
            names.append(word)
    return tuple(names)


def _readings(word: str) -> list[str]:
    """The word, and an identifier also as its parts: PDF text often loses the underscore
    ("gnuplot_x11" comes out as "gnuplot x11"). A compound also reads without its common
    lower-case words: "eth0-style" names "eth0", not a style."""
    readings = [word]
    parts = _JOINERS.sub(" ", word)
    if parts != word:
        readings.append(parts)
    pieces = word.split("-")
    named = [p for p in pieces if not (p.isalpha() and p.islower() and not is_rare_word(p))]
    if named and len(named) < len(pieces):
        readings.append(" ".join(named))
    return readings


def initialisms(question: str, word: str) -> list[str]:
    """The initialisms of the runs of capitalised words around `word` in the question, lower
    case, three letters or more: "UC Berkeley" gives "ucb" (an all-capital word gives all
    its letters), so a name the sources only abbreviate is still mentioned."""
    words = [w for w, _ in _words(question)]
    found = []
    for n, current in enumerate(words):
        if current != word:
            continue
        start = end = n
        while start > 0 and words[start - 1][:1].isupper():
            start -= 1
        while end + 1 < len(words) and words[end + 1][:1].isupper():
            end += 1
        for first in range(start, n + 1):
            for last in range(n, end + 1):
                letters = "".join(w if _ABBREVIATION.fullmatch(w) else w[0]
                                  for w in words[first:last + 1])
                if last > first and len(letters) >= MIN_INITIALISM:
                    found.append(letters.lower())
    return found


def open_compounds(word: str) -> list[str]:
    """A word of letters written closed, read open: every way to cut it in two common English
    words ("keypress": "key press"; "domainname": "domain name")."""
    if not word.isalpha() or len(word) < 2 * MIN_COMPOUND_PART:
        return []
    lower = word.lower()
    common = common_words()
    return [f"{lower[:cut]} {lower[cut:]}"
            for cut in range(MIN_COMPOUND_PART, len(lower) - MIN_COMPOUND_PART + 1)
            if lower[:cut] in common and lower[cut:] in common]


def missing_names_message(names: Iterable[str], chosen: bool = False) -> str:
    """'No source mentions “A”, “B” or “C”.' ('None of the chosen sources mentions …' when the
    question was limited to some sources)."""
    quoted = [f"“{name}”" for name in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"{'None of the chosen sources' if chosen else 'No source'} mentions {listed}."
