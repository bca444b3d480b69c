"""The address of the person behind a request, read through the reverse proxies we trust."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> list[IPNetwork]:
    """`10.0.0.1`, `10.0.0.0/8` or `::1` as networks; raises ValueError on anything else."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted: list[IPNetwork]
) -> str | None:
    """The client's address: the peer's, unless the peer is a trusted proxy.

    Behind trusted proxies, each one appends the address it received the request from to
    `X-Forwarded-For`; reading from the right, the first address that is not one of our proxies is the
    client. Everything left of it was written by the client and is ignored, so a spoofed header from an
    untrusted peer changes nothing.
    """
    peer = _address(remote_addr or "")
    if peer is None:
        return None
    if not forwarded_for or not any(peer in network for network in trusted):
        return str(peer)
    closest = peer
    for entry in reversed(forwarded_for.split(",")):
        hop = _address(entry)
        if hop is None:
            break  # not written by one of our proxies: stop at the last hop we could trust
        if not any(hop in network for network in trusted):
            return str(hop)
        closest = hop
    return str(closest)
