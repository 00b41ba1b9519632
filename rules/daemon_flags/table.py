"""buildkitd's flag table: every flag of current buildkitd (Linux build; the Windows service
flags are marked), the release that added it, and which config keys it writes and how (set,
replace, merge, or — for ``--oci-cni-config-path`` — blank). A flag that overrides a key is
spelt as the key tree spells it (``Leaf.flag``), so the spelling has one home.

Read from moby/buildkit ``cmd/buildkitd/main.go``, ``main_oci_worker.go`` and
``main_containerd_worker.go`` at v0.32.
"""

from __future__ import annotations

from bklint.rules.record import FrozenRecord
from bklint.rules.schema.tree import leaf

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from bklint.rules.context import Context

    FlagKind = Literal["bool", "string", "int", "slice"]

    How = Literal["set", "replace", "merge", "blank", "none"]

Path = tuple[str | int, ...]

# The file buildx copies the config to and names with a --config it puts before the user's flags.
BUILDX_CONFIG_PATH = "/etc/buildkit/buildkitd.toml"
OCI = ("worker", "oci")
CONTAINERD = ("worker", "containerd")


class FlagSpec(FrozenRecord):
    """One buildkitd flag and what it does to the config."""

    __slots__ = ("exits", "hidden", "how", "keys", "kind", "name", "since", "usage", "windows_only")

    name: str
    kind: FlagKind
    usage: str
    # Config keys the flag writes (paths as in ``Decoded.entries``).
    keys: tuple[Path, ...]
    how: How
    since: str
    hidden: bool
    windows_only: bool
    # urfave/cli's own --help/-h and --version/-v: print and exit.
    exits: bool

    def __init__(self, name: str, kind: FlagKind, usage: str, keys: tuple[Path, ...] = (), how: How = "set", since: str = "v0.10.0", hidden: bool = False, windows_only: bool = False, exits: bool = False) -> None:
        self.name = name
        self.kind = kind
        self.usage = usage
        self.keys = keys
        self.how = how
        self.since = since
        self.hidden = hidden
        self.windows_only = windows_only
        self.exits = exits

    @property
    def spelled(self) -> str:
        return f"-{self.name}" if len(self.name) == 1 else f"--{self.name}"


def _f(name: str, kind: FlagKind, usage: str, *keys: Path, **kw: Any) -> FlagSpec:
    """A flag that writes no key of its own spelling (or none at all)."""
    return FlagSpec(name, kind, usage, tuple(keys), **kw)


def _k(kind: FlagKind, usage: str, *keys: Path, named_by: Path | None = None, **kw: Any) -> FlagSpec:
    """A flag spelt as the key tree says for the key it overrides (``named_by``, else the first
    key it writes): the spelling has one home, ``Leaf.flag`` in ``rules/schema/tree.py``."""
    flag = leaf(*(str(p) for p in named_by or keys[0])).flag
    assert flag is not None and flag.startswith("--"), (named_by, keys)
    return FlagSpec(flag[2:], kind, usage, tuple(keys), **kw)


def _worker_flags(worker: tuple[str, str], ctd: bool) -> list[FlagSpec]:
    """The flags the OCI and containerd workers share (their spellings differ a little)."""
    w = worker
    out = [
        _k("string", "enable the worker: true, false or auto", (*w, "enabled")),
        _k("slice", "extra worker label key=value (repeatable)", (*w, "labels"), how="merge"),
        _k("string", "snapshotter name", (*w, "snapshotter")),
        _k("slice", "platforms of the worker (repeatable)", (*w, "platforms"), how="replace", hidden=ctd),
        _k("string", "network mode: auto, host, bridge or cni", (*w, "networkMode")),
        _k("string", "directory of the CNI plugins", (*w, "cniBinaryPath")),
        _k("int", "pre-created network namespaces", (*w, "cniPoolSize"), since="v0.11.0"),
        _k("string", "AppArmor profile of build containers", (*w, "apparmor-profile")),
        _k("bool", "apply SELinux labels", (*w, "selinux"), since="v0.11.0"),
        _k("int", "limit on parallel build steps", (*w, "max-parallelism"), since="v0.24.0"),
        _k("bool", "rootless worker (needs a user namespace)", (*w, "rootless")),
        _k("bool", "automatic garbage collection", (*w, "gc")),
        _k(
            "string",
            'worker GC sizes "Reserved[,Free[,Maximum]]" in MB (10^6 bytes)',
            (*w, "reservedSpace"),
            (*w, "minFreeSpace"),
            (*w, "maxUsedSpace"),
            named_by=(*w, "gckeepstorage"),
            how="replace",
        ),
    ]
    if ctd:
        out += [
            _k("string", "containerd socket", (*w, "address")),
            _k("string", "containerd namespace", (*w, "namespace"), hidden=True),
            _k(
                "string",
                "containerd runtime name (drops runtime.path/options)",
                (*w, "runtime", "name"),
                hidden=True,
                since="v0.13.0",
            ),
            _k("string", "CNI config file", (*w, "cniConfigPath")),
        ]
    else:
        out += [
            _k("string", "proxy snapshotter socket (no unix://)", (*w, "proxySnapshotterPath")),
            _k("string", "OCI runtime binary", (*w, "binary")),
            _k("bool", "use the host PID namespace (needs rootless)", (*w, "noProcessSandbox")),
            # Broken upstream: it reads a flag named oci-cni-worker-path that does not exist.
            _k("string", "CNI config file (broken: blanks cniConfigPath)", (*w, "cniConfigPath"), how="blank"),
        ]
    return out


_TABLE: list[FlagSpec] = [
    _f("config", "string", "path of the config file", how="none"),
    _k("bool", "debug logging (sets log.level)", ("log", "level"), named_by=("debug",)),
    _k(
        "bool",
        "trace logging (deprecated; sets log.level)",
        ("log", "level"),
        named_by=("trace",),
        hidden=True,
        since="v0.12.0",
    ),
    _k("string", "state directory", ("root",)),
    _k("slice", "listening address (repeatable)", ("grpc", "address"), how="replace"),
    _k("string", "log format: text or json", ("log", "format"), since="v0.13.0"),
    _k("string", "log level", ("log", "level"), since="v0.30.0"),
    _k("string", "group (name or gid) owning the unix sockets", ("grpc", "gid")),
    _k("string", "debug (pprof) listener address", ("grpc", "debugAddress")),
    _k("string", "server certificate", ("grpc", "tls", "cert")),
    _k("string", "server key", ("grpc", "tls", "key")),
    _k("string", "CA for client certificates", ("grpc", "tls", "ca")),
    _k("slice", "allowed insecure entitlement (repeatable)", ("insecure-entitlements",), how="replace"),
    _k("bool", "enforce the proxy network", ("proxyNetwork",), since="v0.31.0"),
    _k("string", "OTEL collector socket", ("otel", "socketPath"), since="v0.13.0"),
    _k("bool", "disable CDI", ("cdi", "disabled"), since="v0.20.0"),
    _k("slice", "CDI spec directory (repeatable)", ("cdi", "specDirs"), how="replace", since="v0.20.0"),
    _f("save-cache-debug", "bool", "save cache debug info", how="none", since="v0.24.0"),
    _f(
        "rootless",
        "bool",
        "rootless defaults for both workers",
        (*OCI, "rootless"),
        (*CONTAINERD, "rootless"),
    ),
    *_worker_flags(OCI, ctd=False),
    *_worker_flags(CONTAINERD, ctd=True),
    # Windows builds only.
    _f("service-name", "string", "Windows service name", how="none", windows_only=True),
    _f("register-service", "bool", "register the Windows service", how="none", windows_only=True),
    _f("unregister-service", "bool", "unregister the Windows service", how="none", windows_only=True),
    _f("run-service", "bool", "run as a Windows service", how="none", windows_only=True, hidden=True),
    _f("log-file", "string", "log file (Windows)", how="none", windows_only=True),
    # urfave/cli's built-in flags.
    _f("help", "bool", "print help and exit", how="none", exits=True),
    _f("version", "bool", "print the version and exit", how="none", exits=True),
]
FLAGS: dict[str, FlagSpec] = {spec.name: spec for spec in _TABLE}
_ALIASES = {"h": "help", "v": "version"}


def lookup(name: str, *, windows: bool = False) -> FlagSpec | None:
    """The flag a name (without dashes) selects in buildkitd, as urfave/cli matches: exactly.

    The Windows service flags do not exist in the Linux daemon builders run.
    """
    spec = FLAGS.get(_ALIASES.get(name, name))
    if spec is not None and spec.windows_only and not windows:
        return None
    return spec


def suggest(name: str) -> str | None:
    """The buildkitd flag a misspelt name most likely meant."""
    names = [s.name for s in _TABLE if not s.windows_only and not s.exits]
    import difflib  # only once an unknown flag needs a suggestion

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return close[0] if close else None


def since_minor(spec: FlagSpec) -> int:
    return int(spec.since.split(".")[1])


def target_minor(ctx: Context) -> int | None:
    """The minor of ``--target-version`` (``v0.13.2`` -> 13); None when not given."""
    version = ctx.target_version()
    return None if version is None else version.minor
