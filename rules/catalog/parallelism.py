"""BK220–BK224: how many build steps and registry connections buildkitd runs at once."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import Finding, ParsedRule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.schema.tree import WORKERS


@register
class MaxParallelismUnlimited(ParsedRule):
    """Checks for `max-parallelism` values of zero or less.

    **Why**: `max-parallelism` caps how many build steps run at once on one worker (a
    semaphore created only for values above zero, in both the OCI and the containerd worker
    initialisers). `0` is the default and means **unlimited**; a negative value is not an
    error either — it also means unlimited, which is rarely what someone writing `-1` hoped
    for. Zero is reported as information, a negative value as a warning.

    Note that the limit is per worker and only applies in the table of the worker that runs
    the builds (`[worker.oci]` for the default runc worker).

    **Bad**
    ```toml
    [worker.oci]
    max-parallelism = -1
    ```

    **Good**
    ```toml
    [worker.oci]
    max-parallelism = 4
    ```
    """

    code = "BK220"
    name = "max-parallelism-unlimited"
    summary = "`max-parallelism` ≤ 0 means no limit at all"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for worker in WORKERS:
            entry = decoded.entry("worker", worker, "max-parallelism")
            if entry is None or not isinstance(entry.value, int) or entry.value > 0:
                continue
            if entry.value == 0:
                yield self.finding(
                    f"`max-parallelism = 0` is the default: the {worker} worker runs any number of steps at once",
                    doc.value_span(entry.node),
                    severity=Severity.INFO,
                )
            else:
                yield self.finding(
                    f"`max-parallelism = {entry.value}` does not limit anything: values of 0 or less mean "
                    f"unlimited; use a positive number to cap the {worker} worker",
                    doc.value_span(entry.node),
                )


@register
class RegistryConcurrencyNotPositive(ParsedRule):
    """Checks that `system.maxRegistryConcurrency` is greater than zero.

    **Why**: the key (v0.31+) limits concurrent connections to each registry host; when
    absent the limit is **4 concurrent requests per registry host**, with one extra slot
    reserved so metadata (manifest) requests are not starved by blob downloads
    (`util/resolver/limited`: two semaphores of size N and N+1 per host). buildkitd refuses to start when the value is 0 or
    negative: `maxRegistryConcurrency must be greater than zero`. There is no "unlimited"
    setting — pick a large number instead.

    **Bad**
    ```toml
    [system]
    maxRegistryConcurrency = 0
    ```

    **Good**
    ```toml
    [system]
    maxRegistryConcurrency = 16
    ```
    """

    code = "BK221"
    name = "registry-concurrency-not-positive"
    summary = "`system.maxRegistryConcurrency` ≤ 0 stops buildkitd at start-up"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("system", "maxRegistryConcurrency")
        if entry is None or not isinstance(entry.value, int) or entry.value > 0:
            return
        yield self.finding(
            f"`maxRegistryConcurrency = {entry.value}` stops buildkitd at start-up (it must be greater than zero); "
            "leave it out for the default of 4 connections per registry host",
            doc.value_span(entry.node),
        )
