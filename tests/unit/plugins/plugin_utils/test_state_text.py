# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the filters' readers (plugin_utils/state_inputs.py, state_text.py,
state_json.py): XML, JSON and CLI text of the same reply give the same records -- the records
of the module's XML parsers (module_utils/srx_state)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as std_etree

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    bgp as xml_bgp,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    ike as xml_ike,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    ipsec as xml_ipsec,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    ping as xml_ping,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    BGP_FIELDS,
    IKE_FIELDS,
    IPSEC_FIELDS,
    PING_FIELDS,
    SrxStateError,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import state_text
from ansible_collections.netops.srx_vpn.plugins.plugin_utils.state_inputs import (
    parse_bgp_last_errors,
    parse_bgp_peers,
    parse_ike_sas,
    parse_ipsec_sas,
    parse_ping_summary,
)
from lxml import etree
from state_cases import (
    BGP_NEIGHBOR,
    BGP_SUMMARY,
    FORMATS,
    GUIDE_BGP_SUMMARY,
    GUIDE_IKE,
    IKE_BRIEF,
    IKE_DETAIL,
    IPSEC_TRAFFIC_SELECTORS,
    IPSEC_TWO_TUNNELS,
    IPSEC_TWO_TUNNELS_DETAIL,
    PING,
    PING_LOSS,
    SUMMARY_HEADER,
    bgp,
    fixture,
    ike,
    ipsec,
    lines,
)

XML_PARSERS = {
    parse_ike_sas: xml_ike.parse_ike_sas,
    parse_ipsec_sas: xml_ipsec.parse_ipsec_sas,
    parse_bgp_peers: xml_bgp.parse_bgp_peers,
    parse_ping_summary: xml_ping.parse_ping_summary,
}


def all_formats(base, parser):
    """Parse <base>.xml, <base>.json (as string and as dict) and <base>.txt; and <base>.xml
    with the module's XML-only parser."""
    results = {ext: parser(fixture(f"{base}.{ext}")) for ext in FORMATS}
    results["json-dict"] = parser(json.loads(fixture(f"{base}.json")))
    results["module"] = XML_PARSERS[parser](fixture(f"{base}.xml"))
    return results


# ---------------------------------------------------------------------------------------
# The three formats give the same result
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("base", "parser", "expected"),
    [
        ("ike_brief", parse_ike_sas, IKE_BRIEF),
        ("ike_detail", parse_ike_sas, IKE_DETAIL),
        ("ike_cluster", parse_ike_sas, [
            IKE_BRIEF[0],
            ike(7801123, "203.0.113.9", "UP", "aa00bb11cc22dd33", "ee44ff5566778899", "IKEv2"),
        ]),
        ("ipsec_brief", parse_ipsec_sas, IPSEC_TWO_TUNNELS),
        ("ipsec_detail", parse_ipsec_sas, IPSEC_TWO_TUNNELS_DETAIL),
        ("ipsec_ts_detail", parse_ipsec_sas, IPSEC_TRAFFIC_SELECTORS),
        ("ipsec_cluster", parse_ipsec_sas, IPSEC_TWO_TUNNELS[:2]),
        ("ipsec_empty", parse_ipsec_sas, []),
        ("bgp_summary", parse_bgp_peers, BGP_SUMMARY),
        ("bgp_neighbor", parse_bgp_peers, BGP_NEIGHBOR),
        ("ping", parse_ping_summary, PING),
        ("ping_loss", parse_ping_summary, PING_LOSS),
    ],
)
def test_three_formats_give_the_same_result(base, parser, expected):
    results = all_formats(base, parser)
    assert results["xml"] == results["json"] == results["json-dict"] == results["txt"] == results["module"]
    assert results["xml"] == expected


def test_records_have_exactly_the_documented_keys():
    assert all(tuple(r) == IKE_FIELDS for r in parse_ike_sas(fixture("ike_detail.xml")))
    assert all(tuple(r) == IPSEC_FIELDS for r in parse_ipsec_sas(fixture("ipsec_brief.txt")))
    assert all(tuple(r) == BGP_FIELDS for r in parse_bgp_peers(fixture("bgp_summary.json")))
    assert tuple(parse_ping_summary(fixture("ping.txt"))) == PING_FIELDS


def test_brief_and_detail_styles_agree_on_shared_fields():
    brief = parse_ike_sas(fixture("ike_brief.xml"))[:2]
    detail = parse_ike_sas(fixture("ike_detail.txt"))
    assert [dict(d, local_address=None, gateway=None) for d in detail] == brief
    detail = parse_ipsec_sas(fixture("ipsec_detail.json"))  # the brief style has no identities
    assert [dict(d, local_identity=None, remote_identity=None) for d in detail] \
        == parse_ipsec_sas(fixture("ipsec_brief.txt"))


# ---------------------------------------------------------------------------------------
# The reference guide's outputs, exactly as printed there (pdf-wrapped)
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ike_guide_1.txt", "ike_guide_2.txt"])
def test_guide_ike(name):
    assert parse_ike_sas(fixture(name)) == GUIDE_IKE


def test_guide_ipsec():
    assert parse_ipsec_sas(fixture("ipsec_guide.txt")) == [
        ipsec(131073, "inbound", "91e4cf8d", "aes-cbc-256", "sha256", 3514, None, "1.1.1.1", 500),
        ipsec(131073, "outbound", "5b944da", "aes-cbc-256", "sha256", 3514, None, "1.1.1.1", 500),
    ]


@pytest.mark.parametrize("name", ["bgp_summary_guide_1.txt", "bgp_summary_guide_2.txt"])
def test_guide_bgp_summary(name):
    assert parse_bgp_peers(fixture(name)) == GUIDE_BGP_SUMMARY


def test_guide_bgp_neighbor():
    assert parse_bgp_peers(fixture("bgp_neighbor_guide.txt")) == [
        bgp("10.0.1.2", 200, "Established", flaps=0, input_messages=39, output_messages=38,
            active_prefixes=0, received_prefixes=0, accepted_prefixes=0, advertised_prefixes=0,
            local_address="10.0.1.1", local_as=100, peer_id="192.168.2.2", local_interface="st0.0"),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ping_guide_1.txt", PING),
        ("ping_guide_2.txt", {"sent": 3, "received": 3, "loss_percent": 0,
                              "rtt_min_ms": 0.445, "rtt_avg_ms": 0.585, "rtt_max_ms": 0.832}),
    ],
)
def test_guide_ping(name, expected):
    assert parse_ping_summary(fixture(name)) == expected


def test_guide_rows_on_one_line_give_the_same_result():
    one_line = lines(
        "Index   State  Initiator cookie  Responder cookie  Mode           Remote Address",
        "3544408 UP     622e26f4b005aba1  721ff1b2bfa849a6  Main           1.1.1.1",
    )
    assert parse_ike_sas(one_line) == GUIDE_IKE
    summary = lines(
        SUMMARY_HEADER,
        "10.0.1.1                100          4          4       0       0        1:10 Establ",
        "  inet.0: 0/0/0/0",
    )
    assert parse_bgp_peers(summary) == GUIDE_BGP_SUMMARY


# ---------------------------------------------------------------------------------------
# Empty results
# ---------------------------------------------------------------------------------------

IPSEC_ZERO_XML = (
    "<rpc-reply><ipsec-security-associations-information>"
    "<total-active-tunnels>0</total-active-tunnels>"
    "</ipsec-security-associations-information></rpc-reply>"
)


@pytest.mark.parametrize(
    ("parser", "data"),
    [
        (parse_ike_sas, ""),
        (parse_ike_sas, "admin@srx> show security ike security-associations\n\n{master:0}\n"),
        (parse_ike_sas, "Index   State  Initiator cookie  Responder cookie  Mode           Remote Address\n"),
        (parse_ike_sas, "No security associations"),
        (parse_ike_sas, "<ike-security-associations-information/>"),
        (parse_ike_sas, {"ike-security-associations-information": [{}]}),
        (parse_ipsec_sas, "Total active tunnels: 0"),
        (parse_ipsec_sas, IPSEC_ZERO_XML),
        (parse_bgp_peers, "Groups: 0 Peers: 0 Down peers: 0"),
        (parse_bgp_peers, "BGP is not running"),
        (parse_bgp_peers, '{"bgp-information": [{"group-count": [{"data": "0"}]}]}'),
        (parse_bgp_peers, "<bgp-information><group-count>0</group-count></bgp-information>"),
        (parse_bgp_peers, []),
        (parse_ike_sas, "<rpc-reply><output>\n</output></rpc-reply>"),
        (parse_bgp_peers, "<rpc-reply><output/></rpc-reply>"),
    ],
)
def test_empty_results(parser, data):
    assert parser(data) == []


def test_empty_cluster_items():
    reply = (
        "<rpc-reply><multi-routing-engine-results>"
        "<multi-routing-engine-item><re-name>node0</re-name></multi-routing-engine-item>"
        "<multi-routing-engine-item><re-name>node1</re-name></multi-routing-engine-item>"
        "</multi-routing-engine-results></rpc-reply>"
    )
    assert parse_ike_sas(reply) == []


# ---------------------------------------------------------------------------------------
# Input shapes
# ---------------------------------------------------------------------------------------

def test_xml_as_lxml_element_with_namespaces_is_not_modified():
    root = etree.fromstring(fixture("ike_brief.xml").encode())
    before = etree.tostring(root)
    assert parse_ike_sas(root) == IKE_BRIEF
    assert parse_ike_sas(root.getroottree()) == IKE_BRIEF
    assert etree.tostring(root) == before


def test_xml_as_stdlib_element_and_bytes():
    assert parse_ike_sas(std_etree.fromstring(fixture("ike_brief.xml"))) == IKE_BRIEF
    assert parse_ike_sas(std_etree.ElementTree(std_etree.fromstring(fixture("ike_brief.xml")))) == IKE_BRIEF
    assert parse_ike_sas(fixture("ike_brief.xml").encode()) == IKE_BRIEF


def test_pasted_cli_xml_with_prompt_and_banner():
    pasted = "admin@srx-a> show security ike security-associations | display xml\n" \
        + fixture("ike_brief.xml") + "\n{master:0}\n"
    assert parse_ike_sas(pasted) == IKE_BRIEF


def test_text_wrapped_in_output_element():
    reply = "<rpc-reply><output>\n" + fixture("ipsec_brief.txt").replace("<", "&lt;").replace(
        ">", "&gt;") + "\n</output></rpc-reply>"
    assert parse_ipsec_sas(reply) == IPSEC_TWO_TUNNELS


def test_list_of_replies_is_concatenated():
    stdout = [fixture("ike_cluster.txt"), fixture("ike_brief.json")]
    assert parse_ike_sas(stdout) == parse_ike_sas(fixture("ike_cluster.xml")) + IKE_BRIEF
    stdout_lines = fixture("ipsec_brief.txt").splitlines()  # of one command
    assert parse_ipsec_sas([stdout_lines]) == IPSEC_TWO_TUNNELS


def test_registered_results():
    assert parse_ike_sas({"changed": False, "stdout": [fixture("ike_brief.txt")],
                          "stdout_lines": [[]]}) == IKE_BRIEF
    assert parse_ping_summary({"changed": False, "xml": fixture("ping.xml")}) == PING


def test_json_attributes_and_empty_data():
    reply = {
        "bgp-information": [{
            "attributes": {"xmlns": "http://xml.juniper.net/junos/21.4R3/junos-routing"},
            "bgp-peer": [{
                "attributes": {"junos:style": "terse", "heading": "Peer AS ..."},
                "peer-address": [{"data": "10.0.1.2"}],
                "peer-as": [{"data": "200"}],
                "input-messages": [{"data": "4"}],
                "output-messages": [{"data": "5"}],
                "flap-count": [{"data": "0"}],
                "elapsed-time": [{"data": "\n1:10\n", "attributes": {"junos:seconds": "70"}}],
                "peer-state": [{"data": "Established", "attributes": {"junos:format": "Establ"}}],
                "route-queue-count": [{"data": [None]}],
                "bgp-rib": [{
                    "attributes": {"junos:style": "terse"},
                    "name": [{"data": "inet.0"}],
                    "active-prefix-count": [{"data": "1"}],
                    "received-prefix-count": [{"data": "2"}],
                    "accepted-prefix-count": [{"data": "2"}],
                }],
            }],
        }],
    }
    assert parse_bgp_peers(reply) == [
        bgp("10.0.1.2", 200, "Established", flaps=0, input_messages=4, output_messages=5,
            elapsed_seconds=70, active_prefixes=1, received_prefixes=2, accepted_prefixes=2),
    ]


def test_xmltodict_shaped_dict():
    reply = {"rpc-reply": {"ike-security-associations-information": {
        "@style": "brief",
        "ike-security-associations": [
            {"ike-sa-remote-address": "1.1.1.2", "ike-sa-index": "3544408", "ike-sa-state": "UP",
             "ike-sa-initiator-cookie": "622e26f4b005aba1",
             "ike-sa-responder-cookie": "721ff1b2bfa849a6", "ike-sa-exchange-type": "Main"},
        ],
    }}}
    assert parse_ike_sas(reply) == IKE_BRIEF[:1]


def test_json_cluster_reply():
    reply = {"multi-routing-engine-results": [{"multi-routing-engine-item": [
        {"re-name": [{"data": "node0"}],
         "ipsec-security-associations-information": json.loads(
             fixture("ipsec_brief.json"))["ipsec-security-associations-information"]},
        {"re-name": [{"data": "node1"}],
         "ipsec-security-associations-information": [
             {"total-active-tunnels": [{"data": "0"}]}]},
    ]}]}
    assert parse_ipsec_sas(reply) == IPSEC_TWO_TUNNELS


def test_newer_ipsec_layout_with_0x_spi_and_aead_integrity():
    text = lines(
        "  Total active tunnels: 1     Total IPsec sas: 1",
        "  ID      Algorithm       SPI      Life:sec/kb  Mon lsys Port  Gateway",
        "  <500011 ESP:aes-gcm-256/aes256-gcm 0x6D0C6331 1222/ unlim - root 500 13.10.2.2",
        "  >500011 ESP:aes-gcm-256/aes256-gcm 0xe1ed7345 1222/ unlim - root 500 13.10.2.2",
    )
    result = parse_ipsec_sas(text)
    assert [(r["spi"], r["integrity"], r["encryption"]) for r in result] == [
        ("6d0c6331", "aes256-gcm", "aes-gcm-256"), ("e1ed7345", "aes256-gcm", "aes-gcm-256"),
    ]


def test_old_column_orders():
    ike_old = lines(
        "Index   Remote Address  State  Initiator cookie  Responder cookie  Mode",
        "4       1.1.1.2         UP     5e8cb4fa16e5c3e1  6a1f2bd2a1bd0d52  Main",
    )
    assert parse_ike_sas(ike_old) == [
        ike(4, "1.1.1.2", "UP", "5e8cb4fa16e5c3e1", "6a1f2bd2a1bd0d52", "Main"),
    ]
    ipsec_old = lines(
        "  Total active tunnels: 1",
        "  ID    Gateway          Port  Algorithm       SPI      Life:sec/kb  Mon vsys",
        "  <131073 1.1.1.2         500   ESP:3des/sha1   a37a0b0f 3297/ unlim   -   root",
        "  >131073 1.1.1.2         500   ESP:3des/sha1   1c2d3e4f 3297/ unlim   -   root",
    )
    assert parse_ipsec_sas(ipsec_old) == [
        ipsec(131073, "inbound", "a37a0b0f", "3des", "sha1", 3297, None, "1.1.1.2", 500),
        ipsec(131073, "outbound", "1c2d3e4f", "3des", "sha1", 3297, None, "1.1.1.2", 500),
    ]


def test_summary_with_asdot_and_link_local_peers():
    text = lines(
        SUMMARY_HEADER,
        "fe80::1%st0.0          1.10       2009       2188       0       0    16:40:00 Establ",
        "  inet6.0: 6/6/6/0",
        "10.0.9.2              65010          1          2       0       0           2 OpenSent",
    )
    result = parse_bgp_peers(text)
    assert [(r["peer_address"], r["peer_as"], r["state"], r["received_prefixes"]) for r in result] == [
        ("fe80::1%st0.0", 65546, "Established", 6), ("10.0.9.2", 65010, "OpenSent", None),
    ]


# ---------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------

def ike_xml(fields):
    return (
        "<ike-security-associations-information><ike-security-associations>"
        f"{fields}</ike-security-associations></ike-security-associations-information>"
    )


RPC_ERROR_XML = (
    "<rpc-reply><rpc-error><error-severity>error</error-severity>"
    "<error-message>syntax error</error-message></rpc-error></rpc-reply>"
)
BAD_DIRECTION_XML = (
    "<ipsec-security-associations-information><ipsec-security-associations-block>"
    "<ipsec-security-associations><sa-direction>sideways</sa-direction>"
    "<sa-tunnel-index>1</sa-tunnel-index></ipsec-security-associations>"
    "</ipsec-security-associations-block></ipsec-security-associations-information>"
)


@pytest.mark.parametrize(
    ("parser", "data", "message"),
    [
        (parse_ike_sas, "<ike-security-associations-information><ike-security-associations>",
         "invalid XML"),
        (parse_ike_sas, '{"ike-security-associations-information": [', "invalid JSON"),
        (parse_ike_sas, "hello world", "not the output of 'show security ike"),
        (parse_ike_sas, fixture("bgp_summary.xml"), "no <ike-security-associations-information>"),
        (parse_ike_sas, 42, "got int"),
        (parse_ike_sas, None, "no input"),
        (parse_ike_sas, ike_xml("<ike-sa-index>x1</ike-sa-index>"), "IKE SA index must be an integer"),
        (parse_ike_sas, ike_xml("<ike-sa-state>UP</ike-sa-state>"), "neither an index nor"),
        (parse_ike_sas, RPC_ERROR_XML, "the device answered with an error: syntax error"),
        (parse_ipsec_sas, BAD_DIRECTION_XML, "direction is not"),
        (parse_ipsec_sas, "Total active tunnels: 1\n<131073 garbage", "not the output of 'show security ipsec"),
        (parse_ipsec_sas, {"ipsec-security-associations-information": [{"bad key!": []}]},
         "invalid element name"),
        (parse_bgp_peers, lines(SUMMARY_HEADER, "not-a-peer 100 1 2 0 0 1:10 Establ"), "unexpected peer row"),
        (parse_bgp_peers, lines(SUMMARY_HEADER, "10.0.1.2 100 1 2"), "truncated peer row"),
        (parse_bgp_peers, "random text", "not the output of 'show bgp summary'"),
        (parse_ping_summary, "PING 10.0.1.2 (10.0.1.2): 56 data bytes", "no 'packets transmitted'"),
        (parse_ping_summary, [fixture("ping.txt"), fixture("ping.xml")], "2 ping summaries"),
        (parse_ping_summary, "<ping-results><target-host>10.0.1.2</target-host></ping-results>",
         "no ping summary"),
    ],
)
def test_malformed_input_raises(parser, data, message):
    with pytest.raises(SrxStateError, match=message.replace("(", r"\(")) as info:
        parser(data)
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------------------------------
# Last errors of show bgp neighbor, in the three shapes
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("ext", ["xml", "json", "txt"])
def test_bgp_last_errors_from_show_bgp_neighbor(ext):
    records = parse_bgp_last_errors(fixture(f"bgp_neighbor.{ext}"))
    assert records == [
        {"peer_address": "10.0.1.2", "state": "Established", "last_state": "OpenConfirm",
         "last_event": "RecvKeepAlive", "last_error": None},
        {"peer_address": "10.0.2.2", "state": "Active", "last_state": "Idle", "last_event": "Start",
         "last_error": None},
    ]
    assert records == xml_bgp.parse_bgp_last_errors(fixture("bgp_neighbor.xml"))


def test_bgp_last_error_open_message_error_from_text():
    text = ("Peer: 10.0.1.2 AS 300       Local: 10.0.1.1 AS 100\n"
            "  Type: External    State: Active         Flags: <>\n"
            "  Last State: Idle          Last Event: ConnectRetry\n"
            "  Last Error: Open Message Error\n")
    assert parse_bgp_last_errors(text)[0]["last_error"] == "Open Message Error"
    assert parse_bgp_last_errors("") == []
    with pytest.raises(SrxStateError):
        parse_bgp_last_errors("Total active tunnels: 0")


# ---------------------------------------------------------------------------------------
# The text helpers
# ---------------------------------------------------------------------------------------

def test_banners_and_blank_output():
    pasted = "admin@srx-a> show bgp summary\n\nGroups: 1 Peers: 1\n{master:0}\n[edit]\n"
    assert state_text.trim_banners(pasted) == "Groups: 1 Peers: 1"
    assert state_text.is_blank("node0:\n--------------------------\n{primary:node0}\nadmin@srx> \n")
    assert not state_text.is_blank("node0:\nTotal active tunnels: 0\n")


def test_module_parsers_read_xml_only():
    """The module's parsers refuse CLI text and JSON (the filters read those)."""
    with pytest.raises(SrxStateError, match="not XML"):
        xml_ike.parse_ike_sas(fixture("ike_brief.txt"))
    with pytest.raises(SrxStateError, match="not XML"):
        xml_ipsec.parse_ipsec_sas(fixture("ipsec_brief.json"))
    with pytest.raises(SrxStateError, match="got dict"):
        xml_bgp.parse_bgp_peers(json.loads(fixture("bgp_summary.json")))
