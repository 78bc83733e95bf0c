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

STRONG_MARGIN = 0.15  # relevance this far above the answer threshold reads as a strong match
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


def citation_line(citation: dict[str, Any]) -> str:
    """'Title — Publisher, date · place · file' as escaped HTML."""
    name = file_name(citation["source"])
    who = ", ".join(x for x in (citation.get("publisher"), citation.get("date")) if x)
    head = (f'<span class="cite-title">{escape(citation["title"])}</span>'
            if citation.get("title") else "")
    if who:
        head += f" — {escape(who)}" if head else escape(who)
    tail = (f'{escape(place(citation))}<span class="sep"> · </span>'
            f'<span class="cite-file">{escape(name)}</span>')
    return f'{head}<span class="sep"> · </span>{tail}' if head else tail


def relevance_band(relevance: float, threshold: float) -> str:
    """'strong', 'partial' or 'weak': how well a passage matches, against the answer threshold."""
    if relevance >= threshold + STRONG_MARGIN:
        return "strong"
    if relevance >= threshold:
        return "partial"
    return "weak"


def relevance_cue(relevance: float, threshold: float) -> str:
    band = relevance_band(relevance, threshold)
    width = round(100 * min(1.0, max(0.0, relevance)) / max(threshold + 2 * STRONG_MARGIN, 0.01))
    width = min(100, max(4, width))
    return (f'<span class="rel rel-{band}" title="relevance {relevance:.2f}">'
            f'<span class="rel-bar" aria-hidden="true"><span style="width:{width}%"></span></span>'
            f"{band} match</span>")


# ---------------------------------------------------------------- the conversation


def card(hit: dict[str, Any], threshold: float, turn: int) -> str:
    """One ranked passage: rank, relevance, the passage with its answer marked, the citation."""
    return (
        f'<li class="card" data-rank="{int(hit["rank"])}">'
        f'<div class="card-head"><span class="rank">{int(hit["rank"])}</span>'
        f"{relevance_cue(float(hit['relevance']), threshold)}"
        f'<button type="button" class="open-source" data-turn="{turn}" '
        f'data-rank="{int(hit["rank"])}">Open in source</button></div>'
        f'<div class="passage">{mark(hit["text"], hit["highlights"])}</div>'
        f'<div class="cite">{citation_line(hit["citation"])}</div></li>'
    )


def turn_html(turn: dict[str, Any], number: int) -> str:
    """A question and its answer: a plain notice when unanswered, then the ranked cards."""
    answer = turn["answer"]
    state = "answered" if answer.get("answered") else "unanswered"
    parts = [f'<section class="turn {state}" id="turn-{number}">',
             '<div class="question"><span class="who">You asked</span>'
             f'<p>{escape(answer["question"])}</p>']
    if turn.get("history"):
        parts.append('<p class="context">Follow-up; searched together with: '
                     + " · ".join(f"“{escape(h)}”" for h in turn["history"]) + "</p>")
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
    if answer["results"]:
        parts.append(f'<ol class="cards" aria-label="Passages for: {escape(answer["question"])}">')
        parts += [card(hit, turn["threshold"], number) for hit in answer["results"]]
        parts.append("</ol>")
    elif answer["answered"] is False and not answer.get("message"):
        parts.append('<p class="notice">No passages found.</p>')
    parts.append("</section>")
    return "".join(parts)


EMPTY_CONVERSATION = (
    '<div class="empty-state"><p class="lead">Ask a question about your sources.</p>'
    "<p>Every answer is a ranked list of passages quoted word for word from the sources, "
    "with the answering sentence highlighted and an exact citation. Nothing is generated. "
    "Follow-up questions are searched in the light of the earlier ones.</p></div>"
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
    title = meta.get("title") or file_name(source)
    byline = " · ".join(escape(x) for x in (meta.get("publisher"),
                                            f"by {meta['author']}" if meta.get("author") else None,
                                            meta.get("date")) if x)
    out = [f'<header class="doc-meta"><h3>{escape(title)}</h3>']
    if byline:
        out.append(f'<p class="byline">{byline}</p>')
    url = str(meta.get("url") or "")
    if url.lower().startswith(("http://", "https://")):
        out.append(f'<p class="doc-url"><a href="{escape(url)}" target="_blank" '
                   f'rel="noopener noreferrer nofollow">{escape(url)}</a></p>')
    out.append(f'<p class="doc-where">{escape(source)}<span class="sep"> · </span>'
               f"{escape(where)}</p></header>")
    return "".join(out)


def view_body_html(parts: Sequence[ShownText]) -> str:
    """The shown text units of a source view in one scrolling body: the cited page, then,
    after a divider naming it, the next page when the passage goes on there.

    Each part's `passage` and `answer_spans` are offsets into its `text`; only
    `text[shown[0]:shown[1]]` is rendered, as escaped pieces. The passage is marked line by
    line inside one span.
    """
    inner = "".join((page_break_html(part.heading) if part.heading else "")
                    + _marked_text(part.text, part.shown, part.passage, part.answer_spans)
                    for part in parts)
    return f'<div class="doc-body">{inner}</div>'


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


def index_facts_html(manifest: dict[str, Any], index_dir: str) -> str:
    rows = [("Model", manifest.get("model")),
            ("Sources", len(manifest.get("sources", {}))),
            ("Passages", f"{int(manifest.get('passages', 0)):,}"),
            ("Built", when(manifest.get("built_at"))),
            ("Index folder", index_dir)]
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in rows)
    return f'<h2 class="panel-title">Index</h2><dl class="facts">{items}</dl>'


def sources_table_html(rows: Sequence[dict[str, Any]], waiting: Sequence[str] = ()) -> str:
    """The indexed sources, one row each; files not yet indexed are listed under the table."""
    head = "".join(f"<th>{h}</th>" for h in
                   ("Title", "Publisher", "Date", "Passages", "Indexed", "File"))
    body = "".join(
        "<tr>"
        f'<td data-label="Title">{escape(r.get("title") or file_name(r["source"]))}</td>'
        f'<td data-label="Publisher">{escape(r.get("publisher") or "—")}</td>'
        f'<td data-label="Date">{escape(r.get("date") or "—")}</td>'
        f'<td data-label="Passages" class="num">{int(r.get("passages") or 0):,}</td>'
        f'<td data-label="Indexed">{escape(when(r.get("indexed_at")))}</td>'
        f'<td data-label="File" class="file">{escape(r["source"])}</td>'
        "</tr>"
        for r in rows)
    if not rows:
        body = '<tr><td colspan="6">No sources are indexed.</td></tr>'
    out = (f'<h2 class="panel-title">Sources</h2><div class="table-wrap"><table class="sources">'
           f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
    if waiting:
        out += ('<p class="notice">In the sources folder but not in the index (rebuild to add '
                "them, or see the rebuild report for why not): "
                + ", ".join(f"<code>{escape(w)}</code>" for w in waiting) + "</p>")
    return out


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
