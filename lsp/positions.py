"""Code-point positions (what the engine speaks) to and from the client's position encoding.

LSP counts columns in UTF-16 code units unless client and server agree on UTF-8 or UTF-32;
pygls picks the encoding at initialisation and every range the server sends or reads goes
through here, so an emoji or an ``é`` before a key never shifts a diagnostic.

Cost is proportional to the positions converted, not to the line length: a line's wide
characters (those taking more than one unit) are indexed once, on first use, and each
conversion is a binary search. A 35 KB line with one ``é`` and 2,000 findings on it would
otherwise be rescanned 4,000 times per keystroke.
"""

from __future__ import annotations

import bisect
import itertools

from lsprotocol import types

from bklint.rules.base import Position, Span

_UTF8 = types.PositionEncodingKind.Utf8.value
_UTF32 = types.PositionEncodingKind.Utf32.value


class _Widths:
    """Where a line's wide characters are: ``at[k]`` is the column of the k-th one, and
    ``extra[k]`` the units in excess of one per character up to and including it."""

    __slots__ = ("at", "extra")

    def __init__(self, text: str, utf8: bool) -> None:
        self.at: list[int] = []
        self.extra: list[int] = []
        total = 0
        for i, ch in enumerate(text):
            o = ord(ch)
            if utf8:
                more = 0 if o < 0x80 else 1 if o < 0x800 else 2 if o < 0x10000 else 3
            else:
                more = 1 if o > 0xFFFF else 0
            if more:
                total += more
                self.at.append(i)
                self.extra.append(total)

    def units(self, column: int) -> int:
        """Units before ``column``."""
        k = bisect.bisect_left(self.at, column)
        return column + (self.extra[k - 1] if k else 0)


class Lines:
    """The lines of a text, for converting columns (kept per document version)."""

    __slots__ = ("_starts", "_stripped", "_widths", "encoding", "lines")

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.lines = text.split("\n")
        # "utf-8", not "PositionEncodingKind.Utf8" (what str() of the enum member gives).
        self.encoding: str = getattr(encoding, "value", encoding)
        self._stripped: dict[int, str] = {}
        self._widths: dict[int, _Widths | None] = {}
        self._starts: list[int] | None = None

    def line(self, n: int) -> str:
        if not 0 <= n < len(self.lines):
            return ""
        raw = self.lines[n]
        if not raw.endswith("\r"):
            return raw
        text = self._stripped.get(n)
        if text is None:
            text = self._stripped[n] = raw.rstrip("\r")
        return text

    def _wide(self, n: int) -> _Widths | None:
        """The index of line ``n``'s wide characters; None when every character is one unit."""
        if n in self._widths:
            return self._widths[n]
        text = self.line(n)
        widths = None
        if not text.isascii() and self.encoding != _UTF32:
            widths = _Widths(text, self.encoding == _UTF8)
            if not widths.at:
                widths = None
        self._widths[n] = widths
        return widths

    def to_client_column(self, line: int, column: int) -> int:
        column = min(max(column, 0), len(self.line(line)))
        widths = self._wide(line)
        return column if widths is None else widths.units(column)

    def from_client_column(self, line: int, units: int) -> int:
        """The column at ``units``; inside a character, UTF-16 rounds up and UTF-8 down."""
        text = self.line(line)
        units = max(units, 0)
        widths = self._wide(line)
        if widths is None:
            return min(units, len(text))
        # The smallest column whose unit offset reaches ``units`` (offsets only grow).
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi) // 2
            if widths.units(mid) < units:
                lo = mid + 1
            else:
                hi = mid
        if self.encoding == _UTF8 and lo > 0 and widths.units(lo) > units:
            lo -= 1
        return lo

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
        if self._starts is None:
            self._starts = [0, *itertools.accumulate(len(text) + 1 for text in self.lines[:-1])]
        line = min(max(pos.line, 0), len(self.lines))
        if line >= len(self.lines):
            return self._starts[-1] + len(self.lines[-1])
        return self._starts[line] + min(max(pos.column, 0), len(self.line(line)))
