"""Hover: a key's schema facts, what a value means to buildkitd, a noqa code's rule docs."""

from __future__ import annotations

import inspect
import re

from lsprotocol import types

from bklint.linter.run import rules
from bklint.lsp.analysis import Analysis
from bklint.lsp.schema_info import (
    describe_map_key,
    describe_node,
    describe_value,
    display_path,
    is_path_key,
    resolve,
)
from bklint.lsp.textscan import Cursor, cursor_at
from bklint.rules.base import Position, Span
from bklint.rules.schema.nodes import MapOf

_NOQA = re.compile(r"#\s*noqa\s*:\s*(.*)$", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


def hover(a: Analysis, pos: Position) -> types.Hover | None:
    return noqa_hover(a, pos) or value_hover(a, pos) or key_hover(a, pos)


def _markdown(text: str, a: Analysis, span: Span) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=a.lines.range(span)
    )


def noqa_hover(a: Analysis, pos: Position) -> types.Hover | None:
    line = a.lines.line(pos.line)
    m = _NOQA.search(line)
    if m is None or pos.column < m.start(1):
        return None
    by_code = {type(r).code: type(r) for r in rules()}
    for cm in _CODE.finditer(line, m.start(1)):
        if cm.start() <= pos.column <= cm.end():
            rule = by_code.get(cm.group().upper())
            if rule is None:
                return None
            docs = inspect.cleandoc(rule.docs())
            text = f"**{rule.code}** `{rule.name}` — {rule.summary}\n\n{docs}\n\n[Documentation]({rule.url()})"
            return _markdown(text, a, Span.at(pos.line, cm.start(), pos.line, cm.end()))
    return None


def value_hover(a: Analysis, pos: Position) -> types.Hover | None:
    ctx = a.result.context
    doc = a.result.doc
    if ctx is None or doc is None or ctx.decoded is None:
        return None
    offset = doc.offset(pos)
    best = None
    for entry in ctx.decoded.entries.values():
        node = entry.node
        inside = 0 <= node.value_start <= offset <= node.value_end
        if inside and (best is None or node.value_start >= best.node.value_start):
            best = entry
    if best is None:
        return None
    node = best.node
    raw = doc.text[node.value_start : node.value_end]
    if len(raw) > 200:
        raw = raw[:200] + "…"
    _, canonical = resolve(best.path)
    base = a.settings.rules.base_dir if is_path_key(canonical) else None
    text = describe_value(best.schema, best.value, raw, base)
    return _markdown(text, a, doc.span(node.value_start, node.value_end))


def key_hover(a: Analysis, pos: Position) -> types.Hover | None:
    cur = cursor_at(a.layout, pos.line, pos.column)
    if cur.kind not in ("key", "header") or cur.segment_index < 0:
        return None
    return _segment_hover(a, cur, pos.line)


def _segment_hover(a: Analysis, cur: Cursor, line: int) -> types.Hover | None:
    seg = cur.segments[cur.segment_index]
    prefix: tuple[str, ...] = () if cur.kind == "header" or cur.table is None else cur.table.path
    written = (*prefix, *cur.path, seg[0])
    span = Span.at(line, seg[1], line, seg[2])
    parent, _ = resolve(written[:-1])
    if isinstance(parent, MapOf):
        return _markdown(describe_map_key(parent, seg[0]), a, span)
    node, canonical = resolve(written)
    if node is None:
        return _unknown_key_hover(a, written, span)
    return _markdown(describe_node(node, display_path(canonical, written)), a, span)


def _unknown_key_hover(a: Analysis, written: tuple[str, ...], span: Span) -> types.Hover | None:
    """A key buildkitd does not know: the docs of the key a finding's fix renames it to, else the finding."""
    flagged = [f for f in a.findings if f.span == span]
    for finding in flagged:
        edits = finding.fix.edits if finding.fix is not None else ()
        if len(edits) != 1 or edits[0].span != span:
            continue
        renamed = (*written[:-1], edits[0].content)
        node, canonical = resolve(renamed)
        if node is None:
            continue
        head = f"`{written[-1]}` is not a key buildkitd knows ({finding.code}); the fix renames it to `{edits[0].content}`:"
        return _markdown(f"{head}\n\n{describe_node(node, display_path(canonical, renamed))}", a, span)
    if flagged:
        return _markdown("\n\n".join(f"**{f.code}** {f.message}" for f in flagged), a, span)
    return None
