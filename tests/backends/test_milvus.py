"""The Milvus backend against a real Milvus Lite engine and the bundled model: build, ask,
filtered ask, incremental update, deletion, an interrupted build, the JSON contract, and a
Lite file held by another process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from askrel.answering.search import Searcher  # noqa: E402
from askrel.backends.milvus import (  # noqa: E402
    MilvusBackend,
    MilvusTarget,
    connect,
    read_state,
    release,
    revisions_present,
)
from askrel.backends.milvus_build import build_milvus  # noqa: E402
from askrel.indexing.build import IndexBusy, build_index  # noqa: E402

pytestmark = pytest.mark.slow

HARBOUR = ("Alpha harbour\n\nThe alpha harbour opens at dawn when the tide is high. Fishing boats "
           "unload their catch of cod and herring on the northern pier. The harbour master "
           "keeps a ledger of every vessel that enters, and the ledger shows that 412 boats "
           "came in during the storm season of 1998.\n\nIn winter the harbour freezes over for "
           "three weeks. The ice breakers of the Kestrel company keep one channel open so that "
           "the ferry to the island can still run twice a day.\n")
ORCHARD = ("---\ntitle: Bravo orchard\npublisher: Valley Gazette\ndate: 2024-05-01\n---\n"
           "Bravo orchard\n\nThe bravo orchard grows pears and quinces on the southern slope. "
           "Pickers arrive in September and work until the first frost. Cider is pressed in "
           "the old stone barn, and the orchard sold 9,000 bottles of perry last year.\n\nThe "
           "trees are pruned in February. A family of barn owls lives in the oldest pear tree "
           "and keeps the mice away from the stored fruit.\n")
OBSERVATORY = ("Charlie observatory\n\nThe charlie observatory sits on a ridge above the "
               "valley. Its main telescope has a mirror 2.4 metres across and was installed in "
               "1976. Astronomers measure the brightness of variable stars every clear night."
               "\n\nVisitors may climb to the dome on Saturday evenings. Guides explain how the "
               "shutter opens and how the mount follows the rotation of the sky.\n")


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def embedder():
    from askrel.embedding.loading import load_embedder

    return load_embedder()


@pytest.fixture
def lite(tmp_path):
    """A Milvus Lite target in a temporary folder, released after the test."""
    target = MilvusTarget(str(tmp_path / "askrel.db"), "askrel")
    yield target
    release(target)


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder):
    """The three-document corpus indexed both locally and in Milvus Lite (same embedder)."""
    root = tmp_path_factory.mktemp("milvus")
    sources = write_corpus(root / "sources", {"harbour.txt": HARBOUR, "orchard.txt": ORCHARD,
                                              "observatory.txt": OBSERVATORY})
    target = MilvusTarget(str(root / "askrel.db"), "docs")
    report = build_milvus(sources, target, embedder=embedder, root=root)
    build_index(sources, root / "index", embedder=embedder, root=root)
    yield root, target, report
    release(target)


QUESTIONS = ["How many boats came in during the storm season?",
             "When are the pear trees pruned?",
             "How wide is the telescope mirror?",
             "Who keeps the ferry channel open in winter?"]


def test_build_reports_and_answers_like_the_local_index(built, embedder) -> None:
    root, target, report = built
    assert sorted(report.added) == ["sources/harbour.txt", "sources/observatory.txt",
                                    "sources/orchard.txt"]
    assert report.passages == report.embedded > 0
    milvus = Searcher(backend=MilvusBackend(target), embedder=embedder)
    local = Searcher(root / "index", embedder=embedder)
    assert milvus.size == local.size == report.passages
    for question in QUESTIONS:
        for mode in ("dense", "hybrid", "bm25"):
            ours, theirs = milvus.ask(question, mode=mode, top_k=3), local.ask(
                question, mode=mode, top_k=3)
            # the same passages (ids and citations) come first, whichever engine found them
            assert ours.results[0].citation == theirs.results[0].citation, (question, mode)
            assert ours.results[0].highlights == theirs.results[0].highlights
        dense = milvus.ask(question, mode="dense", top_k=3)
        assert [h.passage_id for h in dense.results] == [
            h.passage_id for h in local.ask(question, mode="dense", top_k=3).results]
    answer = milvus.ask("How many boats came in during the storm season?")
    top = answer.results[0]
    assert "412 boats" in top.text
    marked = " ".join(top.text[s:e] for s, e in top.highlights)
    assert "412" in marked


def test_citations_are_exact(built, embedder) -> None:
    root, target, _ = built
    searcher = Searcher(backend=MilvusBackend(target), embedder=embedder)
    for question in QUESTIONS:
        for hit in searcher.ask(question, top_k=5).results:
            c = hit.citation
            text = (root / c.source).read_text(encoding="utf-8")
            assert " ".join(text[c.char_start:c.char_end].split()) == " ".join(hit.text.split())
            if c.source == "sources/orchard.txt":  # its metadata came through Milvus
                assert (c.title, c.publisher, c.date) == ("Bravo orchard", "Valley Gazette",
                                                          "2024-05-01")
            else:  # no front matter: the title is the file's opening heading, and nothing else
                assert c.title == {"sources/harbour.txt": "Alpha harbour",
                                   "sources/observatory.txt": "Charlie observatory"}[c.source]
                assert (c.publisher, c.date) == (None, None)


def test_filtered_ask_and_names(built, embedder) -> None:
    _, target, _ = built
    searcher = Searcher(backend=MilvusBackend(target), embedder=embedder)
    orchard = "sources/orchard.txt"
    answer = searcher.ask("How many boats came in during the storm season?", sources=[orchard])
    assert answer.results and {h.citation.source for h in answer.results} == {orchard}
    # "Kestrel" is in the harbour text only: known overall, missing from the orchard
    assert searcher.missing_names("What does Kestrel do?") == ()
    assert searcher.missing_names("What does Kestrel do?", [orchard]) == ("Kestrel",)
    assert searcher.missing_names("What does Zanzibarco do?") == ("Zanzibarco",)
    unknown = searcher.ask("How many boats?", sources=["sources/nothing.txt"])
    assert not unknown.answered and not unknown.results


def test_incremental_update_and_deletion(tmp_path, lite, embedder) -> None:
    sources = write_corpus(tmp_path / "sources", {"harbour.txt": HARBOUR,
                                                  "orchard.txt": ORCHARD})
    first = build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    harbour_passages = sum(1 for _ in MilvusBackend(lite).passages_of("sources/harbour.txt"))
    again = build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    assert not again.changed and again.embedded == 0
    assert read_state(connect(lite), "askrel")["revision"] == MilvusBackend(lite).revision

    (sources / "orchard.txt").write_text(ORCHARD.replace("9,000 bottles", "7,500 bottles"),
                                         encoding="utf-8")
    write_corpus(sources, {"observatory.txt": OBSERVATORY})
    third = build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    assert third.updated == ["sources/orchard.txt"]
    assert third.added == ["sources/observatory.txt"]
    # only the changed and the new file were embedded; the harbour kept its vectors
    assert third.embedded == third.passages - harbour_passages
    searcher = Searcher(backend=MilvusBackend(lite), embedder=embedder)
    bottles = searcher.ask("How many bottles of perry were sold?", top_k=1).results[0]
    assert "7,500 bottles" in bottles.text
    assert not any("9,000" in p.text for p in searcher.store.passages_of("sources/orchard.txt"))

    (sources / "harbour.txt").unlink()
    fourth = build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    assert fourth.removed == ["sources/harbour.txt"] and fourth.embedded == 0
    searcher = Searcher(backend=MilvusBackend(lite), embedder=embedder)
    assert "sources/harbour.txt" not in {s["source"] for s in searcher.store.sources()}
    assert all(h.citation.source != "sources/harbour.txt"
               for h in searcher.ask("How many boats came in?", top_k=5).results)
    assert searcher.size == fourth.passages == third.passages - harbour_passages
    assert first.passages > harbour_passages
    # superseded revisions are dropped: the live one and the one it replaced remain
    assert len(revisions_present(connect(lite), "askrel")) == 2


class Interrupt(Exception):
    pass


def test_interrupted_build_leaves_the_live_revision_answering(tmp_path, lite,
                                                              embedder) -> None:
    sources = write_corpus(tmp_path / "sources", {"harbour.txt": HARBOUR})
    build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    live = MilvusBackend(lite)
    serving = Searcher(backend=live, embedder=embedder)
    write_corpus(sources, {"orchard.txt": ORCHARD})

    def stop_while_writing(stage: str, done: int, total: int) -> None:
        if stage == "writing":
            raise Interrupt

    with pytest.raises(Interrupt):
        build_milvus(sources, lite, embedder=embedder, root=tmp_path,
                     progress=stop_while_writing)
    # the half-written revision exists but is not live; both old and new readers see the
    # previous whole revision
    assert len(revisions_present(connect(lite), "askrel")) == 2
    assert serving.is_current()
    reopened = Searcher(backend=MilvusBackend(lite), embedder=embedder)
    assert reopened.size == serving.size
    assert [s["source"] for s in reopened.store.sources()] == ["sources/harbour.txt"]
    assert "412 boats" in reopened.ask("How many boats came in during the storm season?",
                                       top_k=1).results[0].text
    # the next build drops the leftovers and completes
    report = build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    assert report.added == ["sources/orchard.txt"]
    assert not serving.is_current()
    assert len(revisions_present(connect(lite), "askrel")) == 2
    # the replaced revision still answers the searcher that had it open
    assert "412 boats" in serving.ask("How many boats came in during the storm season?",
                                      top_k=1).results[0].text


def test_cli_json_contract(built) -> None:
    from typer.testing import CliRunner

    from askrel.cli import app

    root, target, _ = built
    result = CliRunner().invoke(app, ["ask", "--milvus", target.uri, "--collection",
                                      target.collection, "--json", "-k", "2",
                                      "When are the pear trees pruned?"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(data) >= {"question", "answered", "mode", "missing_names", "results"}
    assert len(data["results"]) == 2
    hit = data["results"][0]
    assert set(hit) == {"rank", "score", "relevance", "text", "highlights", "citation",
                        "rerank_score"}
    c = hit["citation"]
    source_text = (root / c["source"]).read_text(encoding="utf-8")
    assert " ".join(source_text[c["char_start"]:c["char_end"]].split()) == " ".join(
        hit["text"].split())
    assert "February" in hit["text"]


def test_index_on_a_file_held_by_another_process_says_so(tmp_path) -> None:
    from typer.testing import CliRunner

    from askrel.cli import app

    db = tmp_path / "held.db"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from askrel.backends.milvus import MilvusTarget, connect\n"
         f"connect(MilvusTarget({str(db)!r}))\n"
         "print('open', flush=True)\n"
         "sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        write_corpus(tmp_path / "sources", {"harbour.txt": HARBOUR})
        result = CliRunner().invoke(app, ["index", "--milvus", str(db), "--sources",
                                          str(tmp_path / "sources")])
        assert result.exit_code == 1
        assert "is open in another process" in result.output
        assert "askrel serve" in result.output
        with pytest.raises(IndexBusy):
            connect(MilvusTarget(str(db)))
    finally:
        holder.communicate("", timeout=60)
    started = time.monotonic()
    while time.monotonic() - started < 30:  # the engine may take a moment to let go
        try:
            connect(MilvusTarget(str(db)))
            break
        except IndexBusy:
            time.sleep(0.5)
    release(MilvusTarget(str(db)))


def test_web_ui_answers_from_milvus_and_rebuilds_in_process(tmp_path, lite, embedder) -> None:
    """With Milvus Lite the serving process holds the file, so the UI's rebuild runs there;
    the live searcher moves to the new revision."""
    from askrel.web.ui import WebApp

    sources = write_corpus(tmp_path / "sources", {"harbour.txt": HARBOUR})
    build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    web = WebApp(tmp_path / "unused-index", sources, model=None, read_only=False,
                 root=tmp_path, milvus=lite)
    first = web.api_ask("How many boats came in during the storm season?", top_k=1)
    assert "412 boats" in first["results"][0]["text"]
    write_corpus(sources, {"orchard.txt": ORCHARD})

    def no_progress(*args, **kwargs) -> None:
        return None

    report, *_ = web.rebuild(progress=no_progress)
    assert "orchard.txt" in report
    answer = web.api_ask("How many bottles of perry were sold?", top_k=1)
    assert answer["results"][0]["citation"]["source"] == "sources/orchard.txt"


def answer_key(answer) -> list[tuple]:
    return [(h.passage_id, h.score, h.relevance, h.highlights, h.rerank_score)
            for h in answer.results]


def test_an_index_written_before_float16_sentence_vectors_still_answers(tmp_path, lite,
                                                                        embedder) -> None:
    """Revisions written before sentence vectors were stored as float16 with an indexed
    `passage` field (float32 vectors, no scalar index) answer as they are, and the same; an
    update reuses their vectors."""
    from pymilvus import DataType

    from askrel.backends.milvus import query_all

    sources = write_corpus(tmp_path / "sources", {"harbour.txt": HARBOUR,
                                                  "orchard.txt": ORCHARD})
    build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    new = Searcher(backend=MilvusBackend(lite), embedder=embedder)
    expected = [answer_key(new.ask(q, top_k=3)) for q in QUESTIONS]

    client = connect(lite)
    name = new.backend.names["sentences"]
    rows = query_all(client, name, "id >= 0", ["id", "passage", "vector"])
    client.drop_collection(name)
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("passage", DataType.INT64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=int(new.manifest["dimension"]))
    params = client.prepare_index_params()
    params.add_index("vector", index_type="FLAT", metric_type="IP")
    client.create_collection(name, schema=schema, index_params=params)
    client.insert(name, [{"id": r["id"], "passage": r["passage"],
                          "vector": np.frombuffer(r["vector"][0], np.float16).tolist()}
                         for r in rows])
    client.flush(name)
    assert [f["type"] for f in client.describe_collection(name)["fields"]
            if f["name"] == "vector"] == [DataType.FLOAT_VECTOR]

    old = Searcher(backend=MilvusBackend(lite), embedder=embedder)
    assert [answer_key(old.ask(q, top_k=3)) for q in QUESTIONS] == expected
    write_corpus(sources, {"observatory.txt": OBSERVATORY})
    report = build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    assert report.added == ["sources/observatory.txt"]
    assert report.embedded == report.passages - old.size
    rebuilt = MilvusBackend(lite)
    for source in ("sources/harbour.txt", "sources/orchard.txt"):  # kept, not re-embedded
        before = [p.id for p in old.backend.passages_of(source)]
        after = [p.id for p in rebuilt.passages_of(source)]
        kept, read = old.backend.sentence_vectors(before), rebuilt.sentence_vectors(after)
        assert len(before) == len(after)
        for a, b in zip(before, after, strict=True):
            assert np.array_equal(kept[a], read[b])


def test_an_ask_reads_each_candidate_once(built, embedder) -> None:
    """The first stage's reads serve the later steps: one dense search, one read of the
    candidates' sentence vectors, none of `same_as` apart (the search and the vector reads
    bring it along)."""
    _, target, _ = built
    calls: list[tuple[str, str, str]] = []

    def counted(client, method: str):
        call = getattr(client, method)

        def wrapper(collection, *args, **kwargs):
            calls.append((method, collection, kwargs.get("anns_field", "")
                          or ",".join(kwargs.get("output_fields", []))))
            return call(collection, *args, **kwargs)
        return wrapper

    for question in QUESTIONS:
        backend = MilvusBackend(target)  # nothing read yet
        searcher = Searcher(backend=backend, embedder=embedder)
        client = backend.client
        backend.client = type("Counted", (), {"search": staticmethod(counted(client, "search")),
                                              "query": staticmethod(counted(client, "query"))})()
        calls.clear()
        searcher.ask(question, mode="hybrid", top_k=3, rerank=False)
        sentences = [c for c in calls if c[1] == backend.names["sentences"]]
        assert len(sentences) == 1, calls
        assert [c for c in calls if c[0] == "search" and c[2] == "vector"] == [
            ("search", backend.names["passages"], "vector")]
        assert not any(c[2] == "id,same_as" for c in calls), calls
        assert len(calls) <= 6, calls


def test_bm25_ranks_as_the_local_index(built) -> None:
    """Milvus's BM25 reads askrel's terms of passages and question, so it scores every passage
    as the local index's bm25s does, up to one scale factor: the same order, ties included."""
    from askrel.backends.local import LocalBackend

    root, target, _ = built
    milvus, local = MilvusBackend(target), LocalBackend(root / "index")
    for question in [*QUESTIONS, "pears pear PEARS, 9,000 bottles of perry", "2.4 metres"]:
        theirs = local.lexical_index.scores(question)
        ours = milvus.bm25_search(question, milvus.size, None)
        assert set(ours) == {int(i) for i in np.flatnonzero(theirs)}, question
        ids = sorted(ours)
        ratio = np.array([ours[i] for i in ids]) / theirs[ids]
        assert np.allclose(ratio, ratio[0], rtol=1e-4), (question, ratio)
    assert milvus.bm25_search("the of and", 5, None) == {}  # stopwords only: no terms


def test_a_revision_with_the_older_bm25_analyzer_asks_for_a_rebuild(tmp_path, lite,
                                                                    embedder) -> None:
    """A revision whose BM25 read Milvus's english analyzer (before askrel's own terms) is
    refused with the command that rebuilds it; the rebuild reuses its passages' vectors."""
    from askrel.backends.milvus_build import switch_to
    from askrel.indexing.build import IndexOutdated

    sources = write_corpus(tmp_path / "sources", {"harbour.txt": HARBOUR})
    build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    client = connect(lite)
    state = read_state(client, lite.collection)
    state["manifest"]["bm25"]["analyzer"] = "english"
    switch_to(client, lite.collection, state["revision"], state["manifest"])
    with pytest.raises(IndexOutdated, match="askrel index --milvus"):
        MilvusBackend(lite)
    report = build_milvus(sources, lite, embedder=embedder, root=tmp_path)
    assert report.embedded == 0 and report.passages > 0
    answer = Searcher(backend=MilvusBackend(lite), embedder=embedder).ask(
        "How many boats came in during the storm season?")
    assert "412 boats" in answer.results[0].text


def test_asks_embed_with_the_cached_onnx_export(built, embedder, model_cache) -> None:
    """With no index folder to keep it in, a Milvus-backed searcher embeds questions with the
    model's verified ONNX export in the user's cache (made once), not with torch; the answers
    are those of the torch model."""
    from askrel.embedding.loading import load_cached_embedder

    _, target, _ = built
    searcher = Searcher(backend=MilvusBackend(target))
    assert searcher.embedder.describe()["backend"] == "onnx"
    (export,) = model_cache.glob("models/*/encoder.json")
    written = export.stat().st_mtime_ns
    again = load_cached_embedder(None)  # found in the cache, not exported again
    assert again.describe() == searcher.embedder.describe()
    assert export.stat().st_mtime_ns == written
    with_torch = Searcher(backend=MilvusBackend(target), embedder=embedder)
    for question in QUESTIONS:
        ours, theirs = searcher.ask(question, top_k=3), with_torch.ask(question, top_k=3)
        assert [h.passage_id for h in ours.results] == [h.passage_id for h in theirs.results]
