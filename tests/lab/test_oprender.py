"""oprender: the XML, JSON and CLI text of the emulator's operational state.

The collection's own parsers (plugins/plugin_utils/state_inputs.py) must read the three forms of
the same records to the same result, and the text must have the real Junos layouts.
"""

from __future__ import annotations

import json
import pathlib
from xml.sax.saxutils import escape

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    parse_elapsed,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import state_inputs as S
from lxml import etree
from srxlab import oprender as R
from srxlab.opstate import (
    BgpPeer,
    IkeSa,
    IpsecSa,
    LogicalInterface,
    PhysicalInterface,
    PingResult,
)

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "state"
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"

# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------

IKE = [
    IkeSa(3544408, "IKE-GATEWAY", "1.1.1.2", "1.1.1.1", "UP", "622e26f4b005aba1",
          "721ff1b2bfa849a6", "Main", "Initiator", version=1),
    IkeSa(10827715, "GW-HUB", "203.0.113.9", "1.1.1.1", "UP", "9a2b3c4d5e6f7081",
          "0f1e2d3c4b5a6978", "IKEv2", "Responder", port=4500, remote_port=4500,
          encryption="aes256-gcm", prf="hmac-sha384", dh_group="DH-group-20", nat_detected=True),
    IkeSa(3544415, "GW-SPOKE", "198.51.100.7", "1.1.1.1", "DOWN", "1122334455667788",
          "0000000000000000", "Aggressive", "Initiator", version=1),
]

IPSEC = [
    IpsecSa(131073, "IPSEC-VPN", "IKE-GATEWAY", "1.1.1.2", "1.1.1.1", "outbound", "91e4cf8d",
            lifetime_seconds=3514, established_epoch=1795731731.0),
    IpsecSa(131073, "IPSEC-VPN", "IKE-GATEWAY", "1.1.1.2", "1.1.1.1", "inbound", "5b944da",
            lifetime_seconds=3514, established_epoch=1795731731.0),
    IpsecSa(131074, "VPN-HUB", "GW-HUB", "203.0.113.9", "1.1.1.1", "inbound", "40e0e864",
            encryption="aes-gcm-256", integrity="none", lifetime_seconds=1533,
            lifetime_kb=4607999, port=4500, vpn_monitoring="U", bind_interface="st0.1"),
    IpsecSa(131074, "VPN-HUB", "GW-HUB", "203.0.113.9", "1.1.1.1", "outbound", "fde4bd0a",
            encryption="aes-gcm-256", integrity="none", lifetime_seconds=1533,
            lifetime_kb=4607999, port=4500, vpn_monitoring="U", bind_interface="st0.1"),
    IpsecSa(131075, "VPN-OLD", "GW-SPOKE", "198.51.100.7", "1.1.1.1", "inbound", "68e14219",
            encryption="3des-cbc", integrity="sha1", lifetime_seconds=1298, vpn_monitoring="D"),
    IpsecSa(131075, "VPN-OLD", "GW-SPOKE", "198.51.100.7", "1.1.1.1", "outbound", "cb3ccd42",
            encryption="3des-cbc", integrity="sha1", lifetime_seconds=1298, vpn_monitoring="D"),
]


def _established(address, local, peer_as, **kw):
    base = {"peer_type": "External", "last_state": "OpenConfirm", "last_event": "RecvKeepAlive",
            "local_id": "192.168.1.1", "local_interface": "st0.0", "peer_port": 52485,
            "local_port": 179}
    base.update(kw)
    return BgpPeer(address, local, peer_as, 100, "EBGP", "Established", **base)


BGP = [
    _established("10.0.1.2", "10.0.1.1", 200, flaps=1, input_messages=13540,
                 output_messages=13602, elapsed_seconds=788645, peer_id="192.168.2.2",
                 active_prefixes=3, received_prefixes=4, accepted_prefixes=4,
                 advertised_prefixes=2),
    BgpPeer("10.0.2.2", "10.0.2.1", 300, 100, "EBGP-HUB", "Active", flaps=2, elapsed_seconds=56),
    _established("10.0.3.2", "10.0.3.1", 400, input_messages=6120, output_messages=6133,
                 elapsed_seconds=208800, peer_id="192.168.3.3", active_prefixes=2,
                 received_prefixes=3, accepted_prefixes=3, advertised_prefixes=1,
                 peer_port=179, local_port=61234, local_interface="st0.2"),
    BgpPeer("10.0.4.2", "10.0.4.1", 65000, 100, "EBGP", "Connect", elapsed_seconds=70),
    BgpPeer("2001:db8:5::2", "2001:db8:5::1", 600, 100, "EBGP-V6", "Idle", flaps=3,
            elapsed_seconds=721),
]

PINGS = {
    "all": PingResult("10.0.1.2", "10.0.1.1", 8,
                      rtts_ms=[0.846, 0.466, 0.402, 0.45, 0.5, 0.41, 0.44, 0.502]),
    "partial": PingResult("10.0.1.2", None, 3, rtts_ms=[1.25, 2.5]),
    "none": PingResult("10.0.2.2", None, 5),
}

IFDS = [
    PhysicalInterface("ge-0/0/0", units=[LogicalInterface("ge-0/0/0.0", addresses=["1.1.1.1/24"])]),
    PhysicalInterface("lo0", units=[LogicalInterface("lo0.0", addresses=["192.168.1.1", "10.255.0.1"])]),
    PhysicalInterface("st0", units=[
        LogicalInterface("st0.0", addresses=["10.0.1.1/24"]),
        LogicalInterface("st0.1", link="down"),
        LogicalInterface("st0.2", family=None),
    ]),
]

# --------------------------------------------------------------------------------------
# The three forms, and their parsing
# --------------------------------------------------------------------------------------


def _real_reply(root: etree._Element) -> str:
    """The element as a real device sends it: default namespace, inside <rpc-reply>."""
    body = etree.tostring(root, encoding="unicode")
    tag = root.tag
    body = body.replace(f"<{tag}", f'<{tag} xmlns="{R.root_namespace(tag)}"', 1)
    return f'<rpc-reply xmlns="{NC_NS}" xmlns:junos="{R.JUNOS_NS}">{body}</rpc-reply>'


def forms(render):
    """Every way a client may receive one reply: element, XML reply, JSON (dict, string), text."""
    xml = render("xml")
    data = render("json")
    text = render("text")
    assert isinstance(xml, etree._Element) and isinstance(data, dict) and isinstance(text, str)
    assert etree.QName(xml).namespace is None
    return {
        "element": xml,
        "xml": _real_reply(xml),
        "json": data,
        "json-string": json.dumps(data),
        "text": text,
        "output": f"<rpc-reply><output>\n{escape(text)}</output></rpc-reply>",
    }


def parse_all(parser, render):
    results = {name: parser(value) for name, value in forms(render).items()}
    first = results["element"]
    for name, result in results.items():
        assert result == first, f"{name} differs from the XML element"
    return first


def parse_structured(parser, render):
    """XML and JSON must agree exactly; text is compared by the caller (fewer fields)."""
    items = forms(render)
    results = [parser(items[name]) for name in ("element", "xml", "json", "json-string")]
    assert all(r == results[0] for r in results)
    return results[0], parser(items["text"])


# --------------------------------------------------------------------------------------
# JSON shape
# --------------------------------------------------------------------------------------


def test_json_is_the_junos_shape_of_the_xml():
    data = R.ike_sas(IKE[:1], "json")
    info = data["ike-security-associations-information"]
    assert info[0]["attributes"] == {
        "xmlns": "http://xml.juniper.net/junos/23.4R1/junos-kmd", "junos:style": "brief"}
    sa = info[0]["ike-security-associations"][0]
    assert sa["ike-sa-remote-address"] == [{"data": "1.1.1.2"}]
    assert sa["ike-sa-index"] == [{"data": "3544408"}]
    assert list(sa) == ["ike-sa-remote-address", "ike-sa-index", "ike-sa-state",
                        "ike-sa-initiator-cookie", "ike-sa-responder-cookie",
                        "ike-sa-exchange-type"]


def test_json_attributes_empty_elements_and_repeats():
    peers = R.bgp_summary(BGP[:2], "json")["bgp-information"][0]
    assert peers["attributes"] == {"xmlns": "http://xml.juniper.net/junos/23.4R1/junos-routing"}
    assert len(peers["bgp-peer"]) == 2
    assert peers["bgp-peer"][0]["elapsed-time"] == [
        {"data": "1w2d 3:04:05", "attributes": {"junos:seconds": "788645"}}]
    ping = R.ping(PINGS["all"], "json")["ping-results"][0]
    assert ping["ping-success"] == [None]
    assert ping["probe-result"][0]["probe-success"] == [None]
    assert len(ping["probe-result"]) == 8


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        R.ike_sas(IKE, "yaml")


@pytest.mark.parametrize("seconds, text", [
    (0, "0"), (56, "56"), (70, "1:10"), (3723, "1:02:03"), (59970, "16:39:30"),
    (208800, "2d 10:00:00"), (86400 + 3 * 3600 + 4 * 60 + 5, "1d 3:04:05"),
    (788645, "1w2d 3:04:05"), (604800, "1w0d 0:00:00"),
])
def test_junos_elapsed(seconds, text):
    assert R.junos_elapsed(seconds) == text
    assert parse_elapsed(text) == seconds


# --------------------------------------------------------------------------------------
# IKE
# --------------------------------------------------------------------------------------


def test_ike_brief_three_forms():
    records = parse_all(S.parse_ike_sas, lambda fmt: R.ike_sas(IKE, fmt))
    assert [r["index"] for r in records] == [3544408, 10827715, 3544415]
    assert records[1] == {
        "remote_address": "203.0.113.9", "state": "UP", "index": 10827715,
        "initiator_cookie": "9a2b3c4d5e6f7081", "responder_cookie": "0f1e2d3c4b5a6978",
        "exchange_type": "IKEv2", "local_address": None, "gateway": None,
    }
    assert records[2]["state"] == "DOWN" and records[2]["exchange_type"] == "Aggressive"


def test_ike_detail_three_forms():
    records = parse_all(S.parse_ike_sas, lambda fmt: R.ike_sas(IKE, fmt, True, ipsec=IPSEC))
    assert [(r["gateway"], r["local_address"]) for r in records] == [
        ("IKE-GATEWAY", "1.1.1.1"), ("GW-HUB", "1.1.1.1"), ("GW-SPOKE", "1.1.1.1")]
    assert records[0]["exchange_type"] == "Main" and records[0]["state"] == "UP"


def test_ike_brief_text_layout():
    text = R.ike_sas(IKE, "text")
    assert text.splitlines() == [
        "Index   State  Initiator cookie  Responder cookie  Mode           Remote Address   ",
        "3544408 UP     622e26f4b005aba1  721ff1b2bfa849a6  Main           1.1.1.2",
        "10827715 UP    9a2b3c4d5e6f7081  0f1e2d3c4b5a6978  IKEv2          203.0.113.9",
        "3544415 DOWN   1122334455667788  0000000000000000  Aggressive     198.51.100.7",
    ]


def test_ike_brief_rows_match_the_fixture():
    fixture = (FIXTURES / "ike_brief.txt").read_text().splitlines()
    ours = R.ike_sas([IKE[0], IKE[2]], "text").splitlines()
    assert ours[1] in fixture and ours[2] in fixture


def test_ike_detail_text_layout():
    text = R.ike_sas(IKE, "text", detail=True, ipsec=IPSEC)
    blocks = text.split("\n\nIKE peer ")
    assert len(blocks) == 3
    lines = text.splitlines()
    assert lines[:8] == [
        "IKE peer 1.1.1.2, Index 3544408, Gateway Name: IKE-GATEWAY",
        "  Role: Initiator, State: UP",
        "  Initiator cookie: 622e26f4b005aba1, Responder cookie: 721ff1b2bfa849a6",
        "  Exchange type: Main, Authentication method: Pre-shared-keys",
        "  Routing instance: default",
        "  Local: 1.1.1.1:500, Remote: 1.1.1.2:500",
        "  Lifetime: Expires in 28800 seconds",
        "  Reauth Lifetime: Disabled",
    ]
    assert "  Local: 1.1.1.1:4500, Remote: 203.0.113.9:4500" in lines
    assert "   Encryption            : aes256-gcm" in lines
    assert "   Input  bytes  :                    0" in lines
    assert "   Output fragmented packets:         0" in lines
    assert lines.count("  IPSec security associations: 2 created, 0 deleted") == 3


def test_ike_nat_t_ports_in_detail_xml():
    xml = R.ike_sas(IKE[1:2], "xml", detail=True)
    sa = xml.find("ike-security-associations-block/ike-security-associations")
    assert sa.findtext("ike-sa-local-port") == "4500"
    assert sa.findtext("ike-sa-remote-port") == "4500"
    assert sa.findtext("ike-sa-algorithms/ike-sa-dhgroup") == "DH-group-20"
    assert xml.get(f"{{{R.JUNOS_NS}}}style") == "detail"


@pytest.mark.parametrize("detail", [False, True])
def test_ike_empty(detail):
    assert R.ike_sas([], "text", detail=detail) == ""
    assert parse_structured(S.parse_ike_sas, lambda fmt: R.ike_sas([], fmt, detail)) == ([], [])


# --------------------------------------------------------------------------------------
# IPsec
# --------------------------------------------------------------------------------------

IPSEC_EXPECTED = [
    (131073, "inbound", "5b944da", "aes-cbc-256", "sha256", 3514, None, "1.1.1.2", 500, None),
    (131073, "outbound", "91e4cf8d", "aes-cbc-256", "sha256", 3514, None, "1.1.1.2", 500, None),
    (131074, "inbound", "40e0e864", "aes-gcm-256", None, 1533, 4607999, "203.0.113.9", 4500, "UP"),
    (131074, "outbound", "fde4bd0a", "aes-gcm-256", None, 1533, 4607999, "203.0.113.9", 4500,
     "UP"),
    (131075, "inbound", "68e14219", "3des", "sha1", 1298, None, "198.51.100.7", 500, "DOWN"),
    (131075, "outbound", "cb3ccd42", "3des", "sha1", 1298, None, "198.51.100.7", 500, "DOWN"),
]
IPSEC_KEYS = ("tunnel_id", "direction", "spi", "encryption", "integrity", "lifetime_seconds",
              "lifetime_kb", "remote_gateway", "port", "vpn_monitoring")


@pytest.mark.parametrize("detail", [False, True])
def test_ipsec_three_forms(detail):
    records = parse_all(S.parse_ipsec_sas, lambda fmt: R.ipsec_sas(IPSEC, fmt, detail, ike=IKE))
    assert [tuple(r[k] for k in IPSEC_KEYS) for r in records] == IPSEC_EXPECTED
    assert {(r["protocol"], r["vsys"]) for r in records} == {("ESP", "root")}


def test_ipsec_totals_count_pairs():
    xml = R.ipsec_sas(IPSEC, "xml")
    assert xml.findtext("total-active-tunnels") == "3"
    assert xml.findtext("total-ipsec-sas") == "3"
    assert len(xml.findall("ipsec-security-associations-block")) == 3
    half = R.ipsec_sas(IPSEC[:3], "text")  # tunnel 131074 has only its inbound SA
    assert half.splitlines()[0] == "  Total active tunnels: 2     Total Ipsec sas: 2"


def test_ipsec_brief_text_layout():
    assert R.ipsec_sas(IPSEC, "text").splitlines() == [
        "  Total active tunnels: 3     Total Ipsec sas: 3",
        "  ID    Algorithm       SPI      Life:sec/kb  Mon lsys Port  Gateway   ",
        "  <131073 ESP:aes-cbc-256/sha256 5b944da 3514/ unlim - root 500 1.1.1.2",
        "  >131073 ESP:aes-cbc-256/sha256 91e4cf8d 3514/ unlim - root 500 1.1.1.2",
        "  <131074 ESP:aes-gcm-256/None 40e0e864 1533/ 4607999 U root 4500 203.0.113.9",
        "  >131074 ESP:aes-gcm-256/None fde4bd0a 1533/ 4607999 U root 4500 203.0.113.9",
        "  <131075 ESP:3des/sha1 68e14219 1298/ unlim D root 500 198.51.100.7",
        "  >131075 ESP:3des/sha1 cb3ccd42 1298/ unlim D root 500 198.51.100.7",
    ]


def test_ipsec_brief_rows_match_the_fixture():
    fixture = (FIXTURES / "ipsec_brief.txt").read_text().splitlines()
    ours = R.ipsec_sas(IPSEC[:4], "text").splitlines()
    assert ours[0] in fixture  # 2 tunnels, 4 SAs: "Total Ipsec sas: 2"
    assert all(row in fixture for row in ours[2:])


def test_ipsec_brief_xml_splits_the_algorithm_column():
    sa = R.ipsec_sas(IPSEC[2:3], "xml").find(
        "ipsec-security-associations-block/ipsec-security-associations")
    assert [sa.findtext(t) for t in ("sa-direction", "sa-protocol", "sa-esp-encryption-algorithm",
                                     "sa-hmac-algorithm", "sa-aux-spi", "sa-port",
                                     "sa-lifesize-remaining")] == [
        "<", "ESP:", "aes-gcm-256/", "None", "0", "4500", "4607999"]


def test_ipsec_detail_text_layout():
    lines = R.ipsec_sas(IPSEC, "text", detail=True, ike=IKE).splitlines()
    assert lines[:11] == [
        "  ID: 131073 Virtual-system: root, VPN Name: IPSEC-VPN",
        "  Local Gateway: 1.1.1.1, Remote Gateway: 1.1.1.2",
        "  Local Identity: ipv4_subnet(any:0,[0..7]=0.0.0.0/0)",
        "  Remote Identity: ipv4_subnet(any:0,[0..7]=0.0.0.0/0)",
        "  Version: IKEv1",
        "  DF-bit: clear, Copy-Outer-DSCP Disabled, Bind-interface: st0.0",
        "  Port: 500, Nego#: 1, Fail#: 0, Def-Del#: 0 Flag: 0x600a29",
        "  Multi-sa, Configured SAs# 1, Negotiated SAs#: 1",
        "  Tunnel events:",
        "    Thu Nov 26 2026 22:22:11 +0000: IPSec SA negotiation successfully completed (1 times)",
        "  Direction: inbound, SPI: 5b944da, AUX-SPI: 0",
    ]
    assert lines[11] == " " * 30 + ", VPN Monitoring: -"
    assert "    Lifesize Remaining:  Unlimited" in lines
    assert "    Lifesize Remaining:  4607999 kilobytes" in lines
    assert "    Protocol: ESP, Authentication: hmac-sha256-128, Encryption: aes-cbc (256 bits)" in lines
    assert "    Protocol: ESP, Authentication: None, Encryption: aes-gcm (256 bits)" in lines
    assert "    Protocol: ESP, Authentication: hmac-sha1-96, Encryption: 3des-cbc" in lines
    assert "  Version: IKEv2" in lines and "  Port: 4500, Nego#: 1, Fail#: 0, Def-Del#: 0 Flag: 0x600a29" in lines
    assert lines.count("") == 2  # one blank line between tunnel blocks


@pytest.mark.parametrize("detail", [False, True])
def test_ipsec_empty(detail):
    assert R.ipsec_sas([], "text", detail) == "  Total active tunnels: 0     Total Ipsec sas: 0\n"
    assert parse_all(S.parse_ipsec_sas, lambda fmt: R.ipsec_sas([], fmt, detail)) == []


# --------------------------------------------------------------------------------------
# BGP
# --------------------------------------------------------------------------------------


def test_bgp_summary_three_forms():
    records = parse_all(S.parse_bgp_peers, lambda fmt: R.bgp_summary(BGP, fmt, groups=3))
    assert [(r["peer_address"], r["state"], r["elapsed_seconds"]) for r in records] == [
        ("10.0.1.2", "Established", 788645), ("10.0.2.2", "Active", 56),
        ("10.0.3.2", "Established", 208800), ("10.0.4.2", "Connect", 70),
        ("2001:db8:5::2", "Idle", 721)]
    assert records[0] == {
        "peer_address": "10.0.1.2", "peer_as": 200, "state": "Established", "flaps": 1,
        "input_messages": 13540, "output_messages": 13602, "elapsed_seconds": 788645,
        "active_prefixes": 3, "received_prefixes": 4, "accepted_prefixes": 4,
        "advertised_prefixes": None, "local_address": None, "local_as": None, "peer_id": None,
        "local_interface": None,
    }
    assert records[1]["received_prefixes"] is None and records[1]["flaps"] == 2


def test_bgp_summary_text_layout():
    lines = R.bgp_summary(BGP, "text", groups=3).splitlines()
    assert lines == [
        "Threading mode: BGP I/O",
        "Default eBGP mode: advertise - accept, receive - accept",
        "Groups: 3 Peers: 5 Down peers: 3",
        "Table          Tot Paths  Act Paths Suppressed    History Damp State    Pending",
        "inet.0",
        "                       7          5          0          0          0          0",
        ("Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn "
         "State|#Active/Received/Accepted/Damped..."),
        "10.0.1.2                200      13540      13602       0       1 1w2d 3:04:05 Establ",
        "  inet.0: 3/4/4/0",
        "10.0.2.2                300          0          0       0       2          56 Active",
        "10.0.3.2                400       6120       6133       0       0 2d 10:00:00 Establ",
        "  inet.0: 2/3/3/0",
        "10.0.4.2              65000          0          0       0       0        1:10 Connect",
        "2001:db8:5::2           600          0          0       0       3       12:01 Idle",
    ]
    fixture = (FIXTURES / "bgp_summary.txt").read_text().splitlines()
    for row in (lines[3], lines[6], lines[7], lines[9], lines[12], lines[13]):
        assert row in fixture


def test_bgp_summary_xml():
    xml = R.bgp_summary(BGP, "xml", groups=3)
    assert [xml.findtext(t) for t in ("group-count", "peer-count", "down-peer-count")] == [
        "3", "5", "3"]
    rib = xml.find("bgp-rib")
    assert [rib.findtext(t) for t in ("name", "total-prefix-count", "active-prefix-count")] == [
        "inet.0", "7", "5"]
    peers = xml.findall("bgp-peer")
    assert peers[0].findtext("peer-state") == "Established"
    assert peers[0].find("elapsed-time").get(f"{{{R.JUNOS_NS}}}seconds") == "788645"
    assert peers[1].find("bgp-rib") is None


def test_bgp_summary_without_peers():
    text = R.bgp_summary([], "text", groups=1)
    assert "Groups: 1 Peers: 0 Down peers: 0" in text and "Peer  " not in text
    assert parse_structured(S.parse_bgp_peers, lambda fmt: R.bgp_summary([], fmt, 1)) == ([], [])


def test_bgp_neighbor_three_forms():
    records = parse_all(S.parse_bgp_peers, lambda fmt: R.bgp_neighbor(BGP, fmt))
    assert records[0] == {
        "peer_address": "10.0.1.2", "peer_as": 200, "state": "Established", "flaps": 1,
        "input_messages": 13540, "output_messages": 13602, "elapsed_seconds": None,
        "active_prefixes": 3, "received_prefixes": 4, "accepted_prefixes": 4,
        "advertised_prefixes": 2, "local_address": "10.0.1.1", "local_as": 100,
        "peer_id": "192.168.2.2", "local_interface": "st0.0",
    }
    assert [(r["state"], r["peer_id"], r["input_messages"]) for r in records[1:]] == [
        ("Active", None, None), ("Established", "192.168.3.3", 6120),
        ("Connect", None, None), ("Idle", None, None)]
    assert records[4]["peer_address"] == "2001:db8:5::2" and records[4]["flaps"] == 3


def test_bgp_neighbor_ports_only_with_a_session():
    xml = R.bgp_neighbor(BGP, "xml")
    peers = xml.findall("bgp-peer")
    assert peers[0].findtext("peer-address") == "10.0.1.2+52485"
    assert peers[0].findtext("local-address") == "10.0.1.1+179"
    assert peers[1].findtext("peer-address") == "10.0.2.2"
    assert peers[1].findtext("local-address") == "10.0.2.1"
    assert peers[1].find("bgp-rib") is None and peers[1].find("peer-id") is None
    rib = peers[0].find("bgp-rib")
    assert [rib.findtext(t) for t in ("name", "rib-bit", "send-state", "advertised-prefix-count")] \
        == ["inet.0", "20000", "in sync", "2"]


def test_bgp_neighbor_text_layout():
    text = R.bgp_neighbor(BGP[:2], "text")
    established, active = text.split("\n\n")
    lines = established.splitlines()
    assert lines[:12] == [
        "Peer: 10.0.1.2+52485 AS 200    Local: 10.0.1.1+179 AS 100",
        "  Group: EBGP                  Routing-Instance: master",
        "  Forwarding routing-instance: master",
        "  Type: External    State: Established    Flags: <Sync>",
        "  Last State: OpenConfirm   Last Event: RecvKeepAlive",
        "  Last Error: None",
        "  Options: <PeerAS Refresh>",
        "  Options: <GracefulShutdownRcv>",
        "  Holdtime: 90 Preference: 170",
        "  Graceful Shutdown Receiver local-preference: 0",
        "  Number of flaps: 1",
        "  Peer ID: 192.168.2.2     Local ID: 192.168.1.1       Active Holdtime: 90",
    ]
    assert "  Keepalive Interval: 30         Group index: 0    Peer index: 0    SNMP index: 0" in lines
    assert "  Local Interface: st0.0" in lines
    assert "  Table inet.0 Bit: 20000" in lines
    assert "    Active prefixes:              3" in lines
    assert "    Suppressed due to damping:    0" in lines
    assert "    Advertised prefixes:          2" in lines
    assert any(line.startswith("  Input messages:  Total 13540\tUpdates ") for line in lines)
    assert lines[-1] == "  Output Queue[1]: 0            (inet.0, inet-unicast)"
    assert active.splitlines() == [
        "Peer: 10.0.2.2 AS 300          Local: 10.0.2.1 AS 100",
        "  Group: EBGP-HUB              Routing-Instance: master",
        "  Forwarding routing-instance: master",
        "  Type: External    State: Active         Flags: <>",
        "  Last State: Idle          Last Event: Start",
        "  Last Error: None",
        "  Options: <PeerAS Refresh>",
        "  Options: <GracefulShutdownRcv>",
        "  Holdtime: 90 Preference: 170",
        "  Graceful Shutdown Receiver local-preference: 0",
        "  Number of flaps: 2",
    ]


# --------------------------------------------------------------------------------------
# Ping
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("all", {"sent": 8, "received": 8, "loss_percent": 0,
             "rtt_min_ms": 0.402, "rtt_avg_ms": 0.502, "rtt_max_ms": 0.846}),
    ("partial", {"sent": 3, "received": 2, "loss_percent": 33,
                 "rtt_min_ms": 1.25, "rtt_avg_ms": 1.875, "rtt_max_ms": 2.5}),
    ("none", {"sent": 5, "received": 0, "loss_percent": 100,
              "rtt_min_ms": None, "rtt_avg_ms": None, "rtt_max_ms": None}),
])
def test_ping_three_forms(name, expected):
    assert parse_all(S.parse_ping_summary, lambda fmt: R.ping(PINGS[name], fmt)) == expected


def test_ping_text_layout():
    lines = R.ping(PINGS["all"], "text").splitlines()
    assert lines[:3] == [
        "PING 10.0.1.2 (10.0.1.2): 56 data bytes",
        "64 bytes from 10.0.1.2: icmp_seq=0 ttl=64 time=0.846 ms",
        "64 bytes from 10.0.1.2: icmp_seq=1 ttl=64 time=0.466 ms",
    ]
    assert lines[9:] == [
        "",
        "--- 10.0.1.2 ping statistics ---",
        "8 packets transmitted, 8 packets received, 0% packet loss",
        "round-trip min/avg/max/stddev = 0.402/0.502/0.846/0.134 ms",
    ]
    assert R.ping(PINGS["none"], "text").splitlines() == [
        "PING 10.0.2.2 (10.0.2.2): 56 data bytes",
        "",
        "--- 10.0.2.2 ping statistics ---",
        "5 packets transmitted, 0 packets received, 100% packet loss",
    ]


def test_ping_xml():
    xml = R.ping(PINGS["partial"], "xml")
    probes = xml.findall("probe-result")
    assert [(p.findtext("probe-index"), p.findtext("sequence-number"), p.findtext("rtt"))
            for p in probes] == [("1", "0", "1250"), ("2", "1", "2500")]
    assert probes[0].find("probe-success") is not None
    summary = xml.find("probe-results-summary")
    assert [summary.findtext(t) for t in ("probes-sent", "responses-received", "packet-loss",
                                          "rtt-minimum", "rtt-maximum", "rtt-average",
                                          "rtt-stddev")] == [
        "3", "2", "33", "1250", "2500", "1875", "625"]
    assert xml.find("ping-success") is not None and xml.find("ping-failure") is None
    failed = R.ping(PINGS["none"], "xml")
    assert failed.findtext("ping-failure") == "no response"
    assert failed.find("probe-result") is None and failed.find("ping-success") is None
    assert failed.find("probe-results-summary/rtt-minimum") is None


# --------------------------------------------------------------------------------------
# show interfaces terse
# --------------------------------------------------------------------------------------


def test_interfaces_terse_text_layout():
    assert R.interfaces_terse(IFDS, "text").splitlines() == [
        "Interface               Admin Link Proto    Local                 Remote",
        "ge-0/0/0                up    up",
        "ge-0/0/0.0              up    up   inet     1.1.1.1/24",
        "lo0                     up    up",
        "lo0.0                   up    up   inet     192.168.1.1",
        "                                            10.255.0.1",
        "st0                     up    up",
        "st0.0                   up    up   inet     10.0.1.1/24",
        "st0.1                   up    down inet",
        "st0.2                   up    up",
    ]


def test_interfaces_terse_xml_and_json():
    xml = R.interfaces_terse(IFDS, "xml")
    assert xml.get(f"{{{R.JUNOS_NS}}}style") == "terse"
    st0 = xml.findall("physical-interface")[2]
    assert [st0.findtext(t) for t in ("name", "admin-status", "oper-status")] == ["st0", "up", "up"]
    unit = st0.find("logical-interface")
    assert unit.findtext("name") == "st0.0"
    assert unit.findtext("address-family/address-family-name") == "inet"
    assert unit.findtext("address-family/interface-address/ifa-local") == "10.0.1.1/24"
    assert st0.findall("logical-interface")[2].find("address-family") is None
    data = R.interfaces_terse(IFDS, "json")["interface-information"][0]
    lo0 = data["physical-interface"][1]["logical-interface"][0]
    assert lo0["address-family"][0]["interface-address"] == [
        {"ifa-local": [{"data": "192.168.1.1", "attributes": {"junos:emit": "emit"}}]},
        {"ifa-local": [{"data": "10.255.0.1", "attributes": {"junos:emit": "emit"}}]},
    ]
    assert data["attributes"]["xmlns"] == "http://xml.juniper.net/junos/23.4R1/junos-interface"
