"""BK229–BK233, BK239: the sizes of GC rules and their units."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.gc.gcpolicy import (
    SIZES,
    GCRule,
    gc_off,
    gc_rules,
    policy_label,
    size_at,
    size_entries,
)
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.regex import Regex
from bklint.rules.schema.decode import Decoded, Entry
from bklint.rules.schema.tree import WORKERS
from bklint.rules.schema.values import DiskSpace, human_bytes


def rule_sizes(decoded: Decoded, rule: GCRule) -> dict[str, DiskSpace]:
    """The rule's sizes after ``keepBytes`` is copied into an unset ``reservedSpace``."""
    out = {k: v for k in SIZES if (v := size_at(decoded, rule.path(k))) is not None}
    keep = size_at(decoded, rule.path("keepBytes"))
    if keep is not None and "reservedSpace" not in out:
        out["reservedSpace"] = keep
    return out


@register
class TinyBareIntegerSize(ParsedRule):
    """Checks for GC sizes written as a bare integer that is absurdly small (under 1 MiB).

    **Why**: a size without quotes is a number of **bytes** (`DiskSpace` reads a TOML
    integer as bytes). `gckeepstorage = 9313  # 9GB` keeps about 9 KB of build cache, so
    every GC run prunes nearly everything. The mistake survives a rename to
    `reservedSpace`, so it is reported on every size key, deprecated or current.

    **Bad**: `reservedSpace = 20000  # 20 GiB`

    **Good**: `reservedSpace = "20GiB"`
    """

    code = "BK229"
    name = "tiny-bare-integer-size"
    summary = "A bare-integer GC size counts bytes; under 1 MiB it prunes nearly all cache"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for entry in size_entries(decoded):
            raw = doc.slice(entry.node.value_start, entry.node.value_end).replace("_", "")
            if not raw.isdigit() or not 0 < entry.value.bytes < _TINY_BYTES:
                continue
            yield self.finding(
                f"`{entry.written[-1]} = {raw}` is {entry.value.bytes:,} bytes ({human_bytes(entry.value.bytes)}): "
                "a bare integer counts bytes, so GC keeps almost no cache; write the size with a unit, e.g. `\"10GiB\"`",
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
class GCPercentageOutOfRange(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for entry in size_entries(decoded):
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


@register
class ReservedAboveMaxUsed(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for worker in WORKERS:
            rules = gc_rules(decoded, worker)
            scopes: list[tuple[tuple[str | int, ...], str]] = [(r.path(""), policy_label(r)) for r in rules]
            if not rules:
                scopes.append((("worker", worker, ""), f"`[worker.{worker}]`"))
            for prefix, label in scopes:
                base = prefix[:-1]
                reserved_key = "reservedSpace"
                reserved = size_at(decoded, (*base, "reservedSpace"))
                if reserved is None and len(base) == 4:
                    reserved_key = "keepBytes"
                    reserved = size_at(decoded, (*base, "keepBytes"))
                maximum = size_at(decoded, (*base, "maxUsedSpace"))
                if reserved is None or maximum is None:
                    continue
                pair = _comparable(reserved, maximum)
                if pair is None or pair[0] <= pair[1]:
                    continue
                max_path, reserved_path = (*base, "maxUsedSpace"), (*base, reserved_key)
                entry = decoded.entries[max_path]
                yield self.finding(
                    f"in {label}, `maxUsedSpace` ({_describe(maximum)}) is below `{reserved_key}` "
                    f"({_describe(reserved)}): buildkitd never prunes below `{reserved_key}`, so the cap has no effect",
                    doc.value_span(entry.node),
                    related=((doc.value_span(decoded.entries[reserved_path].node), reserved_key),),
                )


@register
class MinFreeSpaceUnreachable(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for entry in size_entries(decoded):
            if entry.path[-1] != "minFreeSpace" or entry.value.percentage < 100:
                continue
            yield self.finding(
                f'`minFreeSpace = "{entry.value.percentage}%"` can never be met: every GC run prunes everything it '
                "may down to `reservedSpace`",
                doc.value_span(entry.node),
            )


_DECIMAL_UNIT = Regex(r"^\s*[0-9.]+\s?([kKmMgGtTpP][bB])\s*$")


@register
class GCRuleDeletesEverything(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for worker in WORKERS:
            if gc_off(decoded, worker):
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
                if not sizes and duration <= 0 and rule.complete:
                    what = "matches" if decoded.value(*rule.path("filters")) else "covers"
                    neg = " (a negative `keepDuration` protects nothing)" if duration < 0 else ""
                    yield self.finding(
                        f"{policy_label(rule)} has no size and no positive `keepDuration`{neg}: every GC run deletes every "
                        f"unused cache record it {what}",
                        span,
                    )
                elif duration < 0:
                    yield self.finding(
                        f"`keepDuration` in {policy_label(rule)} is negative, which protects nothing (the same as 0)",
                        span,
                        severity=Severity.INFO,
                    )


# Below this a bare-integer size cannot be meant: no build cache fits in it.
_TINY_BYTES = 1 << 20


@register
class BinarySizeUnit(ParsedRule):
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
    fix_examples = (
        '[worker.oci]\nmaxUsedSpace = "20GB"\n',
        "[[worker.oci.gcpolicy]]\r\nreservedSpace = \"512MB\" # half a gig\r\nmaxUsedSpace = '4 gb'\r\n",
        # Many sizes: fixed in one pass, within the fixer's pass limit.
        "".join(
            f'[[worker.oci.gcpolicy]]\nreservedSpace = "{n}GB"\nmaxUsedSpace = "{2 * n}GB"\n'
            for n in range(1, 9)
        ),
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        # (entry, value as written, unit, binary unit) of every size written with a decimal-looking unit.
        found: list[tuple[Entry, str, str, str]] = []
        edits: list[Edit] = []
        for entry in size_entries(decoded):
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
