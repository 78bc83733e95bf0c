"""A FAQ question set as Word documents with its questions kept, and the same text as text files.

Many FAQs, handbooks and policies are written in Word. This script writes both forms of a FAQ
set (eval/faq, eval/faq2): `docx/` and `txt/`, each with `sources/` and `questions.jsonl`,
judged by the same answer strings (`faq_pdf.answer_strings`), so that how askrel reads the two
forms can be compared. Each document has its title in Word's Title style and in its
properties, each question in the Heading 2 style, prose paragraphs as paragraphs, and each line
of an example as a paragraph in a fixed-width font, as people paste code into Word
(`faq_html.paragraphs` tells them apart).

    python eval/faq_word.py --set eval/faq2 --out reports/faq2-word
    askrel index --sources reports/faq2-word/docx/sources --index reports/faq2-word/docx/index
    askrel eval --questions reports/faq2-word/docx/questions.jsonl \\
        --index reports/faq2-word/docx/index --mode hybrid/no-rerank --mode hybrid
"""

from __future__ import annotations

from pathlib import Path

from faq_html import paragraphs
from faq_pdf import forms_main

from askrel.reading.sources import parse_front_matter


def write_document(text: str, questions: set[str], path: Path) -> None:
    """`text` (with its front matter) as a Word document titled as the front matter says."""
    import docx

    meta, body_start = parse_front_matter(text)
    document = docx.Document()
    title = meta.title or path.stem
    document.core_properties.title = title
    document.core_properties.author = meta.author or ""  # not the template's own
    document.add_heading(title, 0)
    for kind, content in paragraphs(text[body_start:], questions):
        if kind == "question":
            document.add_heading(content, 2)
        elif kind == "code":
            for line in content.split("\n"):
                document.add_paragraph().add_run(line).font.name = "Courier New"
        else:
            document.add_paragraph(content)
    document.save(str(path))


def main() -> None:
    forms_main(__doc__ or "", "docx", write_document, "Word documents")


if __name__ == "__main__":
    main()
