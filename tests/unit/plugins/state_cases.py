# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared cases of the SRX state tests: the fixtures under tests/unit/fixtures/state and the
records they hold (module_utils/srx_state, plugin_utils/state_*, the state filters)."""

from __future__ import annotations

import pathlib

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    BGP_FIELDS,
)

SUMMARY_HEADER = (
    "Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn "
    "State|#Active/Received/Accepted/Damped..."
)
FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "state"
FORMATS = ("xml", "json", "txt")


def lines(*rows):
    return "\n".join(rows)


def fixture(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def ike(index, remote, state, icookie, rcookie, mode, local=None, gateway=None):
    return {
        "remote_address": remote, "state": state, "index": index,
        "initiator_cookie": icookie, "responder_cookie": rcookie,
        "exchange_type": mode, "local_address": local, "gateway": gateway,
    }


def ipsec(tunnel, direction, spi, enc, integ, life, kb, gw, port, mon=None, proto="ESP",
          ts=None, local=None, remote=None):
    return {
        "tunnel_id": tunnel, "direction": direction, "spi": spi, "protocol": proto,
        "encryption": enc, "integrity": integ, "lifetime_seconds": life, "lifetime_kb": kb,
        "remote_gateway": gw, "port": port, "vpn_monitoring": mon, "vsys": "root",
        "traffic_selector": ts, "local_identity": local, "remote_identity": remote,
    }


def bgp(address, peer_as, state, **fields):
    record = dict.fromkeys(BGP_FIELDS)
    record.update(peer_address=address, peer_as=peer_as, state=state, **fields)
    return record


IKE_BRIEF = [
    ike(3544408, "1.1.1.2", "UP", "622e26f4b005aba1", "721ff1b2bfa849a6", "Main"),
    ike(3544412, "203.0.113.9", "UP", "9a2b3c4d5e6f7081", "0f1e2d3c4b5a6978", "IKEv2"),
    ike(3544415, "198.51.100.7", "DOWN", "1122334455667788", "0000000000000000", "Aggressive"),
]
IKE_DETAIL = [
    ike(3544408, "1.1.1.2", "UP", "622e26f4b005aba1", "721ff1b2bfa849a6", "Main",
        local="1.1.1.1", gateway="IKE-GATEWAY"),
    ike(3544412, "203.0.113.9", "UP", "9a2b3c4d5e6f7081", "0f1e2d3c4b5a6978", "IKEv2",
        local="1.1.1.1", gateway="GW-HUB"),
]
IPSEC_TWO_TUNNELS = [
    ipsec(131073, "inbound", "5b944da", "aes-cbc-256", "sha256", 3514, None, "1.1.1.2", 500),
    ipsec(131073, "outbound", "91e4cf8d", "aes-cbc-256", "sha256", 3514, None, "1.1.1.2", 500),
    ipsec(131074, "inbound", "40e0e864", "aes-gcm-256", None, 1533, 4607999, "203.0.113.9", 4500, "UP"),
    ipsec(131074, "outbound", "fde4bd0a", "aes-gcm-256", None, 1533, 4607999, "203.0.113.9", 4500, "UP"),
]
# the detail output also prints each SA pair's identities (here the 0.0.0.0/0 of a VPN
# without traffic selectors or proxy-identity)
IPSEC_TWO_TUNNELS_DETAIL = [dict(sa, local_identity="0.0.0.0/0", remote_identity="0.0.0.0/0")
                            for sa in IPSEC_TWO_TUNNELS]
# ipsec_ts_detail.*: one VPN with two traffic selectors, one SA pair (tunnel index) each
_TS = {"ts": "TS-BGP", "local": "169.254.10.0/30", "remote": "169.254.10.0/30"}
_LAN = {"ts": "TS-LAN", "local": "10.1.0.0/24", "remote": "10.9.0.0/16"}
IPSEC_TRAFFIC_SELECTORS = [
    ipsec(67108866, "inbound", "2f1b9a04", "aes-cbc-256", "sha256", 3600, None, "3.3.3.3", 500, **_TS),
    ipsec(67108866, "outbound", "c0d4e7a1", "aes-cbc-256", "sha256", 3600, None, "3.3.3.3", 500, **_TS),
    ipsec(67108867, "inbound", "7e55b2c9", "aes-cbc-256", "sha256", 3600, None, "3.3.3.3", 500, **_LAN),
    ipsec(67108867, "outbound", "91a0f3d6", "aes-cbc-256", "sha256", 3600, None, "3.3.3.3", 500, **_LAN),
]
BGP_SUMMARY = [
    bgp("10.0.1.2", 200, "Established", flaps=1, input_messages=13540, output_messages=13602,
        elapsed_seconds=788645, active_prefixes=3, received_prefixes=4, accepted_prefixes=4),
    bgp("10.0.2.2", 300, "Active", flaps=2, input_messages=0, output_messages=0, elapsed_seconds=56),
    bgp("10.0.3.2", 400, "Established", flaps=0, input_messages=6120, output_messages=6133,
        elapsed_seconds=208800, active_prefixes=2, received_prefixes=3, accepted_prefixes=3),
    bgp("10.0.4.2", 65000, "Connect", flaps=0, input_messages=0, output_messages=0, elapsed_seconds=70),
    bgp("10.0.5.2", 500, "Established", flaps=0, input_messages=2272, output_messages=2192,
        elapsed_seconds=59970, active_prefixes=3, received_prefixes=3, accepted_prefixes=3),
    bgp("2001:db8:5::2", 600, "Idle", flaps=3, input_messages=0, output_messages=0, elapsed_seconds=721),
]
BGP_NEIGHBOR = [
    bgp("10.0.1.2", 200, "Established", flaps=1, input_messages=13540, output_messages=13602,
        active_prefixes=3, received_prefixes=4, accepted_prefixes=4, advertised_prefixes=2,
        local_address="10.0.1.1", local_as=100, peer_id="192.168.2.2", local_interface="st0.0"),
    bgp("10.0.2.2", 300, "Active", flaps=2, local_address="10.0.2.1", local_as=100),
]
PING = {"sent": 8, "received": 8, "loss_percent": 0,
        "rtt_min_ms": 0.402, "rtt_avg_ms": 0.502, "rtt_max_ms": 0.846}
PING_LOSS = {"sent": 5, "received": 0, "loss_percent": 100,
             "rtt_min_ms": None, "rtt_avg_ms": None, "rtt_max_ms": None}

GUIDE_IKE = [ike(3544408, "1.1.1.1", "UP", "622e26f4b005aba1", "721ff1b2bfa849a6", "Main")]
GUIDE_BGP_SUMMARY = [
    bgp("10.0.1.1", 100, "Established", flaps=0, input_messages=4, output_messages=4,
        elapsed_seconds=70, active_prefixes=0, received_prefixes=0, accepted_prefixes=0),
]
