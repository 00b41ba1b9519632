"""Code-point positions (what the engine speaks) to and from the client's positions.

Two differences are bridged here, so every range the server sends or reads agrees with
the editor:

- columns: LSP counts UTF-16 code units unless client and server agree on UTF-8 or
  UTF-32 (pygls picks at initialisation), so an emoji or an ``é`` before a key must not
  shift a diagnostic;
- lines: the engine counts ``\\n`` only (TOML's line ends), LSP also ends a line at a bare
  ``\\r``. Such a file is invalid TOML, but the editor still numbers its lines that way.

Cost is proportional to the positions converted, not to the line length: a line's wide
characters (those taking more than one unit) are indexed once, on first use, and each
conversion is a binary search (``rules.document.ColumnUnits``). A 35 KB line with one ``é`` and 2,000 findings on it was
otherwise rescanned 4,000 times per keystroke.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

from bklint.rules.base import Position, Span
from bklint.rules.document import ColumnUnits, line_starts

_UTF8 = types.PositionEncodingKind.Utf8.value
_UTF32 = types.PositionEncodingKind.Utf32.value
_BARE_CR = re.compile(r"\r(?!\n)")
_LSP_EOL = re.compile(r"\r\n|\r|\n")


def lsp_line_starts(text: str) -> list[int]:
    """Where each line starts as LSP counts lines (``\\r\\n``, ``\\r`` and ``\\n`` end one)."""
    if _BARE_CR.search(text) is None:
        return line_starts(text)
    return [0, *(m.end() for m in _LSP_EOL.finditer(text))]


def _content_end(text: str, starts: list[int], n: int) -> int:
    """Where line ``n``'s content ends (before its line break)."""
    end = starts[n + 1] if n + 1 < len(starts) else len(text)
    if end > starts[n] and text[end - 1] == "\n":
        end -= 1
    if end > starts[n] and text[end - 1] == "\r":
        end -= 1
    return end


class Lines:
    """A text's lines, for converting positions (kept per document version)."""

    __slots__ = ("_client", "_widths", "encoding", "starts", "text")

    def __init__(
        self, text: str, encoding: str = types.PositionEncodingKind.Utf16, starts: list[int] | None = None
    ) -> None:
        self.text = text
        # "utf-8", not "PositionEncodingKind.Utf8" (what str() of the enum member gives).
        self.encoding: str = getattr(encoding, "value", encoding)
        # The engine's lines (``starts``: already counted for this text, by its Document).
        self.starts = line_starts(text) if starts is None else starts
        self._client: list[int] | None = None
        self._widths: dict[int, ColumnUnits | None] = {}

    @property
    def client_starts(self) -> list[int]:
        if self._client is None:
            self._client = self.starts if _BARE_CR.search(self.text) is None else lsp_line_starts(self.text)
        return self._client

    def line(self, n: int) -> str:
        """The engine's line ``n`` without its line break ("" past the end)."""
        if not 0 <= n < len(self.starts):
            return ""
        return self.text[self.starts[n] : _content_end(self.text, self.starts, n)]

    def offset(self, pos: Position) -> int:
        """Character offset of a (clamped) code-point position in the text."""
        if pos.line >= len(self.starts):
            return len(self.text)
        line = max(pos.line, 0)
        start = self.starts[line]
        return start + min(max(pos.column, 0), _content_end(self.text, self.starts, line) - start)

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    # -- the client's side ---------------------------------------------------------------
    def _wide(self, n: int) -> ColumnUnits | None:
        """The index of client line ``n``'s wide characters; None when all take one unit."""
        if n in self._widths:
            return self._widths[n]
        starts = self.client_starts
        text = self.text[starts[n] : _content_end(self.text, starts, n)]
        widths = None
        if not text.isascii() and self.encoding != _UTF32:
            widths = ColumnUnits(text, self.encoding == _UTF8)
            if not widths.at:
                widths = None
        self._widths[n] = widths
        return widths

    def to_client(self, pos: Position) -> types.Position:
        offset = self.offset(pos)
        starts = self.client_starts
        line = pos.line if starts is self.starts and 0 <= pos.line < len(starts) else bisect.bisect_right(starts, offset) - 1
        column = min(offset, _content_end(self.text, starts, line)) - starts[line]
        widths = self._wide(line)
        return types.Position(line=line, character=column if widths is None else widths.units(column))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.to_client(span.start), end=self.to_client(span.end))

    def client_offset(self, pos: types.Position) -> int:
        """The text offset of a client position, clamped into the text (past the end: the end).

        Inside a character, UTF-16 rounds up and UTF-8 down.
        """
        starts = self.client_starts
        if pos.line >= len(starts):
            return len(self.text)
        line = max(pos.line, 0)
        length = _content_end(self.text, starts, line) - starts[line]
        widths = self._wide(line)
        if widths is None:
            return starts[line] + min(max(pos.character, 0), length)
        return starts[line] + widths.column(pos.character)

    def from_client(self, pos: types.Position) -> Position:
        """A client position as a code-point position, clamped into the text."""
        return self.position(self.client_offset(pos))
