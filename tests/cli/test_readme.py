"""README.md cannot drift: every shell example runs, and every output it shows is the real output.

Conventions in README.md: a fenced block preceded by ``<!-- file: NAME -->`` is written to NAME
in the folder the examples run in (with a copy of examples/); a ``console`` block is a
transcript — ``$ command`` lines followed by the exact output; every ``bklint …`` line of an
``sh`` block is run too (in a fresh copy of that folder) and must not be a usage error or a
traceback. `--watch` examples are not run (they run until interrupted). A ``[tool.bklint]``
block must be a configuration bklint accepts without a word.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bklint.linter.config import find_config, lay, load_config
from bklint.linter.run import rules
from bklint.linter.settings import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.DOTALL)
BKLINT = f"{shlex.quote(sys.executable)} -m bklint"


def blocks(lang: str) -> list[tuple[str | None, str]]:
    return [(m.group("file"), m.group("body")) for m in BLOCK.finditer(README) if m.group("lang") == lang]


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the examples run in: the README's named files and a copy of examples/."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "examples", root / "examples")
    for m in BLOCK.finditer(README):
        if m.group("file"):
            (root / m.group("file")).write_text(m.group("body"), encoding="utf-8")
    return root


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    shell = re.sub(r"(^|&& |\| )bklint ", lambda m: f"{m.group(1)}{BKLINT} ", command)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "BKLINT_OUTPUT_FORMAT")}
    return subprocess.run(
        shell, shell=True, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=120
    )


TRANSCRIPTS = [
    (command, expected)
    for _, body in blocks("console")
    for command, expected in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", body, re.MULTILINE)
]
COMMANDS = [
    re.split(r"\s#\s", line)[0].strip()
    for _, body in blocks("sh")
    for line in body.splitlines()
    if line.startswith("bklint ") and "--watch" not in line
]


def test_the_readme_has_examples() -> None:
    assert TRANSCRIPTS and len(COMMANDS) > 20


@pytest.mark.parametrize(("command", "expected"), TRANSCRIPTS, ids=[c for c, _ in TRANSCRIPTS])
def test_shown_output_is_the_real_output(command: str, expected: str, stage: Path, tmp_path: Path) -> None:
    shutil.copytree(stage, tmp_path / "run")
    assert run(command, tmp_path / "run").stdout == expected


@pytest.mark.parametrize("command", COMMANDS)
def test_every_shell_example_runs(command: str, stage: Path, tmp_path: Path) -> None:
    shutil.copytree(stage, tmp_path / "run")
    proc = run(command, tmp_path / "run")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "error:" not in proc.stderr


def test_configuration_examples_are_accepted(tmp_path: Path) -> None:
    rules()
    examples = [body for lang in ("toml",) for _, body in blocks(lang) if body.startswith("[tool.bklint]")]
    assert examples
    for body in examples:
        (tmp_path / "pyproject.toml").write_text(body)
        found = find_config(str(tmp_path))
        assert found is not None
        _, problems = lay(Settings(), load_config(found))
        assert problems == []
