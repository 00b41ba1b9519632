"""The installed package holds every code folder: `pip install .` (pre-commit, the VS Code
bundle, CI) installs only the packages pyproject.toml lists, so a new folder that is not
listed works in an editable checkout and breaks every real install."""

from __future__ import annotations

from pathlib import Path

from bklint.rules.tomllib_compat import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_code_folder_is_an_installed_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {
        "bklint." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("linter", "rules", "lsp")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert folders - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - folders == set()


def test_lowest_supported_python_is_the_one_mypy_checks() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lowest = config["project"]["requires-python"].removeprefix(">=")
    assert config["tool"]["mypy"]["python_version"] == lowest
    assert config["tool"]["ruff"]["target-version"] == "py" + lowest.replace(".", "")
