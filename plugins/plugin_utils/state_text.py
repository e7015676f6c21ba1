# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CLI text of the SRX show commands -> state records (controller side: the filters).

Reads ``show security ike security-associations`` (brief, detail, the Junos 10/11 column
order), ``show security ipsec security-associations`` (brief, detail, old order),
``show bgp summary`` / ``show bgp neighbor`` and ``ping``, as one-line rows as Junos
prints them and as the same rows wrapped over several lines (copied documentation), with
prompts, ``{master:0}`` and cluster ``node0:`` headers around them. Records come from the
builders of ``module_utils/srx_state/records.py``: the same records as the XML parsers give.
These readers never travel in a module payload.
"""

from __future__ import annotations

import re

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
    bgp_error_record,
    bgp_record,
    ike_record,
    ipsec_record,
    parse_elapsed,
    ping_record,
)

# --------------------------------------------------------------------------------------
# Prompts, banners, blank output
# --------------------------------------------------------------------------------------

_BANNER_LINE = re.compile(
    r"^\s*(?:\{[^{}\"\n]+\}|\[edit[^\]\n]*\]|[\w.-]+@[\w.-]+[>#%].*)\s*$"
)


def trim_banners(text):
    """Drop leading/trailing prompt and ``{master:0}`` lines around a pasted reply."""
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or _BANNER_LINE.match(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1].strip() or _BANNER_LINE.match(lines[-1])):
        lines.pop()
    return "\n".join(lines)


_NOISE_LINE = re.compile(r"^\s*(?:node\d+:|-{4,}|\{[^{}\n]*\}|[\w.-]+@[\w.-]+[>#%].*)?\s*$")


def is_blank(text):
    """True when the text holds nothing but prompts, cluster node headers and rulers."""
    return all(_NOISE_LINE.match(line) for line in text.splitlines())


# --------------------------------------------------------------------------------------
# IKE security associations
# --------------------------------------------------------------------------------------

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
        ike_record({
            "remote_address": m.group("remote"), "state": m.group("state"),
            "index": m.group("index"), "initiator_cookie": m.group("icookie"),
            "responder_cookie": m.group("rcookie"), "exchange_type": m.group("mode"),
        })
        for m in pattern.finditer(text)
    ]
    if rows or is_blank(text) or _IKE_HEADER.search(text) or re.search(
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
    return ike_record({
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
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)], strict=True)]


def ike_from_text(text):
    if re.search(r"IKE peer\s+\S+,\s*Index\s+\d+", text):
        return [_ike_detail_block(b) for b in _split_blocks(text, r"^\s*IKE peer\s+\S+,")]
    return _ike_brief_text(text)


# --------------------------------------------------------------------------------------
# IPsec security associations
# --------------------------------------------------------------------------------------

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
        ipsec_record({
            "tunnel_id": m.group("id"), "direction": m.group("dir"), "spi": m.group("spi"),
            "protocol": m.group("proto"), "encryption": m.group("enc"),
            "integrity": m.group("integ"), "lifetime_seconds": m.group("life"),
            "lifetime_kb": m.group("kb"), "remote_gateway": m.group("gw"),
            "port": m.group("port"), "vpn_monitoring": m.group("mon"), "vsys": m.group("vsys"),
        })
        for m in pattern.finditer(text)
    ]
    if rows or is_blank(text) or re.search(
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
    return ipsec_record(raw)


def _ipsec_detail_block(block):
    tunnel = {
        "tunnel_id": _search(r"ID:\s*(\d+)", block),
        "vsys": _search(r"Virtual-system:\s*([^,\s]+)", block),
        "remote_gateway": _search(r"Remote Gateway:\s*([^,\s]+)", block),
        "port": _search(r"(?<![\w-])Port:\s*(\d+)", block),
        "traffic_selector": _search(r"Traffic Selector Name:\s*(\S+)", block),
        "local_identity": _search(r"Local Identity:\s*([^\n]+)", block),
        "remote_identity": _search(r"Remote Identity:\s*([^\n]+)", block),
    }
    return [
        _ipsec_detail_sa(tunnel, sa_text)
        for sa_text in _split_blocks(block, r"Direction:\s*(?:inbound|outbound)")
    ]


def ipsec_from_text(text):
    if re.search(r"Direction:\s*(?:inbound|outbound)", text):
        records = []
        for block in _split_blocks(text, r"^\s*ID:\s*\d+"):
            records.extend(_ipsec_detail_block(block))
        return records
    return _ipsec_brief_text(text)


# --------------------------------------------------------------------------------------
# BGP peers (summary and neighbor)
# --------------------------------------------------------------------------------------

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
    return [bgp_record(raw, ribs) for raw, ribs in peers]


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
    return bgp_record(raw, _bgp_neighbor_ribs(block))


def bgp_from_text(text):
    if re.search(r"^\s*Peer:\s*\S+\s+AS\s+\S+", text, re.MULTILINE):
        return [_bgp_neighbor_block(b) for b in _split_blocks(text, r"^\s*Peer:\s*\S+\s+AS\s")]
    if _BGP_SUMMARY_HEADER.search(text):
        return _bgp_summary_text(text)
    if is_blank(text) or re.search(r"BGP is not running|^\s*Groups:\s*\d+", text, re.MULTILINE):
        return []
    raise SrxStateError("text is not the output of 'show bgp summary' or 'show bgp neighbor'")


def bgp_error_from_text(text):
    if not re.search(r"^\s*Peer:\s*\S+\s+AS\s+\S+", text, re.MULTILINE):
        if is_blank(text):
            return []
        raise SrxStateError("text is not the output of 'show bgp neighbor'")
    records = []
    for block in _split_blocks(text, r"^\s*Peer:\s*\S+\s+AS\s"):
        records.append(bgp_error_record({
            "peer_address": _search(r"Peer:\s*(\S+)", block),
            "state": _search(r"Type:\s*\S+\s+State:\s*(\w+)", block),
            "last_state": _search(r"Last State:\s*(\w+)", block),
            "last_event": _search(r"Last Event:\s*(\w+)", block),
            "last_error": _search(r"Last Error:\s*([^\n]+?)\s*$", block, flags=re.MULTILINE),
        }))
    return records


# --------------------------------------------------------------------------------------
# Ping
# --------------------------------------------------------------------------------------

def ping_from_text(text):
    counts = re.search(
        r"(\d+)\s+packets transmitted,\s*(\d+)\s+packets received,"
        r"(?:\s*\+\d+\s+duplicates,)?\s*([\d.]+)%\s+packet loss",
        text,
    )
    if not counts:
        raise SrxStateError("text is not the output of 'ping' (no 'packets transmitted' line)")
    rtt = re.search(r"round-trip\s+min/avg/max(?:/\w+)?\s*=\s*([\d.]+)/([\d.]+)/([\d.]+)", text)
    times = [round(float(v), 3) for v in rtt.groups()] if rtt else [None, None, None]
    return [ping_record(counts.group(1), counts.group(2), counts.group(3), *times)]
