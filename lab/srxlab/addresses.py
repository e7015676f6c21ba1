"""IPv4 addresses, interface addresses and prefixes for the whole lab, on netaddr.

One place that parses, validates and compares addresses: the topology loader (NAT
entries), the protocol plane (interface addresses, connected subnets, export policies,
routes learned over BGP), the configuration's value checks (:func:`valid_ipv4`), the
operational replies (routes, interface subnets) and the real backend's translation of a
configuration into Linux addresses, strongSwan selectors and BIRD filters.

Parsed objects are cached and shared: never modify what these functions return.
"""
from __future__ import annotations

import functools

from netaddr import INET_PTON, AddrFormatError, IPAddress, IPNetwork

__all__ = [
    "address", "contains", "host", "interface", "interface_key", "network", "network_text", "prefix_matches",
    "same_subnet", "sort_key", "subnet", "valid_ipv4",
]


@functools.lru_cache(maxsize=65536)
def address(text: str) -> IPAddress:
    """The IPv4 address ``text`` (``10.0.1.2``); ``ValueError`` when it is none."""
    try:
        return IPAddress(text, 4, flags=INET_PTON)
    except (AddrFormatError, TypeError, ValueError):
        raise ValueError(f"not an IPv4 address: {text!r}") from None


@functools.lru_cache(maxsize=65536)
def interface(text: str) -> IPNetwork:
    """An interface address with its prefix length (``10.0.1.1/24``); a bare address is a /32."""
    if not valid_ipv4(text):
        raise ValueError(f"not an IPv4 address or prefix: {text!r}")
    return IPNetwork(text, 4)


@functools.lru_cache(maxsize=65536)
def network(text: str) -> IPNetwork:
    """The network of a prefix or interface address (``10.0.1.1/24`` -> ``10.0.1.0/24``)."""
    return interface(text).cidr


def network_text(text: str) -> str:
    """:func:`network` as text: ``10.0.1.1/24`` -> ``"10.0.1.0/24"``, ``10.0.1.1`` -> ``"10.0.1.1/32"``."""
    return str(network(text))


def host(iface: str | IPNetwork) -> str:
    """The address part of an interface address (text or parsed), as text: ``10.0.1.1/24`` -> ``10.0.1.1``."""
    return str((interface(iface) if isinstance(iface, str) else iface).ip)


def subnet(iface: IPNetwork) -> IPNetwork:
    """The connected subnet of an interface address."""
    return iface.cidr


def contains(prefix: str | IPNetwork, addr: str) -> bool:
    """``addr`` lies in ``prefix`` (a prefix text, or an interface address: its subnet)."""
    net = network(prefix) if isinstance(prefix, str) else prefix
    return address(addr) in net


def same_subnet(a: str, b: str) -> bool:
    """Two interface addresses (``10.0.1.1/24``, ``10.0.1.2/24``) on one subnet."""
    return network(a) == network(b)


def prefix_matches(prefix: str, reference: str, how: str = "exact") -> bool:
    """Junos route-filter match of ``prefix`` against ``reference``: ``exact``, ``orlonger``
    (the reference or a more specific prefix inside it) or ``longer`` (strictly inside)."""
    net, ref = network(prefix), network(reference)
    if how == "orlonger":
        return net in ref
    if how == "longer":
        return net in ref and net != ref
    return net == ref


def sort_key(prefix: str) -> IPNetwork:
    """Sort prefixes (or addresses) numerically: by network address, then shorter prefix first.
    Host bits are ignored (``10.0.1.1/24`` sorts as ``10.0.1.0/24``); see :func:`interface_key`."""
    return network(prefix)


def interface_key(text: str) -> IPNetwork:
    """Sort interface addresses numerically: by subnet (as :func:`sort_key`), then by the host
    address within it (``10.0.1.1/24`` < ``10.0.1.2/24`` < ``10.0.1.1/32``)."""
    return interface(text)


def valid_ipv4(text: str, prefix: bool | None = None) -> bool:
    """``text`` is an IPv4 address (``prefix=False``), prefix (``True``) or either (``None``).

    Dotted-quad with no leading zeros; the prefix length is decimal 0-32 or a netmask /
    hostmask (``10.0.0.1/255.255.255.0``), as Junos and Python's ``ipaddress`` accept."""
    if not isinstance(text, str):
        return False
    addr, slash, length = text.partition("/")
    if prefix is not None and bool(slash) != prefix:
        return False
    try:
        IPAddress(addr, 4, flags=INET_PTON)
    except (AddrFormatError, TypeError, ValueError):
        return False
    if not slash:
        return True
    if length.isascii() and length.isdigit():
        return int(length) <= 32
    try:
        mask = IPAddress(length, 4, flags=INET_PTON)
    except (AddrFormatError, TypeError, ValueError):
        return False
    return mask.is_netmask() or mask.is_hostmask()
