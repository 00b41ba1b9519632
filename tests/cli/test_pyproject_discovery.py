"""A pyproject.toml is a bklint config only with `[tool.bklint]`, however the table is spelled;
reading it must agree with tomllib (bklint's own parser reads it first, to spare the import)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bklint.linter.config import find_config
from bklint.rules.tomllib_compat import tomllib

SPELLINGS = [
    '[tool.bklint]\nselect = ["BK1"]\n',
    '[ tool . "bklint" ]\n',
    "[tool.'bklint'.per-file-ignores]\n",
    '[tool]\nbklint = { select = ["BK1"] }\n',
    'tool.bklint.select = ["BK1"]\n',
    '[tool."\\u0062klint"]\n',
    '[project]\nname = "app"\n\n[tool.bklint]\n',
]
NOT_CONFIGS = [
    '[project]\nname = "bklint"\n[project.scripts]\nbklint = "bklint.linter.cli:main"\n',
    '[tool.ruff]\nline-length = 100\n',
    '[tool.bklintx]\n',
    'x = "[tool.bklint]"\n',
    "# [tool.bklint]\n",
    "[tool.bklint\n",  # not TOML: neither parser reads it
    "",
]


@pytest.mark.parametrize("text", SPELLINGS + NOT_CONFIGS)
def test_a_pyproject_is_a_config_exactly_when_tomllib_finds_tool_bklint(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    try:
        expected = "bklint" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        expected = False
    found = find_config(str(tmp_path)) == str(tmp_path / "pyproject.toml")
    assert found == expected
    assert found == (text in SPELLINGS)
