# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state filters (plugins/filter/srx_state.py): parsers of any shape, and the problem
filters judged by the one problems engine."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.netops.srx_vpn.plugins.filter.srx_state import FilterModule
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.problems import (
    VpnCheckError,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils.state_inputs import (
    bgp_problems,
    parse_bgp_peers,
    ping_problems,
    tunnel_problems,
)
from state_cases import (
    BGP_SUMMARY,
    IKE_BRIEF,
    IKE_DETAIL,
    IPSEC_TWO_TUNNELS,
    PING,
    fixture,
)

FILTERS = FilterModule().filters()
TUNNEL = {"remote_address": "1.1.1.2", "tunnel_id": 131073, "name": "IPSEC-VPN"}


# ---------------------------------------------------------------------------------------
# Tunnels
# ---------------------------------------------------------------------------------------

def test_tunnel_healthy():
    assert tunnel_problems(IKE_BRIEF, IPSEC_TWO_TUNNELS, TUNNEL) == []
    assert tunnel_problems(IKE_BRIEF, IPSEC_TWO_TUNNELS, {"remote_address": "203.0.113.9"}) == []


def test_tunnel_problems_from_raw_replies():
    assert tunnel_problems(fixture("ike_brief.txt"), fixture("ipsec_brief.xml"), TUNNEL) == []


def test_tunnel_without_ike_or_ipsec_sa():
    """One fault, one sentence: without an IKE SA there can be no IPsec SA."""
    assert tunnel_problems([], [], {"remote_address": "1.1.1.2"}) == [
        "tunnel to 1.1.1.2: no IKE SA with 1.1.1.2",
    ]


def test_tunnel_ike_down_and_one_direction_missing():
    ipsec_in_only = [sa for sa in IPSEC_TWO_TUNNELS if sa["direction"] == "inbound"]
    assert tunnel_problems(IKE_BRIEF, ipsec_in_only, {"remote_address": "198.51.100.7"}) == [
        "tunnel to 198.51.100.7: IKE SA with 198.51.100.7 is DOWN",
    ]
    assert tunnel_problems(IKE_BRIEF, ipsec_in_only, TUNNEL) == [
        "tunnel IPSEC-VPN: only an inbound IPsec SA with 1.1.1.2 (tunnel index 131073), no outbound one",
    ]


def test_tunnel_id_must_match():
    assert tunnel_problems(IKE_BRIEF, IPSEC_TWO_TUNNELS, dict(TUNNEL, tunnel_id=131099)) == [
        "tunnel IPSEC-VPN: IKE SA with 1.1.1.2 is UP but there is no IPsec SA (tunnel index 131099)",
    ]


def test_tunnel_several_expectations():
    expectations = [TUNNEL, {"remote_address": "192.0.2.1", "name": "VPN-X"}]
    assert tunnel_problems(IKE_BRIEF, IPSEC_TWO_TUNNELS, expectations) == [
        "tunnel VPN-X: no IKE SA with 192.0.2.1",
    ]


def test_tunnel_algorithms():
    assert tunnel_problems(IKE_BRIEF, IPSEC_TWO_TUNNELS, dict(TUNNEL, encryption="aes-256-cbc",
                                                              integrity="hmac-sha-256-128")) == []
    assert tunnel_problems(IKE_BRIEF, IPSEC_TWO_TUNNELS, dict(TUNNEL, encryption="aes-128-gcm")) == [
        "tunnel IPSEC-VPN: the IPsec SA uses encryption aes-cbc-256, the intent says aes-gcm-128",
    ]


@pytest.mark.parametrize(("expectation", "message"), [
    ({}, r"tunnels\[0\]: remote_address is required"),
    ({"remote_address": ""}, "remote_address is required"),
    ({"remote_address": "srx-b"}, "remote_address is not an IP address: 'srx-b'"),
    ("1.1.1.2", "an expectation must be a dict, got '1.1.1.2'"),
    ([None], "an expectation must be a dict, got None"),
])
def test_tunnel_bad_expectation(expectation, message):
    with pytest.raises(VpnCheckError, match=message):
        tunnel_problems(IKE_BRIEF, IPSEC_TWO_TUNNELS, expectation)


# ---------------------------------------------------------------------------------------
# BGP
# ---------------------------------------------------------------------------------------

def test_bgp_healthy():
    expectation = {"peer_address": "10.0.1.2", "peer_as": 200,
                   "min_received_prefixes": 4, "min_accepted_prefixes": 4}
    assert bgp_problems(BGP_SUMMARY, expectation) == []
    assert bgp_problems(fixture("bgp_neighbor.xml"), dict(expectation, min_advertised_prefixes=1)) == []
    assert bgp_problems(BGP_SUMMARY, dict(expectation, tunnel="not checked by the filter")) == []


def test_bgp_not_found_wrong_state_and_as():
    assert bgp_problems(BGP_SUMMARY, {"peer_address": "10.9.9.9"}) == ["BGP peer 10.9.9.9: not configured"]
    assert bgp_problems(BGP_SUMMARY, {"peer_address": "10.0.2.2", "peer_as": 300,
                                      "min_received_prefixes": 1}) == [
        "BGP peer 10.0.2.2: session is Active",
    ]
    assert bgp_problems(BGP_SUMMARY, {"peer_address": "10.0.1.2", "peer_as": 201, "name": "SRX-B"}) == [
        "SRX-B: BGP peer 10.0.1.2: configured with peer AS 200, the intent says 201 (session Established)",
    ]


def test_bgp_fewer_prefixes_than_expected():
    # the guide's session: up, but no export policy, so no prefixes at all
    guide = parse_bgp_peers(fixture("bgp_neighbor_guide.txt"))
    assert bgp_problems(guide, {"peer_address": "10.0.1.2+179", "peer_as": 200,
                                "min_received_prefixes": 1, "min_advertised_prefixes": 1}) == [
        "BGP peer 10.0.1.2: Established but 0 prefixes received, at least 1 expected",
        "BGP peer 10.0.1.2: Established but 0 prefixes advertised, at least 1 expected",
    ]
    assert bgp_problems(BGP_SUMMARY, {"peer_address": "10.0.1.2", "min_advertised_prefixes": 1}) == [
        "BGP peer 10.0.1.2: Established but reports no advertised prefix count, at least 1 expected",
    ]


def test_bgp_several_expectations_and_ipv6_spelling():
    expectations = [{"peer_address": "2001:DB8:5:0::2", "state": "idle"},
                    {"peer_address": "10.0.4.2", "peer_as": 65000}]
    assert bgp_problems(fixture("bgp_summary.txt"), expectations) == [
        "BGP peer 10.0.4.2: session is Connect",
    ]


def test_bgp_bad_expectation():
    with pytest.raises(VpnCheckError, match="bgp_peers: peer_address is required"):
        bgp_problems(BGP_SUMMARY, {"peer_as": 200})
    with pytest.raises(VpnCheckError, match="min_received_prefixes must be an integer, got 'many'"):
        bgp_problems(BGP_SUMMARY, {"peer_address": "10.0.1.2", "min_received_prefixes": "many"})


# ---------------------------------------------------------------------------------------
# Ping
# ---------------------------------------------------------------------------------------

def test_ping_problems():
    assert ping_problems(fixture("ping.txt"), {"target": "10.0.1.2"}) == []
    assert ping_problems(PING, {"target": "10.0.1.2"}) == []
    assert ping_problems(fixture("ping_loss.json"), {"target": "10.0.1.2", "source": "10.0.1.1"}) == [
        "ping 10.0.1.2: 100% loss from 10.0.1.1 (0/5 answered), at most 0% allowed",
    ]
    assert ping_problems(fixture("ping_loss.xml"), {"target": "10.0.1.2", "max_loss_percent": 100}) == []
    assert ping_problems(PING, {"target": "10.0.1.2", "tunnel": "not checked by the filter"}) == []
    with pytest.raises(VpnCheckError, match="pass one expectation"):
        ping_problems(PING, [{"target": "10.0.1.2"}])


# ---------------------------------------------------------------------------------------
# The filters, through FilterModule
# ---------------------------------------------------------------------------------------

def test_filter_names():
    assert sorted(FILTERS) == ["bgp_peers", "bgp_problems", "ike_sas", "ipsec_sas",
                               "ping_problems", "ping_summary", "tunnel_problems"]


def test_filters_parse_all_formats():
    assert FILTERS["ike_sas"](fixture("ike_detail.json")) == IKE_DETAIL
    assert FILTERS["ipsec_sas"](fixture("ipsec_brief.txt")) == IPSEC_TWO_TUNNELS
    assert FILTERS["bgp_peers"](fixture("bgp_summary.xml")) == BGP_SUMMARY
    assert FILTERS["ping_summary"](fixture("ping.json")) == PING
    assert FILTERS["ipsec_sas"]("Total active tunnels: 0") == []


def test_problem_filters():
    ike_sas = FILTERS["ike_sas"](fixture("ike_brief.xml"))
    assert FILTERS["tunnel_problems"](ike_sas, fixture("ipsec_empty.json"), TUNNEL) == [
        "tunnel IPSEC-VPN: IKE SA with 1.1.1.2 is UP but there is no IPsec SA (tunnel index 131073)",
    ]
    assert FILTERS["bgp_problems"](fixture("bgp_summary_guide_1.txt"),
                                   {"peer_address": "10.0.1.1", "peer_as": 100}) == []
    assert FILTERS["ping_problems"](fixture("ping_guide_1.txt"), {"target": "10.0.1.2"}) == []


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("ike_sas", ("hello",), "netops.srx_vpn.ike_sas: text is not the output"),
        ("ipsec_sas", ("<broken",), "netops.srx_vpn.ipsec_sas: invalid XML"),
        ("bgp_peers", ({"bgp-information": "x", "bad name": 1},), "netops.srx_vpn.bgp_peers: invalid"),
        ("ping_summary", ("",), "netops.srx_vpn.ping_summary: "),
        ("tunnel_problems", ([], [], {}), "netops.srx_vpn.tunnel_problems: tunnels[0]: remote_address is required"),
        ("bgp_problems", ([],), "netops.srx_vpn.bgp_problems: "),
        ("ping_problems", ("", {"target": "x"}), "netops.srx_vpn.ping_problems: pings: target is not an IP address"),
    ],
)
def test_filter_errors_name_the_filter(name, args, message):
    with pytest.raises(AnsibleFilterError) as info:
        FILTERS[name](*args)
    assert str(info.value).startswith(message)
