# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the intent's paths beyond an SRX pair render and expect: an external peer (backup
gateways, identity), traffic selectors and proxy-identity, a second uplink, VPN monitoring."""
from __future__ import annotations

import copy

import intent_cases as C
import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import intent, render, transaction

PEER = {"name": "cloud-1", "gateway": "3.3.3.3", "backup_gateways": ["3.3.3.4", "3.3.3.5"],
        "identity": {"hostname": "vpn.example.net"}, "asn": 64512, "prefixes": ["10.99.0.0/16"]}


def fleet(**tunnel):
    data = C.base()
    data["devices"]["srx-a"]["uplinks"] = [dict(C.ISP2)]
    t = {"name": "a-x", "ends": [{"device": "srx-a", "st0_unit": 7, "address": "169.254.10.1/30", "uplink": "isp2"},
                                 {"address": "169.254.10.2/30", "peer": copy.deepcopy(PEER)}]}
    t.update(tunnel)
    data["tunnels"].append(t)
    data["psks"]["a-x"] = C.KEY_AB
    return data


def lines(data, device="srx-a"):
    return render.render_device(C.build(intent, data)[device]).splitlines()


def test_an_external_peer_configures_the_device_end_only():
    data = fleet()
    plans = C.build(intent, data)
    assert set(plans) == {"srx-a", "srx-b", "srx-c"}   # no plan for the peer
    text = lines(data)
    for line in ("set security ike gateway IKE-GW-A-X address 3.3.3.3",
                 "set security ike gateway IKE-GW-A-X address 3.3.3.4",
                 "set security ike gateway IKE-GW-A-X address 3.3.3.5",
                 "set security ike gateway IKE-GW-A-X remote-identity hostname vpn.example.net",
                 "set security ike gateway IKE-GW-A-X external-interface ge-0/0/2.0",
                 'set interfaces st0 unit 7 description "srx_vpn tunnel a-x to cloud-1"',
                 "set protocols bgp group SRXVPN-EBGP neighbor 169.254.10.2 peer-as 64512",
                 "set interfaces ge-0/0/2 unit 0 family inet address 2.2.2.1/24",
                 "set security zones security-zone UNTRUST interfaces ge-0/0/2.0 host-inbound-traffic "
                 "system-services ike"):
        assert line in text, line
    # the primary stays first: Junos initiates to the first address of the list
    addresses = [x.split()[-1] for x in text if x.startswith("set security ike gateway IKE-GW-A-X address")]
    assert addresses == ["3.3.3.3", "3.3.3.4", "3.3.3.5"]
    expect = plans["srx-a"]["expect"]
    tunnel = next(t for t in expect["tunnels"] if t["name"] == "a-x")
    assert tunnel["remote_address"] == "3.3.3.3" and tunnel["backup_addresses"] == ["3.3.3.4", "3.3.3.5"]
    bgp = next(p for p in expect["bgp_peers"] if p["tunnel"] == "a-x")
    assert bgp == {"peer_address": "169.254.10.2", "peer_as": 64512, "tunnel": "a-x", "min_received_prefixes": 1}
    # the transaction sees one device at this tunnel's ends
    assert transaction.tunnel_ends(plans)["a-x"] == ("srx-a",)
    assert intent.tunnel_list(plans)[-1] == {"name": "a-x", "ends": ["srx-a"]}


def test_the_external_peers_networks_are_remote_lan_prefixes_for_transit_policies():
    plan = C.build(intent, fleet())["srx-a"]
    assert "10.99.0.0/16" in plan["remote_lan_prefixes"]
    assert any("SRXVPN-REMOTE" in x and "10.99.0.0/16" in x for x in lines(fleet()))


def test_selectors_render_one_traffic_selector_per_pair_and_are_expected():
    data = fleet(bgp={"enabled": False})
    data["tunnels"][2]["ends"][0]["selectors"] = ["10.10.0.0/24", "169.254.10.1/32"]
    data["tunnels"][2]["ends"][1]["selectors"] = ["10.99.0.0/16", "169.254.10.2/32"]
    text = [x for x in lines(data) if "traffic-selector" in x]
    assert text == [f"set security ipsec vpn IPSEC-VPN-A-X traffic-selector TS-{n} {side} {prefix}"
                    for n, pair in enumerate([("10.10.0.0/24", "10.99.0.0/16"), ("10.10.0.0/24", "169.254.10.2/32"),
                                              ("169.254.10.1/32", "10.99.0.0/16"),
                                              ("169.254.10.1/32", "169.254.10.2/32")], start=1)
                    for side, prefix in zip(("local-ip", "remote-ip"), pair, strict=True)]
    plan = C.build(intent, data)["srx-a"]
    tunnel = next(t for t in plan["expect"]["tunnels"] if t["name"] == "a-x")
    assert tunnel["selectors"][0] == {"local": "10.10.0.0/24", "remote": "10.99.0.0/16"}
    assert any(p["tunnel"] == "a-x" for p in plan["expect"]["pings"])   # the tunnel addresses are carried
    assert not any(p["tunnel"] == "a-x" for p in plan["expect"]["bgp_peers"])


def test_selectors_that_do_not_carry_the_tunnel_addresses_drop_the_ping():
    data = fleet(bgp={"enabled": False})
    data["tunnels"][2]["ends"][0]["selectors"] = ["10.10.0.0/24"]
    data["tunnels"][2]["ends"][1]["selectors"] = ["10.99.0.0/16"]
    plan = C.build(intent, data)["srx-a"]
    assert not any(p["tunnel"] == "a-x" for p in plan["expect"]["pings"])


def test_a_managed_pair_with_selectors_mirrors_them_on_both_ends():
    data = C.base()
    data["tunnels"][0]["bgp"] = {"enabled": False}
    data["tunnels"][0]["ends"][0]["selectors"] = ["10.10.0.0/24"]
    data["tunnels"][0]["ends"][1]["selectors"] = ["10.20.0.0/24"]
    a = [x for x in lines(data, "srx-a") if "IPSEC-VPN-A-B traffic-selector" in x]
    b = [x for x in lines(data, "srx-b") if "IPSEC-VPN-A-B traffic-selector" in x]
    assert [x.split()[-1] for x in a] == ["10.10.0.0/24", "10.20.0.0/24"]
    assert [x.split()[-1] for x in b] == ["10.20.0.0/24", "10.10.0.0/24"]


def test_proxy_identity_renders_one_pair_and_no_traffic_selector():
    data = fleet(bgp={"enabled": False}, ipsec={"proxy_identity": True})
    data["tunnels"][2]["ends"][0]["selectors"] = ["10.10.0.0/24"]
    data["tunnels"][2]["ends"][1]["selectors"] = ["10.99.0.0/16"]
    text = lines(data)
    assert not [x for x in text if "traffic-selector" in x]
    assert [x for x in text if "proxy-identity" in x] == [
        "set security ipsec vpn IPSEC-VPN-A-X ike proxy-identity local 10.10.0.0/24",
        "set security ipsec vpn IPSEC-VPN-A-X ike proxy-identity remote 10.99.0.0/16",
        "set security ipsec vpn IPSEC-VPN-A-X ike proxy-identity service any"]


@pytest.mark.parametrize("optimized", [False, True])
def test_vpn_monitor_probes_the_peers_tunnel_address(optimized):
    data = fleet(ipsec={"vpn_monitor": {"enabled": True, "optimized": optimized}})
    text = [x for x in lines(data) if "vpn-monitor" in x]
    assert text == ([*(["set security ipsec vpn IPSEC-VPN-A-X vpn-monitor optimized"] if optimized else []),
                     "set security ipsec vpn IPSEC-VPN-A-X vpn-monitor source-interface st0.7",
                     "set security ipsec vpn IPSEC-VPN-A-X vpn-monitor destination-ip 169.254.10.2"])
    assert next(t for t in C.build(intent, data)["srx-a"]["expect"]["tunnels"] if t["name"] == "a-x")["vpn_monitor"]


def test_vpn_monitor_disabled_renders_nothing():
    assert not [x for x in lines(fleet(ipsec={"vpn_monitor": {"enabled": False}})) if "vpn-monitor" in x]


def test_an_uplink_behind_nat_presents_its_public_address():
    data = fleet()
    data["devices"]["srx-a"]["uplinks"][0]["public_address"] = "2.2.2.200"
    assert "set security ike gateway IKE-GW-A-X local-identity inet 2.2.2.200" in lines(data)
    data["tunnels"][2]["ends"] = [{"device": "srx-a", "st0_unit": 7, "address": "10.0.7.1/30", "uplink": "isp2"},
                                  {"device": "srx-c", "st0_unit": 7, "address": "10.0.7.2/30"}]
    assert "set security ike gateway IKE-GW-A-X address 2.2.2.200" in lines(data, "srx-c")
