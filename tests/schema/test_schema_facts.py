"""BuildKit's facts have one home, the key tree: rules, the daemon-flag model and the
language server read them from there instead of keeping copies that drift."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bklint.linter.run import lint_text
from bklint.linter.settings import Settings
from bklint.lsp.schema_info import DIR_KEYS, PATH_KEYS, resolve_file
from bklint.rules.buildx_certs import path_refs, resolve
from bklint.rules.context import RuleSettings
from bklint.rules.schema.nodes import Struct
from bklint.rules.schema.tree import CONFIG, WORKERS, path_keys

ROOT = Path(__file__).resolve().parents[2]

# Literal spellings of facts the tree holds; none may appear in code outside the tree.
COPIES = {
    "the workers": re.compile(r"""["']oci["'],\s*["']containerd["']|["']containerd["'],\s*["']oci["']"""),
    "the snapshotters": re.compile(r"""["']native["'],\s*["']fuse-overlayfs["']"""),
    "the entitlements": re.compile(r"""["']security\.insecure["'],\s*["']device["']"""),
    "the log levels": re.compile(r"""["']warn["'],\s*["']warning["']"""),
    "the network modes": re.compile(r"""["']host["'],\s*["']bridge["'],\s*["']cni["']"""),
}


def _code_files() -> list[Path]:
    tree = ROOT / "rules" / "schema" / "tree.py"
    return [p for d in ("rules", "linter", "lsp") for p in sorted((ROOT / d).rglob("*.py")) if p != tree]


@pytest.mark.parametrize("fact", sorted(COPIES))
def test_no_module_keeps_a_copy_of_a_tree_fact(fact: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _code_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COPIES[fact].search(line)
    ]
    assert not found, f"{fact} copied from rules/schema/tree.py: {found}"


def test_workers_are_the_worker_tables() -> None:
    worker = CONFIG.fields["worker"]
    assert isinstance(worker, Struct)
    assert sorted(WORKERS) == list(worker.fields)


def test_the_engine_reads_every_path_key_the_tree_marks() -> None:
    """path_refs (what the certificate rules read) covers exactly the keys the tree marks
    as naming files or folders; the server links and completes the same keys."""
    text = (
        '[grpc.tls]\ncert = "c"\nkey = "k"\nca = "a"\n'
        '[registry."r.io"]\nca = ["a"]\ntlsconfigdir = ["d"]\n'
        '[[registry."r.io".keypair]]\nkey = "k"\ncert = "c"\n'
    )
    result = lint_text(text, None, Settings())
    assert result.context is not None and result.context.decoded is not None
    canonical = {
        "ca": ("registry", "*", "ca"),
        "key": ("registry", "*", "keypair", "key"),
        "cert": ("registry", "*", "keypair", "cert"),
        "tlsconfigdir": ("registry", "*", "tlsconfigdir"),
        "grpc-ca": ("grpc", "tls", "ca"),
        "grpc-cert": ("grpc", "tls", "cert"),
        "grpc-key": ("grpc", "tls", "key"),
    }
    read = {canonical[ref.kind] for ref in path_refs(result.context.decoded)}
    assert read == path_keys("file") | path_keys("dir")
    assert path_keys("file") == PATH_KEYS
    assert path_keys("dir") == DIR_KEYS
    assert ("grpc", "tls", "cert") in PATH_KEYS


def test_engine_and_server_resolve_a_tilde_path_the_same_way(tmp_path: Path) -> None:
    """buildx expands no `~`: `~/ca.pem` is a folder named `~` below the base directory,
    for BK301 and for the server's links alike."""
    base = str(tmp_path)
    assert resolve_file("~/ca.pem", base) == os.path.normpath(resolve("~/ca.pem", base))
    assert resolve_file("~/ca.pem", base) == str(tmp_path / "~" / "ca.pem")
    text = '[registry."r.io"]\nca = ["~/ca.pem"]\n'
    settings = Settings(rules=RuleSettings(base_dir=base))
    assert "BK301" in {f.code for f in lint_text(text, None, settings).findings}
    (tmp_path / "~").mkdir()
    (tmp_path / "~" / "ca.pem").write_text("not a certificate\n")
    assert "BK301" not in {f.code for f in lint_text(text, None, settings).findings}
