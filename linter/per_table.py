"""Tables that stand alone: a keystroke in the server decodes and judges only those it touched.

A `[registry."host"]` table written once, as one header of exactly that spelling, in a
file where nothing else reaches `registry`, fills a Go value nothing else touches: decoded
alone (``decode_table``) it gives what the whole file's decode gives for it. Rules whose
``scope`` is "table" judge such a table alone as they judge it in the file. So, per open
document, the server keeps each such table's decode and those rules' findings, keyed by
the table's text and position, and a keystroke recomputes them only for tables it changed:
the whole file's decode splices the kept decodes in, "table" rules run on the rest of the
file (decoded without those tables) and their kept findings are added, and "document"
rules run on the whole file as before.

Only the incremental parse's parts are split (a file big enough, parsed part by part); any
doubt — another spelling of `registry`, a dotted key reaching it, a second header for a
host, a sub-table — and the file is linted whole. Tests compare the result with a full lint
on every vector and corpus file and along random edits (tests/engine/test_incremental.py).
"""

from __future__ import annotations

import bisect
import functools

from bklint.rules.base import Edit, Finding, Fix, Position, Rule, Span
from bklint.rules.context import Context, RuleSettings
from bklint.rules.schema.decode import Decoded, decode_split, decode_split_again, decode_table
from bklint.rules.schema.nodes import MapOf
from bklint.rules.schema.tree import CONFIG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from bklint.linter.incremental import ParseCache
    from bklint.rules.document import Document, TomlNode

# Root fields whose tables are maps of free-form keys (`registry`).
_MAPS = {name for name, node in CONFIG.fields.items() if isinstance(node, MapOf)}


class Table:
    """One standalone table of one version of the text, and what was computed for it."""

    __slots__ = ("decoded", "failed", "findings", "found", "header", "judged", "key", "path", "settings")

    path: tuple[str, str]
    header: TomlNode
    decoded: Decoded
    key: tuple[str, int, int]  # its text, offset and line
    # The findings of each "table" rule on this table alone (by code), for ``settings`` (by
    # identity) and the rules ``judged``; ``failed``: rules that raised on it.
    findings: dict[str, list[Finding]]
    settings: RuleSettings | None
    judged: tuple[str, ...]
    failed: bool
    found: bool  # any finding, or a rule that raised

    def __init__(
        self,
        path: tuple[str, str],
        header: TomlNode,
        decoded: Decoded,
        key: tuple[str, int, int],
        findings: dict[str, list[Finding]] | None = None,
        settings: RuleSettings | None = None,
        judged: tuple[str, ...] = (),
        failed: bool = False,
        found: bool = False,
    ) -> None:
        self.path = path
        self.header = header
        self.decoded = decoded
        self.key = key
        self.findings = {} if findings is None else findings
        self.settings = settings
        self.judged = judged
        self.failed = failed
        self.found = found

    def judge(self, rules: list[Rule], codes: tuple[str, ...], ctx: Context) -> None:
        """Run ``rules`` (whose codes are ``codes``) on this table alone, unless already done."""
        if self.settings is ctx.settings and self.judged == codes:
            return
        if self.settings is not ctx.settings:
            self.findings.clear()
            self.failed = False
            self.settings = ctx.settings
        alone = Context(path=ctx.path, source=ctx.source, settings=ctx.settings, doc=ctx.doc, decoded=self.decoded)
        for rule in rules:
            if rule.code in self.findings:
                continue
            try:
                self.findings[rule.code] = list(rule.check(alone))
            except Exception:  # the engine runs the rule on the whole file and reports it there
                self.failed = True
        self.judged = codes
        self.found = self.failed or any(self.findings.values())

    def settle(self) -> None:
        """Compute the fixes the findings put off, while the source map still has the
        offsets of the text they were found in (it is about to move, ``moved``)."""
        try:
            for found in self.findings.values():
                for finding in found:
                    if finding.fix is not None:
                        finding.fix.edits  # noqa: B018 - computed and kept
        except Exception:  # judged again where it now is
            self.findings.clear()
            self.settings = None

    def moved(self, key: tuple[str, int, int], delta: int, lines: int) -> None:
        """The same text, ``delta`` characters and ``lines`` lines further (its source map
        was moved in place already, ``incremental._shift``): what points into it follows."""
        self.key = key
        for issue in self.decoded.issues:
            start, end = issue.anchor
            issue.anchor = (start + delta, end + delta)
        if lines and self.found:
            for code, found in self.findings.items():
                if found:
                    self.findings[code] = [_moved_finding(f, lines) for f in found]


def _moved_finding(finding: Finding, lines: int) -> Finding:
    """``finding`` on a table ``lines`` lines further down (its columns are the same: a
    table starts a line)."""
    fix = finding.fix
    if fix is not None:
        edits = tuple(Edit(_moved_span(edit.span, lines), edit.content) for edit in fix.edits)
        fix = Fix(fix.message, edits, fix.applicability)
    return finding.evolve(
        span=_moved_span(finding.span, lines),
        related=tuple((_moved_span(span, lines), note) for span, note in finding.related),
        fix=fix,
    )


def _moved_span(span: Span, lines: int) -> Span:
    start, end = span
    return Span(Position(start.line + lines, start.column), Position(end.line + lines, end.column))


def split(doc: Document, cache: ParseCache) -> list[Table] | None:
    """The standalone tables of the text ``cache`` last parsed (``doc``), in file order;
    None when the file must be linted whole. Tables kept from the previous version (same
    text, offset and line) are reused; the others are decoded now."""
    kept, listed = cache.tables, cache.table_list
    cache.tables, cache.table_list, cache.replaced = {}, [], None
    if cache.last != "incremental" or not cache.parts:
        return None
    if cache.changed is not None and listed:
        return _one_changed(doc, cache, kept, listed, cache.changed)
    maps: dict[str, TomlNode | None] = {}
    seen: set[tuple[str, str]] = set()
    moved = cache.moved
    count = doc.text.count
    line = previous = 0
    for index, (chunk, start, root) in enumerate(cache.parts):
        line += count("\n", previous, start)
        previous = start
        key = (chunk, start, line)
        if moved is not None and start >= moved[0]:
            table = kept.pop((chunk, start - moved[1], line - moved[2]), None)
            if table is not None:
                if _standalone(root) != (table.path, table.header):
                    table = None  # its source map went to another part
                else:
                    table.moved(key, moved[1], moved[2])
        else:
            table = kept.pop(key, None)
        if table is None:
            found = _standalone(root)
            if found is None:
                continue
            if found is False:
                cache.tables, cache.table_list = {}, []
                return None
            table = Table(found[0], found[1], decode_table(doc, found[0]), key)
        name, host = table.path
        if name not in maps:
            maps[name] = doc.root.child(name)
        in_doc = maps[name]
        if table.path in seen or in_doc is None or in_doc.child(host) is not table.header:
            cache.tables, cache.table_list = {}, []
            return None
        seen.add(table.path)
        cache.tables[key] = table
        cache.table_list.append((index, table))
    return [t for _, t in cache.table_list]


def _one_changed(
    doc: Document, cache: ParseCache, kept: dict[tuple[str, int, int], Table], listed: list[tuple[int, Table]], k: int
) -> list[Table] | None:
    """The incremental parse replaced only part ``k``, a `[map."key"]` table whose header
    it kept (``_patched``), and moved the parts after it: only that table is decoded again."""
    at = bisect.bisect_left(listed, k, key=_index)
    if at == len(listed) or listed[at][0] != k:
        return None
    old = listed[at][1]
    chunk, start, root = cache.parts[k]
    found = _standalone(root)
    if not isinstance(found, tuple) or found[0][0] != old.path[0]:
        return None
    key = (chunk, start, old.key[2])
    table = Table(found[0], found[1], decode_table(doc, found[0]), key)  # maybe renamed (``_patched``)
    if cache.moved is None:
        cache.tables = {**kept, key: table}
        del cache.tables[old.key]
        cache.table_list = [*listed[:at], (k, table), *listed[at + 1 :]]
    else:  # the tables after it moved (their source maps did already)
        _, delta, lines = cache.moved
        parts = cache.parts
        for i, after in listed[at + 1 :]:
            after.moved((parts[i][0], parts[i][1], after.key[2] + lines), delta, lines)
        cache.table_list = [*listed[:at], (k, table), *listed[at + 1 :]]
        cache.tables = {t.key: t for _, t in cache.table_list}
    cache.replaced = (old, table)
    return [t for _, t in cache.table_list]


def _index(entry: tuple[int, Table]) -> int:
    return entry[0]


def decode_with(doc: Document, tables: list[Table], cache: ParseCache | None = None) -> tuple[Decoded, Decoded]:
    """(the whole file's decode, the decode of the rest without ``tables``). With the
    ``cache`` that split them, when ``split`` replaced one table only, the previous
    version's decodes are reused (``decode_split_again``)."""
    previous = cache.decodes if cache is not None else None
    if cache is not None and cache.replaced is not None and previous is not None:
        old, new = cache.replaced
        whole = decode_split_again(doc, previous[0], previous[1], new.path[0], new.header, old.decoded, new.decoded)
        if whole is not None:
            cache.decodes = (whole, previous[1])
            return cache.decodes
    decodes = decode_split(doc, [(t.path[0], t.header, t.decoded) for t in tables])
    if cache is not None:
        cache.decodes = decodes
    return decodes


def _standalone(root: TomlNode) -> tuple[tuple[str, str], TomlNode] | Literal[False] | None:
    """For a part's source map: the standalone table it is (its path and header node), None
    for a part that does not reach a map, False for one that reaches it otherwise."""
    children = root.children or {}
    reaching = [name for name in children if _map_of(name) is not None]
    if not reaching:
        return None
    if len(children) != 1 or reaching[0] not in _MAPS:
        return False  # another spelling, or statements before the first header
    name = reaching[0]
    hosts = children[name].children or {}
    if children[name].origin != "implicit" or len(hosts) != 1:
        return False
    ((host, header),) = hosts.items()
    if header.kind != "table" or header.origin != "header" or len(header.segments) != 2:
        return False
    return (name, host), header


@functools.lru_cache(maxsize=1024)
def _map_of(name: str) -> str | None:
    node = CONFIG.field_for(name)
    return node.name if isinstance(node, MapOf) else None
