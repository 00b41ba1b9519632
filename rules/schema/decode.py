"""Judge a parsed document the way buildkitd's loader (go-toml v2) decodes it.

The loader stops at the first error and never mentions unknown keys; this decoder walks
the whole document and records every fact a rule may want: each key it would ignore, each
value it would refuse, case-insensitive matches, and the inputs on which it crashes. Rules
turn these facts into findings; nothing here decides wording or severity for the user.
"""

from __future__ import annotations

import bisect
from collections.abc import Container, Sequence
from itertools import chain

from bklint.rules.document import Document, TomlNode, format_path
from bklint.rules.record import FrozenRecord, Record
from bklint.rules.schema.nodes import ArrayOf, Leaf, MapOf, Node, Struct
from bklint.rules.schema.tree import CONFIG
from bklint.rules.schema.values import (
    INT64_MAX,
    INT64_MIN,
    DiskSpace,
    ValueError_,
    parse_disk_space,
    parse_duration,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    IssueKind = Literal["unknown", "type", "value", "case", "case-duplicate", "crash"]

Path = tuple[str | int, ...]


class Issue(Record):
    __slots__ = ("anchor", "canonical", "kind", "message", "node", "other", "parent", "path")

    kind: IssueKind
    path: Path  # as written in the file
    node: TomlNode
    message: str
    # For "unknown": the struct the key was looked up in (None inside an unknown subtree).
    parent: Struct | None
    # For "case"/"case-duplicate": the canonical spelling; for "type": the expected Go type.
    canonical: str
    # Where to point: (start, end) offsets.
    anchor: tuple[int, int]
    # For "case-duplicate": the node that loses (the earlier spelling).
    other: TomlNode | None

    def __init__(
        self,
        kind: IssueKind,
        path: Path,
        node: TomlNode,
        message: str = "",
        parent: Struct | None = None,
        canonical: str = "",
        anchor: tuple[int, int] = (0, 0),
        other: TomlNode | None = None,
    ) -> None:
        self.kind = kind
        self.path = path
        self.node = node
        self.message = message
        self.parent = parent
        self.canonical = canonical
        self.anchor = anchor
        self.other = other


class Entry(Record):
    """A leaf value the loader would store, with where it came from."""

    __slots__ = ("node", "path", "schema", "value", "written")

    path: Path  # canonical: struct fields in their TOML tag spelling, map keys as written
    written: Path
    node: TomlNode
    schema: Leaf
    value: Any

    def __init__(self, path: Path, written: Path, node: TomlNode, schema: Leaf, value: Any) -> None:
        self.path = path
        self.written = written
        self.node = node
        self.schema = schema
        self.value = value


class Decoded(Record):
    __slots__ = (
        "_by_prefix",
        "_children",
        "alone",
        "entries",
        "incomplete",
        "issues",
        "memo",
        "pieces",
        "tables",
        "tolerated",
    )

    issues: list[Issue]
    entries: dict[Path, Entry]
    # Canonical table path -> the nodes that declare it (several when spellings differ by case).
    tables: dict[Path, list[TomlNode]]
    # Tables (canonical paths) holding a statement the parse could not read: a rule may judge
    # the values they have, never what they seem to lack.
    incomplete: set[Path]
    # Headers the parse refused on a taken name that buildkitd's decoder takes all the same
    # (the name was taken in a table it skipped): only buildx refuses them.
    tolerated: list[TomlNode]

    def value(self, *path: str | int, default: Any = None) -> Any:
        entry = self.entries.get(path)
        return default if entry is None else entry.value

    def entry(self, *path: str | int) -> Entry | None:
        return self.entries.get(path)

    def has_table(self, *path: str | int) -> bool:
        return path in self.tables

    # Indexes built on first use: rules ask per registry, and scanning every table or entry
    # each time made large files quadratic. Built after the runner has finished editing
    # ``entries``; nothing changes them while rules run.
    _by_prefix: dict[Path, list[Entry]] | None
    # Values rules derive from the decoded config and share; see ``table_memo`` for values
    # derived from one registry's table.
    memo: dict[Any, Any]
    # For a whole file decoded by ``decode_split``: each standalone table's own decode.
    alone: dict[tuple[str, str], Decoded]
    _children: dict[Path, dict[str | int, None]] | None
    # For ``decode_split``, what this table decoded alone adds to a whole file's decode.
    pieces: _Pieces | None

    def __init__(
        self,
        issues: list[Issue] | None = None,
        entries: dict[Path, Entry] | None = None,
        tables: dict[Path, list[TomlNode]] | None = None,
        incomplete: set[Path] | None = None,
        tolerated: list[TomlNode] | None = None,
    ) -> None:
        self.issues = [] if issues is None else issues
        self.entries = {} if entries is None else entries
        self.tables = {} if tables is None else tables
        self.incomplete = set() if incomplete is None else incomplete
        self.tolerated = [] if tolerated is None else tolerated
        self._by_prefix = None
        self.memo = {}
        self.alone = {}
        self._children = None
        self.pieces = None

    def _values(self) -> tuple[object, ...]:
        return (self.issues, self.entries, self.tables, self.incomplete, self.tolerated)

    def table_memo(self, name: str, key: str) -> dict[Any, Any]:
        """Where to keep a value derived from the table `[name."key"]` alone (its parsed
        mirrors, its certificate paths): the memo of that table's own decode when the file
        was decoded table by table (the server), so the value lives as long as the table is
        unchanged, across keystrokes; otherwise a memo of this decode's for that table."""
        part = self.alone.get((name, key)) if self.alone else None
        memo = self.memo if part is None else part.memo
        own: dict[Any, Any] | None = memo.get(("table", name, key))
        if own is None:
            own = memo[("table", name, key)] = {}
        return own

    def under(self, *prefix: str | int) -> list[Entry]:
        if self._by_prefix is None:
            self._by_prefix = _by_prefix(self.entries, 0)
        return list(self._by_prefix.get(prefix, ()))

    def _child_index(self) -> dict[Path, dict[str | int, None]]:
        if self._children is None:
            self._children = _children(self.tables, 0)
        return self._children

    def map_keys(self, *path: str | int) -> list[str]:
        """Keys of a map table such as ``registry``, in file order (found once per decode:
        rules ask for the registries again and again)."""
        keys: tuple[str, ...] | None = self.memo.get(("map_keys", path))
        if keys is None:
            keys = tuple([k for k in self._child_index().get(path, {}) if isinstance(k, str)])
            self.memo[("map_keys", path)] = keys
        return list(keys)

    def count(self, *path: str | int) -> int:
        """Number of elements of an array of tables such as ``worker.oci.gcpolicy``."""
        return sum(1 for k in self._child_index().get(path, {}) if isinstance(k, int))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.kind in ("type", "value", "crash")]


def _by_prefix(entries: dict[Path, Entry], depth: int) -> dict[Path, list[Entry]]:
    """The entries below each path at least ``depth`` long (``Decoded.under``)."""
    index: dict[Path, list[Entry]] = {}
    for p, e in entries.items():
        for n in range(depth, len(p) + 1):
            index.setdefault(p[:n], []).append(e)
    return index


def _children(tables: dict[Path, list[TomlNode]], depth: int) -> dict[Path, dict[str | int, None]]:
    """The tables just below each path at least ``depth`` long, in order (``Decoded.map_keys``)."""
    index: dict[Path, dict[str | int, None]] = {}
    for p in tables:
        for n in range(depth, len(p)):
            index.setdefault(p[:n], {}).setdefault(p[n], None)
    return index


class _Pieces(FrozenRecord):
    """What a `[map."key"]` table decoded alone adds to the whole file's decode and indexes."""

    __slots__ = ("by_prefix", "children", "deep", "key", "shallow", "values")

    key: tuple[str, str]
    deep: list[tuple[Path, list[TomlNode]]]  # its tables but the root and the map
    shallow: list[Path]  # the map's path
    values: list[Entry]
    by_prefix: dict[Path, list[Entry]]  # Decoded.under below the map
    children: dict[Path, dict[str | int, None]]  # Decoded._child_index below the map

    def __init__(self, key: tuple[str, str], deep: list[tuple[Path, list[TomlNode]]], shallow: list[Path], values: list[Entry], by_prefix: dict[Path, list[Entry]], children: dict[Path, dict[str | int, None]]) -> None:
        self.key = key
        self.deep = deep
        self.shallow = shallow
        self.values = values
        self.by_prefix = by_prefix
        self.children = children

    @classmethod
    def of(cls, part: Decoded, name: str, header: TomlNode) -> _Pieces:
        deep = [(p, n) for p, n in part.tables.items() if len(p) >= 2]
        key = (name, str(deep[0][0][1]) if deep else header.segments[-1][0])
        shallow: list[Path] = [p for p in part.tables if len(p) == 1]
        return cls(key, deep, shallow, list(part.entries.values()), _by_prefix(part.entries, 2), _children(part.tables, 2))


_GO_NAMES = {
    "string": "a string",
    "bool": "a boolean (true or false)",
    "*bool": "a boolean (true or false)",
    "int": "an integer",
    "*int": "an integer",
    "int64": "an integer",
    "[]string": "an array of strings",
    "map[string]string": "a table of strings",
    "map[string]any": "a table",
    "DiskSpace": 'a size (bytes as an integer, "512MB" or "10%")',
    "Duration": 'a duration ("48h" or whole seconds)',
    "*Duration": 'a duration ("48h" or whole seconds)',
}


def expected_text(go_type: str) -> str:
    return _GO_NAMES.get(go_type, go_type)


def toml_type(node: TomlNode, value: Any) -> str:
    if node.kind == "aot":
        return "an array of tables"
    if node.kind == "table":
        return "an inline table" if node.origin == "inline" else "a table"
    if node.kind == "array":
        return "an array"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    import datetime as _dt  # only TOML date-times get here; most files have none

    if isinstance(value, _dt.datetime):
        return "a date-time"
    if isinstance(value, _dt.date):
        return "a date"
    if isinstance(value, _dt.time):
        return "a time"
    return "a value"


# -- Go types, as far as go-toml's decoding depends on them -----------------------------


class _GoType:
    __slots__ = ("elem", "fields", "go", "kind", "leaf", "node")

    kind: str  # struct, text, map, slice, ptr, string, bool, int, float, time, any
    go: str  # the Go kind go-toml names in its messages ("int", "int64", "string", "slice"…)
    elem: _GoType | None
    fields: Struct | None  # struct and text types: the fields go-toml can set
    node: Node | None  # the schema node this type belongs to (for messages)
    leaf: Leaf | None  # set when a value of this type is the whole value of a key

    def __init__(
        self,
        kind: str,
        go: str,
        elem: _GoType | None = None,
        fields: Struct | None = None,
        node: Node | None = None,
        leaf: Leaf | None = None,
    ) -> None:
        self.kind = kind
        self.go = go
        self.elem = elem
        self.fields = fields
        self.node = node
        self.leaf = leaf


_ANY = _GoType("any", "interface")
_MAP_ANY = _GoType("map", "map", elem=_ANY)
_SLICE_ANY = _GoType("slice", "slice", elem=_ANY)
_STRING = _GoType("string", "string")
_INT64 = _GoType("int", "int64")
# go-toml sets the exported fields of DiskSpace when given a table; Duration embeds a
# time.Duration (an integer), so it has no field a table could set.
_DISK_FIELDS = Struct(
    "DiskSpace", fields={"Bytes": Leaf("Bytes", "int64"), "Percentage": Leaf("Percentage", "int64")}
)
_NO_FIELDS = Struct("", fields={})
_DYNAMIC = {str: _STRING, bool: _GoType("bool", "bool"), int: _INT64, float: _GoType("float", "float64")}
_TYPES: dict[int, _GoType] = {}


def _go_type(node: Node) -> _GoType:
    found = _TYPES.get(id(node))
    if found is None:
        found = _TYPES[id(node)] = _make_type(node)
    return found


def _make_type(node: Node) -> _GoType:
    if isinstance(node, Struct):
        return _GoType("struct", "struct", fields=node, node=node)
    if isinstance(node, MapOf):
        return _GoType("map", "map", elem=_go_type(node.item), node=node)
    if isinstance(node, ArrayOf):
        return _GoType("slice", "slice", elem=_go_type(node.item), node=node)
    base = node.go_type.lstrip("*")
    kinds = {
        "string": _GoType("string", "string", node=node, leaf=node),
        "bool": _GoType("bool", "bool", node=node, leaf=node),
        "int": _GoType("int", "int", node=node, leaf=node),
        "int64": _GoType("int", "int64", node=node, leaf=node),
        "[]string": _GoType("slice", "slice", elem=_STRING, node=node, leaf=node),
        "map[string]string": _GoType("map", "map", elem=_STRING, node=node, leaf=node),
        "map[string]any": _GoType("map", "map", elem=_ANY, node=node, leaf=node),
        "DiskSpace": _GoType("text", "struct", fields=_DISK_FIELDS, node=node, leaf=node),
        "Duration": _GoType("text", "struct", fields=_NO_FIELDS, node=node, leaf=node),
    }
    found = kinds[base]
    if node.go_type.startswith("*"):
        return _GoType("ptr", "ptr", elem=found, node=node, leaf=node)
    return found


def _dynamic(value: Any) -> _GoType:
    """The Go type go-toml gives a TOML value stored in an ``interface{}``."""
    if isinstance(value, dict):
        return _MAP_ANY
    if isinstance(value, list):
        return _SLICE_ANY
    found = _DYNAMIC.get(type(value))
    return found if found is not None else _GoType("time", "struct", fields=_NO_FIELDS)


class _GoStruct:
    """A Go struct value: fields set so far (a missing pointer field is nil)."""

    __slots__ = ("fields",)

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}


_ZEROS: dict[str, Any] = {"string": "", "bool": False, "int": 0, "float": 0.0}


def _zero(t: _GoType) -> Any:
    """A new Go value of type ``t`` (nil for pointers and interfaces)."""
    if t.kind in ("struct", "text", "time"):
        return _GoStruct()
    if t.kind == "map":
        return {}
    if t.kind == "slice":
        return []
    return _ZEROS.get(t.kind)


def _a(t: _GoType) -> str:
    """``t`` in words, for messages."""
    if t.leaf is not None:
        return expected_text(t.leaf.go_type.lstrip("*"))
    if t.node is not None:
        return expected_text(_table_kind(t.node))
    return {"string": "a string", "bool": "a boolean", "int": "an integer", "float": "a float"}.get(
        t.kind, "a value"
    )


class _At(Record):
    """A place in the Go value being decoded, and where it is in the file.

    ``box[key]`` holds the value (a struct's fields, a map, a slice); ``tn`` is the TOML
    node of the statement that reached it; ``cpath`` the canonical path (struct fields in
    their tag spelling, slice indices as Go sees them) and ``wpath`` the path as written.
    """

    __slots__ = ("addressable", "box", "cpath", "key", "owner", "tn", "type", "wpath")

    box: Any
    key: Any
    type: _GoType
    tn: TomlNode | None
    cpath: Path
    wpath: Path
    addressable: bool
    owner: _At | None  # the key whose whole value this is part of (labels, sizes)

    def __init__(
        self,
        box: Any,
        key: Any,
        type: _GoType,
        tn: TomlNode | None,
        cpath: Path,
        wpath: Path,
        addressable: bool = True,
        owner: _At | None = None,
    ) -> None:
        self.box = box
        self.key = key
        self.type = type
        self.tn = tn
        self.cpath = cpath
        self.wpath = wpath
        self.addressable = addressable
        self.owner = owner

    def get(self) -> Any:
        if isinstance(self.box, list):
            return self.box[self.key]
        return self.box.get(self.key)

    def set(self, value: Any) -> None:
        self.box[self.key] = value


class _Missing(Exception):
    """go-toml found no struct field for a key part: it skips the statement (strict mode lists it)."""

    def __init__(self, at: _At, index: int) -> None:
        self.at = at
        self.index = index


class _Failed(Exception):
    """go-toml returned an error or panicked (already recorded as an issue)."""


class _Statement(FrozenRecord):
    __slots__ = ("clash", "element", "kind", "node", "offset", "segments", "value")

    kind: Literal["table", "aot", "kv"]
    offset: int
    node: TomlNode
    segments: tuple[tuple[str, int, int], ...]
    value: Any  # the parsed value of a key/value statement
    element: int  # the element of its array an [[array table]] header opens
    clash: TomlNode | None  # for a header the parse refused: what took its name first

    def __init__(self, kind: Literal["table", "aot", "kv"], offset: int, node: TomlNode, segments: tuple[tuple[str, int, int], ...], value: Any, element: int = 0, clash: TomlNode | None = None) -> None:
        self.kind = kind
        self.offset = offset
        self.node = node
        self.segments = segments
        self.value = value
        self.element = element
        self.clash = clash


def _file_statements(doc: Document, skip: Container[int] = ()) -> list[_Statement]:
    """Headers and key/value lines of ``doc`` in file order: go-toml decodes one expression
    at a time. Nodes in ``skip`` (by id) are left out with all below them.

    Headers the parse refused on a name already taken (``Document.orphans``) are among them:
    buildkitd's decoder skips the keys of a table it does not know without recording them,
    so a header clashing with such a key still reaches it (and lands in an ignored table).
    """
    first = [_Statement("table", o.node.decl_start, o.node, o.node.segments, None, clash=o.clash) for o in doc.orphans]
    return _statements([(doc.root, doc.data), *((o.node, o.data) for o in doc.orphans)], skip, first)


def _statements(
    stack: list[tuple[TomlNode, Any]], skip: Container[int] = (), first: list[_Statement] | None = None
) -> list[_Statement]:
    """The statements below ``stack`` (and ``first``) in file order, but those in ``skip``."""
    out: list[_Statement] = first or []
    while stack:
        node, data = stack.pop()
        for key, child in (node.children or {}).items():
            if skip and id(child) in skip:
                continue
            value = data.get(key) if isinstance(data, dict) else None
            if child.kind == "aot":
                for i, item in enumerate(child.items or []):
                    out.append(_Statement("aot", item.decl_start, item, item.segments, None, i))
                    stack.append((item, value[i] if isinstance(value, list) and i < len(value) else None))
            elif child.kind == "table" and child.value_start < 0:
                if child.origin == "header":
                    out.append(_Statement("table", child.decl_start, child, child.segments, None))
                stack.append((child, value))
            else:
                out.append(_Statement("kv", child.decl_start, child, child.segments, value))
    out.sort(key=lambda s: s.offset)
    return out


def _inline_statements(node: TomlNode, data: Any) -> list[_Statement]:
    """The key/value pairs of an inline table, dotted keys included, in written order."""
    out: list[_Statement] = []
    stack: list[tuple[TomlNode, Any]] = [(node, data)]
    while stack:
        cur, value = stack.pop()
        for key, child in (cur.children or {}).items():
            sub = value.get(key) if isinstance(value, dict) else None
            if child.kind == "table" and child.value_start < 0:
                stack.append((child, sub))
            else:
                out.append(_Statement("kv", child.decl_start, child, child.segments, sub))
    out.sort(key=lambda s: s.offset)
    return out


def _child(tn: TomlNode | None, name: str) -> TomlNode | None:
    return None if tn is None else tn.child(name)


def _element(tn: TomlNode | None, offset: int) -> tuple[TomlNode | None, int | None]:
    """The element of an array of tables that a statement at ``offset`` is in, and its index."""
    if tn is None or tn.kind != "aot" or not tn.items:
        return None, None
    index = bisect.bisect_right(tn.items, offset, key=_declared) - 1
    return (None, None) if index < 0 else (tn.items[index], index)


def _declared(node: TomlNode) -> int:
    return node.decl_start


class _Decoder:
    """Replays go-toml v2's decoding of the file into buildkitd's Config, statement by statement.

    The loader reads one header or key/value at a time: a header navigates the Go value
    (creating map entries and slice elements), the key/values below it are decoded into
    the place it reached, and a key with no struct field makes it skip the rest of the
    table. Doing the same here gives its verdicts on what a merged tree cannot show:
    tables spelt in two cases that land in one Go value, headers on values that are not
    tables, array elements opened by a later header, and the inputs that panic it.
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.out = Decoded()
        self.root = _GoStruct()
        self.target: _At | None = None
        self.clear = False
        self.cased: set[int] = set()
        # For ``decode_split``: before each statement, its offset and how many entries, tables
        # and issues the statements before it gave.
        self.marks: list[tuple[int, int, int, int]] | None = None

    # -- helpers ------------------------------------------------------------------------
    def add(self, kind: IssueKind, path: Path, node: TomlNode, message: str = "", **kw: Any) -> None:
        anchor = kw.pop("anchor", None) or _anchor(node)
        self.out.issues.append(Issue(kind, path, node, message, anchor=anchor, **kw))

    def raw(self, node: TomlNode) -> str:
        return self.doc.text[node.value_start : node.value_end]

    def type_error(self, leaf_or_node: Node, node: TomlNode, value: Any, path: Path, got: str = "") -> None:
        go_type = leaf_or_node.go_type if isinstance(leaf_or_node, Leaf) else _table_kind(leaf_or_node)
        self.add(
            "type",
            path,
            node,
            f"expects {expected_text(go_type)}, not {got or toml_type(node, value)}",
            canonical=go_type,
            anchor=_value_anchor(node),
        )

    def wrong(self, path: Path, node: TomlNode, value: Any, expected: str, canonical: str) -> None:
        """A value inside a key's value (a list element, a label, a size field) of the wrong type."""
        got = toml_type(node, value)
        self.add(
            "type",
            path,
            node,
            f"expects {expected}, not {got}",
            canonical=canonical,
            anchor=_value_anchor(node),
        )

    def fail(self, at: _At, node: TomlNode, value: Any, got: str = "") -> _Failed:
        """Record that ``at`` cannot take ``node`` (a type error), for the caller to raise."""
        schema = at.type.node
        if schema is None:
            self.add(
                "type",
                at.wpath,
                node,
                f"expects {_a(at.type)}, not {got or toml_type(node, value)}",
                canonical=at.type.go,
                anchor=_value_anchor(node),
            )
        else:
            self.type_error(schema, node, value, at.wpath, got)
        return _Failed()

    def crash(self, node: TomlNode, message: str, anchor: tuple[int, int], path: Path) -> _Failed:
        self.add(
            "crash",
            path,
            node,
            f"buildkitd (and `docker buildx create`) crash on this file: {message}",
            anchor=anchor,
        )
        return _Failed()

    def register(self, at: _At) -> None:
        """Note a table (struct, registry map, array element) the statement reached."""
        tn, t = at.tn, at.type
        if tn is None or at.owner is not None or t.leaf is not None:
            return  # not a table of the schema: a key's value (labels, free-form options)
        if t.kind not in ("struct", "map", "slice"):
            return
        nodes = self.out.tables.get(at.cpath)
        if nodes is None:
            self.out.tables[at.cpath] = [tn]
            return
        for n in nodes:  # (a statement reaches the tables above it again and again)
            if n is tn:
                return
        nodes.append(tn)

    def forget(self, cpath: Path) -> None:
        """A slice emptied again (or a map entry replaced): drop what was recorded below it."""
        n = len(cpath)
        for p in [p for p in self.out.entries if len(p) > n and p[:n] == cpath]:
            del self.out.entries[p]
        for p in [p for p in self.out.tables if len(p) > n and p[:n] == cpath]:
            del self.out.tables[p]

    def field_at(self, at: _At, st: _Statement, i: int) -> _At:
        """The struct field named by key part ``i`` (go-toml: exact name, then lower case)."""
        name, start, end = st.segments[i]
        fields = at.type.fields
        schema = fields.field_for(name) if fields is not None else None
        if schema is None:
            raise _Missing(at, i)
        value = at.get()
        if not isinstance(value, _GoStruct):
            value = _GoStruct()
            at.set(value)
        tn = _child(at.tn, name)
        if at.type.kind == "struct" and name != schema.name:
            ident = id(tn) if tn is not None else start
            if ident not in self.cased:
                self.cased.add(ident)
                self.add("case", (*at.wpath, name), tn or st.node, canonical=schema.name, anchor=(start, end))
        canonical = schema.name
        # A size's Bytes/Percentage are plain integers, not keys of their own.
        t = _go_type(schema) if at.type.kind == "struct" else _INT64
        owner = at if at.type.kind == "text" else at.owner
        child = _At(value.fields, canonical, t, tn, (*at.cpath, canonical), (*at.wpath, name), owner=owner)
        if child.get() is None and t.kind != "ptr":
            child.set(_zero(t))
        self.register(child)
        return child

    def map_at(self, at: _At, name: str, fresh: bool, make: _GoType | None = None) -> tuple[_At, bool]:
        """The entry ``name`` of a map (created, or replaced when ``fresh``); True if it existed."""
        m = at.get()
        if not isinstance(m, dict):
            m = {}
            at.set(m)
        existed = name in m and m[name] is not None
        elem = at.type.elem
        assert elem is not None
        if not existed or fresh:
            if existed:
                self.forget((*at.cpath, name))
            m[name] = _zero(elem) if elem.kind != "any" or make is None else _zero(make)
        t = elem
        if elem.kind == "any" and make is not None:
            t = _dynamic(m[name])
        owner = at if at.type.leaf is not None else at.owner
        # Deep inside a key's value (free-form options) paths stop growing: nothing names them.
        cpath, wpath = (
            (at.cpath, at.wpath) if at.owner is not None else ((*at.cpath, name), (*at.wpath, name))
        )
        child = _At(m, name, t, _child(at.tn, name), cpath, wpath, owner=owner)
        self.register(child)
        return child, existed

    def element_at(self, at: _At, st: _Statement, index: int) -> _At:
        items = at.get()
        assert isinstance(items, list)
        tn, toml_index = _element(at.tn, st.offset)
        assert at.type.elem is not None
        # Written paths count elements as the file does; a header that reaches the last
        # element through another spelling names no element.
        wpath = at.wpath if toml_index is None or at.owner is not None else (*at.wpath, toml_index)
        cpath = at.cpath if at.owner is not None else (*at.cpath, index)
        owner = at if at.type.leaf is not None else at.owner
        child = _At(items, index, at.type.elem, tn, cpath, wpath, owner=owner)
        self.register(child)
        return child

    def deref(self, at: _At) -> _At:
        """A pointer, allocated if nil (go-toml allocates on the way through)."""
        assert at.type.elem is not None
        inner = at.type.elem
        if at.get() is None:
            at.set(_zero(inner))
        return _At(at.box, at.key, inner, at.tn, at.cpath, at.wpath, at.addressable, at.owner)

    def any_at(self, at: _At, make: _GoType) -> _At:
        """An ``interface{}``: its dynamic value, or a new one of type ``make``."""
        value = at.get()
        if value is None:
            value = _zero(make)
            at.set(value)
        return _At(at.box, at.key, _dynamic(value), at.tn, at.cpath, at.wpath, at.addressable, at.owner)

    # -- statements -------------------------------------------------------------------
    def run(self, statements: list[_Statement]) -> Decoded:
        root = _At({"": self.root}, "", _go_type(CONFIG), self.doc.root, (), ())
        self.register(root)
        current: _At | None = root
        out = self.out
        marks = self.marks
        skipped: set[int] = set()  # key/values of tables go-toml skipped, never recorded by it
        for st in statements:
            if marks is not None:
                marks.append((st.offset, len(out.entries), len(out.tables), len(out.issues)))
            if st.kind == "kv":
                if current is not None:
                    self.key_value(st, current)
                else:
                    skipped.add(id(st.node))
                continue
            if st.clash is not None:
                if id(st.clash) not in skipped:
                    current = None  # go-toml refuses the header too: nothing below it is decoded
                    continue
                self.out.tolerated.append(st.node)
            self.target = None
            self.clear = st.kind == "aot" and st.element == 0
            start = _At(root.box, root.key, root.type, self.doc.root, (), ())
            try:
                if st.kind == "table":
                    self.table(st, start)
                else:
                    self.array_table(st, start)
            except _Missing as missing:
                self.missing(st, missing, (st.element,) if st.kind == "aot" else ())
                self.target = None
            except _Failed:
                self.target = None
            current = self.target
        return self.out

    def missing(self, st: _Statement, missing: _Missing, suffix: Path = ()) -> None:
        at, i = missing.at, missing.index
        names = tuple(name for name, _, _ in st.segments[i:])
        parent = at.type.fields if at.type.kind == "struct" and i == len(st.segments) - 1 else None
        self.add(
            "unknown", (*at.wpath, *names, *suffix), st.node, parent=parent, anchor=_unknown_anchor(st.node)
        )

    # -- [table] headers (go-toml: handleTable, handleKeyPart) --------------------------
    # go-toml recurses once per key part; these loops do the same steps without recursion,
    # as a header may have as many parts as the parser allows.
    def table(self, st: _Statement, at: _At) -> None:
        i = -1
        while True:
            if at.type.kind == "slice":
                items = at.get()
                if not items:
                    raise self.fail(at, st.node, None)  # "cannot store a table in a slice"
                at = self.element_at(at, st, len(items) - 1)
                continue
            if i + 1 == len(st.segments):
                self.target = at
                return
            i += 1
            at = self.key_part(st, i, at, _MAP_ANY)

    def key_part(self, st: _Statement, i: int, at: _At, make: _GoType) -> _At:
        """The value key part ``i`` names inside ``at``, created if need be."""
        while at.type.kind in ("ptr", "any"):
            at = self.deref(at) if at.type.kind == "ptr" else self.any_at(at, _MAP_ANY)
        kind = at.type.kind
        if kind == "map":
            return self.map_at(at, st.segments[i][0], fresh=False, make=make)[0]
        if kind in ("struct", "text", "time"):
            return self.field_at(at, st, i)
        what = format_path(at.wpath) or "the top level"
        raise self.crash(
            st.node,
            f"the header goes below `{what}`, which holds {_a(at.type)} and not a table, and the "
            f"decoder panics (unhandled part: {at.type.go})",
            _unknown_anchor(st.node),
            at.wpath,
        )

    # -- [[array table]] headers (go-toml: handleArrayTable*) ---------------------------
    def array_table(self, st: _Statement, at: _At) -> None:
        last = len(st.segments) - 1
        created: list[tuple[_At, list[Any]]] = []  # elements kept only if the header is found
        try:
            for i in range(last + 1):
                at = self.key_part(st, i, at, _SLICE_ANY if i == last else _MAP_ANY)
                if i == last:
                    at = self.collection_last(st, at)
                    break
                while at.type.kind == "ptr":
                    at = self.deref(at)
                if at.type.kind == "slice":
                    items = at.get()
                    if not items:
                        assert at.type.elem is not None
                        items.append(_zero(at.type.elem) if at.type.elem.kind != "any" else {})
                        created.append((at, items))
                    at = self.element_at(at, st, len(items) - 1)
        except (_Missing, _Failed):
            for owner, items in reversed(created):
                items.pop()
                self.forget((*owner.cpath, 0))
            raise
        self.target = at

    def collection_last(self, st: _Statement, at: _At) -> _At:
        """A new element at the end of the array a header names (emptied first on its first use)."""
        while at.type.kind == "ptr":
            at = self.deref(at)
        if at.type.kind == "any":
            if not isinstance(at.get(), list):
                at.set([])
            at = _At(at.box, at.key, _SLICE_ANY, at.tn, at.cpath, at.wpath, owner=at.owner)
        if at.type.kind != "slice":
            raise self.fail(at, st.node, None, got="an array of tables")
        items = at.get()
        if self.clear and items:
            self.add_dropped(at, st.node)
            items.clear()
            self.forget(at.cpath)
        self.clear = False
        assert at.type.elem is not None
        items.append(_zero(at.type.elem) if at.type.elem.kind != "any" else {})
        element = self.element_at(at, st, len(items) - 1)
        if element.tn is not st.node:
            element.tn = st.node
            self.register(element)
        if at.type.elem.kind == "any":
            element = self.any_at(element, _MAP_ANY)
        return element

    def add_dropped(self, at: _At, node: TomlNode) -> None:
        """A statement replaces a value an earlier statement (another spelling) set: it is lost."""
        nodes = self.out.tables.get(at.cpath) or []
        entry = self.out.entries.get(at.cpath)
        other = next((n for n in nodes if n is not node), None) or (entry.node if entry is not None else None)
        name = at.cpath[-1] if at.cpath else None
        if other is None or other is node or not isinstance(name, str):
            return
        self.add("case-duplicate", at.wpath, node, canonical=name, anchor=_key_anchor(node), other=other)

    # -- key/value statements (go-toml: handleKeyValue*, handleValue) -------------------
    def key_value(self, st: _Statement, at: _At) -> None:
        parts = len(st.segments)
        try:
            for i in range(parts - 1):
                at = self.kv_part(st, i, at, last=False)
            if parts:
                at = self.kv_part(st, parts - 1, at, last=True)
            self.value(st.node, st.value, at)
        except _Missing as missing:
            self.missing(st, missing)
        except _Failed:
            pass

    def kv_part(self, st: _Statement, i: int, at: _At, last: bool) -> _At:
        """The value key part ``i`` of a key/value names inside ``at``."""
        while at.type.kind in ("ptr", "any"):
            if at.type.kind == "ptr":
                at = self.deref(at)
            else:
                if not isinstance(at.get(), dict):  # anything but a table is replaced by one
                    at.set({})
                at = _At(at.box, at.key, _MAP_ANY, at.tn, at.cpath, at.wpath, owner=at.owner)
        kind = at.type.kind
        name = st.segments[i][0]
        if kind == "map":
            child, existed = self.map_at(at, name, fresh=last)
            if last and existed:
                self.add_dropped(child, st.node)
            # A struct stored in a map is a copy go-toml cannot set pointers in.
            child.addressable = last or not existed or at.type.elem is None or at.type.elem.kind != "struct"
            return child
        if kind not in ("struct", "text", "time"):
            raise self.fail(at, st.node, None, got="a table")  # "unhandled kv part"
        child = self.field_at(at, st, i)
        if child.type.kind != "ptr":
            return child
        if child.get() is None and not at.addressable:
            raise self.crash(
                st.node,
                f"`{format_path(at.wpath)}` already exists, made by an earlier dotted key, and setting "
                f"its unset `{name}` through another dotted key panics the decoder (reflect.Value.Set "
                f"using unaddressable value); write `[{format_path(at.wpath)}]` as a table instead",
                (st.node.decl_start, st.node.decl_end),
                (*at.wpath, name),
            )
        return self.deref(child) if not last else child

    def value(self, node: TomlNode, value: Any, at: _At) -> None:
        while at.type.kind == "ptr":
            at = self.deref(at)
        t = at.type
        if t.leaf is not None:
            self.leaf_value(node, value, at)
            return
        if t.kind == "any":
            old = at.get()
            if node.kind == "table" and isinstance(old, dict) and isinstance(value, dict):
                old.update(value)
            else:
                at.set(value)
        elif t.kind in ("struct", "map"):
            if node.kind != "table":
                raise self.fail(at, node, value)
            if at.tn is not node:
                at.tn = node
                self.register(at)
            for sub in _inline_statements(node, value):
                self.key_value(
                    sub, _At(at.box, at.key, t, node, at.cpath, at.wpath, at.addressable, at.owner)
                )
        elif t.kind == "slice":
            if node.kind != "array":
                raise self.fail(at, node, value)
            items = at.get()
            if items:
                self.add_dropped(at, node)
                items.clear()
                self.forget(at.cpath)
            assert t.elem is not None
            at.tn = node
            self.register(at)
            for i, (item, item_value) in enumerate(zip(node.items or [], value or [], strict=False)):
                items.append(_zero(t.elem))
                element = _At(items, i, t.elem, item, (*at.cpath, i), (*at.wpath, i), owner=at.owner)
                if t.elem.kind == "struct" and item.kind == "table":
                    self.register(element)
                self.value(item, item_value, element)
        else:
            self.scalar(node, value, at)
        if at.owner is not None:
            self.refresh(at.owner)

    def scalar(self, node: TomlNode, value: Any, at: _At) -> None:
        """A string or integer inside a key's value (a label, a size's Bytes)."""
        t = at.type
        ok = node.kind == "value" and (
            isinstance(value, str)
            if t.kind == "string"
            else isinstance(value, int) and not isinstance(value, bool)
        )
        if not ok:
            self.wrong(at.wpath, node, value, "a string" if t.kind == "string" else "an integer", t.go)
            raise _Failed()
        at.set(value)

    def leaf_value(self, node: TomlNode, value: Any, at: _At) -> None:
        """A whole key's value: the checks of ``leaf`` plus what the Go value keeps."""
        leaf = at.type.leaf
        assert leaf is not None
        before = len(self.out.issues)
        previous = self.out.entries.get(at.cpath)
        merged = leaf.go_type.startswith("map[") and previous is not None and isinstance(previous.value, dict)
        if previous is not None and previous.node is not node and not merged:
            self.add(
                "case-duplicate",
                at.wpath,
                node,
                canonical=leaf.name,
                anchor=_key_anchor(node),
                other=previous.node,
            )
            before += 1
        self.leaf(leaf, node, value, at.cpath, at.wpath)
        if len(self.out.issues) > before and any(
            i.kind in ("type", "value") for i in self.out.issues[before:]
        ):
            raise _Failed()
        entry = self.out.entries.get(at.cpath)
        if entry is None:
            return
        if merged and previous is not None and isinstance(entry.value, dict):
            entry.value = {**previous.value, **entry.value}
        if at.type.kind == "map":
            old = at.get()
            base = old if isinstance(old, dict) else {}
            base.update(value if isinstance(value, dict) else {})
            at.set(base)
        elif at.type.kind == "slice":
            at.set(list(value) if isinstance(value, list) else [])
        elif at.type.kind == "text":
            at.set(_GoStruct())
        else:
            at.set(value)

    def refresh(self, owner: _At) -> None:
        """A label, size field or free-form option was set below a key: update the key's value."""
        leaf = owner.type.leaf
        if leaf is None:
            return
        value = owner.get()
        node = owner.tn or self.doc.root
        if owner.type.kind == "text" and isinstance(value, _GoStruct):
            if leaf.go_type.lstrip("*") != "DiskSpace":
                return
            result: Any = DiskSpace(value.fields.get("Bytes", 0), value.fields.get("Percentage", 0))
        elif isinstance(value, dict):
            result = dict(value)
        else:
            return
        self.out.entries[owner.cpath] = Entry(owner.cpath, owner.wpath, node, leaf, result)

    # -- values of keys ------------------------------------------------------------------
    def leaf(self, schema: Leaf, node: TomlNode, value: Any, cpath: Path, wpath: Path) -> None:
        go = schema.go_type
        result: Any = value
        ok = True
        if go == "string":
            ok = node.kind == "value" and isinstance(value, str)
        elif go in ("bool", "*bool"):
            ok = node.kind == "value" and isinstance(value, bool)
        elif go in ("int", "*int", "int64"):
            ok = node.kind == "value" and isinstance(value, int) and not isinstance(value, bool)
            if ok and not INT64_MIN <= value <= INT64_MAX:
                self.add(
                    "value",
                    wpath,
                    node,
                    "is out of the range of a 64-bit integer",
                    anchor=_value_anchor(node),
                )
                return
        elif go == "[]string":
            if node.kind != "array":
                ok = False
            else:
                for i, (item, item_value) in enumerate(zip(node.items or [], value, strict=False)):
                    if item.kind != "value" or not isinstance(item_value, str):
                        self.wrong((*wpath, i), item, item_value, "every element to be a string", "string")
                        return
        elif go == "map[string]string":
            if node.kind != "table":
                ok = False
            else:
                for key, child in (node.children or {}).items():
                    if child.kind != "value" or not isinstance(value[key], str):
                        self.wrong((*wpath, key), child, value[key], "a string", "string")
                        return
        elif go == "map[string]any":
            ok = node.kind == "table"
        elif go == "DiskSpace":
            result = self.text_value(schema, node, value, wpath, parse_disk_space)
            if result is None:
                return
        elif go in ("Duration", "*Duration"):
            result = self.text_value(schema, node, value, wpath, parse_duration)
            if result is None:
                return
        if not ok:
            self.type_error(schema, node, value, wpath)
            return
        self.out.entries[cpath] = Entry(cpath, wpath, node, schema, result)

    def text_value(self, schema: Leaf, node: TomlNode, value: Any, wpath: Path, parse: Any) -> Any:
        """DiskSpace/Duration: any scalar token's text goes to UnmarshalText."""
        if node.kind == "array" or node.kind == "aot":
            self.type_error(schema, node, value, wpath)
            return None
        if node.kind == "table":
            return self.text_table(schema, node, value, wpath)
        text = value if isinstance(value, str) else self.raw(node)
        try:
            return parse(text)
        except ValueError_ as exc:
            self.add("value", wpath, node, str(exc), canonical=schema.go_type, anchor=_value_anchor(node))
            return None

    def text_table(self, schema: Leaf, node: TomlNode, value: dict[str, Any], wpath: Path) -> Any:
        """A table given to a text type is decoded field by field (an undocumented corner)."""
        if schema.go_type != "DiskSpace":
            for key, child in (node.children or {}).items():
                self.add("unknown", (*wpath, key), child, anchor=_unknown_anchor(child))
            return 0
        fields = {"bytes": 0, "percentage": 0}
        for key, child in (node.children or {}).items():
            low = key.lower()
            v = value[key]
            if low not in fields:
                self.add("unknown", (*wpath, key), child, anchor=_unknown_anchor(child))
            elif child.kind != "value" or isinstance(v, bool) or not isinstance(v, int):
                self.wrong((*wpath, key), child, v, "an integer", "int64")
                return None
            else:
                fields[low] = v
        return DiskSpace(bytes=fields["bytes"], percentage=fields["percentage"])


def _table_kind(node: Node) -> str:
    if isinstance(node, MapOf):
        return "map[string]any"
    if isinstance(node, ArrayOf):
        return "array of tables"
    return "table"


def _anchor(node: TomlNode) -> tuple[int, int]:
    return node.anchor


def _key_anchor(node: TomlNode) -> tuple[int, int]:
    if node.origin in ("header", "aot") and node.segments:
        return node.segments[-1][1], node.segments[-1][2]
    if node.key_start >= 0:
        return node.key_start, node.key_end
    return node.anchor


def _value_anchor(node: TomlNode) -> tuple[int, int]:
    if node.value_start >= 0:
        return node.value_start, node.value_end
    return _unknown_anchor(node)


def _unknown_anchor(node: TomlNode) -> tuple[int, int]:
    if node.origin in ("header", "aot") and node.segments:
        return node.segments[0][1], node.segments[-1][2]
    if node.decl_start >= 0:
        return node.decl_start, node.decl_end
    return node.anchor


def decode(doc: Document) -> Decoded:
    return _Decoder(doc).run(_file_statements(doc))


def decode_table(doc: Document, path: tuple[str, ...]) -> Decoded:
    """The loader's view of the `[table]` at ``path`` alone, for ``decode_split``."""
    node, data = doc.root, doc.data
    for name in path:
        assert node.children is not None
        node, data = node.children[name], data[name]
    header = _Statement("table", node.decl_start, node, node.segments, None)
    return _Decoder(doc).run([header, *_statements([(node, data)])])


def decode_split(doc: Document, alone: Sequence[tuple[str, TomlNode, Decoded]]) -> tuple[Decoded, Decoded]:
    """(the loader's view of ``doc``, that of ``doc`` without the tables in ``alone``).

    ``alone`` lists, in file order, every table of one or more maps of the root (by the
    map's name, the table's header node in ``doc`` and what ``decode_table`` found for it
    alone). The rest of the file is decoded here and the two are joined in file order,
    which is what decoding the whole file gives provided (the caller vouches) each table
    is a `[map."key"]` table written once, under the map's exact field name, and nothing
    else reaches the map: then the Go value each fills is new and nothing else can change
    its decode. The root and the map are this document's nodes.
    """
    maps = {name: doc.root.child(name) for name in {name for name, _, _ in alone}}
    skip = {id(node) for node in maps.values() if node is not None}
    if len(skip) != len(maps) or sum(len(n.children or ()) for n in maps.values() if n) != len(alone):
        raise ValueError("decode_split: the tables given are not all the tables of their maps")
    decoder = _Decoder(doc)
    decoder.marks = []
    rest = decoder.run(_file_statements(doc, skip))
    marks = decoder.marks
    marks.append((len(doc.text) + 1, len(rest.entries), len(rest.tables), len(rest.issues)))
    offsets = [m[0] for m in marks]
    entries = list(rest.entries.items())
    tables = list(rest.tables.items())
    e_parts: list[Any] = []
    t_parts: list[Any] = []
    i_parts: list[Any] = []
    cut = -1  # the rest up to marks[cut] is in (the root table comes before any statement)
    e0 = t0 = i0 = 0
    for name, header, part in alone:
        at = bisect.bisect_left(offsets, header.decl_start)
        if at != cut:  # statements of the rest between the previous table and this one
            cut = at
            _, e, t, i = marks[at]
            e_parts.append(entries[e0:e])
            i_parts.append(rest.issues[i0:i])
            t_parts.append(tables[t0:t])
            e0, t0, i0 = e, t, i
        pieces = part.pieces
        if pieces is None:
            pieces = part.pieces = _Pieces.of(part, name, header)
        if maps:
            for path in pieces.shallow:  # the map's own table: where its first table is
                holder = maps.pop(str(path[0]), None)
                if holder is not None:
                    t_parts.append(((path, [holder]),))
        e_parts.append(part.entries.items())
        i_parts.append(part.issues)
        t_parts.append(pieces.deep)
    e_parts.append(entries[e0:])
    t_parts.append(tables[t0:])
    i_parts.append(rest.issues[i0:])
    whole = Decoded(
        list(chain.from_iterable(i_parts)), dict(chain.from_iterable(e_parts)), dict(chain.from_iterable(t_parts))
    )
    # Its indexes, from the rest's and each table's (what Decoded would build on first use).
    children = _children(rest.tables, 1)
    children[()] = dict.fromkeys(p[0] for p in whole.tables if p)
    by_prefix = _by_prefix(rest.entries, 1)
    by_prefix[()] = list(whole.entries.values())
    for name, _, part in alone:
        assert part.pieces is not None
        key, pieces = part.pieces.key, part.pieces
        whole.alone[key] = part
        children.setdefault((name,), {})[key[1]] = None
        children.update(pieces.children)
        if pieces.values:
            by_prefix.setdefault((name,), []).extend(pieces.values)
        by_prefix.update(pieces.by_prefix)
    whole._children = children
    whole._by_prefix = by_prefix
    return whole, rest


def decode_split_again(
    doc: Document, previous: Decoded, rest: Decoded, name: str, header: TomlNode, old: Decoded, new: Decoded
) -> Decoded | None:
    """``decode_split``'s whole decode for ``doc``, from that of the previous version
    (``previous``), when only one of its tables changed — its decode alone went from ``old``
    to ``new`` — and kept its tables' paths: the containers are copied and that table's
    entries and issues put in where its old ones were (each table's are contiguous, in file
    order). The rest of the file's decode is the previous one's (``rest``, its root table
    set to this document's). None when it cannot tell where they go (the table had no
    entries, or had no issues and the issues are not in the order of their anchors)."""
    pieces = new.pieces = _Pieces.of(new, name, header)
    was = old.pieces
    holder = doc.root.child(name)
    index, by_prefix = previous._children, previous._by_prefix
    if (
        was is None
        or holder is None
        or index is None
        or by_prefix is None
        or not old.entries
        or was.key != pieces.key
        or was.shallow != pieces.shallow
        or [p for p, _ in was.deep] != [p for p, _ in pieces.deep]
    ):
        return None
    items = list(previous.entries.items())
    first = next(iter(old.entries))
    at = next((n for n, (path, _) in enumerate(items) if path == first), -1)
    if at < 0:
        return None
    entries = dict(chain(items[:at], new.entries.items(), items[at + len(old.entries) :]))
    issues = _issues_again(previous.issues, old.issues, new.issues, header.decl_start)
    if issues is None:
        return None
    tables = dict(previous.tables)
    if () in tables:  # the root and the map are this document's (the parse copied them)
        tables[()] = [doc.root]
    tables[(name,)] = [holder]
    tables.update(pieces.deep)
    whole = Decoded(issues, entries, tables)
    whole.alone = dict(previous.alone)
    whole.alone[pieces.key] = new
    whole._children = index  # the same tables: the same keys below each
    in_map = by_prefix.get((name,), [])
    start = next((n for n, e in enumerate(in_map) if e is old.entries[first]), -1)
    if start < 0:
        return None
    by_prefix = dict(by_prefix)
    for path in was.by_prefix:
        del by_prefix[path]
    by_prefix.update(pieces.by_prefix)
    by_prefix[()] = list(entries.values())
    by_prefix[(name,)] = [*in_map[:start], *pieces.values, *in_map[start + len(was.values) :]]
    whole._by_prefix = by_prefix
    if () in rest.tables:
        rest.tables[()] = [doc.root]
    return whole


def _issues_again(issues: list[Issue], old: list[Issue], new: list[Issue], start: int) -> list[Issue] | None:
    """``issues`` with a table's ``old`` ones replaced by its ``new`` ones: where the old ones
    were, or, when it had none, before the first issue anchored after the table's start
    (``start``) provided the issues are in the order of their anchors. None otherwise."""
    if old:
        at = next((n for n, issue in enumerate(issues) if issue is old[0]), -1)
        return None if at < 0 else [*issues[:at], *new, *issues[at + len(old) :]]
    if not new:
        return list(issues)
    anchors = [issue.anchor[0] for issue in issues]
    if anchors != sorted(anchors) or any(a <= 0 for a in anchors):
        return None
    at = bisect.bisect_right(anchors, start)
    return [*issues[:at], *new, *issues[at:]]


def misfit(doc: Document, schema: Node, node: TomlNode, value: Any) -> str | None:
    """Why the loader would refuse ``value`` (written at ``node``) for the field ``schema``; None if not.

    For suggestions: renaming a key onto a field of another type trades an ignored key for
    a daemon that does not start.
    """
    decoder = _Decoder(doc)
    t = _go_type(schema)
    at = _At({"": _zero(t)}, "", t, node, (), ())
    try:
        if node.kind == "aot":
            if t.kind != "slice" or t.leaf is not None:
                raise decoder.fail(at, node, None, got="an array of tables")
            assert t.elem is not None
            for item, item_value in zip(node.items or [], value or [], strict=False):
                element = _At({"": _zero(t.elem)}, "", t.elem, item, (), ())
                for st in _inline_statements(item, item_value):
                    decoder.key_value(st, element)
        elif node.kind == "table" and node.value_start < 0:  # a [header] or dotted table
            while at.type.kind == "ptr":
                at = decoder.deref(at)
            if at.type.kind == "slice":
                raise decoder.fail(at, node, None)
            for st in _inline_statements(node, value):
                decoder.key_value(st, at)
        else:
            decoder.value(node, value, at)
    except (_Missing, _Failed):
        pass
    refused = [i for i in decoder.out.issues if i.kind in ("type", "value", "crash")]
    return refused[0].message if refused else None
