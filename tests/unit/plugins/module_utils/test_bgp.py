# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/srx_state/bgp.py: BGP peers and last errors from the XML reply."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.bgp import (
    parse_bgp_last_errors,
    parse_bgp_peers,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    BGP_FIELDS,
    SrxStateError,
)
from state_cases import BGP_NEIGHBOR, BGP_SUMMARY, bgp, fixture


@pytest.mark.parametrize(("name", "expected"), [
    ("bgp_summary.xml", BGP_SUMMARY),
    ("bgp_neighbor.xml", BGP_NEIGHBOR),
])
def test_xml_replies(name, expected):
    records = parse_bgp_peers(fixture(name))
    assert records == expected
    assert all(tuple(r) == BGP_FIELDS for r in records)


def test_peer_header_style_of_newer_releases():
    xml = (
        "<bgp-information><bgp-peer><bgp-peer-header>"
        "<peer-address>10.0.1.2+179</peer-address><peer-as>200</peer-as>"
        "<local-address>10.0.1.1+61234</local-address><local-as>100</local-as>"
        "</bgp-peer-header><peer-state>Established</peer-state><flap-count>0</flap-count>"
        "<peer-id>192.168.2.2</peer-id><local-interface-name>st0.0</local-interface-name>"
        "<bgp-rib><name>inet.0</name><active-prefix-count>1</active-prefix-count>"
        "<received-prefix-count>1</received-prefix-count><accepted-prefix-count>1</accepted-prefix-count>"
        "<advertised-prefix-count>1</advertised-prefix-count></bgp-rib>"
        "<bgp-rib><name>inet6.0</name><received-prefix-count>2</received-prefix-count></bgp-rib>"
        "<input-messages>10</input-messages><output-messages>11</output-messages>"
        "</bgp-peer></bgp-information>"
    )
    assert parse_bgp_peers(xml) == [
        bgp("10.0.1.2", 200, "Established", flaps=0, input_messages=10, output_messages=11,
            active_prefixes=1, received_prefixes=3, accepted_prefixes=1, advertised_prefixes=1,
            local_address="10.0.1.1", local_as=100, peer_id="192.168.2.2", local_interface="st0.0"),
    ]


def test_elapsed_time_falls_back_to_the_seconds_attribute():
    xml = (
        '<bgp-information xmlns:junos="http://xml.juniper.net/junos/21.4R3/junos"><bgp-peer>'
        "<peer-address>10.0.1.2</peer-address><peer-as>200</peer-as>"
        '<elapsed-time junos:seconds="4024">1 hour, 7 minutes</elapsed-time>'
        "<peer-state>Active</peer-state></bgp-peer></bgp-information>"
    )
    assert parse_bgp_peers(xml)[0]["elapsed_seconds"] == 4024
    with pytest.raises(SrxStateError, match="cannot read elapsed time"):
        parse_bgp_peers(xml.replace(' junos:seconds="4024"', ""))


@pytest.mark.parametrize("reply", [
    "<bgp-information><group-count>0</group-count></bgp-information>",
    "<rpc-reply><output/></rpc-reply>",
    [],
])
def test_empty(reply):
    assert parse_bgp_peers(reply) == []


def test_peer_without_address():
    with pytest.raises(SrxStateError, match="no peer address"):
        parse_bgp_peers("<bgp-information><bgp-peer><peer-as>200</peer-as></bgp-peer></bgp-information>")


def test_last_errors():
    assert parse_bgp_last_errors(fixture("bgp_neighbor.xml")) == [
        {"peer_address": "10.0.1.2", "state": "Established", "last_state": "OpenConfirm",
         "last_event": "RecvKeepAlive", "last_error": None},
        {"peer_address": "10.0.2.2", "state": "Active", "last_state": "Idle", "last_event": "Start",
         "last_error": None},
    ]
    reply = ("<rpc-reply><bgp-information><bgp-peer style=\"detail\">"
             "<peer-address>10.0.1.2</peer-address><peer-as>200</peer-as><peer-state>Active</peer-state>"
             "<last-state>Idle</last-state><last-event>ConnectRetry</last-event>"
             "<last-error>Open Message Error</last-error></bgp-peer></bgp-information></rpc-reply>")
    assert parse_bgp_last_errors(reply) == [
        {"peer_address": "10.0.1.2", "state": "Active", "last_state": "Idle",
         "last_event": "ConnectRetry", "last_error": "Open Message Error"}]
