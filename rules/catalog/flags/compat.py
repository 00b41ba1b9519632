"""BK514–BK519: flags that exit, are deprecated, repeated, too new, or cut buildx off."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules.base import FLAGS_GIVEN, Finding, Rule, Severity, register
from bklint.rules.catalog.flags.reporting import REFUSES, flag_report
from bklint.rules.context import Context
from bklint.rules.daemon_flags.flag_values import go_parse_bool
from bklint.rules.daemon_flags.table import since_minor, target_minor


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
    triggers = (FLAGS_GIVEN,)
    summary = "--help or --version makes buildkitd exit at once"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        for use in parsed.uses:
            if not use.spec.exits or go_parse_bool(use.value) is not True:
                continue
            what = "help" if use.spec.name == "help" else "version"
            extra = "; for verbose logs use `--debug`" if use.written == "-v" else ""
            yield flag_report(
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
    triggers = (FLAGS_GIVEN,)
    summary = "--oci-worker-rootless is fatal outside a user namespace and redundant inside"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        for name in ("oci-worker-rootless", "containerd-worker-rootless"):
            use = parsed.last(name)
            if use is None:
                continue
            yield flag_report(
                type(self),
                f"`{use.shown}`: outside a user namespace {REFUSES} (`rootless mode requires to be executed "
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
    triggers = (FLAGS_GIVEN,)
    summary = "--trace is deprecated; use --log-level=trace"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        minor = target_minor(ctx)
        if minor is not None and minor < 30:
            return  # --log-level does not exist before v0.30
        use = parsed.last("trace")
        if use is not None:
            yield flag_report(type(self), f"`{use.shown}` is deprecated; use `--log-level=trace`", use)


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
    triggers = (FLAGS_GIVEN,)
    summary = "a single-value flag given twice; the last one wins"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
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
            yield flag_report(
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
    triggers = (FLAGS_GIVEN,)
    summary = "a flag the target buildkitd release does not have"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        minor = target_minor(ctx)
        if parsed is None or minor is None:
            return
        seen: set[str] = set()
        for use in parsed.uses:
            spec = use.spec
            if spec.name in seen or since_minor(spec) <= minor:
                continue
            seen.add(spec.name)
            yield flag_report(
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
    triggers = (FLAGS_GIVEN,)
    summary = "--addr without the default unix socket: buildx cannot reach the builder"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterable[Finding]:
        parsed = ctx.flags()
        if parsed is None:
            return
        uses = parsed.of("addr")
        if not uses or any(u.value.rstrip("/") in _DEFAULT_SOCKETS for u in uses):
            return
        yield flag_report(
            type(self),
            "`--addr` replaces the listener list and drops `unix:///run/buildkit/buildkitd.sock`, the socket "
            "buildx reaches container builders through (`buildctl dial-stdio`); add "
            "`--addr unix:///run/buildkit/buildkitd.sock` (rootless image: `unix:///run/user/1000/buildkit/"
            "buildkitd.sock`)",
            *uses,
        )
