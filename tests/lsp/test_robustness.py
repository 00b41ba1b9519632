"""The server never dies: unknown methods, odd positions, closed documents, strange text."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc, ident, open_doc, position, span

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = '[worker.oci]\n  max_parallelism = 4  # café 🐳\n'


async def still_serving(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / f"alive-{len(client.diagnostics)}" / "buildkitd.toml", TEXT)
    assert [d.code for d in await doc.diagnostics()] == ["BK101"]
    assert [m.message for m in client.log_messages if m.type == types.MessageType.Error] == []


async def test_unknown_requests_get_an_error_and_unknown_notifications_are_ignored(
    client: LanguageClient, workspace: Path
) -> None:
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("bklint/noSuchMethod", {"x": 1})
    client.protocol.notify("bklint/noSuchNotification", {"x": 1})
    client.protocol.notify("$/somethingOptional", None)
    await still_serving(client, workspace)


async def test_out_of_range_positions_are_clamped(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "range" / "buildkitd.toml", TEXT)
    await doc.diagnostics()
    for pos in (position(99, 0), position(1, 999), position(0, 2**31 - 1)):
        await client.text_document_hover_async(types.HoverParams(text_document=ident(doc), position=pos))
        await client.text_document_completion_async(types.CompletionParams(text_document=ident(doc), position=pos))
        await client.text_document_definition_async(types.DefinitionParams(text_document=ident(doc), position=pos))
    far = types.Range(start=position(50, 0), end=position(60, 10))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=ident(doc), range=far, context=types.CodeActionContext(diagnostics=[]))
    )
    assert all(a.kind == "source.fixAll.bklint" for a in actions or [] if isinstance(a, types.CodeAction))
    # Inside the emoji's surrogate pair: the column rounds, nothing breaks.
    await client.text_document_hover_async(types.HoverParams(text_document=ident(doc), position=position(1, 31)))
    await still_serving(client, workspace)


async def test_requests_on_closed_or_unknown_documents_return_nothing(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "closed" / "buildkitd.toml", TEXT)
    await doc.diagnostics()
    doc.close()
    never = Doc(client, workspace / "never" / "buildkitd.toml", TEXT)
    for d in (doc, never):
        assert await client.text_document_hover_async(types.HoverParams(text_document=ident(d), position=position(1, 3))) is None
        assert not await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=ident(d)))
        assert not await client.text_document_code_action_async(
            types.CodeActionParams(text_document=ident(d), range=span(1, 3), context=types.CodeActionContext(diagnostics=[]))
        )
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=ident(d)))
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and not report.items
    # A change or a save for a document the server does not hold is dropped.
    doc.insert(0, 0, "x")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=ident(doc)))
    await still_serving(client, workspace)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02 binary \ufffd",
        "[" * 5000,
        "a = [" + "[" * 3000 + "]" * 3000 + "]\n",
        '[registry."x"]\n  ca = """\n' + "é" * 10000 + '\n"""\n',
        "key = 'unterminated\n[worker.oci\n  = = =\n",
        "\r\n".join(f'[registry."r{i}.example.com"]' for i in range(200)),
    ],
    ids=["empty", "binary", "deep-headers", "deep-arrays", "long-string", "garbage", "crlf"],
)
async def test_strange_text_is_linted_without_dying(client: LanguageClient, workspace: Path, text: str) -> None:
    doc = open_doc(client, workspace / f"strange-{abs(hash(text))}" / "buildkitd.toml", text)
    await doc.diagnostics()
    for line, character in ((0, 0), (0, 3), (1, 4)):
        await client.text_document_hover_async(types.HoverParams(text_document=ident(doc), position=position(line, character)))
        await client.text_document_completion_async(
            types.CompletionParams(text_document=ident(doc), position=position(line, character))
        )
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=ident(doc)))
    await client.text_document_document_link_async(types.DocumentLinkParams(text_document=ident(doc)))
    await still_serving(client, workspace)
