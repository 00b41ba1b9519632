"""The *effective* config: the decoded file with the daemon flags applied over it, in
buildkitd's order (flags win), cached per run in ``ctx.memo``.

Rules use ``eff.value(*path)``, ``eff.get(*path)`` (a ``Setting`` that says whether the
value came from the file or from a flag), ``eff.span(ctx, *path)`` (the value in the file,
or the file start for a flag value), ``eff.note(*path)`` (the `` (from --buildkitd-flags)``
suffix for messages) and ``network_mode``/``rootless``. Paths are those of
``Decoded.entries`` (``("worker", "oci", "networkMode")``).

Read from moby/buildkit ``cmd/buildkitd/main.go`` (``applyMainFlags``),
``main_oci_worker.go`` and ``main_containerd_worker.go`` (``applyOCIFlags``,
``applyContainerdFlags``) at v0.32.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bklint.rules.base import FILE_START, Span
from bklint.rules.daemon_flags.command_line import FlagUse, ParsedFlags
from bklint.rules.daemon_flags.flag_values import (
    flag_value_error,
    go_parse_bool,
    go_parse_int,
    parse_keepstorage,
)
from bklint.rules.daemon_flags.table import CONTAINERD, OCI, Path
from bklint.rules.record import Record
from bklint.rules.schema.tree import ENTITLEMENTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from bklint.rules.context import Context
    from bklint.rules.schema.decode import Entry

ORIGIN = "--buildkitd-flags"
FROM_FLAGS = f" (from {ORIGIN})"


class Setting(Record):
    """A key's effective value and where it comes from."""

    __slots__ = ("entry", "flag", "path", "replaced", "value")

    path: Path
    value: Any
    entry: Entry | None  # the file's entry, when the value comes from the file
    flag: FlagUse | None  # the flag that set it (flags win)
    replaced: Entry | None  # the file entry a flag replaced

    def __init__(
        self,
        path: Path,
        value: Any,
        entry: Entry | None = None,
        flag: FlagUse | None = None,
        replaced: Entry | None = None,
    ) -> None:
        self.path = path
        self.value = value
        self.entry = entry
        self.flag = flag
        self.replaced = replaced


class Effective(Record):
    """The config buildkitd runs with: the file's values, then the flags over them."""

    __slots__ = ("flags", "settings")

    settings: dict[Path, Setting]
    flags: ParsedFlags | None

    def __init__(self, settings: dict[Path, Setting] | None = None, flags: ParsedFlags | None = None) -> None:
        self.settings = {} if settings is None else settings
        self.flags = flags

    def get(self, *path: str | int) -> Setting | None:
        return self.settings.get(path)

    def value(self, *path: str | int, default: Any = None) -> Any:
        s = self.settings.get(path)
        return default if s is None else s.value

    def flag(self, *path: str | int) -> FlagUse | None:
        s = self.settings.get(path)
        return None if s is None else s.flag

    def note(self, *path: str | int) -> str:
        """The message suffix for a value set by a flag."""
        return FROM_FLAGS if self.flag(*path) is not None else ""

    def span(self, ctx: Context, *path: str | int) -> Span:
        """Where to report about a key: its value in the file, else the file start."""
        s = self.settings.get(path)
        if s is None or s.entry is None or ctx.doc is None:
            return FILE_START
        return ctx.doc.value_span(s.entry.node)

    def overrides(self) -> Iterator[Setting]:
        """Settings where a flag replaced a value written in the file."""
        return (s for s in self.settings.values() if s.replaced is not None)

    def network_mode(self, worker: str) -> str:
        """The mode buildkitd resolves before its worker starts ("" is "auto")."""
        mode = self.value("worker", worker, "networkMode", default="")
        return mode if isinstance(mode, str) and mode else "auto"

    def rootless(self, worker: str) -> bool | None:
        """True/False when the file or a flag says so; None when it depends on the image
        (buildkitd turns rootless on by itself inside a user namespace, e.g. the
        ``moby/buildkit:rootless`` image)."""
        v = self.value("worker", worker, "rootless")
        return v if isinstance(v, bool) else None

    # -- building ------------------------------------------------------------------------
    def _set(self, path: Path, value: Any, use: FlagUse) -> None:
        old = self.settings.get(path)
        replaced = None
        if old is not None:
            replaced = old.entry if old.entry is not None else old.replaced
        self.settings[path] = Setting(path, value, None, use, replaced)


def effective(ctx: Context) -> Effective:
    """The decoded file with the daemon flags applied over it (cached per run)."""
    if ctx.memo.effective is not None:
        return ctx.memo.effective
    eff = Effective()
    if ctx.decoded is not None:
        for path, entry in ctx.decoded.entries.items():
            eff.settings[path] = Setting(path, entry.value, entry)
    parsed = ctx.flags()
    if parsed is not None:
        eff.flags = parsed
        _apply(eff, parsed)
    ctx.memo.effective = eff
    return eff


def _final(parsed: ParsedFlags) -> dict[str, FlagUse]:
    """The use that counts for each non-list flag (the last one, as urfave/cli keeps it)."""
    return {u.spec.name: u for u in parsed.uses}


def _apply(eff: Effective, parsed: ParsedFlags) -> None:
    """Flags over the file in buildkitd's order: main flags, OCI worker, containerd worker.

    Only values buildkitd would accept are applied; a refused value stops the daemon and is
    reported by BK505/BK506 instead.
    """
    last = _final(parsed)

    def ok(name: str) -> FlagUse | None:
        use = last.get(name)
        if use is None or flag_value_error(use) is not None:
            return None
        return use

    def as_bool(use: FlagUse) -> bool:
        return go_parse_bool(use.value) is True

    # applyMainFlags
    if (u := ok("debug")) and as_bool(u):
        eff._set(("log", "level"), "debug", u)
    if (u := ok("trace")) and as_bool(u):
        eff._set(("log", "level"), "trace", u)
    plain: tuple[tuple[str, Path], ...] = (
        ("root", ("root",)),
        ("log-format", ("log", "format")),
        ("log-level", ("log", "level")),
    )
    for name, path in plain:
        if u := ok(name):
            eff._set(path, u.value, u)
    _apply_list(eff, parsed, "addr", ("grpc", "address"))
    ents = parsed.of("allow-insecure-entitlement")
    if ents and not any(e.value not in ENTITLEMENTS for e in ents):
        eff._set(("insecure-entitlements",), [e.value for e in ents], ents[-1])
    if u := ok("proxy-network"):
        eff._set(("proxyNetwork",), as_bool(u), u)
    if u := ok("debugaddr"):
        eff._set(("grpc", "debugAddress"), u.value, u)
    if (u := ok("group")) and u.value:
        gid = go_parse_int(u.value, 10)
        if gid is not None:
            eff._set(("grpc", "gid"), gid, u)
    tls: tuple[tuple[str, Path], ...] = (
        ("tlscert", ("grpc", "tls", "cert")),
        ("tlskey", ("grpc", "tls", "key")),
        ("tlscacert", ("grpc", "tls", "ca")),
    )
    for name, path in tls:
        if (u := ok(name)) and u.value:
            eff._set(path, u.value, u)
    if u := ok("otel-socket-path"):
        eff._set(("otel", "socketPath"), u.value, u)
    if u := ok("cdi-disabled"):
        eff._set(("cdi", "disabled"), as_bool(u), u)
    _apply_list(eff, parsed, "cdi-spec-dir", ("cdi", "specDirs"))
    # Workers (applyOCIFlags, applyContainerdFlags).
    for prefix, worker in (("oci", OCI), ("containerd", CONTAINERD)):
        _apply_worker(eff, parsed, ok, as_bool, prefix, worker)


def _apply_list(
    eff: Effective, parsed: ParsedFlags, name: str, path: Path, *, nonempty: bool = False
) -> None:
    uses = parsed.of(name)
    if uses and (not nonempty or any(u.value for u in uses)):
        eff._set(path, [u.value for u in uses], uses[-1])


def _apply_worker(
    eff: Effective,
    parsed: ParsedFlags,
    ok: Callable[[str], FlagUse | None],
    as_bool: Callable[[FlagUse], bool],
    prefix: str,
    w: Path,
) -> None:
    wp = f"{prefix}-worker"
    if u := ok(wp):
        v = u.value
        eff._set((*w, "enabled"), None if v == "" or v.lower() == "auto" else go_parse_bool(v), u)
    labels = [u for u in parsed.of(f"{wp}-labels") if "=" in u.value]
    if labels and len(labels) == len(parsed.of(f"{wp}-labels")):
        base = eff.value(*w, "labels")
        merged = dict(base) if isinstance(base, dict) else {}
        for u in labels:
            k, v = u.value.split("=", 1)
            merged[k] = v
        eff._set((*w, "labels"), merged, labels[-1])
    if u := ok("rootless"):
        eff._set((*w, "rootless"), as_bool(u), u)
    for suffix, key in (
        ("snapshotter", "snapshotter"),
        ("net", "networkMode"),
        ("addr", "address"),
        ("namespace", "namespace"),
        ("binary", "binary"),
        ("proxy-snapshotter-path", "proxySnapshotterPath"),
        ("apparmor-profile", "apparmor-profile"),
    ):
        if u := ok(f"{wp}-{suffix}"):
            eff._set((*w, key), u.value, u)
    for suffix, key in (
        ("rootless", "rootless"),
        ("no-process-sandbox", "noProcessSandbox"),
        ("gc", "gc"),
        ("selinux", "selinux"),
    ):
        if u := ok(f"{wp}-{suffix}"):
            eff._set((*w, key), as_bool(u), u)
    _apply_list(eff, parsed, f"{wp}-platform", (*w, "platforms"), nonempty=True)
    if u := ok(f"{wp}-gc-keepstorage"):
        parsed_gc = parse_keepstorage(u.value)
        if not isinstance(parsed_gc, str):
            for key, value in zip(("reservedSpace", "minFreeSpace", "maxUsedSpace"), parsed_gc, strict=True):
                eff._set((*w, key), value, u)
    if u := ok(f"{prefix}-cni-config-path"):
        # The OCI flag reads the value of a flag that does not exist: always "".
        eff._set((*w, "cniConfigPath"), "" if prefix == "oci" else u.value, u)
    if u := ok(f"{prefix}-cni-binary-dir"):
        eff._set((*w, "cniBinaryPath"), u.value, u)
    if u := ok(f"{prefix}-cni-pool-size"):
        eff._set((*w, "cniPoolSize"), go_parse_int(u.value), u)
    if u := ok(f"{prefix}-max-parallelism"):
        eff._set((*w, "max-parallelism"), go_parse_int(u.value), u)
    if prefix == "containerd" and (u := ok(f"{wp}-runtime")):
        old = [p for p in eff.settings if p[: len(w) + 1] == (*w, "runtime")]
        for p in old:
            del eff.settings[p]
        eff._set((*w, "runtime", "name"), u.value, u)
