"""The whole configuration buildkitd runs with: the file, the daemon flags over it
(``daemon_flags.overlay.effective``), every other key's default from the key tree (``Leaf.default``)
and, for a worker whose file sets no ``[[gcpolicy]]``, the policies BuildKit computes.

Read from moby/buildkit ``cmd/buildkitd/main.go`` (``getGCPolicy``: ``gc = false`` gives
no policy, a file without policies gets ``config.DefaultGCPolicy``, ``keepBytes`` is copied
to ``reservedSpace`` when that is unset) and ``cmd/buildkitd/config/gcpolicy.go`` /
``gcpolicy_unix.go`` per release: v0.17+ ``DefaultGCPolicy(cfg, dstat)`` takes the worker's
sizes (``gckeepstorage`` as reservedSpace when none is set), else ``DetectDefaultGCCap``
(reserved 10% capped at 10GB, free 20%, used 80% capped at 100GB); before v0.17 one
``keepBytes`` (``gckeepstorage`` or 10% of the disk). ``DiskSpace.AsBytes``: a percentage
of the disk is rounded up to whole GB (``(total*pct/100 / 2^30 + 1) * 1e9``), 2e9 when the
disk size is unknown. The first policy's filters are three strings from v0.31 and one
comma-joined string (an AND that matches nothing) before.
"""

from __future__ import annotations

from bklint.rules.daemon_flags.overlay import effective
from bklint.rules.record import FrozenRecord
from bklint.rules.schema.nodes import Leaf, Struct
from bklint.rules.schema.tree import CONFIG, WORKERS
from bklint.rules.schema.tree import resolve as resolve_node
from bklint.rules.schema.values import DiskSpace, go_duration
from bklint.rules.schema.versions import LATEST, Version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from bklint.rules.context import Context

Path = tuple[str | int, ...]
GB = 1_000_000_000
HOUR = 3_600_000_000_000
# gcpolicy_unix.go: DiskSpaceReservePercentage, …ReserveBytes, …FreePercentage, …MaxPercentage, …MaxBytes.
RESERVE_PCT, RESERVE_CAP, FREE_PCT, MAX_PCT, MAX_CAP = 10, 10 * GB, 20, 80, 100 * GB
DEFAULT_CAP = 2 * GB  # AsBytes when the disk size is unknown
SPLIT_FILTERS_SINCE = Version(0, 31, 0)
SIZES_SINCE = Version(0, 17, 0)
FILTERS = ("type==source.local", "type==exec.cachemount", "type==source.git.checkout")
SIZE_KEYS = ("reservedSpace", "minFreeSpace", "maxUsedSpace")


class Value(FrozenRecord):
    """One key of the running config and where its value came from."""

    __slots__ = ("leaf", "origin", "path", "value")

    path: Path
    value: Any
    origin: str  # "file", "flag --x=y", "default", "default GC policy …"
    leaf: Leaf | None

    def __init__(self, path: Path, value: Any, origin: str, leaf: Leaf | None = None) -> None:
        self.path = path
        self.value = value
        self.origin = origin
        self.leaf = leaf

    @property
    def data(self) -> Any:
        """The value as TOML/JSON data (``plain``), for `bklint effective` and hover alike."""
        return plain(self.value, self.leaf.go_type if self.leaf else "")


def plain(value: Any, leaf_type: str = "") -> Any:
    """A value as TOML/JSON data: sizes as bytes (or "N%"), durations as Go spells them."""
    if isinstance(value, DiskSpace):
        return f"{value.percentage}%" if value.percentage else value.bytes
    if leaf_type.endswith("Duration") and isinstance(value, int) and not isinstance(value, bool):
        return go_duration(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def as_bytes(space: DiskSpace, disk: int | None) -> int:
    """``DiskSpace.AsBytes``: a percentage of the disk, rounded up to whole GB."""
    if space.bytes:
        return space.bytes
    if not space.percentage:
        return 0
    if not disk:
        return DEFAULT_CAP
    return (disk * space.percentage // 100 // (1 << 30) + 1) * GB


def resolve(ctx: Context, disk: int | None = None, version: Version | None = None) -> list[Value]:
    """Every key buildkitd runs with, file and flags first, then defaults and GC policies."""
    version = version or ctx.target_version() or LATEST
    eff = effective(ctx)
    out: dict[Path, Value] = {}
    for path, s in eff.settings.items():
        origin = f"flag {s.flag.shown}" if s.flag is not None else "file"
        leaf = s.entry.schema if s.entry is not None else resolve_node(path)[0]
        out[path] = Value(path, s.value, origin, leaf if isinstance(leaf, Leaf) else None)
    for path, leaf in _leaves(CONFIG, ()):
        if path in out or leaf.deprecated or leaf.go_type == "DiskSpace":
            continue
        if leaf.since is not None and _version(leaf.since) > version:
            continue
        value = leaf.default_value
        if value is not None and _fits(leaf.go_type, value):
            out[path] = Value(path, value, "default", leaf)
    for worker in WORKERS:
        for v in _gc(out, ("worker", worker), disk, version):
            out.setdefault(v.path, v)
    return list(out.values())


def _fits(go_type: str, value: Any) -> bool:
    """Whether a default literal is a value of the key's type (``"auto"`` for a *bool is not)."""
    if go_type.endswith("bool"):
        return isinstance(value, bool)
    if go_type.endswith("int") or go_type.endswith("int64"):
        return isinstance(value, int) and not isinstance(value, bool)
    if go_type.startswith("[]"):
        return isinstance(value, list)
    if go_type.startswith("map"):
        return isinstance(value, dict)
    return isinstance(value, str)


def _version(text: str) -> Version:
    major, minor, patch = (int(p) for p in text.lstrip("v").split("."))
    return Version(major, minor, patch)


def _leaves(node: Struct, prefix: Path) -> list[tuple[Path, Leaf]]:
    out: list[tuple[Path, Leaf]] = []
    for name, child in node.fields.items():
        if isinstance(child, Leaf):
            out.append(((*prefix, name), child))
        elif isinstance(child, Struct):
            out.extend(_leaves(child, (*prefix, name)))
    return out


def _gc(out: dict[Path, Value], w: Path, disk: int | None, version: Version) -> list[Value]:
    """The worker's default GC policies, when GC is on and the file has none of its own."""
    gc = out.get((*w, "gc"))
    if gc is not None and gc.value is False:
        return []
    if any(p[: len(w) + 1] == (*w, "gcpolicy") for p in out):
        return []
    node = resolve_node((*w, "gcpolicy", 0))[0]
    item = node if isinstance(node, Struct) else None

    def size(key: str) -> DiskSpace:
        v = out.get((*w, key))
        return v.value if v is not None and isinstance(v.value, DiskSpace) else DiskSpace()

    keep = size("gckeepstorage")
    values: list[Value] = []
    why = "default GC policy"
    if version >= SIZES_SINCE:
        cfg = {k: size(k) for k in SIZE_KEYS}
        if not any(s.is_set for s in cfg.values()):
            cfg["reservedSpace"] = keep
        if not any(s.is_set for s in cfg.values()):
            reserve = DiskSpace(percentage=RESERVE_PCT)
            if as_bytes(reserve, disk) > RESERVE_CAP:
                reserve = DiskSpace(bytes=RESERVE_CAP)
            used = DiskSpace(percentage=MAX_PCT)
            if as_bytes(used, disk) > MAX_CAP:
                used = DiskSpace(bytes=MAX_CAP)
            cfg = {"reservedSpace": reserve, "minFreeSpace": DiskSpace(percentage=FREE_PCT), "maxUsedSpace": used}
            for k, s in cfg.items():
                values.append(Value((*w, k), s, "default (DetectDefaultGCCap)", _leaf(item, k)))
        sizes = {k: s for k, s in cfg.items()}
        first: dict[str, Any] = {"maxUsedSpace": DiskSpace(bytes=512_000_000)}
    else:
        kept = keep if keep.is_set else DiskSpace(percentage=RESERVE_PCT)
        sizes = {"keepBytes": kept}
        first = {"keepBytes": DiskSpace(bytes=512_000_000)}
    filters = list(FILTERS) if version >= SPLIT_FILTERS_SINCE else [",".join(FILTERS)]
    policies: list[dict[str, Any]] = [
        {"filters": filters, "keepDuration": 48 * HOUR, **first},
        {"keepDuration": 60 * 24 * HOUR, **sizes},
        dict(sizes),
        {"all": True, **sizes},
    ]
    for i, policy in enumerate(policies):
        for k, v in policy.items():
            if isinstance(v, DiskSpace):
                v = DiskSpace(bytes=as_bytes(v, disk)) if disk else v
            values.append(Value((*w, "gcpolicy", i, k), v, f"{why} {i + 1} of {version.minor_name}", _leaf(item, k)))
    return values


def _leaf(item: Struct | None, key: str) -> Leaf | None:
    node = item.fields.get(key) if item is not None else None
    return node if isinstance(node, Leaf) else None
