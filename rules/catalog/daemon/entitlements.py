"""BK248, BK257: insecure entitlements, as buildkitd and buildx read them."""

from __future__ import annotations

from collections.abc import Iterable

from bklint.rules import toml_text
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.daemon.values import string_items
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded
from bklint.rules.schema.tree import ENTITLEMENTS


@register
class UnknownEntitlement(ParsedRule):
    """Checks `insecure-entitlements` names.

    **Why**: only `network.host`, `security.insecure` and `device` exist (case-sensitive).
    In the file, other strings are dropped without a word (`supportedEntitlements`), so the
    build that needs them fails with `granting entitlement … is not allowed by build daemon
    configuration`. (The same names passed as `--allow-insecure-entitlement` flags stop the
    daemon.) `device` is added automatically while CDI is enabled, so listing it is
    redundant unless `[cdi] disabled = true` (information).

    **Bad**: `insecure-entitlements = ["network-host", "security.insecure"]`

    **Fix** (safe): correct the separator or case of a known name.
    """

    code = "BK248"
    name = "unknown-entitlement"
    triggers = ("insecure-entitlements",)
    summary = "An entitlement name buildkitd silently drops"
    severity = Severity.WARNING
    fixable = True
    fix_examples = (
        'insecure-entitlements = ["network-host", "security.insecure"]\n',
        "# CI builder\r\ninsecure-entitlements = ['Security.Insecure', \"network_host\"] # both\r\n",
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        cdi_disabled = decoded.value("cdi", "disabled") is True
        for value, node in string_items(decoded.entry("insecure-entitlements")):
            span = doc.value_span(node)
            if value == "device":
                if not cdi_disabled:
                    yield self.finding(
                        "`device` is granted automatically while CDI is enabled; listing it changes nothing",
                        span,
                        severity=Severity.INFO,
                    )
                continue
            if value in ENTITLEMENTS:
                continue
            norm = value.lower().replace("-", ".").replace("_", ".")
            target = next((e for e in ENTITLEMENTS if e == norm), None)
            fix = None
            if target is not None:
                raw = doc.slice(node.value_start, node.value_end)
                fix = Fix(f"use {target!r}", (Edit(span, toml_text.string(target, raw[:1])),), "safe")
            hint = f"; did you mean {target!r}?" if target else f" (known: {', '.join(ENTITLEMENTS)})"
            yield self.finding(
                f"entitlement {value!r} does not exist: buildkitd drops it silently{hint}",
                span,
                fix=fix,
            )


@register
class EntitlementsReplacedByBuildx(ParsedRule):
    """Explains that buildx and setup-buildx-action usually replace `insecure-entitlements`.

    **Why**: the `--allow-insecure-entitlement` flag **replaces** the file's list. For the
    `docker-container` and `kubernetes` drivers, `docker buildx create` (v0.13+) adds
    `--allow-insecure-entitlement=network.host` whenever you pass no such flag yourself and
    the file's list lacks `network.host` (since v0.18 it checks the file). So
    `["security.insecure"]` alone ends up as only `network.host`. docker/setup-buildx-action
    goes further: without a `buildkitd-flags` input it always passes both
    `security.insecure` and `network.host` as flags, so the file's list never matters there.

    Nothing is wrong when the daemon is started directly with this file; this is information
    when the list lacks `network.host` (the buildx case) and is not reported when it already
    contains it. Pass the entitlements with `--buildkitd-flags` to be explicit.

    See https://github.com/docker/buildx/issues/2683 and
    https://github.com/docker/buildx/pull/2685.

    **Good**: `insecure-entitlements = ["network.host", "security.insecure"]`
    """

    code = "BK257"
    name = "entitlements-replaced-by-buildx"
    triggers = ("insecure-entitlements",)
    summary = "buildx replaces a file's `insecure-entitlements` without network.host"
    severity = Severity.INFO

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("insecure-entitlements")
        if entry is None or not isinstance(entry.value, list):
            return
        flags = ctx.flags()
        if flags is not None and flags.is_set("allow-insecure-entitlement"):
            yield self.finding(
                "`--allow-insecure-entitlement` in the buildkitd flags replaces this list entirely",
                doc.node_span(entry.node),
                severity=Severity.WARNING,
            )
            return
        if "network.host" in entry.value or not entry.value:
            return
        yield self.finding(
            "under `docker buildx create` (docker-container/kubernetes drivers) this list is replaced by "
            "`--allow-insecure-entitlement=network.host` because it lacks `network.host`, and setup-buildx-action "
            "replaces it unless `buildkitd-flags` is set; add `network.host` or pass the entitlements as flags",
            doc.node_span(entry.node),
        )
