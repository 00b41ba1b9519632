"""What the daemon rules share: the strings of a string list, with their nodes."""

from __future__ import annotations

from bklint.rules.document import TomlNode
from bklint.rules.schema.decode import Entry


def string_items(entry: Entry | None) -> list[tuple[str, TomlNode]]:
    if entry is None or not isinstance(entry.value, list) or entry.node.items is None:
        return []
    return [(v, n) for v, n in zip(entry.value, entry.node.items, strict=False) if isinstance(v, str)]
