"""Build the source map (``TomlNode`` tree) of a TOML text that ``tomllib`` accepted.

A single forward scan over the text, an order of magnitude faster than a tomlkit parse,
which matters for the language server on large files. It trusts the text to be valid TOML
(checked first), so it only needs to find boundaries, not to reject anything.
"""

from __future__ import annotations

import re

from bklint.rules.document import TomlNode
from bklint.rules.toml_text import BASIC as _BASIC
from bklint.rules.toml_text import LITERAL as _LITERAL
from bklint.rules.toml_text import ML_BASIC as _ML_BASIC
from bklint.rules.toml_text import ML_LITERAL as _ML_LITERAL

_WS = re.compile(r"[ \t]*")
_WS_NL_COMMENT = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}:\d{2}:\d{2}(?:\.\d+)?"
)
# One key segment with the blanks around it: bare, "basic" or 'literal'.
_SEGMENT = re.compile(r"""[ \t]*(?:([A-Za-z0-9_-]+)|("(?:[^"\\\n]|\\.)*")|('[^'\n]*'))[ \t]*""")
_SCALAR = re.compile(r"[^\s,\]\}#]+")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _Scanner:
    __slots__ = ("n", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    # -- keys ---------------------------------------------------------------------------
    def key(self, pos: int) -> tuple[list[tuple[str, int, int]], int]:
        """Parse a (dotted) key at ``pos``; return its segments and the offset after it."""
        segments: list[tuple[str, int, int]] = []
        text = self.text
        n = self.n
        while True:
            m = _SEGMENT.match(text, pos)
            if m is None:
                raise ValueError(f"expected a key at offset {pos}")
            bare, basic, literal = m.group(1, 2, 3)
            if bare is not None:
                segments.append((bare, m.start(1), m.end(1)))
            elif basic is not None:
                segments.append((_unescape(basic[1:-1]), m.start(2), m.end(2)))
            else:
                segments.append((literal[1:-1], m.start(3), m.end(3)))
            pos = m.end()
            if pos < n and text[pos] == ".":
                pos += 1
                continue
            return segments, pos

    # -- values -------------------------------------------------------------------------
    def value(self, pos: int, name: str) -> TomlNode:
        text = self.text
        ch = text[pos]
        if ch == "[":
            return self.array(pos, name)
        if ch == "{":
            return self.inline_table(pos, name)
        if ch == '"':
            m = _ML_BASIC.match(text, pos) if text.startswith('"""', pos) else _BASIC.match(text, pos)
        elif ch == "'":
            m = _ML_LITERAL.match(text, pos) if text.startswith("'''", pos) else _LITERAL.match(text, pos)
        else:
            m = _DATETIME.match(text, pos)
            if m is None or (m.end() < self.n and text[m.end()] not in " \t\r\n,]}#"):
                m = _SCALAR.match(text, pos)
        if m is None:
            raise ValueError(f"expected a value at offset {pos}")
        return TomlNode("value", "value", name, value_start=pos, value_end=m.end())

    def array(self, pos: int, name: str) -> TomlNode:
        node = TomlNode("array", "value", name, value_start=pos, items=[])
        text = self.text
        pos += 1
        while True:
            pos = _WS_NL_COMMENT.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos] == "]":
                node.value_end = pos + 1
                return node
            item = self.value(pos, "")
            assert node.items is not None
            node.items.append(item)
            pos = _WS_NL_COMMENT.match(text, item.value_end).end()  # type: ignore[union-attr]
            if text[pos] == ",":
                pos += 1

    def inline_table(self, pos: int, name: str) -> TomlNode:
        node = TomlNode("table", "inline", name, value_start=pos, children={})
        text = self.text
        pos += 1
        while True:
            pos = _WS_NL_COMMENT.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos] == "}":
                node.value_end = pos + 1
                return node
            pos = self.key_value(node, pos, "inline")
            pos = _WS_NL_COMMENT.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos] == ",":
                pos += 1

    def key_value(self, table: TomlNode, pos: int, origin: str) -> int:
        """Parse ``key = value`` into ``table``; return the offset after the value."""
        segments, pos = self.key(pos)
        decl_start, decl_end = segments[0][1], segments[-1][2]
        parent = table
        for seg, start, end in segments[:-1]:
            parent = _table_child(parent, seg, start, end, "dotted" if origin != "inline" else "inline")
            if parent.decl_start < 0:
                parent.decl_start, parent.decl_end = decl_start, decl_end
        assert self.text[pos] == "="
        pos = _WS.match(self.text, pos + 1).end()  # type: ignore[union-attr]
        name, kstart, kend = segments[-1]
        value = self.value(pos, name)
        value.key_start, value.key_end = kstart, kend
        value.decl_start, value.decl_end = decl_start, decl_end
        value.segments = tuple(segments)
        if value.kind == "table":
            value.origin = "inline"
        assert parent.children is not None
        parent.children[name] = value
        return value.value_end


def _table_child(parent: TomlNode, name: str, start: int, end: int, origin: str) -> TomlNode:
    """The table ``name`` under ``parent``, created implicitly if needed (the last AOT item)."""
    if parent.children is None:
        parent.children = {}
    node = parent.children.get(name)
    if node is None:
        node = TomlNode("table", origin, name, key_start=start, key_end=end, children={})  # type: ignore[arg-type]
        parent.children[name] = node
    if node.kind == "aot":
        assert node.items
        return node.items[-1]
    return node


def build_source_map(text: str, start: int = 0, end: int | None = None) -> TomlNode:
    """The node tree of a valid TOML document (or of the statements in ``text[start:end]``).

    Offsets are always offsets into ``text``, so a part scanned on its own (the language
    server re-scans only the table that changed) fits the whole file as is.
    """
    scanner = _Scanner(text)
    root = TomlNode("table", "root", "", children={})
    current = root
    pos = start
    n = len(text) if end is None else end
    ws = _WS_NL_COMMENT
    while True:
        pos = ws.match(text, pos, n).end()  # type: ignore[union-attr]
        if pos >= n:
            return root
        if text[pos] == "[":
            is_aot = text.startswith("[[", pos)
            header_start = pos
            segments, pos = scanner.key(pos + (2 if is_aot else 1))
            pos += 2 if is_aot else 1
            header = (header_start, pos)
            parent = root
            for seg, start, end in segments[:-1]:
                parent = _table_child(parent, seg, start, end, "implicit")
            name, start, end = segments[-1]
            assert parent.children is not None
            existing = parent.children.get(name)
            if is_aot:
                if existing is None:
                    existing = TomlNode("aot", "aot", name, key_start=start, key_end=end, items=[])
                    existing.decl_start, existing.decl_end = header
                    parent.children[name] = existing
                existing.headers.append(header)
                current = TomlNode(
                    "table",
                    "aot",
                    name,
                    key_start=start,
                    key_end=end,
                    decl_start=header[0],
                    decl_end=header[1],
                    segments=tuple(segments),
                    children={},
                )
                current.headers.append(header)
                assert existing.items is not None
                existing.items.append(current)
            else:
                if existing is None:
                    existing = TomlNode("table", "header", name, key_start=start, key_end=end, children={})
                    parent.children[name] = existing
                else:
                    existing.origin = "header"
                existing.decl_start, existing.decl_end = header
                existing.segments = tuple(segments)
                existing.headers.append(header)
                current = existing
        else:
            pos = scanner.key_value(current, pos, "dotted")


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif nxt == "U":
            out.append(chr(int(body[i + 2 : i + 10], 16)))
            i += 10
        else:  # "\e" and friends: tomllib rejected anything invalid before we got here
            out.append(nxt)
            i += 2
    return "".join(out)
