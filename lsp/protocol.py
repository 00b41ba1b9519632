"""The JSON-RPC layer under the server: gaps of pygls 2.x closed in one subclass.

- A request whose params do not validate (``position.line = -1``, a missing ``position``)
  fails while the message is being read, before pygls knows its id, so pygls answers
  nothing and the client waits forever. Here the request is answered with -32602
  (invalid params) and its id.
- pygls keeps a Future per notification in ``_request_futures`` and only ever removes the
  futures of requests (every 2.x release through 2.1.1, and its main branch): about 2 KiB
  per keystroke for the life of the server. Here a handler's future is dropped from that
  table once it is done; a request's own future is still removed by pygls when it answers.
- pygls splits a document into lines with ``str.splitlines`` (which also breaks at form
  feeds, ``\x85``, U+2028…) and drops an edit that starts past the last line, so its copy
  of the text drifts from the editor's. Here documents count lines as LSP does (``\r\n``,
  ``\r``, ``\n``) and an edit past the end applies at the end.
"""

from __future__ import annotations

import asyncio
import bisect
import inspect
import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument, Workspace

from bklint.lsp.positions import Lines, lsp_line_starts

log = logging.getLogger("bklint.lsp")


class _Answered:
    """What a request that was answered while it was being read turns into (then ignored)."""

    jsonrpc = ""


ANSWERED = _Answered()


class LspTextDocument(TextDocument):
    """A pygls document whose lines and edits follow the LSP's definition of a line."""

    @property
    def lines(self) -> tuple[str, ...]:
        text = self.source
        starts = lsp_line_starts(text)
        ends = [*starts[1:], len(text)]
        return tuple(text[a:b] for a, b in zip(starts, ends, strict=True) if a < b)

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        encoding = getattr(self._position_codec, "encoding", types.PositionEncodingKind.Utf16)
        source = self.source
        known = self.__dict__.get("_bklint_starts")
        lines = Lines(source, encoding, known[1] if known is not None and known[0] is source else None)
        start = lines.client_offset(change.range.start)
        end = lines.client_offset(change.range.end)
        if end < start:
            start, end = end, start
        self._source = source[:start] + change.text + source[end:]
        self.__dict__["_bklint_starts"] = (self._source, _shifted(lines.starts, source, start, end, change.text))


def _shifted(starts: list[int], source: str, start: int, end: int, text: str) -> list[int] | None:
    """The engine's line starts after replacing ``source[start:end]`` by ``text`` (a keystroke,
    a line inserted or removed): no rescan of the document. None near a ``\r``."""
    if "\r" in text or "\r" in source[start:end]:
        return None
    delta = len(text) - (end - start)
    if not delta and "\n" not in text and "\n" not in source[start:end]:
        return starts
    line = bisect.bisect_right(starts, start)
    after = bisect.bisect_right(starts, end)  # the starts in (start, end] were removed with the text
    inserted = [start + i + 1 for i, c in enumerate(text) if c == "\n"]
    return [*starts[:line], *inserted, *(s + delta for s in starts[after:])]


class LspWorkspace(Workspace):
    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )


class BklintProtocol(LanguageServerProtocol):
    @property
    def _workspace(self) -> Workspace | None:
        ws: Workspace | None = self.__dict__.get("_bklint_workspace")
        return ws

    @_workspace.setter
    def _workspace(self, workspace: Workspace | None) -> None:
        """pygls creates its Workspace at initialisation: give it LSP lines (same state, subclass)."""
        if workspace is not None and type(workspace) is Workspace:
            workspace.__class__ = LspWorkspace
        self.__dict__["_bklint_workspace"] = workspace

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Ids of finished handler futures still in pygls's table. They are removed on the
        # next message rather than from the done-callback: pygls iterates the table while
        # cancelling its futures (shutdown), and a cancelled future calls back at once.
        self._done: list[Any] = []
        self._writes: set[asyncio.Future[Any]] = set()

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if not (isinstance(data, dict) and "method" in data and "id" in data):
                raise  # a notification or a response: nobody to answer
            msg_id = data["id"] if isinstance(data["id"], (int, str)) else None
            cause = exc.__cause__
            detail = _messages(cause) if isinstance(cause, ClassValidationError) else str(cause or exc)
            log.warning("invalid params for %s (id %r): %s", data.get("method"), msg_id, detail)
            error = JsonRpcInvalidParams(f"invalid params for {data.get('method')}: {detail}")
            self._send_response(msg_id, error=error.to_response_error())  # type: ignore[arg-type]
            return ANSWERED

    def send_notification(self, method: str, params: str) -> None:
        """Send a notification whose params are already JSON text (no cattrs or json pass over
        them: a keystroke's hundreds of unchanged diagnostics are serialised once)."""
        if self.writer is None:
            return
        body = f'{{"jsonrpc":"{self.VERSION}","method":{json.dumps(method)},"params":{params}}}'.encode(self.CHARSET)
        if self._include_headers:
            header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            body = header.encode(self.CHARSET) + body
        written = self.writer.write(body)
        if inspect.isawaitable(written):  # an async transport: keep the write until it is done
            task = asyncio.ensure_future(written)
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        super().handle_message(message)

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Callable[..., Any],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        self._release_done()
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is None or _answers_request(callback):
            return  # not stored, or pygls removes it when it sends the response
        future.add_done_callback(lambda _: self._done.append(msg_id))

    def _release_done(self) -> None:
        done = self._done
        while done:
            msg_id = done.pop()
            future = self._request_futures.get(msg_id)
            if future is not None and future.done():
                del self._request_futures[msg_id]


def _answers_request(callback: Callable[..., Any]) -> bool:
    return isinstance(callback, partial) and getattr(callback.func, "__name__", "") == "_send_handler_result"


def _messages(exc: BaseException) -> str:
    """The innermost validation messages of a cattrs error, on one line."""
    parts: list[str] = []

    def walk(e: BaseException) -> None:
        subs = getattr(e, "exceptions", None)
        if subs:
            for sub in subs:
                walk(sub)
        else:
            parts.append(str(e))

    walk(exc)
    return "; ".join(parts)[:300] or str(exc)
