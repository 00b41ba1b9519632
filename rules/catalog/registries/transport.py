"""BK205, BK206, BK210: http, insecure and TLS settings, and to which host they apply."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from bklint.rules.addresses import is_loopback_name
from bklint.rules.base import Finding, ParsedRule, Severity, register
from bklint.rules.catalog.registries.tables import (
    Mirror,
    has_keypair,
    host_span,
    is_self,
    mirrors,
    registries,
    split_port,
)
from bklint.rules.context import Context
from bklint.rules.document import Document, TomlNode
from bklint.rules.schema.decode import Decoded, Entry
from bklint.rules.templates import templated

_TLS_KEYS = ("http", "insecure", "ca", "keypair", "tlsconfigdir")


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
    return is_loopback_name(name)


def _entry_true(decoded: Decoded, host: str, key: str) -> Entry | None:
    entry = decoded.entry("registry", host, key)
    if entry is None or not entry.value:
        return None
    return entry


@register
class SettingsNotForMirrors(ParsedRule):
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
    With `insecure = true` next to `http = true` Docker Hub is *not* switched to plain HTTP:
    `fillInsecureOpts` (util/resolver/resolver.go) then tries HTTPS without verification
    first and falls back to HTTP, so only the general warning about the mirrors remains.

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
    triggers = ("registry",)
    summary = "`http`/`insecure`/`ca` on a registry apply to it, not to its mirrors"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        tables = set(registries(decoded))
        for host in registries(decoded):
            memo = decoded.table_memo("registry", host)
            facts: _Facts | None = memo.get("transport.settings-not-for-mirrors")
            if facts is None:
                facts = memo["transport.settings-not-for-mirrors"] = _facts(decoded, host)
            candidates, hub_http, written = facts
            if not written:
                continue
            bare: dict[str, Mirror] = {}
            for m in candidates:
                if m.host not in tables:
                    bare.setdefault(m.host, m)
            if not bare and not hub_http:
                continue
            keys = [(key, doc.node_span(node)) for key, node in written]
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


# A registry's mirrors that may lack a table, whether `http = true` switches Docker Hub
# itself to HTTP, and its transport keys (with their nodes): BK205's facts about one table.
_Facts = tuple[list[Mirror], bool, list[tuple[str, TomlNode]]]


def _facts(decoded: Decoded, host: str) -> _Facts:
    candidates = [m for m in mirrors(decoded, host) if not m.problem and not is_self(host, m) and not templated(m.raw)]
    # With `insecure = true` too, fillInsecureOpts (util/resolver/resolver.go) keeps HTTPS
    # (unverified) and only falls back to HTTP, so Docker Hub still works: not this case.
    hub_http = (
        host == "docker.io"
        and decoded.value("registry", host, "http") is True
        and decoded.value("registry", host, "insecure") is not True
    )
    written: list[tuple[str, TomlNode]] = []
    for key in _TLS_KEYS:
        if key == "keypair":
            nodes = decoded.tables.get(("registry", host, "keypair"), [])
            if has_keypair(decoded, host) and nodes:
                written.append((key, nodes[0]))
            continue
        entry = _entry_true(decoded, host, key)
        if entry is not None:
            written.append((key, entry.node))
    return candidates, hub_http, written


@register
class HttpAndInsecure(ParsedRule):
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
    triggers = ("registry",)
    summary = "`http` and `insecure` together mean HTTPS first with an HTTP fallback"
    severity = Severity.INFO
    scope = "table"  # one registry's table alone

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for host in registries(decoded):
            http = decoded.entry("registry", host, "http")
            insecure = decoded.entry("registry", host, "insecure")
            if http is None or insecure is None or http.value is not True or insecure.value is not True:
                continue
            _, port = split_port(host)
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


@register
class LoopbackRegistryHttp(ParsedRule):
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
    triggers = ("registry",)
    summary = "localhost/127.0.0.1 registries use plain HTTP unless `http = false`"
    severity = Severity.INFO
    scope = "table"  # one registry's table alone

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for host in registries(decoded):
            if not is_loopback(host) or decoded.entry("registry", host, "http") is not None:
                continue
            insecure = decoded.value("registry", host, "insecure") is True
            tls = [k for k in ("ca", "tlsconfigdir") if decoded.value("registry", host, k)] + (
                ["keypair"] if has_keypair(decoded, host) else []
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
