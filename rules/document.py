"""The parsed file as rules see it: text, parsed values and where every piece sits.

``TomlNode`` is the source map: one node per table, key, value and array element, with
character offsets into ``Document.text``. The tree mirrors the parsed value exactly
(same keys, same nesting), so the decoder walks both together.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from bklint.rules import toml_text
from bklint.rules.base import Position, Span
from bklint.rules.record import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    NodeKind = Literal["table", "aot", "array", "value"]

    # How a table came to exist: a [header], a dotted key, an inline table, an [[aot]] element,
    # or only as a parent of one of those (implicit).
    Origin = Literal["root", "header", "aot", "dotted", "inline", "implicit", "value"]


class TomlNode:
    __slots__ = (
        "children",
        "decl_end",
        "decl_start",
        "headers",
        "items",
        "key_end",
        "key_start",
        "kind",
        "name",
        "origin",
        "segments",
        "value_end",
        "value_start",
    )

    kind: NodeKind
    origin: Origin
    name: str
    # The key segment naming this node in its parent (first definition).
    key_start: int
    key_end: int
    # The whole declaration: "[a.b]" for headers, "a.b.c" for dotted keys.
    decl_start: int
    decl_end: int
    # The value as written (scalars, arrays, inline tables).
    value_start: int
    value_end: int
    # Key segments as written, with their spans, for the declaration (header or dotted key).
    segments: tuple[tuple[str, int, int], ...]
    children: dict[str, TomlNode] | None
    items: list[TomlNode] | None
    # Every header that names this table (a super-table may be declared after its children).
    headers: list[tuple[int, int]]

    def __init__(
        self,
        kind: NodeKind,
        origin: Origin,
        name: str = "",
        key_start: int = -1,
        key_end: int = -1,
        decl_start: int = -1,
        decl_end: int = -1,
        value_start: int = -1,
        value_end: int = -1,
        segments: tuple[tuple[str, int, int], ...] = (),
        children: dict[str, TomlNode] | None = None,
        items: list[TomlNode] | None = None,
        headers: list[tuple[int, int]] | None = None,
    ) -> None:
        self.kind = kind
        self.origin = origin
        self.name = name
        self.key_start = key_start
        self.key_end = key_end
        self.decl_start = decl_start
        self.decl_end = decl_end
        self.value_start = value_start
        self.value_end = value_end
        self.segments = segments
        self.children = children
        self.items = items
        self.headers = [] if headers is None else headers

    def child(self, name: str) -> TomlNode | None:
        return None if self.children is None else self.children.get(name)


    @property
    def anchor(self) -> tuple[int, int]:
        """Where a finding about this node should point."""
        if self.origin in ("header", "aot") and self.headers:
            return self.headers[0]
        if self.key_start >= 0:
            return self.key_start, self.key_end
        if self.value_start >= 0:
            return self.value_start, self.value_end
        return 0, 0


class Orphan(FrozenRecord):
    """A table whose header the parse refused because its name was taken (see ``orphans``)."""

    __slots__ = ("clash", "data", "node")

    node: TomlNode
    data: dict[str, Any]
    clash: TomlNode  # what took the name first

    def __init__(self, node: TomlNode, data: dict[str, Any], clash: TomlNode) -> None:
        self.node = node
        self.data = data
        self.clash = clash


class Document:
    """A parsed buildkitd.toml: text, values (Python's, as go-toml decodes them) and the source map."""

    __slots__ = ("data", "line_starts", "orphans", "root", "text")

    text: str
    data: dict[str, Any]
    root: TomlNode
    line_starts: list[int]
    # Tables under a header that the parse refused on a name already taken (`[a.b]` after
    # `b = {…}`): part of no value, walked only by the loader's decoder.
    orphans: list[Orphan]

    def __init__(
        self,
        text: str,
        data: dict[str, Any],
        root: TomlNode,
        line_starts: list[int] | None = None,
        orphans: list[Orphan] | None = None,
    ) -> None:
        self.text = text
        self.data = data
        self.root = root
        self.line_starts = [] if line_starts is None else line_starts
        self.orphans = [] if orphans is None else orphans
        self.__post_init__()

    def __post_init__(self) -> None:
        if not self.line_starts:
            self.line_starts = line_starts(self.text)

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return Position(line, offset - self.line_starts[line])

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))

    def node_span(self, node: TomlNode) -> Span:
        return self.span(*node.anchor)

    def value_span(self, node: TomlNode) -> Span:
        if node.value_start >= 0:
            return self.span(node.value_start, node.value_end)
        return self.node_span(node)

    def offset(self, pos: Position) -> int:
        if pos.line >= len(self.line_starts):
            return len(self.text)
        return min(self.line_starts[pos.line] + pos.column, len(self.text))

    def slice(self, start: int, end: int) -> str:
        return self.text[start:end]

    def line_text(self, line: int) -> str:
        if line >= len(self.line_starts):
            return ""
        start = self.line_starts[line]
        end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def find(self, *path: str | int) -> TomlNode | None:
        """The node at an exact path of names (array items by index)."""
        node: TomlNode | None = self.root
        for part in path:
            if node is None:
                return None
            if isinstance(part, int):
                node = node.items[part] if node.items is not None and part < len(node.items) else None
            else:
                node = node.child(part)
        return node

    def walk(self) -> Iterator[tuple[tuple[str | int, ...], TomlNode]]:
        stack: list[tuple[tuple[str | int, ...], TomlNode]] = [((), self.root)]
        while stack:
            path, node = stack.pop()
            yield path, node
            if node.children:
                stack.extend(((*path, k), v) for k, v in reversed(node.children.items()))
            if node.items:
                stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node.items))))


def line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def format_path(path: tuple[str | int, ...] | list[str | int]) -> str:
    """Dotted display path; segments that need it are quoted; array indices as ``[n]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        seg = toml_text.key(part)
        out = seg if not out else f"{out}.{seg}"
    return out


def utf8(text: str) -> bytes:
    """``text`` as the UTF-8 bytes an editor saves: the one place text is measured in bytes.

    An unpaired surrogate (only an unsaved editor buffer holds one) takes the three bytes of
    its code point instead of raising ``UnicodeEncodeError``.
    """
    return text.encode("utf-8", "surrogatepass")


def from_utf8(data: bytes) -> str:
    """The inverse of ``utf8``: bytes made from an editor buffer (a fixed buffer, say) back
    to that buffer's text, unpaired surrogates included."""
    return data.decode("utf-8", "surrogatepass")


class ColumnUnits:
    """One line's wide characters, to convert code-point columns to UTF-16 or UTF-8 units and back.

    Built once per line (a pass over it); each conversion is then a binary search, so
    converting many positions on one long line costs the positions, not the line each time.
    ``at[k]`` is the column of the k-th character wider than one unit, ``extra[k]`` the
    units in excess of one per character up to and including it.
    """

    __slots__ = ("at", "extra", "length", "utf8")

    def __init__(self, text: str, utf8: bool = False) -> None:
        self.length = len(text)
        self.utf8 = utf8
        self.at: list[int] = []
        self.extra: list[int] = []
        if text.isascii():
            return
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
        """Units before ``column`` (clamped to the line)."""
        column = min(max(column, 0), self.length)
        k = bisect.bisect_left(self.at, column)
        return column + (self.extra[k - 1] if k else 0)

    def column(self, units: int) -> int:
        """The column at ``units`` (clamped); inside a character UTF-16 rounds up, UTF-8 down."""
        units = max(units, 0)
        if not self.at:
            return min(units, self.length)
        lo, hi = 0, self.length  # the smallest column whose offset reaches ``units``
        while lo < hi:
            mid = (lo + hi) // 2
            if self.units(mid) < units:
                lo = mid + 1
            else:
                hi = mid
        if self.utf8 and lo > 0 and self.units(lo) > units:
            lo -= 1
        return lo


def utf16_column(line_text: str, column: int) -> int:
    """A code-point column as UTF-16 code units (what LSP positions count by default)."""
    return ColumnUnits(line_text).units(column)


def column_from_utf16(line_text: str, units: int) -> int:
    """The code-point column of a UTF-16 offset into ``line_text`` (clamped to the line)."""
    return ColumnUnits(line_text).column(units)

