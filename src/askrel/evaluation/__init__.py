"""Retrieval evaluation: questions, pure metrics, runs over a Searcher, reports, calibration.

Importing this package loads no model and no heavy library; `evaluate_file` is the entry point
for callers such as the web UI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from askrel.answering.search import Searcher

__all__ = ["evaluate_file"]


def evaluate_file(index_dir: Path, questions_path: Path, modes: list[str], *,
                  searcher: Searcher | None = None, top_k: int = 10,
                  progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Evaluate the index on a question file in each mode.

    Returns {"json": the `askrel eval --json` object, "markdown": the report.md text,
    "plot_png": the hit@k plot as PNG bytes, "misses": one dict per
    answerable question whose top passage does not answer (keys mode, id, question, expected,
    first, ...)}. Pass an already loaded `searcher` over `index_dir` to avoid loading the model
    again. Raises QuestionsFileError for a bad question file and ValueError for an unknown mode.
    """
    import io

    from askrel.evaluation.calibration import fit_evaluation
    from askrel.evaluation.questions import load_questions
    from askrel.evaluation.report import markdown, misses, plot_hit_at_k, to_json
    from askrel.evaluation.runner import evaluate, questions_label

    questions = load_questions(Path(questions_path))
    if searcher is None:
        from askrel.answering.search import Searcher

        searcher = Searcher(Path(index_dir))
    evaluation = evaluate(searcher, questions, list(modes), top_k=top_k,
                          questions_path=questions_label(Path(questions_path)),
                          progress=progress)
    fit = fit_evaluation(evaluation)
    plot = io.BytesIO()
    plot_hit_at_k(evaluation, plot)
    return {
        "json": to_json(evaluation),
        "markdown": markdown(evaluation, fit, plot=None),  # the plot travels separately
        "plot_png": plot.getvalue(),
        "misses": misses(evaluation),
    }
