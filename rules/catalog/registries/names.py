"""BK207–BK209, BK212: registry names image references can or cannot select."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from bklint.rules import restructure
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.registries.tables import (
    HUB_ALIASES,
    SCHEME,
    has_keypair,
    host_span,
    mirrors,
    registries,
    split_port,
)
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.regex import Regex
from bklint.rules.schema.decode import Decoded
from bklint.rules.templates import templated

_DOMAIN_LABEL = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"


_DOMAIN = Regex(rf"^(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$")


def all_mirror_hosts(decoded: Decoded) -> set[str]:
    found: set[str] | None = decoded.memo.get("registries.mirror-hosts")
    if found is None:
        found = decoded.memo["registries.mirror-hosts"] = {
            m.host for host in registries(decoded) for m in mirrors(decoded, host) if not m.problem
        }
    return found


def rename_host(doc: Document, host: str, new: str) -> tuple[Edit, ...]:
    """Edits renaming registry ``host`` to ``new`` in every header and dotted key that spells it.

    Renaming only the first spelling would split the registry into two tables (say the
    main table and its ``[[registry."x".keypair]]``), so every declaration under the
    registry is rewritten together.
    """
    rename = restructure.rename_key(doc, ("registry", host), new)
    return () if rename is None else rename.edits


def _rename_targets(decoded: Decoded, hosts: list[str]) -> dict[str, str]:
    """The renames BK207 and BK209 offer, at most one per target name.

    Two tables renamed to the same name in one pass would define that table twice (invalid
    TOML), so only the first table claiming a name gets the fix; the next run sees the
    name taken and offers none.
    """
    memo_key = ("registries.renames", tuple(hosts))
    found: dict[str, str] | None = decoded.memo.get(memo_key)
    if found is not None:
        return found
    used = all_mirror_hosts(decoded)
    taken = set(hosts)
    out: dict[str, str] = {}
    decoded.memo[memo_key] = out
    for key in hosts:
        if key in used or templated(key):
            continue
        target = _intended_host(key) if _never_matches(key) else (key.lower() if key != key.lower() else None)
        if target is None or target in taken:
            continue
        taken.add(target)
        out[key] = target
    return out


def _intended_host(key: str) -> str | None:
    """What a registry key that never matches was most likely meant to be."""
    text = key.strip()
    m = SCHEME.match(text)
    if m:
        text = text[m.end() :]
    text = text.split("/", 1)[0]
    if text in HUB_ALIASES or text == "hub.docker.com":
        return "docker.io"
    if text and _DOMAIN.match(text) and text != key:
        target = text.lower() if text.lower() != text and _DOMAIN.match(text.lower()) else text
        # `https://myregistry` is no better as `myregistry`: suggest only names that can match.
        return target if _never_matches(target) is None else None
    return None


@functools.lru_cache(maxsize=4096)
def _never_matches(key: str) -> str | None:
    """Why no image reference can name this registry, or None."""
    if SCHEME.match(key):
        return "an image reference never contains a scheme"
    if key in HUB_ALIASES:
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
class RegistryNeverMatches(ParsedRule):
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
    triggers = ("registry",)
    summary = "A registry table whose name no image reference can match"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        '[registry."https://ghcr.io/"]\nca = ["/etc/certs/ghcr.pem"]\n\n[[registry."https://ghcr.io/".keypair]]\nkey = "/k.pem"\ncert = "/c.pem"\n',
        '[registry."registry-1.docker.io"] # hub\r\nmirrors = ["mirror.gcr.io"]\r\n',
        '[registry]\n"harbor.local/project".http = true\n"harbor.local/project".insecure = true\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
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
class RegistryCaseDuplicate(ParsedRule):
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
    triggers = ("registry",)
    summary = "Two registry tables whose names differ only in case"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
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
class RegistryNotLowercase(ParsedRule):
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
    triggers = ("registry",)
    summary = "A registry name with capitals; references select it only when spelt the same"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        '[registry."GHCR.io"]\nmirrors = ["ghcr-cache.local"]\n',
        '[registry."Quay.IO"] # quay\r\nhttp = false\r\n\r\n[[registry."Quay.IO".keypair]]\r\nkey = "/k.pem"\r\ncert = "/c.pem"\r\n',
        'registry."Harbor.Local:5000".http = true\nregistry."Harbor.Local:5000".insecure = false\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
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
class SimilarRegistryName(ParsedRule):
    """Checks for two registry tables that name the same host with and without a port.

    **Why**: a reference selects exactly one table by its domain and port. When TLS material
    sits in one spelling and the images use the other, pulls fail with
    `x509: certificate signed by unknown authority` although "the CA is configured". Only
    reported when one of the two tables has settings the other lacks.

    See https://github.com/moby/buildkit/issues/4149.
    """

    code = "BK212"
    name = "similar-registry-name"
    triggers = ("registry",)
    summary = "Two registry tables for nearly the same name; images select only one"
    severity = Severity.INFO

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        groups: dict[str, list[str]] = {}
        for host in registries(decoded):
            groups.setdefault(split_port(host)[0], []).append(host)
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
    ha, pa = split_port(a)
    hb, pb = split_port(b)
    return ha == hb and (pa is None) != (pb is None)


def _settings(decoded: Decoded, host: str) -> frozenset[str]:
    keys = {str(e.path[2]) for e in decoded.under("registry", host) if len(e.path) >= 3}
    if has_keypair(decoded, host):
        keys.add("keypair")
    return frozenset(keys & {"ca", "keypair", "tlsconfigdir", "http", "insecure"})
