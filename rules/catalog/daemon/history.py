"""BK250–BK251: the build history limits."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import Finding, ParsedRule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.startup import FAILS_AT_START


@register
class NegativeHistoryLimit(ParsedRule):
    """Checks that `[history]` limits are not negative.

    **Why**: a negative `maxEntries` reaches a slice expression with a negative index in the
    history GC (`solver/llbsolver/history/buildhistory.go`, `records[maxEntries:]`), which runs when the daemon starts: buildkitd
    panics (`slice bounds out of range [-1:]`) and exits (error). A negative
    `maxAge` makes every record "too old" as soon as the entry limit allows (warning).
    """

    code = "BK250"
    name = "negative-history-limit"
    triggers = ("history",)
    summary = "A negative `history.maxEntries` (crashes the daemon at start) or `maxAge`"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entries = decoded.entry("history", "maxEntries")
        if entries is not None and isinstance(entries.value, int) and entries.value < 0:
            yield self.finding(
                f"`maxEntries = {entries.value}` is negative: the history cleanup at start crashes the daemon "
                f"(`slice bounds out of range`); {FAILS_AT_START.phrase}",
                doc.value_span(entries.node),
            )
        age = decoded.entry("history", "maxAge")
        if age is not None and isinstance(age.value, int) and age.value < 0:
            yield self.finding(
                "a negative `maxAge` makes every build record expire immediately (beyond `maxEntries`)",
                doc.value_span(age.node),
                severity=Severity.WARNING,
            )


@register
class HistoryTableIncomplete(ParsedRule):
    """Checks that a `[history]` table sets both `maxAge` and `maxEntries`.

    **Why**: the defaults (48 h, 50 records) apply only when the `[history]` table is absent.
    A table with one key leaves the other at 0: `maxEntries = 100` alone deletes every record
    beyond the newest 100 regardless of age, and `maxAge = "168h"` alone keeps no minimum
    number of records, deleting everything older than a week (§5.9 of the reference).

    **Bad**
    ```toml
    [history]
    maxAge = "168h"
    ```

    **Good**
    ```toml
    [history]
    maxAge = "168h"
    maxEntries = 50
    ```
    """

    code = "BK251"
    name = "history-table-incomplete"
    triggers = ("history",)
    summary = "`[history]` with one key zeroes the other"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        if not decoded.has_table("history") or ("history",) in decoded.incomplete:
            return
        age = decoded.entry("history", "maxAge")
        entries = decoded.entry("history", "maxEntries")
        if (age is None) == (entries is None):
            return
        if age is not None:
            yield self.finding(
                "`[history]` sets `maxAge` but not `maxEntries`, which becomes 0 (the default 50 applies only "
                "without a `[history]` table): no minimum number of records is kept",
                doc.node_span(age.node),
            )
        elif entries is not None and isinstance(entries.value, int) and entries.value >= 0:
            yield self.finding(
                "`[history]` sets `maxEntries` but not `maxAge`, which becomes 0 (the default 48h applies only "
                "without a `[history]` table): records beyond the newest "
                f"{entries.value} are deleted regardless of age",
                doc.node_span(entries.node),
            )
