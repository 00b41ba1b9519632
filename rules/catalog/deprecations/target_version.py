"""BK410–BK413: keys and values an older target release reads differently."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bklint.rules import restructure
from bklint.rules.base import TARGET_GIVEN, Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode, format_path
from bklint.rules.schema import versions
from bklint.rules.schema.decode import Decoded, Entry, Issue
from bklint.rules.schema.values import DiskSpace
from bklint.rules.schema.versions import Version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

if TYPE_CHECKING:  # imported lazily, only when a fix is computed
    pass


V0_12 = Version(0, 12, 0)


V0_28 = Version(0, 28, 0)


NS = 1_000_000_000


class TargetRule(ParsedRule):
    """A rule that speaks only when `--target-version` names a release before ``before``
    (any release when None): it judges the file as that release reads it."""

    before: Version | None = None
    triggers = (TARGET_GIVEN,)

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        version = ctx.target_version()
        if version is None or (self.before is not None and version >= self.before):
            return ()
        return self.check_target(doc, decoded, version)

    def check_target(self, doc: Document, decoded: Decoded, version: Version) -> Iterable[Finding]:
        raise NotImplementedError


def _older_log_level_fix(doc: Document, decoded: Decoded, entry: Entry, version: Version) -> Fix | None:
    """`[log] level = "debug"` is what `debug = true` said before v0.30 (`trace` from v0.12)."""
    level = entry.value.lower() if isinstance(entry.value, str) else ""
    if decoded.entry("debug") is not None or decoded.entry("trace") is not None:
        return None
    if level not in ("debug", "trace", "info") or (level == "trace" and version < V0_12):
        return None
    text = doc.text
    # The line's comment moves to `debug = true`; with `info` (nothing written) it stays.
    moving = level != "info"
    cut = restructure.statement_removal(doc, entry.node, keep_comment=not moving)
    if cut is None:
        return None
    edits = [Edit(doc.span(*cut), "")]
    table = doc.find(*entry.written[:-1])
    if table is not None and table.origin == "header" and len(table.children or {}) == 1:
        # `level` was all `[log]` held: the header goes too (its comments stay).
        header = restructure.removal(text, *table.headers[0]) if len(table.headers) == 1 else None
        if header is None:
            return None
        edits.append(Edit(doc.span(*header), ""))
    if moving:
        comment = restructure.comment_after(text, entry.node.value_end)
        line = f"{level} = true" + (f" {comment}" if comment else "") + "\n"
        edits.append(Edit(doc.span(*[restructure.top_level_insertion(doc)] * 2), line))
    message = "remove it (info is the default level)" if level == "info" else f"write `{level} = true` instead"
    return Fix(message, tuple(edits), "safe")


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
    edit = restructure.rename_edit(doc, entry.node, old)
    return Fix(f"use the older spelling `{old}`", (edit,), "safe") if edit else None


@register
class UnknownAtTarget(TargetRule):
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
    fix_examples = (
        {"text": '[worker.oci]\nreservedSpace = "10GB"\n', "target_version": "v0.12"},
        {"text": '[[worker.oci.gcpolicy]]\r\nreservedSpace = "1GB"\r\nkeepDuration = 3600\r\n', "target_version": "v0.16"},
        {"text": '# logs\nroot = "/x"\n\n[log]\nlevel = "debug"\n\n[worker.oci]\nenabled = true\n', "target_version": "v0.29"},
    )

    def check_target(self, doc: Document, decoded: Decoded, version: Version) -> Iterable[Finding]:
        known = versions.keys_at(version)
        for path, entry in decoded.entries.items():
            vpath = restructure.version_path(path)
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
class TypeAtTarget(TargetRule):
    """Checks, with `--target-version` below v0.12, sizes and durations written as strings.

    **Why**: before v0.12 `gckeepstorage`, `keepBytes`, `keepDuration` and
    `history.maxAge` were plain integers (bytes, seconds). A string such as `"10GB"` or
    `"48h"` — the usual spelling today — makes those releases refuse the file at start-up.

    **Bad** (for v0.11): `keepDuration = "48h"` — **Good**: `keepDuration = 172800`

    **Fix** (safe): write the same amount as an integer when it is exact (a percentage
    has no integer form).
    """

    code = "BK411"
    before = V0_12
    name = "type-at-target-version"
    summary = "A value whose type the target BuildKit release does not accept"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        {"text": '[[worker.oci.gcpolicy]]\nkeepDuration = "48h"\nkeepBytes = "1GB"\n', "target_version": "v0.11"},
    )

    def check_target(self, doc: Document, decoded: Decoded, version: Version) -> Iterable[Finding]:
        for path, entry in decoded.entries.items():
            vpath = restructure.version_path(path)
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
class CaseIgnoredAtTarget(TargetRule):
    """Checks, with `--target-version` below v0.28, key spellings go-toml v1 does not match.

    **Why**: up to v0.27 buildkitd decoded with go-toml v1, which matches a key only when
    it is written exactly as documented, all lower case, ALL UPPER case, or with a lower
    first letter. `Max-Parallelism`, `NetworkMode` or `[Worker.OCI]` work from v0.28 on
    but are silently ignored before — moving across v0.28 changes what the file means.

    **Bad** (for v0.27): `NetworkMode = "host"` — **Good**: `networkMode = "host"`

    **Fix** (safe): the documented spelling, read the same by every release, in every
    header and dotted key that spells it (unsafe when that merges two tables; not offered
    for a key set under both spellings).
    """

    code = "BK412"
    before = V0_28
    name = "case-ignored-at-target-version"
    summary = "A key spelling BuildKit before v0.28 (go-toml v1) silently ignores"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        {"text": "[worker.oci]\nMax-Parallelism = 4\n", "target_version": "v0.27"},
        {"text": "[Worker.OCI]\r\nenabled = true\r\n", "target_version": "v0.20"},
    )

    def check_target(self, doc: Document, decoded: Decoded, version: Version) -> Iterable[Finding]:
        for issue in decoded.issues:
            if issue.kind != "case" or not issue.path or not issue.canonical:
                continue
            written = str(issue.path[-1])
            if v1_accepts(written, issue.canonical):
                continue
            fix = restructure.rename_fix(doc, issue.path, issue.canonical)
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
        number = restructure.legacy_integer(doc.slice(node.value_start, node.value_end))
        if number is not None:
            yield issue, number


@register
class IntegerFormAtTarget(TargetRule):
    """Checks, with `--target-version` below v0.28, integer forms that v0.28 stops accepting.

    **Why**: go-toml v1 (BuildKit up to v0.27) read `keepDuration = 0x10` or
    `reservedSpace = 1_000_000` as plain numbers; from v0.28 the raw token goes to the size
    or duration parser, which refuses it and the daemon does not start. The file works on
    the target release but breaks on upgrade.

    **Bad**: `keepDuration = 172_800` — **Good**: `keepDuration = 172800`

    **Fix** (safe): the same number in decimal, read alike by every release.
    """

    code = "BK413"
    before = V0_28
    name = "integer-form-at-target-version"
    summary = "A hex or underscore integer size/duration that BuildKit v0.28+ refuses"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        {"text": "[[worker.oci.gcpolicy]]\nkeepDuration = 172_800\nkeepBytes = 0x400\n", "target_version": "v0.27"},
    )

    def check_target(self, doc: Document, decoded: Decoded, version: Version) -> Iterable[Finding]:
        for issue, number in legacy_integer_issues(doc, decoded):
            node = issue.node
            fix = Fix(f"write {number}", (Edit(doc.value_span(node), str(number)),), "safe")
            yield self.finding(
                f"`{format_path(issue.path)}` = {doc.slice(node.value_start, node.value_end)} is read as {number} by "
                f"BuildKit {version.minor_name}, but v0.28 and later refuse it at start-up",
                doc.value_span(node),
                fix=fix,
            )
