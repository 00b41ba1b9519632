"""TOML text at the level of its tokens: how keys and strings are spelled (the one writer
every fix, completion, ``certs`` and ``migrate`` uses) and where strings and comments lie.

TOML has four ways to write a string and three to write a key, and each refuses some
characters: a literal string (``'…'``) cannot hold ``'`` or a control character, a bare
key only ``A-Za-z0-9_-``, and a basic string (``"…"``) must escape ``\\``, ``"`` and every
control character (U+0000–U+001F, U+007F). Writing text that breaks one of these rules
makes the whole file unreadable, so nothing else in bklint builds a quoted key or string
by hand. Every other character, outside the BMP included, is written as itself (the file
is UTF-8), never as a JSON-style surrogate pair.

Where the original spelling is known (``like``: the token being replaced), its style is
kept when it can hold the new value, so a fix changes what it must and nothing more.

:func:`comments` finds every ``#`` outside a string, for fixes (and the fixer's judge)
that must keep every comment they move.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bklint.rules.regex import Regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The escapes TOML gives a short form; every other control character is written \\uXXXX.
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_BASIC_NEEDS_ESCAPE = Regex(r'[\x00-\x1f\x7f"\\]')
_LITERAL_REFUSES = Regex(r"[\x00-\x08\x0a-\x1f\x7f']")
_BARE_KEY = Regex(r"[A-Za-z0-9_-]+")

# String tokens as written in valid TOML, for telling a comment from a `#` inside a string.
BASIC = Regex(r'"(?:[^"\\\n]|\\.)*"')
LITERAL = Regex(r"'[^'\n]*'")
ML_BASIC = Regex(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}')
ML_LITERAL = Regex(r"'''(?:[^']|'(?!''))*'{3,5}")
_STRING_OR_COMMENT = Regex("|".join(p.pattern for p in (ML_BASIC, ML_LITERAL, BASIC, LITERAL)) + r"|(#[^\n]*)")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _SHORT_ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def basic_body(value: str) -> str:
    """``value`` escaped for the inside of a basic (double-quoted) string."""
    return _BASIC_NEEDS_ESCAPE.sub(_escape, value)


def basic_string(value: str) -> str:
    """``value`` as a basic string: always possible."""
    return f'"{basic_body(value)}"'


def literal_string(value: str) -> str | None:
    """``value`` as a literal (single-quoted) string, or None when that cannot hold it."""
    if _LITERAL_REFUSES.search(value):
        return None
    return f"'{value}'"


def string(value: str, like: str = '"') -> str:
    """``value`` as a TOML string, literal when ``like`` (the spelling it replaces) was."""
    if like.startswith("'"):
        literal = literal_string(value)
        if literal is not None:
            return literal
    return basic_string(value)


def string_body(value: str, quote: str) -> str | None:
    """``value`` as it goes inside an open string started by ``quote`` (None: it cannot)."""
    if quote.startswith("'"):
        literal = literal_string(value)
        return None if literal is None else literal[1:-1]
    return basic_body(value)


def string_array(items: Iterable[str]) -> str:
    """An inline array of basic strings: ``["a", "b"]``."""
    return "[" + ", ".join(basic_string(i) for i in items) + "]"


def is_bare_key(name: str) -> bool:
    return _BARE_KEY.fullmatch(name) is not None


def key(name: str, like: str = "") -> str:
    """One key segment: bare when possible, unless ``like`` (the segment it replaces) was quoted."""
    if like.startswith("'"):
        literal = literal_string(name)
        if literal is not None:
            return literal
    if is_bare_key(name) and not like.startswith(("'", '"')):
        return name
    return basic_string(name)


def dotted_key(names: Iterable[str]) -> str:
    """A dotted key or header path, each segment quoted only where it must be."""
    return ".".join(key(n) for n in names)


def inline_value(value: Any) -> str:
    """A value as one line of TOML: booleans, numbers, strings, arrays and inline tables
    (anything else as the string of it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, list):
        return "[" + ", ".join(inline_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key(str(k))} = {inline_value(v)}" for k, v in value.items()) + "}"
    return string(str(value))


def comments(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Where each comment of ``text[start:end]`` is: ``#`` to the line end (a ``\\r`` included)."""
    found = _STRING_OR_COMMENT.finditer(text, start, len(text) if end is None else end)
    return [m.span(1) for m in found if m.start(1) >= 0]


__all__ = [
    "BASIC",
    "LITERAL",
    "ML_BASIC",
    "ML_LITERAL",
    "basic_body",
    "basic_string",
    "comments",
    "dotted_key",
    "is_bare_key",
    "key",
    "literal_string",
    "string",
    "string_array",
    "string_body",
]
