"""Small frozen records that travel between the pipeline stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

Span = tuple[int, int]


@dataclass(frozen=True)
class SourceMeta:
    """What is known of a source; unknown fields stay None."""

    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Section:
    """Where a section of a document starts in a text unit, and its title path.

    [start, end) is the heading line when it was found in the text; start == end when the
    section is only known to start somewhere on the unit (it is then taken to start at its top).
    """

    start: int
    end: int
    title: str


@dataclass(frozen=True)
class TextUnit:
    """A stretch of decoded source text chunked on its own: a text file, or one PDF page.

    `text` is what citation offsets index; `body_start` skips front matter; `sections` are
    the sections (from a PDF's outline, or its numbered headings) that start in this unit,
    in order; `page_label` is the number printed on a PDF page when it is not `page`.
    """

    text: str
    page: int | None = None
    body_start: int = 0
    sections: tuple[Section, ...] = ()
    page_label: str | None = None


@dataclass(frozen=True)
class Document:
    """A readable source file: its path relative to the project, metadata and text units."""

    source: str
    meta: SourceMeta
    units: tuple[TextUnit, ...]
    content_hash: str


@dataclass(frozen=True)
class Block:
    """A kept paragraph of a text unit, as offsets; `segment` changes where chrome was cut out."""

    start: int
    end: int
    heading: bool = False
    segment: int = 0


@dataclass(frozen=True)
class Chunk:
    """A passage as offsets into its text unit, with its sentences (absolute offsets)."""

    start: int
    end: int
    sentences: tuple[Span, ...]
    heading: str | None = None


@dataclass(frozen=True)
class Continuation:
    """Where a passage goes on after a PDF page break: [char_start, char_end) of the next
    page's text ends the sentence the page left unfinished."""

    page: int
    char_start: int
    char_end: int
    page_label: str | None = None


@dataclass(frozen=True)
class Passage:
    """A stored passage: verbatim text plus where it came from."""

    id: int
    source: str
    page: int | None
    char_start: int
    char_end: int
    text: str
    sentences: tuple[Span, ...]  # offsets into `text`
    heading: str | None = None
    page_label: str | None = None  # the PDF's printed page number, when not `page`
    # Set when the passage's last sentence runs over a page break: `text` is then
    # page[char_start:char_end] + "\n" + the continuation's span of the next page.
    continued: Continuation | None = None


@dataclass(frozen=True)
class Citation:
    source: str
    title: str | None
    publisher: str | None
    author: str | None
    date: str | None
    url: str | None
    page: int | None
    char_start: int
    char_end: int
    section: str | None = None  # a PDF's outline path, e.g. "2 Installing R › Help options"
    page_label: str | None = None  # the printed page number ("41", "iii"), when not `page`
    continued: Continuation | None = None  # the passage ends on the next page


def page_place(page: int, label: str | None, continued: Continuation | None = None) -> str:
    """'page 46', or 'page 46 (printed 41)' when the PDF numbers its pages otherwise;
    'pages 46–47 (printed 41–42)' for a passage that runs over a page break."""
    if continued is None:
        return f"page {page}" + (f" (printed {label})" if label else "")
    printed = (f" (printed {label or page}–{continued.page_label or continued.page})"
               if label or continued.page_label else "")
    return f"pages {page}–{continued.page}{printed}"


JOIN = "\n"  # what joins a passage's text across a page break


def passage_parts(text: str, char_start: int, char_end: int,
                  continued: Continuation | None) -> list[tuple[str, int, int]]:
    """The verbatim pieces of a passage's text: (piece, start, end) on its page, then on the
    next page when it is continued there."""
    if continued is None:
        return [(text, char_start, char_end)]
    first = char_end - char_start
    return [(text[:first], char_start, char_end),
            (text[first + len(JOIN):], continued.char_start, continued.char_end)]


@dataclass(frozen=True)
class Hit:
    """One ranked passage of an answer."""

    rank: int
    score: float
    relevance: float
    text: str
    highlights: tuple[Span, ...]
    citation: Citation
    passage_id: int
    rerank_score: float | None = None  # the cross-encoder's logit, when it read the passage


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    mode: str
    results: tuple[Hit, ...] = field(default_factory=tuple)
    message: str | None = None
    missing_names: tuple[str, ...] = ()  # names in the question that no source mentions

    def to_json(self) -> dict:
        """The documented `--json` object (one per question)."""
        out: dict = {
            "question": self.question,
            "answered": self.answered,
            "mode": self.mode,
            "missing_names": list(self.missing_names),
            "results": [
                {
                    "rank": h.rank,
                    "score": round(h.score, 6),
                    "relevance": round(h.relevance, 4),
                    "text": h.text,
                    "highlights": [list(s) for s in h.highlights],
                    "citation": asdict(h.citation),
                    **({"rerank_score": round(h.rerank_score, 4)}
                       if h.rerank_score is not None else {}),
                }
                for h in self.results
            ],
        }
        if self.message:
            out["message"] = self.message
        return out
