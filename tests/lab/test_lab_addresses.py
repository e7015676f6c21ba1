"""The lab's one address helper: validation with the configuration's contract, parsing,
subnets and route-filter matching."""
from __future__ import annotations

import pytest
from srxlab import addresses as A
from srxlab.config import tree as T

# Every sample with whether it is an address or prefix (prefix=None), a prefix (True), an
# address (False): dotted quads without leading zeros, prefix length 0-32 in ASCII decimal or
# a netmask / hostmask, nothing around them - the contract of Python's IPv4Interface.
KNOWN = [
    ("1.1.1.1", True, False, True), ("10.0.1.1/24", True, True, False), ("0.0.0.0/0", True, True, False),
    ("255.255.255.255", True, False, True), ("1.1.1.1/32", True, True, False), ("1.1.1.1/024", True, True, False),
    ("1.1.1.1/255.255.255.0", True, True, False), ("1.1.1.1/0.0.0.255", True, True, False),
] + [(text, False, False, False) for text in [
    "1.1.1.1/33", "1.1.1", "10/8", "01.1.1.1", "256.1.1.1", "1.2.3.4.5", "0x1.1.1.1", " 1.1.1.1", "1.1.1.1 ",
    "1.1.1.1\n", "1.1.1.1/", "/24", "1.1.1.1/-1", "1.1.1.1/+24", "1.1.1.1/ 24", "1.1.1.1/24 ",
    "1.1.1.1/\uff12\uff14", "1.1.1.1/255.0.255.0", "::1", "2001:db8::1/64", "", "host.example.net",
    "\u0661.1.1.1",
]]


@pytest.mark.parametrize("text,either,as_prefix,as_address", KNOWN)
def test_valid_ipv4_known_answers(text, either, as_prefix, as_address):
    assert (A.valid_ipv4(text), A.valid_ipv4(text, True), A.valid_ipv4(text, False)) == \
        (either, as_prefix, as_address)


def test_the_configuration_checks_with_the_same_function():
    assert T.valid_ipv4 is A.valid_ipv4


@pytest.mark.parametrize("text,prefix,expected", [
    ("10.0.1.1", False, True), ("10.0.1.1/24", False, False), ("10.0.1.1", True, False),
    ("10.0.1.0/24", True, True), ("10.0.1.256", None, False), ("1.1.1.1/0.0.0.255", True, True),
])
def test_valid_ipv4(text, prefix, expected):
    assert A.valid_ipv4(text, prefix) is expected


def test_non_text_is_not_an_address():
    assert A.valid_ipv4(None) is False
    with pytest.raises(ValueError):
        A.address("10.0.1")
    with pytest.raises(ValueError):
        A.interface("10.0.1.1/33")


def test_interface_host_and_subnet():
    iface = A.interface("10.0.1.1/24")
    assert (A.host(iface), str(A.subnet(iface))) == ("10.0.1.1", "10.0.1.0/24")
    assert str(A.interface("192.168.1.1")) == "192.168.1.1/32"
    assert str(A.network("10.0.1.77/24")) == "10.0.1.0/24"
    assert (A.network_text("10.0.1.77/24"), A.network_text("10.0.1.77"), A.network_text("10.0.1.1/255.255.0.0")) \
        == ("10.0.1.0/24", "10.0.1.77/32", "10.0.0.0/16")
    assert (A.host("10.0.1.77/24"), A.host("10.0.1.77")) == ("10.0.1.77", "10.0.1.77")
    assert A.contains(iface, "10.0.1.200") and not A.contains(iface, "10.0.2.1")
    assert A.contains("192.168.0.0/16", "192.168.2.2")
    assert A.same_subnet("10.0.1.1/24", "10.0.1.2/24")
    assert not A.same_subnet("10.0.1.1/24", "10.0.1.2/25") and not A.same_subnet("10.0.1.1/24", "10.0.2.1/24")


@pytest.mark.parametrize("prefix,reference,how,expected", [
    ("10.0.1.0/24", "10.0.1.0/24", "exact", True),
    ("10.0.1.0/25", "10.0.1.0/24", "exact", False),
    ("10.0.1.0/24", "10.0.0.0/16", "orlonger", True),
    ("10.0.0.0/16", "10.0.0.0/16", "orlonger", True),
    ("10.1.0.0/16", "10.0.0.0/16", "orlonger", False),
    ("10.0.0.0/16", "10.0.0.0/16", "longer", False),
    ("10.0.4.0/22", "10.0.0.0/16", "longer", True),
    ("10.0.1.1/24", "10.0.1.0/24", "exact", True),   # an interface address stands for its subnet
])
def test_route_filter_matches(prefix, reference, how, expected):
    assert A.prefix_matches(prefix, reference, how) is expected


def test_sort_is_numeric():
    assert sorted(["10.0.10.0/24", "10.0.2.0/24", "9.0.0.0/8", "10.0.2.0/23"], key=A.sort_key) == \
        ["9.0.0.0/8", "10.0.2.0/23", "10.0.2.0/24", "10.0.10.0/24"]


def test_interface_sort_is_by_subnet_then_host():
    addrs = ["10.0.1.1/32", "10.0.1.2/24", "10.0.10.1/24", "10.0.1.1/24", "9.9.9.9/8", "10.0.1.1/25"]
    assert sorted(addrs, key=A.interface_key) == \
        ["9.9.9.9/8", "10.0.1.1/24", "10.0.1.2/24", "10.0.1.1/25", "10.0.1.1/32", "10.0.10.1/24"]
    # sort_key ignores host bits: an address sorts as its /32, an interface address as its subnet
    assert sorted(["10.0.1.5", "10.0.1.1/24", "10.0.0.255"], key=A.sort_key) == \
        ["10.0.0.255", "10.0.1.1/24", "10.0.1.5"]


def test_ipv6_is_refused_not_misread():
    for text in ("::1", "2001:db8::1/64"):
        with pytest.raises(ValueError):
            A.interface(text)
    with pytest.raises(ValueError):
        A.address("2001:db8::1")
