"""Judge a parsed document the way buildkitd's loader (go-toml v2) decodes it.

The loader stops at the first error and never mentions unknown keys; this decoder walks
the whole document and records every fact a rule may want: each key it would ignore, each
value it would refuse, case-insensitive matches, and the inputs on which it crashes. Rules
turn these facts into findings; nothing here decides wording or severity for the user.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Literal

from bklint.rules.document import Document, TomlNode
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

Path = tuple[str | int, ...]
IssueKind = Literal["unknown", "type", "value", "case", "case-duplicate", "crash"]


@dataclass(slots=True)
class Issue:
    kind: IssueKind
    path: Path  # as written in the file
    node: TomlNode
    message: str = ""
    # For "unknown": the struct the key was looked up in (None inside an unknown subtree).
    parent: Struct | None = None
    # For "case"/"case-duplicate": the canonical spelling; for "type": the expected Go type.
    canonical: str = ""
    # Where to point: (start, end) offsets.
    anchor: tuple[int, int] = (0, 0)
    # For "case-duplicate": the node that loses (the earlier spelling).
    other: TomlNode | None = None


@dataclass(slots=True)
class Entry:
    """A leaf value the loader would store, with where it came from."""

    path: Path  # canonical: struct fields in their TOML tag spelling, map keys as written
    written: Path
    node: TomlNode
    schema: Leaf
    value: Any


@dataclass(slots=True)
class Decoded:
    issues: list[Issue] = field(default_factory=list)
    entries: dict[Path, Entry] = field(default_factory=dict)
    # Canonical table path -> the nodes that declare it (several when spellings differ by case).
    tables: dict[Path, list[TomlNode]] = field(default_factory=dict)

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
    _by_prefix: dict[Path, list[Entry]] | None = field(default=None, init=False, repr=False, compare=False)
    # Values rules derive from the decoded config and share (e.g. parsed mirrors per registry).
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _children: dict[Path, dict[str | int, None]] | None = field(default=None, init=False, repr=False, compare=False)

    def under(self, *prefix: str | int) -> list[Entry]:
        if self._by_prefix is None:
            index: dict[Path, list[Entry]] = {}
            for p, e in self.entries.items():
                for n in range(len(p) + 1):
                    index.setdefault(p[:n], []).append(e)
            self._by_prefix = index
        return list(self._by_prefix.get(prefix, ()))

    def _child_index(self) -> dict[Path, dict[str | int, None]]:
        if self._children is None:
            index: dict[Path, dict[str | int, None]] = {}
            for p in self.tables:
                for n in range(len(p)):
                    index.setdefault(p[:n], {}).setdefault(p[n], None)
            self._children = index
        return self._children

    def map_keys(self, *path: str | int) -> list[str]:
        """Keys of a map table such as ``registry``, in file order."""
        return [k for k in self._child_index().get(path, {}) if isinstance(k, str)]

    def count(self, *path: str | int) -> int:
        """Number of elements of an array of tables such as ``worker.oci.gcpolicy``."""
        return sum(1 for k in self._child_index().get(path, {}) if isinstance(k, int))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.kind in ("type", "value", "crash")]


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
    if isinstance(value, _dt.datetime):
        return "a date-time"
    if isinstance(value, _dt.date):
        return "a date"
    if isinstance(value, _dt.time):
        return "a time"
    return "a value"


class _Decoder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.out = Decoded()

    # -- helpers ------------------------------------------------------------------------
    def add(self, kind: IssueKind, path: Path, node: TomlNode, message: str = "", **kw: Any) -> None:
        anchor = kw.pop("anchor", None) or _anchor(node)
        self.out.issues.append(Issue(kind, path, node, message, anchor=anchor, **kw))

    def raw(self, node: TomlNode) -> str:
        return self.doc.text[node.value_start : node.value_end]

    def type_error(self, leaf_or_node: Node, node: TomlNode, value: Any, path: Path) -> None:
        go_type = leaf_or_node.go_type if isinstance(leaf_or_node, Leaf) else _table_kind(leaf_or_node)
        got = toml_type(node, value)
        self.add(
            "type",
            path,
            node,
            f"expects {expected_text(go_type)}, not {got}",
            canonical=go_type,
            anchor=_value_anchor(node),
        )

    # -- walking ------------------------------------------------------------------------
    def struct(self, schema: Struct, node: TomlNode, data: dict[str, Any], cpath: Path, wpath: Path) -> None:
        self.out.tables.setdefault(cpath, []).append(node)
        seen: dict[str, tuple[str, TomlNode]] = {}
        for key, child in (node.children or {}).items():
            value = data.get(key)
            fschema = schema.field_for(key)
            if fschema is None:
                self.unknown(child, (*wpath, key), schema)
                continue
            canonical = fschema.name
            if key != canonical:
                self.add("case", (*wpath, key), child, canonical=canonical, anchor=_key_anchor(child))
            if canonical in seen:
                self.add(
                    "case-duplicate",
                    (*wpath, key),
                    child,
                    canonical=canonical,
                    anchor=_key_anchor(child),
                    other=seen[canonical][1],
                )
            seen[canonical] = (key, child)
            self.field(fschema, child, value, (*cpath, canonical), (*wpath, key))

    def field(self, schema: Node, node: TomlNode, value: Any, cpath: Path, wpath: Path) -> None:
        if isinstance(schema, Leaf):
            self.leaf(schema, node, value, cpath, wpath)
        elif isinstance(schema, Struct):
            if node.kind != "table":
                self.type_error(schema, node, value, wpath)
                return
            self.struct(schema, node, value, cpath, wpath)
        elif isinstance(schema, MapOf):
            if node.kind != "table":
                self.type_error(schema, node, value, wpath)
                return
            self.out.tables.setdefault(cpath, []).append(node)
            for key, child in (node.children or {}).items():
                if child.kind != "table":
                    self.type_error(schema.item, child, value[key], (*wpath, key))
                    continue
                self.map_item(schema.item, child, value[key], (*cpath, key), (*wpath, key))
        else:
            self.array_of(schema, node, value, cpath, wpath)

    def map_item(self, schema: Struct, node: TomlNode, data: dict[str, Any], cpath: Path, wpath: Path) -> None:
        # go-toml v2 decodes dotted keys into a map element through an unaddressable copy: the
        # second key that sets a pointer field (*bool) panics the loader.
        if node.origin == "dotted":
            for i, (key, child) in enumerate((node.children or {}).items()):
                fschema = schema.field_for(key)
                if (
                    i > 0
                    and isinstance(fschema, Leaf)
                    and fschema.go_type.startswith("*")
                    and len(child.segments) > 1
                ):
                    self.add(
                        "crash",
                        (*wpath, key),
                        child,
                        "buildkitd (and `docker buildx create`) crash on this file: setting "
                        f"`{key}` of a registry through a dotted key after another dotted key "
                        "panics the decoder (reflect.Value.Set using unaddressable value)",
                        anchor=(child.decl_start, child.decl_end),
                    )
                    break
        self.struct(schema, node, data, cpath, wpath)

    def array_of(self, schema: ArrayOf, node: TomlNode, value: Any, cpath: Path, wpath: Path) -> None:
        if node.kind == "aot" or (node.kind == "array" and all(i.kind == "table" for i in node.items or [])):
            self.out.tables.setdefault(cpath, []).append(node)
            for i, item in enumerate(node.items or []):
                self.struct(schema.item, item, value[i], (*cpath, i), (*wpath, i))
            return
        self.type_error(schema, node, value, wpath)

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
                self.add("value", wpath, node, "is out of the range of a 64-bit integer", anchor=_value_anchor(node))
                return
        elif go == "[]string":
            if node.kind != "array":
                ok = False
            else:
                for i, (item, item_value) in enumerate(zip(node.items or [], value, strict=False)):
                    if item.kind != "value" or not isinstance(item_value, str):
                        self.add(
                            "type",
                            (*wpath, i),
                            item,
                            f"expects every element to be a string, not {toml_type(item, item_value)}",
                            canonical="string",
                            anchor=_value_anchor(item),
                        )
                        return
        elif go == "map[string]string":
            if node.kind != "table":
                ok = False
            else:
                for key, child in (node.children or {}).items():
                    if child.kind != "value" or not isinstance(value[key], str):
                        self.add(
                            "type",
                            (*wpath, key),
                            child,
                            f"expects a string, not {toml_type(child, value[key])}",
                            canonical="string",
                            anchor=_value_anchor(child),
                        )
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
                self.unknown(child, (*wpath, key), None)
            return 0
        fields = {"bytes": 0, "percentage": 0}
        for key, child in (node.children or {}).items():
            low = key.lower()
            v = value[key]
            if low not in fields:
                self.unknown(child, (*wpath, key), None)
            elif child.kind != "value" or isinstance(v, bool) or not isinstance(v, int):
                self.add(
                    "type", (*wpath, key), child, f"expects an integer, not {toml_type(child, v)}",
                    canonical="int64", anchor=_value_anchor(child),
                )
                return None
            else:
                fields[low] = v
        return DiskSpace(bytes=fields["bytes"], percentage=fields["percentage"])

    def unknown(self, node: TomlNode, wpath: Path, parent: Struct | None) -> None:
        """Record an ignored key: itself if declared in a known table, and every header below it.

        A table made of dotted keys (`a.b = 1`, `a.c = 2`) is several statements, and the
        loader names each one, so each gets its own record. An explicit stack, not recursion:
        a header may have as many parts as the parser allows.
        """
        # (what to record first: "key", "item" or nothing; node; path; struct it was looked up in)
        stack: list[tuple[str, TomlNode, Path, Struct | None]] = [("key", node, wpath, parent)]
        while stack:
            record, cur, path, owner = stack.pop()
            if record == "key":
                self._record_unknown(cur, path, owner)
            elif record == "item":
                self.add("unknown", path, cur, parent=owner, anchor=_unknown_anchor(cur))
            below: list[tuple[str, TomlNode, Path, Struct | None]] = []
            if cur.kind == "aot":
                below.extend(("item", item, (*path, i), owner) for i, item in enumerate(cur.items or []))
            else:
                for key, child in (cur.children or {}).items():
                    if child.origin == "header" or child.kind == "aot":
                        below.append(("key", child, (*path, key), None))
                    elif child.origin == "implicit":
                        below.append(("", child, (*path, key), None))
            stack.extend(reversed(below))

    def _record_unknown(self, node: TomlNode, wpath: Path, parent: Struct | None) -> None:
        if node.origin == "dotted" and node.kind == "table":
            for sub, leaf in _dotted_statements(node, wpath):
                # Only the first segment was looked up in ``parent``; the rest is below it.
                self.add("unknown", sub, leaf, parent=None, anchor=_unknown_anchor(leaf))
        elif node.origin not in ("implicit",) and node.kind != "aot":
            self.add("unknown", wpath, node, parent=parent, anchor=_unknown_anchor(node))


def _dotted_statements(node: TomlNode, wpath: Path) -> list[tuple[Path, TomlNode]]:
    """The `key.sub = value` statements that built a dotted table, one per statement."""
    out: list[tuple[Path, TomlNode]] = []
    seen: set[int] = set()
    stack: list[tuple[Path, TomlNode]] = [(wpath, node)]
    while stack:
        path, cur = stack.pop()
        for key, child in reversed(list((cur.children or {}).items())):
            if child.origin == "dotted" and child.kind == "table":
                stack.append(((*path, key), child))
            elif child.origin not in ("header", "aot", "implicit") and child.decl_start not in seen:
                seen.add(child.decl_start)
                out.append(((*path, key), child))
    out.sort(key=lambda item: item[1].decl_start)
    return out


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


def decode(doc: Document, schema: Struct = CONFIG) -> Decoded:
    decoder = _Decoder(doc)
    decoder.struct(schema, doc.root, doc.data, (), ())
    return decoder.out


def misfit(doc: Document, schema: Node, node: TomlNode, value: Any) -> str | None:
    """Why the loader would refuse ``value`` (written at ``node``) for the field ``schema``; None if not.

    For suggestions: renaming a key onto a field of another type trades an ignored key for
    a daemon that does not start.
    """
    decoder = _Decoder(doc)
    decoder.field(schema, node, value, (), ())
    refused = [i for i in decoder.out.issues if i.kind in ("type", "value", "crash")]
    return refused[0].message if refused else None
