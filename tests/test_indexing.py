"""Building the index: incremental reuse, what is reported, model changes, duplicates,
leftovers of interrupted builds, and the lock."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from askrel.answering.search import Searcher
from askrel.embedding.base import Embedder
from askrel.embedding.fake import FakeEncoder
from askrel.indexing.build import (
    BUILDS,
    CURRENT,
    LOCK_FILE,
    ChunkSettings,
    IndexBusy,
    IndexError_,
    IndexOutdated,
    ModelMismatch,
    build_index,
    built_from,
    current_build,
)
from askrel.indexing.store import STORE_FILE, PassageStore, read_manifest

ALPHA = ("Alpha harbour\n\nThe alpha harbour opens at dawn when the tide is high. Fishing boats "
         "unload their catch of cod and herring on the northern pier. The harbour master keeps "
         "a ledger of every vessel that enters.\n")
BRAVO = ("Bravo orchard\n\nThe bravo orchard grows pears and quinces on the southern slope. "
         "Pickers arrive in September and work until the first frost. Cider is pressed in the "
         "old stone barn.\n")
CHARLIE = ("Charlie observatory\n\nThe charlie observatory tracks comets with a reflecting "
           "telescope. Astronomers record each sighting in a logbook kept under the dome. The "
           "mirror was ground by hand in 1902.\n")
OLD = time.time() - 3600  # an mtime well before any scan, so size and mtime are trusted


class CountingEncoder(FakeEncoder):
    """The fake encoder, counting the texts it is asked to encode."""

    def __init__(self, name: str = "fake-bag-of-words") -> None:
        super().__init__(16, name)
        self.texts = 0

    def token_outputs(self, texts):
        self.texts += len(texts)
        return super().token_outputs(texts)


def counting(name: str = "fake-bag-of-words") -> tuple[Embedder, CountingEncoder]:
    encoder = CountingEncoder(name)
    return Embedder(encoder), encoder


def write(path: Path, text: str, mtime: float | None = OLD) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


@pytest.fixture
def corpus(tmp_path):
    sources = tmp_path / "sources"
    write(sources / "alpha.txt", ALPHA)
    write(sources / "bravo.txt", BRAVO)
    return sources, tmp_path / "index"


def build(sources: Path, index: Path, embedder: Embedder | None = None, **kwargs):
    from askrel.embedding.fake import fake_embedder

    return build_index(sources, index, embedder=embedder or fake_embedder(),
                       root=sources.parent, **kwargs)


def searcher(index: Path) -> Searcher:
    from askrel.embedding.fake import fake_embedder

    return Searcher(index, embedder=fake_embedder())


def result_sources(index: Path, question: str) -> set[str]:
    answer = searcher(index).ask(question, top_k=10)
    return {h.citation.source for h in answer.results}


def assert_consistent(index: Path, sources_root: Path) -> None:
    """Every stored passage is exactly the slice of its source that the citation names."""
    build_dir = current_build(index)
    assert build_dir is not None
    manifest = read_manifest(build_dir)
    store = PassageStore(build_dir / STORE_FILE)
    assert len(store) == manifest["passages"]
    for source in manifest["sources"]:
        text = (sources_root / source).read_text(encoding="utf-8")
        for passage, _ in store.passages_of(source):
            assert text[passage.char_start:passage.char_end] == passage.text


# ---------------------------------------------------------------- incremental rebuilds


def test_first_build_reports_added_and_writes_a_consistent_index(corpus):
    sources, index = corpus
    report = build(sources, index)
    assert report.added == ["sources/alpha.txt", "sources/bravo.txt"]
    assert report.changed and report.embedded == report.passages > 0
    assert (index / CURRENT).is_symlink()
    assert_consistent(index, sources.parent)


def test_the_index_records_the_sources_folder_it_was_built_from(corpus, tmp_path):
    sources, index = corpus
    assert built_from(index) is None  # no index yet
    build(sources, index)
    assert built_from(index) == sources.resolve()
    assert built_from(tmp_path / "elsewhere") is None


def test_commands_without_sources_use_the_folder_the_index_was_built_from(corpus, tmp_path):
    from askrel.cli import DEFAULT_SOURCES, sources_folder

    sources, index = corpus
    assert sources_folder(None, index) == DEFAULT_SOURCES  # nothing built yet
    build(sources, index)
    assert sources_folder(None, index) == sources.resolve()
    assert sources_folder(tmp_path / "given", index) == tmp_path / "given"


def test_a_moved_sources_folder_is_not_offered(corpus, tmp_path):
    sources, index = corpus
    build(sources, index)
    sources.rename(tmp_path / "moved")
    assert built_from(index) is None


def test_unchanged_sources_are_neither_read_nor_embedded(corpus, monkeypatch):
    sources, index = corpus
    build(sources, index)
    before = current_build(index)
    reads = []
    import askrel.indexing.build

    real_read = askrel.indexing.build.read_source_bytes
    monkeypatch.setattr(askrel.indexing.build, "read_source_bytes",
                        lambda path, *a, **k: reads.append(path.name) or real_read(path, *a, **k))
    embedder, encoder = counting()
    report = build(sources, index, embedder)
    assert reads == [] and encoder.texts == 0
    assert report.unchanged == ["sources/alpha.txt", "sources/bravo.txt"]
    assert not report.changed and report.embedded == 0
    assert current_build(index) == before  # no new build written


def test_touched_but_identical_source_is_read_not_reembedded(corpus):
    sources, index = corpus
    build(sources, index)
    os.utime(sources / "alpha.txt")  # new mtime, same bytes
    embedder, encoder = counting()
    report = build(sources, index, embedder)
    assert encoder.texts == 0
    assert "sources/alpha.txt" in report.unchanged and not report.changed


def test_fresh_mtime_is_not_trusted(corpus):
    """Same size and mtime, but the file was written just before the last scan: its content
    is compared, so an edit within one timestamp tick is not missed."""
    sources, index = corpus
    write(sources / "alpha.txt", ALPHA, mtime=None)  # written now, like during a scan
    build(sources, index)
    stat = (sources / "alpha.txt").stat()
    write(sources / "alpha.txt", ALPHA.replace("cod", "eel"), mtime=None)
    os.utime(sources / "alpha.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = build(sources, index)
    assert report.updated == ["sources/alpha.txt"]
    assert result_sources(index, "eel") >= {"sources/alpha.txt"}


def test_each_source_keeps_the_time_its_passages_were_built(corpus):
    sources, index = corpus
    build(sources, index)
    first = read_manifest(current_build(index))
    stamps = {s: info["indexed_at"] for s, info in first["sources"].items()}
    assert set(stamps.values()) == {first["built_at"]}

    time.sleep(1.1)  # the stamps have whole seconds
    write(sources / "bravo.txt", BRAVO.replace("pears and quinces", "plums and apricots"),
          mtime=OLD + 10)
    build(sources, index)
    second = read_manifest(current_build(index))
    rows = {r["source"]: r["indexed_at"] for r in PassageStore(
        current_build(index) / STORE_FILE).sources()}

    assert second["built_at"] > first["built_at"]
    assert second["sources"]["sources/alpha.txt"]["indexed_at"] == stamps["sources/alpha.txt"]
    assert second["sources"]["sources/bravo.txt"]["indexed_at"] == second["built_at"]
    assert rows == {s: info["indexed_at"] for s, info in second["sources"].items()}


def test_changed_source_alone_is_rechunked_and_reembedded(corpus):
    sources, index = corpus
    build(sources, index)
    write(sources / "bravo.txt", BRAVO.replace("pears and quinces", "plums and apricots"),
          mtime=OLD + 10)
    embedder, encoder = counting()
    report = build(sources, index, embedder)
    assert report.updated == ["sources/bravo.txt"]
    assert report.unchanged == ["sources/alpha.txt"]
    bravo_passages = read_manifest(current_build(index))["sources"]["sources/bravo.txt"]
    assert report.embedded == bravo_passages["passages"] == encoder.texts
    assert_consistent(index, sources.parent)
    top = searcher(index).ask("plums apricots", top_k=1).results[0]
    assert top.citation.source == "sources/bravo.txt" and "plums" in top.text


def test_reused_vectors_are_identical_to_fresh_ones(corpus, tmp_path):
    sources, index = corpus
    build(sources, index)
    write(sources / "charlie.txt", CHARLIE)
    build(sources, index)
    fresh = tmp_path / "fresh"
    build(sources, fresh)
    a, b = current_build(index), current_build(fresh)
    assert np.array_equal(np.load(a / "embeddings.npy"), np.load(b / "embeddings.npy"))
    assert np.array_equal(np.load(a / "sentence_vectors.npy"),
                          np.load(b / "sentence_vectors.npy"))


def test_removed_source_disappears_from_results(corpus):
    sources, index = corpus
    build(sources, index)
    assert "sources/bravo.txt" in result_sources(index, "orchard pears quinces")
    (sources / "bravo.txt").unlink()
    report = build(sources, index)
    assert report.removed == ["sources/bravo.txt"]
    assert result_sources(index, "orchard pears quinces") == {"sources/alpha.txt"}
    assert list(read_manifest(current_build(index))["sources"]) == ["sources/alpha.txt"]


def test_renamed_source_keeps_its_vectors(corpus):
    sources, index = corpus
    build(sources, index)
    (sources / "bravo.txt").rename(sources / "orchard.txt")
    embedder, encoder = counting()
    report = build(sources, index, embedder)
    assert report.added == ["sources/orchard.txt"] and report.removed == ["sources/bravo.txt"]
    assert encoder.texts == 0
    assert result_sources(index, "orchard pears") == {"sources/alpha.txt", "sources/orchard.txt"}
    assert_consistent(index, sources.parent)


def test_identical_documents_are_indexed_once(corpus):
    sources, index = corpus
    write(sources / "copy-of-alpha.txt", ALPHA)
    report = build(sources, index)
    assert [(p.source, p.reason) for p in report.skipped] == [
        ("sources/copy-of-alpha.txt", "identical to sources/alpha.txt; indexed once")]
    assert "sources/copy-of-alpha.txt" not in report.added
    answer = searcher(index).ask("harbour cod herring", top_k=10)
    texts = [h.text for h in answer.results]
    assert len(texts) == len(set(texts))


def test_same_paragraph_in_two_files_is_marked_as_repeated(corpus):
    sources, index = corpus
    shared = ("The shared paragraph about lanterns appears in both files, word for word, and "
              "it describes how the lanterns are trimmed before the night watch begins.")
    write(sources / "alpha.txt", ALPHA + "\n" + shared + "\n")
    write(sources / "charlie.txt", CHARLIE + "\n" + "  " + shared.upper() + "\n")
    report = build(sources, index, settings=ChunkSettings(max_words=40, min_words=5))
    assert report.duplicate_passages == 1
    build_dir = current_build(index)
    assert read_manifest(build_dir)["duplicate_passages"] == 1
    store = PassageStore(build_dir / STORE_FILE)
    alpha = [p for p, _ in store.passages_of("sources/alpha.txt") if "lanterns" in p.text]
    charlie = [p for p, _ in store.passages_of("sources/charlie.txt") if "LANTERNS" in p.text]
    assert len(alpha) == len(charlie) == 1
    assert store.same_as([alpha[0].id, charlie[0].id]) == {charlie[0].id: alpha[0].id}


# ---------------------------------------------------------------- what needs a full rebuild


def test_another_model_reembeds_everything_and_says_so(corpus):
    sources, index = corpus
    build(sources, index)
    embedder, encoder = counting("another-fake-model")
    report = build(sources, index, embedder)
    assert "fake-bag-of-words" in report.reembedded_all
    assert "another-fake-model" in report.reembedded_all
    assert report.updated == ["sources/alpha.txt", "sources/bravo.txt"] and not report.added
    assert report.embedded == report.passages == encoder.texts
    assert read_manifest(current_build(index))["model"] == "another-fake-model"
    with pytest.raises(ModelMismatch, match="askrel index --model"):
        searcher(index)  # asks with fake-bag-of-words
    assert Searcher(index, embedder=embedder).ask("orchard").results


def test_an_index_in_an_older_format_is_refused_clearly_and_rebuilt(corpus, monkeypatch):
    from askrel import cli
    from askrel.indexing.store import FORMAT_VERSION, write_manifest

    sources, index = corpus
    build(sources, index)
    live = current_build(index)
    write_manifest(live, read_manifest(live) | {"format_version": FORMAT_VERSION - 1})
    with pytest.raises(IndexOutdated, match=f"askrel index --index {index}"):
        searcher(index)

    rebuilt = []
    monkeypatch.setattr(cli, "run_build", lambda *args: rebuilt.append(args) or build(
        sources, index))
    monkeypatch.setattr("askrel.answering.search.Searcher",
                        lambda index, model: searcher(index))
    assert cli.open_searcher(sources, index, None).ask("orchard").results
    assert rebuilt == [(sources, index, None)]
    assert read_manifest(current_build(index))["format_version"] == FORMAT_VERSION


def test_passages_cut_by_other_code_are_pointed_out_and_recut_by_index(corpus, monkeypatch,
                                                                      capsys):
    from askrel import cli
    from askrel.indexing.store import write_manifest

    sources, index = corpus
    build(sources, index)
    live = current_build(index)
    manifest = read_manifest(live)
    write_manifest(live, manifest | {"chunking": manifest["chunking"] | {"code": "older"}})
    monkeypatch.setattr("askrel.answering.search.Searcher",
                        lambda index, model: searcher(index))
    assert cli.open_searcher(sources, index, None).ask("orchard").results
    assert f"askrel index --index {index}" in capsys.readouterr().err
    report = build(sources, index)
    assert report.reembedded_all == "the reading or chunking code changed; re-chunking everything"
    cli.open_searcher(sources, index, None)
    assert "cuts them anew" not in capsys.readouterr().err


def test_new_chunk_settings_rechunk_everything(corpus):
    sources, index = corpus
    build(sources, index)
    report = build(sources, index, settings=ChunkSettings(max_words=20, min_words=5))
    assert report.reembedded_all == "chunking settings changed; re-chunking everything"
    assert_consistent(index, sources.parent)


def test_damaged_previous_index_is_rebuilt(corpus):
    sources, index = corpus
    build(sources, index)
    (current_build(index) / "manifest.json").write_text("{not json")
    report = build(sources, index)
    assert report.reembedded_all == "the previous index could not be read; rebuilding everything"
    assert_consistent(index, sources.parent)


# ---------------------------------------------------------------- nothing to build


def test_empty_sources_folder_says_what_to_do(tmp_path):
    (tmp_path / "sources").mkdir()
    with pytest.raises(IndexError_, match="No sources to index .* add .txt, .md, .rst, .adoc, "
                                          ".html, .htm, .docx or .pdf"):
        build(tmp_path / "sources", tmp_path / "index")
    assert current_build(tmp_path / "index") is None


def test_only_bad_files_lists_them(tmp_path):
    write(tmp_path / "sources" / "empty.txt", "")
    with pytest.raises(IndexError_, match="sources/empty.txt: empty file"):
        build(tmp_path / "sources", tmp_path / "index")


def test_missing_sources_folder(tmp_path):
    with pytest.raises(IndexError_, match="Sources folder not found"):
        build(tmp_path / "nowhere", tmp_path / "index")


def test_all_sources_removed_leaves_an_empty_index(corpus):
    sources, index = corpus
    build(sources, index)
    for path in sources.iterdir():
        path.unlink()
    report = build(sources, index)
    assert sorted(report.removed) == ["sources/alpha.txt", "sources/bravo.txt"]
    answer = searcher(index).ask("harbour")
    assert not answer.answered and answer.results == ()


# ---------------------------------------------------------------- crash leftovers and writing


def test_leftovers_of_killed_builds_are_cleaned_by_the_next_build(corpus):
    sources, index = corpus
    build(sources, index)
    live = current_build(index)
    builds = index / BUILDS
    (builds / ".20200101T000000000000Z-1.partial").mkdir()
    (builds / ".20200101T000000000000Z-1.partial" / "passages.sqlite").write_bytes(b"half")
    (builds / "20200101T000000000000Z-2").mkdir()  # complete but never swapped in
    (index / ".current.12345").symlink_to(Path(BUILDS) / "20200101T000000000000Z-2")
    report = build(sources, index)  # nothing changed: still cleans up
    assert not report.changed
    assert current_build(index) == live
    assert sorted(p.name for p in builds.iterdir()) == [live.name]
    assert not (index / ".current.12345").is_symlink()


def test_swap_keeps_the_replaced_build_until_the_next_build(corpus):
    sources, index = corpus
    build(sources, index)
    first = current_build(index)
    write(sources / "charlie.txt", CHARLIE)
    build(sources, index)
    second = current_build(index)
    assert sorted(p.name for p in (index / BUILDS).iterdir()) == sorted([first.name,
                                                                          second.name])
    os.utime(sources / "charlie.txt", (OLD, OLD))
    write(sources / "charlie.txt", CHARLIE + "\nThe dome is painted white.\n")
    build(sources, index)
    assert first.name not in {p.name for p in (index / BUILDS).iterdir()}


def test_failed_write_keeps_the_previous_index(corpus, monkeypatch):
    sources, index = corpus
    build(sources, index)
    live = current_build(index)
    write(sources / "charlie.txt", CHARLIE)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("askrel.indexing.build.np.save", full_disk)
    with pytest.raises(IndexError_, match="No space left on device.*previous index is still"):
        build(sources, index)
    assert current_build(index) == live
    assert [p.name for p in (index / BUILDS).iterdir()] == [live.name]  # no partial left
    assert result_sources(index, "harbour") >= {"sources/alpha.txt"}


def test_a_held_lock_makes_a_build_busy(corpus):
    from filelock import FileLock

    sources, index = corpus
    index.mkdir()
    with FileLock(str(index / LOCK_FILE)), pytest.raises(IndexBusy, match="Another rebuild"):
        build(sources, index)
    assert build(sources, index).added  # free again


def test_size_limit_is_a_parameter(corpus):
    sources, index = corpus
    write(sources / "big.txt", "A long line of words. " * 200)
    report = build(sources, index, max_file_bytes=2000)
    assert [(p.source, p.reason) for p in report.problems] == [
        ("sources/big.txt", "file is 4.4 KB; the limit is 2.0 KB (split the file, or raise "
                            "the limit)")]
    assert report.added == ["sources/alpha.txt", "sources/bravo.txt"]


# ---------------------------------------------------------------- the no-change path


def test_no_change_rebuild_loads_no_model(corpus):
    """A rebuild with nothing to do returns well under a second after start-up, without
    importing torch or the model."""
    sources, index = corpus
    # Built with a fake encoder under the default model's name, so the default build matches.
    build(sources, index, Embedder(FakeEncoder(name="all-MiniLM-L6-v2")))
    code = (
        "import sys, time; from pathlib import Path\n"
        "from askrel.indexing.build import build_index\n"
        "t = time.perf_counter()\n"
        f"r = build_index(Path({str(sources)!r}), Path({str(index)!r}), "
        f"root=Path({str(sources.parent)!r}))\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'onnxruntime', "
        "'onnx', 'faiss', 'bm25s') if m in sys.modules]\n"
        "print(r.changed, heavy, round(time.perf_counter() - t, 3))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    changed, heavy, seconds = out[0], out[1], float(out[2])
    assert changed == "False" and heavy == "[]"
    assert seconds < 1.0


def test_manifest_records_what_the_next_build_needs(corpus):
    sources, index = corpus
    build(sources, index)
    manifest = json.loads((current_build(index) / "manifest.json").read_text())
    entry = manifest["sources"]["sources/alpha.txt"]
    assert set(entry) == {"content_hash", "size", "mtime_ns", "passages", "indexed_at"}
    assert entry["size"] == (sources / "alpha.txt").stat().st_size
    assert manifest["scan_started_ns"] > 0 and len(manifest["chunking"]["code"]) == 16


# ---------------------------------------------------------------- live swap


@pytest.mark.slow
def test_live_searcher_answers_during_a_rebuild_and_sees_the_new_source(corpus):
    """A LiveSearcher made before a rebuild answers while it runs (from the old build) and
    answers from the new source right after the swap, without a restart."""
    import threading

    from askrel.answering.search import LiveSearcher

    sources, index = corpus
    build_index(sources, index, root=sources.parent)  # the real bundled model
    live = LiveSearcher(index)
    assert live.get().ask("When are pears picked?").results
    write(sources / "charlie.txt", CHARLIE)

    in_build = threading.Event()
    answered = threading.Event()
    during: list[set[str]] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "writing" and done == 0:
            in_build.set()
            answered.wait(60)  # hold the build half-written until a question was answered

    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            build_index(sources, index, root=sources.parent, progress=progress,
                        embedder=live.get().embedder)
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=rebuild)
    thread.start()
    assert in_build.wait(60)
    answer = live.get().ask("Who grinds telescope mirrors for comets?", top_k=10)
    during.append({h.citation.source for h in answer.results})
    answered.set()
    thread.join(120)
    assert not thread.is_alive() and not errors
    assert during == [{"sources/alpha.txt", "sources/bravo.txt"}]  # the old build
    after = live.get().ask("Who grinds telescope mirrors for comets?")
    assert after.results[0].citation.source == "sources/charlie.txt"
    assert "mirror" in after.results[0].text


def test_bm25_matches_a_passage_by_its_document_title(tmp_path):
    from askrel.indexing.lexical import LexicalIndex

    sources = tmp_path / "sources"
    write(sources / "zz-guide.md", "---\ntitle: Zeppelin maintenance guide\n---\n"
          "Check the envelope for tears every week and patch them at once.\n")
    write(sources / "aa-other.md", "---\ntitle: Garden notes\n---\n"
          "Water the tomatoes every evening during the summer months.\n")
    build(sources, tmp_path / "index")
    build_dir = current_build(tmp_path / "index")
    assert build_dir is not None
    store = PassageStore(build_dir / STORE_FILE)
    guide = next(p.id for p, _ in store.passages_of("sources/zz-guide.md"))

    scores = LexicalIndex.load(build_dir, len(store)).scores("zeppelin maintenance")

    assert "zeppelin" not in store.get([guide])[guide][0].text.lower()
    assert scores[guide] > 0 and scores.argmax() == guide  # matched through the title
