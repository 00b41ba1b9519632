"""Re-parse only the table that changed: the language server's keystroke path.

A TOML file splits cleanly before every line that starts with `[` (at a statement boundary
such a line can only be a table header). Each part is parsed on its own and cached — its
values by text, its source map by text and position — and the parts are merged. The merge
accepts only what TOML plainly allows across parts (a new table, a header for a table that
so far existed only as a parent, another `[[array]]` element); anything else, and any part
that does not parse on its own (the cut fell inside a multi-line string or array), falls
back to the full parse, which also reports the errors. So the result is always the full
parse's result, only cheaper; tests compare the two on every vector and real config.
"""

from __future__ import annotations

import bisect
import re

from bklint.linter.parse import ParseOutcome, parse, parse_part
from bklint.rules.document import Document, TomlNode
from bklint.rules.record import Record
from bklint.rules.regex import Regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from bklint.linter.per_table import Table
    from bklint.linter.settings import Settings
    from bklint.rules.base import Rule
    from bklint.rules.schema.decode import Decoded

_HEADER_LINE = Regex(r"^[ \t]*\[", re.MULTILINE)
# Below this size a full parse is as cheap as the bookkeeping.
MIN_INCREMENTAL_SIZE = 4096

Path = tuple[str | int, ...]


class _Part(Record):
    __slots__ = ("data", "is_header", "node")

    data: dict[str, Any]
    node: TomlNode  # offsets relative to the part's start
    is_header: bool  # False only for the statements before the first header

    def __init__(self, data: dict[str, Any], node: TomlNode, is_header: bool) -> None:
        self.data = data
        self.node = node
        self.is_header = is_header


class ParseCache(Record):
    """Per-document memo of part parses; holds only the parts of the last text parsed."""

    __slots__ = (
        "changed",
        "decodes",
        "doc",
        "flat",
        "last",
        "moved",
        "nodes",
        "parts",
        "plain_from",
        "replaced",
        "rules",
        "same_keys",
        "table_list",
        "tables",
        "text",
        "values",
    )

    values: dict[str, _Part | None]
    # The part's source map moved to where it sits in the text.
    nodes: dict[tuple[str, int], TomlNode]
    # How the last parse went, for tests and benchmarks: "full" or "incremental".
    last: str
    # The parts of the last incremental parse, in order: (text, start, source map in place).
    parts: list[tuple[str, int, TomlNode]]
    # The tables of the last text that stand alone, by (text, start, line), and in file order
    # with the index of their part: linter/per_table.py.
    tables: dict[tuple[str, int, int], Table]
    table_list: list[tuple[int, Table]]
    # The last text parsed part by part and its result; ``changed``: the one part whose text
    # changed since the text before, when only it was parsed again (``_patched``).
    text: str
    doc: Document | None
    changed: int | None
    # When the last text's length changed: where the unchanged end of the text starts in it,
    # and how far it moved, in characters and lines (``_moved_after``).
    moved: tuple[int, int, int] | None
    # ``_plain_from``, for the parts of the last text parsed part by part.
    plain_from: tuple[int, str] | None
    # Whether the last parse kept every key name of the text before (``_patched`` does when
    # the table it replaced has the same keys): which rules a file triggers cannot change.
    same_keys: bool
    # The rules the last text triggered, for its settings and path (linter/run.py).
    rules: tuple[Settings, str | None, list[Rule]] | None
    # linter/per_table.py: the one table ``split`` replaced in the last text (before, after),
    # and the last text's whole decode and that of the rest without its standalone tables.
    replaced: tuple[Table, Table] | None
    decodes: tuple[Decoded, Decoded] | None
    # ``_shift``: the nodes of each source map it moved, by the map's id (the map kept with them).
    flat: dict[int, tuple[TomlNode, list[TomlNode]]]

    def __init__(
        self,
        values: dict[str, _Part | None] | None = None,
        nodes: dict[tuple[str, int], TomlNode] | None = None,
        last: str = "",
        parts: list[tuple[str, int, TomlNode]] | None = None,
        tables: dict[tuple[str, int, int], Table] | None = None,
        table_list: list[tuple[int, Table]] | None = None,
        text: str = "",
        doc: Document | None = None,
        changed: int | None = None,
        moved: tuple[int, int, int] | None = None,
        plain_from: tuple[int, str] | None = None,
    ) -> None:
        self.values = {} if values is None else values
        self.nodes = {} if nodes is None else nodes
        self.last = last
        self.parts = [] if parts is None else parts
        self.tables = {} if tables is None else tables
        self.table_list = [] if table_list is None else table_list
        self.text = text
        self.doc = doc
        self.changed = changed
        self.moved = moved
        self.plain_from = plain_from
        self.same_keys = False
        self.rules = None
        self.replaced = None
        self.decodes = None
        self.flat = {}


def parse_cached(text: str, cache: ParseCache | None) -> ParseOutcome:
    if cache is None or len(text) < MIN_INCREMENTAL_SIZE:
        if cache is not None:
            cache.last = "full"
            cache.parts = []
        return parse(text)
    cache.moved = None
    cache.same_keys = False
    outcome = _patched(text, cache)
    if outcome is None:
        cache.changed = None
        outcome = _incremental(text, cache)
    if outcome is None:
        cache.values.clear()
        cache.nodes.clear()
        cache.parts = []
        cache.doc = None
        cache.moved = None
        cache.plain_from = None
        cache.last = "full"
        return parse(text)
    cache.text = text
    cache.doc = outcome.doc
    cache.last = "incremental"
    return outcome


def _patched(text: str, cache: ParseCache) -> ParseOutcome | None:
    """The keystroke's fast path: an edit inside one `[map."key"]` table (after the map's
    name on its header line; the other parts as they were), when nothing else in the file
    reaches that table (a new key, not another table's, takes the old one's place). The previous result is copied along the path to the table (two dicts) with
    the table's new parse put in; the rest of the merge cannot change, so this is what
    ``_incremental`` would give, without its pass over every part. When the edit changed
    the text's length, every part after it must be such a table too (``_plain_from``): their
    source maps are moved in place. Anything else: None."""
    doc, parts, old = cache.doc, cache.parts, cache.text
    if doc is None or not parts or text == old:
        return None
    delta = len(text) - len(old)
    prefix, suffix = _common(old, text)
    k = bisect.bisect_right(parts, prefix, key=_start) - 1
    old_chunk, start, old_root = parts[k]
    end = start + len(old_chunk)
    body = old_chunk.find("\n") + 1
    if len(old) - suffix > end or body <= 0:
        return None
    chunk = text[start : end + delta]
    if [m.start() for m in _HEADER_LINE.finditer(chunk)] != [0]:
        return None  # no longer a header line, or a new one: other parts
    if end + delta < len(text) and text[end + delta - 1] != "\n":
        return None  # the next header no longer starts a line
    shape = _table_shape(old_root)
    if shape is None:
        return None
    name, host, old_header = shape
    if prefix < start + body and prefix < old_header.segments[0][2]:
        return None  # the header line before the key's end: the map itself may move
    holder = (doc.root.children or {}).get(name)
    if holder is None or holder.origin != "implicit" or (holder.children or {}).get(host) is not old_header:
        return None
    if delta:
        at, plain = _plain_from(cache)
        if at > k + 1 or (at < len(parts) and plain != name):
            return None
    part = cache.values.get(chunk) or _parse_part(chunk)
    new_root = _moved(part.node, start) if part is not None else None
    new_shape = _table_shape(new_root) if new_root is not None else None
    if part is None or new_root is None or new_shape is None or new_shape[0] != name:
        return None
    new_host = new_shape[1]
    if new_host != host and new_host in (holder.children or {}):
        return None  # a second table of that name
    data = dict(doc.data)
    root = _copy_node(doc.root)
    assert root.children is not None
    root.children[name] = moved = _copy_node(holder)
    assert moved.children is not None
    if new_host == host:
        data[name] = {**data[name], host: part.data[name][host]}
        moved.children[host] = new_shape[2]
    else:  # renamed in place: the same position among the map's keys
        data[name] = {(new_host if k == host else k): v for k, v in data[name].items()}
        data[name][new_host] = part.data[name][new_host]
        moved.children = {(new_host if k == host else k): v for k, v in moved.children.items()}
        moved.children[new_host] = new_shape[2]
    cache.same_keys = new_host == host and _keys(old_header) == _keys(new_shape[2])
    cache.values.pop(old_chunk, None)
    cache.values[chunk] = part
    cache.nodes.pop((old_chunk, start), None)
    cache.nodes[(chunk, start)] = new_root
    cache.changed = k
    lines = doc.line_starts
    if not delta:
        cache.parts = [*parts[:k], (chunk, start, new_root), *parts[k + 1 :]]
        starts = lines if _newlines(chunk) == _newlines(old_chunk) else []
        return ParseOutcome(Document(text, data, root, list(starts)))
    cache.moved = (end + delta, delta, chunk.count("\n") - old_chunk.count("\n"))
    _settle(cache, end)
    after = parts[k + 1 :]
    nodes = cache.nodes
    for c, s, r in after:
        del nodes[(c, s)]
        _shift(cache, r, delta)
    after = [(c, s + delta, r) for c, s, r in after]
    nodes.update(((c, s), r) for c, s, r in after)
    cache.parts = [*parts[:k], (chunk, start, new_root), *after]
    head = lines[: bisect.bisect_right(lines, start)]
    inside = [start + i + 1 for i in _newlines(chunk)]
    if inside and inside[-1] == start + len(chunk):
        inside.pop()  # the next part's first line: in the tail
    tail = [n + delta for n in lines[bisect.bisect_right(lines, end - 1) :]]
    return ParseOutcome(Document(text, data, root, [*head, *inside, *tail]))


def _plain_from(cache: ParseCache) -> tuple[int, str]:
    """(the index of the first part from which on every part is a `[map."key"]` table of
    one map, put in place by the merge as it is; that map). The map itself was made by an
    earlier part, so moving these parts' source maps moves everything of the text's result
    after them. Kept until ``_incremental`` runs again."""
    if cache.plain_from is None:
        doc = cache.doc
        assert doc is not None
        at, name = len(cache.parts), ""
        children = doc.root.children or {}
        for _, _, root in reversed(cache.parts):
            shape = _table_shape(root)
            if shape is None or (name and shape[0] != name):
                break
            holder = children.get(shape[0])
            if holder is None or holder.origin != "implicit" or (holder.children or {}).get(shape[1]) is not shape[2]:
                break
            at, name = at - 1, shape[0]
        cache.plain_from = (at, name)
    return cache.plain_from


def _keys(node: TomlNode) -> tuple[Any, ...]:
    """The key names below ``node``, nested as written."""
    names = tuple((name, _keys(child)) for name, child in (node.children or {}).items())
    return names + tuple(_keys(item) for item in node.items or ())


def _start(part: tuple[str, int, TomlNode]) -> int:
    return part[1]


def _newlines(text: str) -> list[int]:
    return [i for i, c in enumerate(text) if c == "\n"]


def _common(old: str, new: str) -> tuple[int, int]:
    """(the length of the longest common prefix of two texts, that of their longest common
    suffix not overlapping it)."""
    prefix = _prefix(old, new)
    rest = min(len(old), len(new)) - prefix
    return prefix, _prefix(old[len(old) - rest :][::-1], new[len(new) - rest :][::-1])


def _prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b``: a binary search on
    slices, whose comparisons run in C."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _table_shape(root: TomlNode) -> tuple[str, str, TomlNode] | None:
    """For a part's source map: (map, key, header) when it is exactly one `[map."key"]` table."""
    children = root.children or {}
    if len(children) != 1:
        return None
    ((name, holder),) = children.items()
    hosts = holder.children or {}
    if holder.origin != "implicit" or len(hosts) != 1:
        return None
    ((host, header),) = hosts.items()
    if header.kind != "table" or header.origin != "header" or len(header.segments) != 2:
        return None
    return name, host, header


def _split(text: str) -> list[int]:
    starts = [m.start() for m in _HEADER_LINE.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def _incremental(text: str, cache: ParseCache) -> ParseOutcome | None:
    starts = _split(text)
    bounds = list(zip(starts, [*starts[1:], len(text)], strict=True))
    values: dict[str, _Part | None] = {}
    nodes: dict[tuple[str, int], TomlNode] = {}
    parts: list[tuple[_Part, TomlNode]] = []
    placed: list[tuple[str, int, TomlNode]] = []
    old_nodes = dict(cache.nodes)
    moved = _moved_after(cache.text, text)
    cache.moved = moved
    cache.plain_from = None
    if moved is not None:
        _settle(cache, moved[0] - moved[1])
    for start, end in bounds:
        chunk = text[start:end]
        part = values[chunk] = cache.values[chunk] if chunk in cache.values else _parse_part(chunk)
        if part is None:
            return None
        key = (chunk, start)
        # Each placed source map serves one part: popped when taken.
        node = old_nodes.pop(key, None) if moved is None or start < moved[0] else None
        if node is None and moved is not None and start >= moved[0]:
            node = old_nodes.pop((chunk, start - moved[1]), None)
            if node is not None:
                if node is part.node:  # the part's own map (it was at offset 0): never moved in place
                    node = _moved(part.node, start)
                else:
                    _shift(cache, node, moved[1])
        if node is None:
            node = _moved(part.node, start)
        nodes[key] = node
        parts.append((part, node))
        placed.append((chunk, start, node))
    cache.values = values
    cache.nodes = nodes
    cache.parts = placed
    merged = _Merge().run(parts)
    if merged is None:
        return None
    data, root = merged
    return ParseOutcome(Document(text, data, root))


def _moved_after(old: str, new: str) -> tuple[int, int, int] | None:
    """How an edit that changed the text's length moved what follows it: (the offset in
    ``new`` from which the text is the old text's end, moved by the delta; the delta in
    characters; in lines). None when the length is the same or there is no old text."""
    delta = len(new) - len(old)
    if not delta or not old:
        return None
    suffix = _common(old, new)[1]
    return len(new) - suffix, delta, new.count("\n") - old.count("\n")


def _settle(cache: ParseCache, since: int) -> None:
    """Before the source maps of the parts from offset ``since`` on are moved in place, the
    tables on them compute the fixes they put off (a fix computed later would read moved
    offsets against the text it was found in)."""
    for (_, start, _), table in cache.tables.items():
        if table.found and start >= since:
            table.settle()

def _parse_part(chunk: str) -> _Part | None:
    parsed = parse_part(chunk)
    if parsed is None:
        return None
    return _Part(parsed[0], parsed[1], chunk.lstrip(" \t").startswith("["))


def _moved(root: TomlNode, delta: int) -> TomlNode:
    """A copy of the source map ``root`` with every offset moved by ``delta`` (no recursion)."""
    if not delta:
        return root
    top = _copy_node(root, delta)
    stack = [top]
    while stack:
        node = stack.pop()
        if node.children:
            for name, child in node.children.items():
                node.children[name] = moved = _copy_node(child, delta)
                stack.append(moved)
        if node.items:
            for i, item in enumerate(node.items):
                node.items[i] = moved = _copy_node(item, delta)
                stack.append(moved)
    return top


def _shift(cache: ParseCache, root: TomlNode, delta: int) -> None:
    """Move every offset of the source map ``root`` by ``delta``, in place: the map of a part
    the edit did not change, taken over by the new text. The text it was made for is gone:
    only the previous version's result, which nothing reads any more, shares it. Its nodes
    are listed once (``ParseCache.flat``): a part below the cursor moves on every keystroke."""
    known = cache.flat.get(id(root))
    if known is not None and known[0] is root:
        nodes = known[1]
    else:
        if len(cache.flat) > 2 * len(cache.parts) + 64:
            cache.flat.clear()
        nodes = [root]
        for node in nodes:  # grows while it is read: every node, no recursion
            if node.children:
                nodes.extend(node.children.values())
            if node.items:
                nodes.extend(node.items)
        cache.flat[id(root)] = (root, nodes)  # the map kept alive with its id
    for node in nodes:
        if node.key_start >= 0:
            node.key_start += delta
        if node.key_end >= 0:
            node.key_end += delta
        if node.decl_start >= 0:
            node.decl_start += delta
        if node.decl_end >= 0:
            node.decl_end += delta
        if node.value_start >= 0:
            node.value_start += delta
        if node.value_end >= 0:
            node.value_end += delta
        if node.segments:
            node.segments = tuple([(name, s + delta, e + delta) for name, s, e in node.segments])
        if node.headers:
            node.headers = [(s + delta, e + delta) for s, e in node.headers]


class _Merge:
    """Assemble parts into one value and one source map, or say it cannot be done safely."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.root = TomlNode("table", "root", "", children={})
        self.owned: set[int] = {id(self.data), id(self.root)}
        self.implicit: set[Path] = set()
        self.headers: set[Path] = set()
        self.aots: set[Path] = set()

    def run(self, parts: list[tuple[_Part, TomlNode]]) -> tuple[dict[str, Any], TomlNode] | None:
        for part, node in parts:
            if not part.is_header:
                if self.data or (self.root.children or {}):
                    return None  # statements before the first header appear only once, first
                self.data.update(part.data)
                assert self.root.children is not None
                self.root.children.update(node.children or {})
                continue
            if not self._add(part, node):
                return None
        return self.data, self.root

    def _own_dict(self, parent: dict[str, Any] | list[Any], key: Any, value: dict[str, Any]) -> dict[str, Any]:
        if id(value) in self.owned:
            return value
        copy = dict(value)
        self.owned.add(id(copy))
        parent[key] = copy
        return copy

    def _own_node(self, parent: TomlNode, key: str | int, node: TomlNode) -> TomlNode:
        if id(node) in self.owned:
            return node
        copy = _copy_node(node)
        self.owned.add(id(copy))
        if isinstance(key, int):
            assert parent.items is not None
            parent.items[key] = copy
        else:
            assert parent.children is not None
            parent.children[key] = copy
        return copy

    def _add(self, part: _Part, chunk_root: TomlNode) -> bool:
        # The header node and the implicit parents the part's own scan created.
        chain: list[TomlNode] = []
        cur = chunk_root
        while True:
            if not cur.children or len(cur.children) != 1:
                return False
            (name, child), = cur.children.items()
            chain.append(child)
            if child.kind == "aot" or child.origin == "header":
                break
            cur = child
        header = chain[-1]
        names = [n.name for n in chain]
        is_aot = header.kind == "aot"
        d: dict[str, Any] = self.data
        node = self.root
        path: Path = ()
        value: Any = part.data
        for i, name in enumerate(names[:-1]):
            value = value[name]
            child_value = d.get(name)
            path = (*path, name)
            if child_value is None:
                new: dict[str, Any] = {}
                self.owned.add(id(new))
                d[name] = new
                src = chain[i]
                implicit = TomlNode("table", "implicit", name, key_start=src.key_start, key_end=src.key_end, children={})
                self.owned.add(id(implicit))
                assert node.children is not None
                node.children[name] = implicit
                self.implicit.add(path)
                d, node = new, implicit
                continue
            child_node = (node.children or {}).get(name)
            if child_node is None:
                return False
            if isinstance(child_value, list):
                if path not in self.aots or child_node.kind != "aot" or not child_node.items:
                    return False
                elements = child_value if id(child_value) in self.owned else self._own_list(d, name, child_value)
                child_node = self._own_node(node, name, child_node)
                idx = len(elements) - 1
                path = (*path, idx)
                d = self._own_dict(elements, idx, elements[idx])
                assert child_node.items is not None
                node = self._own_node(child_node, idx, child_node.items[idx])
                continue
            if not isinstance(child_value, dict) or (path not in self.implicit and path not in self.headers):
                return False
            d = self._own_dict(d, name, child_value)
            node = self._own_node(node, name, child_node)
        last = names[-1]
        path = (*path, last)
        inner = value[last]
        existing = d.get(last)
        assert node.children is not None
        if is_aot:
            if not isinstance(inner, list) or len(inner) != 1 or not header.items:
                return False
            if existing is None:
                lst: list[Any] = [inner[0]]
                self.owned.add(id(lst))
                d[last] = lst
                aot = _copy_node(header)
                self.owned.add(id(aot))
                node.children[last] = aot
                self.aots.add(path)
                return True
            aot_node = node.children.get(last)
            if not isinstance(existing, list) or path not in self.aots or aot_node is None or aot_node.kind != "aot":
                return False
            lst = existing if id(existing) in self.owned else self._own_list(d, last, existing)
            lst.append(inner[0])
            aot_node = self._own_node(node, last, aot_node)
            assert aot_node.items is not None
            aot_node.items.append(header.items[0])
            aot_node.headers.extend(header.headers)
            return True
        if not isinstance(inner, dict):
            return False
        if existing is None:
            d[last] = inner
            node.children[last] = header
            self.headers.add(path)
            return True
        old = node.children.get(last)
        if not isinstance(existing, dict) or path not in self.implicit or old is None or set(existing) & set(inner):
            return False
        # A header for a table that so far was only a parent: it becomes a header table.
        merged_value = self._own_dict(d, last, existing)
        merged_value.update(inner)
        merged = TomlNode(
            "table",
            "header",
            last,
            key_start=old.key_start,
            key_end=old.key_end,
            decl_start=header.decl_start,
            decl_end=header.decl_end,
            segments=header.segments,
            children={**(old.children or {}), **(header.children or {})},
            headers=[*old.headers, *header.headers],
        )
        self.owned.add(id(merged))
        node.children[last] = merged
        self.implicit.discard(path)
        self.headers.add(path)
        return True

    def _own_list(self, parent: dict[str, Any], key: str, value: list[Any]) -> list[Any]:
        copy = list(value)
        self.owned.add(id(copy))
        parent[key] = copy
        return copy


def _copy_node(node: TomlNode, delta: int = 0) -> TomlNode:
    """A shallow copy of ``node``, its offsets moved by ``delta``."""

    def at(offset: int) -> int:
        return offset + delta if offset >= 0 else offset

    return TomlNode(
        node.kind,
        node.origin,
        node.name,
        key_start=at(node.key_start),
        key_end=at(node.key_end),
        decl_start=at(node.decl_start),
        decl_end=at(node.decl_end),
        value_start=at(node.value_start),
        value_end=at(node.value_end),
        segments=tuple((name, s + delta, e + delta) for name, s, e in node.segments) if delta else node.segments,
        children=dict(node.children) if node.children is not None else None,
        items=list(node.items) if node.items is not None else None,
        headers=[(s + delta, e + delta) for s, e in node.headers],
    )
