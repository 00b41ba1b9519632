"""BK102, BK104–BK106: keys that are known but spelt so buildkitd reads them loosely or not at all."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules import restructure, toml_text
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, Span, register
from bklint.rules.catalog.keys.diagnosis import IGNORED, unknown_issues, unquoted_dotted
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.schema.versions import uses_go_toml_v1


@register
class UnquotedDottedName(ParsedRule):
    """Checks for registry and frontend names written without quotes.

    **Why**: in TOML, `[registry.docker.io]` is the table `registry` → `docker` → `io`, not
    the registry `docker.io`. buildkitd sees a registry called `docker` with an unknown key
    `io` and ignores everything in the table: no mirror, no CA, no `http`. The same goes
    for `[frontend.dockerfile.v0]`. (A port makes it a syntax error:
    `[registry.10.0.0.1:5000]`.)

    **Bad**: `[registry.docker.io]` — **Good**: `[registry."docker.io"]`

    **Fix** (safe): quote the name.
    """

    code = "BK102"
    name = "unquoted-dotted-name"
    summary = "A registry or frontend name with dots is not quoted, so the whole table is ignored"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[registry.docker.io]\nmirrors = ["m.io"]\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in unknown_issues(decoded):
            hit = unquoted_dotted(issue, doc)
            if hit is None:
                continue
            name, start, end = hit
            head = str(issue.path[0])
            quoted = toml_text.basic_string(name)
            fix = Fix(f"quote the name: {head}.{quoted}", (Edit(doc.span(start, end), quoted),), "safe")
            yield self.finding(
                f'`{doc.slice(start, end)}` is read as nested tables, not the name "{name}": '
                f'{IGNORED}; write {head}."{name}"',
                doc.span(*issue.anchor),
                fix=fix,
            )


@register
class NonCanonicalCase(ParsedRule):
    """Checks that keys use the spelling of BuildKit's documentation.

    **Why**: since v0.28 the loader matches key names case-insensitively, so
    `Max-Parallelism` or `[worker.OCI]` work. Releases up to v0.27 (go-toml v1) only accept
    the exact, all-lower, ALL-UPPER or lowerFirst spelling, and silently ignore the others.

    **Fix** (safe): use the canonical spelling, in every header and dotted key that spells
    it. When a table of that spelling exists already the two become one: a change of
    structure, so the fix is unsafe; a key set under both spellings (BK105) is not renamed.
    """

    code = "BK104"
    name = "non-canonical-case"
    summary = "A key matched only case-insensitively (ignored by BuildKit before v0.28)"
    severity = Severity.INFO
    fixable = True
    fix_examples = (
        "[worker.oci]\r\nMax-Parallelism = 4\r\n",
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        target = ctx.target_version()
        if target is not None and uses_go_toml_v1(target):
            return  # BK412 (deprecations.py) reports these as ignored by the target release
        for issue in decoded.issues:
            if issue.kind != "case" or (issue.canonical == "registry" and len(issue.path) == 1):
                continue
            fix = restructure.rename_fix(doc, issue.path, issue.canonical)
            yield self.finding(
                f"`{issue.path[-1]}` is matched to `{issue.canonical}` only because buildkitd ignores case "
                "(since v0.28; older releases ignore the key)",
                doc.span(*issue.anchor),
                fix=fix,
            )


@register
class CaseDuplicateKey(ParsedRule):
    """Checks for two spellings of the same key in one table.

    **Why**: `enabled` and `Enabled` are different TOML keys but the same buildkitd setting;
    the loader keeps the last one without a word, so the first line is dead.
    """

    code = "BK105"
    name = "case-duplicate-key"
    summary = "Two spellings of one key; buildkitd keeps the last"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for issue in decoded.issues:
            if issue.kind != "case-duplicate":
                continue
            related: tuple[tuple[Span, str], ...] = ()
            if issue.other is not None:
                related = ((doc.node_span(issue.other), "the value buildkitd discards"),)
            yield self.finding(
                f"`{issue.path[-1]}` sets `{issue.canonical}` again under another spelling; buildkitd keeps "
                "this one and silently drops the earlier value",
                doc.span(*issue.anchor),
                related=related,
            )


@register
class RegistryTableSpelling(ParsedRule):
    """Checks that the registry table is spelled `registry` in lower case.

    **Why**: buildkitd accepts `[Registry."r.io"]` (keys are case-insensitive since v0.28),
    but `docker buildx create` looks the registries up under the literal key `registry` when
    it copies certificates, and fails with `invalid registry config for "r.io"`.

    **Fix** (safe): rename the table to `registry`, in every header that spells it (unsafe
    when a `registry` table exists as well: the two merge).
    """

    code = "BK106"
    name = "registry-table-spelling"
    summary = "The registry table is not spelled `registry`; `docker buildx create` fails"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[Registry."r.example"]\nmirrors = ["m.example"]\n[Registry."q.example"]\nhttp = true\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        hosts = decoded.map_keys("registry")
        for issue in decoded.issues:
            if issue.kind != "case" or issue.canonical != "registry" or len(issue.path) != 1 or not hosts:
                continue
            fix = restructure.rename_fix(doc, issue.path, "registry")
            yield self.finding(
                f"`{issue.path[0]}` works for buildkitd, but `docker buildx create` fails with "
                f'`invalid registry config for "{hosts[0]}"`: spell it `registry`',
                doc.span(*issue.anchor),
                fix=fix,
            )
