"""eval/faq_pdf.py: a FAQ set typeset as PDFs with its questions kept, and as text."""

from __future__ import annotations

import json


def test_answer_strings_are_the_answers_long_sentences_found_once(faq_pdf):
    text = ("Intro sentence here.\n\nUse the sort function on the list. It is fast.\n\n"
            "Elsewhere: use the sort function on the list.\n")
    start = text.index("Use the sort")
    end = text.index("It is fast.") + len("It is fast.")
    # the first sentence is repeated later and the second is under six words: nothing is left
    assert faq_pdf.answer_strings(text, start, end) == []
    text = text.replace("Elsewhere: use the sort function on the list.", "Nothing else.")
    assert faq_pdf.answer_strings(text, start, end) == ["use the sort function on the list."]


def test_latin1_keeps_one_character_for_one(faq_pdf):
    assert [faq_pdf.latin1(c) for c in "é’“—✓"] == ["é", "'", '"', "-", "?"]


def test_both_forms_hold_the_questions_and_the_pdf_reads_back(faq_pdf, tmp_path):
    sources = tmp_path / "set" / "sources"
    sources.mkdir(parents=True)
    text = ("A small FAQ about backups and where they are kept.\n\n"
            "Backups are kept for two weeks on the local disk before they are deleted.\n")
    (sources / "backup-faq.txt").write_text(text)
    start = text.index("Backups are kept")
    row = {"id": "b-1", "question": "How long are backups kept?",
           "sources": [str(sources / "backup-faq.txt")],
           "spans": [{"source": str(sources / "backup-faq.txt"), "start": start,
                      "end": len(text) - 1}]}
    (tmp_path / "set" / "questions.jsonl").write_text(json.dumps(row) + "\n")
    assert faq_pdf.write_forms(tmp_path / "set", tmp_path / "out") == (1, 1)
    written = (tmp_path / "out" / "txt" / "sources" / "backup-faq.txt").read_text()
    assert "How long are backups kept?\n\nBackups are kept" in written
    from pypdf import PdfReader

    pdf = PdfReader(tmp_path / "out" / "pdf" / "sources" / "backup-faq.pdf")
    assert "How long are backups kept?" in pdf.pages[0].extract_text()
    (question,) = [json.loads(line) for line in
                   (tmp_path / "out" / "pdf" / "questions.jsonl").open()]
    assert question["answers"] == [
        "backups are kept for two weeks on the local disk before they are deleted."]
