# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/addresses.py: the collection's one address helper (netaddr)."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.addresses import (
    AddressError,
    canonical,
    in_network,
    ip_address,
    is_address,
    network,
    same_address,
    strip_port,
)


@pytest.mark.parametrize(
    ("printed", "address"),
    [("10.0.1.2+52485", "10.0.1.2"), ("1.1.1.1:500", "1.1.1.1"), ("2001:db8::2+179", "2001:db8::2"),
     ("[2001:db8::1]:4500", "2001:db8::1"), ("2001:db8::1", "2001:db8::1"), ("1.1.1.1", "1.1.1.1"),
     (" 10.0.1.2 ", "10.0.1.2"), ("", None), (None, None), ("fe80::1%st0.0", "fe80::1%st0.0")],
)
def test_strip_port(printed, address):
    assert strip_port(printed) == address


@pytest.mark.parametrize(("a", "b", "same"), [
    ("2001:DB8:5:0::2", "2001:db8:5::2", True),
    (" 10.0.1.2", "10.0.1.2", True),
    ("10.0.1.2", "10.0.1.3", False),
    ("GW-HUB", "gw-hub", True),          # not addresses: compared as text
    ("10.0.1.2", None, False),
    (None, None, False),
])
def test_same_address(a, b, same):
    assert same_address(a, b) is same


def test_canonical_and_inet_pton_rules():
    assert canonical(" 2001:DB8:5:0::2 ") == "2001:db8:5::2"
    assert is_address("1.1.1.1") and not is_address("10.1") and not is_address("srx-b")
    with pytest.raises(AddressError, match="not an IP address: 'srx-b'"):
        canonical("srx-b")


def test_network_membership():
    assert in_network("10.0.1.2", "10.0.1.0/24")
    assert not in_network("10.0.2.2", "10.0.1.1/24")
    assert in_network(ip_address("10.0.1.9"), network("10.0.1.1/24"))
    with pytest.raises(AddressError, match="not an IP network"):
        in_network("10.0.1.2", "ten")


def test_parsed_once():
    assert ip_address("1.1.1.1") is ip_address("1.1.1.1")
    assert network("10.0.1.1/24") is network("10.0.1.1/24")
