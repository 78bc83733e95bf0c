"""The web UI (Gradio). Gradio is imported only when the UI is built or launched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

    from askrel.backends.milvus import MilvusTarget


def build_app(index_dir: Path, sources_dir: Path, *, model: str | None = None,
              read_only: bool = False, root: Path | None = None,
              milvus: MilvusTarget | None = None, rerank: bool = True) -> gr.Blocks:
    """The UI as a gr.Blocks, not launched (for tests and embedding)."""
    from askrel.web.ui import build_app as build

    return build(index_dir, sources_dir, model=model, read_only=read_only, root=root,
                 milvus=milvus, rerank=rerank)


def launch(index_dir: Path, sources_dir: Path, model: str | None, host: str, port: int,
           auth: str | None, read_only: bool, root: Path | None = None,
           milvus: MilvusTarget | None = None, rerank: bool = True) -> None:
    """Serve the UI on host:port until interrupted (`auth` is "USER:PASSWORD" or None)."""
    from askrel.web.ui import launch as run

    run(index_dir, sources_dir, model, host, port, auth, read_only, root, milvus,
        rerank)
