"""Shared pieces of fixes that restructure a file, used by rules and by ``bklint migrate``.

A restructuring change (a key moving to another table, a table being renamed) is made on a
tomlkit document, which round-trips everything it does not touch, and then turned back into
the smallest text edits against the original (``text_edits``). A fix therefore never
rewrites a line the change did not need, and comments, quoting and order survive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bklint.rules import toml_text
from bklint.rules.base import Edit, Fix, Span
from bklint.rules.document import Document, TomlNode, line_starts
from bklint.rules.record import FrozenRecord
from bklint.rules.regex import Regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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
    import difflib  # fixes only; `bklint check` without --fix never needs it

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


def tomlkit_edits(
    text: str, mutate: Callable[[tomlkit.TOMLDocument], None], cuts: Iterable[tuple[int, int]] = ()
) -> tuple[Edit, ...] | None:
    """Run ``mutate`` on a tomlkit copy of ``text``; the change as minimal edits (None: not possible).

    ``cuts`` (from :func:`removal`) are taken out of the text first: tomlkit deletes a key
    together with the comments it attaches to it, so statements are removed as text.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    source = text
    for start, end in sorted(cuts, reverse=True):
        source = source[:start] + source[end:]
    try:
        doc = tomlkit.parse(source)
        mutate(doc)
        new = tomlkit.dumps(doc)
    except (TOMLKitError, KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None
    return text_edits(text, new)


def appended_table_edits(
    text: str, cuts: Iterable[tuple[int, int]], table: str, key: str, value: str, comment: str = ""
) -> tuple[Edit, ...] | None:
    """What :func:`tomlkit_edits` gives for a new top-level ``[table]`` holding ``key =
    value`` added to a file that has no ``table`` (after ``cuts``), without the round trip
    (a tomlkit parse of the whole file cost more than linting it): tomlkit appends the table
    with ``\n`` line ends, after a blank line unless the text is empty or already ends with
    one. None where the text ends in a way that rule was not proven on, or may nest beyond
    the 100 levels tomlkit refuses (the caller then takes the round trip);
    tests/fix/test_restructure.py holds the two to the same edits."""
    source = text
    for start, end in sorted(cuts, reverse=True):
        source = source[:start] + source[end:]
    if source.count("[") + source.count("{") >= 100 or source.count(".") >= 100:
        return None
    if not source or source.endswith("\n"):
        last = source[: -1][source[: -1].rfind("\n") + 1 :] if source else ""
        gap = "" if not last.strip() else "\n"
    elif source[-1] in " \t\r":
        return None
    else:
        gap = "\n"
    line = f"{toml_text.key(key)} = {value}" + (f" {comment}" if comment else "")
    return text_edits(text, f"{source}{gap}[{toml_text.key(table)}]\n{line}\n")


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


def removal(text: str, start: int, end: int, keep_comment: bool = True) -> tuple[int, int] | None:
    """The text to cut to remove the statement at ``start:end`` (a key/value or a header).

    The statement must sit alone on its line(s). Without a comment the whole line goes,
    line ending included; a comment after it stays where it was, on a line of its own, so
    removing a statement never removes what was said about it (``keep_comment=False`` when
    the caller moves the comment, :func:`comment_after`, to the statement replacing it).
    None when the statement shares its line or holds a comment inside (a multi-line
    array): cutting there would break the syntax or lose words.
    """
    if start < 0 or end < 0:
        return None
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() or toml_text.comments(text, start, end):
        return None
    nl = text.find("\n", end)
    line_end = len(text) if nl < 0 else nl + 1
    rest = text[end:line_end].strip()
    if not rest or (rest.startswith("#") and not keep_comment):
        return line_start, line_end
    if not rest.startswith("#"):
        return None
    return start, text.index("#", end)


def comment_after(text: str, end: int) -> str:
    """The comment closing the line a statement ends on at ``end`` ("" when there is none)."""
    nl = text.find("\n", end)
    rest = text[end : len(text) if nl < 0 else nl].strip()
    return rest if rest.startswith("#") else ""


def statement_span(node: TomlNode) -> tuple[int, int]:
    """Where the ``key = value`` defining a leaf ``node`` starts and ends."""
    return (node.decl_start if node.decl_start >= 0 else node.key_start), node.value_end


def statement_removal(doc: Document, node: TomlNode, keep_comment: bool = True) -> tuple[int, int] | None:
    """:func:`removal` of the ``key = value`` defining a leaf ``node``."""
    return removal(doc.text, *statement_span(node), keep_comment=keep_comment)


def top_level_insertion(doc: Document) -> int:
    """Where a new top-level ``key = value`` line goes: after the last one, else above the
    first table and the comments that introduce it (never inside a table)."""
    text = doc.text
    first_header = min((h[0] for _, node in doc.walk() for h in node.headers), default=len(text))
    ends = [
        node.value_end
        for node in (doc.root.children or {}).values()
        if node.origin in ("value", "dotted", "inline") and 0 <= node.value_end <= first_header
    ]
    if ends:
        nl = text.find("\n", max(ends))
        return len(text) if nl < 0 else nl + 1
    pos = text.rfind("\n", 0, first_header) + 1
    while pos > 0:
        above = text.rfind("\n", 0, pos - 1) + 1
        if not text[above:pos].lstrip().startswith("#"):
            break
        pos = above
    return pos


class Rename(FrozenRecord):
    """A key renamed everywhere it is spelled; ``merges`` when a sibling already has the new
    name, so two tables become one (a change of structure: never a safe fix)."""

    __slots__ = ("edits", "merges")

    edits: tuple[Edit, ...]
    merges: bool

    def __init__(self, edits: tuple[Edit, ...], merges: bool) -> None:
        self.edits = edits
        self.merges = merges

def rename_key(doc: Document, path: Path, new: str) -> Rename | None:
    """Rename the key at the written ``path`` in every header and dotted key that spells it.

    Renaming one spelling only would split a table from its sub-tables (``[worker.OCI]`` and
    each ``[[worker.OCI.gcpolicy]]``), and a fixer renaming one header per pass would never
    settle. None when no text spells the key, or when a sibling already named ``new`` makes
    the result invalid TOML for certain: a key defined twice, a table and a value, two
    ``[headers]`` of one table, or an inline table extended.
    """
    node = doc.find(*path)
    parent = doc.find(*path[:-1])
    if node is None or parent is None or not isinstance(path[-1], str):
        return None
    old = path[-1]
    other = parent.child(new) if new != old else None
    if other is not None and not _mergeable(node, other):
        return None
    names = [p for p in path if isinstance(p, str)]
    target = len(names) - 1
    found: dict[tuple[int, int], Edit] = {}
    stack: list[tuple[int, TomlNode]] = [(len(names), node)]
    while stack:
        depth, cur = stack.pop()
        # A node's segments spell the last len(segments) names of its path.
        i = target - (depth - len(cur.segments))
        if cur.segments and 0 <= i < len(cur.segments) and cur.segments[i][0] == old:
            _, start, end = cur.segments[i]
            found[(start, end)] = Edit(doc.span(start, end), toml_text.key(new, doc.slice(start, end)[:1]))
        stack.extend((depth + 1, child) for child in (cur.children or {}).values())
        # Array elements add an index to the path, not a name.
        stack.extend((depth, item) for item in cur.items or [])
    if not found and node.key_start >= 0:
        found[(node.key_start, node.key_end)] = Edit(
            doc.span(node.key_start, node.key_end), toml_text.key(new, doc.slice(node.key_start, node.key_end)[:1])
        )
    if not found:
        return None
    return Rename(tuple(found[k] for k in sorted(found)), other is not None)


def rename_fix(doc: Document, path: Path, new: str, safe: bool = True) -> Fix | None:
    """The fix renaming the key at ``path`` to ``new`` (:func:`rename_key`); a merge is never safe."""
    rename = rename_key(doc, path, new)
    if rename is None:
        return None
    if rename.merges:
        return Fix(f"rename to `{new}`, merging it into the `{new}` already there", rename.edits, "unsafe")
    return Fix(f"rename to `{new}`", rename.edits, "safe" if safe else "unsafe")


def _mergeable(a: TomlNode, b: TomlNode) -> bool:
    """Whether TOML lets two same-named siblings be one: tables (or arrays of tables) only,
    at most one defined by a ``[header]``, none inline, and the same for the keys they share."""
    if a.kind != b.kind or a.kind not in ("table", "aot"):
        return False
    if "inline" in (a.origin, b.origin):
        return False
    if a.kind == "aot":
        return True
    if {a.origin, b.origin} <= {"header", "dotted"}:
        return False  # a table defined twice (dotted keys cannot reopen a [header] or be reopened by one)
    shared = (a.children or {}).keys() & (b.children or {}).keys()
    return all(_mergeable(a.children[k], b.children[k]) for k in shared)  # type: ignore[index]


def delete_line_edit(doc: Document, node: TomlNode) -> Edit | None:
    """Remove a ``key = value`` that sits alone on its line(s); its comment stays (:func:`removal`)."""
    cut = statement_removal(doc, node)
    return None if cut is None else Edit(doc.span(*cut), "")


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

_SPECIAL_INT = Regex(r"[+-]?(0[xob][0-9a-fA-F_]+|[0-9]+(_[0-9]+)+)")


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
            import shlex

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
