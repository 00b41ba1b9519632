"""The JSON-RPC layer (lsp/protocol.py), in process: what pygls 2.x leaves open.

Issue 11 item 13: pygls 2.1.1 kept one Future per notification in ``_request_futures``
(about 2 KiB per keystroke for the life of the server).
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

from bklint.lsp.server import create_server

URI = "file:///ws/buildkitd.toml"


def test_notifications_leave_no_future_behind() -> None:
    async def session() -> int:
        server = create_server()
        protocol = server.protocol
        protocol.set_writer(io.BytesIO(), include_headers=True)  # type: ignore[arg-type]

        def feed(raw: dict[str, Any]) -> None:
            protocol.handle_message(json.loads(json.dumps({"jsonrpc": "2.0", **raw}), object_hook=protocol.structure_message))

        feed({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": "file:///ws", "capabilities": {}}})
        feed({"method": "initialized", "params": {}})
        feed({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": URI, "languageId": "toml", "version": 1, "text": ""}}})
        for version in range(2, 2002):
            change = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "a"}
            feed({"method": "textDocument/didChange", "params": {"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]}})
            await asyncio.sleep(0)
        await asyncio.sleep(0.1)
        feed({"method": "$/cancelRequest", "params": {"id": 99}})  # any message releases the finished ones
        left = len(protocol._request_futures)
        server.executor.shutdown(wait=True)
        return left

    assert asyncio.run(session()) < 5


def test_edits_keep_the_line_starts_they_carry_over_exact() -> None:
    """A keystroke shifts the known line starts instead of recounting them; they must equal a recount."""
    import random

    from lsprotocol import types

    from bklint.lsp.positions import Lines
    from bklint.lsp.protocol import LspTextDocument
    from bklint.rules.document import line_starts

    rng = random.Random(5)
    text = "".join(f'[registry."r{i}.io"]\nhttp = true # é😀\n\n' for i in range(40))
    doc = LspTextDocument(URI, source=text, version=1)
    for _ in range(300):
        lines = Lines(text)
        a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        if rng.random() < 0.7:
            b = min(a + rng.randrange(3), len(text))
        new = rng.choice(["", "x", "é", "😀", "\n", "ab", "\r\n"])
        start, end = lines.to_client(lines.position(a)), lines.to_client(lines.position(b))
        doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=new))
        a, b = sorted((lines.client_offset(start), lines.client_offset(end)))
        text = text[:a] + new + text[b:]
        assert doc.source == text
        known = doc.__dict__.get("_bklint_starts")
        if known is not None and known[1] is not None:
            assert known[0] is doc.source and known[1] == line_starts(text)
