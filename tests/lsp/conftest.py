"""A pytest-lsp client talking to `bklint lsp` over real JSON-RPC on stdio.

Two clients: one that only takes pushed diagnostics (like Neovim 0.7–0.9) and one that
pulls them (LSP 3.17 `textDocument/diagnostic`, like VS Code and Neovim 0.10+). Every
published diagnostics notification is recorded with its version so tests can wait for
the diagnostics of a given edit.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import make_test_lsp_client

SERVER = [sys.executable, "-m", "bklint.linter", "lsp"]
TIMEOUT = 20.0


class Recorder:
    """Every textDocument/publishDiagnostics the server sent, in order."""

    def __init__(self) -> None:
        self.published: list[types.PublishDiagnosticsParams] = []
        self.changed = asyncio.Event()

    def add(self, params: types.PublishDiagnosticsParams) -> None:
        self.published.append(params)
        self.changed.set()

    def last(self, uri: str) -> types.PublishDiagnosticsParams | None:
        for p in reversed(self.published):
            if p.uri == uri:
                return p
        return None

    async def wait(self, uri: str, version: int | None = None, empty: bool | None = None) -> types.PublishDiagnosticsParams:
        """The first publication for ``uri`` (of ``version``) recorded from now on or already."""

        def match() -> types.PublishDiagnosticsParams | None:
            p = self.last(uri)
            if p is None or (version is not None and p.version != version):
                return None
            if empty is not None and (len(p.diagnostics) == 0) != empty:
                return None
            return p

        async def loop() -> types.PublishDiagnosticsParams:
            while True:
                found = match()
                if found is not None:
                    return found
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(loop(), TIMEOUT)


def recording_client() -> LanguageClient:
    client = make_test_lsp_client()
    recorder = Recorder()
    original = client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        original(params)
        recorder.add(params)

    client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    client.recorder = recorder  # type: ignore[attr-defined]
    return client


def capabilities(pull: bool) -> types.ClientCapabilities:
    markdown = [types.MarkupKind.Markdown, types.MarkupKind.PlainText]
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(dynamic_registration=False),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True) if pull else None,
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True,
                version_support=True,
                code_description_support=True,
                data_support=True,
                tag_support=types.ClientDiagnosticsTagOptions(
                    value_set=[types.DiagnosticTag.Unnecessary, types.DiagnosticTag.Deprecated]
                ),
            ),
            diagnostic=types.DiagnosticClientCapabilities(related_document_support=False) if pull else None,
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
                    )
                ),
                is_preferred_support=True,
            ),
            hover=types.HoverClientCapabilities(content_format=markdown),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    documentation_format=markdown, deprecated_support=True
                )
            ),
            document_symbol=types.DocumentSymbolClientCapabilities(hierarchical_document_symbol_support=True),
            document_link=types.DocumentLinkClientCapabilities(tooltip_support=True),
            definition=types.DefinitionClientCapabilities(),
        ),
    )


async def start(client: LanguageClient, root: Path, pull: bool, init: dict[str, Any] | None) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(pull),
            root_uri=from_fs_path(str(root)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)) or "", name="ws")],
            initialization_options=init or {},
        )
    )


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=recording_client)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace folder per test module (the server is shared by the module's tests)."""
    return tmp_path_factory.mktemp("ws")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    """A push-diagnostics client, shared by the tests of a module (use distinct file names)."""
    lsp_client.set_configuration({}, section="bklint")
    await start(lsp_client, workspace, pull=False, init=None)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def pull_client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    """A client that pulls diagnostics (and so gets none pushed)."""
    lsp_client.set_configuration({}, section="bklint")
    await start(lsp_client, workspace, pull=True, init=None)
    yield
    await lsp_client.shutdown_session()


class Doc:
    """An open document: its uri, text and version, with helpers to edit it."""

    def __init__(self, client: LanguageClient, path: Path, text: str) -> None:
        self.client = client
        self.path = path
        self.uri = from_fs_path(str(path)) or ""
        self.text = text
        self.version = 1

    @property
    def recorder(self) -> Recorder:
        return self.client.recorder  # type: ignore[attr-defined, no-any-return]

    def open(self) -> Doc:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=self.uri, language_id="toml", version=self.version, text=self.text)
            )
        )
        return self

    def replace_all(self, text: str) -> None:
        self.version += 1
        self.text = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def insert(self, line: int, character: int, new: str) -> None:
        """An incremental change (character in UTF-16 units), as editors send keystrokes."""
        self.version += 1
        pos = types.Position(line=line, character=character)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text=new)],
            )
        )

    def close(self) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=self.uri))
        )

    async def diagnostics(self, version: int | None = None) -> list[types.Diagnostic]:
        published = await self.recorder.wait(self.uri, self.version if version is None else version)
        return list(published.diagnostics)


def open_doc(client: LanguageClient, path: Path, text: str) -> Doc:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return Doc(client, path, text).open()


def _offset(text: str, pos: types.Position) -> int:
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: pos.line])
    units = 0
    column = 0
    line = lines[pos.line] if pos.line < len(lines) else ""
    while column < len(line) and units < pos.character:
        units += 2 if ord(line[column]) > 0xFFFF else 1
        column += 1
    return start + column


def apply_edit(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    """The text after a workspace edit (UTF-16 positions), as an editor would apply it."""
    edits: list[types.TextEdit] = []
    for change in edit.document_changes or []:
        assert isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
        edits.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    edits.extend((edit.changes or {}).get(uri, []))
    spans = sorted(((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def ident(doc: Doc) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=doc.uri)


async def actions(client: LanguageClient, doc: Doc, rng: types.Range, only: list[str] | None = None) -> list[types.CodeAction]:
    """The code actions offered for ``rng`` with the document's current diagnostics."""
    diags = await doc.diagnostics()
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident(doc),
            range=rng,
            context=types.CodeActionContext(diagnostics=diags, only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def span(line: int, start: int, end: int | None = None) -> types.Range:
    return types.Range(start=position(line, start), end=position(line, start if end is None else end))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "init(options): initializationOptions sent by the settings tests' client")
    config.addinivalue_line("markers", "config(section): the `bklint` workspace/configuration answer")
