"""Code-point positions (what the engine speaks) to and from the client's position encoding.

LSP counts columns in UTF-16 code units unless client and server agree on UTF-8 or UTF-32;
pygls picks the encoding at initialisation and every range the server sends or reads goes
through here, so an emoji or an ``é`` before a key never shifts a diagnostic.
"""

from __future__ import annotations

from lsprotocol import types

from bklint.rules.base import Position, Span
from bklint.rules.document import column_from_utf16, utf16_column


class Lines:
    """The lines of a text, for converting columns (kept per document version)."""

    __slots__ = ("encoding", "lines")

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.lines = text.split("\n")
        self.encoding = str(encoding)

    def line(self, n: int) -> str:
        if 0 <= n < len(self.lines):
            return self.lines[n].rstrip("\r")
        return ""

    def to_client_column(self, line: int, column: int) -> int:
        text = self.line(line)
        if self.encoding == types.PositionEncodingKind.Utf8:
            return len(text[:column].encode("utf-8", "surrogatepass"))
        if self.encoding == types.PositionEncodingKind.Utf32:
            return column
        return utf16_column(text, column)

    def from_client_column(self, line: int, units: int) -> int:
        text = self.line(line)
        if self.encoding == types.PositionEncodingKind.Utf8:
            raw = text.encode("utf-8", "surrogatepass")[: max(units, 0)]
            return len(raw.decode("utf-8", "ignore"))
        if self.encoding == types.PositionEncodingKind.Utf32:
            return min(max(units, 0), len(text))
        return column_from_utf16(text, max(units, 0))

    def to_client(self, pos: Position) -> types.Position:
        line = min(max(pos.line, 0), max(len(self.lines) - 1, 0))
        column = pos.column if line == pos.line else len(self.line(line))
        return types.Position(line=line, character=self.to_client_column(line, column))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.to_client(span.start), end=self.to_client(span.end))

    def from_client(self, pos: types.Position) -> Position:
        """A client position as a code-point position, clamped into the text."""
        if pos.line >= len(self.lines):
            last = len(self.lines) - 1
            return Position(last, len(self.line(last)))
        line = max(pos.line, 0)
        return Position(line, self.from_client_column(line, pos.character))

    def offset(self, pos: Position) -> int:
        """Character offset of a (clamped) code-point position in the text."""
        total = 0
        for n in range(min(pos.line, len(self.lines))):
            total += len(self.lines[n]) + 1
        return total + min(pos.column, len(self.line(pos.line)))
