"""BK240–BK242: the daemon process itself (process sandbox, log level and format)."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules import toml_text
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.schema.tree import LOG_LEVELS
from bklint.rules.startup import FAILS_AT_START
from bklint.rules.templates import templated

LOG_FORMATS = ("text", "json")


@register
class NoProcessSandboxWithoutRootless(ParsedRule):
    """Checks that `noProcessSandbox = true` comes with a rootless worker.

    **Why**: the OCI worker (`cmd/buildkitd/main_oci_worker.go`) refuses to start with
    `can't enable NoProcessSandbox without Rootless` unless `rootless` is true. Writing
    `rootless = false` or leaving it out behaves the same: both fail outside a user
    namespace, and both start inside one (the `moby/buildkit:rootless` image), where the
    `--rootless` flag defaults to true and overrides the file. So one severity and one
    message for both. The sandbox-less mode also lets build steps see and kill the daemon's
    processes, so it is meant only for rootless containers that cannot create a PID namespace.

    **Bad**
    ```toml
    [worker.oci]
    noProcessSandbox = true
    ```

    **Good**
    ```toml
    [worker.oci]
    rootless = true
    noProcessSandbox = true
    ```
    """

    code = "BK240"
    name = "no-process-sandbox-without-rootless"
    summary = "`noProcessSandbox` without `rootless`; buildkitd refuses to start outside a user namespace"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("worker", "oci", "noProcessSandbox")
        if entry is None or entry.value is not True:
            return
        parsed = ctx.flags()
        if parsed is not None and parsed.on("rootless", "oci-worker-rootless"):
            return
        rootless = decoded.entry("worker", "oci", "rootless")
        if rootless is not None and rootless.value is True:
            return
        related = () if rootless is None else ((doc.node_span(rootless.node), "rootless = false"),)
        yield self.finding(
            f"`noProcessSandbox = true` without `rootless = true`: {FAILS_AT_START.phrase} "
            "(`can't enable NoProcessSandbox without Rootless`) except inside a user namespace such as the "
            "rootless image, where `--rootless` defaults to true; set `rootless = true`",
            doc.node_span(entry.node),
            related=related,
        )


@register
class InvalidLogLevel(ParsedRule):
    """Checks `[log] level` against the levels buildkitd accepts.

    **Why**: the level is parsed with logrus `ParseLevel` at start (v0.30+): `panic`,
    `fatal`, `error`, `warn`, `warning`, `info`, `debug` or `trace`, in any case. Anything
    else stops buildkitd with `unsupported log level`.

    **Bad**: `level = "verbose"` — **Good**: `level = "debug"`
    """

    code = "BK241"
    name = "invalid-log-level"
    summary = "A `[log] level` buildkitd refuses at start-up"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("log", "level")
        if entry is None or not isinstance(entry.value, str) or templated(entry.value) or entry.value == "":
            return
        if entry.value.lower() in LOG_LEVELS:
            return
        yield self.finding(
            f"log level {entry.value!r} stops buildkitd at start-up (`unsupported log level`); use one of "
            f"{', '.join(LOG_LEVELS)}",
            doc.value_span(entry.node),
        )


@register
class InvalidLogFormat(ParsedRule):
    """Checks `[log] format`.

    **Why**: only `"text"`, `"json"` or an empty string are accepted, **case-sensitively**;
    anything else (`"JSON"`, `"logfmt"`) stops buildkitd with `unsupported log type`.

    **Fix** (safe): lowercase `"JSON"`/`"Text"`.
    """

    code = "BK242"
    name = "invalid-log-format"
    summary = "A `[log] format` other than text or json stops buildkitd"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[log]\nformat = "JSON"\n',
        "[log]\r\nformat = 'Text' # for journald\r\nlevel = \"info\"\r\n",
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("log", "format")
        if entry is None or not isinstance(entry.value, str) or templated(entry.value) or entry.value in ("", *LOG_FORMATS):
            return
        fix = None
        if entry.value.lower() in LOG_FORMATS:
            raw = doc.slice(entry.node.value_start, entry.node.value_end)
            fix = Fix(
                f"use {entry.value.lower()!r}",
                (Edit(doc.value_span(entry.node), toml_text.string(entry.value.lower(), raw[:1])),),
                "safe",
            )
        yield self.finding(
            f'log format {entry.value!r} stops buildkitd at start-up (`unsupported log type`); use "text" or '
            '"json" (case-sensitive)',
            doc.value_span(entry.node),
            fix=fix,
        )
