"""BK246–BK247: the nameservers build containers get."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bklint.rules import toml_text
from bklint.rules.addresses import ip_address
from bklint.rules.base import Edit, Finding, Fix, ParsedRule, Severity, register
from bklint.rules.catalog.daemon.values import string_items
from bklint.rules.context import Context
from bklint.rules.document import Document
from bklint.rules.schema.decode import Decoded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ipaddress import IPv4Address, IPv6Address


@register
class InvalidNameserver(ParsedRule):
    """Checks that `dns.nameservers` are bare IP addresses.

    **Why**: buildkitd writes these into every build container's resolv.conf and parses
    each as an IP address (`netip.ParseAddr`). A host name or an `ip:port` makes **every RUN
    step** fail with `bad nameserver address` (v0.24+; see
    https://github.com/moby/buildkit/issues/6001), while the daemon itself starts fine.

    **Bad**: `nameservers = ["dns.google", "1.1.1.1:53"]`

    **Good**: `nameservers = ["8.8.8.8", "1.1.1.1"]`

    **Fix** (safe): drop the `:53` port from an IPv4 `ip:port`.
    """

    code = "BK246"
    name = "invalid-nameserver"
    triggers = ("dns",)
    summary = "A DNS nameserver that is not an IP address; every RUN step fails"
    severity = Severity.ERROR
    fixable = True
    fix_examples = (
        '[dns]\nnameservers = ["1.1.1.1:53", "8.8.8.8"]\n',
        '[dns]\r\nnameservers = ["10.0.0.2:53"] # VPC resolver\r\noptions = ["edns0"]\r\n',
    )

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for value, node in string_items(decoded.entry("dns", "nameservers")):
            if _parse_ip(value) is not None:
                continue
            fix = None
            m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):53", value)
            if m and _parse_ip(m.group(1)) is not None:
                raw = doc.slice(node.value_start, node.value_end)
                fix = Fix(
                    "drop the port",
                    (Edit(doc.value_span(node), toml_text.string(m.group(1), raw[:1])),),
                    "safe",
                )
            yield self.finding(
                f"nameserver {value!r} is not an IP address: every RUN step fails with `bad nameserver address` "
                "(no host names, no ports)",
                doc.value_span(node),
                fix=fix,
            )


def _parse_ip(text: str) -> IPv4Address | IPv6Address | None:
    return ip_address(text.split("%", 1)[0] if ":" in text else text)


@register
class LoopbackNameserver(ParsedRule):
    """Checks for loopback addresses in `dns.nameservers`.

    **Why**: nameservers from `[dns]` are copied into build containers unfiltered. Unless
    the build uses host networking, a container has its own loopback interface, so
    `127.0.0.53` (systemd-resolved) or `127.0.0.1` answers nothing and name resolution fails.
    (Without `[dns]`, BuildKit drops loopback servers from the host's resolv.conf itself and
    falls back to 8.8.8.8/8.8.4.4.)

    See https://github.com/moby/buildkit/issues/1674.
    """

    code = "BK247"
    name = "loopback-nameserver"
    triggers = ("dns",)
    summary = "A loopback nameserver is unreachable from build containers"
    severity = Severity.WARNING

    def check_parsed(self, ctx: Context, doc: Document, decoded: Decoded) -> Iterable[Finding]:
        for value, node in string_items(decoded.entry("dns", "nameservers")):
            ip = _parse_ip(value)
            if ip is None or not ip.is_loopback:
                continue
            yield self.finding(
                f"nameserver {value} is a loopback address: build containers with their own network namespace cannot "
                "reach it; use an address reachable from the build network",
                doc.value_span(node),
            )
