"""Decoding a text source's bytes, and the error that says why a source cannot be read."""

from __future__ import annotations

import re


class SourceError(Exception):
    """A source file that cannot be indexed; the message says why, for a person."""


# Byte-order marks and the encodings they announce, longest first (UTF-32-LE's starts as
# UTF-16-LE's does).
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def starts_with_bom(data: bytes) -> bool:
    return data.startswith(tuple(bom for bom, _ in BOMS))


def decode_text(data: bytes) -> str:
    """Decode text bytes: a BOM's encoding (UTF-8/16/32), UTF-16 without BOM, UTF-8,
    else Windows-1252 or Latin-1 when the result reads as text."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return decode_as(data, codec)
    head = data[:8192]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16 is None:
            raise SourceError("binary data, not text (contains NUL bytes)")
        return decode_as(data, utf16)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 20000) + 2:
        raise SourceError("binary data, not text (many control characters)")
    return text


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes fall on one side only, as in ASCII-range
    UTF-16; None for anything else."""
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode_as(data: bytes, codec: str) -> str:
    """The bytes as text in `codec`, or SourceError when they are not valid in it or hold a
    NUL (LookupError for a codec Python does not know)."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid {codec.upper()} text ({exc.reason} at byte "
                          f"{exc.start})") from exc
    if "\x00" in text:
        raise SourceError(f"binary data, not text (NUL characters after decoding {codec})")
    return text


# Control characters that are never text to show: a PDF's where a glyph maps to none (a list's
# bullet read as U+0000), a stray one in a web page (which lxml refuses in a tree). Tabs and
# line ends stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(text: str) -> str:
    """Text without control characters (other than tabs and line ends)."""
    return _CONTROL.sub("", text)
