"""What a web page's structured data (schema.org JSON-LD, `<script type="application/ld+json">`)
states of the article it holds: headline, authors, date of publication, publisher.

News sites and blogs state these for search engines, often more fully than their `<meta>`
tags: a page whose tags name no author or date, or name a section ("U.S.") as the site, may
state "author": {"name": "Jill Serjeant"} and "publisher": {"name": "Reuters"} here. Only
what the data states is taken; a reference to another item ({"@id": …}) is followed within
the page's data. Data that does not parse is passed over.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

# Item types that describe the page's article, in no order: the first one found is used.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
    "socialmediaposting", "techarticle", "scholarlyarticle", "report", "liveblogposting"})
# A publisher stated as one of these is an organization; a person stated as publisher (a
# blogger) is no publisher a citation names.
ORGANIZATION_TYPES = frozenset({
    "organization", "newsmediaorganization", "corporation", "educationalorganization",
    "governmentorganization", "ngo", "researchorganization", "onlinebusiness"})
MAX_SCRIPT_CHARS = 1_000_000  # larger blocks are page state, not a description
MAX_NESTING = 3  # lists of authors in lists: deeper is no description


def _items(data: Any) -> Iterator[dict[str, Any]]:
    """Every item in parsed JSON-LD: a list of items, a "@graph" of them, or one."""
    if isinstance(data, list):
        for element in data:
            yield from _items(element)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from _items(data["@graph"])
        else:
            yield data


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _names(value: Any, by_id: dict[str, dict[str, Any]], kinds: frozenset[str] | None = None,
           depth: int = 0) -> list[str]:
    """The names a value gives: a string, an item's "name" (or the item its "@id" refers
    to), or a list of those; with `kinds`, only items of those types and not also a person
    (or of no type stated). Lists nested deeper than `MAX_NESTING` give none."""
    if isinstance(value, list):
        if depth >= MAX_NESTING:
            return []
        return [name for element in value
                for name in _names(element, by_id, kinds, depth + 1)]
    if isinstance(value, str):  # some sites escape their data as HTML too ("O&#039;Donnell")
        return [" ".join(html.unescape(value).split())] if value.strip() else []
    if isinstance(value, dict):
        reference = value.get("@id")
        item = value if "name" in value else (
            by_id.get(reference) if isinstance(reference, str) else None)
        types = _types(item) if item is not None else set()
        if item is None or (kinds is not None and types and (not types & kinds
                                                             or "person" in types)):
            return []
        name = item.get("name")
        return _names(name, by_id) if isinstance(name, str) else []
    return []


def article_data(scripts: list[str]) -> dict[str, str]:
    """The first article item's "title", "author" (names joined by "; "), "date" (as
    stated) and "publisher" (an organization), from the text of a page's JSON-LD scripts;
    only the fields it states."""
    items: list[dict[str, Any]] = []
    for script in scripts:
        if len(script) > MAX_SCRIPT_CHARS:
            continue
        try:
            items.extend(_items(json.loads(script)))
        except (ValueError, RecursionError):
            continue  # not JSON: passed over, as a browser's search engine would
    by_id = {item["@id"]: item for item in items if isinstance(item.get("@id"), str)}
    article = next((item for item in items if _types(item) & ARTICLE_TYPES), None)
    if article is None:
        return {}
    fields = {"title": _names(article.get("headline"), by_id),
              "author": _names(article.get("author"), by_id),
              "date": _names(article.get("datePublished"), by_id),
              "publisher": _names(article.get("publisher"), by_id, ORGANIZATION_TYPES)}
    return {field: "; ".join(dict.fromkeys(names)) for field, names in fields.items() if names}
