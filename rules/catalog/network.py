"""BK260–BK279: build-container networking (network mode, CNI, bridge) of both workers.

The rules read the effective config (``bklint.rules.flags.effective``): a value a daemon
flag sets (``--oci-worker-net=cni``) is judged like one written in the file, reported at
the file start and marked "(from --buildkitd-flags)".
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable
from typing import ClassVar

from bklint.rules.base import FILE_START, Edit, Finding, Fix, Rule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import utf8
from bklint.rules.flags import FROM_FLAGS, Effective, Setting, effective, flag_finding, target_minor

WORKERS = ("oci", "containerd")
MODES = ("auto", "host", "bridge", "cni")
# Unrendered template placeholders (envsubst, Helm, Actions): the daemon never sees them.
_TEMPLATE = re.compile(r"\$\{|\$[A-Za-z_]|\{\{")
IFNAMSIZ = 16  # Linux interface names: at most 15 bytes plus the terminating NUL


def _key(worker: str, name: str) -> str:
    return f"worker.{worker}.{name}"


def _what(s: Setting, worker: str, name: str) -> str:
    """How a message names the setting: the flag as given, or ``key = value``."""
    if s.flag is not None:
        return f"`{s.flag.shown}`"
    value = s.value
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    return f"`{_key(worker, name)} = {shown}`"


def _report(
    rule: type[Rule],
    ctx: Context,
    eff: Effective,
    s: Setting,
    message: str,
    *,
    fix: Fix | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding on the file value, or at the file start for a value set by a flag."""
    if s.flag is not None:
        finding = rule.finding(message + eff.note(*s.path), FILE_START, severity=severity)
        return flag_finding(finding, s.flag)
    return rule.finding(message, eff.span(ctx, *s.path), fix=fix, severity=severity)


def _string(eff: Effective, worker: str, name: str) -> Setting | None:
    s = eff.get("worker", worker, name)
    if s is None or not isinstance(s.value, str) or _TEMPLATE.search(s.value):
        return None
    return s


def _mode(eff: Effective, worker: str) -> str | None:
    """The effective mode, or None when it is an unrendered template or not a valid mode."""
    s = eff.get("worker", worker, "networkMode")
    if s is None:
        return "auto"
    if not isinstance(s.value, str) or _TEMPLATE.search(s.value):
        return None
    value = s.value or "auto"
    return value if value in MODES else None


@register
class InvalidNetworkMode(Rule):
    """Checks that `networkMode` (or `--oci-worker-net` / `--containerd-worker-net`) is one
    of `auto`, `host`, `bridge`, `cni`.

    **Why**: buildkitd compares the mode with these exact lower-case strings when the worker
    starts (`netproviders.Providers`); anything else — `Host`, `none`, `bridged` — stops the
    daemon with `invalid network mode: "…"`. `bridge` exists since v0.13.0. An empty string
    means `auto`. Per-build network isolation (`RUN --network=none`) is chosen by the build,
    not here.

    **Bad**
    ```toml
    [worker.oci]
    networkMode = "Host"
    ```

    **Good**
    ```toml
    [worker.oci]
    networkMode = "host"
    ```

    **Fix** (safe): when the value differs from a valid mode only in case, lower-case it —
    the only value the daemon could have meant.
    """

    code = "BK260"
    name = "invalid-network-mode"
    summary = "networkMode is not auto, host, bridge or cni"
    severity = Severity.ERROR
    fixable = True
    fix_examples: ClassVar[tuple[str | dict[str, str], ...]] = (
        '[worker.oci]\nnetworkMode = "Host"\n',
        "[worker.containerd]\r\nnetworkMode = 'CNI' # plugins in /opt/cni/bin\r\n",
        {"text": '[worker.oci]\nnetworkMode = "Bridge"\n', "target_version": "v0.13"},
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        minor = target_minor(ctx)
        for worker in WORKERS:
            s = _string(eff, worker, "networkMode")
            if s is None:
                continue
            value = s.value
            what = _what(s, worker, "networkMode")
            if value in ("", "auto", "host", "cni"):
                continue
            if value == "bridge":
                if minor is not None and minor < 13:
                    yield _report(
                        type(self),
                        ctx,
                        eff,
                        s,
                        f"{what}: `bridge` mode was added in buildkitd v0.13.0; the target version "
                        f"{ctx.settings.target_version} refuses to start (`invalid network mode`)",
                    )
                continue
            fix = None
            if value.lower() in MODES:
                hint = f'did you mean `"{value.lower()}"`? The mode is case-sensitive'
                too_old = value.lower() == "bridge" and minor is not None and minor < 13
                if too_old:
                    hint += (
                        f" (and `bridge` needs v0.13.0; the target version is {ctx.settings.target_version})"
                    )
                if s.entry is not None and ctx.doc is not None and not too_old:
                    node = s.entry.node
                    quote = ctx.doc.text[node.value_start : node.value_start + 1]
                    quote = quote if quote in ("'", '"') else '"'
                    fix = Fix(
                        f'Use "{value.lower()}"',
                        (Edit(ctx.doc.value_span(node), f"{quote}{value.lower()}{quote}"),),
                    )
            elif value.lower() in ("none", "isolated", "off"):
                hint = (
                    "there is no such worker mode: isolation per step is `RUN --network=none`; use `auto`, "
                    "`host`, `bridge` or `cni`"
                )
            else:
                close = difflib.get_close_matches(value.lower(), MODES, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else "use auto, host, bridge or cni"
            yield _report(
                type(self),
                ctx,
                eff,
                s,
                f'{what}: buildkitd refuses to start (`invalid network mode: "{value}"`); {hint}',
                fix=fix,
            )


@register
class NegativeCniPoolSize(Rule):
    """Checks for a negative `cniPoolSize`.

    **Why**: the pool of pre-created network namespaces (`util/network/netpool`) fills up to
    this size; a negative size behaves exactly like 0 (nothing is created ahead, namespaces
    are made on demand), so the value is a mistake for 0 or for a positive size.

    **Bad**
    ```toml
    [worker.oci]
    cniPoolSize = -1
    ```

    **Good**
    ```toml
    [worker.oci]
    cniPoolSize = 16
    ```
    """

    code = "BK261"
    name = "negative-cni-pool-size"
    summary = "cniPoolSize is negative (same as 0)"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = eff.get("worker", worker, "cniPoolSize")
            if s is None or not isinstance(s.value, int) or s.value >= 0:
                continue
            yield _report(
                type(self),
                ctx,
                eff,
                s,
                f"{_what(s, worker, 'cniPoolSize')}: a negative pool size is the same as 0 — no "
                "network namespaces are created ahead; use 0 or a positive size",
            )


def _bridge_severity(eff: Effective, worker: str) -> tuple[Severity, str]:
    if _mode(eff, worker) == "bridge":
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
    summary = "bridgeSubnet is not a CIDR"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = _string(eff, worker, "bridgeSubnet")
            if s is None or s.value == "":
                continue
            problem = _cidr_problem(s.value)
            if problem is None:
                continue
            severity, when = _bridge_severity(eff, worker)
            yield _report(
                type(self),
                ctx,
                eff,
                s,
                f"{_what(s, worker, 'bridgeSubnet')} {problem}; {when}",
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
    summary = "bridgeName is too long or not a valid interface name"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = _string(eff, worker, "bridgeName")
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
            yield _report(
                type(self),
                ctx,
                eff,
                s,
                f"{_what(s, worker, 'bridgeName')} {problem}; {when}",
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
    summary = "bridge/cni networking on a rootless worker needs RootlessKit's own network namespace"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            mode = _mode(eff, worker)
            if mode not in ("bridge", "cni") or eff.rootless(worker) is not True:
                continue
            s = eff.get("worker", worker, "networkMode")
            if s is None:
                continue
            rs = eff.get("worker", worker, "rootless")
            how = "`rootless = true`"
            if rs is not None and rs.flag is not None:
                how = f"`{rs.flag.shown}`" + ("" if s.flag is not None else FROM_FLAGS)
            yield _report(
                type(self),
                ctx,
                eff,
                s,
                f"{_what(s, worker, 'networkMode')} with {how}: a rootless worker can set up {mode} "
                "networking only when RootlessKit gives buildkitd its own network namespace "
                "(`--net=slirp4netns --copy-up=/etc --disable-host-loopback`); under the default "
                "host network (the moby/buildkit:rootless image) the worker fails to start",
            )


@register
class CniModeNeedsFiles(Rule):
    """Explains what `cni` network mode needs inside the builder.

    **Why**: in `cni` mode buildkitd reads the CNI config at `cniConfigPath` (default
    `/etc/buildkit/cni.json`) and runs the plugins it names from `cniBinaryPath` (default
    `/opt/cni/bin`) when the worker starts; a missing file or directory stops the daemon
    (`failed to read cni config "…"`). The `moby/buildkit` image ships neither — it only
    carries the `buildkit-cni-*` plugins that `bridge` mode (v0.13+) uses with a config it
    generates itself. With buildx's docker-container or kubernetes drivers, `cni` therefore
    needs a custom image or mounted files; `bridge` gives build containers their own network
    with the stock image.

    Severity: warning when the mode comes from daemon flags (typically a buildx builder on
    the stock image), info when it is written in the file.

    **Bad**
    ```toml
    [worker.oci]
    networkMode = "cni"
    ```

    **Good**
    ```toml
    [worker.oci]
    networkMode = "bridge"
    ```
    """

    code = "BK265"
    name = "cni-mode-needs-files"
    summary = "cni network mode needs a CNI config and plugins in the builder image"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            if _mode(eff, worker) != "cni":
                continue
            s = eff.get("worker", worker, "networkMode")
            if s is None:
                continue
            cs = eff.get("worker", worker, "cniConfigPath")
            if cs is not None and cs.flag is not None and cs.value == "":
                continue  # blanked by --oci-cni-config-path: BK509 says why
            conf = eff.value("worker", worker, "cniConfigPath") or "/etc/buildkit/cni.json"
            bins = eff.value("worker", worker, "cniBinaryPath") or "/opt/cni/bin"
            yield _report(
                type(self),
                ctx,
                eff,
                s,
                f"{_what(s, worker, 'networkMode')} needs the CNI config `{conf}` and the plugins it "
                f"names in `{bins}` inside the builder, or buildkitd fails to start; the moby/buildkit "
                "image has neither (add them with a custom image or mounts), or use `bridge` mode "
                "(v0.13+), which works with the stock image",
                severity=Severity.WARNING if s.flag is not None else Severity.INFO,
            )


@register
class CniConfigExtension(Rule):
    """Checks the file name of `cniConfigPath`.

    **Why**: buildkitd parses the file as a network configuration *list* only when its name
    ends in `.conflist` (exactly, lower case); any other name — `.json`, `.conf`, or
    something else — is parsed as a single network configuration, and a plugin list in it
    fails at worker start. A name with neither `.conflist`, `.conf` nor `.json` is usually a
    directory or a typo.

    **Bad**
    ```toml
    [worker.oci]
    cniConfigPath = "/etc/cni/net.d"
    ```

    **Good**
    ```toml
    [worker.oci]
    cniConfigPath = "/etc/cni/net.d/buildkit.conflist"
    ```
    """

    code = "BK266"
    name = "cni-config-extension"
    summary = "cniConfigPath does not end in .conflist, .conf or .json"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = _string(eff, worker, "cniConfigPath")
            if s is None or s.value == "":
                continue
            path: str = s.value
            if path.endswith((".conflist", ".conf", ".json")):
                continue
            if path.lower().endswith(".conflist"):
                why = "only a name ending in lower-case `.conflist` is read as a plugin list"
            else:
                why = (
                    "it is read as a single network config (`.conf`/`.json`); a plugin list needs a "
                    "`.conflist` name, and a directory is not accepted"
                )
            yield _report(type(self), ctx, eff, s, f"{_what(s, worker, 'cniConfigPath')}: {why}")


@register
class UnusedNetworkSettings(Rule):
    """Checks for bridge or CNI keys the effective network mode never reads.

    **Why**: `bridgeName` and `bridgeSubnet` are used only in `bridge` mode and
    `cniConfigPath` only in `cni` and `auto` mode (`auto` picks CNI when that file exists);
    under `host` — or another mode set by a flag — they silently do nothing, which usually
    means the mode is not what the author expected.

    **Bad**
    ```toml
    [worker.oci]
    networkMode = "host"
    bridgeSubnet = "10.20.0.0/16"
    ```

    **Good**
    ```toml
    [worker.oci]
    networkMode = "bridge"
    bridgeSubnet = "10.20.0.0/16"
    ```
    """

    code = "BK267"
    name = "unused-network-settings"
    summary = "bridge/CNI keys that the network mode does not use"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            mode = _mode(eff, worker)
            if mode is None or mode == "auto":
                continue
            ms = eff.get("worker", worker, "networkMode")
            by = (
                f" (the mode comes from `{ms.flag.shown}`{eff.note('worker', worker, 'networkMode')})"
                if ms is not None and ms.flag is not None
                else ""
            )
            unused = {
                "host": ("bridgeName", "bridgeSubnet", "cniConfigPath"),
                "cni": ("bridgeName", "bridgeSubnet"),
                "bridge": ("cniConfigPath",),
            }[mode]
            for key in unused:
                s = eff.get("worker", worker, key)
                if s is None or s.entry is None or s.flag is not None:
                    continue
                yield self.finding(
                    f"`{_key(worker, key)}` has no effect in `{mode}` network mode{by}",
                    eff.span(ctx, "worker", worker, key),
                )
