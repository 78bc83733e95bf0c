"""Web UI fixtures: a writable copy of the bundled sources and index, and a served app."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# A source whose text and metadata try to inject markup; the UI must show it as text.
HOSTILE_SOURCE = """---
title: "Moon melons <img src=x onerror=\\"window.__pwned=1\\"> harvest"
publisher: "<b>Orchard</b> Gazette"
date: "2024"
---
Moon melon farmers in the valley of Quillan report that the autumn harvest reached
four hundred crates this year. <script>window.__pwned=1</script> The growers' cooperative
said the sweetest melons came from the terraces above the river.

Visitors can taste the melons at the market on Saturdays. <img src=x onerror="window.__pwned=1">
The cooperative plans to plant new terraces next spring.
"""

# A Markdown source with no title (its heading stands in), an author and a web address.
ZEPHYR_SOURCE = """---
author: "Ada Quill"
publisher: "Coastal Gazette"
date: "2031"
url: "https://example.org/zephyr-accord"
---
# The Zephyr Accord

The **Zephyr Accord** was signed in 2031 by the four coastal provinces of Varnland. It set
shared rules for offshore wind farms and for fishing grounds around the turbines.

## Disputes

Disputes under the accord go to a joint panel that sits in `Port Alder` each spring.
"""


@dataclass(frozen=True)
class Project:
    root: Path
    sources: Path
    index: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_project(bundled_index: Path, target: Path) -> Project:
    """The bundled sources and their index, copied so a test may add files and rebuild.

    Citations are relative to the project root, so the copied index stays valid.
    """
    shutil.copytree(bundled_index.parent / "sources", target / "sources")
    shutil.copytree(bundled_index, target / "index", symlinks=True)
    return Project(target, target / "sources", target / "index")


@pytest.fixture(scope="module")
def web_project(tmp_path_factory, bundled_index) -> Project:
    """A module's own copy of the bundled project, with the hostile source indexed too."""
    from askrel.indexing.build import build_index

    project = copy_project(bundled_index, tmp_path_factory.mktemp("web"))
    (project.sources / "moon-melons.md").write_text(HOSTILE_SOURCE, encoding="utf-8")
    (project.sources / "zephyr-accord.md").write_text(ZEPHYR_SOURCE, encoding="utf-8")
    report = build_index(project.sources, project.index, root=project.root)
    assert sorted(report.added) == ["sources/moon-melons.md", "sources/zephyr-accord.md"], report
    return project


@pytest.fixture
def unused_port() -> int:
    return free_port()


@dataclass
class Served:
    url: str
    project: Project


@pytest.fixture(scope="module")
def served(web_project) -> Iterator[Served]:
    """The web UI on a free local port for the whole module, closed at the end."""
    from askrel.web import build_app
    from askrel.web.ui import serve

    app = build_app(web_project.index, web_project.sources, root=web_project.root)
    url = serve(app, host="127.0.0.1", port=free_port(), block=False, quiet=True)
    try:
        yield Served(url, web_project)
    finally:
        app.close()
