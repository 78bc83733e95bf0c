"""Crash safety: builds killed (SIGKILL) at many moments leave the previous index whole and
loadable, a reader never sees a half-written build, the next build completes, and two
builds at once are serialized by the lock."""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from askrel.indexing.build import BUILDS, CURRENT, PARTIAL_SUFFIX, build_index, current_build
from askrel.indexing.store import STORE_FILE, PassageStore, read_manifest

pytestmark = pytest.mark.slow

# A build in a child process; it prints each stage as it starts, so a kill can be aimed.
BUILDER = """
import sys
from pathlib import Path
from askrel.indexing.build import build_index
sources, index, which = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
embedder = None
if which == "fake":
    from askrel.embedding.fake import fake_embedder
    embedder = fake_embedder()
seen = set()
def progress(stage, done, total):
    key = stage if stage != "writing" else f"writing {done}"
    if key not in seen:
        seen.add(key)
        print(key, flush=True)
report = build_index(sources, index, embedder=embedder, root=sources.parent, progress=progress)
print("done", report.passages, flush=True)
"""


def corpus_texts(files: int, revision: int, seed: int = 7) -> dict[str, str]:
    """Deterministic sources; each revision starts with its own line, so every offset moves."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(3000)]
    texts = {}
    for i in range(files):
        paragraphs = []
        for _ in range(8):
            sentences = [" ".join(rng.choice(vocab) for _ in range(rng.randint(8, 16)))
                         .capitalize() + "." for _ in range(5)]
            paragraphs.append(" ".join(sentences))
        head = f"Revision {revision} of document {i}.\n\n" + "x " * revision
        texts[f"doc-{i:03d}.txt"] = head + "\n\n" + "\n\n".join(paragraphs) + "\n"
    return texts


def write_corpus(sources: Path, texts: dict[str, str]) -> None:
    sources.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (sources / name).write_text(text, encoding="utf-8")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def start_builder(sources: Path, index: Path, which: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", BUILDER, str(sources), str(index), which],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class StageWatcher:
    """Reads a builder's stage lines as they come; can kill it when one appears."""

    def __init__(self, proc: subprocess.Popen, kill_on: str | None = None) -> None:
        self.proc, self.kill_on = proc, kill_on
        self.stages: list[str] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stages.append(line.strip())
            if self.kill_on and line.strip() == self.kill_on:
                self.proc.send_signal(signal.SIGKILL)

    def finish(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout)
        self.thread.join(10)
        return code


def check_index(index: Path, revisions: dict[int, dict[str, str]], embedder=None) -> int:
    """The live build is whole: it matches exactly one revision of the sources, its counts
    agree everywhere, citations slice the source text, and it answers. Returns the revision."""
    from askrel.answering.search import Searcher
    from askrel.indexing.vectors import VectorIndex, load_npy

    build = current_build(index)
    assert build is not None, "no live index"
    manifest = read_manifest(build)
    matching = [r for r, texts in revisions.items()
                if {f"sources/{n}": digest(t) for n, t in texts.items()}
                == {s: e["content_hash"] for s, e in manifest["sources"].items()}]
    assert len(matching) == 1, "the live index mixes revisions of the sources"
    texts = revisions[matching[0]]
    store = PassageStore(build / STORE_FILE)
    try:
        n = manifest["passages"]
        assert len(store) == n == sum(e["passages"] for e in manifest["sources"].values())
        # load_npy, not np.load: the reader thread loads headers at the same time (gh-106905)
        assert load_npy(build / "embeddings.npy", mmap_mode="r").shape[0] == n
        assert load_npy(build / "sentence_vectors.npy",
                        mmap_mode="r").shape[0] == manifest["sentences"]
        assert VectorIndex.load(build).size == n
        for name, text in texts.items():
            for passage, _ in store.passages_of(f"sources/{name}"):
                assert text[passage.char_start:passage.char_end] == passage.text
    finally:
        store.close()
    answer = Searcher(index, embedder=embedder).ask("Revision of document", top_k=3)
    assert len(answer.results) == 3
    return matching[0]


def assert_no_leftovers(index: Path) -> None:
    builds = [p.name for p in (index / BUILDS).iterdir()]
    assert not [b for b in builds if b.endswith(PARTIAL_SUFFIX)], builds
    assert len(builds) <= 2, builds
    assert not [p for p in index.iterdir() if p.name.startswith(f".{CURRENT}.")]


def start_round(sources: Path, index: Path, revisions: dict[int, dict[str, str]], round_no: int,
                files: int, which: str, how: str, when) -> tuple[dict, StageWatcher]:
    """Write revision `round_no` of the corpus and start a build that is killed `how`/`when`:
    after `when` seconds ("time"), or on reaching stage `when` ("stage")."""
    revisions = {round_no - 1: revisions[round_no - 1],
                 round_no: corpus_texts(files, round_no)}
    write_corpus(sources, revisions[round_no])
    proc = start_builder(sources, index, which)
    watcher = StageWatcher(proc, kill_on=when if how == "stage" else None)
    if how == "time":
        time.sleep(float(when))
        proc.send_signal(signal.SIGKILL)
    return revisions, watcher


class Reader(threading.Thread):
    """Opens the live index over and over while builds run and are killed; records any time
    it finds the build that `current` names incomplete."""

    def __init__(self, index: Path, embedder) -> None:
        super().__init__(daemon=True)
        self.index, self.embedder = index, embedder
        self.stop, self.loads, self.failures = threading.Event(), 0, []

    def run(self) -> None:
        from askrel.answering.search import Searcher

        while not self.stop.is_set():
            build = current_build(self.index)
            try:
                searcher = Searcher(self.index, embedder=self.embedder)
                local = searcher.backend  # the local backend: its SQLite store and build
                if len(local.store) != searcher.size:
                    self.failures.append(f"{local.build.name}: passage count differs")
                self.loads += 1
            except Exception as exc:  # noqa: BLE001 - judged below
                # A build deleted after it stopped being current is fine; a current one is not.
                if current_build(self.index) == build:
                    self.failures.append(f"{build}: {exc.__class__.__name__}: {exc}")
            time.sleep(0.05)


def test_builds_killed_at_many_moments_leave_a_whole_index(tmp_path):
    """SIGKILL a build (fake embedder) at evenly spaced moments over its whole run and at
    the writing and swapping steps; after each kill the previous index (or, past the swap,
    the new one) is whole, and the next build completes."""
    from askrel.embedding.fake import fake_embedder

    embedder = fake_embedder()
    sources, index = tmp_path / "sources", tmp_path / "index"
    files = 60
    revisions = {0: corpus_texts(files, 0)}
    write_corpus(sources, revisions[0])
    started = time.perf_counter()
    watcher = StageWatcher(start_builder(sources, index, "fake"))
    assert watcher.finish() == 0, watcher.proc.stderr.read()  # type: ignore[union-attr]
    assert check_index(index, revisions, embedder) == 0

    # How long a full build of a changed corpus takes, start-up included.
    revisions[1] = corpus_texts(files, 1)
    write_corpus(sources, revisions[1])
    started = time.perf_counter()
    watcher = StageWatcher(start_builder(sources, index, "fake"))
    assert watcher.finish() == 0
    duration = time.perf_counter() - started
    assert check_index(index, revisions, embedder) == 1

    kills = 22
    plans: list[tuple[str, float | str]] = [("time", duration * (k + 0.5) / kills)
                                             for k in range(kills)]
    plans += [("stage", "writing 0"), ("stage", "writing 1")]
    reader = Reader(index, embedder)
    reader.start()
    outcomes = []
    round_no = 1
    try:
        while plans:
            how, when = plans.pop(0)
            round_no += 1
            revisions, watcher = start_round(sources, index, revisions, round_no, files, "fake",
                                             how, when)
            code = watcher.finish()
            stage = watcher.stages[-1] if watcher.stages else "start-up"
            live = check_index(index, revisions, embedder)
            outcomes.append((how, when, code, stage, live, round_no))
            if code == 0 and how == "time":  # the machine ran faster: aim a little earlier
                plans.insert(0, (how, float(when) * 0.85))
            report = build_index(sources, index, embedder=embedder, root=tmp_path)
            assert check_index(index, revisions, embedder) == round_no
            assert report.changed == (live == round_no - 1)
            assert_no_leftovers(index)
    finally:
        reader.stop.set()
        reader.join(30)

    killed = [o for o in outcomes if o[2] == -signal.SIGKILL]
    stages = {o[3] for o in killed}
    print(f"\nfull build {duration:.2f}s; {len(killed)}/{len(outcomes)} builds killed; stages "
          f"at the kill: {sorted(stages)}; reader loads: {reader.loads}")
    for o in outcomes:
        print(f"  kill by {o[0]} at {o[1] if o[0] == 'stage' else f'{o[1]:.2f}s'}: "
              f"exit {o[2]}, last stage {o[3]}, live index = revision {o[4]} of {o[5]}")
    assert len(killed) == kills + 2
    assert {"start-up", "reading", "embedding"} <= stages and stages & {"writing 0",
                                                                          "writing 1"}
    assert sum(1 for o in killed if o[4] == o[5] - 1) >= 15  # most kills land before the swap
    assert reader.loads > 20 and reader.failures == []


def test_builds_killed_with_the_real_model(tmp_path):
    """A few kills of real builds: while the model loads, while embedding, while writing."""
    sources, index = tmp_path / "sources", tmp_path / "index"
    from askrel.embedding.loading import load_embedder

    embedder = load_embedder()
    revisions = {0: corpus_texts(5, 0)}
    write_corpus(sources, revisions[0])
    build_index(sources, index, root=tmp_path, embedder=embedder)
    for round_no, (how, when) in enumerate([("time", 1.5), ("stage", "embedding"),
                                            ("stage", "writing 0")], start=1):
        revisions, watcher = start_round(sources, index, revisions, round_no, 5, "real",
                                         how, when)
        assert watcher.finish(300) == -signal.SIGKILL, watcher.stages
        assert check_index(index, revisions, embedder) == round_no - 1
        report = build_index(sources, index, root=tmp_path, embedder=embedder)
        assert report.updated and check_index(index, revisions, embedder) == round_no
        assert_no_leftovers(index)


def test_two_builds_at_once_are_serialized(tmp_path):
    """While one build runs, a second (another process) is told one is running, through the
    API and through `askrel index`; once the first is done a new build goes through."""
    sources, index = tmp_path / "sources", tmp_path / "index"
    write_corpus(sources, corpus_texts(60, 0))
    first = start_builder(sources, index, "fake")
    watcher = StageWatcher(first)
    deadline = time.time() + 60
    while "reading" not in watcher.stages and time.time() < deadline:
        time.sleep(0.02)
    second = subprocess.run([sys.executable, "-c", BUILDER, str(sources), str(index), "fake"],
                            capture_output=True, text=True, timeout=60)
    cli = subprocess.run([str(Path(sys.executable).with_name("askrel")), "index", "--sources",
                          str(sources), "--index", str(index)], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert first.poll() is None, "the first build ended too early for this test"
    assert watcher.finish() == 0 and watcher.stages[-1].startswith("done")
    assert second.returncode == 1 and "IndexBusy: Another rebuild of" in second.stderr
    assert cli.returncode == 1
    assert f"Error: Another rebuild of {index} is running; wait for it to finish" in cli.stderr
    assert "Traceback" not in cli.stderr
    third = subprocess.run([sys.executable, "-c", BUILDER, str(sources), str(index), "fake"],
                           capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and "done" in third.stdout
