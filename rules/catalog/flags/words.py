"""BK501–BK507: whether buildkitd can read the flag words at all."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import FLAGS_GIVEN, Finding, Rule, Severity, register
from bklint.rules.catalog.flags.reporting import REFUSES, flag_report
from bklint.rules.context import Context
from bklint.rules.daemon_flags.command_line import BadWord
from bklint.rules.daemon_flags.flag_values import flag_value_error, go_parse_bool
from bklint.rules.daemon_flags.overlay import effective
from bklint.rules.daemon_flags.table import FLAGS, suggest, target_minor
from bklint.rules.schema.tree import ENTITLEMENTS, OCI_SNAPSHOTTERS


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
    triggers = (FLAGS_GIVEN,)
    summary = "the daemon flags cannot be split into words"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None or parsed.split.error is None:
            return
        at = parsed.split.error_offset
        word = BadWord(parsed.text[at:], "", at, len(parsed.text))
        yield flag_report(
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
    triggers = (FLAGS_GIVEN,)
    summary = "a flag buildkitd does not know (it refuses to start)"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
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
            yield flag_report(
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
    triggers = (FLAGS_GIVEN,)
    summary = "a buildx or dockerd option passed as a buildkitd flag"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        for word in parsed.unknown:
            where = _BUILDX.get(word.name)
            if where is None:
                continue
            yield flag_report(
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
    triggers = (FLAGS_GIVEN,)
    summary = "a flag without its value"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        for word in parsed.missing_value:
            yield flag_report(
                type(self), f"`{word.text}` needs a value; {REFUSES} (`flag needs an argument`)", word
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
    triggers = (FLAGS_GIVEN,)
    summary = "a flag value buildkitd cannot parse (it refuses to start)"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
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
                and use.value not in OCI_SNAPSHOTTERS
                and not eff.value("worker", "oci", "proxySnapshotterPath")
            ):
                problem = f"unknown snapshotter name {use.value!r} ({', '.join(OCI_SNAPSHOTTERS)})"
            if problem is None:
                continue
            yield flag_report(type(self), f"`{use.shown}`: {problem}; {REFUSES}", use)


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
    triggers = (FLAGS_GIVEN,)
    summary = "--allow-insecure-entitlement with a name buildkitd refuses"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
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
            yield flag_report(
                type(self), f"`{use.shown}`: {REFUSES} (`invalid entitlement : {value}`); {hint}", use
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
    triggers = (FLAGS_GIVEN,)
    summary = "a word among the flags that buildkitd ignores"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        stop = parsed.stopped
        if stop is not None and stop.name == "--":
            yield flag_report(type(self), "buildkitd ignores every word after `--`", stop)
        elif stop is not None:
            yield flag_report(
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
            yield flag_report(type(self), message, word)
