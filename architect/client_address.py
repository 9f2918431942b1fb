"""A client's address as the limits count it (the sandbox's caps, the log-in throttle)."""

from __future__ import annotations

import ipaddress


def counted(raw: str) -> str:
    """``raw`` (daphne's ``--proxy-headers`` puts the real client's address there) as one
    client: an IPv6 address by its /64, which one client usually holds whole; anything
    that is not an address, cut to 64 characters."""
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
