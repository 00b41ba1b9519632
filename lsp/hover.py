"""Hover: a key's schema facts, what a value means to buildkitd, a noqa code's rule docs.

Protocol-free (Markdown and a span), so the language server and the browser playground,
which cannot load lsprotocol, show the same text.
"""

from __future__ import annotations

import inspect
import re
from typing import NamedTuple

from bklint.linter.run import LintResult, rules
from bklint.lsp.schema_info import (
    describe_map_key,
    describe_node,
    describe_value,
    display_path,
    is_path_key,
)
from bklint.lsp.textscan import Cursor, Layout, cursor_at, layout
from bklint.rules.base import Position, Span
from bklint.rules.schema.nodes import MapOf
from bklint.rules.schema.tree import resolve

_NOQA = re.compile(r"#\s*noqa\s*:\s*(.*)$", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


class HoverText(NamedTuple):
    markdown: str
    span: Span  # what the hover is about, in code points


def hover_text(
    result: LintResult, pos: Position, base_dir: str | None, lines: Layout | None = None
) -> HoverText | None:
    """What to show at ``pos`` of the linted text; ``base_dir`` None skips file-existence notes.

    ``lines`` is the text's layout when the caller already has it.
    """
    scan = lines if lines is not None else layout(result.text)
    return noqa_hover(scan, pos) or value_hover(result, pos, base_dir) or key_hover(scan, pos, result)


def noqa_hover(scan: Layout, pos: Position) -> HoverText | None:
    line = scan.lines[pos.line] if 0 <= pos.line < len(scan.lines) else ""
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
            return HoverText(text, Span.at(pos.line, cm.start(), pos.line, cm.end()))
    return None


def value_hover(result: LintResult, pos: Position, base_dir: str | None) -> HoverText | None:
    ctx = result.context
    doc = result.doc
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
    base = base_dir if is_path_key(canonical) else None
    text = describe_value(best.schema, best.value, raw, base)
    return HoverText(text + _effective_note(result, best.path), doc.span(node.value_start, node.value_end))


def key_hover(scan: Layout, pos: Position, result: LintResult) -> HoverText | None:
    cur = cursor_at(scan, pos.line, pos.column)
    if cur.kind not in ("key", "header") or cur.segment_index < 0:
        return None
    return _segment_hover(cur, pos.line, result)


def _segment_hover(cur: Cursor, line: int, result: LintResult) -> HoverText | None:
    seg = cur.segments[cur.segment_index]
    prefix: tuple[str, ...] = () if cur.kind == "header" or cur.table is None else cur.table.path
    written = (*prefix, *cur.path, seg[0])
    span = Span.at(line, seg[1], line, seg[2])
    parent, _ = resolve(written[:-1])
    if isinstance(parent, MapOf):
        return HoverText(describe_map_key(parent, seg[0]), span)
    node, canonical = resolve(written)
    if node is None:
        return _unknown_key_hover(result, written, span)
    text = describe_node(node, display_path(canonical, written))
    return HoverText(text + _effective_note(result, _entry_path(result, span) or tuple(canonical)), span)


def _entry_path(result: LintResult, key: Span) -> tuple[str | int, ...] | None:
    """The loader's path of the value a key names: real map keys (`registry."docker.io"`) and
    array-of-tables indices (`[[worker.oci.gcpolicy]]`) included, which the schema path has not."""
    ctx, doc = result.context, result.doc
    if ctx is None or doc is None or ctx.decoded is None:
        return None
    offset = doc.offset(key.start)
    return next((e.path for e in ctx.decoded.entries.values() if e.node.key_start == offset), None)


def _effective_note(result: LintResult, path: tuple[str | int, ...]) -> str:
    """With daemon flags configured: the value buildkitd runs with and where it comes from."""
    ctx = result.context
    if ctx is None or not (ctx.settings.buildkitd_flags or "").strip():
        return ""
    from bklint.rules.effective_config import resolve as effective_values
    from bklint.rules.toml_text import inline_value

    for v in effective_values(ctx):
        if v.path == path:
            shown = inline_value(v.data)
            return f"\n\n**Effective** (with buildkitd-flags): `{shown}` — {v.origin}"
    return ""


def _unknown_key_hover(result: LintResult, written: tuple[str, ...], span: Span) -> HoverText | None:
    """A key buildkitd does not know: the docs of the key a finding's fix renames it to, else the finding."""
    flagged = [f for f in result.findings if f.span == span]
    for finding in flagged:
        edits = finding.fix.edits if finding.fix is not None else ()
        if len(edits) != 1 or edits[0].span != span:
            continue
        renamed = (*written[:-1], edits[0].content)
        node, canonical = resolve(renamed)
        if node is None:
            continue
        head = f"`{written[-1]}` is not a key buildkitd knows ({finding.code}); the fix renames it to `{edits[0].content}`:"
        return HoverText(f"{head}\n\n{describe_node(node, display_path(canonical, renamed))}", span)
    if flagged:
        return HoverText("\n\n".join(f"**{f.code}** {f.message}" for f in flagged), span)
    return None
