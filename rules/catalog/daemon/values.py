"""Small readers the daemon rules share: the daemon flag words, string lists, quoting a value."""

from __future__ import annotations

import shlex

from bklint.rules.context import Context
from bklint.rules.document import TomlNode
from bklint.rules.schema.decode import Entry
from bklint.rules.templates import templated


def flag_words(ctx: Context) -> list[str]:
    text = ctx.settings.buildkitd_flags or ""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def has_flag(ctx: Context, *names: str) -> bool:
    for token in flag_words(ctx):
        name = token.split("=", 1)[0]
        if name in names:
            value = token.split("=", 1)[1] if "=" in token else "true"
            if value.lower() != "false":
                return True
    return False


def string_items(entry: Entry | None) -> list[tuple[str, TomlNode]]:
    """The list's string items a rule may judge: template placeholders are left out."""
    if entry is None or not isinstance(entry.value, list) or entry.node.items is None:
        return []
    return [(v, n) for v, n in zip(entry.value, entry.node.items, strict=False) if isinstance(v, str) and not templated(v)]
