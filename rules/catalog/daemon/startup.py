"""BK245, BK259, BK268, BK269: what buildkitd needs to get through its start-up.

Each message uses the shared outcome phrases of `bklint.rules.startup`, and each claim is
backed by a recorded start-up run in tests/vectors/startup/.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from bklint.rules.base import Finding, ParsedRule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.startup import FAILS_AT_START, NEEDED_AT_START

CONTAINERD_SOCKET = "/run/containerd/containerd.sock"


@register
class NoWorker(ParsedRule):
    """Checks that buildkitd ends up with at least one worker.

    **Why**: `cmd/buildkitd/main.go` stops with `no worker found, rebuild the buildkit daemon?`
    when no worker initializer returned a worker. The OCI worker
    (`cmd/buildkitd/main_oci_worker.go`) is skipped when `[worker.oci] enabled = false`; the
    containerd worker (`cmd/buildkitd/main_containerd_worker.go`) is skipped when
    `enabled = false`, and when `enabled` is unset and its socket does not exist. With
    `enabled = true` it dials the containerd socket at start: without containerd there (a
    buildx docker-container builder, say) the daemon never answers and exits after about a
    minute (`dial unix:///run/containerd/containerd.sock: timeout`).

    **Bad**
    ```toml
    [worker.oci]
    enabled = false
    ```
    """

    code = "BK245"
    name = "no-worker"
    summary = "No worker is left, or the only workers need a containerd socket at start"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        flags = ctx.flags()
        given = [u for n in ("oci-worker", "containerd-worker") if flags and (u := flags.last(n)) is not None]
        if any(u.value.lower() != "false" for u in given):
            return
        oci = decoded.entry("worker", "oci", "enabled")
        ctd = decoded.entry("worker", "containerd", "enabled")
        address = decoded.value("worker", "containerd", "address") or CONTAINERD_SOCKET
        if oci is not None and oci.value is False and ctd is not None and ctd.value is False:
            yield self.finding(
                "both workers are disabled: " + FAILS_AT_START.phrase + " (`no worker found`)",
                doc.value_span(oci.node),
                related=((doc.value_span(ctd.node), "containerd worker disabled"),),
            )
        elif oci is not None and oci.value is False and ctd is None:
            yield self.finding(
                f"the OCI worker is disabled and the containerd worker is not enabled: {FAILS_AT_START.phrase} "
                f"(`no worker found`) unless a containerd socket exists at `{address}`",
                doc.value_span(oci.node),
            )
        elif ctd is not None and ctd.value is True:
            yield self.finding(
                f"the containerd worker needs containerd at `{address}`: {NEEDED_AT_START.phrase} (without it the "
                "daemon never answers and exits after about a minute)",
                doc.value_span(ctd.node),
                severity=NEEDED_AT_START.severity,
            )


@register
class DebugAddressWithoutPort(ParsedRule):
    """Checks that `grpc.debugAddress` is `host:port` or `unix://PATH`.

    **Why**: `cmd/buildkitd/main.go` opens the debug listener (`setupDebugHandlers` in
    `cmd/buildkitd/debug.go`) before serving; an address without `unix://` is a TCP address
    and needs a port. `debugAddress = "debug.sock"` stops the daemon with `listen tcp:
    address debug.sock: missing port in address`; `unix:///run/buildkit/debug.sock` starts.

    **Bad**: `debugAddress = "debug.sock"` — **Good**: `debugAddress = "unix:///run/buildkit/debug.sock"`
    """

    code = "BK259"
    name = "debug-address-without-port"
    summary = "A `grpc.debugAddress` that is neither `host:port` nor `unix://`; buildkitd refuses to start"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("grpc", "debugAddress")
        if entry is None or not isinstance(entry.value, str) or not entry.value:
            return
        value = entry.value
        if "://" in value:
            return
        host_port = value[1:].split("]", 1)[-1] if value.startswith("[") else value
        if ":" in host_port:
            return
        yield self.finding(
            f"`debugAddress = {value!r}` has no port and no `unix://`: {FAILS_AT_START.phrase} (`missing port in "
            f"address`); write `unix://{value}` or `127.0.0.1:6060`",
            doc.value_span(entry.node),
        )


@register
class UserRemapUser(ParsedRule):
    """Checks `userRemapUnsupported`, which names a user, not a mode.

    **Why**: the OCI worker (`cmd/buildkitd/main_oci_worker.go`) passes the value to
    `parseIdentityMapping` (`cmd/buildkitd/util_linux.go`): `USER` or `USER:GROUP`, whose
    subordinate ID ranges are read from `/etc/subuid` and `/etc/subgid` at start. A value
    with more than one `:` stops the daemon (`invalid userns remap specification`); a user
    that does not exist on the daemon's machine stops it too (`could not get user for
    username host`). Docker's `userns-remap = "default"` has no equivalent here, and `host`
    is just a user name.

    **Bad**: `userRemapUnsupported = "host"`
    """

    code = "BK268"
    name = "user-remap-user"
    summary = "`userRemapUnsupported` names a user (with subuid/subgid ranges) buildkitd looks up at start"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("worker", "oci", "userRemapUnsupported")
        if entry is None or not isinstance(entry.value, str) or not entry.value:
            return
        value = entry.value
        if value.count(":") > 1:
            yield self.finding(
                f"`userRemapUnsupported = {value!r}` is not `USER` or `USER:GROUP`: {FAILS_AT_START.phrase} "
                "(`invalid userns remap specification`)",
                doc.value_span(entry.node),
                severity=FAILS_AT_START.severity,
            )
            return
        user = value.split(":", 1)[0]
        hint = (
            f" (`{user}` is not a mode: Docker's `default`/`host` keywords do not exist here)"
            if user in ("host", "default")
            else ""
        )
        yield self.finding(
            f"`userRemapUnsupported` names the user `{user}`, whose ranges in /etc/subuid and /etc/subgid "
            f"{NEEDED_AT_START.phrase.replace('opens this', 'reads')}{hint}",
            doc.value_span(entry.node),
        )


def _missing_here(path: str) -> str:
    """A note when an absolute path is absent on this machine (only meaningful for a local daemon)."""
    if os.path.isabs(path) and not os.path.exists(path):
        return f"; `{path}` does not exist on this machine"
    return ""


def _severity(path: str) -> Severity:
    """Info when the file is here (a local daemon finds it), a warning when it must be provided."""
    return Severity.INFO if os.path.exists(path) else NEEDED_AT_START.severity


@register
class NeededAtStart(ParsedRule):
    """Names the files and sockets buildkitd opens when it starts.

    **Why**: `cmd/buildkitd/main.go` loads `grpc.tls` cert, key and CA before it listens
    (`open /etc/buildkit/tls.crt: no such file or directory`, BuildKit's own full example
    fails this way), and needs both cert and key when either is set. The OCI worker
    (`cmd/buildkitd/main_oci_worker.go`) stats the CNI plugins for `networkMode = "bridge"`
    (`stat /opt/cni/bin/bridge`) and the socket of `proxySnapshotterPath` at start. bklint
    cannot see the builder's filesystem, so this is a warning naming the file (info when it
    exists on this machine; BK313 reports a cert without key); `cni` mode's config file is
    BK265.

    **Bad** (on a machine without the files)
    ```toml
    [grpc.tls]
    cert = "/etc/buildkit/tls.crt"
    key = "/etc/buildkit/tls.key"
    ```
    """

    code = "BK269"
    name = "needed-at-start"
    summary = "A file or socket buildkitd opens at start and refuses to start without"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for name in ("cert", "key", "ca"):
            entry = decoded.entry("grpc", "tls", name)
            if entry is None or not isinstance(entry.value, str) or not entry.value:
                continue
            yield self.finding(
                f"`grpc.tls.{name}` `{entry.value}`: {NEEDED_AT_START.phrase}{_missing_here(entry.value)}",
                doc.value_span(entry.node),
                severity=_severity(entry.value),
            )
        mode = decoded.entry("worker", "oci", "networkMode")
        if mode is not None and mode.value == "bridge":
            bins = decoded.value("worker", "oci", "cniBinaryPath") or "/opt/cni/bin"
            yield self.finding(
                f'`networkMode = "bridge"` runs the CNI `bridge` plugin from `{bins}`: {NEEDED_AT_START.phrase} '
                "(the moby/buildkit image ships it)",
                doc.value_span(mode.node),
                severity=Severity.INFO,
            )
        proxy = decoded.entry("worker", "oci", "proxySnapshotterPath")
        if proxy is not None and isinstance(proxy.value, str) and proxy.value:
            yield self.finding(
                f"the proxy snapshotter socket `{proxy.value}`: {NEEDED_AT_START.phrase}{_missing_here(proxy.value)}",
                doc.value_span(proxy.node),
                severity=_severity(proxy.value),
            )
