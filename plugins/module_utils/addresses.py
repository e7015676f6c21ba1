# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IP addresses and networks for the whole collection, on netaddr.

One place that parses, compares and prints addresses: the state parsers and the problems
engine (device replies), the ``vpn_state`` module's expectations and the intent's schema and
fleet rules. netaddr parses with ``inet_pton`` rules (``10.1`` is not an address).
"""

from __future__ import annotations

import functools
import re

try:
    from netaddr import AddrFormatError, IPAddress, IPNetwork
except ImportError as _exc:  # pragma: no cover - netaddr is a documented requirement
    AddrFormatError = ValueError
    IPAddress = IPNetwork = None
    NETADDR_IMPORT_ERROR: ImportError | None = _exc
else:
    NETADDR_IMPORT_ERROR = None


class AddressError(ValueError):
    """Not an IP address (or network)."""


def _require_netaddr():
    if NETADDR_IMPORT_ERROR is not None:
        raise ImportError("the Python library netaddr is required (pip install netaddr)") \
            from NETADDR_IMPORT_ERROR


@functools.lru_cache(maxsize=65536)
def ip_address(text: str):
    """netaddr ``IPAddress`` of ``text``, parsed once (never modify the result).

    Raises netaddr's ``AddrFormatError`` (a ``ValueError``) when ``text`` is no address."""
    _require_netaddr()
    return IPAddress(text)


@functools.lru_cache(maxsize=65536)
def network(text: str):
    """netaddr ``IPNetwork`` of ``text`` (``10.0.1.1/24``), parsed once (never modify it)."""
    _require_netaddr()
    return IPNetwork(text)


def parse_address(value):
    """``IPAddress`` of a printed address (surrounding blanks ignored); :class:`AddressError`
    when it is none."""
    text = "" if value is None else str(value).strip()
    try:
        return ip_address(text)
    except (AddrFormatError, ValueError, TypeError):
        raise AddressError(f"not an IP address: {value!r}") from None


def canonical(value):
    """The canonical spelling of an address (``2001:DB8:5:0::2`` -> ``2001:db8:5::2``);
    :class:`AddressError` when ``value`` is no address."""
    return str(parse_address(value))


def is_address(value) -> bool:
    try:
        parse_address(value)
    except AddressError:
        return False
    return True


def same_address(a, b) -> bool:
    """Whether two printed addresses are the same address (as text, case-insensitively,
    when one of them is no address). ``None`` is never the same as anything."""
    if a is None or b is None:
        return False
    try:
        return parse_address(a) == parse_address(b)
    except AddressError:
        return str(a).strip().lower() == str(b).strip().lower()


_IPV4_PORT = re.compile(r"(\d{1,3}(?:\.\d{1,3}){3}):\d+")
_BRACKET_PORT = re.compile(r"\[([0-9A-Fa-f:.]+)\]:\d+")
_PLUS_PORT = re.compile(r"\+\d+$")


def strip_port(value):
    """The bare address of a printed endpoint: ``10.0.1.2+179`` (Junos BGP),
    ``1.1.1.1:500``, ``[2001:db8::1]:500``; anything else stripped and returned as it is,
    ``None``/empty as ``None``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    text = _PLUS_PORT.sub("", text)
    for pattern in (_IPV4_PORT, _BRACKET_PORT):
        match = pattern.fullmatch(text)
        if match:
            return match.group(1)
    return text


def in_network(address, net) -> bool:
    """Whether ``address`` lies in ``net`` (both printed or netaddr objects)."""
    addr = address if IPAddress is not None and isinstance(address, IPAddress) else parse_address(address)
    if not (IPNetwork is not None and isinstance(net, IPNetwork)):
        try:
            net = network(str(net).strip())
        except (AddrFormatError, ValueError, TypeError):
            raise AddressError(f"not an IP network: {net!r}") from None
    return addr in net
