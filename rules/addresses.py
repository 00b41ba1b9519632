"""IP address facts the rules share.

``ipaddress`` is imported only for text that can be an address (digits and dots, or a
colon): most hosts in a buildkitd.toml are names, and the module is a large share of
``bklint check``'s start-up otherwise (issue 15).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ipaddress import IPv4Address, IPv6Address


def ip_address(text: str) -> IPv4Address | IPv6Address | None:
    """``text`` as an IP address (no zone), None when it is not one."""
    if ":" not in text and not text.replace(".", "").isdigit():
        return None
    import ipaddress

    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_loopback_name(host: str) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ``::1`` (what "only this machine" means)."""
    if host == "localhost":
        return True
    address = ip_address(host)
    return address is not None and address.is_loopback
