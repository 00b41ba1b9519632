"""BK201–BK219: registry tables and mirrors, judged as BuildKit's resolver reads them.

The resolver (``util/resolver/resolver.go`` ``NewRegistryConfig``) looks a registry up by
the exact domain of the image reference, tries each mirror of that table before the
registry itself, and takes a mirror's transport settings only from the table named after
the mirror's host. Most mistakes here cost no error at all: the setting silently does
not apply, or every pull first waits for a mirror that cannot work.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from bklint.rules import toml_text
from bklint.rules.base import Edit, Finding, Fix, Rule, Severity, Span, register
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode
from bklint.rules.schema.decode import Decoded, Entry

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# Characters Go's url.Parse accepts in a host name (RFC 3986 reg-name plus ':' for the port).
_HOST_OK = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=%-]+$")
_DOMAIN_LABEL = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = re.compile(rf"^(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$")
_HUB_ALIASES = ("index.docker.io", "registry-1.docker.io")
_TLS_KEYS = ("http", "insecure", "ca", "keypair", "tlsconfigdir")


@dataclass(frozen=True, slots=True)
class Mirror:
    """One element of a ``mirrors`` list and what the resolver makes of it."""

    registry: str
    index: int
    raw: str
    node: TomlNode
    scheme: str
    host: str  # as the resolver uses it (the raw string when parsing fails)
    path: str  # without trailing slashes, "" for none
    problem: str  # why the resolver cannot use it, "" when it can


def parse_mirror(raw: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, problem) the way ``extractMirrorHostAndPath`` reads a mirror."""
    text = raw
    scheme = ""
    m = _SCHEME.match(text)
    if m:
        scheme = m.group(1)
        text = text[m.end() :]
    if not raw.strip():
        return scheme, raw, "", "it is empty"
    cut = len(text)
    for ch in "/?#":
        i = text.find(ch)
        if 0 <= i < cut:
            cut = i
    authority, rest = text[:cut], text[cut:]
    path = rest.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    host = authority.rsplit("@", 1)[-1]
    if not host:
        return scheme, raw, "", "it has no host name"
    if any(c.isspace() for c in raw):
        return scheme, raw, "", "it contains white space"
    hostname, port = _split_port(host)
    if port is not None:
        if not port.isdigit() and port != "":
            return scheme, raw, "", f"`{port}` is not a port number"
        if port and not 0 < int(port) <= 65535:
            return scheme, host, path, f"port {port} is out of range (1-65535)"
    if not hostname.startswith("[") and not _HOST_OK.match(hostname):
        return scheme, raw, "", "the host name contains characters a host name cannot have"
    return scheme, host, path, ""


def _split_port(host: str) -> tuple[str, str | None]:
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return host, None
        tail = host[end + 1 :]
        return host[: end + 1], tail[1:] if tail.startswith(":") else None
    if ":" in host:
        name, port = host.rsplit(":", 1)
        return name, port
    return host, None


@functools.lru_cache(maxsize=4096)
def is_loopback(host: str) -> bool:
    """containerd's ``docker.MatchLocalhost``: localhost, 127.0.0.0/8 and ::1, any port."""
    name = host
    if host.startswith("["):
        end = host.find("]")
        if end < 0 or (host[end + 1 :] and not host[end + 1 :].startswith(":")):
            return False
        name = host[1:end]
    elif host.count(":") == 1:
        name = host.split(":", 1)[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def registries(decoded: Decoded) -> list[str]:
    return decoded.map_keys("registry")


def mirrors(decoded: Decoded, host: str) -> list[Mirror]:
    key = ("registries.mirrors", host)
    cached: list[Mirror] | None = decoded.memo.get(key)
    if cached is None:
        cached = decoded.memo[key] = _parse_mirrors(decoded, host)
    return cached


def _parse_mirrors(decoded: Decoded, host: str) -> list[Mirror]:
    entry = decoded.entry("registry", host, "mirrors")
    if entry is None or not isinstance(entry.value, list) or entry.node.items is None:
        return []
    out = []
    for i, (raw, node) in enumerate(zip(entry.value, entry.node.items, strict=False)):
        if not isinstance(raw, str):
            continue
        scheme, mhost, path, problem = parse_mirror(raw)
        out.append(Mirror(host, i, raw, node, scheme, mhost, path, problem))
    return out


def all_mirror_hosts(decoded: Decoded) -> set[str]:
    return {m.host for host in registries(decoded) for m in mirrors(decoded, host) if not m.problem}


def host_span(doc: Document, decoded: Decoded, host: str) -> Span:
    """The registry name in its table header (or dotted key)."""
    for node in decoded.tables.get(("registry", host), []):
        for found in _segment_nodes(node):
            for name, start, end in found.segments:
                if name == host:
                    return doc.span(start, end)
        return doc.node_span(node)
    return doc.span(0, 0)


def rename_host(doc: Document, host: str, new: str) -> tuple[Edit, ...]:
    """Edits renaming registry ``host`` to ``new`` in every header and dotted key that spells it.

    Renaming only the first spelling would split the registry into two tables (say the
    main table and its ``[[registry."x".keypair]]``), so every declaration under the
    registry is rewritten together.
    """
    top = doc.find("registry", host)
    if top is None:
        return ()
    found: dict[tuple[int, int], Edit] = {}
    stack: list[tuple[int, TomlNode]] = [(2, top)]
    while stack:
        depth, node = stack.pop()
        # A node's segments spell the last len(segments) names of its path; the host is name 2.
        i = 1 - (depth - len(node.segments))
        if node.segments and 0 <= i < len(node.segments) and node.segments[i][0] == host:
            _, start, end = node.segments[i]
            found[(start, end)] = Edit(doc.span(start, end), toml_text.key(new, doc.slice(start, end)[:1]))
        stack.extend((depth + 1, child) for child in (node.children or {}).values())
        # Array elements add an index to the path, not a name.
        stack.extend((depth, item) for item in node.items or [])
    return tuple(found[k] for k in sorted(found))


def _rename_targets(decoded: Decoded, hosts: list[str]) -> dict[str, str]:
    """The renames BK207 and BK209 offer, at most one per target name.

    Two tables renamed to the same name in one pass would define that table twice (invalid
    TOML), so only the first table claiming a name gets the fix; the next run sees the
    name taken and offers none.
    """
    used = all_mirror_hosts(decoded)
    taken = set(hosts)
    out: dict[str, str] = {}
    for key in hosts:
        if key in used or templated(key):
            continue
        target = _intended_host(key) if _never_matches(key) else (key.lower() if key != key.lower() else None)
        if target is None or target in taken:
            continue
        taken.add(target)
        out[key] = target
    return out


def _segment_nodes(node: TomlNode) -> Iterator[TomlNode]:
    stack = [node]
    while stack:
        cur = stack.pop(0)
        if cur.segments:
            yield cur
        stack.extend((cur.children or {}).values())
        stack.extend(cur.items or [])


def remove_element(doc: Document, array: TomlNode, index: int) -> Edit | None:
    """Delete one element of an array with its comma; None when comments are in the way."""
    items = array.items or []
    if not 0 <= index < len(items):
        return None
    item = items[index]
    if len(items) == 1:
        inner = doc.slice(array.value_start + 1, array.value_end - 1)
        if "#" in inner.replace(doc.slice(item.value_start, item.value_end), ""):
            return None
        return Edit(doc.span(array.value_start, array.value_end), "[]")
    if index + 1 < len(items):
        start, end = item.value_start, items[index + 1].value_start
        between = doc.slice(item.value_end, end)
    else:
        start, end = items[index - 1].value_end, item.value_end
        between = doc.slice(start, item.value_start)
    if "#" in between:
        return None
    return Edit(doc.span(start, end), "")


def _entry_true(decoded: Decoded, host: str, key: str) -> Entry | None:
    entry = decoded.entry("registry", host, key)
    if entry is None or not entry.value:
        return None
    return entry


def _has_keypair(decoded: Decoded, host: str) -> bool:
    return decoded.count("registry", host, "keypair") > 0


def _replace_value(doc: Document, node: TomlNode, value: str) -> Edit:
    raw = doc.slice(node.value_start, node.value_end)
    return Edit(doc.span(node.value_start, node.value_end), toml_text.string(value, raw[:1]))


@register
class InvalidMirror(Rule):
    """Checks that every mirror is a `host[:port][/path]` the resolver can use.

    **Why**: buildkitd parses each mirror like a URL (`extractMirrorHostAndPath`). An empty
    entry, white space, a port that is not a number or not in 1–65535, or characters no host
    name can have leave a "host" no connection can be made to. buildkitd never complains:
    every pull first tries this mirror, fails, logs at info level and falls back to the next
    host — the mirror is dead weight and the pull slower.

    **Bad**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io ", "", "mirror.example.com:port"]
    ```

    **Good**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io", "mirror.example.com:5000"]
    ```

    **Fix** (safe): when the only problem is white space around the name, trim it.
    """

    code = "BK201"
    name = "invalid-mirror"
    summary = "A mirror entry that is not `host[:port][/path]`; buildkitd can never use it"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io ", "mirror.example.com:5000"]\n',
        '[registry."docker.io"]\r\nmirrors = [" mirror.gcr.io"] # pull-through cache\r\n',
        '[registry."ghcr.io"]\nmirrors = [\n  "ghcr-cache.local:5000", # first\n  "\\tcache.local\\t",\n]\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for host in registries(decoded):
            for m in mirrors(decoded, host):
                if not m.problem or templated(m.raw):
                    continue
                fix = None
                trimmed = m.raw.strip()
                if trimmed != m.raw and trimmed and not parse_mirror(trimmed)[3]:
                    fix = Fix("trim the white space", (_replace_value(doc, m.node, trimmed),), "safe")
                yield self.finding(
                    f"mirror {m.raw!r} of `{host}` cannot be used: {m.problem}; every pull tries it, "
                    "fails and falls back to the next host",
                    doc.value_span(m.node),
                    fix=fix,
                )


@register
class MirrorScheme(Rule):
    """Checks for a scheme (`http://`, `https://`) in a mirror.

    **Why**: the resolver discards the scheme of a mirror and always starts from HTTPS
    (`newMirrorRegistryHost`), so `http://mirror:5000` does **not** give plain HTTP — pulls
    fail with `http: server gave HTTP response to HTTPS client` and fall back to the
    registry. Plain HTTP for a mirror comes only from a table named after the mirror's host:
    `[registry."mirror:5000"]` with `http = true`. An `https://` prefix is harmless but
    suggests the scheme matters (reported as a hint).

    See https://github.com/moby/buildkit/issues/2514 and
    https://github.com/docker-library/official-images/pull/14295.

    **Bad**
    ```toml
    [registry."docker.io"]
    mirrors = ["http://mirror.local:5000"]
    ```

    **Good**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.local:5000"]

    [registry."mirror.local:5000"]
    http = true
    ```

    **Fix** (safe): remove the scheme — buildkitd ignores it anyway, so behaviour does not
    change; add the `http = true` table yourself if the mirror really is plain HTTP.
    """

    code = "BK202"
    name = "mirror-scheme"
    summary = "A scheme in a mirror is ignored; `http://` does not give plain HTTP"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[registry."docker.io"]\nmirrors = ["http://mirror.local:5000"]\n\n[registry."mirror.local:5000"]\nhttp = true\n',
        '[registry."docker.io"]\r\nmirrors = ["https://mirror.gcr.io", \'HTTP://m.local\'] # two\r\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for host in registries(decoded):
            for m in mirrors(decoded, host):
                if not m.scheme or m.problem:
                    continue
                bare = m.raw[len(m.scheme) + 3 :]
                fix = Fix(f"remove `{m.scheme}://`", (_replace_value(doc, m.node, bare),), "safe")
                if m.scheme.lower() == "http":
                    http = decoded.value("registry", m.host, "http")
                    if http is True:
                        tail = f'(here `[registry."{m.host}"]` already sets `http = true`, which is what takes effect)'
                        severity = Severity.INFO
                    else:
                        tail = (
                            f'to use plain HTTP, add `[registry."{m.host}"]` with `http = true` '
                            "(that table, not this scheme, decides)"
                        )
                        severity = Severity.WARNING
                    message = (
                        f"buildkitd ignores the `http://` of mirror `{m.raw}` and connects with HTTPS; {tail}"
                    )
                else:
                    severity = Severity.HINT
                    message = f"buildkitd ignores the `{m.scheme}://` of mirror `{m.raw}`: mirrors use HTTPS unless "
                    message += f'`[registry."{m.host}"]` sets `http = true`'
                yield self.finding(message, doc.value_span(m.node), fix=fix, severity=severity)


def _is_self(registry: str, m: Mirror) -> bool:
    if m.path:
        return False
    if m.host == registry:
        return True
    return registry == "docker.io" and m.host in _HUB_ALIASES


@register
class MirrorIsRegistry(Rule):
    """Checks for a registry listed among its own mirrors.

    **Why**: buildkitd already contacts the registry itself after its mirrors (for
    `docker.io` that is `registry-1.docker.io`), so listing it as a mirror only makes it
    appear twice: a failing pull is tried against it twice, and a pull through the "mirror"
    entry never pushes. It usually means the mirror list was copied from a Docker
    `daemon.json` or meant to be a fallback, which is already built in.

    **Bad**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io", "registry-1.docker.io"]
    ```

    **Good**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io"]
    ```

    **Fix** (safe for the registry's exact name, unsafe for a Docker Hub alias): remove the
    entry.
    """

    code = "BK203"
    name = "mirror-is-registry"
    summary = "A registry listed as its own mirror (it is always tried after the mirrors)"
    severity = Severity.INFO
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io", "registry-1.docker.io"]\n',
        '[registry."ghcr.io"]\r\nmirrors = ["ghcr.io", "ghcr-cache.local"] # cache first\r\n',
        '[registry."quay.io"]\nmirrors = [\n  "quay-cache.local",\n  "quay.io",\n]\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for host in registries(decoded):
            entry = decoded.entry("registry", host, "mirrors")
            for m in mirrors(decoded, host):
                if m.problem or not _is_self(host, m) or entry is None:
                    continue
                edit = remove_element(doc, entry.node, m.index)
                fix = None
                if edit is not None:
                    fix = Fix(f"remove `{m.raw}`", (edit,), "safe" if m.host == host else "unsafe")
                target = "registry-1.docker.io" if host == "docker.io" else host
                yield self.finding(
                    (
                        f"`{m.raw}` is this registry itself"
                        if m.host == host
                        else f"`{m.raw}` is `{host}` itself"
                    )
                    + f"; buildkitd already tries `{target}` after the mirrors, so this entry only repeats it",
                    doc.value_span(m.node),
                    fix=fix,
                )


@register
class DuplicateMirror(Rule):
    """Checks for the same mirror listed twice for one registry.

    **Why**: buildkitd tries every entry in order, so a duplicate is contacted again after it
    has already failed (or is never reached when it worked). Entries that differ only in an
    ignored scheme or a trailing slash are the same mirror.

    **Bad**: `mirrors = ["mirror.gcr.io", "https://mirror.gcr.io/"]`
    — **Good**: `mirrors = ["mirror.gcr.io"]`

    **Fix** (safe): remove the later entry.
    """

    code = "BK204"
    name = "duplicate-mirror"
    summary = "The same mirror appears twice in one registry's list"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[registry."docker.io"]\nmirrors = ["mirror.gcr.io", "https://mirror.gcr.io/"]\n',
        '[registry."docker.io"]\r\nmirrors = ["a.local", "a.local", "b.local", "b.local"] # dupes\r\n',
        '[registry."docker.io"]\nmirrors = [\n  "mirror.gcr.io",\n  "mirror.gcr.io",\n  "mirror.gcr.io",\n]\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for host in registries(decoded):
            entry = decoded.entry("registry", host, "mirrors")
            seen: dict[tuple[str, str], Mirror] = {}
            for m in mirrors(decoded, host):
                if m.problem or entry is None:
                    continue
                key = (m.host, m.path)
                first = seen.get(key)
                if first is None:
                    seen[key] = m
                    continue
                edit = remove_element(doc, entry.node, m.index)
                fix = Fix(f"remove the duplicate `{m.raw}`", (edit,), "safe") if edit else None
                yield self.finding(
                    f"mirror `{m.raw}` is already listed for `{host}` (as `{first.raw}`)",
                    doc.value_span(m.node),
                    fix=fix,
                    related=((doc.value_span(first.node), "first listed here"),),
                )


@register
class SettingsNotForMirrors(Rule):
    """Checks for `http`, `insecure`, `ca`, `keypair` or `tlsconfigdir` on a registry that
    has mirrors whose own tables are missing.

    **Why**: these keys apply to the host named by the table only. A mirror takes its
    transport settings from `[registry."<mirror-host>"]` and never from the registry that
    lists it (`NewRegistryConfig` looks the mirror's parsed host up in the map). So

    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.local:5000"]
    http = true
    ```

    keeps talking HTTPS to `mirror.local:5000` (`server gave HTTP response to HTTPS
    client`) and makes BuildKit talk **plain HTTP to Docker Hub** itself.
    Docker Hub serves the registry API over HTTPS only. `http = true` under `docker.io`
    next to a mirror without its own table is an error (the mirror is not plain HTTP as
    intended, and the fallback to Docker Hub uses HTTP); when every mirror has its own
    table, only the fallback to Docker Hub is affected and it is a warning, as are the other
    keys. BuildKit's own documented example has the misleading
    comment "Use plain HTTP to connect to the mirrors" above such a line.

    See https://github.com/moby/buildkit/issues/2514 and
    https://github.com/moby/buildkit/issues/6177.

    **Good**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.local:5000"]

    [registry."mirror.local:5000"]
    http = true
    ```

    Apart from `http` under `docker.io`, the finding is not reported when every mirror
    already has its own table (then the settings are taken to be meant for the registry
    itself).
    """

    code = "BK205"
    name = "settings-not-for-mirrors"
    summary = "`http`/`insecure`/`ca` on a registry apply to it, not to its mirrors"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        tables = set(registries(decoded))
        for host in registries(decoded):
            bare: dict[str, Mirror] = {}
            for m in mirrors(decoded, host):
                if not m.problem and m.host not in tables and not _is_self(host, m) and not templated(m.raw):
                    bare.setdefault(m.host, m)
            hub_http = host == "docker.io" and decoded.value("registry", host, "http") is True
            if not bare and not hub_http:
                continue
            keys: list[tuple[str, Span]] = []
            for key in _TLS_KEYS:
                if key == "keypair":
                    nodes = decoded.tables.get(("registry", host, "keypair"), [])
                    if _has_keypair(decoded, host) and nodes:
                        keys.append((key, doc.node_span(nodes[0])))
                    continue
                entry = _entry_true(decoded, host, key)
                if entry is not None:
                    keys.append((key, doc.node_span(entry.node)))
            if not keys:
                continue
            listed = " and ".join(f"`{k}`" for k, _ in keys)
            span = keys[0][1]
            if hub_http:
                span = next(sp for k, sp in keys if k == "http")
                tail = "`http = true` here switches Docker Hub itself (registry-1.docker.io, HTTPS only) to plain HTTP"
                if bare:
                    first = next(iter(bare))
                    tail += (
                        f", while the mirrors still use HTTPS: give each mirror its own table, e.g. "
                        f'`[registry."{first}"]` with `http = true`, and remove `http` from `docker.io`'
                    )
                else:
                    tail += (
                        "; only pulls that fall back to Docker Hub are affected — remove it (mirrors take `http` "
                        "from their own tables)"
                    )
                yield self.finding(tail, span, severity=Severity.ERROR if bare else Severity.WARNING)
                continue
            names = ", ".join(f"`{h}`" for h in list(bare)[:3])
            first = next(iter(bare))
            yield self.finding(
                f'{listed} under `[registry."{host}"]` apply to `{host}` itself, not to its mirrors: {names} '
                f'take these settings only from a table of their own (`[registry."{first}"]`)',
                span,
            )


def templated(text: str) -> bool:
    """A placeholder from a template (`${VAR}`, `{{ .x }}`, `<host>`) rather than a value."""
    return "$" in text or "{{" in text or ("<" in text and ">" in text)


@register
class HttpAndInsecure(Rule):
    """Checks for `http = true` together with `insecure = true`.

    **Why**: the two keys do not add up to "plain HTTP". With both set, buildkitd first tries
    **HTTPS without certificate verification** and falls back to plain HTTP only when that
    attempt fails with a TLS record error (the server answered in HTTP) or a TLS handshake
    timeout — and, for a host **without** an explicit port, when port 443 refuses the
    connection or times out (`httpFallback`, `isPortError`). On `host:5000` a refused or
    timed-out HTTPS attempt is final. For a registry that only speaks HTTP, `http = true`
    alone is simpler and never tries HTTPS; `insecure = true` alone is for HTTPS with a
    certificate you cannot verify.

    See https://github.com/moby/buildkit/issues/4915 and
    https://github.com/moby/buildkit/pull/4299.

    **Bad**
    ```toml
    [registry."registry.local:5000"]
    http = true
    insecure = true
    ```

    **Good**
    ```toml
    [registry."registry.local:5000"]
    http = true
    ```
    """

    code = "BK206"
    name = "http-and-insecure"
    summary = "`http` and `insecure` together mean HTTPS first with an HTTP fallback"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for host in registries(decoded):
            http = decoded.entry("registry", host, "http")
            insecure = decoded.entry("registry", host, "insecure")
            if http is None or insecure is None or http.value is not True or insecure.value is not True:
                continue
            _, port = _split_port(host)
            if port:
                nuance = (
                    f"an HTTPS attempt on port {port} that is refused or times out is not retried over HTTP"
                )
            else:
                nuance = "or, as there is no port, when port 443 refuses the connection or times out; HTTP then uses port 80"
            yield self.finding(
                f"with both `http` and `insecure`, buildkitd tries HTTPS without verification first and falls "
                f"back to plain HTTP only on a TLS error ({nuance}); for a plain-HTTP registry set only "
                "`http = true`",
                doc.node_span(insecure.node),
                related=((doc.node_span(http.node), "http = true"),),
            )


def _intended_host(key: str) -> str | None:
    """What a registry key that never matches was most likely meant to be."""
    text = key.strip()
    m = _SCHEME.match(text)
    if m:
        text = text[m.end() :]
    text = text.split("/", 1)[0]
    if text in _HUB_ALIASES or text == "hub.docker.com":
        return "docker.io"
    if text and _DOMAIN.match(text) and text != key:
        target = text.lower() if text.lower() != text and _DOMAIN.match(text.lower()) else text
        # `https://myregistry` is no better as `myregistry`: suggest only names that can match.
        return target if _never_matches(target) is None else None
    return None


@functools.lru_cache(maxsize=4096)
def _never_matches(key: str) -> str | None:
    """Why no image reference can name this registry, or None."""
    if _SCHEME.match(key):
        return "an image reference never contains a scheme"
    if key in _HUB_ALIASES:
        return "Docker Hub images are looked up as `docker.io`"
    if "/" in key:
        return "the table name is only the registry's domain: no path or trailing slash"
    if "*" in key:
        return "registry names are matched exactly; there are no wildcards"
    if not key or not _DOMAIN.match(key):
        return "it is not a valid registry domain (`host[:port]`)"
    if "." not in key and ":" not in key and key != "localhost":
        return (
            f"a reference like `{key}/image` means Docker Hub's `docker.io/{key}/image`; a registry without a dot "
            "or a port (other than localhost) can never be named in an image reference"
        )
    return None


@register
class RegistryNeverMatches(Rule):
    """Checks for registry tables no image reference can ever select.

    **Why**: buildkitd looks a registry up by the exact domain of the image reference, in a
    plain map: `docker.io` for Docker Hub images, `host[:port]` otherwise. A table called
    `https://ghcr.io`, `ghcr.io/`, `harbor.local/project`, `*`, `index.docker.io` or
    `registry-1.docker.io` is never consulted, so its mirrors, CA or `http` setting silently
    do nothing. A name without a dot or port (`[registry."myregistry"]`) fails the same way:
    `myregistry/app` is Docker Hub's `docker.io/myregistry/app`.

    Such a table is still used when its name is exactly the host of some mirror, so that
    case is not reported.

    See https://github.com/moby/buildkit/issues/4371 and
    https://github.com/moby/buildkit/issues/4149.

    **Bad**: `[registry."https://registry-1.docker.io/"]` — **Good**: `[registry."docker.io"]`

    **Fix** (unsafe — the settings of the table start to apply): rename the table to the
    registry's domain, when no table of that name exists yet.
    """

    code = "BK207"
    name = "registry-never-matches"
    summary = "A registry table whose name no image reference can match"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[registry."https://ghcr.io/"]\nca = ["/etc/certs/ghcr.pem"]\n\n[[registry."https://ghcr.io/".keypair]]\nkey = "/k.pem"\ncert = "/c.pem"\n',
        '[registry."registry-1.docker.io"] # hub\r\nmirrors = ["mirror.gcr.io"]\r\n',
        '[registry]\n"harbor.local/project".http = true\n"harbor.local/project".insecure = true\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        hosts = registries(decoded)
        used = all_mirror_hosts(decoded)
        renames = _rename_targets(decoded, hosts)
        for key in hosts:
            if key in used:
                continue
            why = _never_matches(key)
            if why is None or templated(key):
                continue
            span = host_span(doc, decoded, key)
            target = _intended_host(key)
            fix = None
            edits = rename_host(doc, key, target) if target and renames.get(key) == target else ()
            if edits:
                fix = Fix(f'rename to `"{target}"`', edits, "unsafe")
            if target is None:
                target_hint = next((h for h in hosts if h.startswith(key + ".")), None)
                hint = f" (the table `{target_hint}` exists: did you mean it?)" if target_hint else ""
            else:
                hint = f"; did you mean `{target}`?"
            yield self.finding(
                f'`[registry."{key}"]` is never used: {why}{hint}',
                span,
                fix=fix,
            )


@register
class RegistryCaseDuplicate(Rule):
    """Checks for two registry tables whose names differ only in case.

    **Why**: registry names are Go map keys, matched exactly: `[registry."Docker.io"]` and
    `[registry."docker.io"]` are two unrelated tables, and image references (normally
    lowercase) only ever select one of them. The settings split between them do not
    combine.

    **Bad**
    ```toml
    [registry."docker.io"]
    mirrors = ["mirror.gcr.io"]
    [registry."Docker.io"]
    http = true
    ```
    """

    code = "BK208"
    name = "registry-case-duplicate"
    summary = "Two registry tables whose names differ only in case"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        groups: dict[str, list[str]] = {}
        for key in registries(decoded):
            groups.setdefault(key.lower(), []).append(key)
        for low, keys in groups.items():
            if len(keys) < 2:
                continue
            other = low if low in keys else keys[0]
            key = next(k for k in keys if k != other)
            yield self.finding(
                f'`[registry."{key}"]` and `[registry."{other}"]` are separate tables (names are case-sensitive); '
                "an image reference selects only one of them, so merge them under the lowercase name",
                host_span(doc, decoded, key),
                related=((host_span(doc, decoded, other), "the other spelling"),),
            )


@register
class RegistryNotLowercase(Rule):
    """Checks that registry names are lowercase.

    **Why**: the table is found by comparing its name with the registry domain of the image
    reference exactly. References are written in lowercase in practice (`Docker.io/alpine`
    would be needed to select `[registry."Docker.io"]`), so a table with capitals is
    effectively never used. Mirror hosts keep their case too, so a table that matches a
    mirror's spelling exactly is not reported.

    **Bad**: `[registry."GHCR.io"]` — **Good**: `[registry."ghcr.io"]`

    **Fix** (unsafe — the table's settings start to apply): lowercase the name, when no
    lowercase table exists.
    """

    code = "BK209"
    name = "registry-not-lowercase"
    summary = "A registry name with capitals; references select it only when spelt the same"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[registry."GHCR.io"]\nmirrors = ["ghcr-cache.local"]\n',
        '[registry."Quay.IO"] # quay\r\nhttp = false\r\n\r\n[[registry."Quay.IO".keypair]]\r\nkey = "/k.pem"\r\ncert = "/c.pem"\r\n',
        'registry."Harbor.Local:5000".http = true\nregistry."Harbor.Local:5000".insecure = false\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        hosts = registries(decoded)
        lowered = {h.lower() for h in hosts if h == h.lower()}
        used = all_mirror_hosts(decoded)
        renames = _rename_targets(decoded, hosts)
        for key in hosts:
            if key == key.lower() or key in used or _never_matches(key):
                continue
            span = host_span(doc, decoded, key)
            if key.lower() in lowered:
                continue  # BK208 reports the pair
            fix = None
            edits = rename_host(doc, key, key.lower()) if renames.get(key) == key.lower() else ()
            if edits:
                fix = Fix(f'rename to `"{key.lower()}"`', edits, "unsafe")
            yield self.finding(
                f'`[registry."{key}"]` is only used for references spelt `{key}/…` with these capitals; registry '
                f"names are matched exactly, write `{key.lower()}`",
                span,
                fix=fix,
            )


@register
class LoopbackRegistryHttp(Rule):
    """Explains that localhost and 127.0.0.0/8 registries use plain HTTP by default.

    **Why**: for `localhost`, any `127.x.x.x` and `::1` (with or without a port) buildkitd
    (containerd's `MatchLocalhost`) uses plain HTTP unless the table says `http = false`.
    With `insecure = true` it tries HTTPS first and falls back to HTTP. A `ca`, `keypair` or
    `tlsconfigdir` on such a table is therefore never used unless `http = false` or
    `insecure = true` is set — that case is a warning; otherwise this is information.
    `registry.localhost` is not loopback.

    **Good**
    ```toml
    [registry."localhost:5000"]
    http = false          # the registry serves TLS
    ca = ["/etc/certs/local-ca.pem"]
    ```
    """

    code = "BK210"
    name = "loopback-registry-http"
    summary = "localhost/127.0.0.1 registries use plain HTTP unless `http = false`"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for host in registries(decoded):
            if not is_loopback(host) or decoded.entry("registry", host, "http") is not None:
                continue
            insecure = decoded.value("registry", host, "insecure") is True
            tls = [k for k in ("ca", "tlsconfigdir") if decoded.value("registry", host, k)] + (
                ["keypair"] if _has_keypair(decoded, host) else []
            )
            span = host_span(doc, decoded, host)
            if tls and not insecure:
                yield self.finding(
                    f"`{host}` is a loopback host, so buildkitd uses plain HTTP and never uses its "
                    f"{', '.join(f'`{k}`' for k in tls)}; set `http = false` if the registry serves TLS",
                    span,
                    severity=Severity.WARNING,
                )
            elif insecure:
                yield self.finding(
                    f"`{host}` is a loopback host: with `insecure = true` buildkitd tries HTTPS without "
                    "verification first and falls back to plain HTTP",
                    span,
                )
            else:
                yield self.finding(
                    f"`{host}` is a loopback host, so buildkitd talks plain HTTP to it unless the table sets "
                    "`http = false`",
                    span,
                )


@register
class MirrorPathV2(Rule):
    """Checks for mirror paths ending in `/v2`.

    **Why**: buildkitd joins a mirror's path onto the registry API prefix `/v2` itself, so
    `mirror.local:5000/v2` is requested as `/v2/v2/…` and answers 404; every pull then falls
    back to the next host. Paths are only for registries that serve a mirror under a prefix
    (Harbor's `/proxy/docker.io`, say), without `/v2`.

    See https://github.com/moby/buildkit/pull/3427.

    **Bad**: `mirrors = ["mirror.local:5000/v2"]` — **Good**: `mirrors = ["mirror.local:5000"]`

    **Fix** (safe — the current path can never work): drop the `/v2`.
    """

    code = "BK211"
    name = "mirror-path-v2"
    summary = "A mirror path ending in /v2 (BuildKit adds /v2 itself)"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[registry."docker.io"]\nmirrors = ["mirror.local:5000/v2"]\n',
        '[registry."docker.io"]\r\nmirrors = ["https://harbor.local/proxy/v2/"] # harbor\r\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for host in registries(decoded):
            for m in mirrors(decoded, host):
                if m.problem or not (m.path == "/v2" or m.path.endswith("/v2")):
                    continue
                trimmed = re.sub(r"/v2/*$", "", m.raw.rstrip())
                # With a query or fragment after the path there is nothing safe to cut.
                fix = (
                    Fix("drop `/v2`", (_replace_value(doc, m.node, trimmed),), "safe")
                    if trimmed != m.raw
                    else None
                )
                yield self.finding(
                    f"mirror `{m.raw}` is requested as `{m.path}/v2/…`: BuildKit adds `/v2` itself, so drop it "
                    "from the mirror",
                    doc.value_span(m.node),
                    fix=fix,
                )


@register
class SimilarRegistryName(Rule):
    """Checks for two registry tables that name the same host with and without a port.

    **Why**: a reference selects exactly one table by its domain and port. When TLS material
    sits in one spelling and the images use the other, pulls fail with
    `x509: certificate signed by unknown authority` although "the CA is configured". Only
    reported when one of the two tables has settings the other lacks.

    See https://github.com/moby/buildkit/issues/4149.
    """

    code = "BK212"
    name = "similar-registry-name"
    summary = "Two registry tables for nearly the same name; images select only one"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        groups: dict[str, list[str]] = {}
        for host in registries(decoded):
            groups.setdefault(_split_port(host)[0], []).append(host)
        pairs = [
            (a, b)
            for hosts in groups.values()
            if len(hosts) > 1
            for i, a in enumerate(hosts)
            for b in hosts[i + 1 :]
            if _similar(a, b)
        ]
        for a, b in pairs:
            ka, kb = _settings(decoded, a), _settings(decoded, b)
            if ka == kb:
                continue
            yield self.finding(
                f'`[registry."{b}"]` and `[registry."{a}"]` are different registries to buildkitd; an image '
                "reference selects exactly one of them by domain and port",
                host_span(doc, decoded, b),
                related=((host_span(doc, decoded, a), "the similar name"),),
            )


def _similar(a: str, b: str) -> bool:
    if a.lower() == b.lower():
        return False
    ha, pa = _split_port(a)
    hb, pb = _split_port(b)
    return ha == hb and (pa is None) != (pb is None)


def _settings(decoded: Decoded, host: str) -> frozenset[str]:
    keys = {str(e.path[2]) for e in decoded.under("registry", host) if len(e.path) >= 3}
    if _has_keypair(decoded, host):
        keys.add("keypair")
    return frozenset(keys & {"ca", "keypair", "tlsconfigdir", "http", "insecure"})
