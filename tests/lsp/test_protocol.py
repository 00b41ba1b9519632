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
