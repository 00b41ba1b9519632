"""Completion from the key tree: keys of the current table, headers, values, names, paths.

Works on the raw text (``textscan``) because a line being typed is rarely valid TOML.
"""

from __future__ import annotations

import os

from lsprotocol import types

from bklint.lsp.positions import Lines
from bklint.lsp.schema_info import DIR_KEYS, PATH_KEYS, describe_node, struct_at, table_headers
from bklint.lsp.textscan import Cursor, Layout, cursor_at
from bklint.rules import toml_text
from bklint.rules.base import Position, Span
from bklint.rules.schema.nodes import Leaf, MapOf, go_lower
from bklint.rules.schema.tree import resolve

TRIGGERS = ["[", ".", '"', "=", "/", " "]
_MAX_FILES = 200


def _doc(text: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)


def complete(lay: Layout, lines: Lines, pos: Position, base_dir: str) -> list[types.CompletionItem]:
    cur = cursor_at(lay, pos.line, pos.column)
    if cur.kind == "header":
        return header_items(lay, lines, cur, pos)
    if cur.kind == "key":
        return key_items(lay, lines, cur, pos)
    if cur.kind == "value":
        return value_items(lay, lines, cur, pos, base_dir)
    return []


def _edit(lines: Lines, line: int, start: int, end: int, text: str) -> types.TextEdit:
    return types.TextEdit(range=lines.range(Span.at(line, start, line, end)), new_text=text)


def registry_names(lay: Layout) -> list[str]:
    seen: dict[str, None] = {}
    for h in lay.headers:
        if len(h.path) >= 2 and go_lower(h.path[0]) == "registry":
            seen.setdefault(h.path[1], None)
    return list(seen)


def header_items(lay: Layout, lines: Lines, cur: Cursor, pos: Position) -> list[types.CompletionItem]:
    present = {tuple(go_lower(p) for p in h.path) for h in lay.headers if not h.array}
    items: list[types.CompletionItem] = []
    end = pos.column
    line_text = lines.line(pos.line)
    if cur.segments:
        end = max(end, cur.segments[-1][2])
    closing = "]]" if cur.array else "]"
    if line_text[end:].lstrip().startswith("]"):
        closing = ""

    def add(label: str, detail: str, doc: str, kind: types.CompletionItemKind) -> None:
        items.append(
            types.CompletionItem(
                label=label,
                kind=kind,
                detail=detail,
                documentation=_doc(doc) if doc else None,
                filter_text=label,
                text_edit=_edit(lines, pos.line, cur.replace_start, end, label + closing),
            )
        )

    for path, node, is_array in table_headers():
        if is_array != cur.array:
            continue
        if not cur.array and tuple(go_lower(p) for p in path.split(".")) in present:
            continue
        if isinstance(node, MapOf):
            add(f"{path}.{toml_text.basic_string('docker.io')}", "table per registry host", node.doc, types.CompletionItemKind.Module)
            continue
        add(path, "array of tables" if is_array else "table", describe_node(node, path), types.CompletionItemKind.Module)
    for name in registry_names(lay):
        label = f"registry.{toml_text.basic_string(name)}"
        if cur.array:
            add(f"{label}.keypair", "client certificate of a registry in this file", "", types.CompletionItemKind.Reference)
        elif ("registry", go_lower(name)) not in present:
            add(label, "registry already named in this file", "", types.CompletionItemKind.Reference)
    return items


def key_items(lay: Layout, lines: Lines, cur: Cursor, pos: Position) -> list[types.CompletionItem]:
    table_path = cur.table.path if cur.table is not None else ()
    struct = struct_at((*table_path, *cur.path))
    if struct is None:
        return []
    depth = len(cur.path)
    present = {
        go_lower(k[depth])
        for k in lay.keys_in(cur.table)
        if len(k) > depth and tuple(go_lower(p) for p in k[:depth]) == tuple(go_lower(p) for p in cur.path)
    }
    line_text = lines.line(pos.line)
    has_eq = "=" in line_text[pos.column :]
    end = cur.segments[cur.segment_index][2] if cur.segment_index >= 0 else pos.column
    items = []
    for name, node in struct.fields.items():
        if not isinstance(node, Leaf) or go_lower(name) in present:
            continue
        title = ".".join((*table_path, *cur.path, name))
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Property,
                detail=node.go_type,
                documentation=_doc(describe_node(node, title)),
                deprecated=bool(node.deprecated) or None,
                text_edit=_edit(lines, pos.line, cur.replace_start, end, name if has_eq else f"{name} = "),
                filter_text=name,
            )
        )
    return items


def value_items(lay: Layout, lines: Lines, cur: Cursor, pos: Position, base_dir: str) -> list[types.CompletionItem]:
    table_path = cur.table.path if cur.table is not None else ()
    node, canonical = resolve((*table_path, *cur.path))
    if not isinstance(node, Leaf):
        return []
    items: list[types.CompletionItem] = []
    quoted = cur.quote is not None
    if canonical in PATH_KEYS | DIR_KEYS:
        if quoted:
            return path_items(lines, cur, pos, base_dir, dirs_only=canonical in DIR_KEYS)
        return []
    if canonical == ("registry", "*", "mirrors") and quoted:
        own = table_path[1] if len(table_path) > 1 else None
        for name in registry_names(lay):
            if name != own:
                items.extend(_value_item(lines, cur, pos, name, "registry in this file"))
        return items
    for value in node.allowed:
        if value:
            items.extend(_value_item(lines, cur, pos, value, f"allowed value of {node.name}"))
    if node.go_type in ("bool", "*bool") and not quoted:
        for value in ("true", "false"):
            items.extend(_value_item(lines, cur, pos, value, "boolean", literal=True))
    return items


def _value_item(
    lines: Lines, cur: Cursor, pos: Position, value: str, detail: str, literal: bool = False
) -> list[types.CompletionItem]:
    """``value`` as a bare token (``literal``), a new string, or the rest of the open string (none if it cannot be)."""
    if literal:
        text: str | None = value
    elif cur.quote is not None:
        text = toml_text.string_body(value, cur.quote)
    else:
        text = toml_text.basic_string(value)
    if text is None:
        return []
    return [
        types.CompletionItem(
            label=value,
            kind=types.CompletionItemKind.EnumMember if not literal else types.CompletionItemKind.Keyword,
            detail=detail,
            filter_text=text,
            text_edit=_edit(lines, pos.line, cur.replace_start, pos.column, text),
        )
    ]


def path_items(lines: Lines, cur: Cursor, pos: Position, base_dir: str, dirs_only: bool) -> list[types.CompletionItem]:
    """Entries of the directory typed so far, relative to the base directory."""
    typed = cur.partial
    head, _, _tail = typed.rpartition("/")
    directory = os.path.join(base_dir, head + "/" if head or typed.startswith("/") else "")
    try:
        with os.scandir(directory or ".") as it:
            entries = sorted(it, key=lambda e: e.name)[:_MAX_FILES]
    except (OSError, ValueError):  # ValueError: a NUL or a lone surrogate, which no file name holds
        return []
    start = cur.replace_start + (len(head) + 1 if head or typed.startswith("/") else 0)
    items = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if dirs_only and not is_dir:
            continue
        name = entry.name + ("/" if is_dir else "")
        # Inside the open string: a `"` or `\\` in a file name is escaped, a `'` cannot be in a literal one.
        text = toml_text.string_body(name, cur.quote or '"')
        if text is None:
            continue
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Folder if is_dir else types.CompletionItemKind.File,
                detail=os.path.join(directory, entry.name),
                filter_text=text,
                text_edit=_edit(lines, pos.line, start, pos.column, text),
            )
        )
    return items
