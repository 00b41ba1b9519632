"""BK101–BK106: keys buildkitd silently ignores, or matches only loosely."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from typing import ClassVar, NamedTuple

from bklint.rules import toml_text
from bklint.rules.base import Edit, Finding, Fix, Rule, Severity, Span, register
from bklint.rules.catalog.deprecations import is_ghacache
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode, format_path
from bklint.rules.schema.decode import Issue
from bklint.rules.schema.nodes import ArrayOf, Leaf, MapOf, Node, Struct, go_lower
from bklint.rules.schema.tree import CONFIG
from bklint.rules.schema.versions import uses_go_toml_v1

_IGNORED = "buildkitd ignores it without a warning"

# Mistakes seen in real configs that no string distance finds: lower-cased key -> advice.
_HINTS: dict[str, str] = {
    "ghacache": "BuildKit's documented example uses `[ghacache]`, but the loader reads `[cache.gha]` "
    "(with `sign.command`, not `cmd`)",
    "insecure-registries": 'buildkitd has no such list: add `[registry."<host>"]` with `insecure = true` '
    "(HTTPS without verification) or `http = true` (plain HTTP)",
    "insecure-registry": 'use `insecure = true` (HTTPS without verification) or `http = true` (plain HTTP) in `[registry."<host>"]`',
    "credentials": "buildkitd never reads registry credentials from its config; they come from the client "
    "(`docker login`, buildx secrets)",
    "username": "buildkitd never reads registry credentials from its config; they come from the client",
    "password": "buildkitd never reads registry credentials from its config; they come from the client",
    "auth": "buildkitd never reads registry credentials from its config; they come from the client",
    "oci-worker-net": "that is the spelling of a buildkitd flag; the config key is `networkMode`",
    "network": "did you mean `networkMode`?",
    "tls": "TLS for the daemon's own listener is `[grpc.tls]`; registry TLS is `ca`/`keypair` under "
    '`[registry."<host>"]`',
    "insecure-skip-verify": 'use `insecure = true` in `[registry."<host>"]`',
}
_RENAMES: dict[str, str] = {
    "mirror": "mirrors",
    "registries": "registry",
    "entitlements": "insecure-entitlements",
    "addr": "address",
    "cmd": "command",
    "rootdir": "root",
    "gcpolicies": "gcpolicy",
    "gc-policy": "gcpolicy",
    "keypairs": "keypair",
    "network": "networkMode",
}


def _norm(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


@functools.cache
def _index() -> dict[str, list[str]]:
    """Normalised leaf name -> display paths of every key with that name in the schema."""
    out: dict[str, list[str]] = {}

    def walk(node: Node, path: str) -> None:
        if isinstance(node, Struct):
            for name, child in node.fields.items():
                seg = toml_text.basic_string(name) if "." in name else name
                walk(child, f"{path}.{seg}" if path else seg)
        elif isinstance(node, MapOf):
            walk(node.item, f'{path}."<host>"')
        elif isinstance(node, ArrayOf):
            out.setdefault(_norm(node.name), []).append(f"[[{path}]]")
            walk(node.item, f"{path}[]")
        elif isinstance(node, Leaf):
            out.setdefault(_norm(node.name), []).append(path)

    walk(CONFIG, "")
    return out


class Diagnosis(NamedTuple):
    """What an ignored key most likely was meant to be."""

    message: str
    rename: str | None = None  # replacement for the last key segment
    safe: bool = False


def diagnose(issue: Issue) -> Diagnosis:
    key = str(issue.path[-1]) if issue.path else ""
    low = key.lower()
    parent = issue.parent
    label = f"`{format_path(issue.path)}`"
    what = "table" if issue.node.kind in ("table", "aot") else "key"
    base = f"unknown {what} {label}; {_IGNORED}"
    if parent is None:
        above = format_path(issue.path[:-1])
        return Diagnosis(f"{label} is ignored: `{above}` is not a table buildkitd knows" if above else base)
    fields = list(parent.fields)
    # Same letters, other separators or case: certainly meant.
    norm = _normalised(tuple(fields))
    if _norm(key) in norm:
        target = norm[_norm(key)]
        return Diagnosis(f"{base}: did you mean `{target}`?", target, True)
    if low in _RENAMES and _RENAMES[low] in fields:
        target = _RENAMES[low]
        hint = _HINTS.get(low, f"did you mean `{target}`?")
        return Diagnosis(f"{base}: {hint}", target, False)
    if low in _HINTS:
        return Diagnosis(f"{base}: {_HINTS[low]}")
    close = _closest(key, tuple(fields))
    if close is not None:
        return Diagnosis(f"{base}: did you mean `{close}`?", close, False)
    return Diagnosis(base)


@functools.lru_cache(maxsize=256)
def _normalised(fields: tuple[str, ...]) -> dict[str, str]:
    return {_norm(f): f for f in fields}


@functools.lru_cache(maxsize=1024)
def _closest(key: str, fields: tuple[str, ...]) -> str | None:
    """A close spelling among ``fields`` (memoised: the editor asks again on every keystroke)."""
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.8) or difflib.get_close_matches(
        key.lower(), [f.lower() for f in fields], n=1, cutoff=0.8
    )
    if close:
        return next(f for f in fields if f.lower() == close[0].lower())
    # `selinuxEnabled` for `selinux`: a known name with a word added to it.
    norm = _norm(key)
    prefixed = [f for f in fields if len(_norm(f)) >= 5 and norm.startswith(_norm(f))]
    return max(prefixed, key=len) if prefixed else None


def elsewhere(issue: Issue) -> list[str]:
    """Other tables where a key of this name is valid (for keys in the wrong table).

    Names valid in many places (`enabled`) say nothing about where the key was meant to go.
    """
    if not issue.path or issue.parent is None:
        return []
    key = str(issue.path[-1])
    paths = _index().get(_norm(key), [])
    if not paths and key.lower() in _RENAMES:
        paths = _index().get(_norm(_RENAMES[key.lower()]), [])
    here = format_path(tuple(p for p in issue.path[:-1] if not isinstance(p, int)))
    paths = [p for p in paths if p.strip("[]").replace("[]", "").rsplit(".", 1)[0] != here]
    return paths if len(paths) <= 2 else []


def _unknown(ctx: Context) -> Iterable[Issue]:
    if ctx.decoded is None:
        return ()
    return (i for i in ctx.decoded.issues if i.kind == "unknown")


def _statement_segments(node: TomlNode) -> tuple[tuple[str, int, int], ...]:
    """The key segments of the header or dotted key that created ``node``."""
    stack = [node]
    while stack:
        cur = stack.pop(0)
        if cur.segments:
            return cur.segments
        stack.extend((cur.children or {}).values())
        stack.extend(cur.items or [])
    return ()


_DOTTED_PARENTS = {"registry": None, "frontend": ("dockerfile", "gateway")}


def unquoted_dotted(issue: Issue, doc: Document) -> tuple[str, int, int] | None:
    """For ``[registry.docker.io]``-style keys: the intended name and the span to quote."""
    if len(issue.path) < 2 or not isinstance(issue.path[0], str):
        return None
    head = issue.path[0].lower()
    if head not in _DOTTED_PARENTS:
        return None
    segments = _statement_segments(issue.node)
    if len(segments) < 3 or segments[0][0].lower() != head:
        return None
    registry = CONFIG.fields["registry"]
    assert isinstance(registry, MapOf)
    registry_fields = {f.lower() for f in registry.item.fields} if head == "registry" else set()
    names: list[tuple[str, int, int]] = []
    for seg in segments[1:]:
        if head == "registry" and names and seg[0].lower() in registry_fields:
            break
        names.append(seg)
    if len(names) < 2:
        return None
    if any(doc.text[s] in "\"'" for _, s, _ in names):
        return None
    if head == "frontend" and (names[0][0].lower() not in ("dockerfile", "gateway") or len(names) != 2):
        return None
    name = ".".join(n for n, _, _ in names)
    return name, names[0][1], names[-1][2]


@register
class UnknownKey(Rule):
    """Checks for keys and tables buildkitd does not know.

    **Why**: buildkitd decodes its config without strict mode, so a misspelt or invented
    key (`max_parallelism`, `mirror`, `insecure-registries`, `[registry."x".credentials]`)
    is dropped without a warning and the setting silently does not apply. Even BuildKit's
    documented full example contains such a table (`[ghacache]`).

    The message suggests the key that was most likely meant: the same name with other
    separators or case, a known alias, or a close spelling.

    **Bad**
    ```toml
    [worker.oci]
    max_parallelism = 4
    ```

    **Good**
    ```toml
    [worker.oci]
    max-parallelism = 4
    ```

    **Fix**: rename the key — safe when only separators or case differ, unsafe for a
    guessed spelling.
    """

    code = "BK101"
    name = "unknown-key"
    summary = "A key or table buildkitd does not know and silently ignores"
    severity = Severity.WARNING
    fixable = True

    def check(self, ctx: Context) -> Iterable[Finding]:
        doc = ctx.doc
        for issue in _unknown(ctx):
            assert doc is not None
            if unquoted_dotted(issue, doc) or (issue.parent is not None and elsewhere(issue) and not _local(issue)):
                continue
            if is_ghacache(issue):
                continue  # BK404 (deprecations.py) reports the upstream docs' [ghacache] table, with a fix
            diag = diagnose(issue)
            fix = None
            if (
                diag.rename
                and issue.node.key_start >= 0
                and not isinstance(issue.path[-1], int)
                and not _already_set(doc, issue, diag.rename)
                and _same_shape(issue, diag.rename)
            ):
                node = issue.node
                start, end = _last_segment(node)
                new = toml_text.key(diag.rename, doc.slice(start, end)[:1])
                fix = Fix(
                    f"rename to `{diag.rename}`",
                    (Edit(doc.span(start, end), new),),
                    "safe" if diag.safe else "unsafe",
                )
            yield self.finding(diag.message, doc.span(*issue.anchor), fix=fix)


def _same_shape(issue: Issue, name: str) -> bool:
    """A rename must not turn a table into a scalar key (or back): that would be a type error."""
    target = issue.parent.fields.get(name) if issue.parent is not None else None
    if target is None:
        return False
    is_table = issue.node.kind in ("table", "aot")
    if isinstance(target, Leaf):
        return is_table == target.go_type.startswith("map[")
    return is_table


def _already_set(doc: Document, issue: Issue, name: str) -> bool:
    """Renaming onto a key the table already has would define it twice."""
    parent = doc.find(*issue.path[:-1])
    siblings = parent.children if parent is not None and parent.children else {}
    return any(go_lower(key) == go_lower(name) for key in siblings)


def _local(issue: Issue) -> bool:
    """True when the parent table itself has a close match, so the key is a typo, not misplaced."""
    return diagnose(issue).rename is not None


def _last_segment(node: TomlNode) -> tuple[int, int]:
    if node.segments:
        return node.segments[-1][1], node.segments[-1][2]
    return node.key_start, node.key_end


@register
class UnquotedDottedName(Rule):
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

    def check(self, ctx: Context) -> Iterable[Finding]:
        doc = ctx.doc
        for issue in _unknown(ctx):
            assert doc is not None
            hit = unquoted_dotted(issue, doc)
            if hit is None:
                continue
            name, start, end = hit
            head = str(issue.path[0])
            quoted = toml_text.basic_string(name)
            fix = Fix(f"quote the name: {head}.{quoted}", (Edit(doc.span(start, end), quoted),), "safe")
            yield self.finding(
                f'`{doc.slice(start, end)}` is read as nested tables, not the name "{name}": '
                f'{_IGNORED}; write {head}."{name}"',
                doc.span(*issue.anchor),
                fix=fix,
            )


@register
class KeyInWrongTable(Rule):
    """Checks for known keys placed in a table where buildkitd does not look for them.

    **Why**: `max-parallelism` at the top level or under `[worker]`, `mirrors` outside a
    registry table, `debug` under `[log]`: the name is right but the table is wrong, so the
    loader ignores the key and the limit or mirror never applies.

    **Bad**
    ```toml
    max-parallelism = 4
    ```

    **Good**
    ```toml
    [worker.oci]
    max-parallelism = 4
    ```
    """

    code = "BK103"
    name = "key-in-wrong-table"
    summary = "A known key in a table where buildkitd ignores it"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        doc = ctx.doc
        for issue in _unknown(ctx):
            assert doc is not None
            if issue.parent is None or unquoted_dotted(issue, doc) or _local(issue):
                continue
            places = elsewhere(issue)
            if not places:
                continue
            here = _table_name(issue.path[:-1])
            where = " or ".join(_table_of(p, str(issue.path[-1])) for p in places)
            extra = ""
            if str(issue.path[-1]).lower() == "debug" and issue.path[0] == "log":
                extra = ' (in `[log]` the key is `level = "debug"`)'
            yield self.finding(
                f"`{issue.path[-1]}` is not read in {here}; {_IGNORED}. It belongs in {where}{extra}",
                doc.span(*issue.anchor),
            )


def _table_name(path: tuple[str | int, ...]) -> str:
    if not path:
        return "the top level"
    if isinstance(path[-1], int):
        return f"`[[{format_path(path[:-1])}]]` #{path[-1] + 1}"
    return f"`[{format_path(path)}]`"


def _table_of(path: str, written: str) -> str:
    """`worker.oci.networkMode` -> "`[worker.oci]` (as `networkMode`)"; the name only when it differs."""
    if path.startswith("[["):
        return f"`{path}`"
    table, key = path.rsplit(".", 1) if "." in path.replace('"<host>"', "host") else ("", path)
    if not table:
        place = "the top level"
    else:
        place = f"`[[{table[:-2]}]]`" if table.endswith("[]") else f"`[{table}]`"
    return place if key == written else f"{place} (as `{key}`)"


@register
class NonCanonicalCase(Rule):
    """Checks that keys use the spelling of BuildKit's documentation.

    **Why**: since v0.28 the loader matches key names case-insensitively, so
    `Max-Parallelism` or `[worker.OCI]` work. Releases up to v0.27 (go-toml v1) only accept
    the exact, all-lower, ALL-UPPER or lowerFirst spelling, and silently ignore the others.

    **Fix** (safe): use the canonical spelling.
    """

    code = "BK104"
    name = "non-canonical-case"
    summary = "A key matched only case-insensitively (ignored by BuildKit before v0.28)"
    severity = Severity.INFO
    fixable = True

    def check(self, ctx: Context) -> Iterable[Finding]:
        doc = ctx.doc
        target = ctx.target_version()
        if target is not None and uses_go_toml_v1(target):
            return  # BK412 (deprecations.py) reports these as ignored by the target release
        for issue in ctx.decoded.issues if ctx.decoded else ():
            if issue.kind != "case" or (issue.canonical == "registry" and len(issue.path) == 1):
                continue
            assert doc is not None
            new = toml_text.key(issue.canonical, doc.slice(*issue.anchor)[:1])
            fix = Fix(f"rename to `{issue.canonical}`", (Edit(doc.span(*issue.anchor), new),), "safe")
            yield self.finding(
                f"`{issue.path[-1]}` is matched to `{issue.canonical}` only because buildkitd ignores case "
                "(since v0.28; older releases ignore the key)",
                doc.span(*issue.anchor),
                fix=fix,
            )


@register
class CaseDuplicateKey(Rule):
    """Checks for two spellings of the same key in one table.

    **Why**: `enabled` and `Enabled` are different TOML keys but the same buildkitd setting;
    the loader keeps the last one without a word, so the first line is dead.
    """

    code = "BK105"
    name = "case-duplicate-key"
    summary = "Two spellings of one key; buildkitd keeps the last"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        doc = ctx.doc
        for issue in ctx.decoded.issues if ctx.decoded else ():
            if issue.kind != "case-duplicate":
                continue
            assert doc is not None
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
class RegistryTableSpelling(Rule):
    """Checks that the registry table is spelled `registry` in lower case.

    **Why**: buildkitd accepts `[Registry."r.io"]` (keys are case-insensitive since v0.28),
    but `docker buildx create` looks the registries up under the literal key `registry` when
    it copies certificates, and fails with `invalid registry config for "r.io"`.

    **Fix** (safe): rename the table to `registry`.
    """

    code = "BK106"
    name = "registry-table-spelling"
    summary = "The registry table is not spelled `registry`; `docker buildx create` fails"
    severity = Severity.ERROR
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[Registry."r.example"]\nmirrors = ["m.example"]\n[Registry."q.example"]\nhttp = true\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        doc, decoded = ctx.doc, ctx.decoded
        if decoded is None or doc is None:
            return
        hosts = decoded.map_keys("registry")
        for issue in decoded.issues:
            if issue.kind != "case" or issue.canonical != "registry" or len(issue.path) != 1 or not hosts:
                continue
            fix = Fix("rename to `registry`", (Edit(doc.span(*issue.anchor), "registry"),), "safe")
            yield self.finding(
                f"`{issue.path[0]}` works for buildkitd, but `docker buildx create` fails with "
                f'`invalid registry config for "{hosts[0]}"`: spell it `registry`',
                doc.span(*issue.anchor),
                fix=fix,
            )
