"""The wheel holds every code folder: the playground (and `pip install .`) run bklint from it.

A package folder missing from ``[tool.setuptools] packages`` works in an editable install
and is absent from the wheel, so the browser fails with ModuleNotFoundError.
"""

from __future__ import annotations

from pathlib import Path

from bklint.rules.tomllib_compat import tomllib

REPO = Path(__file__).resolve().parents[2]


def test_every_code_folder_is_a_listed_package() -> None:
    setup = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setup["packages"])
    found = set()
    for prefix, folder in setup["package-dir"].items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder)
            found.add(".".join([prefix, *rel.parts]))
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
