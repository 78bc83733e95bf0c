"""The Gradio app: a chat answered with cited passages, a source viewer, the sources and index
tab with uploads and rebuilds, an evaluation tab, and the `/ask` API endpoint."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from askrel.answering import followup
from askrel.answering.search import MODES, LiveSearcher, QuestionError, RankSettings, Searcher
from askrel.indexing.build import (
    IndexBusy,
    IndexError_,
    build_index,
    current_build,
    cut_by_other_code,
)
from askrel.reading.sources import SUPPORTED_SUFFIXES, discover, display_path, suffix_list
from askrel.web import render
from askrel.web.documents import DocumentCache, ViewerError, source_view
from askrel.web.uploads import MAX_UPLOAD_BYTES, MIB, UploadError, remove_source, save_upload

if TYPE_CHECKING:
    from askrel.backends.milvus import MilvusTarget

HERE = Path(__file__).parent
MAX_EVAL_FILE_BYTES = 10 * MIB
MODE_CHOICES = [("Hybrid: meaning + words", "hybrid"), ("Meaning only", "dense"),
                ("Words only (BM25)", "bm25")]
BUILD_STAGES = {"reading": "Reading sources", "embedding": "Embedding passages",
                "writing": "Writing the index"}


def answer_dict(searcher: Searcher, question: str, *, top_k: int = 5, mode: str = "hybrid",
                history: Sequence[str] = (), sources: Sequence[str] | None = None
                ) -> dict[str, Any]:
    """`Answer.to_json()`, or for a question that cannot be searched the CLI's error object."""
    try:
        return searcher.ask(question, top_k=int(top_k), mode=mode, history=history,
                            sources=list(sources) if sources else None).to_json()
    except (QuestionError, TypeError, ValueError) as exc:
        return {"question": question, "answered": False, "mode": mode, "results": [],
                "error": str(exc)}


def theme() -> gr.themes.Base:
    system = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"]
    # Gradio's bundled semibold files hold only a few glyphs, so only 400 and 700 are used.
    sans = gr.themes.LocalFont("IBM Plex Sans", weights=(400, 700))
    mono = gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700))
    return gr.themes.Soft(
        primary_hue="indigo", secondary_hue="amber", neutral_hue="slate",
        font=[sans, *system], font_mono=[mono, "ui-monospace", "monospace"],
    ).set(body_background_fill="*neutral_50", block_radius="12px",
          # darker than the theme's defaults, for WCAG AA contrast of text on them
          button_primary_background_fill="*primary_700",
          button_primary_background_fill_hover="*primary_800",
          block_label_text_color="*primary_800", block_title_text_color="*primary_800",
          block_info_text_color="*neutral_600", input_placeholder_color="*neutral_500",
          checkbox_label_background_fill_selected="*primary_700",
          checkbox_label_text_color_selected="white", body_text_color_subdued="*neutral_600")


def launch_options() -> dict[str, Any]:
    """What `Blocks.launch` needs for the look and the limits of this app."""
    return {"theme": theme(), "css_paths": [HERE / "style.css"],
            "max_file_size": MAX_UPLOAD_BYTES, "footer_links": ["api"], "run_history": False,
            "show_error": False, "js": _js("page.js")}


def _js(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


class WebApp:
    """The handlers, around one live searcher of the index."""

    def __init__(self, index_dir: Path, sources_dir: Path, *, model: str | None,
                 read_only: bool, root: Path, milvus: MilvusTarget | None = None,
                 rerank: bool = True) -> None:
        self.index_dir = index_dir
        self.sources_dir = sources_dir
        self.model = model
        self.read_only = read_only
        self.root = root
        self.milvus = milvus
        self.live = LiveSearcher(index_dir, model=model, open_backend=_milvus_opener(milvus),
                                 settings=RankSettings(rerank=rerank))
        self.documents = DocumentCache()
        self._titles: tuple[str, dict[str, str]] = ("", {})

    def warm_up(self) -> None:
        """Load the embedding model, and the cross-encoder when answers are reranked."""
        searcher = self.live.get()
        searcher.embedder.embed(["warm up"])
        if searcher.settings.rerank:
            searcher.reranker.score("warm up", ["warm up"])

    # ------------------------------------------------------------ asking

    def api_ask(self, question: str, top_k: int = 5, mode: str = "hybrid",
                history: list[str] | None = None, sources: list[str] | None = None
                ) -> dict[str, Any]:
        """Ranked, cited passages for a question: the same JSON object as `askrel ask --json`.

        history: earlier questions of the conversation, oldest first.
        sources: only search these sources (paths as in citations).
        """
        return answer_dict(self.live.get(), question, top_k=top_k, mode=mode,
                           history=history or (), sources=sources)

    def chat(self, question: str, turns: list[dict[str, Any]] | None, top_k: float, mode: str,
             sources: list[str] | None) -> tuple[Any, ...]:
        """Answer a question of the conversation, as a follow-up only when it is one."""
        turns = list(turns or [])
        searcher = self.live.get()
        thread = followup.thread([(t["answer"]["question"], bool(t["answer"]["answered"]),
                                   bool(t.get("history"))) for t in turns])
        try:
            decision, answer = followup.decide(searcher, question or "", thread,
                                               top_k=int(top_k), mode=mode,
                                               sources=list(sources) if sources else None)
        except (QuestionError, TypeError, ValueError) as exc:
            return gr.skip(), turns, render.status_html(str(exc))
        turns.append(self._turn(searcher, answer.to_json(), decision, thread, sources))
        return render.conversation_html(turns), turns, ""

    def _turn(self, searcher: Searcher, answer: dict[str, Any], decision: followup.Decision,
              thread: Sequence[str], sources: list[str] | None) -> dict[str, Any]:
        titles = self.titles(searcher)
        for hit in answer["results"]:
            hit["citation"]["display_title"] = titles.get(hit["citation"]["source"])
        return {"answer": answer, "threshold": searcher.calibration.threshold,
                "history": list(decision.history), "reason": decision.reason,
                "thread": list(thread), "sources": list(sources or []),
                "top_k": len(answer["results"]) or 5}

    def ask_again(self, turns: list[dict[str, Any]], number: int, as_follow_up: bool
                  ) -> list[dict[str, Any]]:
        """The conversation with one turn asked again, alone or as a follow-up of its thread."""
        turn = turns[number]
        thread = tuple(turn.get("thread") or ()) if as_follow_up else ()
        searcher = self.live.get()
        answer = searcher.ask(turn["answer"]["question"], top_k=int(turn.get("top_k", 5)),
                              mode=turn["answer"].get("mode", "hybrid"), history=thread,
                              sources=turn.get("sources") or None)
        decision = followup.Decision(bool(thread), thread, "as you chose")
        return [*turns[:number],
                self._turn(searcher, answer.to_json(), decision, turn.get("thread") or [],
                           turn.get("sources")),
                *turns[number + 1:]]

    def titles(self, searcher: Searcher) -> dict[str, str]:
        """Each untitled source's first heading (or nothing), once per build."""
        key = f"{searcher.backend.location} {searcher.manifest.get('built_at')}"
        if self._titles[0] != key:
            found: dict[str, str] = {}
            for row in searcher.store.sources():
                if not row.get("title"):
                    heading = first_heading(searcher.store.passages_of(row["source"]))
                    if heading:
                        found[row["source"]] = heading
            self._titles = (key, found)
        return self._titles[1]

    def new_conversation(self) -> tuple[Any, ...]:
        return (render.conversation_html([]), [], "", render.VIEWER_EMPTY,
                gr.Column(visible=False))

    def conversation_click(self, turns: list[dict[str, Any]] | None,
                           evt: gr.EventData) -> tuple[Any, ...]:
        """A button in the conversation: open a passage in the viewer, or ask a question again
        alone or as a follow-up."""
        data = evt._data if isinstance(evt._data, dict) else {}
        if data.get("action") in ("alone", "follow"):
            try:
                number = int(data["turn"])
                if not 0 <= number < len(turns or []):
                    raise IndexError(number)
                new = self.ask_again(list(turns or []), number, data["action"] == "follow")
            except (KeyError, TypeError, ValueError, IndexError, QuestionError):
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return render.conversation_html(new), new, gr.skip(), gr.skip()
        return (gr.skip(), gr.skip(), *self.open_source(turns, evt))

    def open_source(self, turns: list[dict[str, Any]] | None,
                    evt: gr.EventData) -> tuple[Any, ...]:
        data = evt._data if isinstance(evt._data, dict) else {}
        try:
            turn, rank = int(data["turn"]), int(data["rank"])
            if turn < 0:
                raise IndexError(turn)
            hit = next(h for h in (turns or [])[turn]["answer"]["results"] if h["rank"] == rank)
        except (KeyError, TypeError, ValueError, IndexError, StopIteration):
            return gr.skip(), gr.skip()
        try:
            view = source_view(hit, self.sources_dir, self.root, self.documents)
        except ViewerError as exc:
            body = render.viewer_html(render.meta_header(hit["citation"], hit["citation"]["source"],
                                                         render.place(hit["citation"])), "",
                                      [str(exc)])
            return body, gr.Column(visible=True)
        except OSError as exc:
            return (render.viewer_html("", "", [f"The source could not be read: {exc.strerror}"]),
                    gr.Column(visible=True))
        meta = {**view.meta, "display_title": hit["citation"].get("display_title")}
        body = render.viewer_html(render.meta_header(meta, view.source, view.where),
                                  render.view_body_html(view.parts,
                                                        render.is_markdown(view.source)),
                                  view.notes)
        return body, gr.Column(visible=True)

    # ------------------------------------------------------------ sources and index

    def source_choices(self) -> list[tuple[str, str]]:
        searcher = self.live.get()
        titles = self.titles(searcher)
        rows = searcher.store.sources()
        return [(f"{r['title'] or titles.get(r['source']) or render.file_name(r['source'])} "
                 f"({render.file_name(r['source'])})", r["source"]) for r in rows]

    def _waiting(self, indexed: set[str]) -> list[str]:
        """Files in the sources folder that the index does not hold yet."""
        if not self.sources_dir.is_dir():
            return []
        found = [display_path(p, self.root) for p in discover(self.sources_dir)
                 if p.suffix.lower() in SUPPORTED_SUFFIXES]
        return [f for f in found if f not in indexed]

    def source_status(self, searcher: Searcher) -> dict[str, str]:
        """Each indexed source: 'indexed', 'changed' since then, or 'missing' from the folder."""
        files = {display_path(p, self.root): p for p in discover(self.sources_dir)} \
            if self.sources_dir.is_dir() else {}
        status = {}
        for source, info in searcher.manifest.get("sources", {}).items():
            path = files.get(source)
            if path is None:
                status[source] = "missing"
                continue
            try:
                stat = path.stat()
            except OSError:
                status[source] = "missing"
                continue
            same = stat.st_size == info.get("size") and stat.st_mtime_ns == info.get("mtime_ns")
            status[source] = "indexed" if same else "changed"
        return status

    def index_views(self) -> tuple[str, str, Any]:
        """The index facts, the sources table and the filter's choices, as they are now."""
        searcher = self.live.get()
        rows = searcher.store.sources()
        waiting = self._waiting({r["source"] for r in rows})
        table = render.sources_table_html(rows, waiting, self.source_status(searcher),
                                          manage=not self.read_only,
                                          titles=self.titles(searcher))
        return (render.index_facts_html(searcher.manifest, searcher.backend.location,
                                        recut=cut_by_other_code(searcher.manifest)), table,
                gr.Dropdown(choices=self.source_choices()))

    def save_uploads(self, files: list[str] | None) -> tuple[Any, ...]:
        if self.read_only:
            return render.status_html("This server is read-only."), None, gr.skip()
        lines: list[tuple[str, str]] = []
        for item in files or []:
            path = Path(item)
            try:
                saved = save_upload(path, path.name, self.sources_dir)
            except UploadError as exc:
                lines.append(("error", str(exc)))
            except OSError as exc:
                lines.append(("error", f"{path.name}: could not be saved ({exc.strerror})."))
            else:
                note = (f" (a file named {render.file_name(path.name)} exists, so it was not "
                        "overwritten)" if saved.renamed else "")
                lines.append(("ok", f"{path.name}: saved as {saved.saved_as}{note}."))
        if any(kind == "ok" for kind, _ in lines):
            lines.append(("ok", "Press “Rebuild index” to make the new files searchable."))
        _, table, _ = self.index_views()
        return render.messages_html(lines), None, table

    def rebuild(self, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if self.read_only:
            return (render.status_html("This server is read-only."), *self.index_views())
        return (self._rebuild(progress), *self.index_views())

    def _rebuild(self, progress: Any) -> str:
        """Rebuild the index (only new and changed files are read) and say what happened."""
        def report_progress(stage: str, done: int, total: int) -> None:
            progress((done, total), desc=BUILD_STAGES.get(stage, stage))

        model = self.model or self.live.get().model
        try:
            if self.milvus is not None:  # in this process: it may hold a Milvus Lite file
                from askrel.backends.milvus_build import build_milvus

                report = build_milvus(self.sources_dir, self.milvus, model=model, root=self.root,
                                      progress=report_progress)
            else:
                report = build_index(self.sources_dir, self.index_dir, model=model,
                                     root=self.root, progress=report_progress)
        except IndexBusy as exc:
            return render.status_html(str(exc))
        except (IndexError_, RuntimeError, OSError) as exc:
            return render.status_html(f"The rebuild failed: {exc}")
        return render.build_report_html(report)

    def source_action(self, evt: gr.EventData,
                      progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        """A button in the sources table: open a source's passages, or delete its file and
        rebuild the index."""
        data = evt._data if isinstance(evt._data, dict) else {}
        action, source = data.get("action"), data.get("source")
        nothing = (gr.skip(),) * 6
        if not isinstance(source, str):
            return nothing
        if action == "open":
            return (self.source_panel(source), gr.Column(visible=True), *nothing[2:])
        if action != "delete":
            return nothing
        if self.read_only:
            return (gr.skip(), gr.skip(), render.status_html("This server is read-only."),
                    *nothing[3:])
        try:
            removed = remove_source(source, self.sources_dir, self.root)
        except (ViewerError, UploadError, OSError) as exc:
            message = render.status_html(f"{source} was not deleted: {exc}")
            return (gr.skip(), gr.skip(), message, *self.index_views())
        report = self._rebuild(progress)
        message = (f'<p class="status status-ok">Deleted {render.escape(removed)} from the '
                   f"sources folder.</p>{report}")
        return ("", gr.Column(visible=False), message, *self.index_views())

    def source_panel(self, source: str) -> str:
        """A source's metadata, status and passages, for the Sources tab's viewer."""
        searcher = self.live.get()
        row = next((r for r in searcher.store.sources() if r["source"] == source), None)
        if row is None:
            return render.viewer_html("", "", [f"{source} is not in the index."])
        title = row.get("title") or self.titles(searcher).get(source) or render.file_name(source)
        passages = list(searcher.store.passages_of(source))
        state = self.source_status(searcher).get(source, "indexed")
        return render.source_panel_html(row, passages, state, title)

    # ------------------------------------------------------------ evaluation

    def default_questions(self) -> Path:
        return self.root / "eval" / "questions.jsonl"

    def evaluate(self, which: str, uploaded: str | None, modes: list[str] | None,
                 progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        none = ("", gr.Image(value=None, visible=False), "")
        try:
            from askrel.evaluation import evaluate_file
        except ImportError:
            return (render.status_html("Evaluation is not available in this installation."),
                    *none)
        modes = [m for m in (modes or []) if m in MODES]
        if not modes:
            return render.status_html("Choose at least one retrieval mode."), *none
        if which == "upload":
            if not uploaded:
                return render.status_html("Upload a .jsonl question file first."), *none
            path = Path(uploaded)
            if path.suffix.lower() != ".jsonl":
                return render.status_html(f"{path.name}: a question file ends in .jsonl."), *none
            if path.stat().st_size > MAX_EVAL_FILE_BYTES:
                return render.status_html(
                    f"{path.name} is over the {MAX_EVAL_FILE_BYTES // MIB} MB limit."), *none
        else:
            path = self.default_questions()
            if not path.is_file():
                return render.status_html(f"There is no question file at {path}."), *none

        def report_progress(stage: str, done: int, total: int) -> None:
            progress((done, total), desc=f"Evaluating: {stage}")

        try:
            result = evaluate_file(self.index_dir, path, modes, searcher=self.live.get(),
                                   progress=report_progress)
        except Exception as exc:  # the evaluator's own errors, shown rather than raised
            return render.status_html(f"The evaluation failed: {exc}"), *none
        image = _load_image(result.get("plot_png"))
        return ("", result.get("markdown") or "", gr.Image(value=image, visible=image is not None),
                render.misses_html(result.get("misses") or []))


def _milvus_opener(milvus: MilvusTarget | None) -> Any:
    """How the live searcher opens a Milvus index (None: the local index folder)."""
    if milvus is None:
        return None
    from askrel.backends.milvus import MilvusBackend

    return lambda: MilvusBackend(milvus)


def first_heading(passages: Any) -> str | None:
    """A source's first heading: a Markdown heading line, or a PDF section, of its first few
    passages."""
    for n, passage in enumerate(passages):
        if n >= 3:
            break
        for line in passage.text.splitlines():
            match = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return match.group(1).strip() or None
        if passage.heading and passage.page is None:
            return str(passage.heading)
    return None


def _load_image(png: bytes | None) -> Any:
    """The plot as pixels (no file is left behind)."""
    if not png:
        return None
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(png)) as image:
            return image.convert("RGB")
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- layout


def build_app(index_dir: Path, sources_dir: Path, *, model: str | None = None,
              read_only: bool = False, root: Path | None = None,
              milvus: MilvusTarget | None = None, rerank: bool = True) -> gr.Blocks:
    """The web UI as a gr.Blocks (not launched). `root` is what citation paths are relative to;
    with `milvus`, the index is that Milvus collection instead of `index_dir`."""
    web = WebApp(index_dir, sources_dir, model=model, read_only=read_only,
                 root=root or Path.cwd(), milvus=milvus, rerank=rerank)
    with gr.Blocks(title="askrel", analytics_enabled=False) as app:
        gr.api(web.api_ask, api_name="ask", concurrency_id="search", concurrency_limit=2)
        gr.HTML('<div class="app-header"><h1>askrel</h1><p>Answers are passages quoted from '
                "your sources, each with its citation. Nothing is generated.</p></div>",
                js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                filter_box = _ask_tab(web)
            with gr.Tab("Sources & index", id="sources") as sources_tab:
                facts, table = _sources_tab(web, filter_box)
            with gr.Tab("Evaluate", id="evaluate"):
                _evaluate_tab(web)
        for event in (app.load, sources_tab.select):
            event(web.index_views, None, [facts, table, filter_box], api_visibility="private")
    # Load the models in the background, so the first question is not slow.
    threading.Thread(target=web.warm_up, daemon=True).start()
    return app


def _ask_tab(web: WebApp) -> gr.Dropdown:
    turns = gr.State([])
    pending = gr.State("")
    with gr.Row(equal_height=False, elem_id="ask-row"):
        with gr.Column(scale=3, min_width=300, elem_id="chat-col"):
            conversation = gr.HTML(render.conversation_html([]), elem_id="conversation",
                                   js_on_load=_js("conversation.js"))
            status = gr.HTML("", elem_id="ask-status", js_on_load=None)
            with gr.Group(elem_id="ask-bar"):
                with gr.Row(equal_height=True):
                    question = gr.Textbox(placeholder="Ask about your sources…",
                                          label="Your question", show_label=False, lines=1,
                                          max_lines=4, scale=5, min_width=180, autofocus=True,
                                          elem_id="question", max_length=4000)
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=72,
                                    elem_id="ask-button")
            with gr.Row(elem_id="ask-tools"):
                new = gr.Button("New conversation", size="sm", variant="secondary",
                                elem_id="new-conversation", scale=0, min_width=160)
            with gr.Accordion("Search options", open=False, elem_id="search-options"):
                with gr.Row():
                    top_k = gr.Slider(1, 20, value=5, step=1, label="Passages",
                                      elem_id="top-k", min_width=160)
                    mode = gr.Radio(MODE_CHOICES, value="hybrid", label="Retrieval mode",
                                    elem_id="mode", min_width=240)
                filter_box = gr.Dropdown(
                    choices=web.source_choices(), value=[], multiselect=True,
                    label="Only search these sources (none chosen: all)", elem_id="source-filter")
        with gr.Column(scale=2, min_width=300, visible=False, elem_id="viewer-col") as viewer_col:
            with gr.Row(elem_id="viewer-bar"):
                gr.HTML('<h2 class="panel-title">Source</h2>', js_on_load=None)
                close = gr.Button("Close", size="sm", scale=0, min_width=80,
                                  elem_id="close-viewer")
            viewer = gr.HTML(render.VIEWER_EMPTY, elem_id="viewer",
                             js_on_load=_js("viewer.js"))

    # The box is emptied at once, before the search, so a question typed while the answer is
    # on its way is never wiped by it.
    for trigger in (ask.click, question.submit):
        trigger(lambda q: ("", q), [question], [question, pending], queue=False,
                api_visibility="private").then(
            web.chat, [pending, turns, top_k, mode, filter_box], [conversation, turns, status],
            concurrency_id="search", concurrency_limit=2, api_visibility="private")
    new.click(web.new_conversation, None, [conversation, turns, status, viewer, viewer_col],
              queue=False, api_visibility="private")
    conversation.click(web.conversation_click, [turns], [conversation, turns, viewer, viewer_col],
                       concurrency_id="search", concurrency_limit=2, api_visibility="private")
    close.click(lambda: gr.Column(visible=False), None, [viewer_col], queue=False,
                api_visibility="private")
    return filter_box


def _sources_tab(web: WebApp, filter_box: gr.Dropdown) -> tuple[gr.HTML, gr.HTML]:
    facts = gr.HTML("", elem_id="index-facts", js_on_load=None)
    if web.read_only:
        gr.HTML('<p class="notice">This server is read-only: uploads, deletions and rebuilds '
                "are turned off.</p>", js_on_load=None)
    else:
        gr.HTML('<h2 class="panel-title">Add sources</h2><p class="muted">Files are saved '
                "into the sources folder; press “Rebuild index” to make them searchable. "
                "Questions are answered from the current index until the new one is ready."
                "</p>", js_on_load=None)
        upload = gr.File(label=f"Upload {suffix_list('or')} files (up to "
                               f"{MAX_UPLOAD_BYTES // MIB} MB each)",
                         file_count="multiple", file_types=sorted(SUPPORTED_SUFFIXES),
                         type="filepath", elem_id="upload", height=150)
        rebuild = gr.Button("Rebuild index", variant="primary", elem_id="rebuild", scale=0,
                            min_width=160)
    # One message area: it always says what the latest action (upload, rebuild, deletion) did.
    message = gr.HTML('<p class="muted">A rebuild reads new and changed files; unchanged ones '
                      "are reused.</p>", elem_id="sources-message", min_height=48,
                      js_on_load='watch("value", () => document.getElementById("sources-message")'
                                 '?.classList.remove("stale"));')
    table = gr.HTML("", elem_id="sources-table", js_on_load=_js("sources.js"))
    with gr.Column(visible=False, elem_id="source-panel-col") as panel_col:
        with gr.Row(elem_id="source-panel-bar"):
            gr.HTML('<h2 class="panel-title">Source</h2>', js_on_load=None)
            close = gr.Button("Close", size="sm", scale=0, min_width=80, elem_id="close-source")
        panel = gr.HTML("", elem_id="source-panel", js_on_load=None)
    close.click(lambda: gr.Column(visible=False), None, [panel_col], queue=False,
                api_visibility="private")
    table.click(web.source_action, None, [panel, panel_col, message, facts, table, filter_box],
                concurrency_limit=None, api_visibility="private", show_progress_on=[message])
    if not web.read_only:
        upload.upload(web.save_uploads, [upload], [message, upload, table],
                      api_visibility="private")
        rebuild.click(web.rebuild, None, [message, facts, table, filter_box],
                      concurrency_limit=None, api_visibility="private",
                      show_progress_on=[message])
    return facts, table


def _evaluate_tab(web: WebApp) -> None:
    gr.HTML('<p class="muted">Run a question set against the index and see how often the '
            "expected passage comes first or near the top, per retrieval mode.</p>",
            js_on_load=None)
    default = web.default_questions()
    choices = [(f"Project question set ({default.relative_to(web.root).as_posix()})"
                if default.is_relative_to(web.root) else str(default), "default"),
               ("Upload a .jsonl file", "upload")]
    with gr.Row():
        which = gr.Radio(choices, value="default" if default.is_file() else "upload",
                         label="Questions", elem_id="eval-which")
        modes = gr.CheckboxGroup(list(MODES), value=list(MODES), label="Modes",
                                 elem_id="eval-modes")
    questions = gr.File(label="Question file (.jsonl)", file_types=[".jsonl"], type="filepath",
                        elem_id="eval-file", height=120, visible=which.value == "upload")
    which.change(lambda choice: gr.File(visible=choice == "upload"), [which], [questions],
                 api_visibility="private", queue=False)
    run = gr.Button("Run evaluation", variant="primary", elem_id="eval-run", scale=0,
                    min_width=160)
    status = gr.HTML("", elem_id="eval-status", js_on_load=None)
    with gr.Row(equal_height=False):
        table = gr.Markdown(elem_id="eval-metrics", min_height=64)
        plot = gr.Image(label="hit@k by mode", type="pil", interactive=False,
                        elem_id="eval-plot", buttons=["download"], min_width=320,
                        visible=False)
    misses = gr.HTML("", elem_id="eval-misses", js_on_load=None)
    run.click(web.evaluate, [which, questions, modes], [status, table, plot, misses],
              concurrency_limit=1, api_visibility="private", show_progress_on=[table])


# ---------------------------------------------------------------- serving


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """'USER:PASSWORD' as gradio's auth pair; None when no login is asked for."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("auth must be given as USER:PASSWORD (both non-empty).")
    return user, password


def serve(app: gr.Blocks, *, host: str = "127.0.0.1", port: int = 7860,
          auth: str | None = None, block: bool = True, quiet: bool = False) -> str:
    """Start the server; returns its URL (when `block` is False the call returns at once)."""
    app.queue(default_concurrency_limit=1)
    _, url, _ = app.launch(server_name=host, server_port=port, auth=parse_auth(auth),
                           prevent_thread_lock=not block, quiet=quiet, **launch_options())
    return str(url)


def launch(index_dir: Path, sources_dir: Path, model: str | None, host: str, port: int,
           auth: str | None, read_only: bool, root: Path | None = None,
           milvus: MilvusTarget | None = None, rerank: bool = True) -> None:
    """Serve the UI until interrupted; bad settings end with a message, not a traceback."""
    try:
        parse_auth(auth)
    except ValueError as exc:
        raise SystemExit(f"Error: {exc}") from exc
    if milvus is None and current_build(index_dir) is None:
        raise SystemExit(f"Error: no index in {index_dir}. Build one with: "
                         f"askrel index --index {index_dir}")
    try:
        app = build_app(index_dir, sources_dir, model=model, read_only=read_only, root=root,
                        milvus=milvus, rerank=rerank)
    except (IndexError_, RuntimeError) as exc:
        raise SystemExit(f"Error: {exc}") from exc
    where = milvus.describe() if milvus is not None else index_dir
    print(f"askrel: serving {where} on http://{host}:{port}"
          + (" (read-only)" if read_only else ""), file=sys.stderr)
    try:
        serve(app, host=host, port=port, auth=auth, block=True)
    except OSError as exc:
        raise SystemExit(f"Error: cannot serve on {host}:{port} ({exc}).") from exc
