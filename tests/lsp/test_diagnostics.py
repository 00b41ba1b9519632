"""Diagnostics: pushed on open/change/save, cleared on close, pulled when the client asks."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

BAD = '[worker.oci]\n  max_parallelism = 4\n  gc = "yes"\n'


def rng(line: int, start: int, end: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=start), end=types.Position(line=line, character=end))


async def test_open_publishes_every_finding_with_code_link_source_and_severity(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "open" / "buildkitd.toml", BAD)
    diags = await doc.diagnostics()
    assert [d.code for d in diags] == ["BK101", "BK004"]
    unknown, wrong_type = diags
    assert unknown.source == wrong_type.source == "bklint"
    assert unknown.severity == types.DiagnosticSeverity.Warning
    assert wrong_type.severity == types.DiagnosticSeverity.Error
    assert unknown.code_description is not None and unknown.code_description.href.endswith("#bk101")
    assert unknown.range == rng(1, 2, 17)
    assert wrong_type.range == rng(2, 7, 12)
    assert "max-parallelism" in unknown.message
    assert unknown.data == {"name": "unknown-key", "fixable": True}


async def test_ranges_count_utf16_units_after_non_ascii_text_on_the_same_line(
    client: LanguageClient, workspace: Path
) -> None:
    line = '"docker.io" = { mirrors = ["mirror.example.com"], "café 🐳" = 1, htp = true }'
    doc = open_doc(client, workspace / "utf16" / "buildkitd.toml", f"[registry]\n{line}\n")
    diags = await doc.diagnostics()
    htp = next(d for d in diags if d.code == "BK101" and "htp" in d.message)
    # é is one UTF-16 unit, the whale two: the key starts one unit after its code-point column.
    assert line.index("htp") == 64
    assert htp.range == rng(1, 65, 68)
    cafe = next(d for d in diags if d.code == "BK101" and "café" in d.message)
    assert cafe.range == rng(1, 50, 59)


async def test_a_change_publishes_the_diagnostics_of_the_new_version(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "change" / "buildkitd.toml", BAD)
    await doc.diagnostics()
    doc.replace_all("[worker.oci]\n  max-parallelism = 4\n")
    published = await doc.recorder.wait(doc.uri, version=2)
    assert list(published.diagnostics) == []
    doc.insert(0, 0, "debugg = true\n")
    diags = await doc.diagnostics(version=3)
    assert [(d.code, d.range.start.line) for d in diags] == [("BK101", 0)]


async def test_save_lints_again_and_close_clears(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "save" / "buildkitd.toml", BAD)
    await doc.diagnostics()
    before = len(doc.recorder.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )
    again = await doc.recorder.wait(doc.uri, version=1)
    while len(doc.recorder.published) == before:
        doc.recorder.changed.clear()
        await doc.recorder.changed.wait()
    again = doc.recorder.last(doc.uri)
    assert again is not None and [d.code for d in again.diagnostics] == ["BK101", "BK004"]
    doc.close()
    cleared = await doc.recorder.wait(doc.uri, empty=True)
    assert list(cleared.diagnostics) == []


async def test_invalid_toml_while_typing_shows_the_syntax_error_and_recovers(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "typing" / "buildkitd.toml", "[worker.oci]\n  gc = true\n")
    assert await doc.diagnostics() == []
    doc.insert(1, 11, "\n  snapshotter = ")
    diags = await doc.diagnostics(version=2)
    assert [d.code for d in diags] == ["BK001"]
    assert diags[0].range.start.line == 2
    doc.insert(2, 16, '"overlayfs"')
    assert await doc.diagnostics(version=3) == []


async def test_other_toml_files_are_left_alone(client: LanguageClient, workspace: Path) -> None:
    other = open_doc(client, workspace / "other" / "Cargo.toml", "[package]\nname = 1\n")
    named = open_doc(client, workspace / "other" / "ci.buildkitd.toml", BAD)
    assert [d.code for d in await named.diagnostics()] == ["BK101", "BK004"]
    assert other.recorder.last(other.uri) is None
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=other.uri))
    )
    assert not symbols


async def test_a_thousand_rapid_changes_end_with_the_last_versions_diagnostics(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "burst" / "buildkitd.toml", "[worker.oci]\n")
    await doc.diagnostics()
    # Type 1,000 characters one keystroke at a time: an unknown key that keeps growing.
    doc.insert(1, 0, "k = 1\n")
    for _ in range(999):
        doc.insert(1, 0, "x")
    assert doc.version == 1001
    diags = await doc.diagnostics(version=1001)
    assert [d.code for d in diags] == ["BK101"]
    assert diags[0].range == rng(1, 0, 1000)
    # A request round trip later, nothing older has been published after it.
    await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=doc.uri), position=types.Position(line=0, character=1))
    )
    last = doc.recorder.last(doc.uri)
    assert last is not None and last.version == 1001
    versions = [p.version for p in doc.recorder.published if p.uri == doc.uri]
    assert versions == sorted(versions)
    assert len(versions) < 1001  # stale versions were dropped, not all linted and sent


async def test_pull_diagnostics_return_a_full_report_then_unchanged(
    pull_client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(pull_client, workspace / "pull" / "buildkitd.toml", BAD)
    ident = types.TextDocumentIdentifier(uri=doc.uri)
    report = await pull_client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=ident))
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in report.items] == ["BK101", "BK004"]
    assert report.items[0].source == "bklint"
    same = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident, previous_result_id=report.result_id)
    )
    assert isinstance(same, types.RelatedUnchangedDocumentDiagnosticReport)
    doc.replace_all("[worker.oci]\n  max-parallelism = 4\n")
    fresh = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=ident, previous_result_id=report.result_id)
    )
    assert isinstance(fresh, types.RelatedFullDocumentDiagnosticReport) and list(fresh.items) == []
    # A client that pulls gets nothing pushed (no duplicates in its problem list).
    assert doc.recorder.last(doc.uri) is None
