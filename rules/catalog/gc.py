"""BK230–BK239: garbage collection of the build cache, as ``getGCPolicy`` and the cache
manager's prune apply it.

A GC mistake never stops the daemon: the cache either grows until the disk is full or is
thrown away on every run. These rules point out the settings that can only do one of
those, or that are silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from bklint.rules.base import Edit, Finding, Fix, Rule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import TomlNode
from bklint.rules.schema.decode import Decoded, Entry
from bklint.rules.schema.values import DiskSpace, human_bytes

WORKERS = ("oci", "containerd")
SIZES = ("reservedSpace", "maxUsedSpace", "minFreeSpace")
WORKER_SIZES = (*SIZES, "gckeepstorage")
FILTER_FIELDS = ("id", "parents", "description", "inuse", "mutable", "immutable", "type", "shared", "private")
RECORD_TYPES = ("regular", "internal", "frontend", "source.local", "source.git.checkout", "exec.cachemount")


@dataclass(frozen=True, slots=True)
class GCRule:
    worker: str
    index: int
    node: TomlNode

    def path(self, key: str) -> tuple[str | int, ...]:
        return ("worker", self.worker, "gcpolicy", self.index, key)


def gc_rules(decoded: Decoded, worker: str) -> list[GCRule]:
    out = []
    for path, nodes in decoded.tables.items():
        if (
            len(path) == 4
            and path[:3] == ("worker", worker, "gcpolicy")
            and isinstance(path[3], int)
            and nodes
        ):
            out.append(GCRule(worker, path[3], nodes[0]))
    return sorted(out, key=lambda r: r.index)


def _size(decoded: Decoded, path: tuple[str | int, ...]) -> DiskSpace | None:
    entry = decoded.entries.get(path)
    if entry is None or not isinstance(entry.value, DiskSpace) or not entry.value.is_set:
        return None
    return entry.value


def rule_sizes(decoded: Decoded, rule: GCRule) -> dict[str, DiskSpace]:
    """The rule's sizes after ``keepBytes`` is copied into an unset ``reservedSpace``."""
    out = {k: v for k in SIZES if (v := _size(decoded, rule.path(k))) is not None}
    keep = _size(decoded, rule.path("keepBytes"))
    if keep is not None and "reservedSpace" not in out:
        out["reservedSpace"] = keep
    return out


def _label(rule: GCRule) -> str:
    return f"`[[worker.{rule.worker}.gcpolicy]]` #{rule.index + 1}"


def _size_entries(decoded: Decoded) -> Iterator[Entry]:
    for worker in WORKERS:
        for entry in decoded.under("worker", worker):
            if isinstance(entry.value, DiskSpace) and entry.value.is_set:
                yield entry


def _gc_off(decoded: Decoded, worker: str) -> bool:
    return decoded.value("worker", worker, "gc") is False


@register
class GCPercentageOutOfRange(Rule):
    """Checks for disk-space percentages above 100 % or below 0 %.

    **Why**: buildkitd accepts any integer percentage (`"-5%"` and `"150%"` both load) and
    converts it once at start against the size of the disk holding its root. A negative
    percentage becomes a meaningless size near zero or below; above 100 %, `maxUsedSpace`
    is never reached (no size cap) and `reservedSpace` protects the whole cache (nothing is
    ever pruned by size). `minFreeSpace` of 100 % or more has its own rule (BK232).

    **Bad**: `maxUsedSpace = "150%"` — **Good**: `maxUsedSpace = "80%"`
    """

    code = "BK230"
    name = "gc-percentage-out-of-range"
    summary = "A GC size percentage above 100 % or below 0 %"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for entry in _size_entries(decoded):
            pct = entry.value.percentage
            key = str(entry.path[-1])
            if pct < 0:
                yield self.finding(
                    f'`{key} = "{pct}%"` is accepted but meaningless: buildkitd turns a negative percentage into a '
                    "size of about zero or less",
                    doc.value_span(entry.node),
                )
            elif pct > 100 and key != "minFreeSpace":
                effect = {
                    "maxUsedSpace": "the cap is never reached, so the cache is not limited by size",
                    "reservedSpace": "the whole cache is protected, so nothing is ever pruned by size",
                    "keepBytes": "the whole cache is protected, so nothing is ever pruned by size",
                    "gckeepstorage": "the whole cache is protected, so nothing is ever pruned by size",
                }.get(key, "it exceeds the disk")
                yield self.finding(
                    f'`{key} = "{pct}%"` is more than the whole disk: {effect}',
                    doc.value_span(entry.node),
                )


def _comparable(a: DiskSpace, b: DiskSpace) -> tuple[int, int] | None:
    if a.percentage and b.percentage:
        return a.percentage, b.percentage
    if a.bytes and b.bytes and not a.percentage and not b.percentage:
        return a.bytes, b.bytes
    return None


def _describe(value: DiskSpace) -> str:
    return f"{value.percentage}%" if value.percentage else human_bytes(value.bytes)


@register
class ReservedAboveMaxUsed(Rule):
    """Checks for `reservedSpace` (or `keepBytes`) larger than `maxUsedSpace`.

    **Why**: the prune target is `maxUsedSpace`, then raised to at least `reservedSpace`
    (`calculateKeepBytes`): with a floor above the ceiling, the ceiling never applies and
    the cache is kept at the larger size. Only like is compared with like (bytes with bytes,
    percentages with percentages); worker-level values are skipped when `gcpolicy` replaces
    them.

    **Bad**
    ```toml
    [[worker.oci.gcpolicy]]
    reservedSpace = "50GB"
    maxUsedSpace = "20GB"
    ```
    """

    code = "BK231"
    name = "reserved-above-max-used"
    summary = "`reservedSpace` above `maxUsedSpace`: the cap never applies"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for worker in WORKERS:
            rules = gc_rules(decoded, worker)
            scopes: list[tuple[tuple[str | int, ...], str]] = [(r.path(""), _label(r)) for r in rules]
            if not rules:
                scopes.append((("worker", worker, ""), f"`[worker.{worker}]`"))
            for prefix, label in scopes:
                base = prefix[:-1]
                reserved_key = "reservedSpace"
                reserved = _size(decoded, (*base, "reservedSpace"))
                if reserved is None and len(base) == 4:
                    reserved_key = "keepBytes"
                    reserved = _size(decoded, (*base, "keepBytes"))
                maximum = _size(decoded, (*base, "maxUsedSpace"))
                if reserved is None or maximum is None:
                    continue
                pair = _comparable(reserved, maximum)
                if pair is None or pair[0] <= pair[1]:
                    continue
                entry = decoded.entries[(*base, "maxUsedSpace")]
                yield self.finding(
                    f"in {label}, `maxUsedSpace` ({_describe(maximum)}) is below `{reserved_key}` "
                    f"({_describe(reserved)}): buildkitd never prunes below `{reserved_key}`, so the cap has no effect",
                    doc.value_span(entry.node),
                    related=((doc.value_span(decoded.entries[(*base, reserved_key)].node), reserved_key),),
                )


@register
class MinFreeSpaceUnreachable(Rule):
    """Checks for `minFreeSpace` of 100 % or more.

    **Why**: `minFreeSpace` asks GC to prune until the disk has that much free space. A disk
    can never be 100 % free while it holds anything, so every GC run prunes everything the
    rule matches down to `reservedSpace` (or to nothing) — the cache is thrown away over and
    over.

    **Bad**: `minFreeSpace = "100%"` — **Good**: `minFreeSpace = "20%"`
    """

    code = "BK232"
    name = "min-free-space-unreachable"
    summary = "`minFreeSpace` ≥ 100 % can never be met; every GC run empties the cache"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for entry in _size_entries(decoded):
            if entry.path[-1] != "minFreeSpace" or entry.value.percentage < 100:
                continue
            yield self.finding(
                f'`minFreeSpace = "{entry.value.percentage}%"` can never be met: every GC run prunes everything it '
                "may down to `reservedSpace`",
                doc.value_span(entry.node),
            )


@register
class GCRuleDeletesEverything(Rule):
    """Checks for GC rules with neither a size nor a positive `keepDuration`.

    **Why**: a rule without `reservedSpace`, `maxUsedSpace`, `minFreeSpace` or `keepBytes`
    has no size target, so every GC run deletes **every** unused cache record it matches,
    except those protected by `keepDuration` (§5.5 of the reference; `calculateKeepBytes`).
    With `keepDuration` absent, `0` or negative, nothing is protected at all: `all = true`
    alone wipes the whole cache on each run. A negative `keepDuration` is accepted and acts
    like `0`; on a rule that has a size it is reported as information.

    **Bad**
    ```toml
    [[worker.oci.gcpolicy]]
    all = true
    ```

    **Good**
    ```toml
    [[worker.oci.gcpolicy]]
    all = true
    maxUsedSpace = "50GB"
    ```
    """

    code = "BK233"
    name = "gc-rule-deletes-everything"
    summary = "A GC rule with no size and no keepDuration deletes all it matches on every run"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for worker in WORKERS:
            if _gc_off(decoded, worker):
                continue
            for rule in gc_rules(decoded, worker):
                keep = decoded.entry(*rule.path("keepDuration"))
                duration = keep.value if keep is not None and isinstance(keep.value, int) else 0
                sizes = rule_sizes(decoded, rule)
                span = (
                    doc.value_span(keep.node)
                    if keep is not None and duration < 0
                    else doc.node_span(rule.node)
                )
                if not sizes and duration <= 0:
                    what = "matches" if decoded.value(*rule.path("filters")) else "covers"
                    neg = " (a negative `keepDuration` protects nothing)" if duration < 0 else ""
                    yield self.finding(
                        f"{_label(rule)} has no size and no positive `keepDuration`{neg}: every GC run deletes every "
                        f"unused cache record it {what}",
                        span,
                    )
                elif duration < 0:
                    yield self.finding(
                        f"`keepDuration` in {_label(rule)} is negative, which protects nothing (the same as 0)",
                        span,
                        severity=Severity.INFO,
                    )


class Selector(NamedTuple):
    field: str
    op: str  # "==", "!=", "~=" or "" (presence)
    value: str


class FilterError(ValueError):
    pass


def parse_filter(text: str) -> list[Selector]:
    """containerd's ``filters.Parse``: comma-separated ``field[op value]`` selectors."""
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
class GCFilterInvalid(Rule):
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

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for rule, _entry, _i, text, node in _filters(decoded):
            span = doc.value_span(node)
            try:
                selectors = parse_filter(text)
            except FilterError as exc:
                yield self.finding(
                    f"filter {text!r} in {_label(rule)} does not parse ({exc}): every GC run fails on it and the "
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
                        f"filter {text!r} in {_label(rule)} uses the unknown field `{root}`{hint}: it never matches, "
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
_PLAIN_FILTER_VALUE = re.compile(r"[A-Za-z0-9_./:+-]+")


@register
class GCFilterCommaAlternatives(Rule):
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
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[[worker.oci.gcpolicy]]\nfilters = ["type==source.local,type==exec.cachemount"]\nkeepDuration = "48h"\n',
        "[[worker.oci.gcpolicy]]\r\nfilters = ['type==source.local, type==source.git.checkout'] # local and git\r\nreservedSpace = \"10GB\"\r\n",
        '[[worker.containerd.gcpolicy]]\nfilters = [\n  "type==regular,type==internal,type==regular", # two types\n  "type==frontend",\n]\nmaxUsedSpace = "20GiB"\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
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
                f"filter {text!r} in {_label(rule)} never matches: a comma means AND and a record has one "
                f"`{clash[0]}`; put alternatives in separate list elements",
                doc.value_span(node),
                fix=fix,
            )


@register
class GCDisabledWithPolicy(Rule):
    """Checks for `gc = false` next to GC rules or sizes.

    **Why**: with `gc = false` buildkitd builds no GC policy at all (`getGCPolicy` returns
    nothing), so `gcpolicy` rules, `reservedSpace`, `maxUsedSpace`, `minFreeSpace` and
    `gckeepstorage` of that worker are never used and the cache grows without bound.

    **Bad**
    ```toml
    [worker.oci]
    gc = false
    maxUsedSpace = "50GB"
    ```
    """

    code = "BK236"
    name = "gc-disabled-with-policy"
    summary = "`gc = false` while GC rules or sizes are set: they are never used"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for worker in WORKERS:
            gc = decoded.entry("worker", worker, "gc")
            if gc is None or gc.value is not False:
                continue
            used = [f"`{k}`" for k in WORKER_SIZES if _size(decoded, ("worker", worker, k)) is not None]
            n = len(gc_rules(decoded, worker))
            if n:
                used.append(f"{n} gcpolicy rule{'s' if n > 1 else ''}")
            if not used:
                continue
            yield self.finding(
                f"`gc = false` turns garbage collection off for the {worker} worker; it overrides "
                f"{' and '.join(used)}, and the cache grows without bound",
                doc.node_span(gc.node),
            )


@register
class WorkerGCSettingIgnored(Rule):
    """Checks for worker-level GC sizes that buildkitd ignores.

    **Why**: `reservedSpace`, `maxUsedSpace`, `minFreeSpace` and `gckeepstorage` at worker
    level only shape the **default** policy. As soon as one `[[gcpolicy]]` rule exists, the
    rules replace the default policy and these keys are silently ignored (`getGCPolicy`).
    (That `gckeepstorage` is also ignored next to the newer keys is reported with its
    deprecation, BK402.)

    See https://github.com/moby/buildkit/issues/5292.

    **Bad**
    ```toml
    [worker.oci]
    maxUsedSpace = "50GB"
    [[worker.oci.gcpolicy]]
    keepDuration = "48h"
    ```

    **Good**: put the size into the rules (a final rule with `maxUsedSpace` and no
    `keepDuration` caps the cache).
    """

    code = "BK237"
    name = "worker-gc-setting-ignored"
    summary = "A worker-level GC size ignored because gcpolicy (or a newer key) is set"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for worker in WORKERS:
            if _gc_off(decoded, worker):
                continue
            has_rules = bool(gc_rules(decoded, worker))
            for key in WORKER_SIZES:
                entry = decoded.entry("worker", worker, key)
                if entry is None or not isinstance(entry.value, DiskSpace) or not entry.value.is_set:
                    continue
                if has_rules:
                    yield self.finding(
                        f"`{key}` is ignored: `[[worker.{worker}.gcpolicy]]` rules replace the default policy, which is "
                        "the only thing worker-level sizes shape; put the size into a rule",
                        doc.node_span(entry.node),
                    )


@register
class GCPolicyWithoutSizeCap(Rule):
    """Checks that a custom GC policy has a rule that caps the cache regardless of age.

    **Why**: custom `[[gcpolicy]]` rules replace BuildKit's default policy, whose last rules
    have no `keepDuration` and so act as a hard ceiling. When **every** rule has a positive
    `keepDuration`, anything used within that window is protected — together with all the
    layers it depends on — so a burst of builds can fill the disk and GC frees nothing.

    See https://github.com/moby/buildkit/issues/5292 and
    https://github.com/KBVE/kbve/pull/13573.

    **Bad**
    ```toml
    [[worker.oci.gcpolicy]]
    keepDuration = "336h"
    reservedSpace = "80GB"
    ```

    **Good**
    ```toml
    [[worker.oci.gcpolicy]]
    keepDuration = "336h"
    reservedSpace = "80GB"
    [[worker.oci.gcpolicy]]
    all = true
    maxUsedSpace = "120GB"
    ```
    """

    code = "BK238"
    name = "gc-policy-without-size-cap"
    summary = "Every GC rule has keepDuration: nothing caps the cache by size"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for worker in WORKERS:
            rules = gc_rules(decoded, worker)
            if not rules or _gc_off(decoded, worker):
                continue
            ages = [decoded.value(*r.path("keepDuration"), default=0) for r in rules]
            if not all(isinstance(a, int) and a > 0 for a in ages):
                continue
            yield self.finding(
                f"every `[[worker.{worker}.gcpolicy]]` rule has a `keepDuration`, so cache used within that window is "
                "never pruned however large it grows; add a last rule with `maxUsedSpace` (or `reservedSpace`) and no "
                "`keepDuration`",
                doc.node_span(rules[-1].node),
            )


_DECIMAL_UNIT = re.compile(r"^\s*[0-9.]+\s?([kKmMgGtTpP][bB])\s*$")


@register
class BinarySizeUnit(Rule):
    """Explains that `MB`, `GB` and `TB` in GC sizes are binary units.

    **Why**: BuildKit parses sizes with docker/go-units `RAMInBytes`, where `KB`, `MB`, `GB`
    mean KiB, MiB, GiB: `"512MB"` is 536 870 912 bytes and `"20GB"` is 21 474 836 480 —
    about 5–10 % more than the decimal reading. The `--oci-worker-gc-keepstorage` flag, in
    contrast, counts decimal megabytes. Usually harmless; worth knowing when a disk is sized
    tightly. Reported once per file.

    **Good**: `maxUsedSpace = "20GiB"` (same value, unambiguous)

    **Fix** (safe — same number of bytes): write the unit as `MiB`/`GiB`/….
    """

    code = "BK239"
    name = "binary-size-unit"
    summary = "`MB`/`GB` in sizes are binary (MiB/GiB) in BuildKit"
    severity = Severity.INFO
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[worker.oci]\nmaxUsedSpace = "20GB"\n',
        "[[worker.oci.gcpolicy]]\r\nreservedSpace = \"512MB\" # half a gig\r\nmaxUsedSpace = '4 gb'\r\n",
        # Many sizes: fixed in one pass, within the fixer's pass limit.
        "".join(
            f'[[worker.oci.gcpolicy]]\nreservedSpace = "{n}GB"\nmaxUsedSpace = "{2 * n}GB"\n'
            for n in range(1, 9)
        ),
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        # (entry, value as written, unit, binary unit) of every size written with a decimal-looking unit.
        found: list[tuple[Entry, str, str, str]] = []
        edits: list[Edit] = []
        for entry in _size_entries(decoded):
            raw = doc.slice(entry.node.value_start, entry.node.value_end)
            if raw[:1] not in "\"'" or raw.startswith(('"""', "'''")):
                continue
            inner = raw[1:-1]
            m = _DECIMAL_UNIT.match(inner)
            if m is None:
                continue
            unit = m.group(1)
            binary = unit[0].upper() + "iB"
            new = inner[: m.start(1)] + binary + inner[m.end(1) :]
            found.append((entry, inner, unit, binary))
            edits.append(Edit(doc.value_span(entry.node), raw[0] + new + raw[0]))
        if not found:
            return
        # Reported once, but fixed everywhere at once: one size per pass would not settle
        # within the fixer's pass limit on a file with many GC rules.
        entry, inner, unit, binary = found[0]
        label = (
            f"write `{binary}`"
            if len(edits) == 1
            else f"write binary units (`{binary}`, …) in {len(edits)} sizes"
        )
        yield self.finding(
            f"`{inner.strip()}` is {entry.value.bytes:,} bytes: `{unit}` means {binary} in BuildKit sizes",
            doc.value_span(entry.node),
            fix=Fix(label, tuple(edits), "safe"),
        )
