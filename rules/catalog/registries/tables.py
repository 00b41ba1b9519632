"""The registry tables and their mirrors, as BuildKit's resolver reads them, and edits of their names."""

from __future__ import annotations

from collections.abc import Iterator

from bklint.rules.base import Span
from bklint.rules.document import Document, TomlNode
from bklint.rules.record import FrozenRecord
from bklint.rules.regex import Regex
from bklint.rules.schema.decode import Decoded

SCHEME = Regex(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


# Characters Go's url.Parse accepts in a host name (RFC 3986 reg-name plus ':' for the port).
_HOST_OK = Regex(r"^[A-Za-z0-9._~!$&'()*+,;=%-]+$")


HUB_ALIASES = ("index.docker.io", "registry-1.docker.io")


class Mirror(FrozenRecord):
    """One element of a ``mirrors`` list and what the resolver makes of it."""

    __slots__ = ("host", "index", "node", "path", "problem", "raw", "registry", "scheme")

    registry: str
    index: int
    raw: str
    node: TomlNode
    scheme: str
    host: str  # as the resolver uses it (the raw string when parsing fails)
    path: str  # without trailing slashes, "" for none
    problem: str  # why the resolver cannot use it, "" when it can

    def __init__(
        self,
        registry: str,
        index: int,
        raw: str,
        node: TomlNode,
        scheme: str,
        host: str,
        path: str,
        problem: str,
    ) -> None:
        self.registry = registry
        self.index = index
        self.raw = raw
        self.node = node
        self.scheme = scheme
        self.host = host
        self.path = path
        self.problem = problem


def parse_mirror(raw: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, problem) the way ``extractMirrorHostAndPath`` reads a mirror."""
    text = raw
    scheme = ""
    m = SCHEME.match(text)
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
    hostname, port = split_port(host)
    if port is not None:
        if not port.isdigit() and port != "":
            return scheme, raw, "", f"`{port}` is not a port number"
        if port and not 0 < int(port) <= 65535:
            return scheme, host, path, f"port {port} is out of range (1-65535)"
    if not hostname.startswith("[") and not _HOST_OK.match(hostname):
        return scheme, raw, "", "the host name contains characters a host name cannot have"
    return scheme, host, path, ""


def split_port(host: str) -> tuple[str, str | None]:
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


def registries(decoded: Decoded) -> list[str]:
    return decoded.map_keys("registry")


def mirrors(decoded: Decoded, host: str) -> list[Mirror]:
    memo = decoded.table_memo("registry", host)
    cached: list[Mirror] | None = memo.get("registries.mirrors")
    if cached is None:
        cached = memo["registries.mirrors"] = _parse_mirrors(decoded, host)
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


def host_span(doc: Document, decoded: Decoded, host: str) -> Span:
    """The registry name in its table header (or dotted key)."""
    for node in decoded.tables.get(("registry", host), []):
        for found in _segment_nodes(node):
            for name, start, end in found.segments:
                if name == host:
                    return doc.span(start, end)
        return doc.node_span(node)
    return doc.span(0, 0)


def _segment_nodes(node: TomlNode) -> Iterator[TomlNode]:
    stack = [node]
    while stack:
        cur = stack.pop(0)
        if cur.segments:
            yield cur
        stack.extend((cur.children or {}).values())
        stack.extend(cur.items or [])


def has_keypair(decoded: Decoded, host: str) -> bool:
    return decoded.count("registry", host, "keypair") > 0


def is_self(registry: str, m: Mirror) -> bool:
    if m.path:
        return False
    if m.host == registry:
        return True
    return registry == "docker.io" and m.host in HUB_ALIASES
