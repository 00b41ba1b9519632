"""BK508–BK513: flags that override, blank or cancel what the file says."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import FLAGS_GIVEN, Finding, Rule, Severity, register
from bklint.rules.catalog.flags.reporting import REFUSES, flag_report
from bklint.rules.context import Context
from bklint.rules.daemon_flags.flag_values import flag_value_error, go_parse_bool
from bklint.rules.daemon_flags.overlay import FROM_FLAGS, effective
from bklint.rules.daemon_flags.table import BUILDX_CONFIG_PATH
from bklint.rules.document import format_path
from bklint.rules.schema.tree import ENTITLEMENTS, WORKERS


@register
class ConfigFlagOverridesFile(Rule):
    """Checks for `--config` among the daemon flags.

    **Why**: when a builder gets a config file, buildx copies it to
    `/etc/buildkit/buildkitd.toml` in the container and puts `--config
    /etc/buildkit/buildkitd.toml` *before* the user's flags; a later `--config` wins, so
    buildkitd reads that other path and the file given to buildx (this one) is ignored. A
    path that does not exist in the builder is silently an empty config. (The kubernetes
    driver adds no `--config`; there `--config=/etc/buildkit/buildkitd.toml` is the fix for
    rootless pods and is not reported.)

    **Bad**: `--buildkitd-flags "--config /tmp/buildkitd.toml"`

    **Good**: pass the file with `--buildkitd-config` (setup-buildx-action: `buildkitd-config`
    or `buildkitd-config-inline`) and no `--config` flag.
    """

    code = "BK508"
    name = "config-flag-overrides-file"
    triggers = (FLAGS_GIVEN,)
    summary = "--config in the daemon flags makes buildkitd ignore the config file"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        use = parsed.last("config")
        if use is None or use.value.rstrip("/") == BUILDX_CONFIG_PATH:
            return
        subject = "this file" if ctx.path else "the config file given to buildx"
        yield flag_report(
            type(self),
            f"`{use.shown}`: buildkitd reads `{use.value}` instead of {BUILDX_CONFIG_PATH}, where buildx "
            f"installs the builder's config, so {subject} is ignored (a missing path is silently an "
            "empty config)",
            use,
        )


@register
class OciCniConfigPathFlag(Rule):
    """Checks for `--oci-cni-config-path`, which does not work.

    **Why**: since CNI support was added (2019) and still in v0.32, buildkitd checks whether
    `--oci-cni-config-path` is set but then reads the value of a flag named
    `oci-cni-worker-path`, which does not exist — so `worker.oci.cniConfigPath` becomes the
    empty string, discarding both the flag's value and the file's. In `cni` mode the daemon
    then fails (`failed to read cni config ""`); in `auto` mode it silently falls back to
    host networking. Set `cniConfigPath` in `[worker.oci]` instead
    (`--containerd-cni-config-path` works).

    **Bad**: `--buildkitd-flags "--oci-worker-net=cni --oci-cni-config-path=/etc/cni/buildkit.conflist"`

    **Good**
    ```toml
    [worker.oci]
    networkMode = "cni"
    cniConfigPath = "/etc/cni/buildkit.conflist"
    ```
    """

    code = "BK509"
    name = "oci-cni-config-path-flag"
    triggers = (FLAGS_GIVEN,)
    summary = "--oci-cni-config-path blanks cniConfigPath instead of setting it"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        use = parsed.last("oci-cni-config-path")
        if use is None:
            return
        eff = effective(ctx)
        mode = eff.network_mode("oci")
        s = eff.get("worker", "oci", "cniConfigPath")
        lost = ""
        if s is not None and s.replaced is not None and isinstance(s.replaced.value, str):
            lost = f' and the file\'s `cniConfigPath = "{s.replaced.value}"`'
        if mode == "cni":
            effect = 'in `cni` mode buildkitd then fails to start (`failed to read cni config ""`)'
            severity = Severity.ERROR
        elif mode == "auto":
            effect = "in `auto` mode buildkitd then silently uses host networking"
            severity = Severity.WARNING
        else:
            effect = f"(unused in `{mode}` mode)"
            severity = Severity.WARNING
        yield flag_report(
            type(self),
            f"`{use.shown}` sets nothing: buildkitd reads a misspelt flag name (`oci-cni-worker-path`) and "
            f'sets `worker.oci.cniConfigPath` to "", discarding this value{lost}; {effect}. Set '
            "`cniConfigPath` in `[worker.oci]` instead",
            use,
            severity=severity,
        )


@register
class NoProcessSandboxFlagWithoutRootless(Rule):
    """Checks `--oci-worker-no-process-sandbox` against the worker's rootless setting.

    **Why**: the OCI worker refuses to start with `can't enable NoProcessSandbox without
    Rootless` unless it is rootless. Rootless is on when the file or a flag says so, and by
    default inside a user namespace (the `moby/buildkit:rootless` image, where buildx's
    kubernetes driver adds this flag itself); on the regular image the daemon exits.

    **Bad**: `--buildkitd-flags "--oci-worker-no-process-sandbox"` with the `moby/buildkit` image

    **Good**: the flag with the `moby/buildkit:rootless` image, or with `rootless = true`.
    """

    code = "BK510"
    name = "no-process-sandbox-flag-without-rootless"
    triggers = (FLAGS_GIVEN,)
    summary = "--oci-worker-no-process-sandbox on a worker that is not rootless"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        use = parsed.last("oci-worker-no-process-sandbox")
        if use is None or go_parse_bool(use.value) is not True:
            return
        rootless = effective(ctx).rootless("oci")
        if rootless is True:
            return
        if rootless is False:
            yield flag_report(
                type(self),
                f"`{use.shown}` with a worker that is explicitly not rootless: {REFUSES} "
                "(`can't enable NoProcessSandbox without Rootless`)",
                use,
                severity=Severity.ERROR,
            )
            return
        yield flag_report(
            type(self),
            f"`{use.shown}` needs a rootless worker: unless buildkitd runs in a user namespace (the "
            f"moby/buildkit:rootless image), it refuses to start (`can't enable NoProcessSandbox without "
            "Rootless`)",
            use,
        )


@register
class EntitlementsReplacedByFlags(Rule):
    """Checks a file's `insecure-entitlements` against `--allow-insecure-entitlement` flags.

    **Why**: buildkitd does not merge the two: when any `--allow-insecure-entitlement` is
    given, the flags *replace* the file's list. Entitlements only in the file are then
    refused to builds (`granting entitlement … is not allowed by build daemon
    configuration`). setup-buildx-action passes `--allow-insecure-entitlement
    security.insecure --allow-insecure-entitlement network.host` whenever `buildkitd-flags`
    is empty, with the same effect. And `docker buildx create` itself (v0.13+) appends
    `--allow-insecure-entitlement=network.host` for a docker-container or kubernetes builder
    whose flags allow no entitlement and (since v0.18) whose config does not allow
    `network.host` (docker/buildx `builder/builder.go` `parseBuildkitdFlags`), so a config
    with only `security.insecure`, created with no entitlement flags, loses it; bklint adds that
    flag when it lints a config a script or workflow hands to `buildx create`.

    **Bad**: `insecure-entitlements = ["security.insecure"]` with
    `--buildkitd-flags "--allow-insecure-entitlement network.host"`

    **Good**: every entitlement in the flags (or no entitlement flags and the list in the file).
    """

    code = "BK511"
    name = "entitlements-replaced-by-flags"
    triggers = (FLAGS_GIVEN,)
    summary = "--allow-insecure-entitlement flags replace the file's insecure-entitlements"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        s = eff.get("insecure-entitlements")
        if s is None or s.flag is None or s.replaced is None or ctx.doc is None:
            return
        given = set(s.value) if isinstance(s.value, list) else set()
        old = s.replaced.value if isinstance(s.replaced.value, list) else []
        lost = [e for e in old if e in ENTITLEMENTS and e not in given]
        if not lost:
            return
        names = ", ".join(f"`{e}`" for e in lost)
        add = " ".join(f"--allow-insecure-entitlement {e}" for e in lost)
        yield self.finding(
            f"the --allow-insecure-entitlement flags replace this list, so {names} is not allowed"
            f"{FROM_FLAGS}; add `{add}` to the flags",
            ctx.doc.value_span(s.replaced.node),
        )


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    describe = getattr(value, "describe", None)
    if callable(describe):
        return str(describe())
    return str(value)


@register
class FlagOverridesKey(Rule):
    """Points at file values that a daemon flag overrides.

    **Why**: flags win over the file (for `--oci-worker-labels`, only the labels they name),
    so the value written here is not what the daemon uses. `--oci-worker-gc-keepstorage`
    sets `reservedSpace`, `minFreeSpace` and `maxUsedSpace` together: parts it leaves out
    become 0. `--debug` sets `log.level`.

    **Bad**: `networkMode = "bridge"` with `--buildkitd-flags "--oci-worker-net=host"`

    **Good**: one place for each setting.
    """

    code = "BK512"
    name = "flag-overrides-key"
    triggers = (FLAGS_GIVEN,)
    summary = "a file value that a daemon flag overrides"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        eff = effective(ctx)
        if ctx.doc is None:
            return
        for s in eff.overrides():
            if s.flag is None or s.replaced is None:
                continue
            name = s.flag.spec.name
            if name in ("allow-insecure-entitlement", "oci-cni-config-path"):
                continue  # BK511, BK509
            old = s.replaced.value
            if old == s.value:
                continue
            key = format_path(s.path)
            if name.endswith("-labels") and isinstance(old, dict) and isinstance(s.value, dict):
                changed = [k for k in old if k in s.value and s.value[k] != old[k]]
                if not changed:
                    continue
                message = (
                    f"label(s) {', '.join(f'`{k}`' for k in changed)} of `{key}` are overridden by the "
                    f"--{name} flags"
                )
            else:
                message = f"`{key} = {_show(old)}` is overridden by `{s.flag.shown}`"
                if name.endswith("-gc-keepstorage"):
                    message += f", which sets it to {_show(s.value)}"
            yield self.finding(message + FROM_FLAGS, ctx.doc.value_span(s.replaced.node))


@register
class KeepstorageFlagIgnored(Rule):
    """Checks `--oci-worker-gc-keepstorage` / `--containerd-worker-gc-keepstorage` against
    the worker's GC setup.

    **Why**: the flag sets the worker-level sizes, which only shape buildkitd's *default*
    GC policy; when the file has `[[worker.oci.gcpolicy]]` rules they replace the default
    and the flag has no effect, and with `gc = false` there is no GC at all.

    **Bad**: `--oci-worker-gc-keepstorage=20000` with `[[worker.oci.gcpolicy]]` in the file

    **Good**: put the sizes into the gcpolicy rules (or drop the rules and keep the flag).
    """

    code = "BK513"
    name = "keepstorage-flag-ignored"
    triggers = (FLAGS_GIVEN,)
    summary = "--*-gc-keepstorage has no effect with gcpolicy rules or gc disabled"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        eff = effective(ctx)
        for worker in WORKERS:
            use = parsed.last(f"{worker}-worker-gc-keepstorage")
            if use is None or flag_value_error(use) is not None:
                continue
            if eff.value("worker", worker, "gc") is False:
                why = f"GC is disabled for this worker (`worker.{worker}.gc = false`{eff.note('worker', worker, 'gc')})"
            elif ctx.decoded is not None and ctx.decoded.count("worker", worker, "gcpolicy") > 0:
                why = f"the file's `[[worker.{worker}.gcpolicy]]` rules replace the default policy it shapes"
            else:
                continue
            yield flag_report(type(self), f"`{use.shown}` has no effect: {why}", use)
