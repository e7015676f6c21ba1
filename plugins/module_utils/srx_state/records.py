# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record shapes, value normalisation and the record builders of SRX operational state.

Every reader of state -- the XML parsers of this package (the ``vpn_state`` module's input)
and the CLI-text and JSON readers of the filters (``plugins/plugin_utils/state_text.py``,
``state_json.py``) -- hands the printed values of one entry to a builder here, so a record
is the same whatever the input shape:

- absent fields are ``None``; integers are ``int``;
- IKE ``state`` is upper-case; ``exchange_type`` is kept as Junos prints it (``Main``,
  ``Aggressive``, ``IKEv2``); cookies are lower-case;
- IPsec ``direction`` is ``inbound`` (``<``) or ``outbound`` (``>``); ``spi`` is the hex
  string as printed, lower-case, without a ``0x`` prefix (newer releases print one);
  ``protocol`` is upper-case without the ``:`` of the brief layout; ``lifetime_kb`` is
  ``None`` for ``unlim``/``Unlimited``; ``vpn_monitoring`` is ``UP``/``DOWN`` or ``None``
  for ``-``; ``encryption``/``integrity`` use the short names of the brief layout, see
  :func:`normalise_encryption` and :func:`normalise_integrity`; ``traffic_selector`` is the
  traffic-selector name of the SA pair (detail output of a VPN with traffic selectors, else
  ``None``); ``local_identity``/``remote_identity`` are the negotiated proxy IDs as prefixes
  (``10.1.0.0/24``; several, comma-separated, for a list), ``None`` when not printed (brief);
- BGP addresses lose their ``+port``; ``state`` is the full word (``Establ`` and the
  ``#Active/Received/Accepted/Damped`` count form of the summary mean ``Established``);
  ``elapsed_seconds`` comes from the ``Last Up/Dwn`` text (``56``, ``1:10``, ``2d 10:00:00``,
  ``1w2d 3:04:05``); prefix counts are summed over all RIBs of the peer (``None`` when no
  RIB reports the count: the summary has no advertised count, a session that is down has
  no RIB);
- ping round-trip times are milliseconds.

Malformed values raise :class:`SrxStateError` (a ``ValueError``) saying what was wrong.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.netops.srx_vpn.plugins.module_utils.addresses import strip_port


class SrxStateError(ValueError):
    """The input is not a (well-formed) reply of the expected show command or RPC."""


# Record shapes

IKE_FIELDS = (
    "remote_address", "state", "index", "initiator_cookie", "responder_cookie",
    "exchange_type", "local_address", "gateway",
)
IPSEC_FIELDS = (
    "tunnel_id", "direction", "spi", "protocol", "encryption", "integrity",
    "lifetime_seconds", "lifetime_kb", "remote_gateway", "port", "vpn_monitoring", "vsys",
    "traffic_selector", "local_identity", "remote_identity",
)
BGP_FIELDS = (
    "peer_address", "peer_as", "state", "flaps", "input_messages", "output_messages",
    "elapsed_seconds", "active_prefixes", "received_prefixes", "accepted_prefixes",
    "advertised_prefixes", "local_address", "local_as", "peer_id", "local_interface",
)
PING_FIELDS = ("sent", "received", "loss_percent", "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms")

RIB_COUNTS = (
    ("active_prefixes", "active-prefix-count"),
    ("received_prefixes", "received-prefix-count"),
    ("accepted_prefixes", "accepted-prefix-count"),
    ("advertised_prefixes", "advertised-prefix-count"),
)

BGP_STATES = {
    "establ": "Established",
    "established": "Established",
    "active": "Active",
    "connect": "Connect",
    "idle": "Idle",
    "opensent": "OpenSent",
    "openconfirm": "OpenConfirm",
}


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------

def clean(value):
    """A printed value stripped; ``None`` and empty (or blank) give ``None``."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def to_int(value, field, minimum=None, error=SrxStateError):
    """``int`` of a printed integer (``None``/empty: ``None``); ``error`` names ``field``."""
    if isinstance(value, bool):
        raise error(f"{field} must be an integer, got {value!r}")
    text = clean(value)
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError:
        raise error(f"{field} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise error(f"{field} must be at least {minimum}, got {number}")
    return number


def to_as(value, field, error=SrxStateError):
    """AS number as ``int``; asplain or asdot (``1.10`` -> 65546); at least 1."""
    text = clean(value)
    if text is None:
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)", text)
    if match:
        return int(match.group(1)) * 65536 + int(match.group(2))
    return to_int(text, field, minimum=1, error=error)


def number(value):
    """int when integral, float otherwise."""
    return int(value) if float(value).is_integer() else float(value)


def first_int(value, field):
    """First integer inside a printed value (``Expires in 3538 seconds`` -> 3538)."""
    value = clean(value)
    if value is None:
        return None
    match = re.search(r"\d+", value)
    if not match:
        raise SrxStateError(f"{field} has no number: {value!r}")
    return int(match.group(0))


def parse_elapsed(text):
    """Seconds of a Junos duration: ``56``, ``1:10``, ``1:01:54``, ``2d 10:00:00``,
    ``1w2d 3:04:05``, ``35w5d 23:41:41``. Returns None for None/empty."""
    text = clean(text)
    if text is None:
        return None
    match = re.fullmatch(
        r"(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?"
        r"\s*(?P<clock>\d+(?::\d+){0,2})?",
        text,
    )
    if not match or not any(match.groupdict().values()):
        raise SrxStateError(f"cannot read elapsed time {text!r}")
    units = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
    total = sum(int(match.group(k) or 0) * v for k, v in units.items())
    if match.group("clock"):
        parts = [int(p) for p in match.group("clock").split(":")]
        for weight, part in zip((1, 60, 3600), reversed(parts), strict=False):
            total += weight * part
    return total


def normalise_bgp_state(state):
    """Full word for a BGP state as printed (``Establ``, count forms -> ``Established``)."""
    state = clean(state)
    if state is None:
        return None
    if re.match(r"\d+(?:/\d+){2,3}", state):
        return "Established"
    return BGP_STATES.get(state.lower(), state)


def normalise_encryption(value):
    """Short encryption name as the brief IPsec layout prints it.

    ``aes-cbc-256/`` (brief XML) -> ``aes-cbc-256``; ``aes-cbc (256 bits)`` (detail) ->
    ``aes-cbc-256``; ``aes-gcm (256 bits)`` -> ``aes-gcm-256``; ``aes-256-cbc``
    (configuration name) -> ``aes-cbc-256``; ``3des-cbc`` -> ``3des``; ``des-cbc`` -> ``des``;
    ``none``/``-``/empty -> None; anything else lower-case as printed.
    """
    value = clean(value)
    if value is None:
        return None
    value = value.rstrip("/").strip().lower()
    if value in ("", "none", "null", "-"):
        return None
    match = re.fullmatch(r"([a-z0-9-]+?)\s*\(\s*(\d+)\s*bits?\s*\)", value)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    match = re.fullmatch(r"aes-(\d+)-(cbc|gcm|ctr)", value)
    if match:
        return f"aes-{match.group(2)}-{match.group(1)}"
    match = re.fullmatch(r"(3des|des)-cbc", value)
    if match:
        return match.group(1)
    return value


def normalise_integrity(value):
    """Short integrity name as the brief IPsec layout prints it.

    ``hmac-sha256-128`` (detail) -> ``sha256``; ``hmac-sha-256-128`` (configuration name)
    -> ``sha256``; ``hmac-sha1-96`` -> ``sha1``; ``hmac-md5-96`` -> ``md5``;
    ``hmac-sha384-192`` -> ``sha384``; ``hmac-sha512-256`` -> ``sha512``;
    ``sha-256`` -> ``sha256``; ``None``/``none``/``-``/empty (AEAD ciphers on older
    releases) -> None; anything else (``aes256-gcm``) lower-case as printed.
    """
    value = clean(value)
    if value is None:
        return None
    value = value.lower()
    if value in ("none", "null", "-"):
        return None
    match = re.fullmatch(r"(?:hmac-)?(sha)-?(\d+)(?:-\d+)?|hmac-(md5|sha1)(?:-\d+)?", value)
    if match:
        return match.group(3) or f"sha{match.group(2)}"
    return value


def _normalise_direction(value):
    value = clean(value)
    mapping = {"<": "inbound", ">": "outbound", "inbound": "inbound", "outbound": "outbound"}
    if value is None or value.lower() not in mapping:
        raise SrxStateError(f"IPsec SA direction is not <, >, inbound or outbound: {value!r}")
    return mapping[value.lower()]


def _normalise_monitoring(value):
    value = clean(value)
    if value is None or value == "-":
        return None
    return {"U": "UP", "D": "DOWN"}.get(value.upper(), value.upper())


def _lifetime_seconds(value):
    value = clean(value)
    if value is None or value == "-" or not re.search(r"\d", value):
        return None  # e.g. "Disabled"
    return first_int(value, "IPsec SA lifetime")


def _lifetime_kb(value):
    value = clean(value)
    if value is None or value.lower() in ("unlim", "unlimited", "-"):
        return None
    return first_int(value, "IPsec SA lifesize")


_IDENTITY_ITEM = re.compile(r"ipv[46](?:_subnet|_range)?\(([^()]*)\)", re.IGNORECASE)


def _identity_prefix(item):
    """``10.1.0.0/24``, ``10.1.0.7`` (a /32) or ``10.1.0.0-10.1.0.255`` (a range that is one
    prefix, else the range as printed) as prefix text."""
    try:
        if "/" in item:
            return str(ipaddress.ip_network(item, strict=False))
        if "-" in item:
            first, last = (ipaddress.ip_address(a.strip()) for a in item.split("-", 1))
            nets = list(ipaddress.summarize_address_range(first, last))
            return str(nets[0]) if len(nets) == 1 else f"{first}-{last}"
        address = ipaddress.ip_address(item)
        return str(ipaddress.ip_network(address))
    except ValueError:
        raise SrxStateError(f"IPsec SA identity is not an address, prefix or range: {item!r}") from None


def normalise_identity(value):
    """Prefix text of an IPsec SA's local or remote identity (proxy ID) as printed.

    ``ipv4_subnet(any:0,[0..7]=10.1.0.0/24)`` -> ``10.1.0.0/24``; ``ipv4(10.1.0.7)`` ->
    ``10.1.0.7/32``; ``ipv4_range(any:0,[0..7]=10.1.0.0-10.1.0.255)`` -> ``10.1.0.0/24``;
    ``list(any:0,ipv4_subnet(..=0.0.0.0/1), ipv4_subnet(..=128.0.0.0/1))`` ->
    ``0.0.0.0/1,128.0.0.0/1``; a bare prefix is normalised; empty -> None.
    """
    value = clean(value)
    if value is None:
        return None
    items = _IDENTITY_ITEM.findall(value) or [value]
    prefixes = []
    for item in items:
        item = item.rsplit("=", 1)[-1].rsplit(",", 1)[-1].strip()
        prefixes.append(_identity_prefix(item))
    return ",".join(prefixes)


def _normalise_spi(value):
    value = clean(value)
    if value is None:
        return None
    value = value.lower()
    value = value.removeprefix("0x")
    if not re.fullmatch(r"[0-9a-f]+", value):
        raise SrxStateError(f"IPsec SPI is not hexadecimal: {value!r}")
    return value


# --------------------------------------------------------------------------------------
# Record builders (one place that normalises, whatever the input shape)
# --------------------------------------------------------------------------------------

def ike_record(raw):
    """IKE SA record (keys of ``IKE_FIELDS``) from printed values keyed by field name."""
    if clean(raw.get("index")) is None and clean(raw.get("remote_address")) is None:
        raise SrxStateError("IKE SA entry has neither an index nor a remote address")
    state = clean(raw.get("state"))
    cookies = {k: clean(raw.get(k)) for k in ("initiator_cookie", "responder_cookie")}
    return {
        "remote_address": strip_port(raw.get("remote_address")),
        "state": state.upper() if state else None,
        "index": to_int(raw.get("index"), "IKE SA index"),
        "initiator_cookie": cookies["initiator_cookie"] and cookies["initiator_cookie"].lower(),
        "responder_cookie": cookies["responder_cookie"] and cookies["responder_cookie"].lower(),
        "exchange_type": clean(raw.get("exchange_type")),
        "local_address": strip_port(raw.get("local_address")),
        "gateway": clean(raw.get("gateway")),
    }


def ipsec_record(raw):
    """IPsec SA record (keys of ``IPSEC_FIELDS``), one direction of a tunnel."""
    tunnel_id = to_int(raw.get("tunnel_id"), "IPsec tunnel index")
    if tunnel_id is None:
        raise SrxStateError("IPsec SA entry has no tunnel index")
    protocol = clean(raw.get("protocol"))
    protocol = protocol.rstrip(":").strip().upper() if protocol else None
    return {
        "tunnel_id": tunnel_id,
        "direction": _normalise_direction(raw.get("direction")),
        "spi": _normalise_spi(raw.get("spi")),
        "protocol": protocol or None,
        "encryption": normalise_encryption(raw.get("encryption")),
        "integrity": normalise_integrity(raw.get("integrity")),
        "lifetime_seconds": _lifetime_seconds(raw.get("lifetime_seconds")),
        "lifetime_kb": _lifetime_kb(raw.get("lifetime_kb")),
        "remote_gateway": strip_port(raw.get("remote_gateway")),
        "port": to_int(raw.get("port"), "IPsec SA port"),
        "vpn_monitoring": _normalise_monitoring(raw.get("vpn_monitoring")),
        "vsys": clean(raw.get("vsys")),
        "traffic_selector": clean(raw.get("traffic_selector")),
        "local_identity": normalise_identity(raw.get("local_identity")),
        "remote_identity": normalise_identity(raw.get("remote_identity")),
    }


def bgp_record(raw, ribs):
    """BGP peer record (keys of ``BGP_FIELDS``); ``ribs`` are dicts of printed prefix
    counts (keys of ``RIB_COUNTS``), summed per key. ``elapsed_seconds`` is already an int."""
    peer = strip_port(raw.get("peer_address"))
    if peer is None:
        raise SrxStateError("BGP peer entry has no peer address")
    record = {
        "peer_address": peer,
        "peer_as": to_as(raw.get("peer_as"), "BGP peer AS"),
        "state": normalise_bgp_state(raw.get("state")),
        "flaps": to_int(raw.get("flaps"), "BGP flap count"),
        "input_messages": to_int(raw.get("input_messages"), "BGP input messages"),
        "output_messages": to_int(raw.get("output_messages"), "BGP output messages"),
        "elapsed_seconds": raw.get("elapsed_seconds"),
        "local_address": strip_port(raw.get("local_address")),
        "local_as": to_as(raw.get("local_as"), "BGP local AS"),
        "peer_id": clean(raw.get("peer_id")),
        "local_interface": clean(raw.get("local_interface")),
    }
    for key, _tag in RIB_COUNTS:
        counts = [to_int(rib.get(key), f"BGP {key}") for rib in ribs]
        counts = [c for c in counts if c is not None]
        record[key] = sum(counts) if counts else None
    return {key: record[key] for key in BGP_FIELDS}


BGP_ERROR_FIELDS = ("peer_address", "state", "last_state", "last_event", "last_error")


def bgp_error_record(raw):
    """Why a BGP session is where it is (keys of ``BGP_ERROR_FIELDS``); ``None`` error for
    ``None``."""
    peer = strip_port(raw.get("peer_address"))
    if peer is None:
        raise SrxStateError("BGP peer entry has no peer address")
    error = clean(raw.get("last_error"))
    return {
        "peer_address": peer,
        "state": normalise_bgp_state(raw.get("state")),
        "last_state": normalise_bgp_state(raw.get("last_state")),
        "last_event": clean(raw.get("last_event")),
        "last_error": None if error is None or error.lower() == "none" else error,
    }


def ping_record(sent, received, loss, rtt_min, rtt_avg, rtt_max):
    """Ping summary (keys of ``PING_FIELDS``); round-trip times already in milliseconds.
    The loss is computed from the counts when the reply does not print it."""
    sent = to_int(sent, "ping probes sent")
    received = to_int(received, "ping responses received")
    if sent is None or received is None:
        raise SrxStateError("ping summary lacks the number of probes sent or received")
    loss = clean(loss)
    if loss is None:
        loss_percent = number(round((sent - received) * 100.0 / sent, 3)) if sent else None
    else:
        try:
            loss_percent = number(float(loss.rstrip("%")))
        except ValueError:
            raise SrxStateError(f"ping packet loss is not a number: {loss!r}") from None
    return {
        "sent": sent,
        "received": received,
        "loss_percent": loss_percent,
        "rtt_min_ms": rtt_min,
        "rtt_avg_ms": rtt_avg,
        "rtt_max_ms": rtt_max,
    }
