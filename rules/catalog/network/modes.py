"""BK260–BK261: the network mode and the CNI pool size."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from bklint.rules.base import FLAGS_GIVEN, Edit, Finding, Fix, Rule, Severity, register
from bklint.rules.catalog.network.worker_settings import report, shown_setting, string_setting
from bklint.rules.context import Context
from bklint.rules.daemon_flags.overlay import effective
from bklint.rules.daemon_flags.table import target_minor
from bklint.rules.schema.tree import NETWORK_MODES, WORKERS


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
    triggers = ("worker.*.networkmode", FLAGS_GIVEN)
    summary = "networkMode is not auto, host, bridge or cni"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[worker.oci]\nnetworkMode = "Host"\n',
        "[worker.containerd]\r\nnetworkMode = 'CNI' # plugins in /opt/cni/bin\r\n",
        {"text": '[worker.oci]\nnetworkMode = "Bridge"\n', "target_version": "v0.13"},
    )

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        minor = target_minor(ctx)
        for worker in WORKERS:
            s = string_setting(eff, worker, "networkMode")
            if s is None:
                continue
            value = s.value
            what = shown_setting(s, worker, "networkMode")
            if value in ("", "auto", "host", "cni"):
                continue
            if value == "bridge":
                if minor is not None and minor < 13:
                    yield report(
                        type(self),
                        ctx,
                        eff,
                        s,
                        f"{what}: `bridge` mode was added in buildkitd v0.13.0; the target version "
                        f"{ctx.settings.target_version} refuses to start (`invalid network mode`)",
                    )
                continue
            fix = None
            if value.lower() in NETWORK_MODES:
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
                close = difflib.get_close_matches(value.lower(), NETWORK_MODES, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else "use auto, host, bridge or cni"
            yield report(
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
    triggers = ("worker.*.cnipoolsize", FLAGS_GIVEN)
    summary = "cniPoolSize is negative (same as 0)"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        for worker in WORKERS:
            s = eff.get("worker", worker, "cniPoolSize")
            if s is None or not isinstance(s.value, int) or s.value >= 0:
                continue
            yield report(
                type(self),
                ctx,
                eff,
                s,
                f"{shown_setting(s, worker, 'cniPoolSize')}: a negative pool size is the same as 0 — no "
                "network namespaces are created ahead; use 0 or a positive size",
            )
