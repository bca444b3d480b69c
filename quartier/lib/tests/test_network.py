from __future__ import annotations

import pytest

from quartier.lib.network import client_address, parse_networks

PROXIES = parse_networks(["10.0.0.1", "192.168.0.0/16", "2001:db8::/32"])


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "client"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # an untrusted peer's header is ignored
        ("10.0.0.1", None, "10.0.0.1"),
        ("10.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client spoofed the left part
        ("10.0.0.1", "198.51.100.7, 192.168.4.4", "198.51.100.7"),  # two proxies of ours
        ("10.0.0.1", "192.168.4.4, 192.168.1.1", "192.168.4.4"),  # every hop ours: the farthest one
        ("10.0.0.1", "198.51.100.7, not-an-address", "10.0.0.1"),  # garbage is never the client
        ("10.0.0.1", "198.51.100.7:4711", "198.51.100.7"),
        ("10.0.0.1", "[2001:db9::5]:443", "2001:db9::5"),
        ("2001:db8::1", "2001:db9::5", "2001:db9::5"),
        ("", "198.51.100.7", None),
        ("garbage", None, None),
    ],
)
def test_the_client_is_the_first_address_from_the_right_that_is_not_a_trusted_proxy(
    remote_addr, forwarded_for, client
):
    assert client_address(remote_addr, forwarded_for, PROXIES) == client


def test_without_trusted_proxies_the_header_is_always_ignored():
    assert client_address("10.0.0.1", "198.51.100.7", []) == "10.0.0.1"


def test_a_proxy_list_refuses_what_is_not_an_address():
    with pytest.raises(ValueError):
        parse_networks(["10.0.0.1", "proxy.example.org"])
