"""BK240–BK259: values buildkitd checks at start-up (and a few it silently drops).

Most of these stop the daemon before it listens — `docker buildx create` succeeds, then the
builder never boots — so they are errors. The rest are settings that load fine and do
something other than what they say.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from collections.abc import Iterable
from typing import ClassVar

from bklint.rules import toml_text
from bklint.rules.base import Edit, Finding, Fix, Rule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import TomlNode
from bklint.rules.schema.decode import Decoded, Entry

WORKERS = ("oci", "containerd")
LOG_LEVELS = ("panic", "fatal", "error", "warn", "warning", "info", "debug", "trace")
LOG_FORMATS = ("text", "json")
ENTITLEMENTS = ("network.host", "security.insecure", "device")
OCI_SNAPSHOTTERS = ("auto", "overlayfs", "native", "fuse-overlayfs", "stargz")
_KNOWN_OS = [
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
]
_KNOWN_ARCH = [
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "ppc64",
    "ppc64le",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
]
_ARCH_ALIASES = {
    "i386": "386",
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "armhf": "arm",
    "armel": "arm",
}
_PLATFORM_PART = re.compile(r"^[A-Za-z0-9_.-]+$")
_PLATFORM_OS = re.compile(r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$")


def _flags(ctx: Context) -> list[str]:
    text = ctx.settings.buildkitd_flags or ""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _has_flag(ctx: Context, *names: str) -> bool:
    for token in _flags(ctx):
        name = token.split("=", 1)[0]
        if name in names:
            value = token.split("=", 1)[1] if "=" in token else "true"
            if value.lower() != "false":
                return True
    return False


def _string_items(entry: Entry | None) -> list[tuple[str, TomlNode]]:
    if entry is None or not isinstance(entry.value, list) or entry.node.items is None:
        return []
    return [(v, n) for v, n in zip(entry.value, entry.node.items, strict=False) if isinstance(v, str)]


@register
class NoProcessSandboxWithoutRootless(Rule):
    """Checks that `noProcessSandbox = true` comes with a rootless worker.

    **Why**: buildkitd refuses to start with `can't enable NoProcessSandbox without
    Rootless` unless the OCI worker is rootless. `rootless` is forced on when buildkitd runs
    in a user namespace (the `moby/buildkit:rootless` image), so a file without `rootless`
    works there but nowhere else: that is a warning; `rootless = false` next to it is an
    error. The sandbox-less mode also lets build steps see and kill the daemon's processes,
    so it is meant only for rootless containers that cannot create a PID namespace.

    See https://github.com/moby/buildkit/pull/768.

    **Bad**
    ```toml
    [worker.oci]
    noProcessSandbox = true
    ```

    **Good**
    ```toml
    [worker.oci]
    rootless = true
    noProcessSandbox = true
    ```
    """

    code = "BK240"
    name = "no-process-sandbox-without-rootless"
    summary = "`noProcessSandbox` without `rootless` stops buildkitd at start-up"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("worker", "oci", "noProcessSandbox")
        if entry is None or entry.value is not True:
            return
        if _has_flag(ctx, "--rootless", "--oci-worker-rootless"):
            return
        rootless = decoded.entry("worker", "oci", "rootless")
        if rootless is not None and rootless.value is True:
            return
        if rootless is None:
            yield self.finding(
                "`noProcessSandbox = true` needs a rootless worker: buildkitd refuses to start "
                "(`can't enable NoProcessSandbox without Rootless`) unless it runs in a user namespace such as the "
                "rootless image; set `rootless = true`",
                doc.node_span(entry.node),
                severity=Severity.WARNING,
            )
        else:
            yield self.finding(
                "`noProcessSandbox = true` with `rootless = false` stops buildkitd at start-up "
                "(`can't enable NoProcessSandbox without Rootless`)",
                doc.node_span(entry.node),
                related=((doc.node_span(rootless.node), "rootless = false"),),
            )


@register
class InvalidLogLevel(Rule):
    """Checks `[log] level` against the levels buildkitd accepts.

    **Why**: the level is parsed with logrus `ParseLevel` at start (v0.30+): `panic`,
    `fatal`, `error`, `warn`, `warning`, `info`, `debug` or `trace`, in any case. Anything
    else stops buildkitd with `unsupported log level`.

    **Bad**: `level = "verbose"` — **Good**: `level = "debug"`
    """

    code = "BK241"
    name = "invalid-log-level"
    summary = "A `[log] level` buildkitd refuses at start-up"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("log", "level")
        if entry is None or not isinstance(entry.value, str) or entry.value == "":
            return
        if entry.value.lower() in LOG_LEVELS:
            return
        yield self.finding(
            f"log level {entry.value!r} stops buildkitd at start-up (`unsupported log level`); use one of "
            f"{', '.join(LOG_LEVELS)}",
            doc.value_span(entry.node),
        )


@register
class InvalidLogFormat(Rule):
    """Checks `[log] format`.

    **Why**: only `"text"`, `"json"` or an empty string are accepted, **case-sensitively**;
    anything else (`"JSON"`, `"logfmt"`) stops buildkitd with `unsupported log type`.

    **Fix** (safe): lowercase `"JSON"`/`"Text"`.
    """

    code = "BK242"
    name = "invalid-log-format"
    summary = "A `[log] format` other than text or json stops buildkitd"
    severity = Severity.ERROR
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[log]\nformat = "JSON"\n',
        "[log]\r\nformat = 'Text' # for journald\r\nlevel = \"info\"\r\n",
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("log", "format")
        if entry is None or not isinstance(entry.value, str) or entry.value in ("", *LOG_FORMATS):
            return
        fix = None
        if entry.value.lower() in LOG_FORMATS:
            raw = doc.slice(entry.node.value_start, entry.node.value_end)
            fix = Fix(
                f"use {entry.value.lower()!r}",
                (Edit(doc.value_span(entry.node), toml_text.string(entry.value.lower(), raw[:1])),),
                "safe",
            )
        yield self.finding(
            f'log format {entry.value!r} stops buildkitd at start-up (`unsupported log type`); use "text" or '
            '"json" (case-sensitive)',
            doc.value_span(entry.node),
            fix=fix,
        )


def _tls_configured(decoded: Decoded) -> bool:
    return bool(decoded.value("grpc", "tls", "cert")) and bool(decoded.value("grpc", "tls", "key"))


def _tcp_host(address: str) -> str:
    rest = address.split("://", 1)[1]
    if rest.startswith("["):
        return rest[1 : rest.find("]")] if "]" in rest else rest
    return rest.rsplit(":", 1)[0] if ":" in rest else rest


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register
class InvalidGrpcAddress(Rule):
    """Checks each `grpc.address` for a scheme buildkitd can listen on.

    **Why**: every address needs `scheme://`: `unix://PATH`, `tcp://HOST:PORT`, the bare
    `fd://` (systemd socket activation) or `npipe://` (Windows). Without `://` buildkitd
    stops with `address … does not contain proto, you meant unix://… ?`; any other scheme
    (including `TCP://` — case matters) with `addr … not supported`; `fd://3` with
    `not supported yet`. One failing listener aborts the start.

    **Bad**: `address = ["/run/buildkit/buildkitd.sock", "fd://3"]`

    **Good**: `address = ["unix:///run/buildkit/buildkitd.sock"]`

    **Fix** (safe): prefix a bare absolute path with `unix://`, as buildkitd's own message
    suggests.
    """

    code = "BK243"
    name = "invalid-grpc-address"
    summary = "A `grpc.address` buildkitd cannot listen on (no or unknown scheme, `fd://N`)"
    severity = Severity.ERROR
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[grpc]\naddress = ["/run/buildkit/buildkitd.sock"]\n',
        "[grpc]\r\naddress = [\r\n  '/run/user/1000/buildkit/buildkitd.sock', # rootless\r\n  \"tcp://127.0.0.1:1234\",\r\n]\r\n",
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for value, node in _string_items(decoded.entry("grpc", "address")):
            span = doc.value_span(node)
            if "://" not in value:
                fix = None
                if value.startswith("/"):
                    raw = doc.slice(node.value_start, node.value_end)
                    fix = Fix(
                        "prefix with unix://", (Edit(span, toml_text.string("unix://" + value, raw[:1])),), "safe"
                    )
                yield self.finding(
                    f"address {value!r} has no scheme: buildkitd stops at start-up; write `unix://{value}` or "
                    "`tcp://host:port`",
                    span,
                    fix=fix,
                )
                continue
            scheme, rest = value.split("://", 1)
            if scheme not in ("unix", "tcp", "fd", "npipe"):
                hint = (
                    f" (schemes are case-sensitive: `{scheme.lower()}://`)"
                    if scheme.lower() in ("unix", "tcp")
                    else ""
                )
                yield self.finding(
                    f"address {value!r}: buildkitd only listens on unix://, tcp://, fd:// and npipe://{hint}; it stops "
                    "at start-up",
                    span,
                )
            elif scheme == "fd" and rest:
                yield self.finding(
                    f"address {value!r}: only the bare `fd://` (all sockets passed by systemd) is supported; buildkitd "
                    "stops with `not supported yet`",
                    span,
                )
            elif scheme == "tcp" and (not rest or ":" not in rest):
                yield self.finding(
                    f"address {value!r} needs a port (`tcp://host:port`); listening fails at start-up",
                    span,
                )


@register
class TcpWithoutTls(Rule):
    """Checks for a `tcp://` listener on a non-loopback address without `[grpc.tls]`.

    **Why**: buildkitd accepts it with only a log warning (`TLS is not enabled for …`), but
    anyone who can reach the port can run builds — with `security.insecure` or
    `network.host` entitlements, or through mounts of the daemon's cache, that is root on the
    host. Set `grpc.tls.cert` and `grpc.tls.key` (and `ca` for client certificates), or
    listen on 127.0.0.1 only.

    **Bad**: `address = ["tcp://0.0.0.0:1234"]` without `[grpc.tls]`
    """

    code = "BK244"
    name = "tcp-without-tls"
    summary = "A TCP listener on a non-loopback address without TLS"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        if _tls_configured(decoded) or _has_flag(ctx, "--tlscert"):
            return
        for value, node in _string_items(decoded.entry("grpc", "address")):
            if not value.startswith("tcp://"):
                continue
            host = _tcp_host(value)
            if _is_loopback_name(host):
                continue
            yield self.finding(
                f"{value!r} accepts unauthenticated connections from the network (no `[grpc.tls]` cert/key): anyone "
                "who reaches it can run builds as the daemon",
                doc.value_span(node),
            )


@register
class DebugAddressExposed(Rule):
    """Checks that `grpc.debugAddress` listens on loopback only.

    **Why**: the debug listener serves Go's pprof and trace handlers (heap and goroutine
    dumps, CPU profiles, request traces) over plain HTTP with no authentication. On
    `0.0.0.0:6060` or `:6060` anyone who reaches the port can read the daemon's memory
    profile and slow it down with profiling. BuildKit's documented full example uses
    `0.0.0.0:6060`, so it is copied often.

    **Bad**: `debugAddress = "0.0.0.0:6060"` — **Good**: `debugAddress = "127.0.0.1:6060"`
    (and reach it with `kubectl port-forward` or `docker exec`).
    """

    code = "BK258"
    name = "debug-address-exposed"
    summary = "The unauthenticated debug (pprof) listener is reachable from the network"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("grpc", "debugAddress")
        if entry is None or not isinstance(entry.value, str) or not entry.value:
            return
        value = entry.value
        if "://" in value and not value.startswith("tcp://"):
            return  # unix:// and friends are local
        host = _tcp_host(value if "://" in value else f"tcp://{value}")
        if _is_loopback_name(host):
            return
        where = "every interface" if host in ("", "0.0.0.0", "::") else f"`{host}`"
        yield self.finding(
            f"`debugAddress = {value!r}` serves pprof and trace data without authentication on {where}; "
            "bind it to 127.0.0.1 (or leave it unset)",
            doc.value_span(entry.node),
        )


@register
class InvalidNameserver(Rule):
    """Checks that `dns.nameservers` are bare IP addresses.

    **Why**: buildkitd writes these into every build container's resolv.conf and parses
    each as an IP address (`netip.ParseAddr`). A host name or an `ip:port` makes **every RUN
    step** fail with `bad nameserver address` (v0.24+; see
    https://github.com/moby/buildkit/issues/6001), while the daemon itself starts fine.

    **Bad**: `nameservers = ["dns.google", "1.1.1.1:53"]`

    **Good**: `nameservers = ["8.8.8.8", "1.1.1.1"]`

    **Fix** (safe): drop the `:53` port from an IPv4 `ip:port`.
    """

    code = "BK246"
    name = "invalid-nameserver"
    summary = "A DNS nameserver that is not an IP address; every RUN step fails"
    severity = Severity.ERROR
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[dns]\nnameservers = ["1.1.1.1:53", "8.8.8.8"]\n',
        '[dns]\r\nnameservers = ["10.0.0.2:53"] # VPC resolver\r\noptions = ["edns0"]\r\n',
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for value, node in _string_items(decoded.entry("dns", "nameservers")):
            if _parse_ip(value) is not None:
                continue
            fix = None
            m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):53", value)
            if m and _parse_ip(m.group(1)) is not None:
                raw = doc.slice(node.value_start, node.value_end)
                fix = Fix(
                    "drop the port",
                    (Edit(doc.value_span(node), toml_text.string(m.group(1), raw[:1])),),
                    "safe",
                )
            yield self.finding(
                f"nameserver {value!r} is not an IP address: every RUN step fails with `bad nameserver address` "
                "(no host names, no ports)",
                doc.value_span(node),
                fix=fix,
            )


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0] if ":" in text else text)
    except ValueError:
        return None


@register
class LoopbackNameserver(Rule):
    """Checks for loopback addresses in `dns.nameservers`.

    **Why**: nameservers from `[dns]` are copied into build containers unfiltered. Unless
    the build uses host networking, a container has its own loopback interface, so
    `127.0.0.53` (systemd-resolved) or `127.0.0.1` answers nothing and name resolution fails.
    (Without `[dns]`, BuildKit drops loopback servers from the host's resolv.conf itself and
    falls back to 8.8.8.8/8.8.4.4.)

    See https://github.com/moby/buildkit/issues/1674.
    """

    code = "BK247"
    name = "loopback-nameserver"
    summary = "A loopback nameserver is unreachable from build containers"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for value, node in _string_items(decoded.entry("dns", "nameservers")):
            ip = _parse_ip(value)
            if ip is None or not ip.is_loopback:
                continue
            yield self.finding(
                f"nameserver {value} is a loopback address: build containers with their own network namespace cannot "
                "reach it; use an address reachable from the build network",
                doc.value_span(node),
            )


@register
class UnknownEntitlement(Rule):
    """Checks `insecure-entitlements` names.

    **Why**: only `network.host`, `security.insecure` and `device` exist (case-sensitive).
    In the file, other strings are dropped without a word (`supportedEntitlements`), so the
    build that needs them fails with `granting entitlement … is not allowed by build daemon
    configuration`. (The same names passed as `--allow-insecure-entitlement` flags stop the
    daemon.) `device` is added automatically while CDI is enabled, so listing it is
    redundant unless `[cdi] disabled = true` (information).

    **Bad**: `insecure-entitlements = ["network-host", "security.insecure"]`

    **Fix** (safe): correct the separator or case of a known name.
    """

    code = "BK248"
    name = "unknown-entitlement"
    summary = "An entitlement name buildkitd silently drops"
    severity = Severity.WARNING
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        'insecure-entitlements = ["network-host", "security.insecure"]\n',
        "# CI builder\r\ninsecure-entitlements = ['Security.Insecure', \"network_host\"] # both\r\n",
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        cdi_disabled = decoded.value("cdi", "disabled") is True
        for value, node in _string_items(decoded.entry("insecure-entitlements")):
            span = doc.value_span(node)
            if value == "device":
                if not cdi_disabled:
                    yield self.finding(
                        "`device` is granted automatically while CDI is enabled; listing it changes nothing",
                        span,
                        severity=Severity.INFO,
                    )
                continue
            if value in ENTITLEMENTS:
                continue
            norm = value.lower().replace("-", ".").replace("_", ".")
            target = next((e for e in ENTITLEMENTS if e == norm), None)
            fix = None
            if target is not None:
                raw = doc.slice(node.value_start, node.value_end)
                fix = Fix(f"use {target!r}", (Edit(span, toml_text.string(target, raw[:1])),), "safe")
            hint = f"; did you mean {target!r}?" if target else f" (known: {', '.join(ENTITLEMENTS)})"
            yield self.finding(
                f"entitlement {value!r} does not exist: buildkitd drops it silently{hint}",
                span,
                fix=fix,
            )


def platform_problem(spec: str) -> tuple[str, bool] | None:
    """(why, fatal) for a platform string, following containerd's ``platforms.Parse``."""
    if "*" in spec:
        return "wildcards are not supported", True
    parts = spec.split("/", 3)
    if len(parts) > 3:
        return "a platform has at most three parts (os/arch/variant)", True
    if not _PLATFORM_OS.match(parts[0]):
        return f"`{parts[0]}` is not a valid OS component", True
    for part in parts[1:]:
        if not _PLATFORM_PART.match(part):
            return f"`{part}` is not a valid component (letters, digits, `_`, `.`, `-`)", True
    os_name = parts[0].split("(", 1)[0].lower()
    if len(parts) == 1:
        arch = _ARCH_ALIASES.get(os_name, os_name)
        if os_name in _KNOWN_OS or arch in _KNOWN_ARCH:
            return None
        return "it is neither a known operating system nor a known architecture", True
    arch = parts[1].lower()
    arch = _ARCH_ALIASES.get(arch, arch)
    if os_name not in (*_KNOWN_OS, "macos"):
        return f"`{parts[0]}` is not a known operating system", False
    if arch not in _KNOWN_ARCH:
        return f"`{parts[1]}` is not a known architecture", False
    return None


@register
class InvalidPlatform(Rule):
    """Checks `platforms` of both workers with containerd's platform parser.

    **Why**: the worker parses each entry with `platforms.Parse` when it starts; a malformed
    one (`linux/amd64/v2/x`, `linux amd64`, `*`, `amd65`) stops buildkitd with `invalid
    platform`. Well-formed names with an unknown OS or architecture (`linux/amd65`) load but
    advertise a platform no build can use (warning).

    **Good**: `platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]`
    """

    code = "BK249"
    name = "invalid-platform"
    summary = "A worker platform string buildkitd cannot parse"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for worker in WORKERS:
            for value, node in _string_items(decoded.entry("worker", worker, "platforms")):
                problem = platform_problem(value)
                if problem is None:
                    continue
                why, fatal = problem
                if fatal:
                    message = (
                        f"platform {value!r}: {why}; the {worker} worker fails to start (`invalid platform`)"
                    )
                else:
                    message = (
                        f"platform {value!r}: {why}; the worker advertises a platform no build can match"
                    )
                yield self.finding(
                    message,
                    doc.value_span(node),
                    severity=None if fatal else Severity.WARNING,
                )


@register
class NegativeHistoryLimit(Rule):
    """Checks that `[history]` limits are not negative.

    **Why**: a negative `maxEntries` reaches a slice expression with a negative index in the
    history GC (`records[maxEntries:]`): a Go runtime panic in buildkitd (error). A negative
    `maxAge` makes every record "too old" as soon as the entry limit allows (warning).
    """

    code = "BK250"
    name = "negative-history-limit"
    summary = "A negative `history.maxEntries` (crash) or `maxAge`"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entries = decoded.entry("history", "maxEntries")
        if entries is not None and isinstance(entries.value, int) and entries.value < 0:
            yield self.finding(
                f"`maxEntries = {entries.value}` is negative: buildkitd's history cleanup indexes a list with it and "
                "panics",
                doc.value_span(entries.node),
            )
        age = decoded.entry("history", "maxAge")
        if age is not None and isinstance(age.value, int) and age.value < 0:
            yield self.finding(
                "a negative `maxAge` makes every build record expire immediately (beyond `maxEntries`)",
                doc.value_span(age.node),
                severity=Severity.WARNING,
            )


@register
class HistoryTableIncomplete(Rule):
    """Checks that a `[history]` table sets both `maxAge` and `maxEntries`.

    **Why**: the defaults (48 h, 50 records) apply only when the `[history]` table is absent.
    A table with one key leaves the other at 0: `maxEntries = 100` alone deletes every record
    beyond the newest 100 regardless of age, and `maxAge = "168h"` alone keeps no minimum
    number of records, deleting everything older than a week (§5.9 of the reference).

    **Bad**
    ```toml
    [history]
    maxAge = "168h"
    ```

    **Good**
    ```toml
    [history]
    maxAge = "168h"
    maxEntries = 50
    ```
    """

    code = "BK251"
    name = "history-table-incomplete"
    summary = "`[history]` with one key zeroes the other"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        if not decoded.has_table("history"):
            return
        age = decoded.entry("history", "maxAge")
        entries = decoded.entry("history", "maxEntries")
        if (age is None) == (entries is None):
            return
        if age is not None:
            yield self.finding(
                "`[history]` sets `maxAge` but not `maxEntries`, which becomes 0 (the default 50 applies only "
                "without a `[history]` table): no minimum number of records is kept",
                doc.node_span(age.node),
            )
        elif entries is not None and isinstance(entries.value, int) and entries.value >= 0:
            yield self.finding(
                "`[history]` sets `maxEntries` but not `maxAge`, which becomes 0 (the default 48h applies only "
                "without a `[history]` table): records beyond the newest "
                f"{entries.value} are deleted regardless of age",
                doc.node_span(entries.node),
            )


@register
class UnknownSnapshotter(Rule):
    """Checks the OCI worker's `snapshotter` name.

    **Why**: the OCI worker knows `auto`, `overlayfs`, `native`, `fuse-overlayfs` and
    `stargz` (case-sensitive); anything else stops buildkitd with `unknown snapshotter name`.
    `overlay` is Docker's name; here it is `overlayfs`. Skipped when `proxySnapshotterPath`
    is set (the name then labels an external snapshotter). The containerd worker's
    snapshotter is any name containerd knows and is not checked.

    **Bad**: `snapshotter = "overlay"` — **Good**: `snapshotter = "overlayfs"`

    **Fix** (safe): `overlay`/`overlay2` → `overlayfs`, or the right case of a known name.
    """

    code = "BK252"
    name = "unknown-snapshotter"
    summary = "An OCI worker snapshotter name buildkitd does not know"
    severity = Severity.ERROR
    fixable = True
    fix_examples: ClassVar[tuple[str, ...]] = (
        '[worker.oci]\nsnapshotter = "overlay2"\n',
        "[worker.oci]\r\nenabled = true\r\nsnapshotter = 'Native' # no overlay on this kernel\r\n",
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("worker", "oci", "snapshotter")
        if entry is None or not isinstance(entry.value, str) or entry.value in ("", *OCI_SNAPSHOTTERS):
            return
        if decoded.value("worker", "oci", "proxySnapshotterPath"):
            return
        low = entry.value.lower()
        target = "overlayfs" if low in ("overlay", "overlay2") else (low if low in OCI_SNAPSHOTTERS else None)
        fix = None
        if target is not None:
            raw = doc.slice(entry.node.value_start, entry.node.value_end)
            fix = Fix(
                f"use {target!r}", (Edit(doc.value_span(entry.node), toml_text.string(target, raw[:1])),), "safe"
            )
        hint = f"; did you mean {target!r}?" if target else f" (known: {', '.join(OCI_SNAPSHOTTERS)})"
        yield self.finding(
            f"snapshotter {entry.value!r} stops buildkitd at start-up (`unknown snapshotter name`){hint}",
            doc.value_span(entry.node),
            fix=fix,
        )


@register
class ContainerdRuntimeWithoutName(Rule):
    """Checks that `[worker.containerd.runtime]` sets `name`.

    **Why**: when `runtime.name` is empty, buildkitd replaces the **whole** runtime table by
    `{name = "io.containerd.runc.v2"}` (`applyContainerdFlags`), so `path` and `options`
    written next to it are silently dropped.

    **Bad**
    ```toml
    [worker.containerd.runtime]
    options = { BinaryName = "crun" }
    ```

    **Good**
    ```toml
    [worker.containerd.runtime]
    name = "io.containerd.runc.v2"
    options = { BinaryName = "crun" }
    ```

    No automatic fix: adding the name makes the dropped settings apply, which you should
    decide on.
    """

    code = "BK253"
    name = "containerd-runtime-without-name"
    summary = "A containerd `runtime` table without `name` loses `path` and `options`"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        if not decoded.has_table("worker", "containerd", "runtime"):
            return
        if decoded.value("worker", "containerd", "runtime", "name"):
            return
        lost = [k for k in ("path", "options") if decoded.value("worker", "containerd", "runtime", k)]
        if not lost:
            return
        nodes = decoded.tables[("worker", "containerd", "runtime")]
        yield self.finding(
            f"without `name`, buildkitd replaces this runtime table by the default runtime and drops "
            f'{" and ".join(f"`{k}`" for k in lost)}; add `name = "io.containerd.runc.v2"`',
            doc.node_span(nodes[0]),
        )


@register
class GhaSignWithoutVerify(Rule):
    """Checks that GHA cache signing comes with `verify.required = true`.

    **Why**: the signature verifier is only created when `[cache.gha.verify] required =
    true`. With `sign.command` set and no verifier, exporting cache signs the index and then
    calls a nil verifier function: the export crashes (§5.14 of the reference).

    **Good**
    ```toml
    [cache.gha.sign]
    command = ["cosign", "sign-blob", "--yes", "--bundle", "/dev/stdout", "-"]
    [cache.gha.verify]
    required = true
    ```
    """

    code = "BK254"
    name = "gha-sign-without-verify"
    summary = "`cache.gha.sign.command` without `verify.required = true` crashes cache export"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("cache", "gha", "sign", "command")
        if entry is None or not entry.value:
            return
        if decoded.value("cache", "gha", "verify", "required") is True:
            return
        yield self.finding(
            "signing GHA cache needs `[cache.gha.verify] required = true`: without it the verifier is never created "
            "and exporting signed cache crashes",
            doc.node_span(entry.node),
        )


@register
class GatewayFrontendDisabled(Rule):
    """Explains what `frontend."gateway.v0".enabled = false` turns off.

    **Why**: the Dockerfile frontend forwards to `gateway.v0` whenever a Dockerfile starts
    with `# syntax=…` (and `docker buildx build` uses such external frontends for
    `BUILDKIT_SYNTAX` too). With the gateway disabled, those builds fail; Dockerfiles
    without a syntax line still build with the built-in frontend.
    """

    code = "BK255"
    name = "gateway-frontend-disabled"
    summary = "Disabling gateway.v0 also breaks Dockerfiles with `# syntax=`"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("frontend", "gateway.v0", "enabled")
        if entry is None or entry.value is not False:
            return
        yield self.finding(
            "with `gateway.v0` disabled, Dockerfiles that start with `# syntax=` fail to build (the Dockerfile "
            "frontend forwards them to the gateway)",
            doc.node_span(entry.node),
        )


_REF_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REF_DOMAIN = r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"^(?:{_REF_DOMAIN}/)?{_REF_COMPONENT}(?:/{_REF_COMPONENT})*(?::[\w][\w.-]{{0,127}})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{{32,}})?$"
)


def reference_problem(text: str) -> str | None:
    """Why ``reference.ParseNormalizedNamed`` rejects ``text``, or None."""
    if not text:
        return "it is empty"
    if re.fullmatch(r"[a-f0-9]{64}", text):
        return "a 64-character hex string is an image ID, not a repository"
    if "://" in text:
        return "a reference has no scheme"
    if not _REFERENCE.match(text):
        first, _, rest = text.partition("/")
        name = rest if rest and ("." in first or ":" in first or first == "localhost") else text
        if name.split("@", 1)[0].split(":", 1)[0] != name.split("@", 1)[0].split(":", 1)[0].lower():
            return "repository names must be lowercase"
        return "it is not a valid image reference"
    return None


@register
class InvalidAllowedRepository(Rule):
    """Checks `frontend."gateway.v0".allowedRepositories` entries.

    **Why**: each entry is parsed as an image reference (`reference.ParseNormalizedNamed`)
    when buildkitd starts; an invalid one (a scheme, capitals, spaces) stops the daemon.
    Tags and digests are stripped — only the repository is compared — and short names are
    normalised (`docker/dockerfile` → `docker.io/docker/dockerfile`).

    **Good**: `allowedRepositories = ["docker/dockerfile", "ghcr.io/acme/frontend"]`
    """

    code = "BK256"
    name = "invalid-allowed-repository"
    summary = "An `allowedRepositories` entry that is not an image reference stops buildkitd"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        for value, node in _string_items(decoded.entry("frontend", "gateway.v0", "allowedRepositories")):
            why = reference_problem(value)
            if why is None:
                continue
            yield self.finding(
                f"{value!r} is not a valid repository ({why}): buildkitd stops at start-up",
                doc.value_span(node),
            )


@register
class EntitlementsReplacedByBuildx(Rule):
    """Explains that buildx and setup-buildx-action usually replace `insecure-entitlements`.

    **Why**: the `--allow-insecure-entitlement` flag **replaces** the file's list. For the
    `docker-container` and `kubernetes` drivers, `docker buildx create` (v0.13+) adds
    `--allow-insecure-entitlement=network.host` whenever you pass no such flag yourself and
    the file's list lacks `network.host` (since v0.18 it checks the file). So
    `["security.insecure"]` alone ends up as only `network.host`. docker/setup-buildx-action
    goes further: without a `buildkitd-flags` input it always passes both
    `security.insecure` and `network.host` as flags, so the file's list never matters there.

    Nothing is wrong when the daemon is started directly with this file; this is information
    when the list lacks `network.host` (the buildx case) and is not reported when it already
    contains it. Pass the entitlements with `--buildkitd-flags` to be explicit.

    See https://github.com/docker/buildx/issues/2683 and
    https://github.com/docker/buildx/pull/2685.

    **Good**: `insecure-entitlements = ["network.host", "security.insecure"]`
    """

    code = "BK257"
    name = "entitlements-replaced-by-buildx"
    summary = "buildx replaces a file's `insecure-entitlements` without network.host"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        ready = ctx.parsed()
        if ready is None:
            return
        doc, decoded = ready
        entry = decoded.entry("insecure-entitlements")
        if entry is None or not isinstance(entry.value, list):
            return
        if any(t.split("=", 1)[0] == "--allow-insecure-entitlement" for t in _flags(ctx)):
            yield self.finding(
                "`--allow-insecure-entitlement` in the buildkitd flags replaces this list entirely",
                doc.node_span(entry.node),
                severity=Severity.WARNING,
            )
            return
        if "network.host" in entry.value or not entry.value:
            return
        yield self.finding(
            "under `docker buildx create` (docker-container/kubernetes drivers) this list is replaced by "
            "`--allow-insecure-entitlement=network.host` because it lacks `network.host`, and setup-buildx-action "
            "replaces it unless `buildkitd-flags` is set; add `network.host` or pass the entitlements as flags",
            doc.node_span(entry.node),
        )
