"""BK401–BK403: keys buildkitd still reads but that have a current spelling."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules import restructure, toml_text
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.deprecations.releases import targets_before
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded, Entry
from bklint.rules.schema.tree import WORKERS
from bklint.rules.schema.versions import Version

TYPE_CHECKING = False
if TYPE_CHECKING:  # imported lazily, only when a fix is computed
    import tomlkit

V0_17 = Version(0, 17, 0)


V0_30 = Version(0, 30, 0)


def _log_level(decoded: Decoded) -> str:
    value = decoded.value("log", "level")
    return value if isinstance(value, str) else ""


def log_level_fix(doc: Document, decoded: Decoded) -> Fix | None:
    """Replace `debug`/`trace` by the `[log] level` they amount to (one fix for both keys)."""
    found = [e for e in (decoded.entry("debug"), decoded.entry("trace")) if e is not None]
    if not found:
        return None
    current = _log_level(decoded)
    trace, debug = decoded.value("trace") is True, decoded.value("debug") is True
    # main.go applies debug, then trace, then a non-empty log.level over both.
    level = "trace" if trace else "debug" if debug else None
    level_entry = decoded.entry("log", "level")
    writes = not current and level is not None
    # The comment of the line that decides the level moves to `level = …`; the others stay.
    deciding = next((e for e in found if e.value is True and str(e.written[0]).lower() == level), None) if writes else None
    text = doc.text
    cuts = [
        cut
        for e in found
        if (cut := restructure.statement_removal(doc, e.node, keep_comment=e is not deciding)) is not None
    ]
    if len(cuts) != len(found):
        return None
    comment = restructure.comment_after(text, deciding.node.value_end) if deciding is not None else ""

    def mutate(tdoc: tomlkit.TOMLDocument) -> None:
        import tomlkit

        if not writes:
            return
        value = tomlkit.item(level)
        if comment:
            value.comment(comment)
        if level_entry is not None:
            restructure.lookup(tdoc, level_entry.written[:-1])[str(level_entry.written[-1])] = value
        else:
            restructure.ensure_table(tdoc, "log")["level"] = value

    names = " and ".join(f"`{e.written[0]}`" for e in found)
    if current or level is None:
        safe = not (debug or trace) or not current
        # Nothing to write: the cuts are the whole change, with no tomlkit round trip.
        edits = tuple(Edit(doc.span(*cut), "") for cut in sorted(cuts))
        return Fix(f"remove {names}", edits, "safe" if safe else "unsafe")
    # No `log` in the file: the new table goes at the end, written as tomlkit writes it.
    fresh = level_entry is None and not doc.orphans and all(k.lower() != "log" for k in doc.root.children or {})

    def compute() -> tuple[Edit, ...] | None:
        if fresh:
            edits = restructure.appended_table_edits(text, cuts, "log", "level", toml_text.string(level), comment)
            if edits is not None:
                return edits
        return restructure.tomlkit_edits(text, mutate, cuts)

    return Fix(f'replace {names} by `[log] level = "{level}"`', None, "safe", compute=compute)


@register
class DeprecatedDebugTrace(ParsedRule):
    """Checks for the top-level `debug` and `trace` keys, deprecated since v0.30.

    **Why**: since v0.30 the log level is `[log] level`; buildkitd still reads `debug` and
    `trace`, and logs a deprecation warning at every start when one is `true`
    (cmd/buildkitd/main.go checks the decoded value, so `false` is silent). A non-empty `log.level`
    overrides both, so next to it they are dead lines. (`--debug` on the command line
    writes `log.level` and wins over the file.) With `--target-version` below v0.30 the
    keys are the only way and are not reported.

    **Bad**
    ```toml
    debug = true
    ```

    **Good**
    ```toml
    [log]
    level = "debug"
    ```

    **Fix**: safe when `[log] level` is not set: the keys become `level = "debug"` (or
    `"trace"`, which wins when both are true) in `[log]`; `false` values are just removed.
    When `log.level` is already set the keys are removed (unsafe when one of them is true:
    decide which level you meant).
    """

    code = "BK401"
    name = "deprecated-debug-trace"
    summary = "Deprecated `debug`/`trace` keys; use `[log] level`"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        "debug = true\n",
        "# logging\r\ndebug = true # noisy\r\ntrace = false\r\n\r\n[worker.oci]\r\nenabled = true\r\n",
        'trace = true\n[log]\nformat = "json"\n',
        'debug = true\n[log]\nlevel = "warn"\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        if targets_before(ctx, V0_30):
            return
        fix = log_level_fix(doc, decoded)
        current = _log_level(decoded)
        for key in ("debug", "trace"):
            entry = decoded.entry(key)
            if entry is None:
                continue
            if current:
                why = f'`log.level = "{current}"` is set, so buildkitd ignores `{key}`'
            elif entry.value is not True:
                why = f"`{key} = false` is the default; the line can go"
            else:
                why = f'use `[log] level = "{key}"`'
            # buildkitd warns only when the value is true; `false` is read silently.
            warns = " (buildkitd logs a warning at start)" if entry.value is True else ""
            yield self.finding(
                f"`{entry.written[0]}` is deprecated since v0.30{warns}; {why}",
                doc.node_span(entry.node),
                fix=fix,
            )


_SIZES = ("reservedSpace", "maxUsedSpace", "minFreeSpace")


def _rename_or_drop(
    doc: Document, entry: Entry, siblings: dict[str, Entry | None], new: str
) -> tuple[Fix | None, str]:
    """Rename a deprecated size key when that keeps its meaning, else offer to delete it."""
    reserved = siblings.get("reservedSpace")
    others = [k for k, e in siblings.items() if e is not None and k != "reservedSpace"]
    if reserved is None and not others:
        edit = restructure.rename_edit(doc, entry.node, new)
        return (Fix(f"rename to `{new}`", (edit,), "safe") if edit else None), ""
    blocker = "reservedSpace" if reserved is not None else others[0]
    edit = restructure.delete_line_edit(doc, entry.node)
    fix = Fix(f"remove `{entry.written[-1]}` (it has no effect)", (edit,), "unsafe") if edit else None
    return fix, blocker


@register
class DeprecatedGcKeepStorage(ParsedRule):
    """Checks for the worker-level `gckeepstorage`, deprecated since v0.17.

    **Why**: v0.17 replaced the single GC size by `reservedSpace`, `maxUsedSpace` and
    `minFreeSpace`. `gckeepstorage` is still read, but only when the worker has none of
    the three: then it becomes `reservedSpace` (the size GC prunes down to, and never
    below). Next to any of them it is silently ignored. With `--target-version` below
    v0.17 it is the only spelling and is not reported.

    **Bad**
    ```toml
    [worker.oci]
    gckeepstorage = "10GB"
    ```

    **Good**
    ```toml
    [worker.oci]
    reservedSpace = "10GB"
    ```

    **Fix**: safe rename to `reservedSpace` when none of the three is set; otherwise the
    key is dead and the fix (unsafe: check which size you meant) removes it.
    """

    code = "BK402"
    name = "deprecated-gckeepstorage"
    summary = "Deprecated `gckeepstorage`; use `reservedSpace`"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        '[worker.oci]\ngckeepstorage = "10GB"\n',
        "[worker.containerd]\r\ngckeepstorage = 9000000000 # bytes\r\n",
        '[worker.oci]\ngckeepstorage = "10GB"\nreservedSpace = "20GB"\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        if targets_before(ctx, V0_17):
            return
        for worker in WORKERS:
            entry = decoded.entry("worker", worker, "gckeepstorage")
            if entry is None:
                continue
            siblings = {k: decoded.entry("worker", worker, k) for k in _SIZES}
            fix, blocker = _rename_or_drop(doc, entry, siblings, "reservedSpace")
            if blocker:
                msg = (
                    f"`{entry.written[-1]}` is deprecated since v0.17 and ignored here because `{blocker}` is set "
                    "in the same worker"
                )
            else:
                msg = f"`{entry.written[-1]}` is deprecated since v0.17: it means `reservedSpace`, write that"
            yield self.finding(msg, doc.node_span(entry.node), fix=fix)


@register
class DeprecatedKeepBytes(ParsedRule):
    """Checks for `keepBytes` in a `[[worker.*.gcpolicy]]` rule, deprecated since v0.17.

    **Why**: buildkitd copies a rule's `keepBytes` into its `reservedSpace`, but only when
    the rule has no `reservedSpace` of its own; otherwise `keepBytes` is ignored. Writing
    `reservedSpace` says the same thing in the current vocabulary (and makes room for
    `maxUsedSpace`/`minFreeSpace`, which `keepBytes` cannot express).

    **Bad**
    ```toml
    [[worker.oci.gcpolicy]]
    keepBytes = "512MB"
    ```

    **Good**
    ```toml
    [[worker.oci.gcpolicy]]
    reservedSpace = "512MB"
    ```

    **Fix**: safe rename when the rule has no `reservedSpace`; otherwise (unsafe) remove
    the dead key.
    """

    code = "BK403"
    name = "deprecated-keepbytes"
    summary = "Deprecated gcpolicy `keepBytes`; use `reservedSpace`"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        "[[worker.oci.gcpolicy]]\nkeepBytes = 512000000\nkeepDuration = 172800\n",
        '[[worker.oci.gcpolicy]]\r\nkeepBytes = "1GB"\r\nreservedSpace = "2GB"\r\n',
        '[[worker.containerd.gcpolicy]]\nall = true\n[[worker.containerd.gcpolicy]]\nkeepbytes = "1GB"\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        if targets_before(ctx, V0_17):
            return
        for worker in WORKERS:
            for index in range(decoded.count("worker", worker, "gcpolicy")):
                entry = decoded.entry("worker", worker, "gcpolicy", index, "keepBytes")
                if entry is None:
                    continue
                reserved = decoded.entry("worker", worker, "gcpolicy", index, "reservedSpace")
                fix, blocker = _rename_or_drop(doc, entry, {"reservedSpace": reserved}, "reservedSpace")
                if blocker:
                    msg = (
                        f"`{entry.written[-1]}` is deprecated since v0.17 and ignored here: this rule sets "
                        "`reservedSpace`"
                    )
                else:
                    msg = f"`{entry.written[-1]}` is deprecated since v0.17: it means `reservedSpace`, write that"
                yield self.finding(msg, doc.node_span(entry.node), fix=fix)
