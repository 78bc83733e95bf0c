"""Turning an Evaluation into the JSON object, report.md, the misses table and the hit@k plot."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import BinaryIO

from askrel.answering.abstention import VETO, Calibration
from askrel.evaluation.questions import Question
from askrel.evaluation.runner import (
    CURVE_DEPTH,
    METRIC_NAMES,
    Evaluation,
    QuestionRun,
    summarize,
)

FIRST_CHARS = 200
LATENCY = ("latency_p50_ms", "latency_p95_ms")
DEFINITIONS = {
    "hit@1": "share of answerable questions whose top passage answers",
    "hit@5": "… with an answering passage in the top 5",
    "hit@10": "… with an answering passage in the top 10",
    "mrr@10": "mean of 1/rank of the first answering passage in the top 10 (0 if none)",
    "ndcg@10": "binary-gain nDCG@10; the ideal ranking puts all answering passages of the "
               "whole index first (trec_eval/ranx definition)",
    "recall@5": "share of a question's listed sources among the top-5 passages' sources",
    "highlight@1": "the top passage answers and its highlighted sentence(s) hold an answer",
    "abstain_precision": "unanswerable questions declined / all questions declined",
    "abstain_recall": "unanswerable questions declined / unanswerable questions",
    "answerable_declined_rate": "answerable questions declined / answerable questions",
    "latency_p50_ms": "median wall time of one Searcher.ask call",
    "latency_p95_ms": "95th percentile of that wall time",
}
SPAN_NOTE = ("A passage also answers a question when it comes from the same file (and page) "
             "as one of the question's gold spans and overlaps it by at least half of the "
             "shorter of the two (passage span = citation char_start..char_end); for "
             "highlight@1, a marked stretch of the top passage must meet a gold span by the "
             "same rule.")


def _round(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, 1 if name in LATENCY else 4)


def to_json(evaluation: Evaluation, calibration: dict | None = None) -> dict:
    """The `askrel eval --json` object."""
    out: dict = {
        "n": len(evaluation.questions),
        "n_answerable": evaluation.n_answerable,
        "n_unanswerable": len(evaluation.questions) - evaluation.n_answerable,
        "top_k": evaluation.top_k,
        "threshold": evaluation.calibration.threshold,
        "rerank_threshold": evaluation.calibration.rerank_threshold,
        "modes": {mode: {name: _round(name, value)
                         for name, value in evaluation.summary(mode).items()}
                  for mode in evaluation.runs},
    }
    if calibration is not None:
        out["calibration"] = calibration
    return out


def _cell(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if name in LATENCY else f"{value:.3f}"


def metrics_table(evaluation: Evaluation) -> str:
    """Metrics as rows, modes side by side as columns (Markdown)."""
    modes = list(evaluation.runs)
    summaries = {mode: evaluation.summary(mode) for mode in modes}
    lines = ["| metric | " + " | ".join(modes) + " |",
             "|---|" + "---:|" * len(modes)]
    for name in METRIC_NAMES:
        lines.append(f"| {name} | "
                     + " | ".join(_cell(name, summaries[m][name]) for m in modes) + " |")
    return "\n".join(lines)


def text_table(evaluation: Evaluation) -> str:
    """The same table for a terminal."""
    modes = list(evaluation.runs)
    summaries = {mode: evaluation.summary(mode) for mode in modes}
    width = max(len(n) for n in METRIC_NAMES)
    rows = [f"{'metric':<{width}}  " + "  ".join(f"{m:>8}" for m in modes)]
    for name in METRIC_NAMES:
        rows.append(f"{name:<{width}}  "
                    + "  ".join(f"{_cell(name, summaries[m][name]):>8}" for m in modes))
    return "\n".join(rows)


def breakdown_table(evaluation: Evaluation) -> str:
    """hit@1, hit@5 and mrr@10 for standalone and follow-up questions, per mode (Markdown)."""
    names = ("hit@1", "hit@5", "mrr@10")
    lines = ["| mode | questions | n | " + " | ".join(names) + " |",
             "|---|---|---:|" + "---:|" * len(names)]
    for mode, runs in evaluation.runs.items():
        answerable = [r for r in runs if not r.question.unanswerable]
        for kind, part in (("standalone", [r for r in answerable if not r.question.history]),
                           ("follow-up", [r for r in answerable if r.question.history])):
            if not part:
                continue
            figures = summarize(part, evaluation.calibration)
            lines.append(f"| {mode} | {kind} | {len(part)} | "
                         + " | ".join(_cell(n, figures[n]) for n in names) + " |")
    return "\n".join(lines)


def _first(run: QuestionRun) -> tuple[str, str]:
    if not run.hits:
        return "", f"(nothing returned{': ' + run.error if run.error else ''})"
    top = run.hits[0]
    return top.citation.source, " ".join(top.text.split())[:FIRST_CHARS]


def expected(question: Question) -> str:
    """What would answer a question, as shown in the misses: its answer strings, then its
    gold spans as source[start:end] (with the page for a PDF)."""
    spans = [f"{s.source}{f' page {s.page}' if s.page else ''} [{s.start}:{s.end}]"
             for s in question.spans]
    return " | ".join([*question.answers, *spans])


def misses(evaluation: Evaluation) -> list[dict]:
    """Answerable questions whose top passage does not answer, per mode."""
    out = []
    for mode, runs in evaluation.runs.items():
        for run in runs:
            if run.question.unanswerable or (run.judged and run.judged[0]):
                continue
            source, text = _first(run)
            out.append({
                "mode": mode,
                "id": run.question.id,
                "question": run.question.question,
                "history": list(run.question.history),
                "expected": expected(run.question),
                "first": f"{source}: {text}" if source else text,
                "first_source": source,
                "first_text": text,
                "answer_rank": next((i for i, j in enumerate(run.judged, 1) if j), None),
            })
    return out


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def misses_markdown(evaluation: Evaluation) -> str:
    rows = misses(evaluation)
    lines = ["# Misses", "",
             f"Answerable questions whose top passage does not hold an answer "
             f"(hit@1 fails), per mode. Questions from {evaluation.questions_path}.", ""]
    for mode in evaluation.runs:
        mine = [r for r in rows if r["mode"] == mode]
        lines += [f"## {mode} ({len(mine)} misses)", "",
                  "| id | question | expected | answer at rank | what came first |",
                  "|---|---|---|---:|---|"]
        for r in mine:
            question = r["question"]
            if r["history"]:
                question = f"{question} (after: {' / '.join(r['history'])})"
            lines.append(f"| {_md(r['id'])} | {_md(question)} | {_md(r['expected'])} | "
                         f"{r['answer_rank'] or '–'} | {_md(r['first'])} |")
        off = [run for run in evaluation.runs[mode]
               if run.judged and run.judged[0] and not run.highlight_hit]
        if off:
            lines += ["", f"Top passage answers but its highlight misses the answer in {mode}:",
                      ""]
            for run in off:
                top = run.hits[0]
                marked = " … ".join(top.text[a:b] for a, b in top.highlights) or "(none)"
                lines.append(f"- {_md(run.question.id)}: {_md(run.question.question)} — "
                             f"expected {_md(expected(run.question))}; highlighted: "
                             f"{_md(marked[:FIRST_CHARS])}")
        declined = [run for run in evaluation.runs[mode]
                    if not run.question.unanswerable and run.declined(evaluation.calibration)]
        if declined:
            lines += ["", f"Answerable questions declined in {mode}:", ""]
            lines += [f"- {_md(run.question.id)}: {_md(run.question.question)} "
                      f"({_md(decline_reason(run, evaluation.calibration))})" for run in declined]
        wrong = [run for run in evaluation.runs[mode]
                 if run.question.unanswerable and not run.declined(evaluation.calibration)]
        if wrong:
            lines += ["", f"Unanswerable questions answered anyway in {mode}:", ""]
            lines += [f"- {_md(run.question.id)}: {_md(run.question.question)} "
                      f"({signal_text(run, evaluation.calibration)})" for run in wrong]
        lines.append("")
    return "\n".join(lines)


def signal_text(run: QuestionRun, calibration: Calibration) -> str:
    """The run's signal against its threshold, in words."""
    evidence = run.evidence
    value = run.signal(calibration)
    kind = "max relevance" if evidence.rerank is None else "reranker signal"
    if value is None or value == -VETO:
        return f"{kind}: none"
    relation = "<" if value < calibration.threshold_for(evidence) else "≥"
    return f"{kind} {value:.3f} {relation} {calibration.threshold_for(evidence):.3f}"


def decline_reason(run: QuestionRun, calibration: Calibration) -> str:
    """Why a question got "no answer", in the terms of the rule."""
    evidence = run.evidence
    reasons = []
    missing = run.answer.missing_names if run.answer else ()
    if missing:
        reasons.append("names no source mentions: " + ", ".join(missing))
    if evidence.relevance is None:
        reasons.append("no passages")
    elif not evidence.typed:
        reasons.append("no number or date where the question asks for one")
    reasons.append(signal_text(run, calibration))
    return "; ".join(reasons)


def write_misses_csv(evaluation: Evaluation, path: Path) -> None:
    fields = ["mode", "id", "question", "history", "expected", "first_source", "first_text",
              "answer_rank"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in misses(evaluation):
            writer.writerow({**row, "history": " / ".join(row["history"])})


def plot_hit_at_k(evaluation: Evaluation, path: Path | BinaryIO) -> None:
    """hit@k for k = 1..10, one line per mode, as a PNG file or into a binary stream (drawn
    without pyplot's global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.0), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ks = list(range(1, CURVE_DEPTH + 1))
    for mode in evaluation.runs:
        curve = [v if v is not None else float("nan") for v in evaluation.hit_curve(mode)]
        ax.plot(ks, curve, marker="o", label=mode)
    ax.set_xlabel("k (passages read)")
    ax.set_ylabel("hit@k")
    ax.set_xticks(ks)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"hit@k over {evaluation.n_answerable} answerable questions")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format="png")


def _first_stage_rule(cal: Calibration) -> str:
    """When the first stage alone declines, in words: each check a penalty or a veto."""
    checks = ((cal.first_stage_missing_penalty, "it names something no source mentions"),
              (cal.first_stage_type_penalty,
               "the marked sentences lack the number or date it asks for"))
    less = [f"less {p:.2f} if {what}" for p, what in checks if p != VETO]
    vetoes = [what for p, what in checks if p == VETO]
    rule = "when the max relevance of its passages" + (f", {' and '.join(less)}," if less else "")
    rule += f" is below **{cal.threshold:.4f}**"
    return rule + (f", and always when {' or '.join(vetoes)}" if vetoes else "")


def calibration_markdown(evaluation: Evaluation, fit: dict | None, written: list[str]) -> str:
    """The calibration section: the threshold in force, the fitted one, and its LOO estimate."""
    cal = evaluation.calibration
    source = "fitted" if cal.fitted else "built-in default, not fitted"
    lines = ["## Calibration of “no answer”", "",
             f"In force for the figures above ({source}): with reranking, a question is "
             f"declined when the cross-encoder's best logit among its first passages, less "
             f"{cal.missing_penalty:.2f} if it names something no source mentions and less "
             f"{cal.type_penalty:.2f} if the marked sentences lack the number or date it asks "
             f"for, is below **{cal.rerank_threshold:.4f}**; without reranking, "
             f"{_first_stage_rule(cal)}.", ""]
    if fit is None:
        lines.append("No fit: the default mode (hybrid) was not among the modes run.")
        return "\n".join(lines)
    loo = fit.get("leave_one_out", {})
    lines += [
        f"Fit by the rule on the {fit['mode']} runs (top-{fit['top_k']}), "
        f"{fit['n_answerable']} answerable and {fit['n_unanswerable']} unanswerable questions: "
        f"{fit['fitted']} **{fit[fit['fitted']]:.4f}**.", "",
        f"Rule: {fit['rule']}", "",
        "| estimate | abstain_precision | abstain_recall | answerable_declined_rate |",
        "|---|---:|---:|---:|",
        f"| in-sample (fitted and scored on the same questions) | "
        f"{_cell('p', fit['abstain_precision'])} | {_cell('r', fit['abstain_recall'])} | "
        f"{_cell('d', fit['answerable_declined_rate'])} |",
        f"| leave-one-out (each question scored by a threshold fitted on the others) | "
        f"{_cell('p', loo.get('abstain_precision'))} | {_cell('r', loo.get('abstain_recall'))} | "
        f"{_cell('d', loo.get('answerable_declined_rate'))} |",
        "",
        "The in-sample figures flatter the rule; the leave-one-out row is the fairer guess of "
        "how it does on new questions of the same kind.",
    ]
    if written:
        lines += ["", "Written to: " + ", ".join(f"`{p}`" for p in written) + "."]
    else:
        lines += ["", "Not written (run `askrel eval --calibrate` to write it)."]
    return "\n".join(lines)


def markdown(evaluation: Evaluation, fit: dict | None = None,
             written: list[str] | None = None, plot: str | None = "hit_at_k.png") -> str:
    """report.md: the metrics table, the calibration, and notes; `plot` is the image link."""
    n = len(evaluation.questions)
    lines = [
        "# Retrieval evaluation", "",
        f"{n} questions from `{evaluation.questions_path}` ({evaluation.n_answerable} "
        f"answerable, {n - evaluation.n_answerable} unanswerable); model "
        f"{evaluation.model}; top-{evaluation.top_k} passages per question.", "",
        metrics_table(evaluation), "",
        *([f"![hit@k]({plot})", ""] if plot else []),
        "Answerable questions by kind (follow-ups are asked with their history):", "",
        breakdown_table(evaluation), "",
        calibration_markdown(evaluation, fit, written or []), "",
        "## Notes", "",
        "- A passage answers a question when one of its answer strings is a case- and "
        "whitespace-insensitive substring of the passage text and the passage comes from one "
        "of the question's listed sources (any source if none are listed).",
        "- Ranking metrics and highlight@1 are over answerable questions; recall@5 over those "
        "that list sources; abstention over all questions; latency over all questions, after "
        "the model is loaded.",
        "- A metric shown as – is undefined here (e.g. precision when nothing was declined).",
    ]
    if any(q.spans for q in evaluation.questions):
        lines.append(f"- {SPAN_NOTE}")
    lines += [f"- {name}: {text}." for name, text in DEFINITIONS.items()]
    if evaluation.missing_sources:
        lines.append("- Sources named by questions but not in the index: "
                     + ", ".join(f"`{s}`" for s in evaluation.missing_sources) + ".")
    lines += [f"- {note}" for note in evaluation.notes]
    return "\n".join(lines) + "\n"


def write_reports(evaluation: Evaluation, out_dir: Path, fit: dict | None = None,
                  written: list[str] | None = None) -> list[Path]:
    """report.md, metrics.json, misses.md, misses.csv and hit_at_k.png in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    calibration = fit if written else None
    files = {
        "report.md": markdown(evaluation, fit, written),
        "metrics.json": json.dumps(to_json(evaluation, calibration), indent=2,
                                   ensure_ascii=False) + "\n",
        "misses.md": misses_markdown(evaluation),
    }
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")
    write_misses_csv(evaluation, out_dir / "misses.csv")
    plot_hit_at_k(evaluation, out_dir / "hit_at_k.png")
    return [out_dir / n for n in (*files, "misses.csv", "hit_at_k.png")]
