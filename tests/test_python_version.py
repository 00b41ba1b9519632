"""The lowest supported Python is proven, not assumed: requires-python, mypy's target and
ruff's target name the same release (and .ci/run runs the whole suite on it)."""

from __future__ import annotations

import re
from pathlib import Path

from bklint.rules.tomllib_compat import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_lowest_supported_python_is_the_one_mypy_and_ruff_check() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lowest = config["project"]["requires-python"].removeprefix(">=")
    assert config["tool"]["mypy"]["python_version"] == lowest
    assert config["tool"]["ruff"]["target-version"] == "py" + lowest.replace(".", "")


def test_ci_runs_the_suite_on_the_lowest_python() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "/root/.pyenv/versions/3.10." in ci and '"$venv310/bin/python" -m pytest' in ci


def test_tomllib_is_imported_only_through_the_compat_module() -> None:
    """`import tomllib` fails on 3.10; rules/tomllib_compat.py picks tomli there."""
    compat = ROOT / "rules" / "tomllib_compat.py"
    bare = [
        str(path.relative_to(ROOT))
        for folder in ("linter", "rules", "lsp", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path != compat and re.search(r"^\s*import tomllib\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert bare == []
