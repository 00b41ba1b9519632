"""Hover and completion text from the key tree the decoder and the rules use.

Nothing here holds its own copy of a key's facts: type, default, allowed values, versions
and docs all come from ``bklint.rules.schema.tree``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from bklint.rules.buildx_certs import resolve as resolve_cert_path
from bklint.rules.schema.decode import expected_text
from bklint.rules.schema.nodes import ArrayOf, Leaf, MapOf, Node, Struct
from bklint.rules.schema.tree import CONFIG, path_keys, resolve
from bklint.rules.schema.values import DiskSpace, human_bytes

# Keys whose values name certificate files (or folders of them), as the tree marks them.
PATH_KEYS = path_keys("file")
DIR_KEYS = path_keys("dir")


def struct_at(path: Sequence[str | int]) -> Struct | None:
    """The struct whose fields are the keys valid in the table at ``path``."""
    node, _ = resolve(path)
    while isinstance(node, (ArrayOf, MapOf)):
        if isinstance(node, MapOf):
            return None  # keys of a map are free-form names, not fields
        node = node.item
    return node if isinstance(node, Struct) else None


def display_path(canonical: Sequence[str], written: Sequence[str | int]) -> str:
    parts = []
    for c, w in zip(canonical, [p for p in written if not isinstance(p, int)], strict=False):
        parts.append(f'"{w}"' if c == "*" else c)
    return ".".join(parts)


def describe_node(node: Node, title: str) -> str:
    """Markdown for hovering a key or a table header."""
    lines = [f"**`{title or '(root)'}`**"]
    if isinstance(node, Leaf):
        lines[0] += f" — {expected_text(node.go_type)} (`{node.go_type}`)"
    elif isinstance(node, MapOf):
        lines[0] += " — a table of named entries"
    elif isinstance(node, ArrayOf):
        lines[0] += " — an array of tables (`[[...]]`)"
    else:
        lines[0] += " — a table"
    if node.doc:
        lines += ["", node.doc]
    facts = []
    if isinstance(node, Leaf):
        if node.default is not None:
            facts.append(f"Default: `{node.default}`")
        allowed = [a for a in node.allowed if a]
        if allowed:
            facts.append("Allowed: " + ", ".join(f"`{a}`" for a in allowed))
        if node.flag:
            facts.append(f"Overridden by the buildkitd flag `{node.flag}`")
        if node.deprecated:
            when = f" since {node.deprecated_since}" if node.deprecated_since else ""
            facts.append(f"Deprecated{when}: use `{node.deprecated}`")
    since: str | None = node.since
    facts.append(f"Since BuildKit {since}" if since else "Since BuildKit v0.10 or earlier")
    lines += ["", *(f"- {f}" for f in facts)]
    return "\n".join(lines)


def describe_map_key(parent: MapOf, name: str) -> str:
    doc = parent.item.doc or parent.doc
    return f'**`{parent.name}."{name}"`** — entry of `{parent.name}`\n\n{doc}'


def _duration_text(ns: int) -> str:
    seconds, rest = divmod(ns, 1_000_000_000)
    text = f"{seconds:,} s" if not rest else f"{ns / 1e9:,.3f} s"
    if seconds >= 86_400 and not seconds % 3_600:
        hours = seconds // 3_600
        text += f" ({hours // 24} d {hours % 24} h)" if hours % 24 else f" ({hours // 24} days)"
    elif seconds >= 3_600 and not seconds % 60:
        text += f" ({seconds / 3_600:g} h)"
    return text


def describe_value(leaf: Leaf, value: Any, raw: str, base_dir: str | None) -> str:
    """Markdown saying what a (decoded) value means to buildkitd."""
    lines = [f"`{raw}`"]
    if isinstance(value, DiskSpace):
        lines[0] += f" = {value.describe()}"
        if value.percentage and value.bytes:
            lines.append(f"(and {human_bytes(value.bytes)})")
    elif leaf.go_type in ("Duration", "*Duration") and isinstance(value, int):
        lines[0] += f" = {_duration_text(value)}"
        if value == 0:
            lines.append("Zero: no age limit.")
    elif isinstance(value, bool):
        lines[0] += " (enabled)" if value else " (disabled)"
    elif leaf.allowed and isinstance(value, str):
        choices = ", ".join(f"`{a}`" for a in leaf.allowed if a)
        lines.append(f"One of {choices}." if value in leaf.allowed else f"Not one of {choices}.")
    if base_dir is not None and isinstance(value, (str, list)):
        paths = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
        for p in paths[:10]:
            full = resolve_file(p, base_dir)
            state = "exists" if os.path.exists(full) else "not found"
            lines.append(f"- `{full}` ({state})")
    lines += ["", f"{leaf.name}: {leaf.doc}" if leaf.doc else ""]
    return "\n".join(line for line in lines).rstrip()


def resolve_file(value: str, base_dir: str) -> str:
    """The file the certificate rules read for ``value`` (no ``~`` expansion: buildx does
    none), normalised for display and links."""
    return os.path.normpath(resolve_cert_path(value, base_dir))


def is_path_key(canonical: Sequence[str]) -> bool:
    return tuple(canonical) in PATH_KEYS or tuple(canonical) in DIR_KEYS


def table_headers() -> Iterator[tuple[str, Node, bool]]:
    """Every table path a header can name: (dotted path, node, is an array of tables)."""

    def walk(node: Struct, prefix: str) -> Iterator[tuple[str, Node, bool]]:
        for name, child in node.fields.items():
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(child, Struct):
                yield path, child, False
                yield from walk(child, path)
            elif isinstance(child, ArrayOf):
                yield path, child, True
            elif isinstance(child, MapOf):
                yield path, child, False

    yield from walk(CONFIG, "")
