"""Hostile sources: each bad file gets a clear message of its own while the rest is indexed,
and odd encodings and file names are cited exactly."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from askrel.answering.search import Searcher
from askrel.embedding.fake import fake_embedder
from askrel.indexing.build import build_index, current_build
from askrel.indexing.store import STORE_FILE, PassageStore

GOOD = ("The lighthouse keeper logs the weather every morning at six. Storm warnings are "
        "raised with two red flags on the mast.\n")
LATIN1 = "Le café crème du marché coûte deux euros; la façade est peinte en vert pâle.\n"
UTF16 = ("Ünïcödé text saved as UTF-16 with a byte order mark: the ferry to Ærø leaves at "
         "nine and returns at “half past five”.\n")
SCRIPT_NAME = "sources/<script>alert('x')</script>.txt"
QUOTED_NAME = "sources/my notes (draft) \"v2\" 'final' — 日本語 a..b.txt"
LIMIT = 20_000


def encrypted_pdf(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_only_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 120, style="F")
    return bytes(pdf.output())


@pytest.fixture
def hostile(tmp_path, make_pdf) -> Path:
    """A sources folder with one of every kind of trouble, plus files that must get through."""
    src = tmp_path / "sources"
    src.mkdir()
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.md").write_text("   \n\n\t \n")
    (src / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (src / "latin1.txt").write_bytes(LATIN1.encode("latin-1"))
    (src / "utf16.txt").write_bytes(UTF16.encode("utf-16"))
    (src / "manual.pdf").write_bytes(make_pdf(["Page one explains the boiler valve.",
                                               "Page two explains the pressure gauge."]))
    good_pdf = make_pdf(["Secret page about the boiler."])
    (src / "cut.pdf").write_bytes(good_pdf[: len(good_pdf) // 2])
    (src / "locked.pdf").write_bytes(encrypted_pdf(good_pdf))
    (src / "scan.pdf").write_bytes(image_only_pdf())
    (src / "huge.txt").write_text("Words of a very long file. " * 1000)
    (tmp_path / "outside.txt").write_text("Private text outside the sources folder.\n")
    (src / "escape.txt").symlink_to(tmp_path / "outside.txt")
    (src / "<script>alert('x')<").mkdir()
    (src / "<script>alert('x')<" / "script>.txt").write_text(
        "The script file tells how the tide tables are printed each spring.\n")
    (tmp_path / QUOTED_NAME).write_text("Quoted names hold the recipe for rye bread.\n")
    (src / "line\nbreak.txt").write_text("A file name with a line break.\n")
    os.close(os.open(os.fsencode(src) + b"/caf\xe9.txt", os.O_WRONLY | os.O_CREAT, 0o644))
    return src


EXPECTED_PROBLEMS = {
    "sources/empty.txt": "empty file",
    "sources/blank.md": "no text in the file",
    "sources/photo.txt": "binary data, not text (contains NUL bytes)",
    "sources/cut.pdf": "corrupt or unreadable PDF",
    "sources/locked.pdf": "encrypted PDF; it needs a password",
    "sources/scan.pdf": "PDF has no text layer (scanned images?); it needs OCR first",
    "sources/huge.txt": "file is 27 KB; the limit is 20 KB",
    "sources/escape.txt": "symbolic link pointing outside the sources folder; refused",
    "sources/line\\nbreak.txt": "file name contains control characters",
    "sources/caf\ufffd.txt": "file name is not valid UTF-8; rename the file",
}
EXPECTED_ADDED = ["sources/<script>alert('x')</script>.txt", "sources/good.txt",
                  "sources/latin1.txt", "sources/manual.pdf", QUOTED_NAME, "sources/utf16.txt"]


def test_each_bad_file_is_named_with_its_reason_and_the_rest_is_indexed(hostile):
    report = build_index(hostile, hostile.parent / "index", embedder=fake_embedder(),
                         root=hostile.parent, max_file_bytes=LIMIT)
    problems = {p.source: p.reason for p in report.problems}
    assert set(problems) == set(EXPECTED_PROBLEMS)
    for source, reason in EXPECTED_PROBLEMS.items():
        assert problems[source].startswith(reason), (source, problems[source])
    assert sorted(report.added) == sorted(EXPECTED_ADDED)
    # nothing from outside the folder got in
    store = PassageStore(current_build(hostile.parent / "index") / STORE_FILE)
    assert not [s for s in store.sources() if "Private" in s["source"]]
    assert all("Private text" not in p.text for s in EXPECTED_ADDED
               for p, _ in store.passages_of(s))


def test_odd_encodings_are_cited_in_their_decoded_text(hostile):
    index = hostile.parent / "index"
    build_index(hostile, index, embedder=fake_embedder(), root=hostile.parent,
                max_file_bytes=LIMIT)
    searcher = Searcher(index, embedder=fake_embedder())
    for name, text, question in (("sources/utf16.txt", UTF16, "ferry Ærø half past five"),
                                 ("sources/latin1.txt", LATIN1, "café crème façade")):
        # BM25: the fake embedder's 16-dimensional word vectors are too noisy to rank by
        hit = searcher.ask(question, top_k=1, mode="bm25").results[0]
        assert hit.citation.source == name
        c = hit.citation
        assert text[c.char_start:c.char_end] == hit.text
        assert hit.text.strip() == text.strip()


def test_hostile_file_names_are_indexed_and_cited_verbatim(hostile):
    index = hostile.parent / "index"
    build_index(hostile, index, embedder=fake_embedder(), root=hostile.parent,
                max_file_bytes=LIMIT)
    searcher = Searcher(index, embedder=fake_embedder())
    assert searcher.ask("tide tables printed spring", top_k=1).results[0].citation.source \
        == SCRIPT_NAME
    answer = searcher.ask("recipe rye bread", top_k=1, sources=[QUOTED_NAME])
    assert [h.citation.source for h in answer.results] == [QUOTED_NAME]
    # a rebuild with the same names changes nothing
    again = build_index(hostile, index, embedder=fake_embedder(), root=hostile.parent,
                        max_file_bytes=LIMIT)
    assert not again.changed and sorted(again.unchanged) == sorted(EXPECTED_ADDED)


@pytest.mark.slow
def test_cli_index_and_ask_on_hostile_sources(hostile):
    """`askrel index` names every bad file and finishes; `askrel ask --json` cites the odd
    names; no traceback anywhere. (The CLI keeps the default size limit, so huge.txt is in.)"""
    askrel = str(Path(sys.executable).with_name("askrel"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([askrel, "index"], cwd=hostile.parent, capture_output=True,
                         text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    for source, reason in EXPECTED_PROBLEMS.items():
        if source != "sources/huge.txt":
            assert f"could not index {source}: {reason}" in run.stderr, source
    assert "9 file(s) could not be indexed; the rest were." in run.stderr
    assert f"added: {SCRIPT_NAME}" in run.stderr
    ask = subprocess.run([askrel, "ask", "--json", "How are the tide tables printed?"],
                         cwd=hostile.parent, capture_output=True, text=True, timeout=600,
                         env=env)
    assert ask.returncode == 0 and "Traceback" not in ask.stderr
    top = json.loads(ask.stdout)["results"][0]
    assert top["citation"]["source"] == SCRIPT_NAME
