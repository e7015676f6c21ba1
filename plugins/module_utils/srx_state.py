# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers for Junos SRX operational state, and health checks on it (controller side: the
filters and the ``vpn_state`` module import them).

Every parser accepts the same reply in any of three shapes and returns the same result:

- the XML reply of the RPC (a string or an lxml element; with or without namespaces;
  possibly wrapped in ``rpc-reply`` and in ``multi-routing-engine-results`` /
  ``multi-routing-engine-item`` as chassis clusters answer -- then the entries of all
  items are returned; ``<output>`` text of ``<command format="text">`` is parsed as CLI);
- the Junos JSON reply (a string or a dict: every element is a list of objects, leaf values
  are ``[{"data": "..."}]``, attributes sit under ``"attributes"``); xmltodict-style dicts
  (leaves as plain strings, ``@attr``/``#text``) are accepted too;
- the CLI text of the show command (one-line rows as Junos prints them, and the same rows
  wrapped over several lines as in copied documentation).

A list of replies (for example ``stdout`` of ``junos_command``) is parsed reply by reply
and the entries are concatenated; a registered result dict with ``xml`` or ``stdout`` is
read from that key.

Normalisation (identical for the three shapes):

- absent fields are ``None``; integers are ``int``;
- IKE ``state`` is upper-case; ``exchange_type`` is kept as Junos prints it (``Main``,
  ``Aggressive``, ``IKEv2``); cookies are lower-case;
- IPsec ``direction`` is ``inbound`` (``<``) or ``outbound`` (``>``); ``spi`` is the hex
  string as printed, lower-case, without a ``0x`` prefix (newer releases print one);
  ``protocol`` is upper-case without the ``:`` of the brief layout; ``lifetime_kb`` is
  ``None`` for ``unlim``/``Unlimited``; ``vpn_monitoring`` is ``UP``/``DOWN`` or ``None``
  for ``-``; ``encryption``/``integrity`` use the short names of the brief layout, see
  :func:`normalise_encryption` and :func:`normalise_integrity`;
- BGP addresses lose their ``+port``; ``state`` is the full word (``Establ`` and the
  ``#Active/Received/Accepted/Damped`` count form of the summary mean ``Established``);
  ``elapsed_seconds`` comes from the ``Last Up/Dwn`` text (``56``, ``1:10``, ``2d 10:00:00``,
  ``1w2d 3:04:05``) and falls back to the ``junos:seconds`` attribute; prefix counts are
  summed over all RIBs of the peer (``None`` when no RIB reports the count: the summary
  has no advertised count, a session that is down has no RIB);
- ping round-trip times are milliseconds: the XML reply carries microseconds (Junos
  ``rtt-minimum``/``rtt-average``/``rtt-maximum``), divided by 1000 and rounded to 3
  decimals, the CLI prints milliseconds.

Malformed input raises :class:`SrxStateError` (a ``ValueError``) saying what was wrong.
Empty results (no SA, ``Total active tunnels: 0``, no ``bgp-peer``) give ``[]``.
"""

from __future__ import annotations

import ipaddress
import json
import re
import xml.etree.ElementTree as _std_etree

try:
    from lxml import etree
except ImportError as _exc:  # pragma: no cover - lxml is a documented requirement
    etree = None
    LXML_IMPORT_ERROR = _exc
else:
    LXML_IMPORT_ERROR = None


class SrxStateError(ValueError):
    """The input is not a (well-formed) reply of the expected show command or RPC."""


# --------------------------------------------------------------------------------------
# Record shapes
# --------------------------------------------------------------------------------------

IKE_FIELDS = (
    "remote_address", "state", "index", "initiator_cookie", "responder_cookie",
    "exchange_type", "local_address", "gateway",
)
IPSEC_FIELDS = (
    "tunnel_id", "direction", "spi", "protocol", "encryption", "integrity",
    "lifetime_seconds", "lifetime_kb", "remote_gateway", "port", "vpn_monitoring", "vsys",
)
BGP_FIELDS = (
    "peer_address", "peer_as", "state", "flaps", "input_messages", "output_messages",
    "elapsed_seconds", "active_prefixes", "received_prefixes", "accepted_prefixes",
    "advertised_prefixes", "local_address", "local_as", "peer_id", "local_interface",
)
PING_FIELDS = ("sent", "received", "loss_percent", "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms")

_RIB_COUNTS = (
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
# Small value helpers
# --------------------------------------------------------------------------------------

def _clean(value):
    """Strip a printed value; empty becomes None."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _to_int(value, field):
    value = _clean(value)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise SrxStateError(f"{field} is not an integer: {value!r}") from None


def _to_as(value, field):
    """AS number as int; accepts asplain and asdot (``1.10`` -> 65546)."""
    value = _clean(value)
    if value is None:
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)", value)
    if match:
        return int(match.group(1)) * 65536 + int(match.group(2))
    return _to_int(value, field)


def _number(value):
    """int when integral, float otherwise."""
    return int(value) if float(value).is_integer() else float(value)


def _first_int(value, field):
    """First integer inside a printed value (``Expires in 3538 seconds`` -> 3538)."""
    value = _clean(value)
    if value is None:
        return None
    match = re.search(r"\d+", value)
    if not match:
        raise SrxStateError(f"{field} has no number: {value!r}")
    return int(match.group(0))


def strip_port(address):
    """``10.0.1.2+179`` / ``1.1.1.1:500`` / ``[2001:db8::1]:500`` -> bare address."""
    address = _clean(address)
    if address is None:
        return None
    address = re.sub(r"\+\d+$", "", address)
    match = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3}){3}):\d+", address)
    if match:
        return match.group(1)
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:\d+", address)
    if match:
        return match.group(1)
    return address


def parse_elapsed(text):
    """Seconds of a Junos duration: ``56``, ``1:10``, ``1:01:54``, ``2d 10:00:00``,
    ``1w2d 3:04:05``, ``35w5d 23:41:41``. Returns None for None/empty."""
    text = _clean(text)
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
        for weight, part in zip((1, 60, 3600), reversed(parts)):
            total += weight * part
    return total


def normalise_bgp_state(state):
    """Full word for a BGP state as printed (``Establ``, count forms -> ``Established``)."""
    state = _clean(state)
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
    value = _clean(value)
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
    value = _clean(value)
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
    value = _clean(value)
    mapping = {"<": "inbound", ">": "outbound", "inbound": "inbound", "outbound": "outbound"}
    if value is None or value.lower() not in mapping:
        raise SrxStateError(f"IPsec SA direction is not <, >, inbound or outbound: {value!r}")
    return mapping[value.lower()]


def _normalise_monitoring(value):
    value = _clean(value)
    if value is None or value == "-":
        return None
    return {"U": "UP", "D": "DOWN"}.get(value.upper(), value.upper())


def _lifetime_seconds(value):
    value = _clean(value)
    if value is None or value == "-" or not re.search(r"\d", value):
        return None  # e.g. "Disabled"
    return _first_int(value, "IPsec SA lifetime")


def _lifetime_kb(value):
    value = _clean(value)
    if value is None or value.lower() in ("unlim", "unlimited", "-"):
        return None
    return _first_int(value, "IPsec SA lifesize")


def _normalise_spi(value):
    value = _clean(value)
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

def _ike_record(raw):
    if _clean(raw.get("index")) is None and _clean(raw.get("remote_address")) is None:
        raise SrxStateError("IKE SA entry has neither an index nor a remote address")
    state = _clean(raw.get("state"))
    cookies = {k: _clean(raw.get(k)) for k in ("initiator_cookie", "responder_cookie")}
    return {
        "remote_address": strip_port(raw.get("remote_address")),
        "state": state.upper() if state else None,
        "index": _to_int(raw.get("index"), "IKE SA index"),
        "initiator_cookie": cookies["initiator_cookie"] and cookies["initiator_cookie"].lower(),
        "responder_cookie": cookies["responder_cookie"] and cookies["responder_cookie"].lower(),
        "exchange_type": _clean(raw.get("exchange_type")),
        "local_address": strip_port(raw.get("local_address")),
        "gateway": _clean(raw.get("gateway")),
    }


def _ipsec_record(raw):
    tunnel_id = _to_int(raw.get("tunnel_id"), "IPsec tunnel index")
    if tunnel_id is None:
        raise SrxStateError("IPsec SA entry has no tunnel index")
    protocol = _clean(raw.get("protocol"))
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
        "port": _to_int(raw.get("port"), "IPsec SA port"),
        "vpn_monitoring": _normalise_monitoring(raw.get("vpn_monitoring")),
        "vsys": _clean(raw.get("vsys")),
    }


def _bgp_record(raw, ribs):
    peer = strip_port(raw.get("peer_address"))
    if peer is None:
        raise SrxStateError("BGP peer entry has no peer address")
    record = {
        "peer_address": peer,
        "peer_as": _to_as(raw.get("peer_as"), "BGP peer AS"),
        "state": normalise_bgp_state(raw.get("state")),
        "flaps": _to_int(raw.get("flaps"), "BGP flap count"),
        "input_messages": _to_int(raw.get("input_messages"), "BGP input messages"),
        "output_messages": _to_int(raw.get("output_messages"), "BGP output messages"),
        "elapsed_seconds": raw.get("elapsed_seconds"),
        "local_address": strip_port(raw.get("local_address")),
        "local_as": _to_as(raw.get("local_as"), "BGP local AS"),
        "peer_id": _clean(raw.get("peer_id")),
        "local_interface": _clean(raw.get("local_interface")),
    }
    for key, _tag in _RIB_COUNTS:
        counts = [_to_int(rib.get(key), f"BGP {key}") for rib in ribs]
        counts = [c for c in counts if c is not None]
        record[key] = sum(counts) if counts else None
    return {key: record[key] for key in BGP_FIELDS}


def _ping_record(sent, received, loss, rtt_min, rtt_avg, rtt_max):
    sent = _to_int(sent, "ping probes sent")
    received = _to_int(received, "ping responses received")
    if sent is None or received is None:
        raise SrxStateError("ping summary lacks the number of probes sent or received")
    loss = _clean(loss)
    if loss is None:
        loss_percent = _number(round((sent - received) * 100.0 / sent, 3)) if sent else None
    else:
        try:
            loss_percent = _number(float(loss.rstrip("%")))
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


# --------------------------------------------------------------------------------------
# Reading the input: XML / JSON / text, lists of replies, registered results
# --------------------------------------------------------------------------------------

_BANNER_LINE = re.compile(
    r"^\s*(?:\{[^{}\"\n]+\}|\[edit[^\]\n]*\]|[\w.-]+@[\w.-]+[>#%].*)\s*$"
)


def _trim_banners(text):
    """Drop leading/trailing prompt and ``{master:0}`` lines around a pasted reply."""
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or _BANNER_LINE.match(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1].strip() or _BANNER_LINE.match(lines[-1])):
        lines.pop()
    return "\n".join(lines)


def _require_lxml():
    if etree is None:
        raise SrxStateError(f"the lxml Python library is required: {LXML_IMPORT_ERROR}")


def _localise_tree(root):
    """Strip namespaces from element and attribute names, in place."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        element.tag = etree.QName(element).localname
        for key in list(element.attrib):
            local = etree.QName(key).localname
            if local != key:
                value = element.attrib.pop(key)
                if local not in element.attrib:
                    element.set(local, value)
    etree.cleanup_namespaces(root)
    return root


def _parse_xml(text):
    _require_lxml()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise SrxStateError(f"invalid XML: {exc}") from None
    return _localise_tree(root)


_XML_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def _json_name(key, what):
    name = str(key).rsplit(":", maxsplit=1)[-1]
    if not _XML_NAME.fullmatch(name):
        raise SrxStateError(f"invalid {what} name {key!r} in JSON reply")
    return name


def _json_attributes(element, attributes):
    if not isinstance(attributes, dict):
        raise SrxStateError("JSON 'attributes' must be an object")
    for key, value in attributes.items():
        if str(key).startswith("xmlns"):
            continue
        element.set(_json_name(key, "attribute"), "" if value is None else str(value))


def _json_text(element, data):
    if isinstance(data, list):
        data = "".join(str(d) for d in data if d is not None)
    if data is not None and not isinstance(data, (dict, list)):
        element.text = str(data)


def _json_fill(element, obj):
    """Fill an element from Junos JSON (``[{"data": ..}]``) or xmltodict-style values."""
    if obj is None:
        return
    if not isinstance(obj, dict):
        if isinstance(obj, list):
            raise SrxStateError("unexpected nested list in JSON reply")
        element.text = str(obj)
        return
    for key, value in obj.items():
        if key == "attributes":
            _json_attributes(element, value)
        elif key in ("data", "#text"):
            _json_text(element, value)
        elif str(key).startswith("@"):
            _json_attributes(element, {key[1:]: value})
        else:
            name = _json_name(key, "element")
            for item in value if isinstance(value, list) else [value]:
                _json_fill(etree.SubElement(element, name), item)


def _json_to_tree(obj):
    _require_lxml()
    root = etree.Element("json-reply")
    _json_fill(root, obj)
    return root


def _load_json(text):
    decoder = json.JSONDecoder()
    try:
        obj, end = decoder.raw_decode(text)
    except ValueError as exc:
        raise SrxStateError(f"invalid JSON: {exc}") from None
    if text[end:].strip():
        raise SrxStateError(f"invalid JSON: unexpected text after the reply: {text[end:end + 40]!r}")
    return obj


def _looks_like_xml(text):
    return len(text) > 1 and text[0] == "<" and (text[1].isalpha() or text[1] in "?!_")


def _replies_from_string(text):
    text = _trim_banners(text)
    if _looks_like_xml(text):
        yield "tree", _parse_xml(text)
    elif text[:1] in ("{", "["):
        yield from _replies(_load_json(text))
    else:
        yield "text", text


def _replies_from_dict(data):
    if "xml" in data and isinstance(data.get("xml"), str):
        yield from _replies(data["xml"])
    elif "stdout" in data and ("changed" in data or "failed" in data or "stdout_lines" in data):
        yield from _replies(data["stdout"])
    else:
        yield "tree", _json_to_tree(data)


def _replies(data):
    """Yield ('tree', lxml element without namespaces) or ('text', str) per reply."""
    if data is None:
        raise SrxStateError("no input (got None)")
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if isinstance(data, str):
        yield from _replies_from_string(data)
    elif isinstance(data, dict):
        yield from _replies_from_dict(data)
    elif isinstance(data, (list, tuple)):
        for item in data:
            if isinstance(item, (list, tuple)) and all(isinstance(i, str) for i in item):
                item = "\n".join(item)  # stdout_lines of one command
            yield from _replies(item)
    else:
        yield "tree", _tree_from_element(data)


def _tree_from_element(data):
    """A namespace-free copy of an lxml or ElementTree element (or element tree)."""
    root = data.getroot() if hasattr(data, "getroot") else data
    if etree is not None and etree.iselement(root):
        return _localise_tree(etree.fromstring(etree.tostring(root)))
    if isinstance(root, _std_etree.Element):
        return _parse_xml(_std_etree.tostring(root, encoding="unicode"))
    raise SrxStateError(
        f"expected XML, JSON or CLI text (string, dict or XML element), got {type(data).__name__}"
    )


# --------------------------------------------------------------------------------------
# Tree helpers (namespace-free lxml trees)
# --------------------------------------------------------------------------------------

def _child(element, name):
    if element is None:
        return None
    for child in element:
        if child.tag == name:
            return child
    return None


def _child_text(element, name):
    child = _child(element, name)
    return None if child is None else _clean(child.text)


def _parent_if(element, name):
    parent = element.getparent()
    return parent if parent is not None and parent.tag == name else None


def _error_messages(root):
    messages = []
    for element in root.iter("rpc-error", "error"):
        message = _child_text(element, "error-message") or _child_text(element, "message")
        severity = _child_text(element, "error-severity") or "error"
        if severity != "warning":
            messages.append(message or "unspecified error")
    return messages


def _output_text(root):
    outputs = [o.text for o in root.iter("output") if _clean(o.text)]
    return "\n".join(outputs) if outputs else None


def _entries_from_tree(root, spec):
    """Entries of a reply tree; falls back to <output> text; errors say what is missing."""
    entries = list(root.iter(spec["entry"]))
    if entries:
        return [spec["from_entry"](entry) for entry in entries]
    text = _output_text(root)
    if text is not None:
        return spec["from_text"](_trim_banners(text))
    if next(root.iter(spec["root"], "multi-routing-engine-item"), None) is not None:
        return []
    errors = _error_messages(root)
    if not errors and next(root.iter("output"), None) is not None:
        return []  # `show ...` with nothing to show prints nothing: an empty <output>
    if errors:
        raise SrxStateError(f"the device answered with an error: {'; '.join(errors)}")
    raise SrxStateError(f"the reply has no <{spec['root']}> (is it the reply of {spec['command']}?)")


def _parse(data, spec):
    results = []
    for kind, payload in _replies(data):
        if kind == "text":
            results.extend(spec["from_text"](payload))
        else:
            results.extend(_entries_from_tree(payload, spec))
    return results


_NOISE_LINE = re.compile(r"^\s*(?:node\d+:|-{4,}|\{[^{}\n]*\}|[\w.-]+@[\w.-]+[>#%].*)?\s*$")


def _is_blank(text):
    """True when the text holds nothing but prompts, cluster node headers and rulers."""
    return all(_NOISE_LINE.match(line) for line in text.splitlines())


# --------------------------------------------------------------------------------------
# IKE security associations
# --------------------------------------------------------------------------------------

def _ike_from_entry(sa):
    block = _parent_if(sa, "ike-security-associations-block")

    def get(*names):
        for holder in (sa, block):
            for name in names:
                value = _child_text(holder, name)
                if value is not None:
                    return value
        return None

    return _ike_record({
        "remote_address": get("ike-sa-remote-address"),
        "state": get("ike-sa-state"),
        "index": get("ike-sa-index"),
        "initiator_cookie": get("ike-sa-initiator-cookie"),
        "responder_cookie": get("ike-sa-responder-cookie"),
        "exchange_type": get("ike-sa-exchange-type"),
        "local_address": get("ike-sa-local-address"),
        "gateway": get("ike-gw-name", "ike-sa-gateway-name"),
    })


_HEX16 = r"[0-9A-Fa-f]{16}"
_IKE_ROW = re.compile(
    rf"(?<!\S)(?P<index>\d+)\s+(?P<state>[A-Za-z][\w-]*)\s+(?P<icookie>{_HEX16})\s+"
    rf"(?P<rcookie>{_HEX16})\s+(?P<mode>[A-Za-z][\w-]*)\s+(?P<remote>\S+)"
)
_IKE_ROW_OLD = re.compile(  # Junos 10/11: Index  Remote Address  State  cookies  Mode
    rf"(?<!\S)(?P<index>\d+)\s+(?P<remote>\S+)\s+(?P<state>[A-Za-z][\w-]*)\s+"
    rf"(?P<icookie>{_HEX16})\s+(?P<rcookie>{_HEX16})\s+(?P<mode>[A-Za-z][\w-]*)"
)
_IKE_HEADER = re.compile(r"Index\s+State\s+Initiator\s+cookie|Index\s+Remote\s+Address\s+State")


def _ike_brief_text(text):
    pattern = _IKE_ROW_OLD if re.search(r"Index\s+Remote\s+Address\s+State", text) else _IKE_ROW
    rows = [
        _ike_record({
            "remote_address": m.group("remote"), "state": m.group("state"),
            "index": m.group("index"), "initiator_cookie": m.group("icookie"),
            "responder_cookie": m.group("rcookie"), "exchange_type": m.group("mode"),
        })
        for m in pattern.finditer(text)
    ]
    if rows or _is_blank(text) or _IKE_HEADER.search(text) or re.search(
        r"no\s+(?:ike\s+)?security\s+associations", text, re.IGNORECASE
    ):
        return rows
    raise SrxStateError("text is not the output of 'show security ike security-associations'")


def _search(pattern, text, group=1, flags=0):
    match = re.search(pattern, text, flags)
    return match.group(group) if match else None


def _ike_detail_block(block):
    header = re.match(r"\s*IKE peer\s+(\S+?),\s*Index\s+(\d+)(?:,\s*Gateway Name:\s*(\S+))?", block)
    cookies = re.search(rf"Initiator cookie:\s*({_HEX16}),\s*Responder cookie:\s*({_HEX16})", block)
    return _ike_record({
        "remote_address": header.group(1),
        "index": header.group(2),
        "gateway": header.group(3),
        "state": _search(r"Role:\s*\w+,\s*State:\s*(\w+)", block)
        or _search(r"(?<![\w-])State:\s*(\w+)", block),
        "initiator_cookie": cookies.group(1) if cookies else None,
        "responder_cookie": cookies.group(2) if cookies else None,
        "exchange_type": _search(r"Exchange type:\s*([^,\s]+)", block),
        "local_address": _search(r"(?<![\w-])Local:\s*([^,\s]+),\s*Remote:", block),
    })


def _split_blocks(text, start_pattern):
    starts = [m.start() for m in re.finditer(start_pattern, text, re.MULTILINE)]
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def _ike_from_text(text):
    if re.search(r"IKE peer\s+\S+,\s*Index\s+\d+", text):
        return [_ike_detail_block(b) for b in _split_blocks(text, r"^\s*IKE peer\s+\S+,")]
    return _ike_brief_text(text)


_IKE_SPEC = {
    "command": "show security ike security-associations",
    "root": "ike-security-associations-information",
    "entry": "ike-security-associations",
    "from_entry": _ike_from_entry,
    "from_text": _ike_from_text,
}


def parse_ike_sas(data):
    """IKE (phase 1) SAs: list of dicts with the keys of ``IKE_FIELDS``."""
    return _parse(data, _IKE_SPEC)


# --------------------------------------------------------------------------------------
# IPsec security associations
# --------------------------------------------------------------------------------------

def _block_text(block, name):
    """A value of the SA block outside its SA entries (detail style: sa-dev-info/sa-port)."""
    if block is None:
        return None
    for element in block.iter(name):
        if not any(a.tag == "ipsec-security-associations" for a in element.iterancestors()):
            value = _clean(element.text)
            if value is not None:
                return value
    return None


def _ipsec_from_entry(sa):
    block = _parent_if(sa, "ipsec-security-associations-block")

    def get(*names):
        for name in names:
            value = _child_text(sa, name)
            if value is not None:
                return value
        for name in names:
            value = _block_text(block, name)
            if value is not None:
                return value
        return None

    return _ipsec_record({
        "tunnel_id": get("sa-tunnel-index"),
        "direction": get("sa-direction"),
        "spi": get("sa-spi"),
        "protocol": get("sa-protocol"),
        "encryption": get("sa-esp-encryption-algorithm", "sa-encryption-algorithm"),
        "integrity": get("sa-hmac-algorithm", "sa-authentication-algorithm"),
        "lifetime_seconds": get("sa-hard-lifetime"),
        "lifetime_kb": get("sa-lifesize-remaining"),
        "remote_gateway": get("sa-remote-gateway"),
        "port": get("sa-port"),
        "vpn_monitoring": get("sa-vpn-monitoring-state"),
        "vsys": get("sa-virtual-system"),
    })


_IPSEC_ALGO = r"(?P<proto>[A-Za-z]+):(?P<enc>[^/\s]*)/(?P<integ>\S*)"
_IPSEC_SPI_LIFE = r"(?:0x)?(?P<spi>[0-9A-Fa-f]+)\s+(?P<life>\d+|-)/\s*(?P<kb>\S+)"
_IPSEC_ROW = re.compile(
    rf"(?<!\S)(?P<dir>[<>])\s*(?P<id>\d+)\s+{_IPSEC_ALGO}\s+{_IPSEC_SPI_LIFE}\s+"
    r"(?P<mon>\S+)\s+(?P<vsys>\S+)\s+(?P<port>\d+)\s+(?P<gw>\S+)"
)
_IPSEC_ROW_OLD = re.compile(  # Junos 10/11: ID  Gateway  Port  Algorithm  SPI  Life  Mon vsys
    rf"(?<!\S)(?P<dir>[<>])\s*(?P<id>\d+)\s+(?P<gw>\S+)\s+(?P<port>\d+)\s+{_IPSEC_ALGO}\s+"
    rf"{_IPSEC_SPI_LIFE}\s+(?P<mon>\S+)\s+(?P<vsys>\S+)"
)


def _ipsec_brief_text(text):
    pattern = _IPSEC_ROW_OLD if re.search(r"ID\s+Gateway\s+Port\s+Algorithm", text) else _IPSEC_ROW
    rows = [
        _ipsec_record({
            "tunnel_id": m.group("id"), "direction": m.group("dir"), "spi": m.group("spi"),
            "protocol": m.group("proto"), "encryption": m.group("enc"),
            "integrity": m.group("integ"), "lifetime_seconds": m.group("life"),
            "lifetime_kb": m.group("kb"), "remote_gateway": m.group("gw"),
            "port": m.group("port"), "vpn_monitoring": m.group("mon"), "vsys": m.group("vsys"),
        })
        for m in pattern.finditer(text)
    ]
    if rows or _is_blank(text) or re.search(
        r"Total active tunnels:\s*0\b|No\s+(?:ipsec\s+)?security\s+associations", text, re.IGNORECASE
    ):
        return rows
    raise SrxStateError("text is not the output of 'show security ipsec security-associations'")


_IPSEC_DETAIL_SA_FIELDS = (
    ("direction", r"Direction:\s*(\w+)"),
    ("spi", r"(?<![\w-])SPI:\s*(\w+)"),
    ("vpn_monitoring", r"VPN Monitoring:\s*(\S+)"),
    ("lifetime_seconds", r"Hard lifetime:\s*([^\n]*)"),
    ("lifetime_kb", r"Lifesize Remaining:\s*([^\n]*)"),
    ("protocol", r"Protocol:\s*(\w+)"),
    ("integrity", r"Authentication:\s*([^,\s]+)"),
    ("encryption", r"Encryption:\s*([^,\n]+)"),
)


def _ipsec_detail_sa(tunnel, sa_text):
    raw = dict(tunnel)
    raw.update((key, _search(pattern, sa_text)) for key, pattern in _IPSEC_DETAIL_SA_FIELDS)
    return _ipsec_record(raw)


def _ipsec_detail_block(block):
    tunnel = {
        "tunnel_id": _search(r"ID:\s*(\d+)", block),
        "vsys": _search(r"Virtual-system:\s*([^,\s]+)", block),
        "remote_gateway": _search(r"Remote Gateway:\s*([^,\s]+)", block),
        "port": _search(r"(?<![\w-])Port:\s*(\d+)", block),
    }
    return [
        _ipsec_detail_sa(tunnel, sa_text)
        for sa_text in _split_blocks(block, r"Direction:\s*(?:inbound|outbound)")
    ]


def _ipsec_from_text(text):
    if re.search(r"Direction:\s*(?:inbound|outbound)", text):
        records = []
        for block in _split_blocks(text, r"^\s*ID:\s*\d+"):
            records.extend(_ipsec_detail_block(block))
        return records
    return _ipsec_brief_text(text)


_IPSEC_SPEC = {
    "command": "show security ipsec security-associations",
    "root": "ipsec-security-associations-information",
    "entry": "ipsec-security-associations",
    "from_entry": _ipsec_from_entry,
    "from_text": _ipsec_from_text,
}


def parse_ipsec_sas(data):
    """IPsec (phase 2) SAs, one per direction: list of dicts with the keys of ``IPSEC_FIELDS``."""
    return _parse(data, _IPSEC_SPEC)


# --------------------------------------------------------------------------------------
# BGP peers (summary and neighbor)
# --------------------------------------------------------------------------------------

def _bgp_elapsed(element):
    if element is None:
        return None
    try:
        return parse_elapsed(element.text)
    except SrxStateError:
        seconds = element.get("seconds")
        if seconds is None:
            raise
        return _to_int(seconds, "BGP elapsed-time seconds")


def _bgp_from_entry(peer):
    header = _child(peer, "bgp-peer-header")  # Junos 19+ neighbor style

    def get(name):
        value = _child_text(peer, name)
        return value if value is not None else _child_text(header, name)

    elapsed = _child(peer, "elapsed-time")
    ribs = [
        {key: _child_text(rib, tag) for key, tag in _RIB_COUNTS}
        for rib in peer if rib.tag == "bgp-rib"
    ]
    raw = {
        "peer_address": get("peer-address"),
        "peer_as": get("peer-as"),
        "state": get("peer-state"),
        "flaps": get("flap-count"),
        "input_messages": get("input-messages"),
        "output_messages": get("output-messages"),
        "elapsed_seconds": _bgp_elapsed(elapsed if elapsed is not None else _child(header, "elapsed-time")),
        "local_address": get("local-address"),
        "local_as": get("local-as"),
        "peer_id": get("peer-id"),
        "local_interface": get("local-interface-name"),
    }
    return _bgp_record(raw, ribs)


_BGP_SUMMARY_HEADER = re.compile(
    r"Peer\s+AS\s+InPkt\s+OutPkt\s+OutQ\s+Flaps\s+Last\s+Up/Dwn\s+"
    r"State\|#Active/Received/Accepted/Damped\.*"
)
_BGP_SEGMENT_END = re.compile(
    r"^\s*(?:node\d+:|-{4,}|Threading mode:|Default eBGP mode:|Groups:|Unconfigured peers:"
    r"|Table\s+Tot\s+Paths|\{[^{}\n]*\}|[\w.-]+@[\w.-]+[>#%])",
    re.MULTILINE,
)
_COUNTS = re.compile(r"\d+(?:/\d+){2,3}")
_CLOCK = re.compile(r"\d+(?::\d+){0,2}")
_DAYS = re.compile(r"(?=\d)(?:\d+w)?(?:\d+d)?(?:\d+h)?")
_ADDRESS = re.compile(r"[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]*(?:%\S+)?(?:\+\d+)?")
_INT = re.compile(r"\d+(?:\.\d+)?")


def _rib_from_counts(counts):
    values = counts.split("/")
    return {"active_prefixes": values[0], "received_prefixes": values[1],
            "accepted_prefixes": values[2], "advertised_prefixes": None}


def _summary_elapsed(tokens, j):
    """Elapsed time tokens at j: ``2d 10:00:00`` (two tokens) or ``1:10`` / ``56``."""
    if j + 1 < len(tokens) and _DAYS.fullmatch(tokens[j]) and _CLOCK.fullmatch(tokens[j + 1]):
        return f"{tokens[j]} {tokens[j + 1]}", j + 2
    if _CLOCK.fullmatch(tokens[j]) or _DAYS.fullmatch(tokens[j]):
        return tokens[j], j + 1
    raise SrxStateError(f"cannot read 'Last Up/Dwn' {tokens[j]!r} in show bgp summary")


def _summary_peer(tokens, i):
    """One peer row starting at tokens[i]; returns (raw, ribs, next index)."""
    if len(tokens) - i < 8:
        raise SrxStateError(f"truncated peer row in show bgp summary: {' '.join(tokens[i:])!r}")
    address, numbers = tokens[i], tokens[i + 1:i + 6]
    if not _ADDRESS.fullmatch(address) or not all(_INT.fullmatch(n) for n in numbers):
        raise SrxStateError(f"unexpected peer row in show bgp summary: {' '.join(tokens[i:i + 8])!r}")
    elapsed, j = _summary_elapsed(tokens, i + 6)
    if j >= len(tokens):
        raise SrxStateError(f"peer {address} has no state in show bgp summary")
    ribs, state = [], tokens[j]
    while j < len(tokens) and _COUNTS.fullmatch(tokens[j]):
        ribs.append(_rib_from_counts(tokens[j]))
        j += 1
    if not ribs:
        j += 1
    raw = {"peer_address": address, "peer_as": numbers[0], "input_messages": numbers[1],
           "output_messages": numbers[2], "flaps": numbers[4], "state": state,
           "elapsed_seconds": parse_elapsed(elapsed)}
    return raw, ribs, j


def _summary_segment(tokens):
    peers = []
    i = 0
    while i < len(tokens):
        if tokens[i].endswith(":") and i + 1 < len(tokens) and _COUNTS.fullmatch(tokens[i + 1]):
            if not peers:
                raise SrxStateError(f"RIB line {tokens[i]} before any peer in show bgp summary")
            peers[-1][1].append(_rib_from_counts(tokens[i + 1]))
            i += 2
            continue
        raw, ribs, i = _summary_peer(tokens, i)
        peers.append((raw, ribs))
    return [_bgp_record(raw, ribs) for raw, ribs in peers]


def _bgp_summary_text(text):
    headers = list(_BGP_SUMMARY_HEADER.finditer(text))
    records = []
    for n, header in enumerate(headers):
        stop = headers[n + 1].start() if n + 1 < len(headers) else len(text)
        end = _BGP_SEGMENT_END.search(text, header.end(), stop)
        segment = text[header.end():end.start() if end else stop]
        records.extend(_summary_segment(segment.split()))
    return records


_NEIGHBOR_RIB_LABELS = (
    ("active_prefixes", "Active prefixes"),
    ("received_prefixes", "Received prefixes"),
    ("accepted_prefixes", "Accepted prefixes"),
    ("advertised_prefixes", "Advertised prefixes"),
)


def _bgp_neighbor_ribs(block):
    """One pseudo-RIB per printed count; the record builder sums them per key."""
    ribs = []
    for key, label in _NEIGHBOR_RIB_LABELS:
        ribs.extend({key: m.group(1)} for m in re.finditer(rf"{label}:\s*(\d+)", block))
    return ribs


def _bgp_neighbor_block(block):
    head = re.match(r"\s*Peer:\s*(\S+)\s+AS\s+(\S+)\s+Local:\s*(\S+)\s+AS\s+(\S+)", block)
    if not head:
        raise SrxStateError(
            f"cannot read the 'Peer: ... Local: ...' line of show bgp neighbor: {block[:80]!r}"
        )
    state = _search(r"Type:\s*\S+\s+State:\s*(\w+)", block) or _search(
        r"(?<!Last )(?<!RIB )(?<![\w-])State:\s*(\w+)", block
    )
    raw = {
        "peer_address": head.group(1), "peer_as": head.group(2),
        "local_address": head.group(3), "local_as": head.group(4),
        "state": state,
        "flaps": _search(r"Number of flaps:\s*(\d+)", block),
        "peer_id": _search(r"Peer ID:\s*(\S+)", block),
        "local_interface": _search(r"Local Interface:\s*(\S+)", block),
        "input_messages": _search(r"Input messages:\s*Total\s+(\d+)", block),
        "output_messages": _search(r"Output messages:\s*Total\s+(\d+)", block),
    }
    return _bgp_record(raw, _bgp_neighbor_ribs(block))


def _bgp_from_text(text):
    if re.search(r"^\s*Peer:\s*\S+\s+AS\s+\S+", text, re.MULTILINE):
        return [_bgp_neighbor_block(b) for b in _split_blocks(text, r"^\s*Peer:\s*\S+\s+AS\s")]
    if _BGP_SUMMARY_HEADER.search(text):
        return _bgp_summary_text(text)
    if _is_blank(text) or re.search(r"BGP is not running|^\s*Groups:\s*\d+", text, re.MULTILINE):
        return []
    raise SrxStateError("text is not the output of 'show bgp summary' or 'show bgp neighbor'")


_BGP_SPEC = {
    "command": "show bgp summary / show bgp neighbor",
    "root": "bgp-information",
    "entry": "bgp-peer",
    "from_entry": _bgp_from_entry,
    "from_text": _bgp_from_text,
}


def parse_bgp_peers(data):
    """BGP peers from summary or neighbor output: list of dicts with the keys of ``BGP_FIELDS``."""
    return _parse(data, _BGP_SPEC)


BGP_ERROR_FIELDS = ("peer_address", "state", "last_state", "last_event", "last_error")


def _bgp_error_record(raw):
    peer = strip_port(raw.get("peer_address"))
    if peer is None:
        raise SrxStateError("BGP peer entry has no peer address")
    error = _clean(raw.get("last_error"))
    return {
        "peer_address": peer,
        "state": normalise_bgp_state(raw.get("state")),
        "last_state": normalise_bgp_state(raw.get("last_state")),
        "last_event": _clean(raw.get("last_event")),
        "last_error": None if error is None or error.lower() == "none" else error,
    }


def _bgp_error_from_entry(peer):
    header = _child(peer, "bgp-peer-header")

    def get(name):
        value = _child_text(peer, name)
        return value if value is not None else _child_text(header, name)

    return _bgp_error_record({
        "peer_address": get("peer-address"), "state": get("peer-state"),
        "last_state": get("last-state"), "last_event": get("last-event"),
        "last_error": get("last-error"),
    })


def _bgp_error_from_text(text):
    if not re.search(r"^\s*Peer:\s*\S+\s+AS\s+\S+", text, re.MULTILINE):
        if _is_blank(text):
            return []
        raise SrxStateError("text is not the output of 'show bgp neighbor'")
    records = []
    for block in _split_blocks(text, r"^\s*Peer:\s*\S+\s+AS\s"):
        records.append(_bgp_error_record({
            "peer_address": _search(r"Peer:\s*(\S+)", block),
            "state": _search(r"Type:\s*\S+\s+State:\s*(\w+)", block),
            "last_state": _search(r"Last State:\s*(\w+)", block),
            "last_event": _search(r"Last Event:\s*(\w+)", block),
            "last_error": _search(r"Last Error:\s*([^\n]+?)\s*$", block, flags=re.MULTILINE),
        }))
    return records


_BGP_ERROR_SPEC = {
    "command": "show bgp neighbor",
    "root": "bgp-information",
    "entry": "bgp-peer",
    "from_entry": _bgp_error_from_entry,
    "from_text": _bgp_error_from_text,
}


def parse_bgp_last_errors(data):
    """State, last state, last event and last error (``None`` for ``None``) per peer of
    ``show bgp neighbor`` / ``get-bgp-neighbor-information``: the evidence of why a session
    is not Established (``Open Message Error``: the ends disagree on the AS numbers)."""
    return _parse(data, _BGP_ERROR_SPEC)


# --------------------------------------------------------------------------------------
# Ping
# --------------------------------------------------------------------------------------

def _usec_to_ms(value, field):
    value = _clean(value)
    if value is None:
        return None
    try:
        return round(float(value) / 1000.0, 3)
    except ValueError:
        raise SrxStateError(f"{field} is not a number: {value!r}") from None


def _ping_from_entry(summary):
    return _ping_record(
        _child_text(summary, "probes-sent"),
        _child_text(summary, "responses-received"),
        _child_text(summary, "packet-loss"),
        _usec_to_ms(_child_text(summary, "rtt-minimum"), "ping rtt-minimum"),
        _usec_to_ms(_child_text(summary, "rtt-average"), "ping rtt-average"),
        _usec_to_ms(_child_text(summary, "rtt-maximum"), "ping rtt-maximum"),
    )


def _ping_from_text(text):
    counts = re.search(
        r"(\d+)\s+packets transmitted,\s*(\d+)\s+packets received,"
        r"(?:\s*\+\d+\s+duplicates,)?\s*([\d.]+)%\s+packet loss",
        text,
    )
    if not counts:
        raise SrxStateError("text is not the output of 'ping' (no 'packets transmitted' line)")
    rtt = re.search(r"round-trip\s+min/avg/max(?:/\w+)?\s*=\s*([\d.]+)/([\d.]+)/([\d.]+)", text)
    times = [round(float(v), 3) for v in rtt.groups()] if rtt else [None, None, None]
    return [_ping_record(counts.group(1), counts.group(2), counts.group(3), *times)]


_PING_SPEC = {
    "command": "ping",
    "root": "ping-results",
    "entry": "probe-results-summary",
    "from_entry": _ping_from_entry,
    "from_text": _ping_from_text,
}


def parse_ping_summary(data):
    """Summary of one ping: dict with the keys of ``PING_FIELDS`` (rtt in ms)."""
    results = _parse(data, _PING_SPEC)
    if len(results) != 1:
        raise SrxStateError(
            "the reply holds no ping summary" if not results
            else f"the input holds {len(results)} ping summaries; pass one ping reply"
        )
    return results[0]


# --------------------------------------------------------------------------------------
# Health checks
# --------------------------------------------------------------------------------------

def _ensure_parsed(value, parser, marker):
    """Parsed records as they are; anything else (a raw reply) is parsed first."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, dict) and marker in v for v in value):
        return list(value)
    return parser(value)


def _expectations(expectation, required):
    items = expectation if isinstance(expectation, (list, tuple)) else [expectation]
    for item in items:
        if not isinstance(item, dict):
            raise SrxStateError(f"an expectation must be a dict, got {type(item).__name__}")
        for key in required:
            if not _clean(item.get(key)):
                raise SrxStateError(f"the expectation lacks {key!r}: {item!r}")
    return items


def same_address(a, b):
    """Whether two addresses are the same (as IP addresses when both parse)."""
    if a is None or b is None:
        return False
    try:
        return ipaddress.ip_address(str(a)) == ipaddress.ip_address(str(b))
    except ValueError:
        return str(a).strip().lower() == str(b).strip().lower()


def _label(expectation):
    name = _clean(expectation.get("name"))
    return f"{name}: " if name else ""


def _one_tunnel_problems(ike, ipsec, expectation):
    remote = _clean(expectation["remote_address"])
    tunnel_id = _to_int(expectation.get("tunnel_id"), "expectation tunnel_id")
    label = _label(expectation)
    problems = []
    sas = [sa for sa in ike if same_address(sa.get("remote_address"), remote)]
    if not sas:
        problems.append(f"{label}no IKE SA to {remote}")
    elif not any(sa.get("state") == "UP" for sa in sas):
        problems.append(f"{label}IKE SA to {remote} is {sas[0].get('state') or 'in an unknown state'}")
    matching = [
        sa for sa in ipsec
        if same_address(sa.get("remote_gateway"), remote)
        and (tunnel_id is None or sa.get("tunnel_id") == tunnel_id)
    ]
    where = f" (tunnel {tunnel_id})" if tunnel_id is not None else ""
    for direction in ("inbound", "outbound"):
        if not any(sa.get("direction") == direction for sa in matching):
            problems.append(f"{label}missing {direction} IPsec SA to {remote}{where}")
    return problems


def tunnel_problems(ike_sas, ipsec_sas, expectation):
    """Problems of one (dict) or several (list) expected tunnels; [] when healthy.

    ``ike_sas``/``ipsec_sas`` are parsed records or raw replies. An expectation has
    ``remote_address`` (required), ``tunnel_id`` and ``name`` (optional label).
    """
    ike = _ensure_parsed(ike_sas, parse_ike_sas, "state")
    ipsec = _ensure_parsed(ipsec_sas, parse_ipsec_sas, "direction")
    problems = []
    for item in _expectations(expectation, ("remote_address",)):
        problems.extend(_one_tunnel_problems(ike, ipsec, item))
    return problems


_PREFIX_CHECKS = (
    ("min_received_prefixes", "received_prefixes", "received"),
    ("min_accepted_prefixes", "accepted_prefixes", "accepted"),
    ("min_active_prefixes", "active_prefixes", "active"),
    ("min_advertised_prefixes", "advertised_prefixes", "advertised"),
)


def _prefix_problems(peer, expectation, who):
    problems = []
    for key, field, word in _PREFIX_CHECKS:
        minimum = _to_int(expectation.get(key), f"expectation {key}")
        if minimum is None:
            continue
        got = peer.get(field)
        if got is None:
            problems.append(f"{who} reports no {word} prefix count (expected at least {minimum})")
        elif got < minimum:
            problems.append(f"{who} has {got} {word} prefixes, fewer than the expected {minimum}")
    return problems


def _one_bgp_problems(peers, expectation):
    address = strip_port(expectation["peer_address"])
    label = _label(expectation)
    who = f"{label}BGP peer {address}"
    found = [p for p in peers if same_address(p.get("peer_address"), address)]
    if not found:
        return [f"{who} not found"]
    wanted = normalise_bgp_state(expectation.get("state")) or "Established"
    peer = next((p for p in found if p.get("state") == wanted), found[0])
    problems = []
    expected_as = _to_as(expectation.get("peer_as"), "expectation peer_as")
    if expected_as is not None and peer.get("peer_as") != expected_as:
        problems.append(f"{who} peer AS mismatch: expected {expected_as}, found {peer.get('peer_as')}")
    if peer.get("state") != wanted:
        problems.append(f"{who} state {peer.get('state')} instead of {wanted}")
        return problems
    return problems + _prefix_problems(peer, expectation, who)


def bgp_problems(bgp_peers, expectation):
    """Problems of one (dict) or several (list) expected BGP sessions; [] when healthy.

    ``bgp_peers`` are parsed records or a raw reply. An expectation has ``peer_address``
    (required), ``peer_as``, ``state`` (default Established), ``min_received_prefixes``,
    ``min_accepted_prefixes``, ``min_active_prefixes``, ``min_advertised_prefixes`` and
    ``name``. Prefix minimums are checked only when the session is in the wanted state.
    """
    peers = _ensure_parsed(bgp_peers, parse_bgp_peers, "peer_address")
    problems = []
    for item in _expectations(expectation, ("peer_address",)):
        problems.extend(_one_bgp_problems(peers, item))
    return problems
