"""Which keys, Go types and TOML library each BuildKit release has (v0.10.0 … v0.32.2).

Version-aware checks (``--target-version``, ``bklint migrate``, the ``bklint schema``
version option) need to know what an older buildkitd accepts. The data is a compact copy of
``keys-by-version.json`` in ``versions.json``; it is read on first use only, so importing
this module costs ``bklint check`` nothing when no version is asked for.

Paths use the syntax of ``keys-by-version.json``: ``a.b.c``, ``*`` for a free-form map key
(``registry.*.mirrors``), ``[]`` for an array of tables (``worker.oci.gcpolicy[].keepDuration``)
and quotes around a segment that holds a dot (``frontend."dockerfile.v0".enabled``).

A bare minor (``"v0.12"``) means the latest patch release of that minor, because that is
what anyone installing "0.12" gets; a release newer than the data is treated like the latest
known one (no key has ever been removed), and one older than v0.10.0 is refused.
"""

from __future__ import annotations

import functools

from bklint.rules.record import FrozenRecord
from bklint.rules.regex import Regex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "FIRST",
    "LATEST",
    "Deprecation",
    "Version",
    "deprecated_at",
    "deprecation",
    "deprecations",
    "doc_only_keys",
    "key_matching",
    "key_since",
    "keys_at",
    "known_versions",
    "parse_version",
    "supported",
    "table_since",
    "tables_at",
    "toml_library",
    "type_at",
    "untagged_go_name",
    "uses_go_toml_v1",
]


class Version(tuple[int, int, int]):
    """A BuildKit release ``vMAJOR.MINOR.PATCH``; ordered like releases."""

    __slots__ = ()

    def __new__(cls, major: int, minor: int, patch: int) -> Version:
        return tuple.__new__(cls, (major, minor, patch))

    @property
    def major(self) -> int:
        return self[0]

    @property
    def minor(self) -> int:
        return self[1]

    @property
    def patch(self) -> int:
        return self[2]

    def __repr__(self) -> str:
        return f"Version(major={self[0]!r}, minor={self[1]!r}, patch={self[2]!r})"

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"

    @property
    def minor_name(self) -> str:
        """``"v0.12"`` for v0.12.5: how release notes and ``releases`` name the line."""
        return f"v{self.major}.{self.minor}"


FIRST = Version(0, 10, 0)
# Kept as a literal so that reading it loads nothing; a test checks it against the data.
LATEST = Version(0, 32, 2)
# go-toml v2 (case-insensitive keys, strict integers for Duration) from this release on.
GO_TOML_V2_SINCE = Version(0, 28, 0)

_VERSION_RE = Regex(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?")

VersionLike = str | Version


class Deprecation(FrozenRecord):
    """A key buildkitd still reads but wants replaced."""

    __slots__ = ("path", "replacement", "runtime_warning", "since")

    path: str
    # Raw text from the data, e.g. "v0.17.0" or "v0.27.0 (deprecated in sigstore-go)".
    since: str
    replacement: str
    # True when buildkitd itself logs a warning at start (debug, trace).
    runtime_warning: bool

    def __init__(self, path: str, since: str, replacement: str, runtime_warning: bool) -> None:
        self.path = path
        self.since = since
        self.replacement = replacement
        self.runtime_warning = runtime_warning

    @property
    def since_version(self) -> Version:
        return parse_version(self.since.split()[0])


class _History(FrozenRecord):
    __slots__ = ("since", "types")

    since: Version
    # (first release, Go type) in release order; the first entry starts at ``since``.
    types: tuple[tuple[Version, str], ...]

    def __init__(self, since: Version, types: tuple[tuple[Version, str], ...]) -> None:
        self.since = since
        self.types = types


    def type_at(self, version: Version) -> str | None:
        found: str | None = None
        for start, go_type in self.types:
            if start <= version:
                found = go_type
        return found


class _Data(FrozenRecord):
    __slots__ = ("deprecations", "key_matching", "keys", "latest", "not_keys", "releases", "tables", "toml_library", "untagged")

    latest: Version
    releases: dict[str, Version]
    toml_library: tuple[tuple[Version, str], ...]
    key_matching: dict[str, str]
    keys: dict[str, _History]
    tables: dict[str, _History]
    untagged: dict[str, str]
    deprecations: dict[str, Deprecation]
    not_keys: dict[str, str]

    def __init__(self, latest: Version, releases: dict[str, Version], toml_library: tuple[tuple[Version, str], ...], key_matching: dict[str, str], keys: dict[str, _History], tables: dict[str, _History], untagged: dict[str, str], deprecations: dict[str, Deprecation], not_keys: dict[str, str]) -> None:
        self.latest = latest
        self.releases = releases
        self.toml_library = toml_library
        self.key_matching = key_matching
        self.keys = keys
        self.tables = tables
        self.untagged = untagged
        self.deprecations = deprecations
        self.not_keys = not_keys


def _exact(text: str) -> Version:
    match = _VERSION_RE.fullmatch(text.strip())
    if match is None or match.group(3) is None:
        raise ValueError(f"not a full release tag: {text!r}")
    return Version(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _histories(raw: dict[str, Any]) -> dict[str, _History]:
    out: dict[str, _History] = {}
    for path, (since, types) in raw.items():
        steps: tuple[tuple[Version, str], ...]
        if isinstance(types, str):
            steps = ((_exact(since), types),)
        else:
            steps = tuple((_exact(tag), str(go_type)) for tag, go_type in types.items())
        out[path] = _History(_exact(since), steps)
    return out


@functools.cache
def _data() -> _Data:
    import json  # only when a version question is actually asked
    from pathlib import Path

    text = Path(__file__).with_name("versions.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return _Data(
        latest=_exact(raw["latest"]),
        releases={minor: _exact(tag) for minor, tag in raw["releases"].items()},
        toml_library=tuple((_exact(tag), lib) for tag, lib in raw["toml_library"].items()),
        key_matching=dict(raw["key_matching"]),
        keys=_histories(raw["keys"]),
        tables=_histories(raw["tables"]),
        untagged=dict(raw["untagged"]),
        deprecations={
            path: Deprecation(path, d["since"], d["replacement"], bool(d["runtime_warning"]))
            for path, d in raw["deprecations"].items()
        },
        not_keys=dict(raw["not_keys_but_seen_in_docs"]),
    )


def parse_version(text: VersionLike) -> Version:
    """``"v0.12"``, ``"0.12.3"``, ``"v0.13.0-rc1"``, ``"latest"`` or ``"HEAD"`` -> Version.

    A bare minor resolves to the latest known patch of that minor (``"v0.10"`` -> v0.10.6,
    which has ``selinux``); an unknown minor to its ``.0``. Pre-release suffixes are dropped.
    """
    if isinstance(text, Version):
        return text
    stripped = text.strip()
    if stripped.lower() in {"head", "latest"}:
        return LATEST
    match = _VERSION_RE.fullmatch(stripped)
    if match is None:
        raise ValueError(f"not a BuildKit version: {text!r} (expected e.g. v0.12 or v0.12.5)")
    major, minor = int(match.group(1)), int(match.group(2))
    if match.group(3) is not None:
        return Version(major, minor, int(match.group(3)))
    return _data().releases.get(f"v{major}.{minor}", Version(major, minor, 0))


def supported(text: VersionLike) -> Version:
    """``text`` as a release bklint can judge a file for; ValueError says why not (a usage error)."""
    return _resolve(text)


def _resolve(version: VersionLike) -> Version:
    """The release whose data answers for ``version``: clamps newer ones to the latest."""
    v = parse_version(version)
    if v < FIRST:
        raise ValueError(f"bklint knows BuildKit {FIRST} and later, not {v}")
    return min(v, _data().latest)


def known_versions() -> tuple[Version, ...]:
    """The latest patch of every minor release in the data, oldest first."""
    return tuple(sorted(_data().releases.values()))


@functools.cache
def _keys_at(version: Version) -> dict[str, str]:
    out: dict[str, str] = {}
    for path, hist in _data().keys.items():
        go_type = hist.type_at(version)
        if go_type is not None:
            out[path] = go_type
    return out


def keys_at(version: VersionLike) -> dict[str, str]:
    """Every leaf key path buildkitd ``version`` decodes, with its Go type there."""
    return dict(_keys_at(_resolve(version)))


@functools.cache
def _tables_at(version: Version) -> dict[str, str]:
    out: dict[str, str] = {}
    for path, hist in _data().tables.items():
        go_type = hist.type_at(version)
        if go_type is not None:
            out[path] = go_type
    return out


def tables_at(version: VersionLike) -> dict[str, str]:
    """Every table path (``worker.oci``, ``registry.*``, ``worker.oci.gcpolicy[]``) with its Go type."""
    return dict(_tables_at(_resolve(version)))


def key_since(path: str) -> Version | None:
    """First release that decodes leaf ``path``; None for a path no release knows."""
    hist = _data().keys.get(path)
    return hist.since if hist is not None else None


def table_since(path: str) -> Version | None:
    """First release that has table ``path``; None for a path no release knows."""
    hist = _data().tables.get(path)
    return hist.since if hist is not None else None


def type_at(path: str, version: VersionLike) -> str | None:
    """Go type of leaf ``path`` in ``version``; None when that release does not know it."""
    hist = _data().keys.get(path)
    return hist.type_at(_resolve(version)) if hist is not None else None


def toml_library(version: VersionLike) -> str:
    """The go-toml release ``version`` decodes with, e.g. ``"go-toml v1.9.5"``."""
    v = _resolve(version)
    found = ""
    for start, lib in _data().toml_library:
        if start <= v:
            found = lib
    return found


def uses_go_toml_v1(version: VersionLike) -> bool:
    """True before v0.28.0: keys match only exact/lower/UPPER/lowerFirst, hex ints pass as text."""
    return _resolve(version) < GO_TOML_V2_SINCE


def key_matching(version: VersionLike) -> str:
    """How ``version`` matches key names against struct tags, in words."""
    return _data().key_matching["go-toml v1" if uses_go_toml_v1(version) else "go-toml v2"]


def untagged_go_name(path: str) -> str | None:
    """Go field name of a key that has no toml tag (the sigstore policy fields)."""
    return _data().untagged.get(path)


def deprecation(path: str) -> Deprecation | None:
    """The deprecation of leaf ``path`` (as of the latest release), if any."""
    return _data().deprecations.get(path)


def deprecated_at(path: str, version: VersionLike) -> Deprecation | None:
    """The deprecation of ``path`` if it is already deprecated in ``version``."""
    dep = deprecation(path)
    if dep is None or dep.since_version > _resolve(version):
        return None
    return dep


def deprecations() -> dict[str, Deprecation]:
    """Every deprecated key path with its replacement."""
    return dict(_data().deprecations)


def doc_only_keys() -> dict[str, str]:
    """Keys that appear in upstream docs but that no loader reads (``ghacache.sign.cmd``)."""
    return dict(_data().not_keys)
