"""BK001–BK003: files buildkitd cannot read at all (encoding, TOML syntax)."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import Edit, Finding, Fix, Rule, Severity, Span, register
from bklint.rules.context import Context, SyntaxProblem
from bklint.rules.document import utf8
from bklint.rules.startup import BUILDX_REFUSES


def _offset_span(text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return Span.at(line, col, line, col + 1)


@register
class InvalidToml(Rule):
    """Checks that the file is valid TOML.

    **Why**: buildkitd parses its config at start-up (`cmd/buildkitd/config/load.go`, go-toml
    v2) and exits with `failed to parse config: toml: …` on a syntax error;
    `docker buildx create --config` (and docker/setup-buildx-action) first parses the whole
    file into a generic map and refuses it the same way. The position is where the parser
    gave up. One difference: buildkitd's decoder skips the values of keys it does not know
    without validating them, so a bad number or date under an unknown key, or a duplicate
    key inside an unknown table, lets buildkitd start while buildx refuses the file. The
    message then names buildx; the severity stays an error for buildx users (recorded in the
    load vectors: `ok` for the loader, `toml_valid = false` for buildx's parse).

    **Bad**
    ```toml
    [registry.10.0.0.1:5000]
    http = true
    ```

    **Good**
    ```toml
    [registry."10.0.0.1:5000"]
    http = true
    ```

    **Fix**: none; the parser's message says what it expected.
    """

    code = "BK001"
    name = "invalid-toml"
    summary = "The file is not valid TOML; buildkitd refuses to start"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        if not ctx.syntax:
            return  # the common case: nothing to report, and no need to scan the text
        if ctx.source.text.lstrip().startswith("{"):
            first = ctx.syntax[0]
            yield self.finding(
                "this is JSON, not TOML (a Docker `daemon.json`?); buildkitd refuses it. BuildKit inside dockerd "
                "is configured in daemon.json, a BuildKit daemon in buildkitd.toml",
                Span.at(first.line, first.column, first.line, first.column + 1),
            )
            return
        skipped = _skipped_lines(ctx)
        for problem in ctx.syntax:
            if problem.kind != "limit":
                line, col = problem.line, problem.column
                message = f"invalid TOML: {problem.message}"
                if _buildx_only(problem, skipped):
                    message += f" (under a key buildkitd ignores): {BUILDX_REFUSES.phrase}"
                yield self.finding(message, Span.at(line, col, line, col + 1))


def _skipped_lines(ctx: Context) -> tuple[set[int], set[int]]:
    """(lines of unknown key statements, lines inside unknown [tables]), 0-based."""
    if ctx.decoded is None:
        return set(), set()
    text = ctx.source.text
    headers = [n for n, raw in enumerate(text.split("\n")) if raw.lstrip().startswith("[")]
    last = text.count("\n")
    keys: set[int] = set()
    tables: set[int] = set()
    for issue in ctx.decoded.issues:
        if issue.kind != "unknown":
            continue
        node = issue.node
        first = text.count("\n", 0, issue.anchor[0])
        if node.origin in ("header", "aot"):
            end = next((h for h in headers if h > first), last + 1)
            tables.update(range(first + 1, end))
        elif node.decl_start >= 0:
            keys.update(range(first, text.count("\n", 0, max(node.decl_end, node.decl_start)) + 1))
    # A header on a name taken inside such a table: the loader never recorded the name.
    tables.update(text.count("\n", 0, node.decl_start) for node in ctx.decoded.tolerated)
    return keys, tables


def _buildx_only(problem: SyntaxProblem, skipped: tuple[set[int], set[int]]) -> bool:
    """Whether only buildx refuses it: the loader skips values of keys it ignores (load
    vectors skip-*, syntax-float-*, int-unknown-key-overflow) and tolerates duplicate keys
    inside tables it does not know (dup-*)."""
    keys, tables = skipped
    if problem.kind == "value":
        return problem.line in keys or problem.line in tables
    return problem.kind == "duplicate-key" and problem.line in tables


@register
class ByteOrderMark(Rule):
    """Checks that the file does not start with a UTF-8 byte order mark.

    **Why**: go-toml reads the BOM as an "invalid character at start of key", so buildkitd
    and `docker buildx create` both refuse the file. Windows editors add it silently.

    **Fix** (safe): remove the three BOM bytes; nothing else changes.
    """

    code = "BK002"
    name = "byte-order-mark"
    summary = "UTF-8 byte order mark at the start of the file; buildkitd refuses it"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        "\ufeff[worker.oci]\r\nenabled = true\r\n",
        "\ufeff# only a comment\n",
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        for problem in ctx.source.problems:
            if problem.kind == "bom":
                # The BOM is not part of the text we parse: the edit is done on bytes by the fixer,
                # which recognises this code; the span marks the file start.
                fix = Fix("remove the byte order mark", (Edit(Span.at(0, 0), ""),), "safe")
                yield self.finding(problem.message, Span.at(0, 0, 0, 1), fix=fix)


@register
class InvalidEncoding(Rule):
    """Checks that the file is UTF-8 text.

    **Why**: buildkitd reads raw bytes as UTF-8 TOML: a file saved as UTF-16, one with a
    Latin-1 byte in a comment or value, or a binary file stops the daemon at start-up
    (`invalid UTF-8`, `invalid character at start of key`).

    **Fix**: re-save the file as UTF-8 without BOM.
    """

    code = "BK003"
    name = "invalid-encoding"
    summary = "The file is not UTF-8 text; buildkitd refuses it"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for problem in ctx.source.problems:
            if problem.kind != "bom":
                yield self.finding(problem.message, _offset_span(ctx.source.text, problem.offset))


@register
class UnreadableFile(Rule):
    """Reports a config path bklint could not read.

    **Why**: buildkitd fails at start-up on a config path that is a directory or unreadable
    (a missing `--config` file is silently treated as empty). bklint never opens FIFOs or
    devices and never reads unbounded input, so such paths are reported instead of checked.

    A config that a script's `docker buildx create --config`/`--buildkitd-config` (or a
    setup-buildx-action `buildkitd-config:` input) names but that does not exist is reported
    on the path in the script or workflow: `docker buildx create` loads the file before it
    creates the builder and fails without it (docker/buildx `builder/builder.go`
    `parseBuildkitdFlags`, `store/nodegroup.go` via `util/confutil/container.go`
    `LoadConfigFiles`). bklint looks next to the script, then at the repository root.
    """

    code = "BK009"
    name = "unreadable-file"
    summary = "The config file cannot be read"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        return ()


@register
class ConfigTooLarge(Rule):
    """Checks that the config fits in what `docker buildx create` reads.

    **Why**: buildx reads the config through a 1 MiB limit and silently drops the rest
    before it re-parses and stores the file for the builder. The settings after the cut are
    lost, and a cut in the middle of a statement makes the stored file invalid TOML
    (buildx then refuses it). buildkitd itself reads the whole file.
    """

    code = "BK010"
    name = "config-too-large"
    summary = "The config is larger than the 1 MiB `docker buildx create` reads"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        text = ctx.source.text
        if len(text) <= BUILDX_READ_LIMIT // 4:
            return
        data = utf8(text)
        if len(data) <= BUILDX_READ_LIMIT:
            return
        cut = data[:BUILDX_READ_LIMIT].decode("utf-8", errors="ignore")
        line = cut.count("\n")
        span = Span.at(line, 0, line, 1)
        size = f"{len(data):,} bytes"
        if _parses(cut):
            yield self.finding(
                f"the file is {size}; `docker buildx create` keeps only the first 1 MiB, so everything "
                f"from line {line + 1} on is silently dropped",
                span,
            )
        else:
            yield self.finding(
                f"the file is {size}; `docker buildx create` cuts it at 1 MiB (line {line + 1}), in the "
                "middle of a statement, and then refuses the truncated file",
                span,
                severity=Severity.ERROR,
            )


BUILDX_READ_LIMIT = 1 << 20


@register
class BeyondLimits(Rule):
    """Reports a file bklint refuses to check because it is far beyond any real config.

    **Why**: keys of more than 64 dotted parts, or arrays and inline tables nested more than
    10,000 deep, appear only in generated or hostile files. Checking them would cost time and
    memory without bound (a language server would stall on them), so bklint stops before any
    work on such a file and says so. buildkitd itself may accept the file.

    **Fix**: none; write the config the way a person would.
    """

    code = "BK011"
    name = "beyond-limits"
    summary = "The file is beyond what bklint checks (absurdly long keys or deep nesting)"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        for problem in ctx.syntax:
            if problem.kind == "limit":
                line, col = problem.line, problem.column
                yield self.finding(problem.message, Span.at(line, col, line, col + 1))


def _parses(text: str) -> bool:
    from bklint.rules.tomllib_compat import tomllib

    try:
        tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return False
    return True
