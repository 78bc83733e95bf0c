"""Load test of the web UI's `/ask` endpoint on this machine.

Simulated users ask questions from a question file at the same time, each through its own
connection (gradio's REST API over plain HTTP by default, or gradio_client); the script
reports errors, answers per second, latency (p50, p90, p99, max) and the CPU time the
client and the server spent per answer (both share this machine's cores).
The number of requests and the time are bounded, and only loopback addresses are targeted.

    python scripts/load_test.py                      # starts `askrel serve` on a free port
    python scripts/load_test.py --url http://127.0.0.1:7860 --users 20 --per-user 10
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

PROJECT = Path(__file__).resolve().parents[1]
MAX_REQUESTS = 2000


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p% of values at or below."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[int(rank) - 1]


def load_questions(path: Path) -> list[str]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            questions.append(json.loads(line)["question"])
    if not questions:
        raise SystemExit(f"Error: no questions in {path}")
    return questions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"Error: askrel serve exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"Error: {url} did not answer within {timeout:.0f}s")


def start_server(index: Path, sources: Path, port: int, log: Path,
                 rerank: bool = True) -> subprocess.Popen:
    askrel = Path(sys.executable).with_name("askrel")
    command = [str(askrel), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--index", str(index), "--sources", str(sources),
               "--rerank" if rerank else "--no-rerank"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    with log.open("w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=PROJECT)


def ask_over_http(client, url: str, question: str, top_k: int) -> dict:
    """One question through gradio's REST API: post it, then read the event stream's result."""
    posted = client.post(f"{url}/gradio_api/call/ask",
                         json={"data": [question, top_k, "hybrid", None, None]})
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    event = ""
    with client.stream("GET", f"{url}/gradio_api/call/ask/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = json.loads(line.removeprefix("data:"))
                if event == "error":
                    raise RuntimeError(f"server error: {data}")
                return data[0]
    raise RuntimeError("the event stream ended without a result")


def connect(url: str, kind: str):
    """A function asking one question over a connection of its own."""
    if kind == "gradio_client":
        from gradio_client import Client

        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        return lambda question, top_k: client.predict(question, top_k, api_name="/ask")
    import httpx

    session = httpx.Client(timeout=120)
    return lambda question, top_k: ask_over_http(session, url, question, top_k)


def user(url: str, questions: list[str], top_k: int, tally: Tally, deadline: float,
         client_kind: str) -> None:
    """One simulated person: a connection of its own, questions one after another."""
    try:
        ask = connect(url, client_kind)
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
        with tally.lock:
            tally.errors.extend([f"connect: {exc.__class__.__name__}: {exc}"] * len(questions))
        return
    for question in questions:
        if time.monotonic() > deadline:
            with tally.lock:
                tally.errors.append("not sent: the time limit was reached")
            continue
        started = time.perf_counter()
        try:
            result = ask(question, top_k)
            elapsed = time.perf_counter() - started
            problem = None
            if not isinstance(result, dict) or not isinstance(result.get("results"), list):
                problem = f"malformed answer: {str(result)[:120]}"
            elif result.get("error"):
                problem = f"error answer: {result['error']}"
        except Exception as exc:  # noqa: BLE001
            elapsed, problem, result = time.perf_counter() - started, (
                f"{exc.__class__.__name__}: {exc}"), None
        with tally.lock:
            if problem:
                tally.errors.append(problem)
            else:
                tally.latencies.append(elapsed)
                tally.answered += bool(result and result.get("answered"))


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc (Linux); else None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(url: str, questions: list[str], users: int, per_user: int, top_k: int,
        time_limit: float, seed: int, client_kind: str = "http",
        server_pid: int | None = None) -> dict:
    rng = random.Random(seed)
    tally = Tally()
    deadline = time.monotonic() + time_limit
    plans = [[rng.choice(questions) for _ in range(per_user)] for _ in range(users)]
    threads = [threading.Thread(target=user, daemon=True,
                                args=(url, plan, top_k, tally, deadline, client_kind))
               for plan in plans]
    server_before, client_before = cpu_seconds(server_pid), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 60)
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    server_after = cpu_seconds(server_pid)
    server_cpu = (server_after - server_before
                  if server_after is not None and server_before is not None else None)
    ok = tally.latencies
    distinct: dict[str, int] = {}
    for error in tally.errors:
        distinct[error] = distinct.get(error, 0) + 1
    return {
        "url": url, "users": users, "per_user": per_user, "requests": users * per_user,
        "ok": len(ok), "errors": len(tally.errors), "answered": tally.answered,
        "error_kinds": dict(sorted(distinct.items(), key=lambda kv: -kv[1])[:10]),
        "seconds": round(wall, 2), "requests_per_second": round(len(ok) / wall, 2),
        "p50_ms": round(percentile(ok, 50) * 1000, 1),
        "p90_ms": round(percentile(ok, 90) * 1000, 1),
        "p99_ms": round(percentile(ok, 99) * 1000, 1),
        "max_ms": round(max(ok) * 1000, 1) if ok else float("nan"),
        "unfinished_users": sum(t.is_alive() for t in threads),
        "client": client_kind,
        "client_cpu_ms_per_answer": round(client_cpu * 1000 / max(1, len(ok)), 1),
        "server_cpu_ms_per_answer": (round(server_cpu * 1000 / max(1, len(ok)), 1)
                                     if server_cpu is not None else None),
    }


def describe(result: dict) -> str:
    lines = [
        f"{result['requests']} requests ({result['users']} users x {result['per_user']}) "
        f"to {result['url']}/ask in {result['seconds']}s "
        f"({result['requests_per_second']} answers/s)",
        f"  ok {result['ok']}, errors {result['errors']}, answered (above the threshold) "
        f"{result['answered']}",
        f"  latency p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, "
        f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms",
        f"  CPU per answer: client ({result['client']}) {result['client_cpu_ms_per_answer']} ms"
        + (f", server {result['server_cpu_ms_per_answer']} ms"
           if result["server_cpu_ms_per_answer"] is not None else ""),
    ]
    lines += [f"  error x{n}: {kind}" for kind, n in result["error_kinds"].items()]
    if result["unfinished_users"]:
        lines.append(f"  {result['unfinished_users']} users had not finished at the time limit")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running askrel web UI on this machine "
                                      "(default: start askrel serve on a free port)")
    parser.add_argument("--index", type=Path, default=PROJECT / "index")
    parser.add_argument("--sources", type=Path, default=PROJECT / "sources")
    parser.add_argument("--questions", type=Path, default=PROJECT / "eval" / "questions.jsonl")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--no-rerank", action="store_true",
                        help="start the server without the cross-encoder stage")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="stop sending after this many seconds")
    parser.add_argument("--startup-timeout", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--client", choices=["http", "gradio_client"], default="http",
                        help="how users ask: gradio's REST API over plain HTTP (light, so the "
                             "server gets the CPU) or gradio_client (heavier; the documented "
                             "Python client)")
    parser.add_argument("--server-pid", type=int,
                        help="with --url: the server's process id, to report its CPU time")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    if args.users < 1 or args.per_user < 1 or args.users * args.per_user > MAX_REQUESTS:
        parser.error(f"users x per-user must be between 1 and {MAX_REQUESTS}")
    if args.url and not is_loopback(args.url):
        parser.error("only addresses on this machine (127.0.0.0/8, localhost, ::1) are "
                     "allowed")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    questions = load_questions(args.questions)
    proc = None
    url = (args.url or "").rstrip("/")
    try:
        if not url:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            log = Path(os.environ.get("TMPDIR", "/tmp")) / f"askrel-serve-{port}.log"
            print(f"starting askrel serve on {url} (log: {log})", file=sys.stderr)
            proc = start_server(args.index, args.sources, port, log, rerank=not args.no_rerank)
        wait_until_up(url, proc, args.startup_timeout)
        result = run(url, questions, args.users, args.per_user, args.top_k,
                     args.time_limit, args.seed, client_kind=args.client,
                     server_pid=proc.pid if proc is not None else args.server_pid)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(json.dumps(result, indent=2) if args.json else describe(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
