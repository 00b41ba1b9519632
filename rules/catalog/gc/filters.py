"""BK234–BK235: GC rule filters, parsed as the cache manager parses them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.gc.gcpolicy import GCRule, gc_rules, policy_label
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode
from bklint.rules.record import FrozenRecord
from bklint.rules.regex import Regex
from bklint.rules.schema.decode import Decoded, Entry
from bklint.rules.schema.tree import WORKERS

FILTER_FIELDS = ("id", "parents", "description", "inuse", "mutable", "immutable", "type", "shared", "private")


RECORD_TYPES = ("regular", "internal", "frontend", "source.local", "source.git.checkout", "exec.cachemount")


class Selector(FrozenRecord):
    __slots__ = ("field", "op", "value")

    field: str
    op: str  # "==", "!=", "~=" or "" (presence)
    value: str

    def __init__(self, field: str, op: str, value: str) -> None:
        self.field = field
        self.op = op
        self.value = value


class FilterError(ValueError):
    pass


def parse_filter(text: str) -> list[Selector]:
    """containerd's ``filters.Parse``: comma-separated ``field[op value]`` selectors."""
    return list(_parsed(text))


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> tuple[Selector, ...]:
    """``parse_filter``, once per text in a run: two rules parse every filter, and configs
    repeat the same few filters."""
    return tuple(_parse(text))


def _parse(text: str) -> list[Selector]:
    if text == "":
        return []
    pos = 0
    n = len(text)
    out: list[Selector] = []

    def skip_space(p: int) -> int:
        while p < n and text[p].isspace():
            p += 1
        return p

    def quoted(p: int) -> tuple[str, int]:
        quote = text[p]
        q = p + 1
        buf = []
        while q < n and text[q] != quote:
            if text[q] == "\n":
                break
            if text[q] == "\\" and q + 1 < n:
                buf.append(text[q + 1])
                q += 2
                continue
            buf.append(text[q])
            q += 1
        if q >= n or text[q] != quote:
            raise FilterError("a quoted literal is not terminated")
        return "".join(buf), q + 1

    def field(p: int) -> tuple[str, int]:
        p = skip_space(p)
        if p < n and text[p] == '"':
            return quoted(p)
        m = re.match(r"[A-Za-z0-9_]+", text[p:])
        if not m:
            raise FilterError(
                f"expected a field name at {text[p : p + 10]!r}" if p < n else "expected a field name"
            )
        return m.group(0), p + m.end()

    while True:
        name, pos = field(pos)
        parts = [name]
        while pos < n and text[pos] == ".":
            name, pos = field(pos + 1)
            parts.append(name)
        fieldpath = ".".join(parts)
        if pos >= n or text[pos] == ",":
            out.append(Selector(fieldpath, "", ""))
        else:
            p = skip_space(pos)
            m = re.match(r"[=!~]+", text[p:])
            if not m:
                raise FilterError(f"expected an operator (==, != or ~=) after `{fieldpath}`")
            op = m.group(0)
            if op not in ("==", "!=", "~="):
                raise FilterError(f"`{op}` is not an operator (==, != or ~=)")
            p = skip_space(p + m.end())
            if p >= n:
                raise FilterError(f"`{fieldpath}{op}` has no value")
            if text[p] == '"' or (op == "~=" and text[p] in "/|"):
                value, pos = quoted(p)
            elif text[p] in "/|":
                raise FilterError("an alternative quote (/ or |) is only allowed after ~=")
            elif text[p] == ",":
                raise FilterError(f"`{fieldpath}{op}` has no value")
            else:
                m = re.match(r"[^\s,]+", text[p:])
                assert m is not None
                value, pos = m.group(0), p + m.end()
            out.append(Selector(fieldpath, op, value))
        if pos >= n:
            return out
        if text[pos] != ",":
            raise FilterError(
                "white space before a comma or at the end is not allowed"
                if text[pos].isspace()
                else f"unexpected {text[pos]!r}"
            )
        pos += 1


def _filters(decoded: Decoded) -> Iterator[tuple[GCRule, Entry, int, str, TomlNode]]:
    for worker in WORKERS:
        for rule in gc_rules(decoded, worker):
            entry = decoded.entry(*rule.path("filters"))
            if entry is None or not isinstance(entry.value, list) or entry.node.items is None:
                continue
            for i, (text, node) in enumerate(zip(entry.value, entry.node.items, strict=False)):
                if isinstance(text, str):
                    yield rule, entry, i, text, node


@register


class GCFilterInvalid(ParsedRule):
    """Checks GC `filters` against containerd's filter syntax and BuildKit's record fields.

    **Why**: each filter is parsed by containerd's `filters.ParseAll` only when GC runs, not
    at start. A syntax error (`type=regular`, `type==a ` with a trailing space, `type in
    (a,b)`) fails that GC run with `failed to parse prune filters`, and the rules after it
    never run either, so the cache grows until the disk is full — an error.

    The fields BuildKit knows are `id`, `parents`, `description`, `inuse`, `mutable`,
    `immutable`, `type`, `shared` and `private` (case-sensitive); `type` takes `regular`,
    `internal`, `frontend`, `source.local`, `source.git.checkout` or `exec.cachemount`. An
    unknown field or type never matches (so the rule never applies), which is a warning.
    Docker's `until=24h` / `unused-for` filters do not exist here: use `keepDuration`.

    **Good**
    ```toml
    [[worker.oci.gcpolicy]]
    filters = ["type==source.local", "type==exec.cachemount"]
    keepDuration = "48h"
    maxUsedSpace = "512MB"
    ```
    """

    code = "BK234"
    name = "gc-filter-invalid"
    summary = "A GC filter that does not parse, or names an unknown field or record type"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for rule, _entry, _i, text, node in _filters(decoded):
            span = doc.value_span(node)
            try:
                selectors = parse_filter(text)
            except FilterError as exc:
                yield self.finding(
                    f"filter {text!r} in {policy_label(rule)} does not parse ({exc}): every GC run fails on it and the "
                    "rules after it never run",
                    span,
                )
                continue
            for sel in selectors:
                root = sel.field.split(".", 1)[0]
                if root not in FILTER_FIELDS:
                    hint = ""
                    if root.lower() in FILTER_FIELDS:
                        hint = f" (fields are case-sensitive: `{root.lower()}`)"
                    elif root in ("until", "unused-for", "unused_for", "age"):
                        hint = " (use `keepDuration` for age)"
                    yield self.finding(
                        f"filter {text!r} in {policy_label(rule)} uses the unknown field `{root}`{hint}: it never matches, "
                        f"so the rule never applies; known fields: {', '.join(FILTER_FIELDS)}",
                        span,
                        severity=Severity.WARNING,
                    )
                elif root == "type" and sel.op in ("==", "!=") and sel.value not in RECORD_TYPES:
                    effect = "never matches" if sel.op == "==" else "matches every record"
                    yield self.finding(
                        f"`{sel.value}` in filter {text!r} is not a cache record type, so the selector {effect}; "
                        f"types: {', '.join(RECORD_TYPES)}",
                        span,
                        severity=Severity.WARNING,
                    )


# A value that reads back the same without quotes (a quoted `'a,b'` would split on the comma).
_PLAIN_FILTER_VALUE = Regex(r"[A-Za-z0-9_./:+-]+")


@register


class GCFilterCommaAlternatives(ParsedRule):
    """Checks for alternatives joined by commas in one GC filter string.

    **Why**: inside one filter string a comma means AND; separate strings in the list mean
    OR. A record has a single `type`, so `"type==source.local,type==exec.cachemount"` never
    matches and the rule never applies. BuildKit's own default policy had exactly this bug
    until v0.31.0 (commit b69e279bc).

    See https://github.com/moby/buildkit/issues/1385.

    **Bad**: `filters = ["type==source.local,type==exec.cachemount"]`

    **Good**: `filters = ["type==source.local", "type==exec.cachemount"]`

    **Fix** (unsafe — the rule starts deleting what it was meant to): split the string into
    separate list elements.
    """

    code = "BK235"
    name = "gc-filter-comma-alternatives"
    summary = "Comma-joined alternatives in one GC filter (comma is AND): it never matches"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        '[[worker.oci.gcpolicy]]\nfilters = ["type==source.local,type==exec.cachemount"]\nkeepDuration = "48h"\n',
        "[[worker.oci.gcpolicy]]\r\nfilters = ['type==source.local, type==source.git.checkout'] # local and git\r\nreservedSpace = \"10GB\"\r\n",
        '[[worker.containerd.gcpolicy]]\nfilters = [\n  "type==regular,type==internal,type==regular", # two types\n  "type==frontend",\n]\nmaxUsedSpace = "20GiB"\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for rule, _entry, _i, text, node in _filters(decoded):
            try:
                selectors = parse_filter(text)
            except FilterError:
                continue
            eq = [s for s in selectors if s.op == "=="]
            fields = {s.field for s in eq}
            clash = [f for f in fields if len({s.value for s in eq if s.field == f}) > 1]
            if not clash:
                continue
            fix = None
            plain = all(_PLAIN_FILTER_VALUE.fullmatch(s.value) for s in eq)
            if (
                len(fields) == 1
                and len(eq) == len(selectors)
                and plain
                and "\\" not in text
                and '"' not in text
            ):
                raw = doc.slice(node.value_start, node.value_end)
                quote = "'" if raw.startswith("'") else '"'
                alternatives = dict.fromkeys(f"{s.field}=={s.value}" for s in eq)
                parts = ", ".join(f"{quote}{alt}{quote}" for alt in alternatives)
                fix = Fix("split into separate filters", (Edit(doc.value_span(node), parts),), "unsafe")
            yield self.finding(
                f"filter {text!r} in {policy_label(rule)} never matches: a comma means AND and a record has one "
                f"`{clash[0]}`; put alternatives in separate list elements",
                doc.value_span(node),
                fix=fix,
            )
