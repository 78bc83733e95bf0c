"""Uploads: safe names, allowed types, size limit, no overwrite, no duplicate content."""

from __future__ import annotations

import pytest

from askrel.web.uploads import UploadError, safe_name, save_upload


@pytest.mark.parametrize(("name", "safe"), [
    ("report.txt", "report.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\evil.md", "evil.md"),
    ("/abs/path/Notes.PDF", "Notes.pdf"),
    (".hidden.txt", "hidden.txt"),
    ("my notes (final)!.md", "my-notes-_final.md"),
    ("a<script>b.txt", "a_script_b.txt"),
    ("tab\tand\nnewline.txt", "tabandnewline.txt"),
    ("Kyōto–Seoul.txt", "Kyōto_Seoul.txt"),
    ("Handbook 2024.DOCX", "Handbook-2024.docx"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


@pytest.mark.parametrize("name", ["run.exe", "archive.tar.gz", "old.doc", "noext", "..txt",
                                  "....", ""])
def test_safe_name_refuses_other_types_and_empty_names(name):
    with pytest.raises(UploadError):
        safe_name(name)


def test_long_names_are_cut_but_keep_their_type():
    name = safe_name("x" * 500 + ".txt")
    assert len(name) <= 120 and name.endswith(".txt")


def upload(tmp_path, name: str, data: bytes):
    incoming = tmp_path / "incoming"
    incoming.mkdir(exist_ok=True)
    path = incoming / name
    path.write_bytes(data)
    return path


def test_save_never_overwrites_and_says_it_renamed(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "notes.txt").write_text("old text", encoding="utf-8")

    saved = save_upload(upload(tmp_path, "notes.txt", b"new text"), "notes.txt", sources)
    again = save_upload(upload(tmp_path, "notes.txt", b"newer text"), "notes.txt", sources)

    assert (saved.saved_as, saved.renamed) == ("notes-2.txt", True)
    assert again.saved_as == "notes-3.txt"
    assert (sources / "notes.txt").read_text(encoding="utf-8") == "old text"
    assert (sources / "notes-2.txt").read_bytes() == b"new text"


def test_save_stays_inside_the_sources_folder(tmp_path):
    sources = tmp_path / "sources"
    saved = save_upload(upload(tmp_path, "a.txt", b"text"), "../../escape.txt", sources)

    assert saved.saved_as == "escape.txt"
    assert (sources / "escape.txt").exists()
    assert not (tmp_path / "escape.txt").exists()


def test_save_refuses_oversized_empty_and_duplicate_files(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "kept.txt").write_bytes(b"same content")

    with pytest.raises(UploadError, match="over the 1 MB limit"):
        save_upload(upload(tmp_path, "big.txt", b"x" * (2**20 + 1)), "big.txt", sources,
                    max_bytes=2**20)
    with pytest.raises(UploadError, match="empty"):
        save_upload(upload(tmp_path, "e.txt", b""), "e.txt", sources)
    with pytest.raises(UploadError, match="kept.txt"):
        save_upload(upload(tmp_path, "copy.txt", b"same content"), "copy.txt", sources)
    assert sorted(p.name for p in sources.iterdir()) == ["kept.txt"]
