"""HTML for the web UI, built by hand: every piece of source or user text goes through escape().

Pure functions of plain data (answers as their `to_json()` dicts), so they are easy to test.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from askrel.records import Continuation, page_place

if TYPE_CHECKING:
    from askrel.web.documents import ShownText

Span = tuple[int, int]
_LINE_BREAKS = re.compile(r"(\s*\n\s*)")

MODE_NAMES = {"dense": "meaning", "bm25": "words (BM25)", "hybrid": "meaning + words"}
MISS_CHARS = 280  # the evaluation's misses table shows this much of each passage


def escape(value: object) -> str:
    """Text made safe to place in HTML content or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def clean_spans(spans: Iterable[Sequence[int]], length: int) -> list[Span]:
    """Spans clipped to [0, length], sorted, with overlaps merged and empty ones dropped."""
    clipped = sorted((max(0, int(s)), min(length, int(e))) for s, e in spans)
    merged: list[Span] = []
    for start, end in clipped:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, spans: Iterable[Sequence[int]], css_class: str = "hl") -> str:
    """`text` with each span wrapped in <mark>; the pieces around the marks are escaped apart.

    A span is marked line by line, so blank lines inside it show no empty highlight.
    """
    out, last = [], 0
    for start, end in clean_spans(spans, len(text)):
        out.append(escape(text[last:start]))
        for piece in _LINE_BREAKS.split(text[start:end]):
            if piece.strip():
                out += [f'<mark class="{css_class}">', escape(piece), "</mark>"]
            else:
                out.append(escape(piece))
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


# ---------------------------------------------------------------- Markdown as clean text

MARKDOWN_SUFFIXES = (".md", ".markdown")
# Markdown syntax that is hidden when a .md source is shown: heading and quote markers, a
# heading's underline ("Usage" over "-----"), the delimiters of bold text and code when they
# come in pairs on a line, and the brackets and address of a link (its text stays). Anything
# else is shown as written.
_MD_LINES = re.compile(r"^[ \t]{0,3}(#{1,6}[ \t]+)|^[ \t]{0,3}(>[ \t]?)"
                       r"|(?<=\S)(\n[ \t]{0,3}(?:={3,}|-{3,}))[ \t]*$", re.MULTILINE)
_MD_PAIRS = re.compile(r"(?<![\w\\])(\*\*|__)(?=\S)[^\n]*?(?<=\S)(\1)(?!\w)|(`+)[^`\n]+?(\3)")
_MD_LINKS = re.compile(r"(!?\[)[^\]\n]*(\]\([^)\s]*\))")


def is_markdown(source: str) -> bool:
    return source.lower().endswith(MARKDOWN_SUFFIXES)


def markdown_syntax(text: str) -> list[Span]:
    """The spans of Markdown syntax in `text` (hidden when shown as clean text)."""
    spans: list[Span] = []
    for pattern in (_MD_LINES, _MD_PAIRS, _MD_LINKS):
        for m in pattern.finditer(text):
            spans += [m.span(g) for g in range(1, (m.lastindex or 0) + 1) if m.group(g)]
    return spans


def without_spans(text: str, hidden: Sequence[Span]) -> tuple[str, list[int]]:
    """`text` with the hidden spans left out, and for each kept character its old offset."""
    drop: set[int] = set()
    for start, end in hidden:
        drop.update(range(start, end))
    keep = [i for i in range(len(text)) if i not in drop]
    return "".join(text[i] for i in keep), keep


def moved(span: Sequence[int], keep: Sequence[int]) -> Span:
    """A span of the original text as a span of the text with characters left out."""
    import bisect

    return bisect.bisect_left(keep, int(span[0])), bisect.bisect_left(keep, int(span[1]))


def clean_markdown(text: str, spans: Iterable[Sequence[int]] = ()) -> tuple[str, list[Span]]:
    """Markdown text as clean text, with spans of it moved to match."""
    clean, keep = without_spans(text, markdown_syntax(text))
    return clean, [moved(s, keep) for s in spans]


# ---------------------------------------------------------------- citations and relevance


def file_name(source: str) -> str:
    return PurePosixPath(source.replace("\\", "/")).name or source


def place(citation: dict[str, Any]) -> str:
    """Where in the source the passage is: a page (and section) for PDFs, else a character
    range."""
    if citation.get("page"):
        section = citation.get("section")
        continued = citation.get("continued")
        where = page_place(citation["page"], citation.get("page_label"),
                           Continuation(**continued) if continued else None)
        return where + (f", {section}" if section else "")
    return f"characters {citation['char_start']:,}–{citation['char_end']:,}"


def title_of(citation: dict[str, Any]) -> str:
    """The source's title; else its first heading (`display_title`); else its file name."""
    return str(citation.get("title") or citation.get("display_title")
               or file_name(citation["source"]))


def web_link(url: str | None, label: str | None = None) -> str:
    """An http(s) address as a link that opens apart from the page; anything else as nothing."""
    url = str(url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        return ""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or url
    return (f'<a class="cite-link" href="{escape(url)}" target="_blank" '
            f'rel="noopener noreferrer">{escape(label or host)}'
            '<span class="visually-hidden"> (opens in a new tab)</span></a>')


def citation_line(citation: dict[str, Any]) -> str:
    """'Title · by Author · Publisher, date · page and section · link' as escaped HTML; the
    file and character range are in the viewer and in the line's tooltip."""
    parts = [f'<span class="cite-title">{escape(title_of(citation))}</span>']
    if citation.get("author"):
        parts.append(f"by {escape(citation['author'])}")
    who = ", ".join(x for x in (citation.get("publisher"), citation.get("date")) if x)
    if who:
        parts.append(escape(who))
    if citation.get("page"):
        parts.append(escape(place(citation)))
    link = web_link(citation.get("url"))
    if link:
        parts.append(link)
    return '<span class="sep"> · </span>'.join(parts)


def citation_tooltip(citation: dict[str, Any]) -> str:
    """The file and the exact place, for the citation's tooltip."""
    return f"{citation['source']} · {place(citation)}"


BAND_LABELS = {"best": "best match", "relevant": "relevant", "weak": "less relevant",
               "closest": "closest, not an answer"}


def bands(results: Sequence[dict[str, Any]], answered: bool, threshold: float) -> list[str]:
    """How each ranked passage is shown, in ranking order: the first of an answer is the best
    match; those after it stay relevant while they reach the calibrated threshold, and once
    one does not, it and all below it are less relevant. An unanswered question has only
    closest passages."""
    if not answered:
        return ["closest"] * len(results)
    out: list[str] = []
    for n, hit in enumerate(results):
        if n == 0:
            out.append("best")
        elif out[-1] != "weak" and float(hit["relevance"]) >= threshold:
            out.append("relevant")
        else:
            out.append("weak")
    return out


def bar_widths(scores: Sequence[float]) -> list[int]:
    """Bar lengths (percent) that follow the ranking scores: the top one full, the others by
    how far below it they score, none empty."""
    if not scores:
        return []
    top, low = max(scores), min(scores)
    spread = top - low
    if spread <= 1e-9:
        return [100] * len(scores)
    floor = low - spread / 3  # the lowest shown passage still gets a visible bar
    return [max(8, round(100 * (s - floor) / (top - floor))) for s in scores]


def relevance_cue(hit: dict[str, Any], band: str, width: int) -> str:
    """The cue of one passage: a bar that follows the ranking, a word for the band, and the
    numbers on hover or focus."""
    label = BAND_LABELS[band]
    numbers = f"ranking score {float(hit['score']):.3f}, similarity {float(hit['relevance']):.2f}"
    return (f'<span class="rel rel-{band}" role="note" tabindex="0" title="{escape(numbers)}" '
            f'aria-label="{escape(label)}; {escape(numbers)}">'
            f'<span class="rel-bar" aria-hidden="true"><span style="width:{int(width)}%">'
            f'</span></span><span aria-hidden="true">{escape(label)}</span>'
            f'<span class="rel-score" aria-hidden="true">{escape(numbers)}</span></span>')


# ---------------------------------------------------------------- the conversation


def passage_html(hit: dict[str, Any], css_class: str = "hl") -> str:
    """A passage's text with its answer marked (a Markdown source as clean text)."""
    text, spans = hit["text"], hit["highlights"]
    if is_markdown(hit["citation"]["source"]):
        text, spans = clean_markdown(text, spans)
    return mark(text, spans, css_class)


def card_id(turn: int, rank: int) -> str:
    return f"t{int(turn)}-c{int(rank)}"


def card(hit: dict[str, Any], turn: int, band: str = "best", width: int = 100) -> str:
    """One ranked passage: rank, relevance, the passage with its answer marked, the citation."""
    rank = int(hit["rank"])
    title = title_of(hit["citation"])
    faint = band in ("weak", "closest")
    return (
        f'<li class="card band-{band}" id="{card_id(turn, rank)}" tabindex="-1" '
        f'data-rank="{rank}">'
        f'<div class="card-head"><span class="rank" aria-label="Passage {rank}">{rank}</span>'
        f"{relevance_cue(hit, band, width)}"
        f'<button type="button" class="open-source" data-action="open" data-turn="{int(turn)}" '
        f'data-rank="{rank}" aria-label="Open passage {rank} in source: {escape(title)}">'
        "Open in source</button></div>"
        f'<div class="passage">{passage_html(hit, "hl-faint" if faint else "hl")}</div>'
        f'<div class="cite" title="{escape(citation_tooltip(hit["citation"]))}">'
        f'{citation_line(hit["citation"])}</div></li>'
    )


GLANCE_SENTENCES = 3
GLANCE_CHARS = 320


def marked_sentences(hit: dict[str, Any]) -> list[str]:
    """The marked stretches of a passage (spans split only by spaces joined), as clean text."""
    text, spans = hit["text"], hit["highlights"]
    if is_markdown(hit["citation"]["source"]):
        text, spans = clean_markdown(text, spans)
    out: list[list[int]] = []
    for start, end in clean_spans(spans, len(text)):
        if out and not text[out[-1][1]:start].strip():
            out[-1][1] = end
        else:
            out.append([start, end])
    return [" ".join(text[a:b].split()) for a, b in out if text[a:b].strip()]


def glance_html(results: Sequence[dict[str, Any]], kinds: Sequence[str], turn: int) -> str:
    """The answer at a glance: the marked sentence of each of the best few relevant passages,
    quoted, each with a numbered chip that jumps to its card."""
    items: list[str] = []
    for hit, band in zip(results, kinds, strict=True):
        if band not in ("best", "relevant") or len(items) >= GLANCE_SENTENCES:
            continue
        sentences = marked_sentences(hit)
        if not sentences:
            continue
        quote = sentences[0]
        if len(quote) > GLANCE_CHARS:
            quote = quote[:GLANCE_CHARS].rsplit(" ", 1)[0] + " …"
        rank = int(hit["rank"])
        items.append(
            f'<li><q>{escape(quote)}</q> <a class="chip" href="#{card_id(turn, rank)}" '
            f'data-card="{card_id(turn, rank)}" aria-label="Go to passage {rank}: '
            f'{escape(title_of(hit["citation"]))}">{rank}</a></li>')
    if not items:
        return ""
    return ('<div class="glance"><h2 class="glance-title">At a glance</h2>'
            f'<ul class="glance-list">{"".join(items)}</ul></div>')


def _context_html(turn: dict[str, Any], number: int) -> str:
    """How the question was searched (with the conversation or alone), why, and the button to
    ask it the other way."""
    thread = [str(h) for h in turn.get("thread") or []]
    reason = turn.get("reason")
    why = f" — {escape(reason)}" if reason else ""
    if turn.get("history"):
        quoted = " · ".join(f"“{escape(h)}”" for h in turn["history"])
        return (f'<p class="context">Searched with: {quoted} (a follow-up){why}. '
                f'<button type="button" class="redo" data-action="alone" data-turn="{number}">'
                "Ask it on its own</button></p>")
    if not thread:
        return ""
    last = escape(thread[-1])
    return (f'<p class="context">Searched on its own{why}. '
            f'<button type="button" class="redo" data-action="follow" data-turn="{number}" '
            f'aria-label="Ask it as a follow-up of: {last}">Ask it as a follow-up</button></p>')


def announcement(answer: dict[str, Any], kinds: Sequence[str]) -> str:
    """What a screen reader hears when an answer arrives."""
    if answer.get("error"):
        return f"Not searched: {answer['error']}"
    asked = str(answer["question"]).rstrip(" ?.!") + "?"
    if not answer.get("answered"):
        return f"No answer found for: {asked}"
    relevant = sum(1 for k in kinds if k in ("best", "relevant"))
    best = marked_sentences(answer["results"][0]) if answer["results"] else []
    return (f"Answer to: {asked} {relevant} relevant passage"
            f"{'s' if relevant != 1 else ''}." + (f" Best: {best[0]}" if best else ""))


def turn_html(turn: dict[str, Any], number: int) -> str:
    """A question and its answer: how it was searched, the answer at a glance, the relevant
    cards, and the less relevant ones folded away."""
    answer = turn["answer"]
    results = answer.get("results") or []
    kinds = bands(results, bool(answer.get("answered")), float(turn.get("threshold", 0.0)))
    state = "answered" if answer.get("answered") else "unanswered"
    parts = [f'<section class="turn {state}" id="turn-{number}" '
             f'data-announce="{escape(announcement(answer, kinds))}" '
             f'aria-label="Question {number + 1}">',
             '<div class="question"><span class="who">You asked</span>'
             f'<p class="asked">{escape(answer["question"])}</p>', _context_html(turn, number)]
    narrowed = []
    if answer.get("mode", "hybrid") != "hybrid":
        narrowed.append(f"{escape(MODE_NAMES.get(answer['mode'], answer['mode']))} only")
    if turn.get("sources"):
        narrowed.append("only in " + ", ".join(escape(file_name(x)) for x in turn["sources"]))
    if narrowed:
        parts.append(f'<p class="context">Searched {" · ".join(narrowed)}.</p>')
    parts.append("</div>")
    if answer.get("error"):
        parts.append(f'<p class="notice notice-error">{escape(answer["error"])}</p></section>')
        return "".join(parts)
    if not answer["answered"]:
        parts.append('<p class="notice notice-unanswered"><strong>No answer found.</strong> '
                     f'{escape(answer.get("message") or "")}</p>')
    elif answer.get("message"):
        parts.append(f'<p class="notice">{escape(answer["message"])}</p>')
    parts.append(glance_html(results, kinds, number))
    widths = bar_widths([float(h["score"]) for h in results])
    shown = [card(h, number, k, w) for h, k, w in zip(results, kinds, widths, strict=True)
             if k in ("best", "relevant")]
    folded = [card(h, number, k, w) for h, k, w in zip(results, kinds, widths, strict=True)
              if k not in ("best", "relevant")]
    label = escape(answer["question"])
    if shown:
        parts.append(f'<ol class="cards" aria-label="Passages for: {label}">{"".join(shown)}</ol>')
    if folded:
        n = len(folded)
        summary = (f"{n} less relevant passage{'s' if n != 1 else ''}" if shown else
                   f"The {n} closest passage{'s' if n != 1 else ''} (not an answer)")
        parts.append(f'<details class="less-relevant"><summary>{summary}</summary>'
                     f'<ol class="cards" start="{len(shown) + 1}" '
                     f'aria-label="Less relevant passages for: {label}">{"".join(folded)}</ol>'
                     "</details>")
    if not results and not answer.get("message"):
        parts.append('<p class="notice">No passages found.</p>')
    parts.append("</section>")
    return "".join(parts)


EMPTY_CONVERSATION = (
    '<div class="empty-state"><p class="lead">Ask a question about your sources.</p>'
    "<p>Every answer is a ranked list of passages quoted word for word from the sources, "
    "with the answering sentence highlighted and an exact citation. Nothing is generated. "
    "A question that refers back (“and what about…”, “how did they respond?”) is searched "
    "together with the earlier ones; a new topic is searched on its own.</p></div>"
)


def conversation_html(turns: Sequence[dict[str, Any]]) -> str:
    if not turns:
        return EMPTY_CONVERSATION
    return ('<div class="conversation">'
            + "".join(turn_html(t, n) for n, t in enumerate(turns)) + "</div>")


def status_html(message: str | None, kind: str = "error") -> str:
    return f'<p class="status status-{kind}">{escape(message)}</p>' if message else ""


# ---------------------------------------------------------------- the source viewer


def meta_header(meta: dict[str, Any], source: str, where: str) -> str:
    """The source's metadata above its text; a URL is a link only when it is http(s)."""
    title = meta.get("title") or meta.get("display_title") or file_name(source)
    byline = " · ".join(escape(x) for x in (meta.get("publisher"),
                                            f"by {meta['author']}" if meta.get("author") else None,
                                            meta.get("date")) if x)
    out = [f'<header class="doc-meta"><h3>{escape(title)}</h3>']
    if byline:
        out.append(f'<p class="byline">{byline}</p>')
    url = str(meta.get("url") or "")
    if url.lower().startswith(("http://", "https://")):
        out.append(f'<p class="doc-url"><a href="{escape(url)}" target="_blank" '
                   f'rel="noopener noreferrer nofollow">{escape(url)}'
                   '<span class="visually-hidden"> (opens in a new tab)</span></a></p>')
    out.append(f'<p class="doc-where">{escape(source)}<span class="sep"> · </span>'
               f"{escape(where)}</p></header>")
    return "".join(out)


def as_clean_markdown(part: ShownText) -> ShownText:
    """A shown text unit of a Markdown source as clean text, its spans moved to match."""
    from dataclasses import replace

    text, keep = without_spans(part.text, markdown_syntax(part.text))
    return replace(part, text=text, shown=moved(part.shown, keep),
                   passage=moved(part.passage, keep) if part.passage else None,
                   answer_spans=tuple(moved(s, keep) for s in part.answer_spans))


def view_body_html(parts: Sequence[ShownText], markdown: bool = False) -> str:
    """The shown text units of a source view in one scrolling body: the cited page, then,
    after a divider naming it, the next page when the passage goes on there.

    Each part's `passage` and `answer_spans` are offsets into its `text`; only
    `text[shown[0]:shown[1]]` is rendered, as escaped pieces. The passage is marked line by
    line inside one span.
    """
    if markdown:
        parts = [as_clean_markdown(part) for part in parts]
    inner = "".join((page_break_html(part.heading) if part.heading else "")
                    + _marked_text(part.text, part.shown, part.passage, part.answer_spans)
                    for part in parts)
    # focusable, so the text can be scrolled from the keyboard
    return (f'<div class="doc-body" tabindex="0" role="region" aria-label="Source text">{inner}'
            "</div>")


def _marked_text(text: str, shown: Span, passage: Span | None,
                 answer_spans: Sequence[Span]) -> str:
    lo, hi = shown
    if passage is None:
        return escape(text[lo:hi])
    start, end = max(lo, passage[0]), min(hi, passage[1])
    cited, offset = [], start
    for piece in _LINE_BREAKS.split(text[start:end]):
        if piece.strip():
            local = [(s - offset, e - offset) for s, e in answer_spans]
            cited.append(f'<mark class="cited">{mark(piece, local, "hl")}</mark>')
        else:
            cited.append(escape(piece))
        offset += len(piece)
    return (escape(text[lo:start]) + '<span class="cited-passage">' + "".join(cited)
            + "</span>" + escape(text[end:hi]))


def page_break_html(page: str) -> str:
    """The divider before the next page, where a passage goes on over a page break."""
    return f'<p class="page-break">{escape(page)}</p>'


def viewer_html(header: str, body: str, notes: Sequence[str] = ()) -> str:
    notes_html = "".join(f'<p class="notice">{escape(n)}</p>' for n in notes)
    return f'<article class="viewer">{header}{notes_html}{body}</article>'


VIEWER_EMPTY = ('<div class="viewer-empty">Press “Open in source” on a passage to read it in '
                "its source.</div>")


# ---------------------------------------------------------------- sources and index


def when(iso: str | None) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM UTC' (left as it is if it does not parse)."""
    from datetime import UTC, datetime

    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.tzinfo else "")


def index_facts_html(manifest: dict[str, Any], index_dir: str, recut: bool = False) -> str:
    """The index's facts; with `recut`, a notice that its passages were cut by another
    version of askrel."""
    rows = [("Model", manifest.get("model")),
            ("Sources", len(manifest.get("sources", {}))),
            ("Passages", f"{int(manifest.get('passages', 0)):,}"),
            ("Built", when(manifest.get("built_at"))),
            ("Index folder", index_dir)]
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in rows)
    notice = ('<p class="notice">These passages were cut from the sources by another version '
              "of askrel. Rebuild cuts them anew.</p>" if recut else "")
    return f'<h2 class="panel-title">Index</h2><dl class="facts">{items}</dl>{notice}'


STATUS_TEXT = {"indexed": "Indexed", "changed": "Changed since indexed: rebuild",
               "missing": "File gone: rebuild to remove", "waiting": "Not indexed yet: rebuild"}


def _source_actions(source: str, title: str, *, can_open: bool, manage: bool) -> str:
    """The row's buttons: open it, and delete it (after a confirmation in the row)."""
    out = []
    if can_open:
        out.append(f'<button type="button" class="src-button" data-action="open" '
                   f'data-source="{escape(source)}" aria-label="Open source: {escape(title)}">'
                   "Open</button>")
    if manage:
        out.append(
            f'<button type="button" class="src-button src-delete" data-action="ask-delete" '
            f'aria-label="Delete source: {escape(title)}">Delete…</button>'
            f'<span class="confirm" hidden>Delete <code>{escape(file_name(source))}</code> '
            "from the sources folder and rebuild the index? "
            f'<button type="button" class="src-button danger" data-action="delete" '
            f'data-source="{escape(source)}">Delete</button> '
            '<button type="button" class="src-button" data-action="cancel">Cancel</button>'
            "</span>")
    return "".join(out)


def sources_table_html(rows: Sequence[dict[str, Any]], waiting: Sequence[str] = (),
                       status: dict[str, str] | None = None, manage: bool = False,
                       titles: dict[str, str] | None = None) -> str:
    """The sources, one row each with its status, passages, true indexed time and actions;
    files in the folder but not yet indexed follow as rows of their own."""
    status = status or {}
    titles = titles or {}
    head = "".join(f"<th>{h}</th>" for h in
                   ("Title and file", "Author", "Publisher", "Date", "Passages", "Indexed",
                    "Status", '<span class="visually-hidden">Actions</span>'))
    lines = []
    for r in rows:
        title = r.get("title") or titles.get(r["source"]) or file_name(r["source"])
        state = status.get(r["source"], "indexed")
        actions = _source_actions(r["source"], title, can_open=True,
                                  manage=manage and state != "missing")
        lines.append(
            f'<tr data-source="{escape(r["source"])}">'
            f'<td data-label="Title" class="title">{escape(title)}'
            f'<span class="file">{escape(r["source"])}</span></td>'
            f'<td data-label="Author">{escape(r.get("author") or "—")}</td>'
            f'<td data-label="Publisher">{escape(r.get("publisher") or "—")}</td>'
            f'<td data-label="Date">{escape(r.get("date") or "—")}</td>'
            f'<td data-label="Passages" class="num">{int(r.get("passages") or 0):,}</td>'
            f'<td data-label="Indexed">{escape(when(r.get("indexed_at")))}</td>'
            f'<td data-label="Status" class="status status-{state}">'
            f'{escape(STATUS_TEXT[state])}</td>'
            f'<td class="actions">{actions}</td>'
            "</tr>")
    for w in waiting:
        actions = _source_actions(w, file_name(w), can_open=False, manage=manage)
        lines.append(
            f'<tr data-source="{escape(w)}"><td data-label="Title" class="title">'
            f'{escape(file_name(w))}<span class="file">{escape(w)}</span></td>'
            '<td data-label="Author">—</td>'
            '<td data-label="Publisher">—</td><td data-label="Date">—</td>'
            '<td data-label="Passages" class="num">0</td><td data-label="Indexed">—</td>'
            f'<td data-label="Status" class="status status-waiting">{STATUS_TEXT["waiting"]}</td>'
            f'<td class="actions">{actions}</td></tr>')
    body = "".join(lines) or '<tr><td colspan="8">No sources are indexed.</td></tr>'
    return (f'<h2 class="panel-title">Sources</h2><div class="table-wrap"><table class="sources">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


MAX_PANEL_PASSAGES = 300


def source_panel_html(row: dict[str, Any], passages: Sequence[Any], state: str,
                      title: str) -> str:
    """One source opened from the Sources tab: its metadata, status and passages in order."""
    source = row["source"]
    meta = {k: row.get(k) for k in ("title", "publisher", "author", "date", "url")}
    meta["display_title"] = title
    where = (f"{int(row.get('passages') or 0):,} passages · indexed "
             f"{when(row.get('indexed_at'))} · {STATUS_TEXT[state]}")
    items: list[str] = []
    for n, p in enumerate(passages[:MAX_PANEL_PASSAGES], start=1):
        text = p.text
        if is_markdown(source):
            text, _ = clean_markdown(text)
        at = place({"page": p.page, "page_label": p.page_label, "section": p.heading
                    if p.page is not None else None, "char_start": p.char_start,
                    "char_end": p.char_end, "continued": None})
        items.append(f'<li><p class="where">Passage {n} · {escape(at)}</p>'
                     f'<div class="passage">{escape(text)}</div></li>')
    more = len(passages) - MAX_PANEL_PASSAGES
    note = (f'<p class="notice">The first {MAX_PANEL_PASSAGES:,} passages are shown; '
            f"{more:,} more follow in the source.</p>" if more > 0 else "")
    return (f'<article class="viewer source-panel">{meta_header(meta, source, where)}{note}'
            f'<ol class="passage-list" aria-label="Passages of {escape(title)}">'
            f'{"".join(items)}</ol></article>')


def build_report_html(report: Any) -> str:
    """A BuildReport for people: what changed, and each file that could not be indexed, why."""
    counts = [f"{len(report.added)} added", f"{len(report.updated)} updated",
              f"{len(report.removed)} removed", f"{len(report.unchanged)} unchanged"]
    if report.skipped:
        counts.append(f"{len(report.skipped)} skipped")
    state = "Index updated" if report.changed else "Index already up to date"
    out = [f'<div class="report"><p><strong>{state}</strong>: {int(report.passages):,} passages, '
           f"{escape(report.model)}, {report.seconds:.1f} s. Sources: {', '.join(counts)}.</p>"]
    if report.reembedded_all:
        out.append(f"<p>{escape(report.reembedded_all)}</p>")
    lists = [("Added", report.added), ("Updated", report.updated), ("Removed", report.removed)]
    for label, names in lists:
        if names:
            out.append(f"<p>{label}: " + ", ".join(f"<code>{escape(n)}</code>" for n in names)
                       + "</p>")
    if report.skipped:
        out.append("<ul>" + "".join(f"<li><code>{escape(p.source)}</code>: {escape(p.reason)}</li>"
                                    for p in report.skipped) + "</ul>")
    if report.problems:
        out.append(f'<div class="notice notice-error"><p><strong>{len(report.problems)} file(s) '
                   "could not be indexed</strong> (the others were):</p><ul>"
                   + "".join(f"<li><code>{escape(p.source)}</code>: {escape(p.reason)}</li>"
                             for p in report.problems) + "</ul></div>")
    out.append("</div>")
    return "".join(out)


def messages_html(lines: Sequence[tuple[str, str]]) -> str:
    """(kind, text) lines as a list; kind is 'ok' or 'error'."""
    if not lines:
        return ""
    return '<ul class="messages">' + "".join(
        f'<li class="msg-{escape(kind)}">{escape(text)}</li>' for kind, text in lines) + "</ul>"


def misses_html(misses: Sequence[dict[str, Any]]) -> str:
    """Evaluation misses as a table: the question, what was expected, what came first."""
    title = '<h3 class="panel-title">Misses</h3>'
    if not misses:
        return f'{title}<p class="muted">None: every answerable question had an answer first.</p>'
    known = (("Mode", "mode"), ("Question", "question"), ("Expected", "expected"),
             ("Answer at rank", "answer_rank"), ("First passage", "first"))
    columns = [c for c in known if any(c[1] in m for m in misses)]
    head = "".join(f"<th>{label}</th>" for label, _ in columns)
    rows = [m | {"question": f"{m.get('question')} (after: {' / '.join(m['history'])})"}
            if m.get("history") else m for m in misses]
    body = "".join(
        "<tr>" + "".join(f'<td data-label="{label}">{escape(_short(_plain(m.get(key))))}</td>'
                         for label, key in columns) + "</tr>"
        for m in rows)
    return (f'{title}<p class="muted">{len(misses)} answerable question runs whose first passage '
            'does not hold an answer.</p><div class="table-wrap scroll">'
            f'<table class="misses"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _short(text: str, limit: int = MISS_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _plain(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
