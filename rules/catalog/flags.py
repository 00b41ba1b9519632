"""BK501–BK549: buildkitd's daemon flags (``--buildkitd-flags``) and how they meet the file.

The flags come from ``bklint check --buildkitd-flags "…"`` or the ``buildkitd-flags``
setting; they are parsed as buildx splits and buildkitd parses them
(``bklint.rules.flags``). Findings about the flags themselves sit at the file start and say
"(from --buildkitd-flags)"; findings about a file key a flag overrides sit on that key.
"""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import FILE_START, Finding, Rule, Severity, register
from bklint.rules.context import Context
from bklint.rules.document import format_path
from bklint.rules.flags import (
    BUILDX_CONFIG_PATH,
    ENTITLEMENTS,
    FLAGS,
    FROM_FLAGS,
    BadWord,
    FlagUse,
    ParsedFlags,
    effective,
    flag_finding,
    flag_value_error,
    flags_of,
    go_parse_bool,
    since_minor,
    suggest,
    target_minor,
)

_REFUSES = "buildkitd refuses to start"


def _flag(
    rule: type[Rule], message: str, *words: FlagUse | BadWord, severity: Severity | None = None
) -> Finding:
    return flag_finding(rule.finding(message + FROM_FLAGS, FILE_START, severity=severity), *words)


def _parsed(ctx: Context) -> ParsedFlags | None:
    return flags_of(ctx)


@register
class FlagsSyntaxError(Rule):
    """Checks that the daemon flags can be split into words.

    **Why**: buildx splits `--buildkitd-flags` shell-style (`google/shlex`); an unclosed
    quote or a trailing backslash makes `docker buildx create` (and setup-buildx-action)
    fail with `failed to parse buildkit flags`. `#` at the start of a word starts a comment
    that runs to the end of the line.

    **Bad**: `--buildkitd-flags "--debug --root '/var/lib/buildkit"`

    **Good**: `--buildkitd-flags "--debug --root '/var/lib/buildkit'"`
    """

    code = "BK501"
    name = "flags-syntax-error"
    summary = "the daemon flags cannot be split into words"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None or parsed.split.error is None:
            return
        at = parsed.split.error_offset
        word = BadWord(parsed.text[at:], "", at, len(parsed.text))
        yield _flag(
            type(self),
            f"buildx cannot split the flags (`failed to parse buildkit flags: {parsed.split.error}`)",
            word,
        )


# Flags people put in --buildkitd-flags that belong to another program.
_BUILDX = {
    "driver": "`docker buildx create --driver`",
    "driver-opt": "`docker buildx create --driver-opt` (setup-buildx-action: `driver-opts`)",
    "name": "`docker buildx create --name`",
    "use": "`docker buildx create --use`",
    "bootstrap": "`docker buildx create --bootstrap`",
    "platform": "`docker buildx create --platform` (the daemon flag is `--oci-worker-platform`)",
    "buildkitd-config": "`docker buildx create --buildkitd-config` (setup-buildx-action: `buildkitd-config`)",
    "buildkitd-flags": "`docker buildx create --buildkitd-flags` itself",
    "append": "`docker buildx create --append`",
    "leave": "`docker buildx create --leave`",
    "node": "`docker buildx create --node`",
    "builder": "`docker buildx --builder`",
    "allow": "`docker buildx build --allow` (the daemon flag is `--allow-insecure-entitlement`)",
    "load": "`docker buildx build --load`",
    "push": "`docker buildx build --push`",
    "cache-from": "`docker buildx build --cache-from`",
    "cache-to": "`docker buildx build --cache-to`",
    "build-arg": "`docker buildx build --build-arg`",
    "progress": "`docker buildx build --progress`",
    "network": "`docker buildx build --network` (the daemon flag is `--oci-worker-net`)",
    "secret": "`docker buildx build --secret`",
    "ssh": "`docker buildx build --ssh`",
    "output": "`docker buildx build --output`",
    "tag": "`docker buildx build --tag`",
    "insecure-registry": 'a dockerd option; buildkitd reads `[registry."<host>"]` with `http`/`insecure` from its config',
    "registry-mirror": 'a dockerd option; buildkitd reads `[registry."docker.io"] mirrors = [...]` from its config',
    "data-root": "a dockerd option; buildkitd's is `--root`",
    "max-concurrent-downloads": "a dockerd option; buildkitd's is `[system] maxRegistryConcurrency` in the config",
}

# Spellings no string distance finds: name -> advice.
_HINTS = {
    "max-parallelism": "use `--oci-max-parallelism` (v0.24+) or `max-parallelism` in `[worker.oci]`",
    "oci-worker-max-parallelism": "use `--oci-max-parallelism` (v0.24+)",
    "max-used-space": "there is no such flag: set `maxUsedSpace` in `[worker.oci]`, or use "
    "`--oci-worker-gc-keepstorage=Reserved,Free,Maximum` (MB)",
    "reserved-space": "there is no such flag: set `reservedSpace` in `[worker.oci]`, or use "
    "`--oci-worker-gc-keepstorage=Reserved` (MB)",
    "min-free-space": "there is no such flag: set `minFreeSpace` in `[worker.oci]`, or use "
    "`--oci-worker-gc-keepstorage=Reserved,Free` (MB)",
    "oci-cni-binary-path": "did you mean `--oci-cni-binary-dir`?",
    "containerd-cni-binary-path": "did you mean `--containerd-cni-binary-dir`?",
    "allow-insecure-entitlements": "the flag is `--allow-insecure-entitlement`, once per entitlement",
    "insecure-entitlement": "the flag is `--allow-insecure-entitlement`, once per entitlement",
    "insecure-entitlements": "the flag is `--allow-insecure-entitlement`, once per entitlement",
    "oci-worker-network": "did you mean `--oci-worker-net`?",
    "net": "did you mean `--oci-worker-net`?",
    "gc": "did you mean `--oci-worker-gc`?",
    "gc-keepstorage": "did you mean `--oci-worker-gc-keepstorage`?",
    "keepstorage": "did you mean `--oci-worker-gc-keepstorage`?",
    "log": "did you mean `--log-level`?",
    "verbose": "did you mean `--debug`?",
}


@register
class UnknownFlag(Rule):
    """Checks that every flag is one buildkitd knows.

    **Why**: buildkitd's command line is strict: an unknown flag stops it at once with
    `flag provided but not defined: -x`, and a buildx builder never comes up (the
    container exits; `docker buildx create --bootstrap` or the first build fails). Config
    keys are not flags (`--max-used-space`), and the Windows service flags do not exist in
    the Linux daemon.

    **Bad**: `--buildkitd-flags "--oci-worker-gc-keep-storage=10000"`

    **Good**: `--buildkitd-flags "--oci-worker-gc-keepstorage=10000"`
    """

    code = "BK502"
    name = "unknown-flag"
    summary = "a flag buildkitd does not know (it refuses to start)"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        for word in parsed.unknown:
            if word.name in _BUILDX:
                continue
            dashes = "-" if word.text.startswith("-") and not word.text.startswith("--") else "--"
            flag = f"{dashes}{word.name}"
            spec = FLAGS.get(word.name)
            if spec is not None and spec.windows_only:
                hint = "it exists only in the Windows build of buildkitd"
            elif word.name in _HINTS:
                hint = _HINTS[word.name]
            elif (close := suggest(word.name)) is not None:
                hint = f"did you mean `--{close}`?"
            else:
                hint = "`buildkitd --help` lists the flags"
            yield _flag(
                type(self),
                f"`{flag}`: buildkitd has no such flag and refuses to start "
                f"(`flag provided but not defined: -{word.name}`); {hint}",
                word,
            )


@register
class NotADaemonFlag(Rule):
    """Checks for options of buildx (or dockerd) given as daemon flags.

    **Why**: everything in `--buildkitd-flags` / `buildkitd-flags` is passed to buildkitd
    inside the builder; buildx's own options (`--driver-opt`, `--platform`, `--allow`, …)
    are unknown there and stop the daemon (`flag provided but not defined`), and dockerd's
    registry options have no flag in buildkitd at all.

    **Bad**: `--buildkitd-flags "--driver-opt network=host"`

    **Good**: `docker buildx create --driver-opt network=host`
    """

    code = "BK503"
    name = "not-a-daemon-flag"
    summary = "a buildx or dockerd option passed as a buildkitd flag"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        for word in parsed.unknown:
            where = _BUILDX.get(word.name)
            if where is None:
                continue
            yield _flag(
                type(self),
                f"`--{word.name}` is not a buildkitd flag but {where}; inside the daemon flags "
                "buildkitd refuses it and does not start (`flag provided but not defined`)",
                word,
            )


@register
class FlagMissingValue(Rule):
    """Checks for a flag that needs a value but ends the flags.

    **Why**: buildkitd refuses to start with `flag needs an argument`.

    **Bad**: `--buildkitd-flags "--debug --oci-max-parallelism"`

    **Good**: `--buildkitd-flags "--debug --oci-max-parallelism=4"`
    """

    code = "BK504"
    name = "flag-missing-value"
    summary = "a flag without its value"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        for word in parsed.missing_value:
            yield _flag(
                type(self), f"`{word.text}` needs a value; {_REFUSES} (`flag needs an argument`)", word
            )


@register
class InvalidFlagValue(Rule):
    """Checks the values buildkitd parses at start-up: booleans, integers,
    `--oci-worker=true|false|auto`, `--oci-worker-gc-keepstorage`, worker labels, log format
    and level, and the OCI snapshotter name.

    **Why**: each of these is parsed before the daemon listens, and a value it cannot parse
    stops it: `--oci-max-parallelism=x` (`invalid value`), `--debug=yes`,
    `--oci-worker-gc-keepstorage 10GB` (the value is whole megabytes, `Reserved[,Free[,Maximum]]`,
    without units — unlike the `10GB` the config file accepts), a label without `=`,
    `--log-format=JSON` (lower case only), an unknown snapshotter.

    **Bad**: `--buildkitd-flags "--oci-worker-gc-keepstorage 10000mb"`

    **Good**: `--buildkitd-flags "--oci-worker-gc-keepstorage=10000"`
    """

    code = "BK505"
    name = "invalid-flag-value"
    summary = "a flag value buildkitd cannot parse (it refuses to start)"
    severity = Severity.ERROR

    _SNAPSHOTTERS = ("auto", "overlayfs", "native", "fuse-overlayfs", "stargz")

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        eff = effective(ctx)
        for use in parsed.uses:
            if use.spec.name == "allow-insecure-entitlement":
                continue  # BK506
            problem = flag_value_error(use)
            if (
                problem is None
                and use.spec.name == "oci-worker-snapshotter"
                and use.value not in self._SNAPSHOTTERS
                and not eff.value("worker", "oci", "proxySnapshotterPath")
            ):
                problem = f"unknown snapshotter name {use.value!r} ({', '.join(self._SNAPSHOTTERS)})"
            if problem is None:
                continue
            yield _flag(type(self), f"`{use.shown}`: {problem}; {_REFUSES}", use)


@register
class InvalidEntitlementFlag(Rule):
    """Checks `--allow-insecure-entitlement` values.

    **Why**: unlike the config file, which silently drops unknown names, the flag is
    validated: anything other than exactly `network.host`, `security.insecure` or `device`
    stops the daemon with `invalid entitlement : x`. One flag takes one name — a
    comma-separated list is not split.

    **Bad**: `--allow-insecure-entitlement security.insecure,network.host`

    **Good**: `--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host`
    """

    code = "BK506"
    name = "invalid-entitlement-flag"
    summary = "--allow-insecure-entitlement with a name buildkitd refuses"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        for use in parsed.of("allow-insecure-entitlement"):
            value = use.value
            if value in ENTITLEMENTS:
                continue
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if len(parts) > 1 and all(p in ENTITLEMENTS for p in parts):
                hint = "give one name per flag: " + " ".join(
                    f"`--allow-insecure-entitlement {p}`" for p in parts
                )
            elif value.lower().replace("-", ".").replace("_", ".") in ENTITLEMENTS:
                hint = f"did you mean `{value.lower().replace('-', '.').replace('_', '.')}`?"
            elif value in ("insecure", "privileged"):
                hint = "did you mean `security.insecure`?"
            elif value in ("host", "network"):
                hint = "did you mean `network.host`?"
            else:
                hint = "valid names: " + ", ".join(ENTITLEMENTS)
            yield _flag(
                type(self), f"`{use.shown}`: {_REFUSES} (`invalid entitlement : {value}`); {hint}", use
            )


@register
class IgnoredFlagArgument(Rule):
    """Checks for words among the flags that are not flags.

    **Why**: buildkitd takes no arguments and ignores such words silently. A boolean flag
    never takes a separate value, so `--debug false` or `--oci-worker-gc false` leaves the
    flag *on* (write `--oci-worker-gc=false`). Up to v0.30 buildkitd (urfave/cli v1)
    also stopped reading flags at the first such word, dropping every flag after it;
    after `--` every word is ignored.

    **Bad**: `--buildkitd-flags "--oci-worker-gc false"`

    **Good**: `--buildkitd-flags "--oci-worker-gc=false"`
    """

    code = "BK507"
    name = "ignored-flag-argument"
    summary = "a word among the flags that buildkitd ignores"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        stop = parsed.stopped
        if stop is not None and stop.name == "--":
            yield _flag(type(self), "buildkitd ignores every word after `--`", stop)
        elif stop is not None:
            yield _flag(
                type(self), "a lone `-` ends the flags: buildkitd ignores it and every word after it", stop
            )
        stop_at = stop.start if stop is not None else None
        words = [w for w in parsed.positional if stop_at is None or w.start < stop_at]
        minor = target_minor(ctx)
        old = minor is not None and minor <= 30
        for word in words:
            before = [u for u in parsed.uses if u.end <= word.start]
            prev = before[-1] if before else None
            if (
                prev is not None
                and prev.spec.kind == "bool"
                and go_parse_bool(word.text) is not None
                and "=" not in prev.written
                and prev.end <= word.start
            ):
                message = (
                    f"`{prev.written} {word.text}`: a boolean flag takes no separate value — "
                    f"`{prev.written}` turns it on and `{word.text}` is ignored; write "
                    f"`{prev.written}={word.text}`"
                )
            else:
                message = f"`{word.text}` is not a flag; buildkitd takes no arguments and ignores it"
            if old:
                message += " (and, before v0.31, every flag after it)"
            yield _flag(type(self), message, word)


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
    summary = "--config in the daemon flags makes buildkitd ignore the config file"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        use = parsed.last("config")
        if use is None or use.value.rstrip("/") == BUILDX_CONFIG_PATH:
            return
        subject = "this file" if ctx.path else "the config file given to buildx"
        yield _flag(
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
    summary = "--oci-cni-config-path blanks cniConfigPath instead of setting it"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
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
        yield _flag(
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
    summary = "--oci-worker-no-process-sandbox on a worker that is not rootless"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        use = parsed.last("oci-worker-no-process-sandbox")
        if use is None or go_parse_bool(use.value) is not True:
            return
        rootless = effective(ctx).rootless("oci")
        if rootless is True:
            return
        if rootless is False:
            yield _flag(
                type(self),
                f"`{use.shown}` with a worker that is explicitly not rootless: {_REFUSES} "
                "(`can't enable NoProcessSandbox without Rootless`)",
                use,
                severity=Severity.ERROR,
            )
            return
        yield _flag(
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
    is empty, with the same effect.

    **Bad**: `insecure-entitlements = ["security.insecure"]` with
    `--buildkitd-flags "--allow-insecure-entitlement network.host"`

    **Good**: every entitlement in the flags (or no entitlement flags and the list in the file).
    """

    code = "BK511"
    name = "entitlements-replaced-by-flags"
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
    summary = "--*-gc-keepstorage has no effect with gcpolicy rules or gc disabled"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        eff = effective(ctx)
        for worker in ("oci", "containerd"):
            use = parsed.last(f"{worker}-worker-gc-keepstorage")
            if use is None or flag_value_error(use) is not None:
                continue
            if eff.value("worker", worker, "gc") is False:
                why = f"GC is disabled for this worker (`worker.{worker}.gc = false`{eff.note('worker', worker, 'gc')})"
            elif ctx.decoded is not None and ctx.decoded.count("worker", worker, "gcpolicy") > 0:
                why = f"the file's `[[worker.{worker}.gcpolicy]]` rules replace the default policy it shapes"
            else:
                continue
            yield _flag(type(self), f"`{use.shown}` has no effect: {why}", use)


@register
class ExitingFlag(Rule):
    """Checks for `--help`/`-h` and `--version`/`-v` among the daemon flags.

    **Why**: buildkitd prints its help or version and exits, so the builder never starts
    (`-v` is not "verbose": use `--debug` or `--log-level=debug`).

    **Bad**: `--buildkitd-flags "-v"`

    **Good**: `--buildkitd-flags "--debug"`
    """

    code = "BK514"
    name = "exiting-flag"
    summary = "--help or --version makes buildkitd exit at once"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        for use in parsed.uses:
            if not use.spec.exits or go_parse_bool(use.value) is not True:
                continue
            what = "help" if use.spec.name == "help" else "version"
            extra = "; for verbose logs use `--debug`" if use.written == "-v" else ""
            yield _flag(
                type(self),
                f"`{use.written}`: buildkitd prints its {what} and exits, so the builder never starts{extra}",
                use,
            )


@register
class WorkerRootlessFlag(Rule):
    """Checks for `--oci-worker-rootless` / `--containerd-worker-rootless`.

    **Why**: buildkitd refuses either flag (whatever its value) unless it runs as root inside
    a user namespace (`rootless mode requires to be executed as the mapped root in a user
    namespace`), i.e. under RootlessKit; there — in the `moby/buildkit:rootless` image —
    rootless is already the default, so the flag is never needed.

    **Bad**: `--buildkitd-flags "--oci-worker-rootless"` with the `moby/buildkit` image

    **Good**: use the `moby/buildkit:rootless` image without the flag.
    """

    code = "BK515"
    name = "worker-rootless-flag"
    summary = "--oci-worker-rootless is fatal outside a user namespace and redundant inside"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        for name in ("oci-worker-rootless", "containerd-worker-rootless"):
            use = parsed.last(name)
            if use is None:
                continue
            yield _flag(
                type(self),
                f"`{use.shown}`: outside a user namespace {_REFUSES} (`rootless mode requires to be executed "
                "as the mapped root in a user namespace`); inside one (the moby/buildkit:rootless image) "
                "the worker is rootless by default — drop the flag",
                use,
            )


@register
class DeprecatedTraceFlag(Rule):
    """Checks for the deprecated `--trace` flag.

    **Why**: `--trace` is hidden and deprecated since v0.30 (buildkitd logs `--trace option
    is deprecated`); `--log-level=trace` does the same.

    **Bad**: `--buildkitd-flags "--trace"`

    **Good**: `--buildkitd-flags "--log-level=trace"`
    """

    code = "BK516"
    name = "deprecated-trace-flag"
    summary = "--trace is deprecated; use --log-level=trace"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        minor = target_minor(ctx)
        if minor is not None and minor < 30:
            return  # --log-level does not exist before v0.30
        use = parsed.last("trace")
        if use is not None:
            yield _flag(type(self), f"`{use.shown}` is deprecated; use `--log-level=trace`", use)


@register
class RepeatedFlag(Rule):
    """Checks for a single-value flag given more than once with different values.

    **Why**: buildkitd keeps the last value and drops the others without a word; only
    the list flags (`--allow-insecure-entitlement`, `--addr`, `--oci-worker-labels`,
    `--oci-worker-platform`, `--cdi-spec-dir`) add up.

    **Bad**: `--buildkitd-flags "--oci-worker-net=host --oci-worker-net=bridge"`

    **Good**: `--buildkitd-flags "--oci-worker-net=bridge"`
    """

    code = "BK517"
    name = "repeated-flag"
    summary = "a single-value flag given twice; the last one wins"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        seen: set[str] = set()
        for use in parsed.uses:
            name = use.spec.name
            if use.spec.kind == "slice" or name in seen:
                continue
            uses = parsed.of(name)
            if len({u.value for u in uses}) < 2:
                continue
            seen.add(name)
            yield _flag(
                type(self),
                f"`{use.spec.spelled}` is given {len(uses)} times; buildkitd uses only the last, "
                f"`{uses[-1].shown}`",
                *uses,
            )


@register
class FlagNewerThanTarget(Rule):
    """Checks flags against `--target-version`.

    **Why**: a flag added after the target release is unknown to that buildkitd, which
    refuses to start (`flag provided but not defined`); e.g. `--log-level` exists since
    v0.30, `--oci-max-parallelism` since v0.24, `--cdi-disabled` since v0.20.

    **Bad**: `--log-level=debug` with `--target-version v0.29`

    **Good**: `--debug` with `--target-version v0.29`
    """

    code = "BK518"
    name = "flag-newer-than-target"
    summary = "a flag the target buildkitd release does not have"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        minor = target_minor(ctx)
        if parsed is None or minor is None:
            return
        seen: set[str] = set()
        for use in parsed.uses:
            spec = use.spec
            if spec.name in seen or since_minor(spec) <= minor:
                continue
            seen.add(spec.name)
            yield _flag(
                type(self),
                f"`{spec.spelled}` was added in buildkitd {spec.since}; {ctx.settings.target_version} "
                f"refuses to start (`flag provided but not defined`)",
                use,
            )


_DEFAULT_SOCKETS = ("unix:///run/buildkit/buildkitd.sock", "unix:///run/user/1000/buildkit/buildkitd.sock")


@register
class AddrFlagDropsSocket(Rule):
    """Checks that `--addr` keeps the socket buildx talks to.

    **Why**: `--addr` replaces the whole listener list (it is not added to the default).
    buildx's docker-container and kubernetes drivers reach the daemon by running `buildctl
    dial-stdio` inside the builder, which dials the default socket
    (`unix:///run/buildkit/buildkitd.sock`, or `$BUILDKIT_HOST` —
    `unix:///run/user/1000/buildkit/buildkitd.sock` in the rootless image). Without it the
    builder starts but buildx cannot connect.

    **Bad**: `--buildkitd-flags "--addr tcp://0.0.0.0:1234"`

    **Good**: `--buildkitd-flags "--addr unix:///run/buildkit/buildkitd.sock --addr tcp://0.0.0.0:1234"`
    """

    code = "BK519"
    name = "addr-flag-drops-socket"
    summary = "--addr without the default unix socket: buildx cannot reach the builder"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = _parsed(ctx)
        if parsed is None:
            return
        uses = parsed.of("addr")
        if not uses or any(u.value.rstrip("/") in _DEFAULT_SOCKETS for u in uses):
            return
        yield _flag(
            type(self),
            "`--addr` replaces the listener list and drops `unix:///run/buildkit/buildkitd.sock`, the socket "
            "buildx reaches container builders through (`buildctl dial-stdio`); add "
            "`--addr unix:///run/buildkit/buildkitd.sock` (rootless image: `unix:///run/user/1000/buildkit/"
            "buildkitd.sock`)",
            *uses,
        )
