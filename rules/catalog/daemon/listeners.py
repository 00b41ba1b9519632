"""BK243, BK244, BK258: the gRPC and debug listeners buildkitd opens."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules import toml_text
from bklint.rules.addresses import is_loopback_name
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.daemon.values import string_items
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded


def _tls_configured(decoded: Decoded) -> bool:
    return bool(decoded.value("grpc", "tls", "cert")) and bool(decoded.value("grpc", "tls", "key"))


def _tcp_host(address: str) -> str:
    rest = address.split("://", 1)[1]
    if rest.startswith("["):
        return rest[1 : rest.find("]")] if "]" in rest else rest
    return rest.rsplit(":", 1)[0] if ":" in rest else rest


@register
class InvalidGrpcAddress(ParsedRule):
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
    fix_examples = (
        '[grpc]\naddress = ["/run/buildkit/buildkitd.sock"]\n',
        "[grpc]\r\naddress = [\r\n  '/run/user/1000/buildkit/buildkitd.sock', # rootless\r\n  \"tcp://127.0.0.1:1234\",\r\n]\r\n",
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for value, node in string_items(decoded.entry("grpc", "address")):
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
class TcpWithoutTls(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        flags = ctx.flags()
        tlscert = flags.last("tlscert") if flags is not None else None
        if _tls_configured(decoded) or (tlscert is not None and tlscert.value):
            return
        for value, node in string_items(decoded.entry("grpc", "address")):
            if not value.startswith("tcp://"):
                continue
            host = _tcp_host(value)
            if is_loopback_name(host):
                continue
            yield self.finding(
                f"{value!r} accepts unauthenticated connections from the network (no `[grpc.tls]` cert/key): anyone "
                "who reaches it can run builds as the daemon",
                doc.value_span(node),
            )


@register
class DebugAddressExposed(ParsedRule):
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

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("grpc", "debugAddress")
        if entry is None or not isinstance(entry.value, str) or not entry.value:
            return
        value = entry.value
        if "://" in value and not value.startswith("tcp://"):
            return  # unix:// and friends are local
        host = _tcp_host(value if "://" in value else f"tcp://{value}")
        if is_loopback_name(host):
            return
        where = "every interface" if host in ("", "0.0.0.0", "::") else f"`{host}`"
        yield self.finding(
            f"`debugAddress = {value!r}` serves pprof and trace data without authentication on {where}; "
            "bind it to 127.0.0.1 (or leave it unset)",
            doc.value_span(entry.node),
        )
