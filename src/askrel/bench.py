"""Benchmarks measured in one run, so they compare as ratios on the same machine and load.

- raw encode rate: the model alone over the corpus's passages (passages/s), against the
  whole pipeline's build rate (read, chunk, embed, index, save into a temporary folder);
- one question: bare query encoding against a full `Searcher.ask`, p50/p99 per mode, and
  hybrid with the cross-encoder reranking;
- `askrel ask` cold start: a new process from start to printed answer on an existing index;
- peak memory (RSS) of this process and of the `askrel ask` process.

Figures are reported, never asserted: they depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Log = Callable[[str], None]

FALLBACK_QUESTIONS = (
    "When did the agreement come into force?",
    "Who signed the treaty and where?",
    "What happened after the summit?",
    "How do I reset the device to factory settings?",
    "Why did the negotiations stall?",
)
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers")


def _quiet(_: str) -> None:
    pass


def percentiles(millis: Sequence[float]) -> dict[str, float]:
    """p50 and p99 (nearest rank) and the mean of a list of milliseconds."""
    ordered = sorted(millis)
    if not ordered:
        return {"p50": 0.0, "p99": 0.0, "mean": 0.0, "n": 0}

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]

    return {"p50": round(statistics.median(ordered), 3), "p99": round(rank(99), 3),
            "mean": round(statistics.fmean(ordered), 3), "n": len(ordered)}


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_questions(path: Path | None) -> list[str]:
    """Questions to time: the evaluation set's when there is one, else a few generic ones."""
    if path and path.exists():
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and isinstance(item.get("question"), str):
                out.append(item["question"])
        if out:
            return out
    return list(FALLBACK_QUESTIONS)


def corpus_texts(sources_dir: Path) -> tuple[list[str], list[list[tuple[int, int]]]]:
    """The texts the pipeline would embed for these sources, with their sentence spans."""
    from askrel.indexing.build import ChunkSettings, document_passages, passage_prefix
    from askrel.reading.sources import SourceError, discover, read_document

    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    for path in discover(sources_dir):
        try:
            doc = read_document(path, sources_dir, None)
        except (SourceError, OSError, ValueError):
            continue
        for p in document_passages(doc, ChunkSettings()):
            prefix = passage_prefix(doc.meta, p.heading, p.text)
            texts.append(prefix + p.text)
            spans.append([(s + len(prefix), e + len(prefix)) for s, e in p.sentences])
    return texts, spans


def encode_rate(embedder: Any, texts: list[str]) -> dict[str, Any]:
    """Passages per second of the model alone, over the texts in length-sorted batches."""
    started = time.perf_counter()
    embedder.embed(texts)
    seconds = time.perf_counter() - started
    return {"passages": len(texts), "seconds": round(seconds, 3),
            "passages_per_s": round(len(texts) / seconds, 2)}


def mean_tokens(embedder: Any, texts: list[str]) -> float | None:
    tokenizer = getattr(embedder.encoder, "tokenizer", None)
    if tokenizer is None or not hasattr(tokenizer, "encode_batch"):
        return None
    return round(statistics.fmean(len(e.ids) for e in tokenizer.encode_batch(texts)), 1)


def query_latency(searcher: Any, questions: list[str], modes: Sequence[str],
                  repeats: int) -> dict[str, Any]:
    """Bare query encoding and full `ask` per mode (first stage alone), and hybrid with the
    cross-encoder reranking ("hybrid+rerank"), in milliseconds. The runs take turns question
    by question, so drifting load hits each alike."""
    embedder = searcher.embedder
    runs = [(mode, mode, False) for mode in modes] + [("hybrid+rerank", "hybrid", True)]
    for q in questions[:3]:
        embedder.embed([q])
        for _, mode, rerank in runs:
            searcher.ask(q, mode=mode, rerank=rerank)
    asked = (questions * repeats)[:max(len(questions), repeats * 20)]
    encode = []
    for q in asked:
        started = time.perf_counter()
        embedder.embed([q])
        encode.append((time.perf_counter() - started) * 1000)
    took: dict[str, list[float]] = {label: [] for label, _, _ in runs}
    for q in asked:
        for label, mode, rerank in runs:
            started = time.perf_counter()
            searcher.ask(q, mode=mode, rerank=rerank)
            took[label].append((time.perf_counter() - started) * 1000)
    out: dict[str, Any] = {"encode_ms": percentiles(encode),
                           "ask_ms": {label: percentiles(ms) for label, ms in took.items()}}
    out["encoder"] = {"backend": embedder.backend, "precision": embedder.precision,
                      "threads": getattr(embedder.encoder, "threads", None)}
    return out


def askrel_command() -> list[str]:
    script = Path(sys.executable).with_name("askrel")
    return [str(script)] if script.exists() else [sys.executable, "-m", "askrel.cli"]


def cold_start(index_dir: Path, sources_dir: Path, question: str, runs: int) -> dict[str, Any]:
    """Seconds from starting `askrel ask` to its printed answer, on an existing index."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [*askrel_command(), "ask", question, "--index", str(index_dir),
               "--sources", str(sources_dir), "--json"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 2) or not done.stdout.strip():
            raise RuntimeError(f"askrel ask failed: {done.stderr.strip()[-500:]}")
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['askrel', 'ask', {question!r}, '--index', {str(index_dir)!r}, "
        f"'--sources', {str(sources_dir)!r}]\n"
        "try:\n    runpy.run_module('askrel.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print(' '.join(m for m in {HEAVY_MODULES!r} if m in sys.modules), file=sys.stderr)\n"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0],"
        " file=sys.stderr)\n"
    )
    # The child reports its own peak (VmHWM): a child's ru_maxrss would count this process's
    # memory at the time it was forked.
    lines = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=env, timeout=300).stderr.strip().splitlines()
    loaded = lines[-2].split() if len(lines) >= 2 else []
    peak_kb = float(lines[-1]) if lines and lines[-1].isdigit() else 0.0
    return {"seconds": round(statistics.median(times), 3),
            "all_seconds": [round(t, 3) for t in times],
            "heavy_modules_loaded": [m for m in loaded if m in HEAVY_MODULES],
            "process_peak_rss_mb": round(peak_kb / 1024, 1)}


def question_metrics(searcher: Any, questions_path: Path, modes: Sequence[str]
                     ) -> dict[str, dict[str, float | None]]:
    """hit@1 and MRR@10 on the question set, per mode (via the evaluation runner)."""
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.runner import evaluate

    evaluation = evaluate(searcher, load_questions(questions_path), list(modes), top_k=10)
    return {mode: {k: evaluation.summary(mode)[k] for k in ("hit@1", "mrr@10", "hit@5")}
            for mode in modes}


def export_once(index_dir: Path, precision: str, log: Log) -> dict[str, Any]:
    """Export the model into an index folder (done once per index, so timed apart)."""
    from askrel.embedding.onnx_encoder import ensure_export

    started = time.perf_counter()
    meta = ensure_export(index_dir, None, precision, log=log)
    return {"precision": precision, "model": meta.get("model"),
            "export_s": round(time.perf_counter() - started, 2),
            "export_min_cosine": meta.get("min_cosine"),
            "export_verified": meta.get("verified")}


def build_rate(sources_dir: Path, index_dir: Path, precision: str, log: Log) -> dict[str, Any]:
    """Passages per second of a fresh build: read, chunk, embed, index, save."""
    from askrel.embedding.onnx_encoder import ensure_export
    from askrel.indexing.build import build_index

    ensure_export(index_dir, None, precision, log=log)  # a copy of the first export
    report = build_index(sources_dir, index_dir, precision=precision, root=Path.cwd())
    if report.problems:
        log(f"{len(report.problems)} source(s) could not be indexed.")
    return {"passages": report.passages, "seconds": round(report.seconds, 3),
            "passages_per_s": round(report.passages / max(report.seconds, 1e-9), 2)}


def larger_corpus(sources_dir: Path, target: Path, copies: int) -> dict[str, Any] | None:
    """`copies` variants of each text source (a line appended so none is a duplicate), to
    show the build rate once fixed costs (model session, writing) are spread thin."""
    from askrel.reading.sources import TEXT_SUFFIXES

    target.mkdir(parents=True)
    for path in sorted(sources_dir.rglob("*")):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
            for k in range(copies):
                (target / f"{path.stem}-copy{k}{path.suffix}").write_text(
                    f"{text}\n\nCopy {k} of this document.\n", encoding="utf-8")
    texts, _ = corpus_texts(target)
    if not texts:
        return None
    return {"sources": target, "texts": texts, "passages": len(texts), "copies": copies}


def _warm_imports() -> None:
    """Import what a build uses, so build timings measure work, not module loading
    (start-up is measured on its own, as the cold start)."""
    import blingfire  # noqa: F401
    import bm25s  # noqa: F401

    import askrel.indexing.build  # noqa: F401


def _median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    rates = sorted(r["passages_per_s"] for r in rounds)
    middle = rates[len(rates) // 2] if len(rates) % 2 else statistics.median(rates)
    return {**rounds[0], "passages_per_s": round(middle, 2),
            "seconds": round(statistics.median(r["seconds"] for r in rounds), 3),
            "rounds": [r["passages_per_s"] for r in rounds]}


def run(*, quick: bool = False, sources_dir: Path = Path("sources"),
        index_dir: Path | None = None, questions_path: Path | None = Path(
            "eval/questions.jsonl"),
        precisions: Sequence[str] | None = None, log: Log = _quiet) -> dict[str, Any]:
    """Every figure of `askrel bench` as one dict (see the module docstring)."""
    from askrel.answering.search import MODES, Searcher
    from askrel.embedding.base import Embedder
    from askrel.embedding.loading import DEFAULT_PRECISION, check_precision
    from askrel.embedding.onnx_encoder import OnnxEncoder, export_dir

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not sources_dir.is_dir():
        raise FileNotFoundError(f"Sources folder not found: {sources_dir}")
    chosen = list(precisions or ([DEFAULT_PRECISION] if quick else ["fp32", "int8"]))
    for p in chosen:
        check_precision(p)
    if DEFAULT_PRECISION in chosen:  # the default first: it is the one the summary quotes
        chosen.remove(DEFAULT_PRECISION)
        chosen.insert(0, DEFAULT_PRECISION)
    texts, _ = corpus_texts(sources_dir)
    if not texts:
        raise ValueError(f"No passages to benchmark in {sources_dir}.")
    questions = bench_questions(questions_path)
    if quick:
        questions = questions[:40]
    result: dict[str, Any] = {"quick": quick, "machine": machine(), "passages": len(texts),
                              "questions": len(questions), "default_precision": chosen[0],
                              "precisions": {}}
    work = Path(tempfile.mkdtemp(prefix="askrel-bench-"))
    try:
        _warm_imports()
        large = None if quick else larger_corpus(sources_dir, work / "large-sources", copies=6)
        for precision in chosen:
            log(f"[{precision}] exporting the model")
            target = work / precision / "index"
            exported = export_once(target, precision, log)
            entry: dict[str, Any] = {"export": exported}
            embedder = None
            if exported["export_verified"]:
                embedder = Embedder(OnnxEncoder(export_dir(target, str(exported["model"]),
                                                           precision)))
                embedder.embed(texts[:4])
            raws, builds = [], []
            for n in range(1 if quick else 3):  # interleaved, so drifting load hits both
                if embedder is not None:
                    log(f"[{precision}] raw encode rate, round {n + 1}")
                    raws.append(encode_rate(embedder, texts))
                log(f"[{precision}] index build, round {n + 1}")
                builds.append(build_rate(sources_dir, work / precision / f"build{n}",
                                         precision, log))
            entry["build"] = _median_of(builds)
            if embedder is not None and not quick and large is not None:
                log(f"[{precision}] raw encode and build rates on {large['passages']} passages")
                raw = encode_rate(embedder, large["texts"])
                built = build_rate(large["sources"], work / precision / "large", precision, log)
                entry["large_corpus"] = {
                    "passages": built["passages"], "copies": large["copies"],
                    "raw_passages_per_s": raw["passages_per_s"],
                    "index_passages_per_s": built["passages_per_s"],
                    "index_vs_raw": round(built["passages_per_s"] / raw["passages_per_s"], 3)}
            if embedder is not None and not quick:
                log(f"[{precision}] raw encode rate at the token limit")
                long_texts = [" ".join(texts[i:i + 3]) for i in range(0, len(texts) - 2, 3)]
                at_limit = _median_of([encode_rate(embedder, long_texts) for _ in range(3)])
                at_limit["mean_tokens"] = mean_tokens(embedder, long_texts)
                entry["raw_encode_at_limit"] = at_limit
            if embedder is not None:
                entry["raw_encode"] = _median_of(raws)
                entry["raw_encode"]["mean_tokens"] = mean_tokens(embedder, texts)
                # per round, then the median: each pair ran back to back under the same load
                entry["index_vs_raw"] = round(statistics.median(
                    b["passages_per_s"] / r["passages_per_s"]
                    for b, r in zip(builds, raws, strict=True)), 3)
            target = work / precision / "build0"
            searcher = Searcher(target)
            log(f"[{precision}] query latency")
            entry["query"] = query_latency(searcher, questions, MODES, repeats=1 if quick else 3)
            if not quick and questions_path and questions_path.exists():
                log(f"[{precision}] question-set metrics")
                entry["metrics"] = question_metrics(
                    searcher, questions_path, ("hybrid/no-rerank", "dense/no-rerank", "hybrid"))
            result["precisions"][precision] = entry
        if not quick:
            result["torch_raw_encode"] = _torch_rate(texts)
        query_index = index_dir or work / chosen[0] / "build0"
        log("cold start of askrel ask")
        result["cold_start"] = cold_start(query_index, sources_dir, questions[0],
                                          runs=2 if quick else 5)
        result["cold_start"]["index"] = str(query_index)
        if index_dir is not None:
            result["given_index_query"] = query_latency(Searcher(index_dir), questions, MODES,
                                                        repeats=1 if quick else 3)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["peak_rss_mb"] = peak_rss_mb()
    result.update(summary(result))
    return result


def _torch_rate(texts: list[str]) -> dict[str, Any]:
    """The torch model's raw rate, for reference (it is what sentence-transformers runs)."""
    from askrel.embedding.base import Embedder
    from askrel.embedding.torch_encoder import SentenceTransformerEncoder

    embedder = Embedder(SentenceTransformerEncoder())
    embedder.embed(texts[:4])
    return encode_rate(embedder, texts)


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The headline keys, taken from the default precision's figures."""
    main = result["precisions"][result["default_precision"]]
    query = result.get("given_index_query") or main["query"]
    raw = main.get("raw_encode", {}).get("passages_per_s")
    out = {
        "raw_encode_passages_per_s": raw,
        "index_passages_per_s": main["build"]["passages_per_s"],
        "index_vs_raw": main.get("index_vs_raw"),
        "raw_query_encode_p50_ms": query["encode_ms"]["p50"],
        "raw_query_encode_p99_ms": query["encode_ms"]["p99"],
        "query_p50_ms": query["ask_ms"]["hybrid"]["p50"],
        "query_p99_ms": query["ask_ms"]["hybrid"]["p99"],
        "rerank_query_p50_ms": query["ask_ms"]["hybrid+rerank"]["p50"],
        "rerank_query_p99_ms": query["ask_ms"]["hybrid+rerank"]["p99"],
        "cold_start_s": result["cold_start"]["seconds"],
    }
    return out


def machine() -> dict[str, Any]:
    """CPU model and count, for the record."""
    model = ""
    flags: list[str] = []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and not model:
                model = value.strip()
            if key.strip() == "flags" and not flags:
                flags = [f for f in value.split() if f in ("avx2", "avx512f", "avx512_vnni")]
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": model, "simd": flags,
            "python": sys.version.split()[0]}


def format_text(result: dict[str, Any]) -> str:
    """The figures as a short plain-text report."""
    lines = [f"askrel bench ({'quick' if result['quick'] else 'full'}): "
             f"{result['passages']} passages, {result['questions']} questions, "
             f"{result['machine']['cpus']} CPUs ({result['machine']['cpu']})"]
    for precision, entry in result["precisions"].items():
        b, x = entry["build"], entry["export"]
        lines.append(f"\n[{precision}] export {x['export_s']}s (cosine {x['export_min_cosine']})")
        for key in ("raw_encode", "raw_encode_at_limit"):
            if key in entry:
                r = entry[key]
                lines.append(f"  raw encode   {r['passages_per_s']:8.1f} passages/s "
                             f"(mean {r['mean_tokens']} tokens)")
        lines.append(f"  index build  {b['passages_per_s']:8.1f} passages/s "
                     f"({b['seconds']}s; {entry.get('index_vs_raw')} of raw)")
        if "large_corpus" in entry:
            g = entry["large_corpus"]
            lines.append(f"  {g['passages']} passages: raw {g['raw_passages_per_s']:.1f}, "
                         f"build {g['index_passages_per_s']:.1f} passages/s "
                         f"({g['index_vs_raw']} of raw)")
        q = entry["query"]
        lines.append(f"  query encode p50 {q['encode_ms']['p50']:.2f} ms  "
                     f"p99 {q['encode_ms']['p99']:.2f} ms")
        for mode, t in q["ask_ms"].items():
            lines.append(f"  ask {mode:<8} p50 {t['p50']:.2f} ms  p99 {t['p99']:.2f} ms")
        for mode, m in entry.get("metrics", {}).items():
            lines.append(f"  {mode:<8} hit@1 {m['hit@1']:.3f}  mrr@10 {m['mrr@10']:.3f}")
    if "torch_raw_encode" in result:
        lines.append(f"\ntorch raw encode {result['torch_raw_encode']['passages_per_s']:.1f} "
                     "passages/s")
    if "given_index_query" in result:
        q = result["given_index_query"]
        lines.append(f"\n[{result['cold_start']['index']}] query encode p50 "
                     f"{q['encode_ms']['p50']:.2f} ms ({q['encoder']['backend']} "
                     f"{q['encoder']['precision']})")
        for mode, t in q["ask_ms"].items():
            lines.append(f"  ask {mode:<8} p50 {t['p50']:.2f} ms  p99 {t['p99']:.2f} ms")
    c = result["cold_start"]
    lines.append(f"\naskrel ask cold start {c['seconds']}s (runs {c['all_seconds']}); "
                 f"heavy modules loaded: {', '.join(c['heavy_modules_loaded']) or 'none'}; "
                 f"peak RSS {c['process_peak_rss_mb']} MB")
    lines.append(f"bench process peak RSS {result['peak_rss_mb']} MB")
    return "\n".join(lines)
