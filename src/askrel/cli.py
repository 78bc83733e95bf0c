"""The `askrel` command line: a thin edge over indexing and search.

Answers go to standard output; progress and messages go to standard error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from askrel.records import page_place

if TYPE_CHECKING:
    from askrel.answering.search import Searcher
    from askrel.backends.milvus import MilvusTarget
    from askrel.indexing.build import BuildReport
    from askrel.records import Answer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Answer questions with ranked, exactly cited passages from your sources.",
)

SourcesOpt = Annotated[Path | None, typer.Option(
    "--sources", envvar="ASKREL_SOURCES", show_default=False,
    # the types of reading.sources.suffix_list(), written out: importing the readers here
    # would slow every command's start
    help="Folder of .txt, .md, .rst, .adoc, .html, .htm, .docx and .pdf sources \\[default: the "
         "folder the index was built from, else sources].")]
DEFAULT_SOURCES = Path("sources")
IndexOpt = Annotated[Path, typer.Option("--index", envvar="ASKREL_INDEX",
                                        help="Folder where the index lives.")]
ModelOpt = Annotated[str | None, typer.Option(
    "--model", envvar="ASKREL_MODEL",
    help="sentence-transformers model folder or name (default: bundled all-MiniLM-L6-v2).")]
RerankOpt = Annotated[bool, typer.Option(
    "--rerank/--no-rerank", help="Let the cross-encoder reorder the best candidates "
                                 "(slower, better first answers).")]
MilvusOpt = Annotated[str | None, typer.Option(
    "--milvus", envvar="ASKREL_MILVUS_URI", show_default=False,
    help="Keep the index in Milvus instead of --index: a Milvus Lite file (askrel.db) or a "
         "server, http://host:19530 (token from ASKREL_MILVUS_TOKEN). See docs/milvus.md.")]
CollectionOpt = Annotated[str, typer.Option(
    "--collection", envvar="ASKREL_MILVUS_COLLECTION",
    help="Name of the index in Milvus (with --milvus).")]
DEFAULT_COLLECTION = "askrel"


def say(message: str) -> None:
    """A message for the person at the terminal (standard error)."""
    typer.echo(message, err=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    say(f"Error: {message}")
    return typer.Exit(code)


def _progress_printer(done_line: str = "{stage}: {total} done",
                      min_total: int = 2) -> Callable[[str, int, int], None]:
    """A progress callback: one tqdm bar per stage on a terminal; otherwise `done_line` once
    a stage of at least `min_total` items is finished."""
    from tqdm import tqdm

    interactive = sys.stderr.isatty()
    bars: dict[str, tqdm] = {}
    finished: set[str] = set()

    def progress(stage: str, done: int, total: int) -> None:
        if not interactive:
            if done >= total and stage not in finished and total >= min_total:
                finished.add(stage)
                say(done_line.format(stage=stage, total=total))
            return
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=f"{stage:>9}", unit=" item",
                                     file=sys.stderr, leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return progress


def describe_report(report: BuildReport) -> str:
    """A short account of a build, for people."""
    lines = []
    if report.reembedded_all:
        lines.append(f"Rebuilt everything: {report.reembedded_all}.")
    counts = [f"{len(report.added)} added", f"{len(report.updated)} updated",
              f"{len(report.removed)} removed", f"{len(report.unchanged)} unchanged"]
    if report.skipped:
        counts.append(f"{len(report.skipped)} skipped")
    lines.append(f"Sources: {', '.join(counts)}.")
    for label, names in (("added", report.added), ("updated", report.updated),
                         ("removed", report.removed)):
        lines.extend(f"  {label}: {name}" for name in names)
    lines.extend(f"  skipped: {p.source}: {p.reason}" for p in report.skipped)
    lines.extend(f"  could not index {p.source}: {p.reason}" for p in report.problems)
    state = "Index updated" if report.changed else "Index already up to date"
    lines.append(f"{state}: {report.passages} passages, model {report.model}, "
                 f"{report.seconds:.1f}s.")
    return "\n".join(lines)


def milvus_target(uri: str | None, collection: str) -> MilvusTarget | None:
    """The Milvus index named on the command line, or None for the local index folder."""
    if not uri:
        return None
    from askrel.backends.milvus import MilvusTarget, check_target

    try:
        return check_target(MilvusTarget(uri, collection, os.environ.get("ASKREL_MILVUS_TOKEN")))
    except ValueError as exc:
        raise fail(str(exc), 2) from exc


def sources_folder(sources: Path | None, index: Path,
                   milvus: MilvusTarget | None = None) -> Path:
    """The sources folder: as given (or ASKREL_SOURCES), else the one the index was built
    from, else `sources`."""
    from askrel.indexing.build import built_from

    if sources:
        return sources
    if milvus is not None:
        return DEFAULT_SOURCES
    return built_from(index) or DEFAULT_SOURCES


def run_build(sources: Path, index: Path, model: str | None,
              precision: str | None = None, milvus: MilvusTarget | None = None) -> BuildReport:
    from askrel.indexing.build import IndexError_, build_index

    try:
        if milvus is not None:
            from askrel.backends.milvus_build import build_milvus

            if precision not in (None, "fp32"):
                raise fail("The Milvus backend builds at fp32 precision only.", 2)
            report = build_milvus(sources, milvus, model=model, root=Path.cwd(),
                                  progress=_progress_printer())
        else:
            report = build_index(sources, index, model=model, root=Path.cwd(),
                                 precision=precision, progress=_progress_printer())
    except (IndexError_, RuntimeError, ValueError) as exc:
        raise fail(str(exc)) from exc
    say(describe_report(report))
    return report


def open_milvus_searcher(sources: Path, target: MilvusTarget, model: str | None) -> Searcher:
    """The searcher over a Milvus index, building it from `sources` first if there is none."""
    from askrel.answering.search import Searcher
    from askrel.backends.milvus import MilvusBackend
    from askrel.indexing.build import IndexError_, IndexMissing

    try:
        try:
            backend = MilvusBackend(target)
        except IndexMissing:
            say(f"No index in {target.describe()} yet; building it from {sources} first.")
            run_build(sources, Path("index"), model, milvus=target)
            backend = MilvusBackend(target)
        return Searcher(backend=backend, model=model)
    except (IndexError_, RuntimeError) as exc:
        raise fail(str(exc)) from exc


def open_searcher(sources: Path, index: Path, model: str | None,
                  milvus: MilvusTarget | None = None) -> Searcher:
    """The searcher over `index` (or the Milvus index), building the index from `sources`
    first if there is none."""
    from askrel.answering.search import Searcher
    from askrel.indexing.build import (
        IndexError_,
        current_build,
        cut_by_other_code,
        is_outdated,
    )
    from askrel.indexing.store import read_manifest

    if milvus is not None:
        return open_milvus_searcher(sources, milvus, model)
    build = current_build(index)
    if build is None:
        say(f"No index in {index} yet; building it from {sources} first.")
        run_build(sources, index, model)
    elif is_outdated(read_manifest(build)):
        say(f"The index in {index} was built by an older version of askrel; rebuilding it "
            f"from {sources} first.")
        run_build(sources, index, model)
    elif cut_by_other_code(read_manifest(build)):
        say(f"The passages in {index} were cut from the sources by another version of askrel; "
            f"`askrel index --index {index}` (or Rebuild in the web UI) cuts them anew.")
    try:
        return Searcher(index, model=model)
    except (IndexError_, RuntimeError) as exc:
        raise fail(str(exc)) from exc


@app.command()
def index(sources: SourcesOpt = None, index: IndexOpt = Path("index"),
          model: ModelOpt = None,
          precision: Annotated[str, typer.Option(
              help="Encoder precision: fp32, or int8 (faster, slightly less accurate; "
                   "see docs/performance.md). A change re-embeds everything.")] = "fp32",
          milvus: MilvusOpt = None, collection: CollectionOpt = DEFAULT_COLLECTION,
          ) -> None:
    """Build or update the index from the sources folder (only what changed is redone)."""
    target = milvus_target(milvus, collection)
    report = run_build(sources_folder(sources, index, target), index, model, precision, target)
    if report.problems:
        say(f"{len(report.problems)} file(s) could not be indexed; the rest were.")


def format_answer(answer: Answer, color: bool) -> str:
    """Human-readable ranked passages with citations and the marked sentence."""
    on, off = ("\033[1;33m", "\033[0m") if color else ("**", "**")
    out = []
    if answer.message:
        out.append(answer.message)
    for hit in answer.results:
        c = hit.citation
        title = c.title or Path(c.source).name
        where = f"{page_place(c.page, c.page_label, c.continued)}, " if c.page else ""
        where += f"{c.section}, " if c.section else ""
        meta = ", ".join(x for x in (c.publisher, c.date) if x)
        text, marked, last = hit.text, [], 0
        for start, end in hit.highlights:
            marked += [text[last:start], on, text[start:end], off]
            last = end
        marked.append(text[last:])
        body = " ".join("".join(marked).split())
        out.append(f"[{hit.rank}] {title}" + (f" — {meta}" if meta else "")
                   + f"\n    {where}{c.source}, characters {c.char_start}–{c.char_end}"
                   + (f" and {c.continued.char_start}–{c.continued.char_end} on page "
                      f"{c.continued.page}" if c.continued else "")
                   + f" (relevance {hit.relevance:.2f})\n    {body}")
    return "\n\n".join(out)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, or '-' to read one per line "
                                                 "from standard input.")],
    index: IndexOpt = Path("index"),
    sources: SourcesOpt = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=50,
                                       help="How many passages.")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25.")] = "hybrid",
    history: Annotated[list[str] | None, typer.Option(
        "--history", help="An earlier question of the conversation (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="Only search this source (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract.")] = False,
    model: ModelOpt = None,
    rerank: RerankOpt = True,
    milvus: MilvusOpt = None,
    collection: CollectionOpt = DEFAULT_COLLECTION,
) -> None:
    """Answer a question with ranked, cited passages."""
    from askrel.answering.search import MODES, QuestionError

    if mode not in MODES:
        raise fail(f"Unknown mode '{mode}'; choose one of {', '.join(MODES)}.", 2)
    target = milvus_target(milvus, collection)
    searcher = open_searcher(sources_folder(sources, index, target), index, model, target)
    questions = sys.stdin if question == "-" else [question]
    status = 0
    for line in questions:
        if question == "-" and not line.strip():
            continue
        line = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        try:
            answer = searcher.ask(line.rstrip("\n"), top_k=top_k, mode=mode,
                                  history=history or (), sources=source or None,
                                  rerank=rerank)
        except QuestionError as exc:
            status = 2
            if as_json:
                typer.echo(json.dumps({"question": line.rstrip("\n"), "answered": False,
                                       "mode": mode, "results": [], "error": str(exc)},
                                      ensure_ascii=False))
            else:
                say(f"Error: {exc}")
            continue
        if as_json:
            typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            typer.echo(format_answer(answer, color=sys.stdout.isatty()) + "\n")
        sys.stdout.flush()
    raise typer.Exit(status)


@app.command()
def serve(
    port: Annotated[int, typer.Option(envvar="ASKREL_PORT", help="Port to listen on.")] = 7860,
    host: Annotated[str, typer.Option(envvar="ASKREL_HOST",
                                      help="Address to bind (default: this machine only).")]
    = "127.0.0.1",
    index: IndexOpt = Path("index"),
    sources: SourcesOpt = None,
    model: ModelOpt = None,
    auth: Annotated[str | None, typer.Option(
        envvar="ASKREL_AUTH", help="Require a login, given as USER:PASSWORD.")] = None,
    read_only: Annotated[bool, typer.Option(
        "--read-only", envvar="ASKREL_READ_ONLY",
        help="Turn uploads and rebuilds off in the web UI.")] = False,
    rerank: RerankOpt = True,
    milvus: MilvusOpt = None,
    collection: CollectionOpt = DEFAULT_COLLECTION,
) -> None:
    """Start the web UI (builds the index first if there is none)."""
    from askrel.web import launch

    target = milvus_target(milvus, collection)
    sources = sources_folder(sources, index, target)
    open_searcher(sources, index, model, target)
    launch(index_dir=index, sources_dir=sources, model=model, host=host, port=port,
           auth=auth, read_only=read_only, milvus=target, rerank=rerank)


@app.command("eval")
def eval_command(
    questions: Annotated[Path, typer.Option(
        "--questions", help="Question set, one JSON object per line (see eval/README.md).")]
    = Path("eval/questions.jsonl"),
    mode: Annotated[list[str] | None, typer.Option(
        "--mode", help="hybrid, dense or bm25, reranked by the cross-encoder; add '/no-rerank' "
                       "for the first stage alone (repeatable; default hybrid).")] = None,
    index: IndexOpt = Path("index"),
    sources: SourcesOpt = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=50,
                                       help="Passages retrieved per question.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write report.md, metrics.json, misses.md/.csv and "
                      "hit_at_k.png here.")] = None,
    calibrate: Annotated[bool, typer.Option(
        "--calibrate", help="Fit the 'no answer' threshold on these questions (hybrid mode) "
                            "and save it with the index (the packaged default is fitted on "
                            "every set by eval/calibrate.py).")] = False,
    milvus: MilvusOpt = None,
    collection: CollectionOpt = DEFAULT_COLLECTION,
) -> None:
    """Measure retrieval on a question set: hit@k, MRR, nDCG, abstention, latency."""
    from dataclasses import replace

    from askrel.answering.abstention import CALIBRATION_FILE, calibration_from
    from askrel.answering.search import MODES
    from askrel.evaluation import calibration as cal
    from askrel.evaluation import report
    from askrel.evaluation.questions import QuestionsFileError, load_questions
    from askrel.evaluation.runner import (
        DEFAULT_MODE,
        NO_RERANK,
        evaluate,
        parse_run,
        questions_label,
    )

    modes = list(dict.fromkeys(mode or [DEFAULT_MODE]))
    unknown = [m for m in modes if parse_run(m)[0] not in MODES]
    if unknown:
        raise fail(f"Unknown mode '{unknown[0]}'; choose from {', '.join(MODES)}, each "
                   f"optionally with '{NO_RERANK}'.", 2)
    if calibrate and DEFAULT_MODE not in modes:
        say(f"--calibrate fits on {DEFAULT_MODE} mode; running it too.")
        modes.append(DEFAULT_MODE)
    try:
        items = load_questions(questions)
    except QuestionsFileError as exc:
        raise fail(str(exc), 2) from exc
    target = milvus_target(milvus, collection)
    if calibrate and target is not None:
        raise fail("--calibrate writes the threshold beside a local index; run it without "
                   "--milvus (both backends share the packaged threshold).", 2)
    searcher = open_searcher(sources_folder(sources, index, target), index, None, target)
    say(f"Evaluating {len(items)} questions in {', '.join(modes)} mode(s) "
        f"(top-{top_k}, index {target.describe() if target else index}).")
    progress = _progress_printer("  {stage}: {total} questions asked.", min_total=1)
    evaluation = evaluate(searcher, items, modes, top_k=top_k,
                          questions_path=questions_label(questions), progress=progress)
    fit = cal.fit_evaluation(evaluation)
    written: list[str] = []
    if calibrate and fit is not None:
        written, problems = cal.write_calibration(fit, [index / CALIBRATION_FILE])
        for problem in problems:
            say(f"Warning: {problem}")
        evaluation = replace(evaluation, calibration=calibration_from(fit))
        say(f"Calibrated {fit['fitted']} {fit[fit['fitted']]:.4f}: abstain precision "
            f"{fit['abstain_precision']}, recall {fit['abstain_recall']}, answerable declined "
            f"{fit['answerable_declined_rate']} (in-sample); leave-one-out precision "
            f"{fit['leave_one_out']['abstain_precision']}, recall "
            f"{fit['leave_one_out']['abstain_recall']}.")
    for note in evaluation.notes:
        say(f"Note: {note}")
    if evaluation.missing_sources:
        say("Note: sources named by questions but not in the index: "
            + ", ".join(evaluation.missing_sources))
    if out is not None:
        try:
            files = report.write_reports(evaluation, out, fit, written)
        except OSError as exc:
            raise fail(f"could not write the reports to {out}: {exc.strerror or exc}") from exc
        say(f"Wrote {', '.join(str(f) for f in files)}.")
    if as_json:
        typer.echo(json.dumps(report.to_json(evaluation, fit if calibrate else None),
                              ensure_ascii=False))
    else:
        typer.echo(report.text_table(evaluation))


@app.command("bench")
def bench_command(
    quick: Annotated[bool, typer.Option("--quick", help="Default precision only, fewer runs "
                                                        "(well under a minute).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    index: Annotated[Path | None, typer.Option(
        "--index", help="Also time queries on this existing index (builds go to a temp folder).")]
    = None,
    sources: SourcesOpt = None,
    questions: Annotated[Path, typer.Option(help="Questions to time and score.")]
    = Path("eval/questions.jsonl"),
    precision: Annotated[list[str] | None, typer.Option(
        "--precision", help="fp32 or int8 (repeatable; default: both, or the default one "
                            "with --quick).")] = None,
) -> None:
    """Measure encode and build rates, query latency, cold start and memory."""
    from askrel.bench import format_text, run

    if index is not None:
        from askrel.indexing.build import IndexError_, require_build

        try:
            require_build(index)
        except IndexError_ as exc:
            raise fail(str(exc)) from exc
    try:
        result = run(quick=quick, sources_dir=sources or DEFAULT_SOURCES, index_dir=index,
                     questions_path=questions, precisions=precision or None, log=say)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        raise fail(str(exc)) from exc
    typer.echo(json.dumps(result, indent=2) if as_json else format_text(result))


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    app()


if __name__ == "__main__":
    main()
