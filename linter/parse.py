"""Text to ``Document``: bklint's own TOML parser, reading a file the way go-toml v2 does.

One forward pass builds the values, the source map (the ``TomlNode`` tree) and the list of
syntax errors. It accepts what go-toml v2.3.1 — buildkitd's and buildx's TOML library —
accepts (TOML 1.0 and the `\\e` escape), refuses duplicates by go-toml's rules, and puts
each error where go-toml reports it. After an error it skips to the next statement and goes
on, so one parse shows every error; what it could not read is masked, so no rule judges it.

Why not ``tomllib``: it knows neither `\\e` nor go-toml's error positions, it keeps an entry
per key prefix (quadratic on long dotted keys), and recovering meant parsing again per error.

Resources are bounded by construction: no recursion (nested values use an explicit stack),
and what is far beyond any real config — keys of more than ``MAX_KEY_PARTS`` parts, values
nested deeper than ``MAX_NESTING`` — is refused outright (BK011) before any work on it.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable

from bklint.linter import scalars
from bklint.linter.scalars import ScalarError, describe
from bklint.rules.context import SyntaxProblem
from bklint.rules.document import Document, Orphan, TomlNode, line_starts
from bklint.rules.record import Record
from bklint.rules.regex import Regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from bklint.rules.context import SyntaxKind

MAX_KEY_PARTS = 64
MAX_NESTING = 10_000
# After this many syntax errors the rest of a file is not worth reading.
MAX_PROBLEMS = 100

Segment = tuple[str, int, int]  # a key part: its name and the span of its text

_WS = Regex(r"[ \t]*")
_BLANK = Regex(r"(?:[ \t]|\r?\n)*")  # blanks and line breaks, inside arrays
_BARE = Regex(r"[A-Za-z0-9_-]+")
_BASIC = Regex(r'"[^"\\\r\n]*(?:\\[\s\S][^"\\\r\n]*)*')  # up to the closing quote
_LITERAL = Regex(r"'[^'\r\n]*")
_WORD = Regex(r"[^\s,\]}#=]+")
_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*')"""
_DOTTED = rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*"
# A line that starts a statement: where reading resumes after an error in a long value.
_STATEMENT = Regex(rf"[ \t]*(?:\[\[?[ \t]*{_DOTTED}[ \t]*\]|{_DOTTED}[ \t]*=)")
_BRACKETS = Regex(r"""[\[\]{}]|"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'|#[^\n]*""")

# What go-toml's duplicate check knows a name as.
_TABLE, _VALUE, _AOT = 0, 1, 2
_AFTER = float("inf")
_KIND = {_TABLE: "a table", _VALUE: "a value", _AOT: "an array of tables"}


class ParseOutcome(Record):
    """A document (recovered around syntax errors) and the errors found."""

    __slots__ = ("doc", "incomplete", "masked", "problems", "unfinished")

    doc: Document | None
    problems: list[SyntaxProblem]
    # Sorted, disjoint character ranges the parse could not read; nothing in them is judged.
    masked: list[tuple[int, int]]
    # Statements read whole but followed by stray text on their line (`size = 10GB` is `10`,
    # then `GB`). The loader decodes such a statement before it fails, so what it says of
    # the statement (a type error, an ignored key) stands; its value is not judged.
    unfinished: list[tuple[int, int]]
    # The tables holding something the parse could not read (or read only in part): rules
    # do not judge what they lack.
    incomplete: list[TomlNode]

    def __init__(
        self,
        doc: Document | None,
        problems: list[SyntaxProblem] | None = None,
        masked: list[tuple[int, int]] | None = None,
        unfinished: list[tuple[int, int]] | None = None,
        incomplete: list[TomlNode] | None = None,
    ) -> None:
        self.doc = doc
        self.problems = [] if problems is None else problems
        self.masked = [] if masked is None else masked
        self.unfinished = [] if unfinished is None else unfinished
        self.incomplete = [] if incomplete is None else incomplete

    def hides(self, offset: int) -> bool:
        return _within(self.masked, offset)

    def cuts(self, offset: int) -> bool:
        """Whether ``offset`` is in a statement followed by stray text (see ``unfinished``)."""
        return _within(self.unfinished, offset)


def parse(text: str, start: int = 0, end: int | None = None) -> ParseOutcome:
    """Parse ``text`` (or only the statements in ``text[start:end]``, offsets staying those of
    ``text``: the language server re-parses just the table a keystroke touched)."""
    return _Parser(text, start, len(text) if end is None else end).run()


def parse_part(text: str) -> tuple[dict[str, Any], TomlNode] | None:
    """The values and source map of ``text`` read on its own, or None if it has any error."""
    parser = _Parser(text, 0, len(text))
    try:
        parser.statements()
    except (_Refused, _Stop):
        return None
    return None if parser.errors else (parser.data, parser.root)


class _Syntax(Exception):
    """An error after which the statement cannot be read on: reading resumes further on."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.depth = 0  # arrays and inline tables open at the error
        self.value_start = -1  # where the value of a `key = value` statement began


class _Refused(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class _Stop(Exception):
    """Too many errors: stop reading."""


class _Name:
    """One name as go-toml's duplicate check sees it (its ``SeenTracker`` entry).

    ``explicit``: defined by a [header], or by dotted keys of a table already left; ``kv``:
    defined by a dotted key of the current table. ``node``/``data`` are where it lives.
    """

    __slots__ = ("children", "data", "explicit", "kind", "kv", "node")

    def __init__(self, kind: int, explicit: bool, kv: bool, node: TomlNode, data: Any) -> None:
        self.kind = kind
        self.explicit = explicit
        self.kv = kv
        self.node = node
        self.data = data
        self.children: dict[str, _Name] = {}

    def table(self) -> tuple[TomlNode, dict[str, Any]]:
        """The node and dict that keys below this name go into (an array's last table)."""
        if self.kind == _AOT:
            assert self.node.items
            return self.node.items[-1], self.data[-1]
        return self.node, self.data


class _Frame:
    """An array or inline table being read."""

    __slots__ = ("data", "first", "key", "names", "node", "start")

    def __init__(self, start: int, node: TomlNode, data: Any, names: _Name | None) -> None:
        self.start = start
        self.node = node
        self.data = data
        self.names = names  # inline tables only: their own duplicate check
        self.first = True
        self.key: list[Segment] = []


class _Parser:
    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.root = TomlNode("table", "root", "", children={})
        self.data: dict[str, Any] = {}
        self.names = _Name(_TABLE, True, False, self.root, self.data)
        self.current = self.names
        # Names defined by dotted keys in the current table: explicit once it is left.
        self.pending: list[_Name] = []
        self.errors: list[tuple[int, str, SyntaxKind]] = []
        self.masked: list[tuple[int, int]] = []
        self.unfinished: list[tuple[int, int]] = []
        self.incomplete: list[TomlNode] = []
        self.orphans: list[Orphan] = []
        self.soft = 0  # errors recorded inside the value being read

    # -- driver ---------------------------------------------------------------------------
    def run(self) -> ParseOutcome:
        try:
            self.statements()
        except _Refused as exc:
            self.errors = [(exc.offset, exc.message, "limit")]
            return ParseOutcome(None, self.problems())
        except _Stop:
            pass
        doc = Document(self.text, self.data, self.root, orphans=self.orphans)
        return ParseOutcome(
            doc, self.problems(doc.line_starts), _merge(self.masked), _merge(self.unfinished), self.incomplete
        )

    def problems(self, starts: list[int] | None = None) -> list[SyntaxProblem]:
        starts = starts if starts is not None else line_starts(self.text)
        out = []
        for offset, message, kind in self.errors:
            line = bisect.bisect_right(starts, offset) - 1
            out.append(SyntaxProblem(message, line, offset - starts[line], kind))
        return out

    def error(self, offset: int, message: str, kind: SyntaxKind = "syntax") -> None:
        if len(self.errors) >= MAX_PROBLEMS:
            self.errors.append((offset, f"bklint stops after {MAX_PROBLEMS} syntax errors; the rest is not checked", "syntax"))
            raise _Stop
        self.errors.append((offset, message, kind))
        self.soft += 1

    def statements(self) -> None:
        """go-toml's loop: an expression, then a line break, until the end."""
        text, end = self.text, self.end
        pos = self.start
        first = True
        stmt = -1  # where the statement just read began (-1: the line held none)
        while True:
            if not first:
                if pos >= end:
                    return
                c = text[pos]
                if c == "\n":
                    pos += 1
                elif c == "\r" and text.startswith("\r\n", pos, end):
                    pos += 2
                else:
                    message = (
                        "a carriage return must be followed by a line feed"
                        if c == "\r"
                        else f"expected a line break after the statement, not {describe(c)}"
                    )
                    self.error(pos, message)
                    resume = self.resync(pos, pos, 0)
                    self.masked.append((pos, resume))
                    if stmt >= 0:
                        self.unfinished.append((stmt, pos))
                        self.incomplete.append(self.current.table()[0])
                    pos = resume
                    first = True  # the next line starts a statement of its own
                    continue
            first = False
            stmt = -1
            pos = _WS.match(text, pos, end).end()  # type: ignore[union-attr]
            if pos >= end:
                return
            c = text[pos]
            if c == "#":
                pos = self.comment(pos)
                continue
            if c == "\n" or c == "\r":
                continue
            stmt = pos
            try:
                pos = self.header(pos) if c == "[" else self.key_value(pos)
                pos = _WS.match(text, pos, end).end()  # type: ignore[union-attr]
                if pos < end and text[pos] == "#":
                    pos = self.comment(pos)
            except _Syntax as exc:
                self.error(exc.offset, exc.message)
                resume = self.resync(stmt, exc.offset, exc.depth)
                self.masked.append((exc.value_start if exc.value_start >= 0 else stmt, resume))
                if c == "[":
                    self.current = self.void()
                else:
                    self.incomplete.append(self.current.table()[0])
                pos = resume
                first = True
                stmt = -1

    def resync(self, stmt: int, offset: int, depth: int) -> int:
        """Where to read on after an error at ``offset`` in the statement at ``stmt``.

        The next line, or — inside an array or inline table left open — the first line that
        starts a statement or the line after the one that closes the value.
        """
        text, end = self.text, self.end
        offset = min(offset, end)
        line = max(text.rfind("\n", self.start, offset) + 1, self.start)
        if depth and line > stmt and _STATEMENT.match(text, line, end):
            return line
        nl = text.find("\n", offset, end)
        pos = end if nl < 0 else nl + 1
        if not depth:
            return pos
        depth += _balance(text, offset, pos)
        while depth > 0 and pos < end:
            if _STATEMENT.match(text, pos, end):
                return pos
            nl = text.find("\n", pos, end)
            nxt = end if nl < 0 else nl + 1
            depth += _balance(text, pos, nxt)
            pos = nxt
        return pos

    def attach(self, cur: _Name, name: str, node: TomlNode, value: Any, kind: int, explicit: bool, kv: bool) -> _Name:
        """Put ``name`` (its node and value) in the table ``cur`` stands for, and record it."""
        parent, data = cur.table()
        assert parent.children is not None
        parent.children[name] = node
        data[name] = value
        found = cur.children[name] = _Name(kind, explicit, kv, node, value)
        return found

    def void(self) -> _Name:
        """Where the keys under a broken header go: checked, but part of no document."""
        return _Name(_TABLE, True, False, TomlNode("table", "header", "", children={}), {})

    def orphan(self, segments: list[Segment], header: tuple[int, int], clash: _Name) -> _Name:
        """Where the keys under a header go-toml refuses on a name already taken (`[a.b]` after
        `b = {…}`) go: part of no value, but kept as ``Document.orphans`` because buildkitd's
        decoder still walks such a header when the value it clashes with sat in a table it
        skipped (issue 9). Only the keys the loader ignores are judged there: it is masked."""
        name, s, e = segments[-1]
        node = TomlNode(
            "table", "header", name, key_start=s, key_end=e, decl_start=header[0], decl_end=header[1],
            segments=tuple(segments), children={}, headers=[header],
        )
        found = _Name(_TABLE, True, False, node, {})
        self.orphans.append(Orphan(node, found.data, clash.node))
        self.masked.append(header)
        return found

    # -- pieces ---------------------------------------------------------------------------
    def comment(self, pos: int) -> int:
        end = self.text.find("\n", pos, self.end)
        end = self.end if end < 0 else end
        try:
            # (the line feed is included so that a CR before it reads as a line end)
            scalars.check_comment(self.text, pos + 1, min(end + 1, self.end))
        except ScalarError as exc:
            self.error(exc.offset, exc.message)
        return end

    def key(self, pos: int) -> tuple[list[Segment], int]:
        """A (dotted) key at ``pos``: its parts and the offset after it and the blanks after it."""
        text, end = self.text, self.end
        segments: list[Segment] = []
        while True:
            if pos >= end:
                raise _Syntax(pos, "expected a key, not the end of the file")
            c = text[pos]
            if c == '"' or c == "'":
                close = self.string_end(pos)
                try:
                    name = (scalars.basic if c == '"' else scalars.literal)(text, pos + 1, close - 1)
                except ScalarError as exc:
                    raise _Syntax(exc.offset, exc.message) from None
                segments.append((name, pos, close))
                pos = close
            else:
                m = _BARE.match(text, pos, end)
                if m is None:
                    raise _Syntax(pos, _bad_key(c))
                segments.append((m.group(), pos, m.end()))
                pos = m.end()
            if len(segments) > MAX_KEY_PARTS:
                raise _Refused(
                    segments[0][1],
                    f"a key with more than {MAX_KEY_PARTS} dotted parts is beyond any real config; "
                    "bklint does not check this file",
                )
            pos = _WS.match(text, pos, end).end()  # type: ignore[union-attr]
            if pos < end and text[pos] == ".":
                pos = _WS.match(text, pos + 1, end).end()  # type: ignore[union-attr]
                continue
            return segments, pos

    def string_end(self, pos: int) -> int:
        """The offset after the one-line string opening at ``pos``."""
        text, end = self.text, self.end
        m = (_BASIC if text[pos] == '"' else _LITERAL).match(text, pos, end)
        assert m is not None
        stop = m.end()
        if stop < end and text[stop] == text[pos]:
            return stop + 1
        if stop < end and text[stop] in "\r\n":
            kind = "basic" if text[pos] == '"' else "literal"
            raise _Syntax(stop, f"a {kind} string cannot span lines (use a multi-line string)")
        raise _Syntax(pos, "the string is never closed")

    def multiline_end(self, pos: int) -> tuple[int, int]:
        """For the multi-line string opening at ``pos``: where its body and token end."""
        text, end = self.text, self.end
        quote = text[pos]
        delimiter = quote * 3
        i = pos + 3
        while True:
            q = text.find(delimiter, i, end)
            if q < 0:
                # go-toml's scan stops at the first character it refuses before the end.
                bad = (scalars.LONE_CR if quote == '"' else scalars.ML_REFUSED).search(text, pos + 3, end)
                if bad is not None:
                    raise _Syntax(bad.start(), f"{describe(bad.group())} is not allowed in a string")
                raise _Syntax(pos, "the multi-line string is never closed")
            if quote == '"':
                k = q
                while k > pos + 3 and text[k - 1] == "\\":
                    k -= 1
                if (q - k) % 2:
                    i = q + 1
                    continue
            run = q + 3
            while run < end and text[run] == quote:
                run += 1
            extra = run - q - 3
            if extra > 2:
                self.error(q + 5, f"{delimiter} cannot appear inside the string")
                return q + 2, run
            return q + extra, run

    def header(self, pos: int) -> int:
        text, end = self.text, self.end
        start = pos
        aot = text.startswith("[[", pos, end)
        pos = _WS.match(text, pos + (2 if aot else 1), end).end()  # type: ignore[union-attr]
        segments, pos = self.key(pos)
        closing = "]]" if aot else "]"
        if not text.startswith(closing, pos, end):
            found = "the end of the file" if pos >= end else describe(text[pos])
            raise _Syntax(pos, f"expected `{closing}` to close the table header, not {found}")
        pos += len(closing)
        # Leaving a table makes the tables its dotted keys created explicit (go-toml).
        for name in self.pending:
            if name.kv:
                name.explicit, name.kv = True, False
        self.pending = []
        self.current = self.open_table(segments, (start, pos), aot)
        return pos

    def open_table(self, segments: list[Segment], header: tuple[int, int], aot: bool) -> _Name:
        cur = self.names
        for name, s, e in segments[:-1]:
            found = cur.children.get(name)
            if found is None:
                child = TomlNode("table", "implicit", name, key_start=s, key_end=e, children={})
                found = self.attach(cur, name, child, {}, _TABLE, False, False)
            elif found.kind == _VALUE:
                self.error(s, f"`{name}` is already a value, so it cannot hold a table", "duplicate-key")
                return self.orphan(segments, header, found)
            cur = found
        name, s, e = segments[-1]
        found = cur.children.get(name)
        if not aot:
            if found is not None:
                if found.kind != _TABLE:
                    self.error(s, f"`{name}` is already {_KIND[found.kind]}, so it cannot be a table", "duplicate-key")
                    return self.orphan(segments, header, found)
                if found.explicit:
                    self.error(header[0], f"table `{_dotted(segments)}` is defined twice")
                    return found
                found.explicit = True
                table = found.node
                table.origin = "header"
            else:
                table = TomlNode("table", "header", name, key_start=s, key_end=e, children={})
                found = self.attach(cur, name, table, {}, _TABLE, True, False)
            table.decl_start, table.decl_end = header
            table.segments = tuple(segments)
            table.headers.append(header)
            return found
        if found is None:
            array = TomlNode("aot", "aot", name, key_start=s, key_end=e, items=[])
            array.decl_start, array.decl_end = header
            found = self.attach(cur, name, array, [], _AOT, True, False)
        elif found.kind != _AOT:
            self.error(
                s, f"`{name}` is already {_KIND[found.kind]}, so it cannot be an array of tables", "duplicate-key"
            )
            return self.orphan(segments, header, found)
        else:
            found.children = {}
        item = TomlNode(
            "table", "aot", name, key_start=s, key_end=e, decl_start=header[0], decl_end=header[1],
            segments=tuple(segments), children={},
        )
        item.headers.append(header)
        found.node.headers.append(header)
        assert found.node.items is not None
        found.node.items.append(item)
        found.data.append({})
        return found

    def key_value(self, pos: int) -> int:
        text, end = self.text, self.end
        segments, pos = self.key(pos)
        pos = self.equals(pos)
        start = pos
        soft = self.soft
        try:
            node, value, pos = self.value(pos, segments[-1][0])
        except _Syntax as exc:
            # Keep the key, without a value: the loader's view of it (e.g. ignored) still counts.
            nl = text.find("\n", start, end)
            placeholder = TomlNode("value", "value", segments[-1][0], value_start=start, value_end=end if nl < 0 else nl)
            self.define(self.current, segments, placeholder, None, "dotted")
            exc.value_start = start
            raise
        if self.soft != soft:
            self.masked.append((start, pos))
            self.incomplete.append(self.current.table()[0])
        orphaned = bool(self.orphans) and self.current.node is self.orphans[-1].node
        if not self.define(self.current, segments, node, value, "dotted") or orphaned:
            self.masked.append((segments[0][1], pos))
        return pos

    def equals(self, pos: int) -> int:
        text, end = self.text, self.end
        if pos >= end:
            raise _Syntax(pos, "expected `=` after the key, not the end of the file")
        if text[pos] != "=":
            raise _Syntax(pos, f"expected `=` after the key, not {describe(text[pos])}")
        return _WS.match(text, pos + 1, end).end()  # type: ignore[union-attr]

    def define(self, table: _Name, segments: list[Segment], node: TomlNode, value: Any, origin: str) -> bool:
        """Add ``key = value`` under ``table`` unless go-toml refuses it (then say why)."""
        cur = table
        last = len(segments) - 1
        for i, (name, s, _) in enumerate(segments):
            found = cur.children.get(name)
            if found is None:
                break
            if i == last:
                self.error(s, f"the key `{_dotted(segments)}` is defined twice", "duplicate-key")
                return False
            if found.kind != _TABLE:
                self.error(s, f"`{name}` is already {_KIND[found.kind]}, so it cannot hold keys")
                return False
            if found.explicit:
                self.error(s, f"table `{name}` is already defined; a dotted key cannot add to it")
                return False
            cur = found
        decl = (segments[0][1], segments[-1][2])
        top = origin != "inline"
        cur = table
        for name, s, e in segments[:-1]:
            found = cur.children.get(name)
            if found is None:
                child = TomlNode("table", origin, name, key_start=s, key_end=e, children={})  # type: ignore[arg-type]
                child.decl_start, child.decl_end = decl
                found = self.attach(cur, name, child, {}, _TABLE, False, True)
                if top:
                    self.pending.append(found)
            elif found.node.decl_start < 0:
                found.node.decl_start, found.node.decl_end = decl
            cur = found
        name, s, e = segments[-1]
        node.key_start, node.key_end = s, e
        node.decl_start, node.decl_end = decl
        node.segments = tuple(segments)
        found = self.attach(cur, name, node, value, _VALUE, False, True)
        if top:
            self.pending.append(found)
        return True

    # -- values ---------------------------------------------------------------------------
    def value(self, pos: int, name: str) -> tuple[TomlNode, Any, int]:
        """The value at ``pos``; arrays and inline tables are read with an explicit stack."""
        text, end = self.text, self.end
        if pos >= end or text[pos] not in "[{":
            return self.scalar(pos, name)
        stack: list[_Frame] = []
        try:
            return self.container(pos, name, stack)
        except _Syntax as exc:
            exc.depth = len(stack)
            raise

    def open(self, stack: list[_Frame], pos: int, name: str) -> int:
        if len(stack) >= MAX_NESTING:
            raise _Refused(pos, f"values nested more than {MAX_NESTING:,} deep are beyond any real config; bklint does not check this file")
        if self.text[pos] == "[":
            stack.append(_Frame(pos, TomlNode("array", "value", name, value_start=pos, items=[]), [], None))
        else:
            node = TomlNode("table", "inline", name, value_start=pos, children={})
            data: dict[str, Any] = {}
            stack.append(_Frame(pos, node, data, _Name(_TABLE, True, False, node, data)))
        return pos + 1

    def container(self, pos: int, name: str, stack: list[_Frame]) -> tuple[TomlNode, Any, int]:
        text, end = self.text, self.end
        pos = self.open(stack, pos, name)
        done: tuple[TomlNode, Any] | None = None
        while True:
            frame = stack[-1]
            if frame.names is None:  # an array
                if done is not None:
                    assert frame.node.items is not None
                    frame.node.items.append(done[0])
                    frame.data.append(done[1])
                    frame.first = False
                    done = None
                pos = self.blank(pos)
                if pos >= end:
                    raise _Syntax(frame.start, "the array is never closed")
                c = text[pos]
                close = c == "]"
                if c == ",":
                    if frame.first:
                        raise _Syntax(pos, "an array cannot start with a comma")
                    pos = self.blank(pos + 1)
                    close = pos < end and text[pos] == "]"
                elif not close and not frame.first:
                    raise _Syntax(pos, f"expected `,` or `]` after an array element, not {describe(c)}")
                if not close:
                    if pos < end and text[pos] in "[{":
                        pos = self.open(stack, pos, "")
                        continue
                    node, value, pos = self.scalar(pos, "")
                    done = (node, value)
                    continue
            else:  # an inline table
                if done is not None:
                    assert frame.names is not None
                    self.define(frame.names, frame.key, done[0], done[1], "inline")
                    frame.first = False
                    done = None
                pos = _WS.match(text, pos, end).end()  # type: ignore[union-attr]
                if pos >= end:
                    raise _Syntax(frame.start, "the inline table is never closed")
                c = text[pos]
                close = c == "}"
                if not close:
                    if not frame.first:
                        if c != ",":
                            raise _Syntax(pos, _inline_problem(c))
                        pos = _WS.match(text, pos + 1, end).end()  # type: ignore[union-attr]
                        if pos < end and text[pos] == "}":
                            raise _Syntax(pos, "an inline table cannot end with a comma")
                    if pos < end and text[pos] in "\r\n":
                        raise _Syntax(pos, _inline_problem(text[pos]))
                    frame.key, pos = self.key(pos)
                    pos = self.equals(pos)
                    if pos < end and text[pos] in "[{":
                        pos = self.open(stack, pos, frame.key[-1][0])
                        continue
                    node, value, pos = self.scalar(pos, frame.key[-1][0])
                    done = (node, value)
                    continue
            # `c` closes the innermost value.
            pos += 1
            frame.node.value_end = pos
            stack.pop()
            if not stack:
                return frame.node, frame.data, pos
            done = (frame.node, frame.data)

    def blank(self, pos: int) -> int:
        """Blanks, line breaks and comments between array elements."""
        text, end = self.text, self.end
        while True:
            pos = _BLANK.match(text, pos, end).end()  # type: ignore[union-attr]
            if pos >= end:
                return pos
            c = text[pos]
            if c == "#":
                pos = self.comment(pos)
            elif c == "\r":
                raise _Syntax(pos, "a carriage return must be followed by a line feed")
            else:
                return pos

    def scalar(self, pos: int, name: str) -> tuple[TomlNode, Any, int]:
        text, end = self.text, self.end
        if pos >= end:
            raise _Syntax(pos, "expected a value, not the end of the file")
        c = text[pos]
        value: Any
        convert: Callable[[str, int, int], Any]
        if c == "t" and text.startswith("true", pos, end):
            stop, value = pos + 4, True
        elif c == "f" and text.startswith("false", pos, end):
            stop, value = pos + 5, False
        else:
            if c == '"' or c == "'":
                if text.startswith(c * 3, pos, end):
                    body, stop = self.multiline_end(pos)
                    convert = scalars.ml_basic if c == '"' else scalars.ml_literal
                    args = (pos + 3, body)
                else:
                    stop = self.string_end(pos)
                    convert = scalars.basic if c == '"' else scalars.literal
                    args = (pos + 1, stop - 1)
            elif c in "0123456789+-.in":
                stop, kind = self.number_or_date(pos)
                convert, args = _CONVERT[kind], (pos, stop)
            else:
                raise _Syntax(pos, _not_a_value(text, pos, end))
            try:
                value = convert(text, *args)
            except ScalarError as exc:
                self.error(exc.offset, exc.message, exc.kind)
                value = None
        return TomlNode("value", "value", name, value_start=pos, value_end=stop), value, stop

    def number_or_date(self, pos: int) -> tuple[int, str]:
        """go-toml's choice between a number and a date/time: the token's end and kind."""
        text, end = self.text, self.end
        c = text[pos]
        if c == "i" or c == "n":
            if not text.startswith("inf" if c == "i" else "nan", pos, end):
                raise _Syntax(pos, _not_a_value(text, pos, end))
            return pos + 3, "float"
        if c not in "+-" and end - pos >= 3:
            for i in range(pos, min(pos + 5, end)):
                ch = text[i]
                if "0" <= ch <= "9":
                    continue
                if (i - pos == 2 and ch == ":") or (i - pos == 4 and ch == "-"):
                    return scalars.datetime_end(text, pos, end)
                break
        try:
            stop, is_float = scalars.number_end(text, pos, end)
        except ScalarError as exc:
            raise _Syntax(exc.offset, exc.message) from None
        if stop == pos:
            raise _Syntax(pos, _not_a_value(text, pos, end))
        return stop, "float" if is_float else "integer"


_CONVERT: dict[str, Callable[[str, int, int], Any]] = {
    "float": scalars.floating,
    "integer": scalars.integer,
    **{kind: functools.partial(scalars.date_time, kind=kind) for kind in scalars.DATE_KINDS},
}


def _within(ranges: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls in one of the sorted, disjoint ``ranges``."""
    i = bisect.bisect_right(ranges, (offset, _AFTER)) - 1
    return i >= 0 and ranges[i][0] <= offset < ranges[i][1]


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _balance(text: str, start: int, end: int) -> int:
    """Opening minus closing brackets in ``text[start:end]``, strings and comments aside."""
    depth = 0
    for m in _BRACKETS.finditer(text, start, end):
        c = m.group()
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
    return depth


def _dotted(segments: list[Segment]) -> str:
    return ".".join(name for name, _, _ in segments)


def _bad_key(c: str) -> str:
    if c in "\r\n":
        return "expected a key, not a line break"
    if c == "=":
        return "expected a key before `=`"
    return f"a key cannot start with {describe(c)} (quote keys that hold other characters)"


def _inline_problem(c: str) -> str:
    if c in "\r\n":
        return "an inline table must be on one line (use a [table] for more keys)"
    return f"expected `,` or `}}` in the inline table, not {describe(c)}"


def _not_a_value(text: str, pos: int, end: int) -> str:
    if pos >= end:
        return "expected a value, not the end of the file"
    if text[pos] in "\r\n":
        return "expected a value after `=`"
    m = _WORD.match(text, pos, end)
    word = m.group() if m else text[pos]
    if word.lower() in ("true", "false"):
        return f"expected a value, not `{word}`: booleans are lowercase (true, false)"
    if m is None:
        return f"expected a value, not {describe(text[pos])}"
    shown = word if len(word) <= 40 else word[:40] + "…"
    return f"expected a value, not `{shown}`: strings need quotes"
