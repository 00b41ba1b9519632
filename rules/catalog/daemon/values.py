"""What the daemon rules share: the strings of a string list, with their nodes."""

from __future__ import annotations

from bklint.rules.document import TomlNode
from bklint.rules.schema.decode import Entry
from bklint.rules.templates import templated


def string_items(entry: Entry | None) -> list[tuple[str, TomlNode]]:
    """The list's string items a rule may judge: template placeholders are left out."""
    if entry is None or not isinstance(entry.value, list) or entry.node.items is None:
        return []
    return [(v, n) for v, n in zip(entry.value, entry.node.items, strict=False) if isinstance(v, str) and not templated(v)]
