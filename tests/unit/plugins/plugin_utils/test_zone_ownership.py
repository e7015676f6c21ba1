"""Zones owned per interface: the product owns its own VPN zone whole, but in a shared zone
(``zones.vpn_shared``, derived true when the VPN zone is the external zone) only its st0 units
and their host-inbound settings; an st0 unit's zone binding is the product's in any zone, so
a unit moves between zones in one candidate."""
from __future__ import annotations

import copy

import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    candidate,
    intent,
    render,
)

PSKS = {"a-b": "a-long-enough-lab-key"}


def devices(**zones):
    return {
        "srx-a": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.1/24", "asn": 100,
                  **({"zones": zones} if zones else {})},
        "srx-b": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.2/24", "asn": 200},
    }


def tunnels(bfd=False):
    return [{"name": "a-b", "bgp": {"bfd": bfd},
             "ends": [{"device": "srx-a", "st0_unit": 0, "address": "10.0.1.1/24"},
                      {"device": "srx-b", "st0_unit": 0, "address": "10.0.1.2/24"}]}]


def plan(bfd=False, **zones) -> dict:
    return intent.build_plans(devices(**zones), tunnels(bfd), PSKS)["srx-a"]


ST0 = 'set interfaces st0 unit 0 description "srx_vpn tunnel a-b to srx-b"\n' \
      "set interfaces st0 unit 0 family inet address 10.0.1.1/24\n"
# A device where st0.0 is in UNTRUST with the external interface and an unrelated ge-0/0/1.0.
UNTRUST_SHARED = ST0 + """\
set security zones security-zone UNTRUST host-inbound-traffic system-services ssh
set security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic system-services ike
set security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic system-services ping
set security zones security-zone UNTRUST interfaces ge-0/0/1.0
set security zones security-zone UNTRUST interfaces st0.0 host-inbound-traffic system-services ping
set security zones security-zone UNTRUST interfaces st0.0 host-inbound-traffic protocols bgp
"""
# The same device after a deploy with the product's own VPN zone.
OWN_VPN = ST0 + """\
set security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic system-services ike
set security zones security-zone UNTRUST interfaces ge-0/0/1.0
set security zones security-zone VPN host-inbound-traffic system-services ping
set security zones security-zone VPN host-inbound-traffic protocols bgp
set security zones security-zone VPN interfaces st0.0
"""


def zone_lines(p: dict) -> list[str]:
    return [x for x in render.render_stanza("zones", p).splitlines() if x.startswith("set security zones")]


def test_vpn_zone_is_shared_when_it_is_the_external_zone():
    assert plan()["vpn_zone_shared"] is False
    assert plan(vpn="UNTRUST")["vpn_zone_shared"] is True
    assert plan(vpn="DMZ", vpn_shared=True)["vpn_zone_shared"] is True
    assert plan(vpn="DMZ")["vpn_zone_shared"] is False


def test_a_shared_zone_gets_host_inbound_on_the_st0_units_only():
    lines = zone_lines(plan(bfd=True, vpn="UNTRUST"))
    assert lines == [
        "set security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic system-services ike",
        "set security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic system-services ping",
        "set security zones security-zone UNTRUST interfaces st0.0 host-inbound-traffic system-services ping",
        "set security zones security-zone UNTRUST interfaces st0.0 host-inbound-traffic protocols bgp",
        "set security zones security-zone UNTRUST interfaces st0.0 host-inbound-traffic protocols bfd",
    ]
    # no zone-wide host-inbound: it would open bgp/bfd on the external interface too
    assert not [x for x in lines if x.startswith("set security zones security-zone UNTRUST host-inbound-traffic")]
    own = zone_lines(plan())
    assert "set security zones security-zone VPN host-inbound-traffic protocols bgp" in own
    assert "set security zones security-zone VPN interfaces st0.0" in own


def test_in_a_shared_zone_only_the_st0_binding_is_owned():
    p = plan(vpn="UNTRUST")
    assert candidate.owned_objects(UNTRUST_SHARED, p, ("zones",)) == [
        "security zones security-zone UNTRUST interfaces st0.0"]
    lines = candidate.build_candidate(render.render_device(p), UNTRUST_SHARED, p, PSKS)
    assert "delete security zones security-zone UNTRUST interfaces st0.0" in lines
    assert not [x for x in lines if x.startswith("delete") and ("ge-0/0/1.0" in x or x.endswith("UNTRUST"))]
    assert not [x for x in lines if "ge-0/0/1.0" in x]   # the unrelated interface is never touched


def test_the_own_zone_is_owned_whole():
    assert "security zones security-zone VPN" in candidate.owned_objects(OWN_VPN, plan(), ("zones",))
    assert not [x for x in candidate.owned_objects(OWN_VPN, plan(), ("zones",)) if "UNTRUST" in x]


def test_moving_st0_from_the_shared_zone_to_an_own_zone_in_one_candidate():
    p = plan(vpn="VPN")
    lines = candidate.build_candidate(render.render_device(p), UNTRUST_SHARED, p, PSKS)
    deletes = [x for x in lines if x.startswith("delete security zones")]
    assert deletes == ["delete security zones security-zone UNTRUST interfaces st0.0"]
    assert "set security zones security-zone VPN interfaces st0.0" in lines
    assert lines.index(deletes[0]) < lines.index("set security zones security-zone VPN interfaces st0.0")


@pytest.mark.parametrize(("zones", "new_zone"), [({"vpn": "UNTRUST"}, "UNTRUST"), ({"vpn": "VPN2"}, "VPN2")])
def test_moving_st0_out_of_the_own_zone(zones, new_zone):
    p = plan(**zones)
    lines = candidate.build_candidate(render.render_device(p), OWN_VPN, p, PSKS)
    deletes = [x for x in lines if x.startswith("delete security zones")]
    assert deletes == ["delete security zones security-zone VPN interfaces st0.0"]
    assert [x for x in lines if x.startswith(f"set security zones security-zone {new_zone} interfaces st0.0")]
    assert not [x for x in lines if "ge-0/0/1.0" in x]


def test_a_removed_tunnels_binding_goes_from_the_shared_zone():
    t = tunnels()
    t[0]["state"] = "absent"
    p = intent.build_plans(devices(vpn="UNTRUST"), t, PSKS)["srx-a"]
    assert candidate.owned_objects(UNTRUST_SHARED, p, ("zones",)) == [
        "security zones security-zone UNTRUST interfaces st0.0"]


def test_an_unmarked_st0_unit_is_not_the_products():
    current = UNTRUST_SHARED.replace("interfaces st0.0", "interfaces st0.7")
    assert candidate.owned_objects(current, plan(vpn="UNTRUST"), ("zones",)) == []


def test_an_own_zone_that_holds_foreign_interfaces_is_refused_before_any_load():
    current = OWN_VPN + "set security zones security-zone VPN interfaces ge-0/0/2.0\n"
    p = plan()
    assert candidate.foreign_interfaces_in_own_zone(current, p) == ["ge-0/0/2.0"]
    with pytest.raises(ValueError, match=r"zones.vpn: zone 'VPN' on device 'srx-a' also holds ge-0/0/2.0.*"
                                         r"vpn_shared: true"):
        candidate.build_candidate(render.render_device(p), current, p, PSKS)
    # shared, the same zone is fine: only st0.0 is touched
    shared = plan(vpn_shared=True)
    assert candidate.foreign_interfaces_in_own_zone(current, shared) == []
    assert candidate.owned_objects(current, shared, ("zones",)) == ["security zones security-zone VPN interfaces st0.0"]


def test_preflight_refuses_layouts_that_cannot_be_made_safe():
    def problems(**zones):
        d = devices(**zones)
        with pytest.raises(intent.IntentError) as info:
            intent.build_plans(d, tunnels(), PSKS)
        return info.value.problems
    assert problems(vpn="UNTRUST", vpn_shared=False)[0].startswith(
        "device 'srx-a': zones.vpn_shared: 'UNTRUST' is also zones.untrust")
    assert problems(vpn="UNTRUST", trust="LAN")[0].startswith(
        "device 'srx-a': zones.trust: transit policies between 'LAN' and the shared VPN zone 'UNTRUST'")
    assert problems(vpn="LAN", trust="LAN")[0].startswith("device 'srx-a': zones.vpn: 'LAN' is also zones.trust")
    d = devices(vpn="UNTRUST")
    assert intent.build_plans(copy.deepcopy(d), tunnels(), PSKS)["srx-a"]["zones"] == {
        "untrust": "UNTRUST", "vpn": "UNTRUST"}
