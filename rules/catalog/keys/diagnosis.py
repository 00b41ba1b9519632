"""Why a key is unknown: a misspelling, a key of another table, or an unquoted dotted name."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from bklint.rules import toml_text
from bklint.rules.document import Document, TomlNode, format_path
from bklint.rules.record import FrozenRecord
from bklint.rules.schema.decode import Decoded, Issue
from bklint.rules.schema.nodes import ArrayOf, Leaf, MapOf, Node, Struct
from bklint.rules.schema.tree import CONFIG

IGNORED = "buildkitd ignores it without a warning"


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
    "tls": "TLS for the daemon's own listener is `[grpc.tls]`; registry TLS is `ca`/`keypair` under "
    '`[registry."<host>"]`',
    "insecure-skip-verify": 'use `insecure = true` in `[registry."<host>"]`',
    "dns": "DNS servers for build containers go in the top-level table: `[dns] nameservers = [...]`",
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
def _index() -> dict[str, list[tuple[str, Leaf | ArrayOf]]]:
    """Normalised leaf name -> display path and schema node of every key with that name."""
    out: dict[str, list[tuple[str, Leaf | ArrayOf]]] = {}

    def walk(node: Node, path: str) -> None:
        if isinstance(node, Struct):
            for name, child in node.fields.items():
                seg = toml_text.basic_string(name) if "." in name else name
                walk(child, f"{path}.{seg}" if path else seg)
        elif isinstance(node, MapOf):
            walk(node.item, f'{path}."<host>"')
        elif isinstance(node, ArrayOf):
            out.setdefault(_norm(node.name), []).append((f"[[{path}]]", node))
            walk(node.item, f"{path}[]")
        elif isinstance(node, Leaf):
            out.setdefault(_norm(node.name), []).append((path, node))

    walk(CONFIG, "")
    return out


def _fits(written: TomlNode, target: Leaf | ArrayOf) -> bool:
    """Whether the value as written could go to ``target`` without a type error."""
    if isinstance(target, ArrayOf):
        return written.kind in ("aot", "array")
    if target.go_type.startswith("map["):
        return written.kind in ("table", "value")
    if target.go_type == "[]string":
        return written.kind == "array"
    return written.kind == "value"


class Diagnosis(FrozenRecord):
    """What an ignored key most likely was meant to be."""

    __slots__ = ("message", "rename", "safe")

    message: str
    rename: str | None  # replacement for the last key segment
    safe: bool

    def __init__(self, message: str, rename: str | None = None, safe: bool = False) -> None:
        self.message = message
        self.rename = rename
        self.safe = safe

# Fuzzy did-you-mean costs ~0.2 ms a name; a hostile file with tens of thousands of unknown
# keys must not pay it for each. Past this many in one file, only exact respellings are named.
FUZZY_LIMIT = 1000


def diagnose(issue: Issue, fuzzy: bool = True) -> Diagnosis:
    key = str(issue.path[-1]) if issue.path else ""
    low = key.lower()
    parent = issue.parent
    label = f"`{format_path(issue.path)}`"
    what = "table" if issue.node.kind in ("table", "aot") else "key"
    base = f"unknown {what} {label}; {IGNORED}"
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
    close = _closest(key, tuple(fields)) if fuzzy else None
    if close is not None:
        return Diagnosis(f"{base}: did you mean `{close}`?", close, False)
    return Diagnosis(base)


@functools.lru_cache(maxsize=256)
def _normalised(fields: tuple[str, ...]) -> dict[str, str]:
    return {_norm(f): f for f in fields}


@functools.lru_cache(maxsize=1024)
def _closest(key: str, fields: tuple[str, ...]) -> str | None:
    """A close spelling among ``fields`` (memoised: the editor asks again on every keystroke)."""
    norm = _norm(key)
    # `cdiEnabled` is not `enabled`: a word put before a known name says it is about something else.
    candidates = [f for f in fields if not (norm.endswith(_norm(f)) and len(norm) > len(_norm(f)))]
    import difflib  # only once an unknown key needs a suggestion

    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.8) or difflib.get_close_matches(
        key.lower(), [f.lower() for f in candidates], n=1, cutoff=0.8
    )
    if close:
        return next(f for f in candidates if f.lower() == close[0].lower())
    # `selinuxEnabled` for `selinux`: a known name with a word added to it.
    prefixed = [f for f in fields if len(_norm(f)) >= 5 and norm.startswith(_norm(f))]
    return max(prefixed, key=len) if prefixed else None


def elsewhere(issue: Issue) -> list[str]:
    """Other tables where a key of this name is valid (for keys in the wrong table).

    Names valid in many places (`enabled`) say nothing about where the key was meant to go.
    """
    if not issue.path or issue.parent is None:
        return []
    key = str(issue.path[-1])
    targets = _index().get(_norm(key), [])
    if not targets and key.lower() in _RENAMES:
        targets = _index().get(_norm(_RENAMES[key.lower()]), [])
    here = format_path(tuple(p for p in issue.path[:-1] if not isinstance(p, int)))
    # Only places that take what was written: moving a table onto a boolean is a type error.
    paths = [
        p for p, node in targets if p.strip("[]").replace("[]", "").rsplit(".", 1)[0] != here and _fits(issue.node, node)
    ]
    return paths if len(paths) <= 2 else []


def unknown_issues(decoded: Decoded) -> Iterable[Issue]:
    return (i for i in decoded.issues if i.kind == "unknown")


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
