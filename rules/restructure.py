"""Shared pieces of fixes that restructure a file, used by rules and by ``bklint migrate``.

A restructuring change (a key moving to another table, a table being renamed) is made on a
tomlkit document, which round-trips everything it does not touch, and then turned back into
the smallest text edits against the original (``text_edits``). A fix therefore never
rewrites a line the change did not need, and comments, quoting and order survive.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bklint.rules import toml_text
from bklint.rules.base import Edit, Span
from bklint.rules.document import Document, TomlNode, line_starts

if TYPE_CHECKING:  # tomlkit is imported only when a fix is actually computed
    import tomlkit
    from tomlkit.items import Table

Path = tuple[str | int, ...]


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo, offset - starts[lo]


def text_edits(old: str, new: str) -> tuple[Edit, ...]:
    """The smallest line-then-character edits turning ``old`` into ``new``."""
    if old == new:
        return ()
    starts = line_starts(old)
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_off = [0]
    for line in old_lines:
        old_off.append(old_off[-1] + len(line))
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = old_off[i1], old_off[i2]
        before, after = old[start:end], "".join(new_lines[j1:j2])
        # Trim what both sides share so the edit covers only the changed characters.
        prefix = 0
        limit = min(len(before), len(after))
        while prefix < limit and before[prefix] == after[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and before[-1 - suffix] == after[-1 - suffix]:
            suffix += 1
        s, e = start + prefix, end - suffix
        content = after[prefix : len(after) - suffix]
        sl, sc = _position(starts, s)
        el, ec = _position(starts, e)
        edits.append(Edit(Span.at(sl, sc, el, ec), content))
    return tuple(edits)


def tomlkit_edits(text: str, mutate: Callable[[tomlkit.TOMLDocument], None]) -> tuple[Edit, ...] | None:
    """Run ``mutate`` on a tomlkit copy of ``text``; the change as minimal edits (None: not possible)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
        mutate(doc)
        new = tomlkit.dumps(doc)
    except (TOMLKitError, KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None
    return text_edits(text, new)


def lookup(doc: Any, path: Path) -> Any:
    """The tomlkit container at a written path (keys as spelled in the file)."""
    cur = doc
    for part in path:
        cur = cur[part]
    return cur


def last_segment(node: TomlNode) -> tuple[int, int]:
    """Span of the key segment naming ``node`` (the last segment of a dotted key or header)."""
    if node.segments:
        return node.segments[-1][1], node.segments[-1][2]
    return node.key_start, node.key_end


def rename_edit(doc: Document, node: TomlNode, new_name: str) -> Edit | None:
    """Rename the key that defines a leaf ``node`` in place (value, comments untouched)."""
    start, end = last_segment(node)
    if start < 0:
        return None
    return Edit(doc.span(start, end), toml_text.key(new_name, doc.slice(start, end)[:1]))


def delete_line_edit(doc: Document, node: TomlNode) -> Edit | None:
    """Remove a ``key = value`` that sits alone on its line(s), with its line ending.

    Keys inside inline tables or sharing a line with other statements return None (a
    text removal there could break the syntax; callers fall back to tomlkit).
    """
    start = node.decl_start if node.decl_start >= 0 else node.key_start
    end = node.value_end
    if start < 0 or end < 0:
        return None
    text = doc.text
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None
    nl = text.find("\n", end)
    line_end = len(text) if nl < 0 else nl + 1
    rest = text[end:line_end].strip()
    if rest and not rest.startswith("#"):
        return None
    return Edit(doc.span(line_start, line_end), "")


def version_path(path: Path) -> str:
    """A decoded path in ``keys-by-version.json`` syntax (``registry.*.mirrors``, ``gcpolicy[]``)."""
    out: list[str] = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            if out:
                out[-1] += "[]"
            continue
        if i == 1 and path[0] == "registry":
            out.append("*")
            continue
        out.append(toml_text.basic_string(part) if "." in part else part)
    return ".".join(out)


# --- values written the way go-toml v1 accepted them ---------------------------------------

_SPECIAL_INT = re.compile(r"[+-]?(0[xob][0-9a-fA-F_]+|[0-9]+(_[0-9]+)+)")


def legacy_integer(raw: str) -> int | None:
    """The value of a hex/octal/binary/underscore integer literal (None for plain ones)."""
    token = raw.strip()
    if not _SPECIAL_INT.fullmatch(token):
        return None
    try:
        return int(token.replace("_", ""), 0)
    except ValueError:
        return None


# --- the upstream-docs [ghacache] table ------------------------------------------------------


def gha_command(value: Any) -> tuple[list[str], bool] | None:
    """The ``command`` argv for a ghacache ``cmd`` value, and whether that is certain.

    An array of strings is taken as is; a string is split as a shell would (a guess about
    quoting, hence not certain); an empty string means no signing (``[]``).
    """
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value], True
    if isinstance(value, str):
        if not value.strip():
            return [], True
        try:
            return shlex.split(value), False
        except ValueError:
            return None
    return None


def ensure_table(doc: tomlkit.TOMLDocument, name: str) -> Table | Any:
    """The top-level table ``name`` (spelled as in the file when it differs in case), created if absent."""
    import tomlkit

    for key in list(doc.keys()):
        if key.lower() == name.lower():
            return doc[key]
    table = tomlkit.table()
    doc[name] = table
    return doc[name]
