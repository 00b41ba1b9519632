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


def test_check_on_a_plain_config_imports_no_heavy_library(tmp_path: Path) -> None:
    config = tmp_path / "buildkitd.toml"
    # Findings whose fixes are plain text edits (a fix that restructures the file needs tomlkit).
    config.write_text('[worker.oci]\nmax_parallelism = 4\n[registry."docker.io"]\nmirrors = ["m.io"]\n')
    code = (
        "import sys\n"
        "from bklint.linter.cli import main\n"
        f"try:\n    main(['check', '--isolated', {str(config)!r}])\n"
        "except SystemExit:\n    pass\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


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
