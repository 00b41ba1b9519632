"""buildkitd's command-line flags: the flag table, a parser that reads them as the daemon
does, and the *effective* config (the file with the flags applied over it).

Flags reach buildkitd from ``docker buildx create --buildkitd-flags "…"``, from
setup-buildx-action's ``buildkitd-flags`` input, from ``bklint check --buildkitd-flags`` and
from the ``buildkitd-flags`` setting of a bklint config file. They override the keys they
map to, so a rule that judges the file alone can be wrong about what the daemon runs with.

Public API
----------
``split_flags(text) -> Split``
    Shell-style splitting exactly as buildx does it (``github.com/google/shlex``): quotes,
    backslash escapes, ``#`` comments at the start of a word; every token keeps its
    character offsets in ``text`` so a caller can point into the string it came from.
``parse_flags(text) -> ParsedFlags``
    Splits, then parses the words as buildkitd's urfave/cli v3 parser does (v0.31+; older
    releases used v1, see ``ParsedFlags.positional``): ``--flag value``, ``--flag=value``,
    ``-flag``, boolean flags that never take the next word, repeatable list flags, ``--``.
    Records unknown flags, missing values, stray words, and each use of a known flag.
``FLAGS`` / ``lookup(name)``
    Every flag of current buildkitd (Linux build; the Windows service flags are marked),
    the release that added it, and which config keys it writes and how (set, replace,
    merge, or — for ``--oci-cni-config-path`` — blank).
``ctx.flags() -> ParsedFlags | None``
    The parsed ``ctx.settings.buildkitd_flags`` (None when no flags were given), cached.
``effective(ctx) -> Effective``
    The decoded config with the flags applied in buildkitd's order (flags win), cached in
    ``ctx.memo``. Rules use ``eff.value(*path)``, ``eff.get(*path)`` (a ``Setting`` that
    says whether the value came from the file or from a flag), ``eff.span(ctx, *path)``
    (the value in the file, or the file start for a flag value), ``eff.note(*path)`` (the
    `` (from --buildkitd-flags)`` suffix for messages) and ``network_mode``/``rootless``.
    Paths are those of ``Decoded.entries`` (``("worker", "oci", "networkMode")``).
``flag_finding(finding, *words)``
    Records in ``finding.flags_span`` the ``(start, end)`` offsets of the offending words
    in the flags string, so a caller linting flags without a file (``linter.run.lint_flags``,
    for a workflow's ``buildkitd-flags`` input) can point at them.

Everything here is read from moby/buildkit ``cmd/buildkitd/main.go``,
``main_oci_worker.go``, ``main_containerd_worker.go`` and ``util.go`` at v0.32 and the
vendored urfave/cli v3 parser; docker/buildx ``builder/builder.go`` for the splitting.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from bklint.rules.base import FILE_START, Finding, Span
from bklint.rules.schema.tree import ENTITLEMENTS, LOG_LEVELS
from bklint.rules.schema.values import DiskSpace

if TYPE_CHECKING:
    from bklint.rules.context import Context
    from bklint.rules.schema.decode import Entry

Path = tuple[str | int, ...]
FlagKind = Literal["bool", "string", "int", "slice"]
How = Literal["set", "replace", "merge", "blank", "none"]

ORIGIN = "--buildkitd-flags"
FROM_FLAGS = f" (from {ORIGIN})"
# The file buildx copies the config to and names with a --config it puts before the user's flags.
BUILDX_CONFIG_PATH = "/etc/buildkit/buildkitd.toml"
OCI = ("worker", "oci")
CONTAINERD = ("worker", "containerd")


# -- the flag table ----------------------------------------------------------------------


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


# -- splitting (google/shlex, as buildx) ------------------------------------------------


class Token(NamedTuple):
    text: str
    start: int  # offsets in the flags string
    end: int


class Split(NamedTuple):
    tokens: tuple[Token, ...]
    error: str | None = None  # buildx refuses the flags: "failed to parse buildkit flags: …"
    error_offset: int = 0


_SPACE = " \t\r\n"


def split_flags(text: str) -> Split:
    """Split like google/shlex ``Split``: what buildx hands to the container as arguments."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            continue
        if ch == "#":  # a comment runs to the end of the line
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        start = i
        value: list[str] = []
        while i < n and text[i] not in _SPACE:
            ch = text[i]
            if ch == "\\":
                if i + 1 >= n:
                    return Split(tuple(tokens), "EOF found after escape character", i)
                value.append(text[i + 1])
                i += 2
            elif ch == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    return Split(tuple(tokens), "EOF found when expecting closing quote", i)
                value.append(text[i + 1 : close])
                i = close + 1
            elif ch == '"':
                j = i + 1
                while True:
                    if j >= n:
                        return Split(tuple(tokens), "EOF found when expecting closing quote", i)
                    if text[j] == "\\":
                        if j + 1 >= n:
                            return Split(tuple(tokens), "EOF found after escape character", j)
                        value.append(text[j + 1])
                        j += 2
                    elif text[j] == '"':
                        break
                    else:
                        value.append(text[j])
                        j += 1
                i = j + 1
            else:
                value.append(ch)
                i += 1
        tokens.append(Token("".join(value), start, i))
    return Split(tuple(tokens))


# -- parsing (urfave/cli v3, as buildkitd) ----------------------------------------------


class FlagUse(NamedTuple):
    """One occurrence of a known flag."""

    spec: FlagSpec
    written: str  # the flag word as given, e.g. "--oci-worker-net=cni" or "-debug"
    value: str  # the raw value ("true" for a bare boolean flag)
    start: int
    end: int  # offsets in the flags string, covering a separate value word too
    order: int  # position among all flag uses

    @property
    def shown(self) -> str:
        """How messages quote it: ``--name=value`` or ``--name``."""
        name = self.written.split("=", 1)[0]
        if self.spec.kind == "bool" and "=" not in self.written:
            return name
        return f"{name}={self.value}"


class BadWord(NamedTuple):
    """An unknown flag, a flag without its value, or a word buildkitd does not read."""

    text: str
    name: str
    start: int
    end: int


@dataclass(slots=True)
class ParsedFlags:
    text: str
    split: Split
    uses: list[FlagUse] = field(default_factory=list)
    unknown: list[BadWord] = field(default_factory=list)
    missing_value: list[BadWord] = field(default_factory=list)
    # Words that are not flags. buildkitd (v0.31+) ignores them and goes on parsing;
    # releases up to v0.30 (urfave/cli v1, Go's flag package) stop at the first one and
    # ignore every flag after it too.
    positional: list[BadWord] = field(default_factory=list)
    # Where parsing stopped for good ("--", or a lone "-" after which v3 drops the rest).
    stopped: BadWord | None = None

    def of(self, name: str) -> list[FlagUse]:
        return [u for u in self.uses if u.spec.name == name]

    def last(self, name: str) -> FlagUse | None:
        found = self.of(name)
        return found[-1] if found else None

    def on(self, *names: str) -> bool:
        """Whether one of the boolean flags ``names`` is given and true (its last use counts)."""
        return any((use := self.last(name)) is not None and go_parse_bool(use.value) is True for name in names)

    def is_set(self, name: str) -> bool:
        return any(u.spec.name == name for u in self.uses)


def parse_flags(text: str) -> ParsedFlags:
    split = split_flags(text)
    out = ParsedFlags(text, split)
    toks = split.tokens
    i = 0
    while i < len(toks):
        tok = toks[i]
        first = tok.text.strip()
        if not first or first[0] != "-":
            out.positional.append(BadWord(tok.text, "", tok.start, tok.end))
            i += 1
            continue
        if first == "--" or len(first) == 1:
            out.stopped = BadWord(tok.text, first, tok.start, toks[-1].end)
            out.positional.extend(BadWord(t.text, "", t.start, t.end) for t in toks[i + 1 :])
            break
        dashes = 2 if first[1] == "-" else 1
        if dashes == 1 and not first[1].isalpha():
            # Not a flag: urfave/cli treats it and everything after it as arguments.
            out.positional.extend(BadWord(t.text, "", t.start, t.end) for t in toks[i:])
            break
        name = first[dashes:]
        value: str | None = None
        if "=" in name:
            name, value = name.split("=", 1)
        spec = lookup(name)
        end = tok.end
        if spec is None:
            # buildkitd stops here ("flag provided but not defined"); keep reading to report
            # more, taking a following non-flag word as this flag's value.
            if value is None and i + 1 < len(toks) and not toks[i + 1].text.startswith("-"):
                i += 1
                end = toks[i].end
            out.unknown.append(BadWord(tok.text, name, tok.start, end))
            i += 1
            continue
        if spec.kind == "bool":
            value = value or "true"
        elif value is None:
            if i + 1 >= len(toks):
                out.missing_value.append(BadWord(tok.text, name, tok.start, tok.end))
                i += 1
                continue
            i += 1
            value = toks[i].text
            end = toks[i].end
        out.uses.append(
            FlagUse(spec, tok.text if "=" in first else first, value, tok.start, end, len(out.uses))
        )
        i += 1
    return out


# -- value parsing (Go semantics) -------------------------------------------------------

_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
INT64_MAX = 2**63 - 1


def go_parse_bool(text: str) -> bool | None:
    """``strconv.ParseBool``; None when Go would refuse it."""
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


def go_parse_int(text: str, base: int = 0) -> int | None:
    """``strconv.ParseInt(text, base, 64)`` for base 0 (``0x``/``0o``/``0b``/``0`` prefixes and
    ``_`` separators, as urfave/cli's IntFlag) or base 10; None where Go refuses."""
    sign = -1 if text[:1] == "-" else 1
    body = text[1:] if text[:1] in "+-" else text
    if base == 10:
        if not body.isascii() or not body.isdigit():
            return None
        value = sign * int(body)
    else:
        radix, digits, prefixed = 10, body, False
        if body[:2].lower() in ("0x", "0o", "0b"):
            radix = {"x": 16, "o": 8, "b": 2}[body[1].lower()]
            digits, prefixed = body[2:], True
        elif len(body) > 1 and body[0] == "0":
            radix, digits, prefixed = 8, body[1:], True
        if not digits or digits.endswith("_") or "__" in digits or (digits[0] == "_" and not prefixed):
            return None
        allowed = "0123456789abcdef"[:radix] + "_"
        if any(c not in allowed for c in digits.lower()):
            return None
        value = sign * int(digits.replace("_", ""), radix)
    if not -(2**63) <= value <= INT64_MAX:
        return None
    return value


def parse_keepstorage(text: str) -> tuple[DiskSpace, DiskSpace, DiskSpace] | str:
    """``stringToGCConfig``: reserved, free, max in decimal MB; a string is the error."""
    if text == "":
        return DiskSpace(), DiskSpace(), DiskSpace()
    parts = text.split(",", 2)
    names = ("storage", "free storage", "max storage")
    out: list[DiskSpace] = []
    for name, part in zip(names, parts, strict=False):
        value = go_parse_int(part, 10)
        if value is None or abs(value) * 10**6 > INT64_MAX:
            return f"failed to parse {name} {text!r}: {part!r} is not a whole number of megabytes"
        out.append(DiskSpace(bytes=value * 10**6))
    while len(out) < 3:
        out.append(DiskSpace())
    return out[0], out[1], out[2]


def flag_value_error(use: FlagUse) -> str | None:
    """Why buildkitd refuses this flag's value at start-up (None when it accepts it)."""
    spec, value = use.spec, use.value
    if spec.kind == "bool":
        if go_parse_bool(value) is None:
            return f"invalid boolean value {value!r} (use {spec.spelled} or {spec.spelled}=false)"
        return None
    if spec.kind == "int":
        if go_parse_int(value) is None:
            return f"invalid value {value!r}: expects an integer"
        return None
    name = spec.name
    if name in ("oci-worker", "containerd-worker"):
        if value == "" or value.lower() == "auto" or go_parse_bool(value) is not None:
            return None
        return f"invalid value {value!r}: expects true, false or auto"
    if name.endswith("-gc-keepstorage"):
        parsed = parse_keepstorage(value)
        if isinstance(parsed, str):
            return parsed + ' (format "Reserved[,Free[,Maximum]]", whole MB, no units)'
        return None
    if name.endswith("-worker-labels") and "=" not in value:
        return f"invalid value {value!r}: a label is key=value"
    if name == "log-format" and value not in ("text", "json", ""):
        return f"unsupported log type {value!r} (text or json, lower case)"
    if name == "log-level" and value.lower() not in LOG_LEVELS:
        return f"unsupported log level {value!r} ({', '.join(sorted(LOG_LEVELS))})"
    return None




# -- the effective config ---------------------------------------------------------------


@dataclass(slots=True)
class Setting:
    """A key's effective value and where it comes from."""

    path: Path
    value: Any
    entry: Entry | None = None  # the file's entry, when the value comes from the file
    flag: FlagUse | None = None  # the flag that set it (flags win)
    replaced: Entry | None = None  # the file entry a flag replaced


@dataclass(slots=True)
class Effective:
    """The config buildkitd runs with: the file's values, then the flags over them."""

    settings: dict[Path, Setting] = field(default_factory=dict)
    flags: ParsedFlags | None = None

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


# -- helpers for rules and for linting flags alone ---------------------------------------


def flag_finding(finding: Finding, *words: FlagUse | BadWord) -> Finding:
    """Attach where in the flags string the finding is (for callers that re-anchor)."""
    if words:
        finding.flags_span = (min(w.start for w in words), max(w.end for w in words))
    return finding


def suggest(name: str) -> str | None:
    """The buildkitd flag a misspelt name most likely meant."""
    names = [s.name for s in _TABLE if not s.windows_only and not s.exits]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return close[0] if close else None


def target_minor(ctx: Context) -> int | None:
    """The minor of ``--target-version`` (``v0.13.2`` -> 13); None when not given."""
    version = ctx.target_version()
    return None if version is None else version.minor


def since_minor(spec: FlagSpec) -> int:
    return int(spec.since.split(".")[1])
