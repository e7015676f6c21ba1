"""Pre-flight validation of the fleet intent and the per-device plan (no device contact)."""
from __future__ import annotations

import copy

import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    candidate,
    intent,
    stanzas,
)
from netutils.password import decrypt_juniper_type9, encrypt_juniper_type9

DEVICES = {
    "srx-a": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.1/24", "asn": 100,
              "loopback": "192.168.1.1/32"},
    "srx-b": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.2/24", "asn": 200,
              "loopback": "192.168.2.2/32"},
    "srx-c": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.3/24", "asn": 300},
}
TUNNELS = [{"name": "a-b", "ends": [{"device": "srx-a", "st0_unit": 0, "address": "10.0.1.1/24"},
                                   {"device": "srx-b", "st0_unit": 0, "address": "10.0.1.2/24"}]}]
PSKS = {"a-b": "a-long-enough-lab-key", "a-c": "another-long-lab-key"}


def plans(devices=None, tunnels=None, psks=None, profiles=None):
    return intent.build_plans(devices or copy.deepcopy(DEVICES),
                              tunnels if tunnels is not None else copy.deepcopy(TUNNELS),
                              PSKS if psks is None else psks, profiles)


def problems(mutate, psks=None):
    devices, tunnels = copy.deepcopy(DEVICES), copy.deepcopy(TUNNELS)
    mutate(devices, tunnels)
    with pytest.raises(intent.IntentError) as info:
        plans(devices, tunnels, psks)
    return info.value.problems


def test_reference_pair_plan():
    p = plans()
    a = p["srx-a"]
    assert a["external"] == {"ifl": "ge-0/0/0.0", "interface": "ge-0/0/0", "unit": "0",
                             "address": "1.1.1.1/24", "public_address": "1.1.1.1"}
    t = a["tunnels"][0]
    assert (t["st0"], t["address"], t["peer"]["public_address"], t["peer"]["asn"]) == (
        "st0.0", "10.0.1.1/24", "1.1.1.2", 200)
    assert t["names"]["gateway"] == "IKE-GW-A-B" and t["ike"]["version"] == "v2"
    assert a["bgp"]["neighbors"] == [{"address": "10.0.1.2", "peer_as": 200, "tunnel": "a-b", "bfd": False,
                                      "description": "srx-b over a-b"}]
    assert a["expect"] == {
        "tunnels": [{"name": "a-b", "remote_address": "1.1.1.2", "vpn": "IPSEC-VPN-A-B", "st0": "st0.0"}],
        "bgp_peers": [{"peer_address": "10.0.1.2", "peer_as": 200, "tunnel": "a-b", "min_received_prefixes": 1}],
        "pings": [{"target": "10.0.1.2", "source": "10.0.1.1", "count": 3, "max_loss_percent": 0,
                   "tunnel": "a-b"}]}
    assert a["advertise"] == ["192.168.1.1/32"] and a["router_id"] == "192.168.1.1"
    assert "a-long-enough-lab-key" not in repr(p)  # keys never enter a plan
    assert p["srx-c"]["tunnels"] == []


def _set(path, value):
    def mutate(devices, tunnels):
        target = {"d": devices, "t": tunnels}[path[0]]
        for key in path[1:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return mutate


END0 = ("t", 0, "ends", 0)
END1 = ("t", 0, "ends", 1)

CASES = [
    ("schema: asn not an integer", _set(("d", "srx-a", "asn"), "AS100"), "device 'srx-a': asn: must be an integer"),
    ("schema: missing external address", _set(("d", "srx-a", "external_address"), KeyError),
     "device 'srx-a': external_address: missing"),
    ("schema: unknown device field", _set(("d", "srx-a", "asnumber"), 1), "device 'srx-a': asnumber: unknown field"),
    ("schema: unknown tunnel field", _set(("t", 0, "psk"), "x"), "tunnel 'a-b': psk: unknown field"),
    ("schema: three ends", lambda d, t: t[0]["ends"].append(dict(t[0]["ends"][0])),
     "tunnel 'a-b': ends: a tunnel has exactly two ends, got 3"),
    ("invalid address", _set(END1 + ("address",), "10.0.1.300/24"),
     "tunnel 'a-b': ends[1].address: invalid address '10.0.1.300/24'"),
    ("invalid external address", _set(("d", "srx-b", "external_address"), "1.1.1.2"),
     "device 'srx-b': external_address: invalid address '1.1.1.2'"),
    ("ends not in one subnet", _set(END1 + ("address",), "10.0.2.2/24"),
     "tunnel 'a-b': ends[1].address: 10.0.2.2/24 is not in the subnet of ends[0].address 10.0.1.1/24"),
    ("same address", _set(END1 + ("address",), "10.0.1.1/24"),
     "tunnel 'a-b': ends[1].address: both ends have the same address"),
    ("overlapping tunnels", lambda d, t: t.append({"name": "a-c", "ends": [
        {"device": "srx-a", "st0_unit": 1, "address": "10.0.1.5/30"},
        {"device": "srx-c", "st0_unit": 0, "address": "10.0.1.6/30"}]}),
     "tunnel 'a-c': ends[0].address: tunnel subnet 10.0.1.4/30 overlaps tunnel 'a-b' (10.0.1.0/24)"),
    ("duplicate st0 unit", lambda d, t: t.append({"name": "a-c", "ends": [
        {"device": "srx-a", "st0_unit": 0, "address": "10.0.3.1/30"},
        {"device": "srx-c", "st0_unit": 0, "address": "10.0.3.2/30"}]}),
     "tunnel 'a-c': ends[0].st0_unit: st0.0 on srx-a is already used by tunnel 'a-b'"),
    ("as out of range", _set(("d", "srx-a", "asn"), 4294967296),
     "device 'srx-a': asn: must be an integer from 1 to 4294967295, got 4294967296"),
    ("equal as on ebgp pair", _set(("d", "srx-b", "asn"), 100),
     "tunnel 'a-b': bgp: eBGP needs different AS numbers; srx-a and srx-b are both AS 100"),
    ("gateway not the peer public address", _set(END0 + ("remote_gateway",), "1.1.1.9"),
     "tunnel 'a-b': ends[0].remote_gateway: 1.1.1.9 is not the public address of srx-b (1.1.1.2)"),
    ("weak crypto: des", _set(("t", 0, "ike"), {"proposal": {"dh_group": "group14",
                                                             "authentication_algorithm": "sha-256",
                                                             "encryption_algorithm": "des-cbc"}}),
     "tunnel 'a-b': ike.proposal.encryption_algorithm: des-cbc is weak crypto"),
    ("weak crypto: 3des", _set(("t", 0, "ipsec"), {"proposal": {"encryption_algorithm": "3des-cbc",
                                                                "authentication_algorithm": "hmac-sha-256-128"}}),
     "tunnel 'a-b': ipsec.proposal.encryption_algorithm: 3des-cbc is weak crypto"),
    ("weak crypto: md5", _set(("t", 0, "ike"), {"proposal": {"dh_group": "group14", "authentication_algorithm": "md5",
                                                             "encryption_algorithm": "aes-256-cbc"}}),
     "tunnel 'a-b': ike.proposal.authentication_algorithm: md5 is weak crypto"),
    ("weak crypto: sha1", _set(("t", 0, "ipsec"), {"proposal": {"encryption_algorithm": "aes-256-cbc",
                                                                "authentication_algorithm": "hmac-sha1-96"}}),
     "tunnel 'a-b': ipsec.proposal.authentication_algorithm: hmac-sha1-96 is weak crypto"),
    ("weak crypto: dh group 2", _set(("t", 0, "ike"), {"proposal": {"dh_group": "group2",
                                                                    "authentication_algorithm": "sha-256",
                                                                    "encryption_algorithm": "aes-256-cbc"}}),
     "tunnel 'a-b': ike.proposal.dh_group: group2 is weak crypto"),
    ("weak crypto: pfs group 5", _set(("t", 0, "ipsec"), {"pfs_group": "group5"}),
     "tunnel 'a-b': ipsec.pfs_group: group5 is weak crypto"),
    ("unknown crypto profile", _set(("t", 0, "ike"), {"profile": "nope"}),
     "tunnel 'a-b': ike.profile: unknown crypto profile 'nope'"),
    ("unknown device", _set(END1 + ("device",), "srx-z"), "tunnel 'a-b': ends[1].device: unknown device 'srx-z'"),
    ("ike mode on v2", _set(("t", 0, "ike"), {"version": "v2", "mode": "aggressive"}),
     "tunnel 'a-b': ike.mode: applies to IKEv1 only"),
]


@pytest.mark.parametrize("name,mutate,expected", CASES, ids=[c[0] for c in CASES])
def test_preflight_error(name, mutate, expected):
    found = problems(mutate)
    assert any(p.startswith(expected) for p in found), found


def test_missing_and_short_psk():
    assert problems(lambda d, t: None, psks={}) == [
        "tunnel 'a-b': psk: no pre-shared key in srx_vpn_psks['a-b'] (put it in the vault)"]
    found = problems(lambda d, t: None, psks={"a-b": "short"})
    assert found == [("tunnel 'a-b': psk: pre-shared key is shorter than 16 characters (for a legacy peer that "
                     "needs it: legacy: {short_psk: true} on this tunnel)")]
    assert "short" not in found[0].split(":", 2)[2].replace("shorter", "").replace("short_psk", "")


def test_weak_crypto_allowed_per_tunnel():
    tunnels = copy.deepcopy(TUNNELS)
    tunnels[0]["allow_weak_crypto"] = True
    tunnels[0]["ike"] = {"proposal": {"dh_group": "group2", "authentication_algorithm": "sha1",
                                      "encryption_algorithm": "3des-cbc"}}
    assert plans(tunnels=tunnels)["srx-a"]["ike_proposals"]["IKE-PROP-A-B"]["dh_group"] == "group2"


def test_all_problems_reported_at_once():
    def mutate(devices, tunnels):
        devices["srx-a"]["asn"] = 0
        tunnels[0]["ends"][1]["address"] = "10.9.9.9/24"
    assert len(problems(mutate)) == 2


def test_absent_tunnel_is_planned_for_removal():
    tunnels = copy.deepcopy(TUNNELS)
    tunnels[0]["state"] = "absent"
    p = plans(tunnels=tunnels, psks={})
    assert p["srx-a"]["tunnels"] == [] and p["srx-a"]["absent"][0]["name"] == "a-b"


# -- candidate -----------------------------------------------------------------------------
CURRENT = """set system host-name srx-a
set interfaces st0 unit 0 description "srx_vpn tunnel a-b to srx-b"
set interfaces st0 unit 0 family inet address 10.0.1.1/24
set interfaces st0 unit 7 family inet address 10.7.0.1/24
set security ike proposal IKE-PROP-DEFAULT dh-group group14
set security ike proposal HAND-MADE dh-group group19
set security ike policy IKE-POL-A-B pre-shared-key ascii-text "{psk}"
set security ike policy IKE-POL-OLD pre-shared-key ascii-text "$9$abc"
set security zones security-zone VPN interfaces st0.0
set security zones security-zone UNTRUST interfaces ge-0/0/0.0
set protocols bgp group SRXVPN-EBGP neighbor 10.0.1.2 peer-as 200
set protocols bgp group OTHER neighbor 10.9.9.9 peer-as 999
"""


def test_candidate_deletes_only_owned_objects_and_reuses_an_equal_key():
    plan = plans()["srx-a"]
    device_psk = encrypt_juniper_type9(PSKS["a-b"])
    rendered = f'set security ike policy IKE-POL-A-B pre-shared-key ascii-text "{stanzas.psk_placeholder("a-b")}"\n'
    lines = candidate.build_candidate(rendered, CURRENT.format(psk=device_psk), plan, PSKS)
    assert lines == [
        "delete interfaces st0 unit 0",
        "delete security ike proposal IKE-PROP-DEFAULT",
        "delete security ike policy IKE-POL-A-B",
        "delete security ike policy IKE-POL-OLD",
        "delete security zones security-zone VPN",
        "delete protocols bgp group SRXVPN-EBGP",
        f'set security ike policy IKE-POL-A-B pre-shared-key ascii-text "{device_psk}"',
    ]


def test_candidate_sends_a_fresh_secret_for_a_new_key_and_scopes_a_single_stanza():
    plan = plans()["srx-a"]
    rendered = f'set security ike policy IKE-POL-A-B pre-shared-key ascii-text "{stanzas.psk_placeholder("a-b")}"\n'
    old = encrypt_juniper_type9("the-previous-long-key")
    lines = candidate.build_candidate(rendered, CURRENT.format(psk=old), plan, PSKS, stanzas=("ike",))
    assert [x for x in lines if x.startswith("delete")] == [
        "delete security ike proposal IKE-PROP-DEFAULT", "delete security ike policy IKE-POL-A-B",
        "delete security ike policy IKE-POL-OLD"]
    new = lines[-1].split('"')[1]
    assert new != old and decrypt_juniper_type9(new) == PSKS["a-b"]
    assert PSKS["a-b"] not in "\n".join(lines)


def test_mask_secrets():
    diff = '[edit security ike policy P]\n+   pre-shared-key ascii-text "$9$abcDEF"; ## SECRET-DATA\n'
    assert candidate.mask_secrets(diff) == ('[edit security ike policy P]\n'
                                            '+   pre-shared-key ascii-text "<masked>"; ## SECRET-DATA\n')
