"""eval/faq_word.py: a FAQ set as Word documents, read back by askrel as the text it came from."""

from __future__ import annotations

from pathlib import Path

from askrel.reading.sources import read_document

TEXT = ("---\ntitle: \"Tool FAQ\"\n---\nIntro to the tool.\n\nHow do I sort?\n\n"
        "Use sort(), or:\n\n    sort -r file\n    uniq\n\nIs <b> bold?\n\nYes & no.\n")


def test_askrel_reads_the_document_back_as_the_text_with_questions_as_headings(
        faq_word, tmp_path: Path) -> None:
    faq_word.write_document(TEXT, {"How do I sort?", "Is <b> bold?"}, tmp_path / "tool.docx")
    document = read_document(tmp_path / "tool.docx", tmp_path, None)
    assert (document.meta.title, document.meta.author) == ("Tool FAQ", None)
    assert document.units[0].text == ("# Tool FAQ\n\nIntro to the tool.\n\n## How do I sort?\n\n"
                                      "Use sort(), or:\n\n    sort -r file\n    uniq\n\n"
                                      "## Is <b> bold?\n\nYes & no.\n")
