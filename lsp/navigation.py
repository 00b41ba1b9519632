"""Document links and go-to-definition for certificate paths; the document-symbol outline."""

from __future__ import annotations

import os
from collections.abc import Iterator

from lsprotocol import types
from pygls.uris import from_fs_path

from bklint.lsp.analysis import Analysis
from bklint.lsp.schema_info import PATH_KEYS, resolve_file
from bklint.rules.base import Position, Span
from bklint.rules.document import Document, TomlNode
from bklint.rules.schema.tree import resolve


def cert_paths(a: Analysis) -> Iterator[tuple[Span, str]]:
    """(span of the path inside its quotes, absolute file) for every existing cert/key/CA file."""
    ctx = a.result.context
    doc = a.result.doc
    if ctx is None or doc is None or ctx.decoded is None:
        return
    base = a.settings.rules.base_dir
    for entry in ctx.decoded.entries.values():
        _, canonical = resolve(entry.path)
        if canonical not in PATH_KEYS:
            continue
        nodes = entry.node.items if entry.node.kind == "array" else [entry.node]
        values = entry.value if isinstance(entry.value, list) else [entry.value]
        for node, value in zip(nodes or [], values, strict=False):
            if not isinstance(value, str) or not value or node.value_start < 0:
                continue
            full = resolve_file(value, base)
            if os.path.isfile(full):
                yield doc.span(node.value_start + 1, node.value_end - 1), full


def document_links(a: Analysis) -> list[types.DocumentLink]:
    return [
        types.DocumentLink(range=a.lines.range(span), target=from_fs_path(path), tooltip=path)
        for span, path in cert_paths(a)
    ]


def definition(a: Analysis, pos: Position) -> list[types.Location]:
    zero = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    return [
        types.Location(uri=from_fs_path(path) or path, range=zero)
        for span, path in cert_paths(a)
        if span.contains(pos)
    ]


_VALUE_KINDS = {
    bool: types.SymbolKind.Boolean,
    int: types.SymbolKind.Number,
    float: types.SymbolKind.Number,
    str: types.SymbolKind.String,
    list: types.SymbolKind.Array,
}


def document_symbols(a: Analysis) -> list[types.DocumentSymbol]:
    doc = a.result.doc
    if doc is None:
        return []
    return _children(a, doc, doc.root, doc.data)


def _children(a: Analysis, doc: Document, node: TomlNode, data: object) -> list[types.DocumentSymbol]:
    out: list[types.DocumentSymbol] = []
    values = data if isinstance(data, dict) else {}
    for name, child in (node.children or {}).items():
        symbol = _symbol(a, doc, name, child, values.get(name))
        if symbol is not None:
            out.append(symbol)
    return out


def _symbol(a: Analysis, doc: Document, name: str, node: TomlNode, value: object) -> types.DocumentSymbol | None:
    children: list[types.DocumentSymbol] = []
    if node.kind == "aot":
        items = value if isinstance(value, list) else []
        for i, item in enumerate(node.items or []):
            sub = _children(a, doc, item, items[i] if i < len(items) else {})
            span = _extent(a, doc, item, sub)
            if span is not None:
                children.append(
                    types.DocumentSymbol(
                        name=f"{name}[{i}]",
                        kind=types.SymbolKind.Object,
                        range=span[0],
                        selection_range=span[1],
                        children=sub or None,
                    )
                )
        kind = types.SymbolKind.Array
    elif node.kind == "table":
        children = _children(a, doc, node, value)
        kind = types.SymbolKind.Namespace if node.origin != "inline" else types.SymbolKind.Object
    else:
        kind = _VALUE_KINDS.get(type(value), types.SymbolKind.Variable)
    span = _extent(a, doc, node, children)
    if span is None:
        return None
    detail = None
    if node.kind == "value" and node.value_start >= 0:
        detail = doc.text[node.value_start : node.value_end][:80]
    return types.DocumentSymbol(
        name=name, kind=kind, range=span[0], selection_range=span[1], detail=detail, children=children or None
    )


def _extent(
    a: Analysis, doc: Document, node: TomlNode, children: list[types.DocumentSymbol]
) -> tuple[types.Range, types.Range] | None:
    """(whole range, name range): the node's own text, grown to cover its children."""
    pieces = [
        node.headers[0] if node.headers else (-1, -1),
        (node.decl_start, node.decl_end),
        (node.key_start, node.key_end),
        (node.value_start, node.value_end),
    ]
    own = [(s, e) for s, e in pieces if s >= 0]
    if not own and not children:
        return None
    points: list[tuple[int, int]] = []
    for s, e in own:
        rng = a.lines.range(doc.span(s, e))
        points += [(rng.start.line, rng.start.character), (rng.end.line, rng.end.character)]
    for c in children:
        points += [(c.range.start.line, c.range.start.character), (c.range.end.line, c.range.end.character)]
    lo, hi = min(points), max(points)
    whole = types.Range(start=types.Position(line=lo[0], character=lo[1]), end=types.Position(line=hi[0], character=hi[1]))
    name = a.lines.range(doc.span(*own[0])) if own else children[0].selection_range
    return whole, name
