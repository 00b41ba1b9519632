"""Settings from initializationOptions, workspace/configuration and didChangeConfiguration,
applied live, on top of the project's own bklint configuration."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import REPO
from tests.lsp.conftest import CONFIG, TIMEOUT, Doc, open_doc, start

TEXT = """\
debug = true
[worker.oci]
  GC = true
  networkMode = "cni"
[registry."docker.io"]
  ca = ["certs/ca.pem"]
"""
DEFAULT_CODES = ["BK401", "BK104", "BK265", "BK301"]


def codes(diags: list[types.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diags]


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[None]:
    """A client per test; ``@pytest.mark.init(...)``/``@pytest.mark.config(...)`` set its settings."""
    init_mark = request.node.get_closest_marker("init")
    config_mark = request.node.get_closest_marker("config")
    lsp_client.set_configuration(config_mark.args[0] if config_mark else {}, section="bklint")
    await start(lsp_client, tmp_path, pull=False, init=init_mark.args[0] if init_mark else None)
    yield
    await lsp_client.shutdown_session()


def change_configuration(client: LanguageClient, settings: dict[str, Any] | None) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))


async def until(doc: Doc, wanted: list[str]) -> list[str]:
    """Wait for a publication with exactly these codes (settings apply asynchronously)."""

    async def loop() -> list[str]:
        while True:
            last = doc.recorder.last(doc.uri)
            seen = codes(list(last.diagnostics)) if last is not None else []
            if seen == wanted:
                return wanted
            doc.recorder.changed.clear()
            await doc.recorder.changed.wait()

    try:
        return await asyncio.wait_for(loop(), TIMEOUT)
    except asyncio.TimeoutError:
        last = doc.recorder.last(doc.uri)
        return codes(list(last.diagnostics)) if last is not None else []


async def test_defaults(client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(client, tmp_path / "buildkitd.toml", TEXT)
    assert codes(await doc.diagnostics()) == DEFAULT_CODES


@pytest.mark.init({"ignore": ["BK104"], "severity": {"BK401": "error"}, "targetVersion": "v0.31"})
async def test_initialization_options_apply_from_the_start(client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(client, tmp_path / "buildkitd.toml", TEXT)
    diags = await doc.diagnostics()
    assert codes(diags) == ["BK401", "BK265", "BK301"]
    assert diags[0].severity == types.DiagnosticSeverity.Error


@pytest.mark.config({"targetVersion": "v0.12", "buildkitdFlags": "--oci-worker-net=host"})
async def test_workspace_configuration_is_asked_for_at_start(client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(client, tmp_path / "buildkitd.toml", TEXT)
    # v0.12 predates the deprecation of `debug` and ignores `GC`; the flag overrides networkMode.
    assert await until(doc, ["BK512", "BK301"]) == ["BK512", "BK301"]


async def test_changed_configuration_applies_live(client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(client, tmp_path / "buildkitd.toml", TEXT)
    assert codes(await doc.diagnostics()) == DEFAULT_CODES
    # Pushed with the notification (VS Code's mapped settings, Neovim's `settings`).
    change_configuration(client, {"bklint": {"select": ["BK1", "BK3"]}})
    assert await until(doc, ["BK104", "BK301"]) == ["BK104", "BK301"]
    # Or only announced, so the server asks with workspace/configuration.
    client.set_configuration({"ignore": ["BK3"]}, section="bklint")
    change_configuration(client, None)
    assert await until(doc, ["BK401", "BK104", "BK265"]) == ["BK401", "BK104", "BK265"]


async def test_base_dir_resolves_relative_certificate_paths(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "etc" / "certs").mkdir(parents=True)
    shutil.copy(REPO / "examples/certs/registry.example.com/ca.pem", tmp_path / "etc" / "certs" / "ca.pem")
    doc = open_doc(client, tmp_path / "config" / "buildkitd.toml", TEXT)
    assert codes(await doc.diagnostics()) == DEFAULT_CODES
    change_configuration(client, {"bklint": {"baseDir": "etc"}})  # relative to the workspace folder
    assert await until(doc, ["BK401", "BK104", "BK265"]) == ["BK401", "BK104", "BK265"]
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )
    assert links is not None and [link.target for link in links] == [(tmp_path / "etc/certs/ca.pem").as_uri()]


async def test_the_project_configuration_is_honoured(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.bklint]\nignore = ["BK104"]\ntarget-version = "v0.12"\n')
    doc = open_doc(client, tmp_path / "buildkitd.toml", TEXT)
    assert codes(await doc.diagnostics()) == ["BK265", "BK301"]
    # The editor's settings go on top, like command-line options.
    change_configuration(client, {"bklint": {"targetVersion": "v0.31"}})
    assert await until(doc, ["BK401", "BK265", "BK301"]) == ["BK401", "BK265", "BK301"]


@pytest.mark.init({"files": ["*.bkd"]})
async def test_extra_file_globs_are_served(client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(client, tmp_path / "builder.bkd", TEXT)
    assert codes(await doc.diagnostics()) == DEFAULT_CODES


@pytest.mark.init({"select": 5, "severity": {"BK401": "loud"}})
async def test_bad_settings_are_reported_not_fatal(client: LanguageClient, tmp_path: Path) -> None:
    doc = open_doc(client, tmp_path / "buildkitd.toml", TEXT)
    assert codes(await doc.diagnostics()) == DEFAULT_CODES
    messages = [m.message for m in client.messages]
    assert any("select" in m for m in messages) and any("loud" in m for m in messages)
