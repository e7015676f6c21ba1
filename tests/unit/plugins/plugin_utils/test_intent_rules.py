"""The fleet rules of intent.py, one test each: on the good intent the rule finds nothing; on
an intent with exactly its problem it finds that problem (where, field), and only it does."""
from __future__ import annotations

import intent_cases as C
import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import intent

CASE = {c[0]: c for c in C.CASES}

# rule -> (case of intent_cases.CASES, expected "<where>: <field>")
RULE_CASES = {
    intent.rule_external_address_is_a_host: ("ext-address-network", "device 'srx-a': external_address"),
    intent.rule_loopback_is_a_host_route: ("loopback-not-32", "device 'srx-a': loopback"),
    intent.rule_zones_are_distinct: ("zones-vpn-is-trust", "device 'srx-a': zones.vpn"),
    intent.rule_no_transit_policies_in_a_shared_zone: ("zones-shared-with-trust", "device 'srx-a': zones.trust"),
    intent.rule_device_addresses_disjoint: ("lan-overlap-on-device", "device 'srx-a': lan_prefixes[1]"),
    intent.rule_unique_external_address: ("ext-address-twice", "device 'srx-b': external_address"),
    intent.rule_unique_public_address: ("public-address-twice", "device 'srx-b': public_address"),
    intent.rule_unique_loopback: ("loopback-twice", "device 'srx-b': loopback"),
    intent.rule_unique_router_id: ("router-id-twice", "device 'srx-b': router_id"),
    intent.rule_lan_prefixes_disjoint_across_devices: ("lan-overlap-across-devices", "device 'srx-b': lan_prefixes[0]"),
    intent.rule_tunnel_ends_are_known_devices: ("end-device-unknown", "tunnel 'a-b': ends[1].device"),
    intent.rule_tunnel_ends_on_two_devices: ("ends-same-device", "tunnel 'a-b': ends"),
    intent.rule_tunnel_ends_in_one_subnet: ("ends-other-subnets", "tunnel 'a-b': ends[1].address"),
    intent.rule_st0_units_unique: ("st0-unit-twice", "tunnel 'a-c': ends[0].st0_unit"),
    intent.rule_tunnel_subnets_disjoint: ("tunnel-subnets-overlap", "tunnel 'a-c': ends[0].address"),
    intent.rule_tunnel_subnet_clear_of_device_addresses: ("st0-is-loopback", "tunnel 'a-b': ends[0].address"),
    intent.rule_remote_gateway_is_the_peer: ("remote-gateway-wrong", "tunnel 'a-b': ends[0].remote_gateway"),
    intent.rule_ebgp_peers_differ_in_as: ("ebgp-same-as", "tunnel 'a-b': bgp"),
    intent.rule_psk_given: ("psk-missing", "tunnel 'a-b': psk"),
    intent.rule_psk_strength: ("psk-short", "tunnel 'a-b': psk"),
    intent.rule_crypto_profile_known: ("ike-profile-unknown", "tunnel 'a-b': ike.profile"),
    intent.rule_weak_crypto: ("ike-proposal-des", "tunnel 'a-b': ike.proposal.encryption_algorithm"),
    intent.rule_proposal_integrity: ("ipsec-gcm-with-auth", "tunnel 'a-b': ipsec.proposal.authentication_algorithm"),
    intent.rule_ike_gcm_needs_ikev2: ("ike-gcm-on-v1", "tunnel 'a-b': ike.proposal.encryption_algorithm"),
    intent.rule_ike_mode_is_ikev1_only: ("ike-mode-on-v2", "tunnel 'a-b': ike.mode"),
    intent.rule_no_aggressive_mode_with_psk: ("ike-aggressive-with-psk", "tunnel 'a-b': ike.mode"),
    intent.rule_nat_keepalive_needs_nat_traversal: ("nat-keepalive-without-nat-t", "tunnel 'a-b': ike.nat_keepalive"),
    intent.rule_profile_names_not_reserved: ("profile-named-default", "srx_vpn_profiles['default']: name"),
    intent.rule_custom_proposal_names_free: ("profile-named-like-custom-tunnel", "tunnel 'a-c': ike.proposal"),
    intent.rule_uplinks_distinct: ("uplink-overlaps-external", "device 'srx-a': uplinks[0].address"),
    intent.rule_end_kind_fields: ("end-peer-with-st0", "tunnel 'a-c': ends[1].st0_unit"),
    intent.rule_uplink_known: ("uplink-unknown", "tunnel 'a-b': ends[0].uplink"),
    intent.rule_external_peer_addresses: ("peer-gateway-is-fleet-device", "tunnel 'a-c': ends[1].peer.gateway"),
    intent.rule_external_peer_proposals: ("peer-proposal-mismatch", "tunnel 'a-c': ends[1].peer.ike_proposals"),
    intent.rule_selectors_on_both_ends: ("selectors-one-end", "tunnel 'a-b': ends[1].selectors"),
    intent.rule_selectors_disjoint: ("selectors-overlap-sides", "tunnel 'a-b': ends[1].selectors[0]"),
    intent.rule_selectors_junos_limits: ("selectors-with-bgp", "tunnel 'a-b': bgp"),
    intent.rule_proxy_identity_one_pair: ("proxy-identity-two-selectors", "tunnel 'a-b': ends[0].selectors"),
    intent.rule_remote_selectors_disjoint_on_device: ("remote-selectors-overlap-on-device",
                                                      "tunnel 'a-c': ends[1].selectors[0]"),
}


def _fleet(data):
    return intent.parse_fleet(data["devices"], data["tunnels"], data["psks"], data["profiles"], data["host_vars"],
                              problems=[])


def _found(rule, data) -> list[str]:
    return [f"{w}: {f}: {m}" for w, f, m in rule(_fleet(data))]


def test_every_rule_has_its_test():
    missing = [r.__name__ for r in intent.RULES if r not in RULE_CASES]
    assert not missing, f"rules without a case here: {missing}"
    assert all(r.__doc__ for r in intent.RULES), "every rule says what it refuses (docs/intent.md shows it)"


@pytest.mark.parametrize("rule", intent.RULES, ids=[r.__name__ for r in intent.RULES])
def test_rule(rule):
    case_id, expected = RULE_CASES[rule]
    assert _found(rule, C.base()) == [], f"{rule.__name__} finds a problem in the good intent"
    data = C.base()
    CASE[case_id][1](data)
    found = _found(rule, data)
    assert found and all(p.startswith(expected + ": ") for p in found), (rule.__name__, found)
    assert CASE[case_id][3] in "\n".join(found), (CASE[case_id][3], found)


def test_weak_crypto_is_allowed_per_tunnel():
    data = C.base()
    CASE["ike-proposal-des"][1](data)
    data["tunnels"][0]["allow_weak_crypto"] = True
    assert _found(intent.rule_weak_crypto, data) == []
    assert C.build(intent, data)["srx-a"]["ike_proposals"]["IKE-PROP-A-B"]["encryption_algorithm"] == "des-cbc"


def test_aggressive_mode_is_allowed_with_allow_weak_crypto():
    data = C.base()
    CASE["ike-aggressive-with-psk"][1](data)
    data["tunnels"][0]["allow_weak_crypto"] = True
    plan = C.build(intent, data)["srx-a"]
    assert plan["tunnels"][0]["ike"]["mode"] == "aggressive"


def test_absent_tunnels_need_no_key_and_free_their_st0_unit():
    data = C.base()
    data["tunnels"][1]["state"] = "absent"
    del data["psks"]["a-c"]
    data["tunnels"][0]["ends"][0]["st0_unit"] = 1   # a-c (absent) had st0.1 on srx-a
    plans = C.build(intent, data)
    assert [t["name"] for t in plans["srx-a"]["absent"]] == ["a-c"]


def test_a_tunnel_description_keeps_the_ownership_mark():
    data = C.base()
    data["tunnels"][0]["description"] = "DC1 to branch 7; primary"
    t = C.build(intent, data)["srx-a"]["tunnels"][0]
    assert t["description"] == "srx_vpn tunnel a-b to srx-b: DC1 to branch 7; primary"
