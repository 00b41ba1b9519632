"""buildkitd's flag table: every flag of current buildkitd (Linux build; the Windows service
flags are marked), the release that added it, and which config keys it writes and how (set,
replace, merge, or — for ``--oci-cni-config-path`` — blank).

Read from moby/buildkit ``cmd/buildkitd/main.go``, ``main_oci_worker.go`` and
``main_containerd_worker.go`` at v0.32.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from bklint.rules.context import Context

Path = tuple[str | int, ...]
FlagKind = Literal["bool", "string", "int", "slice"]
How = Literal["set", "replace", "merge", "blank", "none"]

# The file buildx copies the config to and names with a --config it puts before the user's flags.
BUILDX_CONFIG_PATH = "/etc/buildkit/buildkitd.toml"
OCI = ("worker", "oci")
CONTAINERD = ("worker", "containerd")


class FlagSpec(NamedTuple):
    """One buildkitd flag and what it does to the config."""

    name: str
    kind: FlagKind
    usage: str
    # Config keys the flag writes (paths as in ``Decoded.entries``).
    keys: tuple[Path, ...] = ()
    how: How = "set"
    since: str = "v0.10.0"
    hidden: bool = False
    windows_only: bool = False
    # urfave/cli's own --help/-h and --version/-v: print and exit.
    exits: bool = False

    @property
    def spelled(self) -> str:
        return f"-{self.name}" if len(self.name) == 1 else f"--{self.name}"


def _f(name: str, kind: FlagKind, usage: str, *keys: Path, **kw: Any) -> FlagSpec:
    return FlagSpec(name, kind, usage, tuple(keys), **kw)


def _worker_flags(prefix: str, worker: tuple[str, str], ctd: bool) -> list[FlagSpec]:
    """The flags the OCI and containerd workers share (their spellings differ a little)."""
    w = worker
    wp = f"{prefix}-worker"
    cni = f"{prefix}-cni"
    par = f"{prefix}-max-parallelism"
    out = [
        _f(wp, "string", "enable the worker: true, false or auto", (*w, "enabled")),
        _f(f"{wp}-labels", "slice", "extra worker label key=value (repeatable)", (*w, "labels"), how="merge"),
        _f(f"{wp}-snapshotter", "string", "snapshotter name", (*w, "snapshotter")),
        _f(
            f"{wp}-platform",
            "slice",
            "platforms of the worker (repeatable)",
            (*w, "platforms"),
            how="replace",
            hidden=ctd,
        ),
        _f(f"{wp}-net", "string", "network mode: auto, host, bridge or cni", (*w, "networkMode")),
        _f(f"{cni}-binary-dir", "string", "directory of the CNI plugins", (*w, "cniBinaryPath")),
        _f(f"{cni}-pool-size", "int", "pre-created network namespaces", (*w, "cniPoolSize"), since="v0.11.0"),
        _f(
            f"{wp}-apparmor-profile",
            "string",
            "AppArmor profile of build containers",
            (*w, "apparmor-profile"),
        ),
        _f(f"{wp}-selinux", "bool", "apply SELinux labels", (*w, "selinux"), since="v0.11.0"),
        _f(par, "int", "limit on parallel build steps", (*w, "max-parallelism"), since="v0.24.0"),
        _f(f"{wp}-rootless", "bool", "rootless worker (needs a user namespace)", (*w, "rootless")),
        _f(f"{wp}-gc", "bool", "automatic garbage collection", (*w, "gc")),
        _f(
            f"{wp}-gc-keepstorage",
            "string",
            'worker GC sizes "Reserved[,Free[,Maximum]]" in MB (10^6 bytes)',
            (*w, "reservedSpace"),
            (*w, "minFreeSpace"),
            (*w, "maxUsedSpace"),
            how="replace",
        ),
    ]
    if ctd:
        out += [
            _f(f"{wp}-addr", "string", "containerd socket", (*w, "address")),
            _f(f"{wp}-namespace", "string", "containerd namespace", (*w, "namespace"), hidden=True),
            _f(
                f"{wp}-runtime",
                "string",
                "containerd runtime name (drops runtime.path/options)",
                (*w, "runtime", "name"),
                hidden=True,
                since="v0.13.0",
            ),
            _f(f"{cni}-config-path", "string", "CNI config file", (*w, "cniConfigPath")),
        ]
    else:
        out += [
            _f(
                f"{wp}-proxy-snapshotter-path",
                "string",
                "proxy snapshotter socket (no unix://)",
                (*w, "proxySnapshotterPath"),
            ),
            _f(f"{wp}-binary", "string", "OCI runtime binary", (*w, "binary")),
            _f(
                f"{wp}-no-process-sandbox",
                "bool",
                "use the host PID namespace (needs rootless)",
                (*w, "noProcessSandbox"),
            ),
            # Broken upstream: it reads a flag named oci-cni-worker-path that does not exist.
            _f(
                f"{cni}-config-path",
                "string",
                "CNI config file (broken: blanks cniConfigPath)",
                (*w, "cniConfigPath"),
                how="blank",
            ),
        ]
    return out


_TABLE: list[FlagSpec] = [
    _f("config", "string", "path of the config file", how="none"),
    _f("debug", "bool", "debug logging (sets log.level)", ("log", "level")),
    _f(
        "trace",
        "bool",
        "trace logging (deprecated; sets log.level)",
        ("log", "level"),
        hidden=True,
        since="v0.12.0",
    ),
    _f("root", "string", "state directory", ("root",)),
    _f("addr", "slice", "listening address (repeatable)", ("grpc", "address"), how="replace"),
    _f("log-format", "string", "log format: text or json", ("log", "format"), since="v0.13.0"),
    _f("log-level", "string", "log level", ("log", "level"), since="v0.30.0"),
    _f("group", "string", "group (name or gid) owning the unix sockets", ("grpc", "gid")),
    _f("debugaddr", "string", "debug (pprof) listener address", ("grpc", "debugAddress")),
    _f("tlscert", "string", "server certificate", ("grpc", "tls", "cert")),
    _f("tlskey", "string", "server key", ("grpc", "tls", "key")),
    _f("tlscacert", "string", "CA for client certificates", ("grpc", "tls", "ca")),
    _f(
        "allow-insecure-entitlement",
        "slice",
        "allowed insecure entitlement (repeatable)",
        ("insecure-entitlements",),
        how="replace",
    ),
    _f("proxy-network", "bool", "enforce the proxy network", ("proxyNetwork",), since="v0.31.0"),
    _f("otel-socket-path", "string", "OTEL collector socket", ("otel", "socketPath"), since="v0.13.0"),
    _f("cdi-disabled", "bool", "disable CDI", ("cdi", "disabled"), since="v0.20.0"),
    _f(
        "cdi-spec-dir",
        "slice",
        "CDI spec directory (repeatable)",
        ("cdi", "specDirs"),
        how="replace",
        since="v0.20.0",
    ),
    _f("save-cache-debug", "bool", "save cache debug info", how="none", since="v0.24.0"),
    _f(
        "rootless",
        "bool",
        "rootless defaults for both workers",
        (*OCI, "rootless"),
        (*CONTAINERD, "rootless"),
    ),
    *_worker_flags("oci", OCI, ctd=False),
    *_worker_flags("containerd", CONTAINERD, ctd=True),
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
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return close[0] if close else None


def since_minor(spec: FlagSpec) -> int:
    return int(spec.since.split(".")[1])


def target_minor(ctx: Context) -> int | None:
    """The minor of ``--target-version`` (``v0.13.2`` -> 13); None when not given."""
    version = ctx.target_version()
    return None if version is None else version.minor
