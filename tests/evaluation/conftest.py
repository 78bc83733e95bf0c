"""The scripts of eval/ as modules, loaded as they run from there (they import their
siblings): `faq_kept`, `faq_cut`, `faq_pdf`, `faq_html` and `faq_word` fixtures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

EVAL = Path(__file__).resolve().parents[2] / "eval"


def load_eval_script(name: str) -> ModuleType:
    """eval/`name`.py as a module, with eval/ on the import path while it loads."""
    sys.path.insert(0, str(EVAL))
    try:
        spec = importlib.util.spec_from_file_location(name, EVAL / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EVAL))
    return module


def script_fixture(name: str):
    """A module-scoped fixture named `name` that gives eval/`name`.py as a module."""
    @pytest.fixture(scope="module", name=name)
    def script() -> ModuleType:
        return load_eval_script(name)
    return script


faq_kept, faq_cut, faq_pdf, faq_html, faq_word = (
    script_fixture(name) for name in ("faq_kept", "faq_cut", "faq_pdf", "faq_html", "faq_word"))
