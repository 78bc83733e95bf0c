"""Separating an article from the web-page chrome saved around it.

Web captures carry cookie notices, menus, paywall prompts, teasers of other articles and
comment forms. These rules are generic (no per-site patterns): a line is chrome when it is a
short interface prompt, a teaser, or a list of promotional bullets next to such a prompt;
everything from a "related articles" or "leave a reply" heading to the end is chrome (a line
that only goes on with a sentence wrapped from the line above is no such heading); and
trailing lines that carry no sentence (tag lists) are chrome. Headings and author bios stay.

The rules that judge one line by its words judge only lines that stand on their own, as a
web page's interface does: a line of code (fenced, or indented deeper than the prose) and, in
a text hard-wrapped at a set width (documentation saved as text), a line of a sentence that
runs on over the line break are running text, whatever their words ("}", "sub make_adder {",
"subscribe to the mailing list by sending").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from askrel.records import Block, Section

_BULLET = re.compile(r"^\s*(?:[•·▪‣◦*\-–]|\d{1,2}[.)])\s+")
_NUMBERED = re.compile(r"\d{1,3}[.)]\s+")  # "12. How do I …?", a FAQ's numbered question
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
# A section's number before its title: "6.6.3. ", "2) ", "(4) ".
_SECTION_NUMBER = re.compile(r"\(?\d+(?:\.\d+)*[.)]?\s")
# The words a line may start with when it goes on with the sentence of the line above.
_GOING_ON = frozenset({"and", "or", "but", "while", "whereas", "which", "because", "so",
                       "then", "whether"})
# A sentence that ends inside a line, three words or more in, and another that starts after it
# ("… last year. Photograph: …"); not "6.2. Limits", "vs. Perl" or "etc. (see below)".
_INNER_SENTENCE_END = re.compile(
    r"^\S+\s+\S+\s+.*?\b(?!etc\b)[A-Za-z][a-z]{2,}[.!?][\"'”’]?\s+[A-Z“\"]")

# Short prompts of a site's interface; a line made only of these is chrome.
_UI_LABELS = re.compile(
    r"(?:more information|close|accept(?: all)?(?: cookies)?|reject(?: all)?|got it|ok(?:ay)?|"
    r"subscribe(?: now| today)?|sign (?:in|up)|log ?in|log out|register|menu|search|share|print|"
    r"e-?mail|tweet|follow us|back to top|home|next|previous|"
    r"(?:skip|jump) to (?:the )?(?:main )?(?:content|navigation|search|menu)|"
    r"read more|continue reading|view all(?: [a-z]+)?|see all(?: [a-z]+)?|load more|"
    r"manage (?:cookies|preferences)|cookie settings|privacy policy|terms of (?:use|service)|"
    r"advertisement|sponsored)",
    re.IGNORECASE,
)
_UI_SEPARATORS = re.compile(r"[\s.|·•/,\-–—]+")

# Phrases that mark a line as interface text wherever they appear in a short line.
_PROMPT = re.compile(
    r"\bcookies?\b|\bsubscri(?:be|ption|ber)s?\b|\bpaywall|\bunlimited access\b|"
    r"\bfree article|\bnewsletter|\bsign (?:in|up)\b|\blog ?in\b|\bcreate (?:an|a free) account\b|"
    r"\balready a (?:member|subscriber)\b|\byou are (?:currently )?(?:viewing|reading)\b|"
    r"\badvertisement\b|\ball rights reserved\b|\bshare (?:this|on)\b|"
    r"\bshare via (?:e-?mail|facebook|twitter|x|whatsapp|linkedin|reddit|sms|link)\b|"
    r"^\s*(?:©|\(c\)(?=.*\b(?:1[89]|20)\d\d\b)|copyright\b)",  # "(c)" with a year, not item (c)
    re.IGNORECASE,
)
# A cookie notice, however long: its first words say the site uses cookies ("We use cookies
# to improve …", "Boing Boing uses cookies and …"), and it points to a policy or settings.
_COOKIE_NOTICE = re.compile(r"^[^.!?]{0,40}\buses? cookies\b", re.IGNORECASE)
_NOTICE_POINTER = re.compile(
    r"\b(?:privacy|cookie|data protection) (?:policy|declaration|statement|notice|settings)\b|"
    r"\b(?:more information|learn more|find out more|read about)\b", re.IGNORECASE)
# Names of icon-font ligatures ("menu_open", "arrow_forward") that captures keep as text.
_ICON_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
# A line of words alone, as an icon's name beside its label is ("menu_open Columnists"); code
# that names a variable or function has other marks too ("sub add_function_generator {").
_WORDS_ONLY = re.compile(r"[^\W\d]+(?:[\s\-'’][^\W\d]+)*")
# A teaser for another page: "Also read: …", "See also: …", "More by …", then the page's title.
_TEASER = re.compile(
    r"^\s*(?:also read|read also|read more|see also|related|recommended|watch|listen|"
    r"more (?:by|from)|further reading)\b\s*[:\-–—]?\s*(\S)",
    re.IGNORECASE,
)
# A heading after which the page shows other articles or comments, never the article.
_TAIL_HEADING = re.compile(  # alone on its line, or as a Markdown heading ("### Comments")
    r"^\s*(?:#{1,6}[ \t]+)?"
    r"(?:related (?:publications|articles|posts|stories|content|reading|news|topics)|"
    r"recommended(?: for you| reading| articles)?|you (?:may|might) also (?:like|enjoy)|"
    r"more (?:stories|articles|news)(?: from [\w .]+)?|read next|popular (?:posts|articles)|"
    r"most (?:read|popular)|leave a (?:reply|comment)|(?:\d+ )?comments?|post a comment|"
    r"join the conversation)\s*:?\s*$",
    re.IGNORECASE,
)
_HAS_WORD = re.compile(r"[^\W\d_]{2,}")
# A Markdown heading line: "## How do I …?" (one to six marks and a space, then words).
ATX_HEADING = re.compile(r"#{1,6}[ \t]+\S")
# A line of one punctuation mark repeated, as reStructuredText and Markdown underline a title.
ADORNMENT = re.compile(r"([=\-~^*+#_\"'`.:])\1{2,}")
# A table-of-contents or index line: a title, dot leaders, a page number.
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*[\divxlc]+\s*$", re.IGNORECASE)
MAX_PROMPT_WORDS = 16
MIN_MENU_LINES = 6  # short lines in a row above the text: a site's menu
MAX_MENU_ITEM_WORDS = 3
_CLOSING_STOP = re.compile(r"[.!?:]\s*$")
MIN_PROSE_WORDS = 6  # a line of at least this many words is prose, or a wrapped piece of it
CODE_INDENT = 2  # columns deeper than the prose that set a line apart as code or a quotation
MIN_WRAPPED_WORDS = 4  # a line of at least this many words may wrap on to the next
HARD_WRAPPED_SHARE = 0.2  # of the lines going on with a sentence: a hard-wrapped text
MAX_HEADING_WORDS = 20
MIN_STANDFIRST_WORDS = 12  # a line this long, mostly in lower case, is a sentence
STANDFIRST_LOWER_SHARE = 0.6
MAX_QUESTION_HEADING_WORDS = 40  # a FAQ's question may run over a few lines
MAX_OPENING_QUESTION_LINES = 3  # and so may one set right above its answer
PAGE_EDGE_LINES = 2  # a page's number sits in its first or last lines
CHAPTER_HEAD_PAGES = 4  # a line at the edge of this many pages in a row is a running head
MAX_FOLIO_LINE_WORDS = 12  # a running head with the page's number: "Chapter 2: Setup 14"
_MARKS = r"[\s\-–—/|.()\[\]]"  # what surrounds a printed page number: "- 17 -", "17/33", "[3]"
_PAGE_NUMBER = re.compile(rf"{_MARKS}*\d{{1,4}}(?:{_MARKS}+\d{{1,4}})?{_MARKS}*")


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str
    starts_paragraph: bool = True  # first line, or a blank line above it
    indent: int = 0  # columns of white space before the text (tabs stop every 8 columns)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def is_bullet(self) -> bool:
        return bool(_BULLET.match(self.text))

    @property
    def is_sentence(self) -> bool:
        return bool(_SENTENCE_END.search(self.text.rstrip()))


def split_lines(text: str, start: int, end: int) -> list[Line]:
    """Non-blank lines of text[start:end], trimmed, as absolute offsets."""
    lines: list[Line] = []
    for match in re.finditer(r"[^\n]+", text[start:end]):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        s = start + match.start() + lead
        opens = not lines or text.count("\n", lines[-1].end, s) >= 2
        columns = raw[:lead].expandtabs(8)
        lines.append(Line(s, s + len(stripped), stripped, opens, len(columns)))
    return lines


def continues_sentence(lines: list[Line], i: int) -> bool:
    """Whether line i only goes on with a sentence wrapped from the line above it.

    It does when it starts with no capital letter and no bullet right under a line (no blank
    line between) of prose, `MIN_WRAPPED_WORDS` words or more, that ends no sentence:
    "… back to Perl code from the Pod" / "comment:", "… more like" / "2.9999999999999995559.".
    A menu's one-word lines ("Share" / "email") and a counter over a date are no prose.
    """
    if i == 0 or lines[i].starts_paragraph:
        return False
    line, above = lines[i], lines[i - 1]
    return (not line.text[:1].isupper() and not line.is_bullet
            and above.words >= MIN_WRAPPED_WORDS and not above.is_sentence)


def prose_indent(lines: list[Line]) -> int:
    """The indentation of the text's prose: the most common one among lines of several words."""
    counts = Counter(line.indent for line in lines if line.words >= MIN_PROSE_WORDS)
    return min(counts, key=lambda indent: (-counts[indent], indent)) if counts else 0


def is_hard_wrapped(lines: list[Line]) -> bool:
    """Whether the text breaks its paragraphs into lines of a set width, as plain-text
    documentation does: `HARD_WRAPPED_SHARE` of its lines or more go on with a sentence from
    the line above. A saved web page writes each paragraph on one line (none do)."""
    joins = sum(continues_sentence(lines, i) for i in range(len(lines)))
    return bool(lines) and joins >= HARD_WRAPPED_SHARE * len(lines)


def running_text(lines: list[Line]) -> list[bool]:
    """For each line, whether it belongs to running text, which no single-line rule judges.

    A line belongs to it when it is a line of code: inside a ``` or ~~~ fence, or indented
    `CODE_INDENT` columns or more deeper than the prose and no bullet (pod2text, man pages,
    plain-text FAQs and Markdown indent their examples so); or, in a hard-wrapped text, when a
    sentence runs on across the line break above or below it (see `continues_sentence`): such
    a paragraph's lines are pieces of sentences, not a page's interface.
    """
    base = prose_indent(lines)
    wrapped_text = is_hard_wrapped(lines)
    fenced = False
    flags: list[bool] = []
    for i, line in enumerate(lines):
        fence = line.text.startswith(("```", "~~~"))
        code = fenced or fence or (line.indent >= base + CODE_INDENT and not line.is_bullet)
        wrapped = wrapped_text and (continues_sentence(lines, i) or (
            i + 1 < len(lines) and continues_sentence(lines, i + 1)))
        flags.append(code or wrapped)
        fenced = fenced != fence
    return flags


def is_ui_label_line(text: str) -> bool:
    """True for a line made only of interface labels, such as 'More information . Close'."""
    rest = _UI_LABELS.sub(" ", text)
    return not _UI_SEPARATORS.sub("", rest) and bool(text.strip())


def is_teaser(text: str) -> bool:
    """A pointer to another page by its title: 'Also read: Ten Things…', 'More by Jane Doe'.

    The title after the cue starts with a capital or a digit, and the line ends with no full
    stop: "See also perlopentut." and "See also the question on sorting." are sentences of
    the text, and 'See also "How can I …?"' points at a question of the same text.
    """
    match = _TEASER.match(text)
    if match is None or text.rstrip().endswith("."):
        return False
    return match.group(1).isupper() or match.group(1).isdigit()


def chrome_rule(line: Line, web_rules: bool = True, at_page_edge: bool = True) -> str | None:
    """The name of the single-line rule that makes a line interface text, or None for writing.

    Without `web_rules` (a PDF page, whose lines are wrapped prose, code and tables) only
    page furniture counts: a page number ("17", "- 17 -", "17/33") in the first or last lines
    of the page (`at_page_edge`), and contents lines with dot leaders. Other lines without
    words are content there: "}", "< 0", "1..99", "2000.".
    """
    if web_rules and not _HAS_WORD.search(line.text):
        return "no-words"  # numbers, dates, counters, punctuation
    if not web_rules and at_page_edge and _PAGE_NUMBER.fullmatch(line.text):
        return "page-number"
    if _DOT_LEADER.search(line.text):
        return "dot-leader"
    if not web_rules:
        return None
    if is_ui_label_line(_BULLET.sub("", line.text)):
        return "ui-label"
    if is_teaser(_BULLET.sub("", line.text)) and line.words <= MAX_PROMPT_WORDS:
        return "teaser"
    if (line.words <= 4 and _ICON_NAME.search(line.text)
            and _WORDS_ONLY.fullmatch(_BULLET.sub("", line.text))):
        return "icon-name"  # an icon name beside a label: "menu_open Columnists"
    if (line.words <= MAX_PROMPT_WORDS and _PROMPT.search(line.text)
            and not is_lower_case_sentence(line)):
        return "prompt"
    if _COOKIE_NOTICE.search(line.text) and _NOTICE_POINTER.search(line.text):
        return "cookie-notice"
    return None


def is_lower_case_sentence(line: Line) -> bool:
    """A sentence, or the end of one, that starts in lower case: "or if your login shell is
    csh, put this in .login:". Interface text starts with a capital ("Log in to read on")
    or ends without a stop ("already a member? log in")."""
    first = re.search(r"[^\W\d_]", line.text)
    return (line.words >= MIN_PROSE_WORDS and line.is_sentence and first is not None
            and first.group().islower() and not line.text[:first.start()].strip("([\"'‘“ "))


def is_chrome_line(line: Line, web_rules: bool = True, at_page_edge: bool = True) -> bool:
    """A single line that is interface text rather than writing (see `chrome_rule`)."""
    return chrome_rule(line, web_rules, at_page_edge) is not None


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


# A page number in lower-case roman numerals (i to xxxix), as front matter numbers its pages,
# when it opens or closes a line or stands alone: "CLIPS Basic Programming Guide xi", "xiv
# Preface", "iii". A single letter that opens a line or stands alone is a word, a variable or
# a plot's label ("i = 0", "x").
_ROMAN_AT_EDGE = re.compile(r"^(?=[ivx])(?![ivx](?:\s|$))x{0,3}(?:ix|iv|v?i{0,3})(?=\s|$)"
                            r"|(?<=\s)(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})$")


def line_key(text: str) -> str:
    """A line with its numbers blanked, so "Page 3 of 40" and "Page 4 of 40" compare equal,
    and "Guide xi" (a page of the front matter) equals "Guide 12". (Roman numerals are read
    before folding: only lower-case ones are page numbers.)"""
    spaced = " ".join(text.split())
    return re.sub(r"\d+", "#", _ROMAN_AT_EDGE.sub("#", spaced).casefold())


def at_page_edge(i: int, count: int) -> bool:
    """Whether line i of a page's `count` lines is among its first or last PAGE_EDGE_LINES,
    where running heads sit."""
    return i < PAGE_EDGE_LINES or i >= count - PAGE_EDGE_LINES


def edge_lines(text: str, width: int = PAGE_EDGE_LINES) -> list[str]:
    """A page's first and last `width` lines with text, where running heads sit."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[:width] + lines[-width:]


def running_lines(page_texts: list[str], min_share: float = 0.1, min_pages: int = 3,
                  page_numbers: Sequence[int] | None = None) -> set[str]:
    """Line keys that recur at the top or bottom of pages: running headers and footers.

    A key must recur on `min_share` of the pages (and `min_pages` pages); one that carries a
    page number at its start or end ("Chapter 4: Function reference 12") needs only two.
    Looks only at the first and last two lines of each page, where they sit. A line of marks
    alone is none, though a code-heavy manual may end many pages with "}" or "};".
    A chapter's running head (`chapter_heads`) recurs on its chapter's pages only, and a
    line that carries the page's printed number (`folio_lines`) on one page alone; such lines
    are kept marked (`_AT_EDGES`), as they count only at a page's edge (`running_rule`).
    `page_numbers`: the pages' numbers in the file, when not 0, 1, 2, ….
    """
    if len(page_texts) < 2:
        return set()
    counts: dict[str, int] = {}
    for text in page_texts:
        for key in {line_key(ln) for ln in edge_lines(text)}:
            if re.search(r"[^\W_]|#", key):  # a word or a number (blanked to "#")
                counts[key] = counts.get(key, 0) + 1
    needed = max(min_pages, min_share * len(page_texts))
    return {key for key, n in counts.items()
            if n >= needed or (n >= 2 and _PAGE_NUMBERED.search(key))
            } | {_AT_EDGES + line for line in chapter_heads(page_texts)
                 | folio_lines(page_texts, page_numbers or range(len(page_texts)))}


_AT_EDGES = "\x1e"  # marks a running line that counts only at a page's edge
_FOLIO = re.compile(r"^(\d{1,4})\s|\s(\d{1,4})$")  # a number that opens or ends a line


def folio_lines(page_texts: list[str], page_numbers: Sequence[int],
                min_share: float = 0.2, min_pages: int = 3) -> set[str]:
    """Lines (folded) that open or close a page and carry its printed number, with words:
    "Main Menus 6" at the foot of page 10, "254 File Documentation" atop page 272. The
    printed number is the page's number in the file plus an offset that most pages agree on
    (at least `min_share` of the pages, and `min_pages`). A running line is short, and one
    that opens with the number ends no sentence: "1 e.g. GNU tar …." is a footnote, whatever
    page it is on."""
    numbered: list[list[tuple[int, str]]] = []  # per page: (number, folded line)
    offsets: dict[int, int] = {}
    for text, page in zip(page_texts, page_numbers, strict=True):
        found = []
        for line in set(edge_lines(text)):
            folded = _folded(line)
            match = _FOLIO.search(folded)
            if (match and re.search(r"[^\W\d_]", folded)
                    and len(folded.split()) <= MAX_FOLIO_LINE_WORDS
                    and not (match.group(1) and folded[-1] in ".,;:!?")):
                found.append((int(match.group(1) or match.group(2)), folded))
        numbered.append(found)
        for offset in {number - page for number, _ in found}:
            offsets[offset] = offsets.get(offset, 0) + 1
    if not offsets:
        return set()
    offset, support = max(offsets.items(), key=lambda item: (item[1], -abs(item[0])))
    if support < max(min_pages, min_share * len(page_texts)):
        return set()
    return {line for found, page in zip(numbered, page_numbers, strict=True)
            for number, line in found if number == page + offset}


def chapter_heads(page_texts: list[str], min_pages: int = CHAPTER_HEAD_PAGES,
                  max_step: int = 2) -> set[str]:
    """Lines (folded) that stand at the edge of `min_pages` pages in a row or more, each at
    most `max_step` pages from the last: a chapter's running head ("Business Features" over
    each of its pages, or over every other page, the section's title over the others).
    Compared as they are, numbers too: the changelog's "22.4 Version 4.5.1" at the top of
    many pages are headings, each its own."""
    pages: dict[str, list[int]] = {}
    for n, text in enumerate(page_texts):
        for line in {_folded(ln) for ln in edge_lines(text)}:
            if re.search(r"[^\W\d_]", line):
                pages.setdefault(line, []).append(n)
    heads = set()
    for line, found in pages.items():
        run = 1
        for before, after in zip(found, found[1:], strict=False):
            run = run + 1 if after - before <= max_step else 1
            if run >= min_pages:
                heads.add(line)
                break
    return heads


_PAGE_NUMBERED = re.compile(r"^#\s|\s#$")


def running_rule(line: Line, running: frozenset[str] | set[str], at_edge: bool) -> str | None:
    """"running" when a line is one of the `running` headers or footers, "chapter head" when
    it is a chapter's running head (`chapter_heads`, only at a page's edge), else None. A line
    of numbers alone (a page number) counts only at the page's edge too: in the body, a
    number alone on its line is a table cell, an axis label or a numbered blank line of a
    code listing."""
    key = line_key(line.text)
    if key in running and (at_edge or bool(re.search(r"[^\W\d_]", key))):
        return "running"
    if at_edge and _AT_EDGES + _folded(line.text) in running:
        return "chapter head"
    return None


def chrome_reasons(lines: list[Line], *, web_rules: bool = True,
                   running: frozenset[str] | set[str] = frozenset(),
                   prose: list[bool] | None = None) -> list[str | None]:
    """For each line, the name of the rule that makes it chrome, or None when it is kept.

    `running` holds keys of running headers/footers. With `web_rules` (a text file), the
    single-line web rules judge only lines that stand on their own: a line of code or of a
    hard-wrapped paragraph (`running_text`, or `prose` when the caller has it) is never chrome
    by its own words.
    """
    if prose is None:
        prose = running_text(lines) if web_rules else [False] * len(lines)
    reasons: list[str | None] = []
    for i, line in enumerate(lines):
        at_edge = not web_rules and at_page_edge(i, len(lines))
        rule = chrome_rule(line, web_rules and not prose[i], at_page_edge=at_edge)
        if rule is None and running:
            rule = running_rule(line, running, at_edge)
        reasons.append(rule)
    if web_rules:
        _flag_menus(lines, reasons, prose)
        _flag_promo_bullets(lines, reasons)
        _flag_tail(lines, reasons, prose)
        _flag_trailing_fragments(lines, reasons)
    return reasons


def _flag_menus(lines: list[Line], flags: list[str | None], prose: list[bool]) -> None:
    """A site's menus: above the first sentence of prose (not one already found to be chrome,
    such as a cookie notice), a run of `MIN_MENU_LINES` or more
    short lines (`MAX_MENU_ITEM_WORDS` words, no closing stop) that are not yet chrome
    ("News", "Opinion", "Sport", "Culture", …). A text's own title block or contents list
    is shorter, or holds longer lines."""
    first = next((i for i, line in enumerate(lines)  # a cookie notice above is no prose
                  if line.words >= MIN_PROSE_WORDS and line.is_sentence and flags[i] is None),
                 len(lines))
    run: list[int] = []
    for i in [*range(first), None]:
        if i is not None and not prose[i] and (flags[i] is not None or (
                lines[i].words <= MAX_MENU_ITEM_WORDS
                and not _CLOSING_STOP.search(lines[i].text))):
            run.append(i)
            continue
        items = [j for j in run if flags[j] is None]
        if len(items) >= MIN_MENU_LINES:
            for j in items:
                flags[j] = "menu"
        run = []


def _flag_promo_bullets(lines: list[Line], flags: list[str | None]) -> None:
    """Bullets right after a chrome line are promotion unless they are full sentences."""
    for i in range(1, len(lines)):
        if lines[i].is_bullet and flags[i - 1] and not lines[i].is_sentence and not flags[i]:
            flags[i] = "promo-bullet"


def _flag_tail(lines: list[Line], flags: list[str | None], prose: list[bool]) -> None:
    """From a 'related articles' or 'leave a reply' heading in the second half on, all is chrome,
    when more of the text's sentences stand above it than below: a heading of a site's menu
    box above the article (Wikipedia's "Related articles") cuts nothing.

    A line of running text (`prose`: code, or a piece of a wrapped sentence) is no heading,
    whatever its words, and nor is a line that goes on with a sentence from the line above.
    """
    sentence_words = [line.words if line.is_sentence else 0 for line in lines]
    for i in range(len(lines) // 2, len(lines)):
        if (_TAIL_HEADING.match(lines[i].text) and not prose[i]
                and not continues_sentence(lines, i)
                and sum(sentence_words[:i]) > sum(sentence_words[i:])):
            for j in range(i, len(lines)):
                flags[j] = flags[j] or "tail"
            return


def _flag_trailing_fragments(lines: list[Line], flags: list[str | None]) -> None:
    """Lines after the last sentence that carry no sentence themselves (tags) are chrome."""
    i = len(lines) - 1
    while i >= 0 and (flags[i] or (not lines[i].is_sentence and lines[i].words <= 12)):
        flags[i] = flags[i] or "trailing"
        i -= 1


# What a line of code has and a title has not: "$TERM", "a | b", "f(x);", "s/a/b/", "<*>".
_CODE_MARKS = re.compile(r"[$;{}=|\\<>\[\]`~^&@%*#/]")


def is_code(text: str) -> bool:
    """Whether a line set apart by its indentation (`running_text`) reads as code rather than a
    centred title: it has a mark of code, or does not start with a capital letter."""
    stripped = text.strip()
    return bool(_CODE_MARKS.search(stripped)) or not stripped[:1].isupper()


def is_heading(line: Line, opening: bool = False) -> bool:
    """A short line standing alone that does not end a sentence, or a question heading.
    A line wholly in brackets is an aside, no heading: "(contributed by brian d foy)"; nor is
    one that reads as prose without a closing stop (`reads_as_prose`; the text's `opening`
    line may be a long headline)."""
    text = line.text.rstrip()
    if line.words > MAX_HEADING_WORDS or line.is_bullet or is_aside(text):
        return False
    return text.endswith("?") or not (line.is_sentence or reads_as_prose(text, opening))


def reads_as_prose(text: str, opening: bool = False) -> bool:
    """Whether a line that does not end a sentence still reads as prose, not as a heading:

    - it goes on from a sentence above: it starts with a conjunction in lower case, with
      MIN_PROSE_WORDS words or more ("and if you are using variable names in a Unix shell
      script"), where a command or a name in lower case may open a heading ("curl -X gives me
      HTTP problems");
    - it breaks off mid-clause (it ends with a comma);
    - it holds a whole sentence before more text, as a photograph's caption with its credit
      ("… at University College last year. Photograph: Guy Smallman");
    - it is a news article's standfirst: MIN_STANDFIRST_WORDS words or more, most of them in
      lower case, as a sentence is written and a title seldom is ("Report claims higher
      education institutions have created pool of low-paid staff for teaching and research"),
      unless it is numbered as a section is ("6.6.3. Maximum number of files that can be read
      with read command") or opens the text: a headline written as a sentence stands first,
      its standfirst under it.
    """
    words = text.split()
    if not words:
        return False
    if text.endswith(",") or (words[0] in _GOING_ON and len(words) >= MIN_PROSE_WORDS):
        return True
    if _INNER_SENTENCE_END.search(text):
        return True
    lower = sum(word[:1].islower() for word in words)
    return (not opening and len(words) >= MIN_STANDFIRST_WORDS
            and lower >= STANDFIRST_LOWER_SHARE * len(words) and not _SECTION_NUMBER.match(text))


def is_question_heading(lines: list[Line]) -> bool:
    """A paragraph that is a question alone, as a FAQ sets its questions apart: it ends with
    a question mark, has at most MAX_QUESTION_HEADING_WORDS words and starts with neither a
    bullet nor a lower-case letter (the rest of a sentence would)."""
    text = " ".join(line.text for line in lines)
    return (text.endswith("?") and len(text.split()) <= MAX_QUESTION_HEADING_WORDS
            and not text[:1].islower() and not lines[0].is_bullet)


def line_below(lines: list[Line], i: int) -> Line | None:
    """The line right under line i in the same paragraph (no blank line between), or None."""
    below = lines[i + 1] if i + 1 < len(lines) else None
    return None if below is None or below.starts_paragraph else below


def opens_with_question(lines: list[Line], i: int, run: list[Line]) -> bool:
    """Whether the paragraph so far (`run`, ending at line i) is a question of at most
    MAX_OPENING_QUESTION_LINES lines that its text goes on under without a blank line, as a
    FAQ may set its question right above its answer ("How do I reset it?" over "Hold the
    button …", "Which version should I use?::" over the answer): the question ends its line
    (markup after the question mark aside), and the line below starts a new sentence: not in
    lower case, and with no bullet."""
    below = line_below(lines, i)
    if (below is None or len(run) > MAX_OPENING_QUESTION_LINES
            or below.text[:1].islower() or below.is_bullet):
        return False
    question = [*run[:-1], replace(run[-1], text=run[-1].text.rstrip("*_:"))]
    return is_question_heading(question)


def is_aside(text: str) -> bool:
    """Whether a line is wholly in round brackets: "(contributed by Ben Morrow)", "(see
    below)". "(a) Scope" and "(Optional) Set the path" go on after their brackets."""
    return (text.startswith("(") and text.endswith(")")
            and _closing_bracket(text) == len(text) - 1)


def _closing_bracket(text: str) -> int | None:
    """The position of the bracket that closes the one opening the text, or None."""
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i
    return None


def heads_its_paragraph(lines: list[Line], i: int) -> bool:
    """Whether line i, opening a paragraph, is a Markdown heading line at the margin ("###
    What does the red light mean?"), of at most MAX_QUESTION_HEADING_WORDS words, over text
    that does not start in lower case, if any ("#include" and "#!/bin/sh" are none). A
    comment over a line of code is none either: "# Delete leading blank lines" over "sed
    '/./,$!d' file", or over another comment."""
    line = lines[i]
    if line.indent or not ATX_HEADING.match(line.text) or line.words > MAX_QUESTION_HEADING_WORDS:
        return False
    below = line_below(lines, i)
    return below is None or (not below.text[:1].islower() and not below.text.startswith("#"))


def underlined_titles(lines: list[Line]) -> dict[int, tuple[int, ...]]:
    """Titles underlined as reStructuredText and Markdown's setext headings write them, by
    line index, each with its adornment lines: the underline, and an overline of the same
    mark if it has one.

    A title is a line of words at the left margin, alone in its paragraph, with a line of
    one mark repeated (`ADORNMENT`: "-----", "=====") right under it, at the margin too.
    A rule under a table's header row (indented, under a line that goes on from the one
    above, or under columns set apart by runs of spaces) or standing between paragraphs (a
    blank line above it) is no underline.
    """
    titles: dict[int, tuple[int, ...]] = {}
    for i in range(1, len(lines)):
        under, title = lines[i], lines[i - 1]
        mark = ADORNMENT.fullmatch(under.text)
        if (mark is None or under.starts_paragraph or under.indent or title.indent
                or not _HAS_WORD.search(title.text) or title.is_bullet or "  " in title.text
                or title.words > MAX_QUESTION_HEADING_WORDS):
            continue
        over = lines[i - 2] if i >= 2 and not title.starts_paragraph else None
        if over is None and title.starts_paragraph:
            titles[i - 1] = (i,)
        elif (over is not None and over.starts_paragraph
              and ADORNMENT.fullmatch(over.text) and over.text[0] == mark.group(1)):
            titles[i - 1] = (i - 2, i)
    return titles


def content_blocks(text: str, start: int = 0, end: int | None = None, *,
                   web_rules: bool = True,
                   running: frozenset[str] | set[str] = frozenset(),
                   sections: tuple[Section, ...] = ()) -> list[Block]:
    """The kept paragraphs of text[start:end] as blocks; segments break where chrome was cut.

    A paragraph is a run of kept lines with no blank line between them. With `web_rules` (a
    text file), a one-line paragraph that reads as a heading is marked so the chunker can keep
    it with the text it introduces; a line of code set apart by its indentation (`is_code`)
    is none. A PDF's headings are its known `sections`: each starts a new
    paragraph at its heading's line, and a line that is wholly such a heading is a heading
    block (a short paragraph of a PDF is as often a command, a table cell or the start of a
    sentence that goes on over the page). In either, a paragraph that is one question alone
    (`is_question_heading`) is a heading, as a FAQ's questions are.

    A text file's FAQ and Markdown forms are read too: an underlined title
    (`underlined_titles`, whose underline belongs to no block), a Markdown heading line that
    opens a paragraph (`heads_its_paragraph`) and a question that opens one
    (`opens_with_question`) are headings, even with text right under them. In either, so is
    a numbered question alone in its paragraph (`numbered_questions`).
    """
    end = len(text) if end is None else end
    lines = split_lines(text, start, end)
    prose = running_text(lines) if web_rules else [False] * len(lines)
    section_starts = {s.start: s.end for s in sections if s.end > s.start}
    # a chapter's title on its first page is its heading, though it is its running head too
    flags = [reason is not None and not (reason == "chapter head" and line.start in section_starts)
             for line, reason in zip(lines, chrome_reasons(lines, web_rules=web_rules,
                                                           running=running, prose=prose),
                                     strict=True)]
    titles = underlined_titles(lines) if web_rules else {}
    titles = {i: marks for i, marks in titles.items() if not flags[i]}
    adornments = {j for marks in titles.values() for j in marks}
    flags = [flag and i not in adornments for i, flag in enumerate(flags)]
    code_lines = {line.start for line, set_apart in zip(lines, prose, strict=True)
                  if set_apart and is_code(line.text)}
    blocks: list[Block] = []
    run: list[Line] = []
    segment = 0

    def close_run(heading: bool | None = None) -> None:
        if run:
            if heading is None:
                heading = run[0].start not in code_lines and (
                    (web_rules and len(run) == 1 and is_heading(run[0], opening=not blocks))
                    or is_question_heading(run))
            blocks.append(Block(run[0].start, run[-1].end, heading, segment))
            run.clear()

    for i, (line, chrome) in enumerate(zip(lines, flags, strict=True)):
        if i in adornments:
            close_run()
            continue
        if chrome:
            close_run()
            if i == 0 or not flags[i - 1]:
                segment += 1
            continue
        if run and (text.count("\n", run[-1].end, line.start) >= 2
                    or line.start in section_starts):
            close_run()
        if not run and (i in titles or (web_rules and line.start not in code_lines
                                        and heads_its_paragraph(lines, i))):
            run.append(line)
            close_run(heading=True)
            continue
        run.append(line)
        asks = web_rules and run[0].start not in code_lines and opens_with_question(lines, i, run)
        if asks or section_starts.get(run[0].start) == line.end:  # a heading, wrapped or not
            close_run(heading=True)
    close_run()
    return numbered_questions(text, blocks)


def numbered_questions(text: str, blocks: list[Block]) -> list[Block]:
    """The blocks with each numbered question alone in its paragraph ("3. How do I …?") made a
    heading when the paragraph after it is no item of a list, and the one before it neither
    introduces a list (ends with a colon) nor is a numbered item itself: a list of questions
    is no list of headings. A question that ends the text is a heading too (at the foot of a
    PDF page, its answer is on the next)."""
    out = list(blocks)
    for k, block in enumerate(blocks):
        paragraph = text[block.start:block.end]
        numbered = _NUMBERED.match(paragraph)
        if block.heading or numbered is None:
            continue
        following = blocks[k + 1] if k + 1 < len(blocks) else None
        if following is not None and (following.segment != block.segment
                                      or _BULLET.match(text[following.start:following.end])):
            continue
        before = text[blocks[k - 1].start:blocks[k - 1].end] if k else ""
        listed = _NUMBERED.match(before) is not None and not out[k - 1].heading
        question = [Line(block.start, block.end, " ".join(paragraph[numbered.end():].split()))]
        if is_question_heading(question) and not listed and not before.endswith(":"):
            out[k] = replace(block, heading=True)
    return out


# A line of a table of contents or an index: words, then page numbers ("errorbars, 65–67, 70").
_PAGE_REFERENCES = re.compile(
    r"[\s.,]\s*(?:\d{1,4}|[ivxlc]{1,7})(?:\s*[–-]\s*\d{1,4})?"
    r"(?:\s*,\s*\d{1,4}(?:\s*[–-]\s*\d{1,4})?)*\s*$", re.IGNORECASE)


def is_navigation_page(text: str, min_lines: int = 8, min_share: float = 0.6) -> bool:
    """True for a page of a table of contents or an index: most lines point at pages."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < min_lines:
        return False
    pointing = sum(1 for ln in lines if _PAGE_REFERENCES.search(ln) or not _HAS_WORD.search(ln))
    return pointing >= min_share * len(lines)


def navigation_pages(page_texts: list[str], edge_share: float = 0.15) -> set[int]:
    """Positions of the pages that are a table of contents or an index.

    Only pages in the first or last `edge_share` of a document count, where contents and
    index pages sit, so a table of figures in the middle of a manual is never dropped.
    """
    edge = max(2, round(edge_share * len(page_texts)))
    return {i for i, text in enumerate(page_texts)
            if (i < edge or i >= len(page_texts) - edge) and is_navigation_page(text)}
