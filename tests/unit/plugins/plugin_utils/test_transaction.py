"""The fleet transaction's pure functions: touched tunnels, components, batches, verdicts,
the confirm/rollback decision and the per-tunnel outcomes (plugin_utils/transaction.py)."""
from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import intent
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import transaction as tx


def _dev(n, asn):
    return {"external_interface": "ge-0/0/0.0", "external_address": f"1.1.1.{n}/24", "asn": asn,
            "loopback": f"192.168.{n}.{n}/32"}


def _tunnel(name, a, b, net, ua=0, ub=0, profile="default"):
    return {"name": name, "ike": {"version": "v2", "profile": profile}, "ipsec": {"profile": profile},
            "ends": [{"device": a, "st0_unit": ua, "address": f"10.{net}.0.1/24"},
                     {"device": b, "st0_unit": ub, "address": f"10.{net}.0.2/24"}]}


PAIR = intent.build_plans({"srx-a": _dev(1, 100), "srx-b": _dev(2, 200)},
                          [_tunnel("a-b", "srx-a", "srx-b", 1)], {"a-b": "k" * 20})
HUB = intent.build_plans(
    {"hub": _dev(10, 65000), **{f"spoke-{i}": _dev(20 + i, 65000 + i) for i in (1, 2, 3)}},
    [_tunnel(f"hs-{i}", "hub", f"spoke-{i}", i, ua=i) for i in (1, 2, 3)], {f"hs-{i}": "k" * 20 for i in (1, 2, 3)})
MESH = intent.build_plans(
    {"m1": _dev(1, 1), "m2": _dev(2, 2), "m3": _dev(3, 3)},
    [_tunnel("m1-m2", "m1", "m2", 12, 0, 0), _tunnel("m1-m3", "m1", "m3", 13, 1, 0),
     _tunnel("m2-m3", "m2", "m3", 23, 1, 1)], {n: "k" * 20 for n in ("m1-m2", "m1-m3", "m2-m3")})


# -- touched_tunnels: Junos diffs -> tunnels ---------------------------------------------------
@pytest.mark.parametrize("diff, expected", [
    ("", set()),
    ("[edit security ike gateway IKE-GW-HS-2]\n-    dead-peer-detection {\n+    dead-peer-detection {", {"hs-2"}),
    ("[edit security ipsec vpn IPSEC-VPN-HS-3]\n-  establish-tunnels on-traffic;\n+  establish-tunnels immediately;",
     {"hs-3"}),
    ("[edit interfaces st0]\n+   unit 2 {\n+       description \"x\";\n+   }", {"hs-2"}),
    ("[edit interfaces st0 unit 1 family inet]\n-       address 10.1.0.1/24;\n+       address 10.1.0.5/24;",
     {"hs-1"}),
    ("[edit protocols bgp group SRXVPN-EBGP neighbor 10.3.0.2]\n-    peer-as 65003;\n+    peer-as 65009;", {"hs-3"}),
    # a proposal shared by every tunnel of the device touches them all
    ("[edit security ike proposal IKE-PROP-DEFAULT]\n-    dh-group group14;\n+    dh-group group19;",
     {"hs-1", "hs-2", "hs-3"}),
    # a section naming no tunnel (zone services, AS number): every tunnel, the safe reading
    ("[edit security zones security-zone VPN host-inbound-traffic]\n+      protocols {", {"hs-1", "hs-2", "hs-3"}),
    ("[edit routing-options]\n-  autonomous-system 65000;\n+  autonomous-system 65100;", {"hs-1", "hs-2", "hs-3"}),
    # two sections, two tunnels
    (("[edit security ike policy IKE-POL-HS-1]\n-  pre-shared-key ascii-text \"<masked>\";\n"
     "[edit security ipsec vpn IPSEC-VPN-HS-2]\n-  bind-interface st0.2;"), {"hs-1", "hs-2"}),
    # a whole object added under a higher header
    ("[edit security ike]\n+   gateway IKE-GW-HS-3 {\n+       address 1.1.1.23;\n+   }", {"hs-3"}),
])
def test_touched_tunnels_maps_each_diff_section_to_its_tunnels(diff, expected):
    assert tx.touched_tunnels(diff, HUB["hub"]) == expected


def test_touched_tunnels_on_a_spoke_is_its_only_tunnel():
    assert tx.touched_tunnels("[edit routing-options]\n+ router-id 1.2.3.4;", HUB["spoke-2"]) == {"hs-2"}


# -- components and batches -------------------------------------------------------------------
ENDS_HUB = tx.tunnel_ends(HUB)
ENDS_MESH = tx.tunnel_ends(MESH)


def test_tunnel_ends_lists_every_tunnel_once_with_both_devices():
    assert ENDS_HUB == {"hs-1": ("hub", "spoke-1"), "hs-2": ("hub", "spoke-2"), "hs-3": ("hub", "spoke-3")}
    assert tx.tunnel_ends(PAIR) == {"a-b": ("srx-a", "srx-b")}


@pytest.mark.parametrize("touched, expected", [
    # the pair: one tunnel, both devices
    ({"srx-a": {"a-b"}, "srx-b": {"a-b"}}, [(["a-b"], ["srx-a", "srx-b"])]),
    # hub change touches every tunnel: one component with every changed device
    ({"hub": {"hs-1", "hs-2", "hs-3"}, "spoke-1": {"hs-1"}, "spoke-3": {"hs-3"}},
     [(["hs-1", "hs-2", "hs-3"], ["hub", "spoke-1", "spoke-3"])]),
    # two spokes change alone: two independent components
    ({"spoke-1": {"hs-1"}, "spoke-3": {"hs-3"}}, [(["hs-1"], ["spoke-1"]), (["hs-3"], ["spoke-3"])]),
    # hub touches hs-1 and hs-2 only: hs-3 stays out
    ({"hub": {"hs-1", "hs-2"}, "spoke-3": {"hs-3"}}, [(["hs-1", "hs-2"], ["hub"]), (["hs-3"], ["spoke-3"])]),
])
def test_components_join_tunnels_a_device_change_touches_together(touched, expected):
    ends = {**ENDS_HUB, **tx.tunnel_ends(PAIR)}
    got = [(c["tunnels"], c["devices"]) for c in tx.components(touched, ends)]
    assert got == expected


def test_components_are_transitive_in_a_mesh():
    # m1 touches m1-m2, m2 touches m1-m2 and m2-m3, m3 touches m2-m3 and m1-m3: one component
    comps = tx.components({"m1": {"m1-m2"}, "m3": {"m1-m3", "m2-m3"}, "m2": {"m1-m2", "m2-m3"}}, ENDS_MESH)
    assert len(comps) == 1
    assert comps[0]["tunnels"] == ["m1-m2", "m1-m3", "m2-m3"]
    assert comps[0]["devices"] == ["m1", "m2", "m3"]
    assert comps[0]["ends"] == ["m1", "m2", "m3"]
    # no device's change touches m1-m2 and another tunnel: m1-m2 rolls back alone
    comps = tx.components({"m1": {"m1-m2"}, "m2": {"m1-m2"}, "m3": {"m1-m3", "m2-m3"}}, ENDS_MESH)
    assert [(c["tunnels"], c["devices"]) for c in comps] == [(["m1-m2"], ["m1", "m2"]),
                                                             (["m1-m3", "m2-m3"], ["m3"])]


def test_batches_never_split_a_component():
    comps = [{"tunnels": [f"t{i}"], "devices": devs, "ends": devs}
             for i, devs in enumerate([["a", "b"], ["c", "d", "e", "f"], ["g"], ["h", "i"]])]
    got = [[c["tunnels"][0] for c in batch] for batch in tx.batches(comps, 3)]
    assert got == [["t0"], ["t1"], ["t2", "t3"]]
    assert tx.batches(comps, 0) == [comps]
    assert tx.batches([], 2) == []


# -- verdicts: both ends, tunnel + BGP + ping --------------------------------------------------
def _result(tunnels=(), bgp=(), pings=()):
    def item(spec):
        name, holds = spec
        return {"name": name, "tunnel": name, "holds": holds,
                "problems": [] if holds else [{"summary": f"{name} broken"}]}
    return {"tunnels": [item(t) for t in tunnels], "bgp_peers": [item(b) for b in bgp],
            "pings": [item(p) for p in pings]}


OK_END = _result([("a-b", True)], [("a-b", True)], [("a-b", True)])


@pytest.mark.parametrize("a, b, holds, problem", [
    (OK_END, OK_END, True, None),
    (_result([("a-b", True)], [("a-b", True)], [("a-b", False)]), OK_END, False, "srx-a: a-b broken"),  # ping only
    (OK_END, _result([("a-b", True)], [("a-b", False)], [("a-b", True)]), False, "srx-b: a-b broken"),  # BGP only
    (_result([("a-b", False)]), OK_END, False, "srx-a: a-b broken"),
    (OK_END, None, False, "srx-b: no state read"),                                                  # unreachable
    (OK_END, {"error": "cannot read the state: dropped"}, False, "srx-b: no state read: cannot read the state"),
    (OK_END, _result([("x-y", True)]), False, "srx-b: tunnel a-b was not checked"),
])
def test_tunnel_verdict_needs_everything_on_both_ends(a, b, holds, problem):
    verdict = tx.tunnel_verdicts({"srx-a": a, "srx-b": b}, {"a-b": ("srx-a", "srx-b")}, ["a-b"])["a-b"]
    assert verdict["holds"] is holds
    if problem:
        assert any(p.startswith(problem) for p in verdict["problems"]), verdict


# -- the decision ----------------------------------------------------------------------------
HUB_COMP = {"tunnels": ["hs-1", "hs-3"], "devices": ["hub", "spoke-1", "spoke-3"],
            "ends": ["hub", "spoke-1", "spoke-3"]}
SPOKE2 = {"tunnels": ["hs-2"], "devices": ["spoke-2"], "ends": ["hub", "spoke-2"]}
GOOD = {"holds": True, "problems": []}


def _bad(why):
    return {"holds": False, "problems": [why]}


@pytest.mark.parametrize("case, comps, push_errors, verdicts, expected", [
    ("pair verified", [{"tunnels": ["a-b"], "devices": ["srx-a", "srx-b"], "ends": ["srx-a", "srx-b"]}], {},
     {"a-b": GOOD}, [("confirm", [])]),
    ("pair, one end's commit failed",
     [{"tunnels": ["a-b"], "devices": ["srx-a", "srx-b"], "ends": ["srx-a", "srx-b"]}],
     {"srx-b": "commit failed: boom"}, {}, [("rollback", ["device srx-b: commit failed: boom"])]),
    ("hub: one spoke down rolls back the whole component, the independent spoke confirms",
     [HUB_COMP, SPOKE2], {}, {"hs-1": GOOD, "hs-3": _bad("spoke-3: no IKE SA"), "hs-2": GOOD},
     [("rollback", ["tunnel hs-3: spoke-3: no IKE SA"]), ("confirm", [])]),
    ("ping-only failure rolls back", [SPOKE2], {}, {"hs-2": _bad("hub: ping 10.2.0.2: 100% loss")},
     [("rollback", ["tunnel hs-2: hub: ping 10.2.0.2: 100% loss"])]),
    ("BGP-only failure rolls back", [SPOKE2], {}, {"hs-2": _bad("spoke-2: BGP peer 10.2.0.1: Active")},
     [("rollback", ["tunnel hs-2: spoke-2: BGP peer 10.2.0.1: Active"])]),
    ("unreachable peer: no state, roll back", [SPOKE2], {}, {"hs-2": _bad("hub: no state read")},
     [("rollback", ["tunnel hs-2: hub: no state read"])]),
])
def test_decide(case, comps, push_errors, verdicts, expected):
    got = [(c["action"], c["reasons"]) for c in tx.decide(comps, push_errors, verdicts)]
    assert got == expected, case


def test_decide_batches_each_batch_on_its_own():
    first, second = tx.batches([HUB_COMP, SPOKE2], 3)
    assert tx.decide(first, {}, {"hs-1": GOOD, "hs-3": GOOD})[0]["action"] == "confirm"
    assert tx.decide(second, {}, {"hs-2": _bad("x")})[0]["action"] == "rollback"


# -- outcomes ---------------------------------------------------------------------------------
def test_outcomes_per_tunnel():
    ends = {**ENDS_HUB, "x-y": ("x", "y"), "p-q": ("p", "q")}
    decided = tx.decide([HUB_COMP, SPOKE2], {}, {"hs-1": GOOD, "hs-3": _bad("spoke-3: no IKE SA"), "hs-2": GOOD})
    blocked = [{"tunnels": ["x-y"], "devices": ["x"], "ends": ["x", "y"]}]
    got = tx.outcomes(ends, decided, blocked, [], {"y": "cannot lock"}, {"hs-1": True, "hs-3": False},
                      {"hs-1": GOOD, "hs-3": _bad("spoke-3: no IKE SA")})
    assert got["hs-1"]["outcome"] == tx.ROLLED_BACK_RESTORED
    assert "hs-3" in got["hs-1"]["detail"]           # rolled back because of its component
    assert got["hs-3"]["outcome"] == tx.ROLLED_BACK_STILL_DOWN
    assert "no IKE SA" in got["hs-3"]["detail"] and "not up" in got["hs-3"]["detail"]
    assert got["hs-2"]["outcome"] == tx.CHANGED_VERIFIED
    assert got["x-y"]["outcome"] == tx.NOT_REACHED and "y could not be read" in got["x-y"]["detail"]
    assert got["p-q"] == {"outcome": tx.UNCHANGED, "detail": ""}
    assert {o["outcome"] for o in got.values()} <= set(tx.OUTCOMES)


def test_outcome_of_a_rolled_back_tunnel_that_stays_down_says_it_was_up():
    decided = tx.decide([SPOKE2], {}, {"hs-2": _bad("hub: ping loss")})
    got = tx.outcomes(ENDS_HUB, decided, [], [], {}, {"hs-2": True}, {"hs-2": _bad("hub: no IKE SA")})
    assert got["hs-2"]["outcome"] == tx.ROLLED_BACK_STILL_DOWN
    assert "before the run it was up" in got["hs-2"]["detail"]
