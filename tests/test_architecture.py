"""docs/architecture.md stays true: every path it names exists, imports point the way it
says (lsp -> linter -> rules), and `bklint check` on a plain config stays lean."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
TOP = ("linter", "rules", "lsp", "tests", "bench", "docs", "editors")

# The one module of linter/ allowed to import the server: `bklint lsp` starts it.
LINTER_MAY_IMPORT_LSP = frozenset({"linter/commands/lsp.py"})

HEAVY = ("pygls", "lsprotocol", "pydantic", "tomlkit", "cryptography", "ruamel")


def _named_paths() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    names = re.findall(r"`([^`\s]+)`", text)
    return sorted({n.rstrip("/") for n in names if n.split("/")[0] in TOP and "/" in n} | {"pyproject.toml"})


def test_the_doc_names_modules() -> None:
    assert len(_named_paths()) > 40


@pytest.mark.parametrize("path", _named_paths())
def test_every_path_the_doc_names_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which does not exist"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def _violations(folder: str, forbidden: tuple[str, ...], allowed: frozenset[str] = frozenset()) -> list[str]:
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed:
            continue
        for module in _imports(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                bad.append(f"{rel} imports {module}")
    return bad


def test_rules_import_neither_the_engine_nor_the_server() -> None:
    assert _violations("rules", ("bklint.linter", "bklint.lsp", "pygls", "lsprotocol", "ruamel")) == []


def test_the_engine_does_not_import_the_server() -> None:
    assert _violations("linter", ("bklint.lsp", "pygls", "lsprotocol"), LINTER_MAY_IMPORT_LSP) == []


def test_the_server_imports_no_command_module() -> None:
    """A command is the CLI's outer layer: what the server shares with one lives below both."""
    assert _violations("lsp", ("bklint.linter.commands",)) == []


def _imported_by_check(tmp_path: Path, *options: str) -> set[str]:
    """The modules a plain `bklint check` of bench/check_speed.py's typical config imports
    beyond what the interpreter itself starts with."""
    from bench.check_speed import TYPICAL

    config = tmp_path / "buildkitd.toml"
    config.write_text(TYPICAL)
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import io, contextlib\n"
        "from bklint.linter.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', *{list(options)!r}, {str(config)!r}])\n"
        "print('\\n'.join(sorted(set(sys.modules) - before - {'io', 'contextlib'})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_check_on_a_plain_config_imports_no_heavy_library(tmp_path: Path) -> None:
    heavy = sorted(m for m in _imported_by_check(tmp_path, "--isolated", "--silent") if m.split(".")[0] in HEAVY)
    assert heavy == []


# Standard modules whose import (or the classes they make you build) was a measurable share
# of `bklint check`'s start-up: records are plain classes, typing is for mypy only, argparse
# is imported when a command line has options, the rest where a rule needs them (issue 15).
SLOW_TO_START = (
    "typing",
    "dataclasses",
    "inspect",
    "ast",
    "argparse",
    "gettext",
    "shutil",
    "json",
    "datetime",
    "difflib",
    "shlex",
    "ipaddress",
    "tomllib",
    "tomli",
)


def test_check_of_plain_operands_imports_no_slow_standard_module(tmp_path: Path) -> None:
    """What pre-commit runs (`bklint check FILE…`) on a typical config, in a Python project
    whose pyproject.toml names bklint but has no `[tool.bklint]` (so no config is loaded)."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = ["bklint"]\n[tool.ruff]\nline-length = 100\n'
    )
    slow = sorted(m for m in _imported_by_check(tmp_path) if m.split(".")[0] in SLOW_TO_START)
    assert slow == []


def test_check_imports_only_the_rules_a_plain_config_triggers(tmp_path: Path) -> None:
    """Rule modules load through the index, and only when the file holds what they look at."""
    imported = _imported_by_check(tmp_path, "--isolated", "--silent")
    catalog = {m.removeprefix("bklint.rules.catalog.") for m in imported if m.startswith("bklint.rules.catalog.")}
    untriggered = ("certificates", "flags", "embedding", "network", "daemon.dns", "daemon.history", "daemon.frontends")
    assert sorted(m for m in catalog if m.startswith(untriggered)) == []
    assert {"registries.mirrors", "keys.unknown", "gc.sizes"} <= catalog


def test_no_test_reads_data_outside_the_repository() -> None:
    """Test data lives in tests/ (copied from ../shared), so no test skips where it is absent."""
    here = Path(__file__).resolve()
    outside = re.compile(r"""/\s*["']shared["']|\.\./shared""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path != here
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert found == []


def test_each_catalog_module_lists_its_rules_in_code_order() -> None:
    """A reader finds a rule by its code: within a module, classes follow code order."""
    import inspect

    from bklint.rules.base import iter_rules
    from bklint.rules.catalog import load_all

    load_all()
    by_module: dict[str, list[tuple[int, str]]] = {}
    for rule in iter_rules():
        by_module.setdefault(rule.__module__, []).append((inspect.getsourcelines(rule)[1], rule.code))
    unordered = {m: [c for _, c in sorted(v)] for m, v in by_module.items() if [c for _, c in sorted(v)] != sorted(c for _, c in v)}
    assert unordered == {}
