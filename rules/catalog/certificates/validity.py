"""BK309–BK312: certificate validity dates and CA constraints."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from bklint.rules.base import Finding, Severity, register
from bklint.rules.buildx_certs import (
    Checked,
    now_utc,
)
from bklint.rules.catalog.certificates.checked import (
    CA_KINDS,
    CERT_KINDS,
    CertRule,
    analyse,
    quoted_label,
    span_of,
)
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar


def _day(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%d")


def _validity_targets(item: Checked) -> tuple[list[Any], bool]:
    """The certificates whose dates matter, and whether the file is a CA bundle."""
    pem = item.pem
    if pem is None:
        return [], False
    if item.ref.kind in CA_KINDS:
        return pem.parsed_certs, True
    if item.ref.kind in CERT_KINDS and pem.certs and pem.certs[0] is not None:
        return [pem.certs[0]], False
    return [], False


@register
class CertExpired(CertRule):
    """Checks that certificates have not expired.

    **Why**: TLS verification rejects an expired CA or client certificate (`x509:
    certificate has expired or is not yet valid`); buildx and buildkitd copy and load them
    without looking at the dates. A CA bundle is an error when every certificate in it has
    expired, a warning when only some have.

    **Bad**: a CA valid 2020-01-01 to 2021-01-01.

    **Good**: a renewed certificate.

    **Fix**: none.
    """

    code = "BK309"
    name = "cert-expired"
    summary = "An expired certificate"
    severity = Severity.ERROR

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        now = now_utc()
        for item in analyse(ctx, decoded):
            certs, bundle = _validity_targets(item)
            expired = [c for c in certs if c.not_after < now]
            if not expired:
                continue
            ref = item.ref
            if bundle and len(certs) > 1:
                if len(expired) == len(certs):
                    msg = f"every certificate in `{ref.value}` has expired (the latest on {_day(max(c.not_after for c in certs))})"
                    yield self.finding(f"{quoted_label(ref)}: {msg}", span_of(doc, ref))
                else:
                    yield self.finding(
                        f"{quoted_label(ref)}: {len(expired)} of {len(certs)} certificates in `{ref.value}` have expired",
                        span_of(doc, ref),
                        severity=Severity.WARNING,
                    )
                continue
            cert = expired[0]
            yield self.finding(
                f"{quoted_label(ref)}: the certificate in `{ref.value}` ({cert.subject}) expired on {_day(cert.not_after)}; "
                "TLS connections using it fail",
                span_of(doc, ref),
            )


@register
class CertNotYetValid(CertRule):
    """Checks that certificates are already valid.

    **Why**: a certificate whose `notBefore` lies in the future is rejected by TLS
    verification until then (often a clock problem where it was issued).

    **Bad**: a certificate issued with a start date next week.

    **Good**: a certificate valid now.

    **Fix**: none.
    """

    code = "BK310"
    name = "cert-not-yet-valid"
    summary = "A certificate that is not valid yet"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        now = now_utc()
        for item in analyse(ctx, decoded):
            certs, _ = _validity_targets(item)
            future = [c for c in certs if c.not_before > now]
            if future and len(future) == len(certs):
                yield self.finding(
                    f"{quoted_label(item.ref)}: the certificate in `{item.ref.value}` is not valid before "
                    f"{_day(min(c.not_before for c in future))}",
                    span_of(doc, item.ref),
                )


@register
class CertExpiringSoon(CertRule):
    """Warns about certificates that expire within N days (default 30).

    **Why**: nothing in buildx or buildkitd warns before a registry CA or client certificate
    expires; builds then fail at the first pull. For a CA bundle, bklint warns when every
    still-valid certificate in it expires within the window.

    **Bad**: a client certificate expiring in 5 days.

    **Good**: a certificate renewed well ahead of time.

    **Options**: `cert-expiry-days` (CLI `--cert-expiry-days`), the window in days.

    **Fix**: none.
    """

    code = "BK311"
    name = "cert-expiring-soon"
    summary = "A certificate that expires within the configured number of days"
    severity = Severity.WARNING
    options: ClassVar[dict[str, str]] = {
        "cert-expiry-days": "warn when a certificate expires within this many days (default 30)"
    }

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        now = now_utc()
        days = ctx.settings.cert_expiry_days
        if days <= 0:
            return
        limit = now + _dt.timedelta(days=days)
        for item in analyse(ctx, decoded):
            certs, _ = _validity_targets(item)
            valid = [c for c in certs if c.not_after >= now]
            if valid and all(c.not_after <= limit for c in valid):
                last = max(c.not_after for c in valid)
                left = (last - now).days
                yield self.finding(
                    f"{quoted_label(item.ref)}: the certificate in `{item.ref.value}` expires on {_day(last)} "
                    f"(in {left} day{'s' if left != 1 else ''}; the window is {days} days)",
                    span_of(doc, item.ref),
                )


@register
class CaNotACa(CertRule):
    """Checks that certificates given as `ca` are CA certificates (basicConstraints CA:TRUE).

    **Why**: Go's verifier trusts a CA:FALSE certificate in the pool only as the exact
    certificate the server presents (pinning a self-signed registry certificate); it cannot
    sign anything, so a registry certificate issued by it — or a renewed one — fails with
    `x509: certificate signed by unknown authority`. Usually the leaf was given where its
    issuing CA was meant.

    **Bad**: `ca = ["registry.crt"]` (the registry's own certificate, CA:FALSE)

    **Good**: `ca = ["ca.crt"]` (the CA that issued it)

    **Fix**: none.
    """

    code = "BK312"
    name = "ca-not-a-ca"
    summary = "A `ca` file whose certificates are not CAs"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for item in analyse(ctx, decoded):
            if item.ref.kind not in CA_KINDS or item.pem is None:
                continue
            certs = item.pem.parsed_certs
            leaves = [c for c in certs if not c.is_ca]
            if not leaves:
                continue
            if len(certs) == 1:
                what = f"the certificate in `{item.ref.value}` ({leaves[0].subject}) is not a CA (CA:FALSE)"
            else:
                what = (
                    f"{len(leaves)} of {len(certs)} certificates in `{item.ref.value}` are not CAs (CA:FALSE)"
                )
            yield self.finding(
                f"{quoted_label(item.ref)}: {what}; it is trusted only as the exact certificate a server presents "
                "and cannot vouch for any other",
                span_of(doc, item.ref),
            )
