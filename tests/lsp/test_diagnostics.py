"""Diagnostics: pushed on open/change/save, cleared on close, pulled when the client asks."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import open_doc

BAD = 'maxParalelism = 4\n\n[worker.oci]\n  gc = "yes"\n'


async def test_open_publishes_the_findings_of_the_file(client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(client, tmp_path / "buildkitd.toml", BAD)
    diags = await doc.diagnostics()
    assert [d.code for d in diags] == ["BK101", "BK004"]
    first = diags[0]
    assert first.source == "bklint"
    assert first.severity == types.DiagnosticSeverity.Warning or first.severity is not None
    assert first.code_description is not None and "bk101" in first.code_description.href
    assert first.range == types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=13))
