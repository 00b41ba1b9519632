"""Language-server soak: a long random editing session with requests in between.

Thousands of incremental edits as an editor sends them (keystrokes, pastes, deletions,
emoji and half surrogate pairs, positions inside a pair or past the end of the line or of
the document), with hover, completion, code actions, symbols, links and definitions asked
along the way and a few requests with invalid params. Checked:

- every request is answered, never with -32603 (bad params: -32602);
- the last diagnostics equal a fresh lint of the text as the LSP defines the edits;
- the server's memory stays flat (issue 11 item 13: pygls kept a Future per notification).

The session is seeded, so a failure replays. ``BKLINT_FUZZ=long`` runs four times longer.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import itertools
import random
import re
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pytest_lsp import LanguageClient

from bklint.lsp.analysis import analyse
from bklint.lsp.settings import Resolver
from tests.conftest import VECTORS
from tests.fuzz.strategies import LONG
from tests.lsp.conftest import CONFIG, Doc, ident, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")

EDITS = 20_000 if LONG else 5_000
WARM_UP = 500
REQUESTS_EVERY = 50
SETTLE_EVERY = 100
# The server's resident memory may move this much over the session (allocator noise).
RSS_SLACK_KB = 3 * 1024
ANSWER_WITHIN = 30.0

SEED_TEXT = (VECTORS / "load" / "docs-buildkit-full-example" / "buildkitd.toml").read_text("utf-8")
TYPED = ["a", "b", "=", " ", "\n", '"', "[", "]", ".", "#", "1", "é", "🐳", "\ud83d", "\udc33", "\r\n", "\t",
         "\r", "\u2028", "\x0c", "\x00", "'", "{", "}", ",", "_", "-",
         "max-parallelism = 4\n", '[registry."docker.io"]\n', "  mirrors = [\"mirror.gcr.io\"]\n",
         "[[worker.oci.gcpolicy]]\n", "keepBytes = \"10GB\"\n", "debug = true\n", 'ca = ["/etc/ca.pem"]\n']

_EOL = re.compile(r"(\r\n|\r|\n)")


@functools.lru_cache(maxsize=4)
def split_lines(text: str) -> tuple[list[int], list[str]]:
    """Where each line starts and what it holds, as the LSP defines lines (\\r\\n, \\r, \\n)."""
    pieces = _EOL.split(text)  # content, break, content, break, …, content
    ends = list(itertools.accumulate(map(len, pieces)))
    return [0, *ends[1::2]], pieces[::2]


def line_starts(text: str) -> list[int]:
    return split_lines(text)[0]


def offset_of(text: str, pos: types.Position) -> int:
    """A UTF-16 position as a text offset (past a line's end: the end; past the last line: the end)."""
    starts, contents = split_lines(text)
    if pos.line >= len(starts):
        return len(text)
    column = units = 0
    content = contents[pos.line]
    while column < len(content) and units < pos.character:
        units += 2 if ord(content[column]) > 0xFFFF else 1
        column += 1
    return starts[pos.line] + column


def position_of(text: str, offset: int) -> types.Position:
    starts = line_starts(text)
    line = bisect.bisect_right(starts, offset) - 1
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text[starts[line] : offset])
    return types.Position(line=line, character=units)


def rss_kb(client: LanguageClient) -> int:
    server = client._server
    assert server is not None
    with open(f"/proc/{server.pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


class Session:
    def __init__(self, client: LanguageClient, doc: Doc, rng: random.Random) -> None:
        self.client = client
        self.doc = doc
        self.rng = rng
        self.pending: list[asyncio.Future[Any]] = []
        self.asked = 0
        self.invalid: list[asyncio.Future[Any]] = []

    def random_position(self) -> types.Position:
        text, rng = self.doc.text, self.rng
        roll = rng.random()
        if roll < 0.03:
            return types.Position(line=len(line_starts(text)) + rng.randint(0, 5), character=rng.randint(0, 9))
        if roll < 0.08:
            pos = position_of(text, rng.randint(0, len(text)))
            return types.Position(line=pos.line, character=pos.character + rng.randint(1, 300))
        pos = position_of(text, rng.randint(0, len(text)))
        if roll < 0.12:  # maybe inside a surrogate pair
            return types.Position(line=pos.line, character=pos.character + 1)
        return pos

    def edit(self) -> None:
        doc, rng = self.doc, self.rng
        start = self.random_position()
        if rng.random() < 0.3 or len(doc.text) > 10_000:  # delete or replace a range
            end_offset = min(len(doc.text), offset_of(doc.text, start) + rng.choice([1, 1, 2, 10, 60]))
            end = position_of(doc.text, end_offset)
        else:
            end = start
        new = rng.choice(TYPED) if rng.random() < 0.9 else ""
        a, b = offset_of(doc.text, start), offset_of(doc.text, end)
        doc.version += 1
        doc.text = doc.text[:a] + new + doc.text[max(a, b) :]
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
                content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=new)],
            )
        )

    def ask(self) -> None:
        c, d, pos = self.client, ident(self.doc), self.random_position()
        self.asked += 1
        # "Fix all" re-lints the document up to ten times: asked on one batch in five.
        only = None if self.asked % 5 == 0 else [types.CodeActionKind.QuickFix]
        whole = types.Range(start=self.random_position(), end=self.random_position())
        if (whole.end.line, whole.end.character) < (whole.start.line, whole.start.character):
            whole = types.Range(start=whole.end, end=whole.start)
        self.pending += [
            asyncio.ensure_future(c.text_document_hover_async(types.HoverParams(text_document=d, position=pos))),
            asyncio.ensure_future(c.text_document_completion_async(types.CompletionParams(text_document=d, position=pos))),
            asyncio.ensure_future(c.text_document_definition_async(types.DefinitionParams(text_document=d, position=pos))),
            asyncio.ensure_future(
                c.text_document_code_action_async(
                    types.CodeActionParams(
                        text_document=d, range=whole, context=types.CodeActionContext(diagnostics=[], only=only)
                    )
                )
            ),
            asyncio.ensure_future(c.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=d))),
            asyncio.ensure_future(c.text_document_document_link_async(types.DocumentLinkParams(text_document=d))),
        ]

    def ask_invalid(self) -> None:
        """A request whose params do not validate, sent as raw JSON."""
        bad = self.rng.choice([{"line": -1, "character": 0}, None, {"line": 0}, {"line": 0, "character": -3}])
        msg_id = str(uuid.uuid4())
        future: Future[Any] = Future()
        self.client.protocol._request_futures[msg_id] = future
        params = {"textDocument": {"uri": self.doc.uri}, "position": bad}
        self.client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": types.TEXT_DOCUMENT_HOVER, "params": params})
        self.invalid.append(asyncio.wrap_future(future))

    async def settle(self) -> None:
        """Every request sent so far is answered, and never with an internal error."""
        answers = await asyncio.wait_for(asyncio.gather(*self.pending, return_exceptions=True), ANSWER_WITHIN)
        for answer in answers:
            if isinstance(answer, BaseException):
                assert not isinstance(answer, JsonRpcInternalError), answer
                raise answer
        self.pending.clear()
        refused = await asyncio.wait_for(asyncio.gather(*self.invalid, return_exceptions=True), ANSWER_WITHIN)
        for answer in refused:
            assert isinstance(answer, JsonRpcInvalidParams), answer
        self.invalid.clear()

    async def run(self, edits: int) -> None:
        for i in range(1, edits + 1):
            self.edit()
            if i % REQUESTS_EVERY == 0:
                self.ask()
            if i % (REQUESTS_EVERY * 10) == 0:
                self.ask_invalid()
            if i % SETTLE_EVERY == 0:
                await self.settle()
        await self.settle()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def soak_client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[LanguageClient]:
    lsp_client.set_configuration({}, section="bklint")
    await start(lsp_client, workspace, pull=False, init=None)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_a_long_editing_session(soak_client: LanguageClient, workspace: Path) -> None:
    client = soak_client
    path = workspace / "soak" / "buildkitd.toml"
    doc = open_doc(client, path, SEED_TEXT)
    await doc.diagnostics()
    session = Session(client, doc, random.Random(20260811))

    await session.run(WARM_UP)
    await doc.diagnostics()
    before = rss_kb(client)

    await session.run(EDITS)
    published = await doc.diagnostics()
    after = rss_kb(client)

    settings = Resolver({}, [str(workspace)]).for_path(str(path))
    fresh = analyse(doc.uri, str(path), doc.version, 0, doc.text, settings, types.PositionEncodingKind.Utf16)
    got = [(d.code, d.range, d.message) for d in published]
    assert got == [(d.code, d.range, d.message) for d in fresh.diagnostics]
    assert after - before <= RSS_SLACK_KB, f"server RSS grew by {after - before} KiB over {EDITS} edits"
    with pytest.raises(JsonRpcException):  # still answering: bad params get their error
        await asyncio.wait_for(
            client.protocol.send_request_async("bklint/noSuchMethod", {}), ANSWER_WITHIN
        )
