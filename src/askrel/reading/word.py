"""Reading Word documents (.docx): the text Word shows, headings marked, metadata from the
document's properties.

mammoth turns the document's body into plain HTML by its paragraph styles: Word's headings
become `<h1>`…`<h6>` (its "Title" style a first-level heading), lists `<ul>`/`<ol>`, tables
`<table>`, footnotes and endnotes a list at the end; examples set in a fixed-width font or a
style for code become `<pre>` blocks, and the table of contents and index that Word generates
are left out (`STYLE_MAP`). Page headers and footers and comments are not in mammoth's HTML,
nor deleted text of tracked changes. That HTML is laid out as text as a web page's is
(`html.page_text`), so sections, passages and citations work as in a Markdown file.
Title, author and creation date come from the document's own properties (`docProps/core.xml`);
nothing is guessed from the text.

A citation's characters are those of this text, which the source viewer shows.
"""

from __future__ import annotations

import io
import re
import zipfile

from askrel.reading.decoding import SourceError
from askrel.reading.titles import stated_title
from askrel.records import SourceMeta, TextUnit

# What mammoth does not map by default: Word's own title styles; examples of code (a paragraph
# in a style for code, or set wholly in a fixed-width font: `code_paragraph`), one `<pre>` for
# such paragraphs in a row, a line each; and the paragraphs Word generates to point into the
# text, which are no text of their own: the table of contents ("TOC 1" to "TOC 9", "TOC
# Heading"), a table of figures, the index ("Index 1", …). mammoth compares style names
# ignoring case; "^=" matches their start.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => p:fresh
p[style-name='Code'] => pre:separator('\\n')
p[style-name='Source Code'] => pre:separator('\\n')
p[style-name='Code Block'] => pre:separator('\\n')
p[style-name='HTML Preformatted'] => pre:separator('\\n')
p[style-name='Preformatted Text'] => pre:separator('\\n')
p[style-name='Plain Text'] => pre:separator('\\n')
p[style-name='Macro Text'] => pre:separator('\\n')
p[style-name^='TOC '] => !
p[style-name='Table of Figures'] => !
p[style-name^='Index '] => !
"""
# A document's parts, unpacked, never take more than this: a small file that unpacks to
# gigabytes is a zip bomb, not a document.
MAX_UNPACKED_BYTES = 1_000_000_000
_CORE = "docProps/core.xml"
_NAMESPACES = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
               "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Fixed-width typefaces, as documents name them ("Courier New", "Consolas", "DejaVu Sans Mono").
_FIXED_WIDTH = re.compile(r"courier|consolas|menlo|monaco|mono|lucida console|\bcode\b|"
                          r"fixedsys|inconsolata", re.IGNORECASE)
_BACK_LINKS = ("//a[starts-with(@href, '#footnote-ref') or "
               "starts-with(@href, '#endnote-ref')]")


def read_word_file(data: bytes) -> tuple[SourceMeta, tuple[TextUnit, ...]]:
    """The document's metadata and its text, as one text unit; SourceError saying why not."""
    import lxml.html
    import mammoth

    from askrel.reading.html import page_text

    package = open_package(data)
    try:
        html = mammoth.convert_to_html(
            io.BytesIO(data), style_map=STYLE_MAP,
            transform_document=mammoth.transforms.paragraph(code_paragraph)).value
    except Exception as exc:  # mammoth raises many kinds on a broken document
        raise SourceError(f"corrupt or unreadable Word document ({exc.__class__.__name__})"
                          ) from exc
    root = lxml.html.document_fromstring(f"<html><body>{html}</body></html>")
    for back_link in root.xpath(_BACK_LINKS):  # the "↑" after a note, back to its number
        back_link.drop_tree()
    body = page_text(root)
    if not body.strip():
        raise SourceError("no text in the document (only images?)")
    return document_meta(package), (TextUnit(text=body, page=None, body_start=0),)


def code_paragraph(paragraph):
    """A mammoth paragraph in the "Code" style when all its text is set in a fixed-width
    font, as people paste code into Word; otherwise the paragraph as it is."""
    from mammoth import documents, transforms

    runs = [run for run in transforms.get_descendants_of_type(paragraph, documents.Run)
            if any(isinstance(child, documents.Text) and child.value.strip()
                   for child in run.children)]
    if runs and all(run.font and _FIXED_WIDTH.search(run.font) for run in runs):
        return paragraph.copy(style_name="Code")
    return paragraph


def open_package(data: bytes) -> zipfile.ZipFile:
    """The .docx package (a zip of XML parts), or SourceError: not a zip (an old binary .doc,
    or a document protected with a password, which Word stores in another container), no
    Word body in it, or parts that unpack to more than MAX_UNPACKED_BYTES."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SourceError("not a .docx Word document (an old .doc, a password-protected "
                          "document, or a corrupt file)") from exc
    if "word/document.xml" not in names:
        raise SourceError("not a .docx Word document (no word/document.xml in it)")
    if unpacked > MAX_UNPACKED_BYTES:
        raise SourceError(f"the document unpacks to {unpacked:,} bytes, more than "
                          f"{MAX_UNPACKED_BYTES:,} (a zip bomb?)")
    return package


def document_meta(package: zipfile.ZipFile) -> SourceMeta:
    """Title, author and date (the creation's day) as the document's properties state them."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)  # no file read through it
    try:
        core = etree.fromstring(package.read(_CORE), parser)
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, OSError):
        return SourceMeta()

    def stated(path: str) -> str | None:
        found = core.find(path, _NAMESPACES)
        value = " ".join((found.text or "").split()) if found is not None else ""
        return value or None

    created = _DATE.match(stated("dcterms:created") or "")
    return SourceMeta(title=stated_title(stated("dc:title")), author=stated("dc:creator"),
                      date=created.group(0) if created else None)
