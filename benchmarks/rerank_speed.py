"""Speed of the cross-encoder reranker (askrel.answering.rerank) on this machine.

Candidates are realistic passages: the bundled sources' text cut into consecutive ~100-word
pieces (130-160 tokens with a question). Prints p50/p99 milliseconds of one `score` call for
10 and 20 candidates, over: the pair's max token length, 40- and 60-word windows, batch shape
(pairs one at a time, sorted mini-batches of 4, all in one batch), onnxruntime intra-op
threads (1 vs 2), graph optimization level, memory arena and execution mode, two pairs at
once on two threads, two users asking at once, and sentence scoring (one `score` call over
single sentences). Each line also gives the median CPU time per call and the load average.

    .venv/bin/python benchmarks/rerank_speed.py [--repeat 20] [--only grid,shape,...]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# Written for timing only: their length is what matters (10-15 words, like real questions).
QUESTIONS = (
    "What did the two governments agree to do about the compensation of wartime workers?",
    "Which year did the leaders hold their first summit meeting after the long pause?",
    "Why did public opinion in the country turn against the proposed agreement?",
)
SECTIONS = ("grid", "window", "shape", "threads", "session", "parallel", "users", "sentences")


def passages(sources: Path, words: int = 100) -> list[str]:
    """Consecutive `words`-word pieces of every .txt source."""
    pieces = []
    for path in sorted(sources.glob("*.txt")):
        tokens = path.read_text(encoding="utf-8").split()
        pieces += [" ".join(tokens[i:i + words]) for i in range(0, len(tokens) - words, words)]
    return pieces


def sentences_of(texts: Sequence[str]) -> list[str]:
    """Sentences of the texts (a plain split on end punctuation is enough for timing)."""
    return [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) > 3]


def percentiles(call: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(p50, p99) wall-clock ms of `call` after one warm-up call, and its median CPU ms.

    The CPU time (of the whole process) is what a call costs on a free core: on a shared
    machine the wall clock also counts the time other jobs held the cores.
    """
    call()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(np.ceil(0.99 * len(times))) - 1)]
    return statistics.median(times), p99, statistics.median(cpu)


def row(label: str, call: Callable[[], object], repeat: int) -> None:
    """One printed line; the 1-minute load average shows how shared the machine was."""
    p50, p99, cpu = percentiles(call, repeat)
    print(f"{label:<50} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  cpu {cpu:6.1f} ms  "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


def rotating(encoder: object, texts: Sequence[str], n: int) -> Callable[[], object]:
    """A call scoring n candidates, taking the next question and slice each time."""
    state = {"i": 0}

    def call() -> object:
        i = state["i"]
        state["i"] += 1
        start = (i * n) % max(1, len(texts) - n)
        return encoder.score(QUESTIONS[i % len(QUESTIONS)], texts[start:start + n])  # type: ignore[attr-defined]
    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sources", type=Path, default=ROOT / "sources")
    parser.add_argument("--only", default=",".join(SECTIONS))
    args = parser.parse_args()
    import onnxruntime as ort

    from askrel.answering.rerank import CrossEncoder

    only = set(args.only.split(","))
    texts = passages(args.sources)
    probe = CrossEncoder(max_tokens=512).load()
    lengths = [len(probe._load()[1].encode(QUESTIONS[0], t).ids) for t in texts]
    print(f"{len(texts)} passages of 100 words: {statistics.median(lengths):.0f} tokens "
          f"median with a question (min {min(lengths)}, max {max(lengths)}); "
          f"onnxruntime {ort.__version__}, repeat {args.repeat}\n", flush=True)

    if "grid" in only:
        print("# max tokens x candidates (pairs one at a time, 1 thread, ORT_ENABLE_ALL)")
        for max_tokens in (96, 128, 160, 192, 256, 320, 512):
            encoder = CrossEncoder(max_tokens=max_tokens).load()
            for n in (10, 20):
                row(f"max {max_tokens:3d}, {n} passages", rotating(encoder, texts, n), args.repeat)

    if "window" in only:
        print("\n# windows of 40 and 60 words (as around a marked sentence), max 128, 1 thread")
        for words in (40, 60):
            pieces = passages(args.sources, words)
            encoder = CrossEncoder(max_tokens=128).load()
            for n in (10, 20):
                row(f"{words}-word windows, {n} passages", rotating(encoder, pieces, n),
                    args.repeat)

    if "shape" in only:
        print("\n# batch shape (max 256, 1 thread)")
        for batch, name in ((1, "one at a time"), (4, "sorted batches of 4"),
                            (20, "one batch")):
            encoder = CrossEncoder(max_tokens=256, batch_size=batch).load()
            for n in (10, 20):
                row(f"{name}, {n} passages", rotating(encoder, texts, n), args.repeat)

    if "threads" in only:
        print("\n# intra-op threads (max 256)")
        for threads in (1, 2):
            for batch in (1, 20):
                encoder = CrossEncoder(max_tokens=256, threads=threads, batch_size=batch).load()
                row(f"{threads} thread(s), batch {batch}, 10 passages",
                    rotating(encoder, texts, 10), args.repeat)

    if "session" in only:
        print("\n# session options (max 256, 1 thread, one at a time, 10 passages)")
        for level in ("disable", "basic", "extended", "all"):
            encoder = CrossEncoder(max_tokens=256, optimization=level).load()
            row(f"graph optimization {level}", rotating(encoder, texts, 10), args.repeat)
        for name, key, value in (("memory arena off", "arena", False),
                                 ("parallel execution mode", "mode", True)):
            encoder = CrossEncoder(max_tokens=256)
            session, pairs, questions = encoder._build(encoder.directory or _model_dir())
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            if key == "arena":
                options.enable_cpu_mem_arena = value
            else:
                options.execution_mode = ort.ExecutionMode.ORT_PARALLEL
            session = ort.InferenceSession(str(_model_dir() / "model.onnx"), options,
                                           providers=["CPUExecutionProvider"])
            encoder._loaded = (session, pairs, questions)
            row(name, rotating(encoder, texts, 10), args.repeat)
        encoder = CrossEncoder(max_tokens=256)
        session, pairs, questions = encoder._build(_model_dir())
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        encoder._loaded = (ort.InferenceSession(str(_model_dir() / "model.onnx"), options,
                                                providers=["CPUExecutionProvider"]),
                           pairs, questions)
        row("spinning allowed (onnxruntime default)", rotating(encoder, texts, 10), args.repeat)

    if "parallel" in only:
        print("\n# one call's pairs on two worker threads (1 intra-op thread each)")
        for max_tokens in (128, 256):
            encoder = CrossEncoder(max_tokens=max_tokens, workers=2).load()
            for n in (10, 20):
                row(f"max {max_tokens}, 2 workers, {n} passages", rotating(encoder, texts, n),
                    args.repeat)

    if "users" in only:
        print("\n# two users at once, each scoring 10 passages (max 256): per-request latency")
        for threads, pool in ((1, 1), (2, 1), (1, 2)):
            encoder = CrossEncoder(max_tokens=256, threads=threads, workers=pool).load()
            times: list[float] = []
            lock = threading.Lock()

            def user(k: int, enc: CrossEncoder = encoder, sink: list[float] = times,
                     guard: threading.Lock = lock) -> None:
                call = rotating(enc, texts[k * 30:], 10)
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    call()
                    with guard:
                        sink.append((time.perf_counter() - start) * 1000)
            workers = [threading.Thread(target=user, args=(k,)) for k in range(2)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            times.sort()
            print(f"{threads} thread(s), {pool} worker(s), 2 users{'':<20} p50 "
                  f"{statistics.median(times):7.1f} ms   p99 {times[-1]:7.1f} ms   "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)

    if "sentences" in only:
        print("\n# sentence scoring: one call over the sentences of 3 and of 10 passages")
        encoder = CrossEncoder(max_tokens=128).load()
        found = sentences_of(texts)
        for n_passages in (3, 10):
            n = round(len(found) / len(texts) * n_passages)
            row(f"{n} sentences (~{n_passages} passages), max 128",
                rotating(encoder, found, n), args.repeat)


def _model_dir() -> Path:
    from askrel.answering.rerank import find_model_dir

    return find_model_dir()


if __name__ == "__main__":
    main()
