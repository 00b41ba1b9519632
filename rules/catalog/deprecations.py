"""BK401–BK449: deprecated spellings, and keys or values a target BuildKit release reads differently.

BK401–BK405 report spellings buildkitd still honours (or, for `[ghacache]`, never read)
but that have a current replacement; their fixes are what ``bklint migrate`` applies.
BK410–BK413 only run with ``--target-version``: they judge the file as that release's
loader would (keys it does not know, older value types, go-toml v1 before v0.28).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from bklint.rules import migration, toml_text
from bklint.rules.base import Edit, Finding, Fix, Rule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode, format_path
from bklint.rules.schema import versions
from bklint.rules.schema.decode import Decoded, Entry, Issue
from bklint.rules.schema.values import DiskSpace
from bklint.rules.schema.versions import Version

if TYPE_CHECKING:  # imported lazily, only when a fix is computed
    import tomlkit

WORKERS = ("oci", "containerd")
V0_12 = Version(0, 12, 0)
V0_17 = Version(0, 17, 0)
V0_27 = Version(0, 27, 0)
V0_28 = Version(0, 28, 0)
V0_30 = Version(0, 30, 0)
NS = 1_000_000_000


def _before(ctx: Context, version: Version) -> bool:
    t = ctx.target_version()
    return t is not None and t < version


def _log_level(decoded: Decoded) -> str:
    value = decoded.value("log", "level")
    return value if isinstance(value, str) else ""


# --- BK401 --------------------------------------------------------------------------------


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

    def mutate(tdoc: tomlkit.TOMLDocument) -> None:
        for entry in found:
            del tdoc[str(entry.written[0])]
        if current or level is None:
            return
        if level_entry is not None:
            migration.lookup(tdoc, level_entry.written[:-1])[str(level_entry.written[-1])] = level
        else:
            migration.ensure_table(tdoc, "log")["level"] = level

    text = doc.text
    names = " and ".join(f"`{e.written[0]}`" for e in found)
    if current or level is None:
        safe = not (debug or trace) or not current
        return Fix(
            f"remove {names}", None, "safe" if safe else "unsafe", compute=lambda: migration.tomlkit_edits(text, mutate)
        )
    return Fix(
        f'replace {names} by `[log] level = "{level}"`',
        None,
        "safe",
        compute=lambda: migration.tomlkit_edits(text, mutate),
    )


@register
class DeprecatedDebugTrace(Rule):
    """Checks for the top-level `debug` and `trace` keys, deprecated since v0.30.

    **Why**: since v0.30 the log level is `[log] level`; buildkitd still reads `debug` and
    `trace` but logs a deprecation warning at every start. A non-empty `log.level`
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
    fix_examples: ClassVar[tuple[str, ...]] = (
        "debug = true\n",
        "# logging\r\ndebug = true # noisy\r\ntrace = false\r\n\r\n[worker.oci]\r\nenabled = true\r\n",
        'trace = true\n[log]\nformat = "json"\n',
        'debug = true\n[log]\nlevel = "warn"\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        if got is None or _before(ctx, V0_30):
            return
        doc, decoded = got
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
            yield self.finding(
                f"`{entry.written[0]}` is deprecated since v0.30 (buildkitd logs a warning at start); {why}",
                doc.node_span(entry.node),
                fix=fix,
            )


# --- BK402 / BK403 ------------------------------------------------------------------------

_SIZES = ("reservedSpace", "maxUsedSpace", "minFreeSpace")


def _rename_or_drop(
    doc: Document, entry: Entry, siblings: dict[str, Entry | None], new: str
) -> tuple[Fix | None, str]:
    """Rename a deprecated size key when that keeps its meaning, else offer to delete it."""
    reserved = siblings.get("reservedSpace")
    others = [k for k, e in siblings.items() if e is not None and k != "reservedSpace"]
    if reserved is None and not others:
        edit = migration.rename_edit(doc, entry.node, new)
        return (Fix(f"rename to `{new}`", (edit,), "safe") if edit else None), ""
    blocker = "reservedSpace" if reserved is not None else others[0]
    edit = migration.delete_line_edit(doc, entry.node)
    fix = Fix(f"remove `{entry.written[-1]}` (it has no effect)", (edit,), "unsafe") if edit else None
    return fix, blocker


@register
class DeprecatedGcKeepStorage(Rule):
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
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[worker.oci]\ngckeepstorage = "10GB"\n',
        "[worker.containerd]\r\ngckeepstorage = 9000000000 # bytes\r\n",
        '[worker.oci]\ngckeepstorage = "10GB"\nreservedSpace = "20GB"\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        if got is None or _before(ctx, V0_17):
            return
        doc, decoded = got
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
class DeprecatedKeepBytes(Rule):
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
    fix_examples: ClassVar[tuple[str, ...]] = (
        "[[worker.oci.gcpolicy]]\nkeepBytes = 512000000\nkeepDuration = 172800\n",
        '[[worker.oci.gcpolicy]]\r\nkeepBytes = "1GB"\r\nreservedSpace = "2GB"\r\n',
        '[[worker.containerd.gcpolicy]]\nall = true\n[[worker.containerd.gcpolicy]]\nkeepbytes = "1GB"\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        if got is None or _before(ctx, V0_17):
            return
        doc, decoded = got
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


# --- BK404 --------------------------------------------------------------------------------


def is_ghacache(issue: Issue) -> bool:
    """An unknown-key issue about the upstream docs' `[ghacache]` table (reported by BK404)."""
    return bool(issue.path) and isinstance(issue.path[0], str) and issue.path[0].lower() == "ghacache"


def _subtree(node: TomlNode) -> Iterator[TomlNode]:
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend((cur.children or {}).values())
        stack.extend(cur.items or [])


def ghacache_fix(doc: Document, data: dict[str, Any]) -> tuple[Fix | None, str]:
    """Move `[ghacache…]` to `[cache.gha…]` with `cmd` -> `command`; or why that cannot be done."""
    names = [k for k in doc.root.children or {} if k.lower() == "ghacache"]
    if len(names) != 1:
        return None, "two spellings of `ghacache`"
    name = names[0]
    root = doc.root.child(name)
    if root is None:
        return None, ""
    for key, node in (doc.root.children or {}).items():
        if key.lower() == "cache" and (node.kind != "table" or any(k.lower() == "gha" for k in node.children or {})):
            return None, "`cache.gha` is already there: merge the two by hand"
    if not isinstance(data.get(name), dict):
        return None, ""
    edits: list[Edit] = []
    for node in _subtree(root):
        if node.segments and node.segments[0][0] == name:
            _, start, end = node.segments[0]
            edits.append(Edit(doc.span(start, end), "cache.gha"))
        elif node is root and node.key_start >= 0 and not node.segments:
            edits.append(Edit(doc.span(node.key_start, node.key_end), "cache.gha"))
    certain = True
    sign_name = next((k for k in root.children or {} if k.lower() == "sign"), None)
    sign = root.child(sign_name) if sign_name else None
    sign_data = data[name].get(sign_name) if sign_name else None
    if sign is not None and isinstance(sign_data, dict):
        keys = {k.lower(): k for k in sign.children or {}}
        if "cmd" in keys and "command" in keys:
            return None, "both `cmd` and `command` are set"
        if "cmd" in keys:
            cmd_node = sign.child(keys["cmd"])
            converted = migration.gha_command(sign_data[keys["cmd"]])
            if cmd_node is None or converted is None or cmd_node.value_start < 0:
                return None, "`cmd` is not a command line"
            argv, certain = converted
            rename = migration.rename_edit(doc, cmd_node, "command")
            if rename is None:
                return None, ""
            edits.append(rename)
            edits.append(Edit(doc.value_span(cmd_node), toml_text.string_array(argv)))
    edits = list({(e.span, e.content): e for e in edits}.values())
    if not edits:
        return None, ""
    what = "move the table to `[cache.gha…]`"
    if not certain:
        what += " (the `cmd` string is split as a shell would: check the argv)"
    return Fix(what, tuple(edits), "unsafe"), ""


@register
class GhaCacheTable(Rule):
    """Checks for the `[ghacache]` table of BuildKit's documented example.

    **Why**: `docs/buildkitd.toml.md` shows GitHub Actions cache signing as
    `[ghacache.sign] cmd = …`, `[ghacache.verify]`, `[ghacache.verify.policy]`, but the
    loader has no `ghacache` table: it is ignored without a word, `cache.gha` stays unset
    and nothing is signed or verified. The real table is `[cache.gha]` (v0.27+), and the
    sign key is `command`, an argv array.

    **Bad**
    ```toml
    [ghacache.sign]
    cmd = "cosign sign-blob --yes --bundle /dev/stdout -"
    ```

    **Good**
    ```toml
    [cache.gha.sign]
    command = ["cosign", "sign-blob", "--yes", "--bundle", "/dev/stdout", "-"]
    [cache.gha.verify]
    required = true
    ```

    **Fix** (unsafe: it switches on settings buildkitd ignored until now): rename the
    tables and turn `cmd` into a `command` array (a string is split as a shell would).
    Not offered when `[cache.gha]` already exists or the target release is older than
    v0.27. Signing also needs `[cache.gha.verify] required = true`.
    """

    code = "BK404"
    name = "ghacache-table"
    summary = "`[ghacache]` from the upstream docs is ignored; the table is `[cache.gha]`"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[ghacache.sign]\ncmd = ""\n[ghacache.verify]\nrequired = false\n'
        '[ghacache.verify.policy]\ntimestampThreshold = 1\ncertificateIssuer = ""\n',
        '# signing\r\n[ghacache.sign]\r\ncmd = "cosign sign-blob -" # argv\r\n',
        "[cache]\n[ghacache]\nverify.required = true\n",
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        if got is None:
            return
        doc, decoded = got
        issues = [i for i in decoded.issues if i.kind == "unknown" and is_ghacache(i)]
        if not issues:
            return
        old = _before(ctx, V0_27)
        fix, why = (None, "") if old else ghacache_fix(doc, doc.data)
        for issue in issues:
            where = f"`[{format_path(issue.path)}]`" if issue.node.kind == "table" else f"`{format_path(issue.path)}`"
            if old:
                msg = (
                    f"{where} is ignored by buildkitd: the upstream docs' `ghacache` is not a table the loader "
                    f"knows, and `cache.gha` only exists from v0.27 on"
                )
            else:
                msg = (
                    f"{where} is ignored by buildkitd: the upstream docs write `ghacache`, but the loader reads "
                    "`[cache.gha]` (with `sign.command` as an array)"
                )
                if why:
                    msg += f"; {why}"
            yield self.finding(msg, doc.span(*issue.anchor), fix=fix)


# --- BK405 --------------------------------------------------------------------------------

# Fulcio's legacy GitHub extensions and the ones holding the same value today.
_SIGSTORE_SAME_VALUE = {
    "githubWorkflowTrigger": "buildTrigger",
    "githubWorkflowSHA": "sourceRepositoryDigest",
    "githubWorkflowRef": "sourceRepositoryRef",
}
_SIGSTORE_OTHER = {
    "githubWorkflowName": "`buildConfigURI` (the workflow file's URI, not its name)",
    "githubWorkflowRepository": "`sourceRepositoryURI` (a URL such as `https://github.com/org/repo`, "
    "not `org/repo`)",
}


@register
class DeprecatedSigstoreField(Rule):
    """Checks for the five `githubWorkflow*` fields in `[cache.gha.verify.policy]`.

    **Why**: these policy fields match Fulcio's legacy GitHub certificate extensions,
    which sigstore-go marks deprecated in favour of the generic ones (`buildTrigger`,
    `sourceRepositoryDigest`, `sourceRepositoryRef`, `sourceRepositoryURI`,
    `buildConfigURI`). Certificates still carry both today, but the legacy ones may go.

    **Bad**: `githubWorkflowRef = "refs/heads/main"` — **Good**:
    `sourceRepositoryRef = "refs/heads/main"`

    **Fix** (unsafe: a certificate issued without the new extension would no longer
    match): rename `githubWorkflowTrigger`, `githubWorkflowSHA` and `githubWorkflowRef`,
    whose replacements hold the same value. `githubWorkflowName` and
    `githubWorkflowRepository` need a different value and are not fixed.
    """

    code = "BK405"
    name = "deprecated-sigstore-field"
    summary = "A deprecated `githubWorkflow*` certificate field in the GHA cache policy"
    severity = Severity.INFO
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[cache.gha.verify.policy]\ngithubWorkflowRef = "refs/heads/main"\ngithubWorkflowSHA = "abc"\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        if got is None:
            return
        doc, decoded = got
        for old in (*_SIGSTORE_SAME_VALUE, *_SIGSTORE_OTHER):
            entry = decoded.entry("cache", "gha", "verify", "policy", old)
            if entry is None:
                continue
            fix = None
            if old in _SIGSTORE_SAME_VALUE:
                new = _SIGSTORE_SAME_VALUE[old]
                clash = decoded.entry("cache", "gha", "verify", "policy", new)
                edit = migration.rename_edit(doc, entry.node, new) if clash is None else None
                fix = Fix(f"rename to `{new}`", (edit,), "unsafe") if edit else None
                advice = f"`{new}` holds the same value"
            else:
                advice = f"use {_SIGSTORE_OTHER[old]}"
            yield self.finding(
                f"`{entry.written[-1]}` matches a deprecated Fulcio certificate extension; {advice}",
                doc.node_span(entry.node),
                fix=fix,
            )


# --- BK410–BK413: --target-version ----------------------------------------------------------

def _older_log_level_fix(doc: Document, decoded: Decoded, entry: Entry, version: Version) -> Fix | None:
    """`[log] level = "debug"` is what `debug = true` said before v0.30 (`trace` from v0.12)."""
    level = entry.value.lower() if isinstance(entry.value, str) else ""
    if decoded.entry("debug") is not None or decoded.entry("trace") is not None:
        return None
    if level not in ("debug", "trace", "info") or (level == "trace" and version < V0_12):
        return None
    table_path = entry.written[:-1]

    def mutate(tdoc: tomlkit.TOMLDocument) -> None:
        table = migration.lookup(tdoc, table_path)
        del table[str(entry.written[-1])]
        if len(table) == 0 and len(table_path) == 1:
            del tdoc[str(table_path[0])]
        if level != "info":
            tdoc[level] = True

    text = doc.text
    message = "remove it (info is the default level)" if level == "info" else f"write `{level} = true` instead"
    return Fix(message, None, "safe", compute=lambda: migration.tomlkit_edits(text, mutate))


def _older_spelling_fix(doc: Document, decoded: Decoded, entry: Entry, version: Version) -> Fix | None:
    """`reservedSpace` alone at worker level is what `gckeepstorage` meant (gcpolicy: `keepBytes`)."""
    path = entry.path
    if path == ("log", "level"):
        return _older_log_level_fix(doc, decoded, entry, version)
    if path[-1] != "reservedSpace" or len(path) < 3 or path[0] != "worker":
        return None
    parent = path[:-1]
    if len(path) == 3:
        old = "gckeepstorage"
        others = [decoded.entry(*parent, k) for k in ("maxUsedSpace", "minFreeSpace", "gckeepstorage")]
    else:
        old = "keepBytes"
        others = [decoded.entry(*parent, k) for k in ("maxUsedSpace", "minFreeSpace", "keepBytes")]
    if any(e is not None for e in others):
        return None
    edit = migration.rename_edit(doc, entry.node, old)
    return Fix(f"use the older spelling `{old}`", (edit,), "safe") if edit else None


@register
class UnknownAtTarget(Rule):
    """Checks, with `--target-version`, for keys that release does not know yet.

    **Why**: buildkitd ignores keys it does not know without a warning, so a config
    written for the current release silently loses `reservedSpace`, `[log] level`,
    `[cache.gha]` … on an older daemon (for example the one pinned in a CI builder
    image). The key list per release comes from the struct tags of every BuildKit tag.

    **Bad** (for v0.12): `reservedSpace = "10GB"` — **Good**: `gckeepstorage = "10GB"`

    **Fix** (safe): where the older release has a spelling with the same meaning
    (`reservedSpace` alone → `gckeepstorage`, a rule's `reservedSpace` → `keepBytes`,
    `[log] level = "debug"` → `debug = true`), use it. Options: `--target-version` (or `target-version` in the configuration).
    """

    code = "BK410"
    name = "unknown-at-target-version"
    summary = "A key the target BuildKit release does not know (silently ignored there)"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[dict[str, str], ...]] = (
        {"text": '[worker.oci]\nreservedSpace = "10GB"\n', "target_version": "v0.12"},
        {"text": '[[worker.oci.gcpolicy]]\r\nreservedSpace = "1GB"\r\nkeepDuration = 3600\r\n', "target_version": "v0.16"},
        {"text": '# logs\nroot = "/x"\n\n[log]\nlevel = "debug"\n\n[worker.oci]\nenabled = true\n', "target_version": "v0.29"},
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        version = ctx.target_version()
        if got is None or version is None:
            return
        doc, decoded = got
        known = versions.keys_at(version)
        for path, entry in decoded.entries.items():
            vpath = migration.version_path(path)
            since = versions.key_since(vpath)
            if since is None or vpath in known:
                continue
            fix = _older_spelling_fix(doc, decoded, entry, version)
            hint = f"; {fix.message}" if fix else ""
            yield self.finding(
                f"`{format_path(entry.written)}` is read only since {since.minor_name}: BuildKit "
                f"{version.minor_name} ignores it without a warning{hint}",
                doc.node_span(entry.node),
                fix=fix,
            )


def _string_literal(doc: Document, node: TomlNode) -> bool:
    return doc.text[node.value_start : node.value_start + 1] in ("'", '"')


@register
class TypeAtTarget(Rule):
    """Checks, with `--target-version` below v0.12, sizes and durations written as strings.

    **Why**: before v0.12 `gckeepstorage`, `keepBytes`, `keepDuration` and
    `history.maxAge` were plain integers (bytes, seconds). A string such as `"10GB"` or
    `"48h"` — the usual spelling today — makes those releases refuse the file at start-up.

    **Bad** (for v0.11): `keepDuration = "48h"` — **Good**: `keepDuration = 172800`

    **Fix** (safe): write the same amount as an integer when it is exact (a percentage
    has no integer form).
    """

    code = "BK411"
    name = "type-at-target-version"
    summary = "A value whose type the target BuildKit release does not accept"
    severity = Severity.ERROR
    fixable = True
    fix_examples: ClassVar[tuple[dict[str, str], ...]] = (
        {"text": '[[worker.oci.gcpolicy]]\nkeepDuration = "48h"\nkeepBytes = "1GB"\n', "target_version": "v0.11"},
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        version = ctx.target_version()
        if got is None or version is None or version >= V0_12:
            return
        doc, decoded = got
        for path, entry in decoded.entries.items():
            vpath = migration.version_path(path)
            then = versions.type_at(vpath, version)
            if then != "int64" or not _string_literal(doc, entry.node):
                continue
            fix = None
            value: Any = entry.value
            number: int | None = None
            if isinstance(value, DiskSpace) and not value.percentage:
                number = value.bytes
            elif isinstance(value, int) and not isinstance(value, bool) and value % NS == 0:
                number = value // NS
            if number is not None:
                fix = Fix(f"write {number}", (Edit(doc.value_span(entry.node), str(number)),), "safe")
            unit = "seconds" if isinstance(value, int) else "bytes"
            yield self.finding(
                f"`{format_path(entry.written)}` is a plain integer ({unit}) in BuildKit {version.minor_name}: "
                "a string makes it refuse the file at start-up",
                doc.value_span(entry.node),
                fix=fix,
            )


def v1_accepts(written: str, canonical: str) -> bool:
    """go-toml v1 matched a struct tag exactly, all-lower, ALL-UPPER or lowerFirst only."""
    lower_first = canonical[:1].lower() + canonical[1:]
    return written in (canonical, canonical.lower(), canonical.upper(), lower_first)


@register
class CaseIgnoredAtTarget(Rule):
    """Checks, with `--target-version` below v0.28, key spellings go-toml v1 does not match.

    **Why**: up to v0.27 buildkitd decoded with go-toml v1, which matches a key only when
    it is written exactly as documented, all lower case, ALL UPPER case, or with a lower
    first letter. `Max-Parallelism`, `NetworkMode` or `[Worker.OCI]` work from v0.28 on
    but are silently ignored before — moving across v0.28 changes what the file means.

    **Bad** (for v0.27): `NetworkMode = "host"` — **Good**: `networkMode = "host"`

    **Fix** (safe): the documented spelling, read the same by every release.
    """

    code = "BK412"
    name = "case-ignored-at-target-version"
    summary = "A key spelling BuildKit before v0.28 (go-toml v1) silently ignores"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[dict[str, str], ...]] = (
        {"text": "[worker.oci]\nMax-Parallelism = 4\n", "target_version": "v0.27"},
        {"text": "[Worker.OCI]\r\nenabled = true\r\n", "target_version": "v0.20"},
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        version = ctx.target_version()
        if got is None or version is None or version >= V0_28:
            return
        doc, decoded = got
        for issue in decoded.issues:
            if issue.kind != "case" or not issue.path or not issue.canonical:
                continue
            written = str(issue.path[-1])
            if v1_accepts(written, issue.canonical):
                continue
            new = toml_text.key(issue.canonical, doc.slice(*issue.anchor)[:1])
            fix = Fix(f"rename to `{issue.canonical}`", (Edit(doc.span(*issue.anchor), new),), "safe")
            yield self.finding(
                f"BuildKit {version.minor_name} (go-toml v1) ignores `{written}`; it only matches "
                f"`{issue.canonical}`, all lower or ALL UPPER case (case-insensitive matching came in v0.28)",
                doc.span(*issue.anchor),
                fix=fix,
            )


def legacy_integer_issues(doc: Document, decoded: Decoded) -> Iterator[tuple[Issue, int]]:
    """Sizes and durations written as hex/octal/binary/underscore integers, with their value.

    go-toml v1 normalised integer tokens before a value's own parser saw them; go-toml v2
    hands over the raw text, which the size and duration parsers refuse.
    """
    for issue in decoded.issues:
        if issue.kind != "value" or issue.canonical not in ("DiskSpace", "Duration", "*Duration"):
            continue
        node = issue.node
        if node.value_start < 0:
            continue
        number = migration.legacy_integer(doc.slice(node.value_start, node.value_end))
        if number is not None:
            yield issue, number


@register
class IntegerFormAtTarget(Rule):
    """Checks, with `--target-version` below v0.28, integer forms that v0.28 stops accepting.

    **Why**: go-toml v1 (BuildKit up to v0.27) read `keepDuration = 0x10` or
    `reservedSpace = 1_000_000` as plain numbers; from v0.28 the raw token goes to the size
    or duration parser, which refuses it and the daemon does not start. The file works on
    the target release but breaks on upgrade.

    **Bad**: `keepDuration = 172_800` — **Good**: `keepDuration = 172800`

    **Fix** (safe): the same number in decimal, read alike by every release.
    """

    code = "BK413"
    name = "integer-form-at-target-version"
    summary = "A hex or underscore integer size/duration that BuildKit v0.28+ refuses"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[dict[str, str], ...]] = (
        {"text": "[[worker.oci.gcpolicy]]\nkeepDuration = 172_800\nkeepBytes = 0x400\n", "target_version": "v0.27"},
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        got = ctx.parsed()
        version = ctx.target_version()
        if got is None or version is None or version >= V0_28:
            return
        doc, decoded = got
        for issue, number in legacy_integer_issues(doc, decoded):
            node = issue.node
            fix = Fix(f"write {number}", (Edit(doc.value_span(node), str(number)),), "safe")
            yield self.finding(
                f"`{format_path(issue.path)}` = {doc.slice(node.value_start, node.value_end)} is read as {number} by "
                f"BuildKit {version.minor_name}, but v0.28 and later refuse it at start-up",
                doc.value_span(node),
                fix=fix,
            )
