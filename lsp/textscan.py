"""Where the cursor is, read from the raw text: table header in effect, key typed, value typed.

Completion runs while the file is half-typed and therefore rarely valid TOML, so it cannot
wait for the parser; this forward scan only tracks strings, comments and brackets, which is
enough to tell statement lines from continuation lines and keys from values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

_TOKEN = re.compile(r"\"\"\"|'''|[\"'#\[\]{}]")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"?')
_LITERAL = re.compile(r"'[^'\n]*'?")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_WS = re.compile(r"[ \t]*")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}

Segment = tuple[str, int, int]  # name, start column, end column (end excludes the closing quote's next char)


@dataclass(slots=True)
class Header:
    line: int
    path: tuple[str, ...]
    segments: list[Segment]
    array: bool  # [[...]]


@dataclass(slots=True)
class Layout:
    """Per line: does a statement (key or header) start here; the headers in file order."""

    lines: list[str]
    statement: list[bool]
    # Per line: it starts inside a multi-line string (so the line before ends inside one).
    in_string: list[bool]
    headers: list[Header] = field(default_factory=list)

    def ends_in_string(self, line: int) -> bool:
        return line + 1 < len(self.in_string) and self.in_string[line + 1]

    def header_before(self, line: int) -> Header | None:
        found = None
        for h in self.headers:
            if h.line > line:
                break
            found = h
        return found

    def statement_start(self, line: int) -> int:
        n = min(line, len(self.lines) - 1)
        while n > 0 and not self.statement[n]:
            n -= 1
        return max(n, 0)

    def table_lines(self, header: Header | None) -> range:
        """The lines of the table opened by ``header`` (the root table for None)."""
        start = header.line + 1 if header is not None else 0
        nxt = next((h.line for h in self.headers if h.line >= start), len(self.lines))
        return range(start, nxt)

    def keys_in(self, header: Header | None) -> list[tuple[str, ...]]:
        """The keys written in the table (as segment tuples), for 'already present' checks."""
        out = []
        for n in self.table_lines(header):
            if self.statement[n]:
                segs, _end, _eq = key_segments(self.lines[n], 0)
                if segs and _eq:
                    out.append(tuple(s[0] for s in segs))
        return out


def layout(text: str) -> Layout:
    lines = [line.rstrip("\r") for line in text.split("\n")]
    statement = [False] * len(lines)
    in_string = [False] * len(lines)
    headers: list[Header] = []
    depth = 0
    ml: str | None = None
    for n, line in enumerate(lines):
        statement[n] = depth == 0 and ml is None
        in_string[n] = ml is not None
        pos = 0
        if ml is not None:
            close = line.find(ml)
            if close < 0:
                continue
            pos = close + 3
            ml = None
        stripped = line.lstrip()
        if statement[n] and stripped.startswith("["):
            header = parse_header(line, n)
            if header is not None:
                headers.append(header)
            continue
        while True:
            m = _TOKEN.search(line, pos)
            if m is None:
                break
            tok = m.group()
            if tok in ('"""', "'''"):
                close = line.find(tok, m.end())
                if close < 0:
                    ml = tok
                    break
                pos = close + 3
            elif tok == '"':
                pos = _BASIC.match(line, m.start()).end()  # type: ignore[union-attr]
            elif tok == "'":
                pos = _LITERAL.match(line, m.start()).end()  # type: ignore[union-attr]
            elif tok == "#":
                break
            elif tok in "[{":
                depth += 1
                pos = m.end()
            else:
                depth = max(depth - 1, 0)
                pos = m.end()
    return Layout(lines, statement, in_string, headers)


def parse_header(line: str, n: int) -> Header | None:
    start = len(line) - len(line.lstrip())
    array = line.startswith("[[", start)
    pos = start + (2 if array else 1)
    segs, _end, _eq = key_segments(line, pos, header=True)
    if not segs:
        return None
    return Header(n, tuple(s[0] for s in segs), segs, array)


def key_segments(line: str, pos: int, header: bool = False) -> tuple[list[Segment], int, bool]:
    """The dotted key starting at ``pos``: segments, where it stops, and whether `=` follows.

    Tolerates an unterminated quote or a trailing dot (the user is typing).
    """
    segs: list[Segment] = []
    while True:
        pos = _WS.match(line, pos).end()  # type: ignore[union-attr]
        ch = line[pos] if pos < len(line) else ""
        if ch == '"':
            m = _BASIC.match(line, pos)
            assert m is not None
            raw = m.group()
            body = raw[1:-1] if len(raw) > 1 and raw.endswith('"') else raw[1:]
            segs.append((_unescape(body), pos, m.end()))
        elif ch == "'":
            m = _LITERAL.match(line, pos)
            assert m is not None
            raw = m.group()
            segs.append((raw[1:-1] if len(raw) > 1 and raw.endswith("'") else raw[1:], pos, m.end()))
        else:
            m = _BARE.match(line, pos)
            if m is None:
                break
            segs.append((m.group(), pos, m.end()))
        pos = _WS.match(line, m.end()).end()  # type: ignore[union-attr]
        if pos < len(line) and line[pos] == ".":
            pos += 1
            continue
        break
    eq = not header and pos < len(line) and line[pos] == "="
    return segs, pos, eq


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                try:
                    out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
                    i += 2 + width
                    continue
                except ValueError:
                    pass
        out.append(ch)
        i += 1
    return "".join(out)


CursorKind = Literal["header", "key", "value", "comment", "none"]


@dataclass(slots=True)
class Cursor:
    """What is being typed at a position (code-point columns)."""

    kind: CursorKind
    table: Header | None
    # header: the segments before the one typed; key: likewise; value: the whole key.
    path: tuple[str, ...] = ()
    partial: str = ""
    # Column where the text to replace starts, on the cursor's line.
    replace_start: int = 0
    # Inside a string value: its quote and the column after it.
    quote: str | None = None
    # For "header": whether it is a [[...]] header.
    array: bool = False
    # The key segment (or header segment) under the cursor, for hover.
    segment_index: int = -1
    segments: list[Segment] = field(default_factory=list)
    # The value text typed so far (value kind), from the `=` to the cursor.
    value_prefix: str = ""


def cursor_at(lay: Layout, line: int, column: int) -> Cursor:
    if not lay.lines or line >= len(lay.lines):
        return Cursor("none", None)
    start = lay.statement_start(line)
    table = lay.header_before(start)
    text = lay.lines[line]
    column = min(column, len(text))
    if start == line and _is_header(text):
        return _in_header(text, column, lay.header_before(line - 1) if line else None)
    if start == line:
        head = text[:column]
        if head.lstrip().startswith("#"):
            return Cursor("comment", table)
        segs, end, eq = key_segments(text, 0)
        if not eq or column <= end:
            return _in_key(text, column, table, segs)
        value_prefix = text[end + 1 : column]
    else:
        first = lay.lines[start]
        segs, end, eq = key_segments(first, 0)
        if not eq:
            return Cursor("none", table)
        value_prefix = "\n".join([first[end + 1 :], *lay.lines[start + 1 : line], text[:column]])
    state = _string_state(value_prefix)
    if state == "#":
        return Cursor("comment", table)
    cur = Cursor("value", table, tuple(s[0] for s in segs), segments=segs, value_prefix=value_prefix)
    if state in ('"', "'"):
        qpos = text.rfind(state, 0, column)
        cur.quote = state
        cur.replace_start = qpos + 1
        cur.partial = text[qpos + 1 : column]
    else:
        m = re.search(r"[A-Za-z0-9_.+-]*$", text[:column])
        cur.replace_start = m.start() if m else column
        cur.partial = text[cur.replace_start : column]
    return cur


def _is_header(text: str) -> bool:
    return text.lstrip().startswith("[")


def _in_header(text: str, column: int, table: Header | None) -> Cursor:
    indent = len(text) - len(text.lstrip())
    array = text.startswith("[[", indent)
    body = indent + (2 if array else 1)
    segs, _end, _ = key_segments(text, body, header=True)
    cur = Cursor("header", table, array=array, segments=segs)
    before = [s for s in segs if s[2] < column]
    inside = [i for i, s in enumerate(segs) if s[1] <= column <= s[2]]
    cur.segment_index = inside[0] if inside else -1
    cur.path = tuple(s[0] for s in segs[: cur.segment_index]) if inside else tuple(s[0] for s in before)
    cur.replace_start = body if column >= body else column
    cur.partial = text[cur.replace_start : column]
    return cur


def _in_key(text: str, column: int, table: Header | None, segs: list[Segment]) -> Cursor:
    cur = Cursor("key", table, segments=segs)
    inside = [i for i, s in enumerate(segs) if s[1] <= column <= s[2]]
    cur.segment_index = inside[0] if inside else -1
    if inside:
        cur.path = tuple(s[0] for s in segs[: inside[0]])
        cur.replace_start = segs[inside[0]][1]
    else:
        cur.path = tuple(s[0] for s in segs if s[2] <= column)
        cur.replace_start = column
    cur.partial = text[cur.replace_start : column]
    return cur


def _string_state(text: str) -> str | None:
    """Inside what the end of ``text`` is: a '"' or "'" string, a '#' comment, or None."""
    pos = 0
    while True:
        m = _TOKEN.search(text, pos)
        if m is None:
            return None
        tok = m.group()
        if tok in ('"""', "'''"):
            close = text.find(tok, m.end())
            if close < 0:
                return tok[0]
            pos = close + 3
        elif tok in ('"', "'"):
            close_m = (_BASIC if tok == '"' else _LITERAL).match(text, m.start())
            assert close_m is not None
            raw = close_m.group()
            if len(raw) < 2 or not raw.endswith(tok):
                return tok
            pos = close_m.end()
        elif tok == "#":
            if "\n" not in text[m.end() :]:
                return "#"
            pos = text.index("\n", m.end())
        else:
            pos = m.end()
