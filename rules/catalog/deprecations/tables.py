"""BK404–BK405: tables and certificate-policy fields with a current spelling."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bklint.rules import restructure, toml_text
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.deprecations.releases import targets_before
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode, format_path
from bklint.rules.schema.decode import Decoded, Issue
from bklint.rules.schema.versions import Version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

V0_27 = Version(0, 27, 0)


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
            converted = restructure.gha_command(sign_data[keys["cmd"]])
            if cmd_node is None or converted is None or cmd_node.value_start < 0:
                return None, "`cmd` is not a command line"
            argv, certain = converted
            rename = restructure.rename_edit(doc, cmd_node, "command")
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
class GhaCacheTable(ParsedRule):
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
    triggers = ("ghacache",)
    summary = "`[ghacache]` from the upstream docs is ignored; the table is `[cache.gha]`"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        '[ghacache.sign]\ncmd = ""\n[ghacache.verify]\nrequired = false\n'
        '[ghacache.verify.policy]\ntimestampThreshold = 1\ncertificateIssuer = ""\n',
        '# signing\r\n[ghacache.sign]\r\ncmd = "cosign sign-blob -" # argv\r\n',
        "[cache]\n[ghacache]\nverify.required = true\n",
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        issues = [i for i in decoded.issues if i.kind == "unknown" and is_ghacache(i)]
        if not issues:
            return
        old = targets_before(ctx, V0_27)
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
class DeprecatedSigstoreField(ParsedRule):
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
    triggers = ("cache",)
    summary = "A deprecated `githubWorkflow*` certificate field in the GHA cache policy"
    severity = Severity.INFO
    fixable = True
    fix_examples = (
        '[cache.gha.verify.policy]\ngithubWorkflowRef = "refs/heads/main"\ngithubWorkflowSHA = "abc"\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for old in (*_SIGSTORE_SAME_VALUE, *_SIGSTORE_OTHER):
            entry = decoded.entry("cache", "gha", "verify", "policy", old)
            if entry is None:
                continue
            fix = None
            if old in _SIGSTORE_SAME_VALUE:
                new = _SIGSTORE_SAME_VALUE[old]
                clash = decoded.entry("cache", "gha", "verify", "policy", new)
                edit = restructure.rename_edit(doc, entry.node, new) if clash is None else None
                fix = Fix(f"rename to `{new}`", (edit,), "unsafe") if edit else None
                advice = f"`{new}` holds the same value"
            else:
                advice = f"use {_SIGSTORE_OTHER[old]}"
            yield self.finding(
                f"`{entry.written[-1]}` matches a deprecated Fulcio certificate extension; {advice}",
                doc.node_span(entry.node),
                fix=fix,
            )
