"""BK004–BK008: values buildkitd's loader refuses (it exits at start-up) or crashes on."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import Document, format_path
from bklint.rules.regex import Regex
from bklint.rules.restructure import legacy_integer
from bklint.rules.schema.decode import Decoded, Issue
from bklint.rules.schema.values import go_parse_duration
from bklint.rules.schema.versions import uses_go_toml_v1

_LOADER_FAILS = "buildkitd refuses to start and `docker buildx create` fails"


def _issues(ctx: Context, doc: Document, decoded: Decoded, kind: str) -> Iterable[Issue]:
    issues = (i for i in decoded.issues if i.kind == kind)
    target = ctx.target_version()
    if kind == "value" and target is not None and uses_go_toml_v1(target):
        # go-toml v1 (BuildKit < v0.28) normalised hex and underscore integers before BuildKit
        # parsed sizes and durations; BK413 reports them as a risk for newer releases instead.
        issues = (i for i in issues if not _legacy_integer(doc, i))
    return issues


def _legacy_integer(doc: Document, issue: Issue) -> bool:
    if issue.canonical not in ("DiskSpace", "Duration", "*Duration") or issue.node.kind != "value":
        return False
    return legacy_integer(doc.slice(issue.node.value_start, issue.node.value_end)) is not None


def _label(issue: Issue) -> str:
    return f"`{format_path(issue.path)}`"


def _replace(doc: Document, start: int, end: int, content: str) -> tuple[Edit, ...]:
    return (Edit(doc.span(start, end), content),)


@register
class WrongType(ParsedRule):
    """Checks that every known key has the TOML type buildkitd's Go struct expects.

    **Why**: the loader (go-toml v2) does not convert between types: `"4"` is not an
    integer, `"true"` is not a boolean, a single string is not a list, and
    `[worker.oci.gcpolicy]` is not an array of tables. Any of these stops buildkitd at
    start-up with `failed to parse config: toml: cannot decode TOML … into struct field …`,
    and `docker buildx create` (v0.20+) refuses the config.

    **Bad**
    ```toml
    [worker.oci]
    max-parallelism = "4"
    [registry."docker.io"]
    mirrors = "mirror.gcr.io"
    ```

    **Good**
    ```toml
    [worker.oci]
    max-parallelism = 4
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io"]
    ```

    **Fix** (unsafe: it changes what the daemon will do): unquote a quoted integer or
    boolean, or wrap a single string in a list.
    """

    code = "BK004"
    name = "wrong-type"
    summary = "A value has a TOML type buildkitd cannot decode into the key's Go type"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[worker.oci]\nmax-parallelism = "4"\n',
        '[registry."docker.io"]\r\nmirrors = "mirror.gcr.io" # one\r\nhttp = "false"\r\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in _issues(ctx, doc, decoded, "type"):
            yield self.finding(
                f"{_label(issue)} {issue.message}; {_LOADER_FAILS}",
                doc.span(*issue.anchor),
                fix=self._fix(doc, issue),
            )

    @staticmethod
    def _fix(doc: Document, issue: Issue) -> Fix | None:
        node = issue.node
        if node.kind != "value":
            return None
        raw = doc.slice(node.value_start, node.value_end)
        if raw[:1] not in "\"'" or raw.startswith(('"""', "'''")):
            return None
        inner = raw[1:-1]
        go = issue.canonical
        if go in ("int", "*int", "int64") and re.fullmatch(r"[+-]?\d+", inner):
            return Fix(f"use the integer {inner}", _replace(doc, node.value_start, node.value_end, inner), "unsafe")
        if go in ("bool", "*bool") and inner in ("true", "false"):
            return Fix(f"use the boolean {inner}", _replace(doc, node.value_start, node.value_end, inner), "unsafe")
        if go == "[]string":
            return Fix(
                f"make it a list: [{raw}]", _replace(doc, node.value_start, node.value_end, f"[{raw}]"), "unsafe"
            )
        return None


@register
class InvalidSize(ParsedRule):
    """Checks disk-space values (`reservedSpace`, `maxUsedSpace`, `minFreeSpace`,
    `gckeepstorage`, `keepBytes`) as BuildKit parses them.

    **Why**: a size is an integer number of bytes, a string with a binary unit
    (`"512MB"` = 512 MiB, `"10GB"`, `"1.5GiB"`; no `EB`), or an integer percentage of the
    disk (`"10%"`). Anything else (`"10 %"`, `"10.5%"`, `"-100"`, `0x400`, `"1EB"`) stops
    buildkitd at start-up with `invalid disk space …`.

    **Good**
    ```toml
    [worker.oci]
    reservedSpace = "10GB"
    maxUsedSpace = "80%"
    ```
    """

    code = "BK005"
    name = "invalid-size"
    summary = "A disk-space value BuildKit cannot parse"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in _issues(ctx, doc, decoded, "value"):
            if issue.canonical == "DiskSpace":
                yield self.finding(
                    f"{_label(issue)} is not a valid size ({issue.message}); {_LOADER_FAILS}",
                    doc.span(*issue.anchor),
                )


_DAY_WEEK = Regex(r"^(\d+)([dw])$")


@register
class InvalidDuration(ParsedRule):
    """Checks duration values (`keepDuration`, `history.maxAge`,
    `system.platformsCacheMaxAge`) as BuildKit parses them.

    **Why**: a duration is a Go duration string (`"48h"`, `"1h30m"`, `"300ms"`) or an
    integer number of seconds. Days and weeks (`"7d"`), spaces, floats, hex and underscores
    are refused at start-up with `invalid duration …` — and old buildx versions could not
    even remove a builder created with such a file.

    **Bad**: `keepDuration = "7d"` — **Good**: `keepDuration = "168h"`

    **Fix** (safe): `"Nd"`/`"Nw"` are rewritten to the same number of hours.
    """

    code = "BK006"
    name = "invalid-duration"
    summary = "A duration BuildKit cannot parse (no day or week units)"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[[worker.oci.gcpolicy]]\nkeepDuration = "7d" # a week\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in _issues(ctx, doc, decoded, "value"):
            if issue.canonical not in ("Duration", "*Duration"):
                continue
            node = issue.node
            fix = None
            raw = doc.slice(node.value_start, node.value_end)
            m = _DAY_WEEK.match(raw[1:-1]) if raw[:1] in "\"'" and not raw.startswith(('"""', "'''")) else None
            if m:
                hours = int(m.group(1)) * (24 if m.group(2) == "d" else 168)
                quote = raw[0]
                new = f"{quote}{hours}h{quote}"
                assert go_parse_duration(f"{hours}h") is not None
                fix = Fix(f"use {new}", _replace(doc, node.value_start, node.value_end, new), "safe")
            hint = " (Go durations have no day or week unit: use hours)" if m else ""
            yield self.finding(
                f"{_label(issue)} is not a valid duration ({issue.message}){hint}; {_LOADER_FAILS}",
                doc.span(*issue.anchor),
                fix=fix,
            )


@register
class IntegerOutOfRange(ParsedRule):
    """Checks that integers fit the 64-bit Go integer they decode into.

    **Why**: go-toml v2 refuses a value that overflows the field's type, and buildkitd stops
    at start-up.
    """

    code = "BK007"
    name = "integer-out-of-range"
    summary = "An integer does not fit in the key's Go type"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in _issues(ctx, doc, decoded, "value"):
            if issue.canonical in ("", "int", "*int", "int64"):
                yield self.finding(f"{_label(issue)} {issue.message}; {_LOADER_FAILS}", doc.span(*issue.anchor))


@register
class LoaderCrash(ParsedRule):
    """Checks for inputs on which buildkitd's loader panics.

    **Why**: go-toml v2 (`unmarshaler.go`) panics instead of returning an error in two cases,
    so buildkitd and `docker buildx create` crash instead of reporting one:
    - a dotted key that sets an unset pointer-typed key (`http`, `insecure`) of a registry
      entry an earlier dotted key created — in the same spelling or another
      (`registry."r.example".ca = […]` then `registry."r.example".http = true`, or
      `registry = { r.http = true, r.insecure = true }`): the entry is a copy taken from a
      Go map (`reflect.Value.Set using unaddressable value`). Setting a key already set, or
      a list, does not panic;
    - a table header that goes below a value that is not a table
      (`[worker.oci.max-parallelism.x]`, `[worker.oci.labels.foo.bar]`): `unhandled part`.

    **Good**: use a table per registry:
    ```toml
    [registry."r.example"]
    ca = ["/etc/certs/ca.pem"]
    http = true
    ```
    """

    code = "BK008"
    name = "loader-crash"
    summary = "The file makes buildkitd's config loader crash"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in _issues(ctx, doc, decoded, "crash"):
            yield self.finding(issue.message, doc.span(*issue.anchor))
