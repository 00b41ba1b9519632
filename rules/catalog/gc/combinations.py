"""BK236–BK238: GC settings that cancel or leave out one another."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import Finding, ParsedRule, Severity, register
from bklint.rules.catalog.gc.gcpolicy import SIZES, gc_off, gc_rules, size_at
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.schema.tree import WORKERS
from bklint.rules.schema.values import DiskSpace

WORKER_SIZES = (*SIZES, "gckeepstorage")


@register
class GCDisabledWithPolicy(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for worker in WORKERS:
            gc = decoded.entry("worker", worker, "gc")
            if gc is None or gc.value is not False:
                continue
            used = [f"`{k}`" for k in WORKER_SIZES if size_at(decoded, ("worker", worker, k)) is not None]
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
class WorkerGCSettingIgnored(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for worker in WORKERS:
            if gc_off(decoded, worker):
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
class GCPolicyWithoutSizeCap(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for worker in WORKERS:
            rules = gc_rules(decoded, worker)
            if not rules or gc_off(decoded, worker):
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
