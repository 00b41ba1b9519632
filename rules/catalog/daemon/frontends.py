"""BK254–BK256: the GHA cache signing command, the gateway frontend and allowed repositories."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bklint.rules.base import Finding, ParsedRule, Severity, register
from bklint.rules.catalog.daemon.values import string_items
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.regex import Regex
from bklint.rules.schema.decode import Decoded


@register
class GhaSignWithoutVerify(ParsedRule):
    """Checks that GHA cache signing comes with `verify.required = true`.

    **Why**: the signature verifier is only created when `[cache.gha.verify] required =
    true`. With `sign.command` set and no verifier, exporting cache signs the index and then
    calls a nil verifier function: the export crashes (§5.14 of the reference).

    **Good**
    ```toml
    [cache.gha.sign]
    command = ["cosign", "sign-blob", "--yes", "--bundle", "/dev/stdout", "-"]
    [cache.gha.verify]
    required = true
    ```
    """

    code = "BK254"
    name = "gha-sign-without-verify"
    triggers = ("cache",)
    summary = "`cache.gha.sign.command` without `verify.required = true` crashes cache export"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("cache", "gha", "sign", "command")
        if entry is None or not entry.value:
            return
        if decoded.value("cache", "gha", "verify", "required") is True:
            return
        yield self.finding(
            "signing GHA cache needs `[cache.gha.verify] required = true`: without it the verifier is never created "
            "and exporting signed cache crashes",
            doc.node_span(entry.node),
        )


@register
class GatewayFrontendDisabled(ParsedRule):
    """Explains what `frontend."gateway.v0".enabled = false` turns off.

    **Why**: the Dockerfile frontend forwards to `gateway.v0` whenever a Dockerfile starts
    with `# syntax=…` (and `docker buildx build` uses such external frontends for
    `BUILDKIT_SYNTAX` too). With the gateway disabled, those builds fail; Dockerfiles
    without a syntax line still build with the built-in frontend.
    """

    code = "BK255"
    name = "gateway-frontend-disabled"
    triggers = ("frontend",)
    summary = "Disabling gateway.v0 also breaks Dockerfiles with `# syntax=`"
    severity = Severity.INFO

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        entry = decoded.entry("frontend", "gateway.v0", "enabled")
        if entry is None or entry.value is not False:
            return
        yield self.finding(
            "with `gateway.v0` disabled, Dockerfiles that start with `# syntax=` fail to build (the Dockerfile "
            "frontend forwards them to the gateway)",
            doc.node_span(entry.node),
        )


_REF_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"


_REF_DOMAIN = r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?"


_REFERENCE = Regex(
    rf"^(?:{_REF_DOMAIN}/)?{_REF_COMPONENT}(?:/{_REF_COMPONENT})*(?::[\w][\w.-]{{0,127}})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{{32,}})?$"
)


def reference_problem(text: str) -> str | None:
    """Why ``reference.ParseNormalizedNamed`` rejects ``text``, or None."""
    if not text:
        return "it is empty"
    if re.fullmatch(r"[a-f0-9]{64}", text):
        return "a 64-character hex string is an image ID, not a repository"
    if "://" in text:
        return "a reference has no scheme"
    if not _REFERENCE.match(text):
        first, _, rest = text.partition("/")
        name = rest if rest and ("." in first or ":" in first or first == "localhost") else text
        if name.split("@", 1)[0].split(":", 1)[0] != name.split("@", 1)[0].split(":", 1)[0].lower():
            return "repository names must be lowercase"
        return "it is not a valid image reference"
    return None


@register
class InvalidAllowedRepository(ParsedRule):
    """Checks `frontend."gateway.v0".allowedRepositories` entries.

    **Why**: each entry is parsed as an image reference (`reference.ParseNormalizedNamed`)
    when buildkitd starts; an invalid one (a scheme, capitals, spaces) stops the daemon.
    Tags and digests are stripped — only the repository is compared — and short names are
    normalised (`docker/dockerfile` → `docker.io/docker/dockerfile`).

    **Good**: `allowedRepositories = ["docker/dockerfile", "ghcr.io/acme/frontend"]`
    """

    code = "BK256"
    name = "invalid-allowed-repository"
    triggers = ("frontend",)
    summary = "An `allowedRepositories` entry that is not an image reference stops buildkitd"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for value, node in string_items(decoded.entry("frontend", "gateway.v0", "allowedRepositories")):
            why = reference_problem(value)
            if why is None:
                continue
            yield self.finding(
                f"{value!r} is not a valid repository ({why}): buildkitd stops at start-up",
                doc.value_span(node),
            )
