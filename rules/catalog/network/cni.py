"""BK265–BK267: CNI files and settings the network mode does not use."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import FLAGS_GIVEN, Finding, Rule, Severity, register
from bklint.rules.catalog.network.worker_settings import (
    effective_mode,
    report,
    shown_setting,
    string_setting,
    worker_key,
)
from bklint.rules.context import Context
from bklint.rules.daemon_flags.overlay import effective
from bklint.rules.schema.tree import WORKERS
from bklint.rules.startup import NEEDED_AT_START


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

    Severity: warning (bklint cannot see the builder's filesystem; the recorded start-up run
    fails with `stat /etc/buildkit/cni.json: no such file or directory`).

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
    triggers = ("worker.*.networkmode", FLAGS_GIVEN)
    summary = "cni network mode needs a CNI config and plugins where buildkitd runs, at start"
    severity = NEEDED_AT_START.severity

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            if effective_mode(eff, worker) != "cni":
                continue
            s = eff.get("worker", worker, "networkMode")
            if s is None:
                continue
            cs = eff.get("worker", worker, "cniConfigPath")
            if cs is not None and cs.flag is not None and cs.value == "":
                continue  # blanked by --oci-cni-config-path: BK509 says why
            conf = eff.value("worker", worker, "cniConfigPath") or "/etc/buildkit/cni.json"
            bins = eff.value("worker", worker, "cniBinaryPath") or "/opt/cni/bin"
            yield report(
                type(self),
                ctx,
                eff,
                s,
                f"{shown_setting(s, worker, 'networkMode')} needs the CNI config `{conf}` and the plugins it "
                f"names in `{bins}`: {NEEDED_AT_START.phrase}; the moby/buildkit image has neither (add them "
                "with a custom image or mounts), or use `bridge` mode (v0.13+), which works with the stock image",
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
    triggers = ("worker.*.cniconfigpath", FLAGS_GIVEN)
    summary = "cniConfigPath does not end in .conflist, .conf or .json"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = string_setting(eff, worker, "cniConfigPath")
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
            yield report(type(self), ctx, eff, s, f"{shown_setting(s, worker, 'cniConfigPath')}: {why}")


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
    triggers = ("worker.*.networkmode", FLAGS_GIVEN)
    summary = "bridge/CNI keys that the network mode does not use"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            mode = effective_mode(eff, worker)
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
                    f"`{worker_key(worker, key)}` has no effect in `{mode}` network mode{by}",
                    eff.span(ctx, "worker", worker, key),
                )
