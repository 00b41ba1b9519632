"""BK262–BK264: the bridge network's subnet, interface name and rootless use."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from bklint.rules.base import FLAGS_GIVEN, Finding, Rule, Severity, register
from bklint.rules.catalog.network.worker_settings import effective_mode, report, shown_setting, string_setting
from bklint.rules.context import Context
from bklint.rules.daemon_flags.overlay import FROM_FLAGS, Effective, effective
from bklint.rules.document import utf8
from bklint.rules.schema.tree import WORKERS

IFNAMSIZ = 16  # Linux interface names: at most 15 bytes plus the terminating NUL


def _bridge_severity(eff: Effective, worker: str) -> tuple[Severity, str]:
    if effective_mode(eff, worker) == "bridge":
        return Severity.ERROR, "the worker fails to start in bridge mode"
    return Severity.WARNING, "it is used only in bridge mode, where the worker would fail to start"


def _cidr_problem(text: str) -> str | None:
    """Why Go's ``net.ParseCIDR`` (host-local IPAM) refuses ``text``."""
    if "/" not in text:
        return "has no prefix length (e.g. `10.10.0.0/16`)"
    addr, _, prefix = text.partition("/")
    if not prefix.isascii() or not prefix.isdigit():
        return "has a prefix length that is not a number"
    try:
        ipaddress.ip_network(f"{addr}/{int(prefix)}", strict=False)
    except ValueError:
        return "is not an IPv4 or IPv6 network in CIDR notation"
    return None


@register
class InvalidBridgeSubnet(Rule):
    """Checks that `bridgeSubnet` is a network in CIDR notation (`10.10.0.0/16`).

    **Why**: in `bridge` mode buildkitd writes the subnet into the host-local IPAM section of
    the CNI config it generates; the plugin parses it when the first network namespace is
    set up at worker start, and a value that is not a CIDR stops the daemon. In other modes
    the key is unused, so the mistake stays hidden until someone switches to bridge.

    **Bad**
    ```toml
    [worker.oci]
    networkMode = "bridge"
    bridgeSubnet = "10.10.0.0"
    ```

    **Good**
    ```toml
    [worker.oci]
    networkMode = "bridge"
    bridgeSubnet = "10.10.0.0/16"
    ```
    """

    code = "BK262"
    name = "invalid-bridge-subnet"
    triggers = ("worker.*.bridgesubnet", FLAGS_GIVEN)
    summary = "bridgeSubnet is not a CIDR"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = string_setting(eff, worker, "bridgeSubnet")
            if s is None or s.value == "":
                continue
            problem = _cidr_problem(s.value)
            if problem is None:
                continue
            severity, when = _bridge_severity(eff, worker)
            yield report(
                type(self),
                ctx,
                eff,
                s,
                f"{shown_setting(s, worker, 'bridgeSubnet')} {problem}; {when}",
                severity=severity,
            )


@register
class InvalidBridgeName(Rule):
    """Checks that `bridgeName` is a valid Linux interface name.

    **Why**: Linux interface names hold at most 15 bytes (IFNAMSIZ is 16 with the NUL) and
    cannot contain `/`, `:` or white space; buildkitd also pastes the name unescaped into
    the JSON of the CNI config it generates, so a `"` or `\\` breaks that config. The bridge
    plugin then fails when the worker starts in `bridge` mode. The default is `buildkit0`.

    **Bad**
    ```toml
    [worker.oci]
    networkMode = "bridge"
    bridgeName = "buildkit-bridge-0"
    ```

    **Good**
    ```toml
    [worker.oci]
    networkMode = "bridge"
    bridgeName = "bkbr0"
    ```
    """

    code = "BK263"
    name = "invalid-bridge-name"
    triggers = ("worker.*.bridgename", FLAGS_GIVEN)
    summary = "bridgeName is too long or not a valid interface name"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = string_setting(eff, worker, "bridgeName")
            if s is None or s.value == "":
                continue
            name: str = s.value
            size = len(utf8(name))
            if size >= IFNAMSIZ:
                problem = f"is {size} bytes long; Linux interface names hold at most 15"
            elif name in (".", "..") or any(c in name for c in "/:") or any(c.isspace() for c in name):
                problem = "is not a valid Linux interface name (no `/`, `:`, white space, `.` or `..`)"
            elif any(c in name for c in '"\\'):
                problem = "contains a character that breaks the CNI config buildkitd generates"
            else:
                continue
            severity, when = _bridge_severity(eff, worker)
            yield report(
                type(self),
                ctx,
                eff,
                s,
                f"{shown_setting(s, worker, 'bridgeName')} {problem}; {when}",
                severity=severity,
            )


@register
class RootlessBridgeNetwork(Rule):
    """Checks for `bridge` or `cni` networking on a rootless worker.

    **Why**: a rootless buildkitd can only create bridges and veth pairs inside a network
    namespace that its user namespace owns, i.e. when RootlessKit gives it one
    (`rootlesskit --net=slirp4netns --copy-up=/etc --disable-host-loopback buildkitd`, or
    `--detach-netns` with RootlessKit 2+). With RootlessKit's default host network — the
    `moby/buildkit:rootless` image runs plain `rootlesskit buildkitd` — setting up the first
    network namespace fails at worker start (e.g. `permission denied`). `auto` turns into
    `host` on a rootless worker for this reason.

    **Bad**
    ```toml
    [worker.oci]
    rootless = true
    networkMode = "bridge"
    ```

    **Good**
    ```toml
    [worker.oci]
    rootless = true
    networkMode = "host"
    ```
    """

    code = "BK264"
    name = "rootless-bridge-network"
    triggers = ("worker.*.networkmode", FLAGS_GIVEN)
    summary = "bridge/cni networking on a rootless worker needs RootlessKit's own network namespace"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            mode = effective_mode(eff, worker)
            if mode not in ("bridge", "cni") or eff.rootless(worker) is not True:
                continue
            s = eff.get("worker", worker, "networkMode")
            if s is None:
                continue
            rs = eff.get("worker", worker, "rootless")
            how = "`rootless = true`"
            if rs is not None and rs.flag is not None:
                how = f"`{rs.flag.shown}`" + ("" if s.flag is not None else FROM_FLAGS)
            yield report(
                type(self),
                ctx,
                eff,
                s,
                f"{shown_setting(s, worker, 'networkMode')} with {how}: a rootless worker can set up {mode} "
                "networking only when RootlessKit gives buildkitd its own network namespace "
                "(`--net=slirp4netns --copy-up=/etc --disable-host-loopback`); under the default "
                "host network (the moby/buildkit:rootless image) the worker fails to start",
            )
