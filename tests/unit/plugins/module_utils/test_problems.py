# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/srx_state/problems.py: the one problems engine.

The same device replies judged through the filters (tunnel_problems, bgp_problems,
ping_problems) and through the module's path (vpn_checks.poll, as the vpn_state module and
the deploy's verify run it) give the same sentence for the same fault."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.filter.srx_state import FilterModule
from ansible_collections.netops.srx_vpn.plugins.module_utils import vpn_checks
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.problems import (
    CAUSES,
    VpnCheckError,
    evaluate,
    normalise_expectations,
    problem_sentences,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
)
from device_cases import (
    BGP_UP,
    IKE_NONE,
    IKE_UP,
    IPSEC_NONE,
    IPSEC_UP,
    PING_OK,
    bgp_reply,
    ike_reply,
    ipsec_reply,
    neighbor_reply,
    ping_reply,
)

FILTERS = FilterModule().filters()
TUNNEL = {"name": "a-b", "remote_address": "1.1.1.2"}
PEER = {"peer_address": "10.0.1.2", "peer_as": 200}
PING = {"target": "10.0.1.2", "source": "10.0.1.1"}


def module_path(ike=IKE_UP, ipsec=IPSEC_UP, bgp=BGP_UP, ping=PING_OK, tunnels=(TUNNEL,), peers=(PEER,), pings=()):
    """Problems of one snapshot through vpn_checks.poll (the vpn_state module's engine)."""
    replies = {vpn_checks.RPC_IKE: ike, vpn_checks.RPC_IPSEC: ipsec, vpn_checks.RPC_BGP: bgp}

    def call(xml):
        if xml.startswith("<get-bgp-neighbor"):
            return neighbor_reply("10.0.1.2", "Active", "None")
        return replies.get(xml, ping)

    expect = vpn_checks.normalise_expectations(list(tunnels), list(peers), list(pings))
    return vpn_checks.poll(expect, call, timeout=0)["problems"]


FAULTS = [
    # (fault, module-path replies, filter call, the one sentence)
    ("IKE down", {"ike": ike_reply(("1.1.1.2", "DOWN")), "ipsec": IPSEC_NONE},
     lambda r: FILTERS["tunnel_problems"](r["ike"], r["ipsec"], TUNNEL),
     "tunnel a-b: IKE SA with 1.1.1.2 is DOWN"),
    ("no IKE SA", {"ike": IKE_NONE, "ipsec": IPSEC_NONE},
     lambda r: FILTERS["tunnel_problems"](r["ike"], r["ipsec"], TUNNEL),
     "tunnel a-b: no IKE SA with 1.1.1.2"),
    ("IPsec missing", {"ipsec": IPSEC_NONE},
     lambda r: FILTERS["tunnel_problems"](r["ike"], r["ipsec"], TUNNEL),
     "tunnel a-b: IKE SA with 1.1.1.2 is UP but there is no IPsec SA"),
    ("IPsec half", {"ipsec": ipsec_reply((131073, "<", "c78a8a5a", "1.1.1.2"))},
     lambda r: FILTERS["tunnel_problems"](r["ike"], r["ipsec"], TUNNEL),
     "tunnel a-b: only an inbound IPsec SA with 1.1.1.2, no outbound one"),
    ("BGP Active", {"bgp": bgp_reply(("10.0.1.2", 200, "Active", None))},
     lambda r: FILTERS["bgp_problems"](r["bgp"], PEER),
     "BGP peer 10.0.1.2: session is Active"),
    ("BGP wrong AS", {"bgp": bgp_reply(("10.0.1.2", 300, "Active", None))},
     lambda r: FILTERS["bgp_problems"](r["bgp"], PEER),
     "BGP peer 10.0.1.2: configured with peer AS 300, the intent says 200 (session Active)"),
    ("BGP peer missing", {"bgp": bgp_reply(("10.0.9.2", 200, "Established", 1))},
     lambda r: FILTERS["bgp_problems"](r["bgp"], PEER),
     "BGP peer 10.0.1.2: not configured"),
    ("BGP no prefixes", {"bgp": bgp_reply(("10.0.1.2", 200, "Established", 0))},
     lambda r: FILTERS["bgp_problems"](r["bgp"], dict(PEER, min_received_prefixes=1)),
     "BGP peer 10.0.1.2: Established but 0 prefixes received, at least 1 expected"),
    ("ping loss", {"ping": ping_reply(3, 0)},
     lambda r: FILTERS["ping_problems"](r["ping"], PING),
     "ping 10.0.1.2: 100% loss from 10.0.1.1 (0/3 answered), at most 0% allowed"),
]


@pytest.mark.parametrize(("fault", "changes", "through_filter", "sentence"), FAULTS, ids=[f[0] for f in FAULTS])
def test_the_same_fault_gives_the_same_sentence_on_both_paths(fault, changes, through_filter, sentence):
    replies = {"ike": IKE_UP, "ipsec": IPSEC_UP, "bgp": BGP_UP, "ping": PING_OK, **changes}
    peers = [dict(PEER, min_received_prefixes=1)] if fault == "BGP no prefixes" else [PEER]
    found = module_path(**replies, peers=peers, pings=[PING])
    assert [p["text"] for p in found] == [sentence]
    assert found[0]["summary"].startswith(f"{sentence} - likely cause: ")
    assert through_filter(replies) == [sentence]


def test_healthy_on_both_paths():
    assert module_path(pings=[PING]) == []
    assert FILTERS["tunnel_problems"](IKE_UP, IPSEC_UP, TUNNEL) == []
    assert FILTERS["bgp_problems"](BGP_UP, dict(PEER, min_received_prefixes=1)) == []
    assert FILTERS["ping_problems"](PING_OK, PING) == []


# -- what the filters' expectations add to the module's --------------------------------------

def run(tunnels=(), peers=(), ike=IKE_UP, ipsec=IPSEC_UP, bgp=BGP_UP):
    from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
        state_inputs as S,
    )
    expect = normalise_expectations(list(tunnels), list(peers), names_required=False)
    result = evaluate(expect, ike=S.parse_ike_sas(ike), ipsec=S.parse_ipsec_sas(ipsec),
                      bgp=S.parse_bgp_peers(bgp))
    return problem_sentences(result["problems"]), result


TWO_PAIRS = ipsec_reply((131073, "<", "a1", "1.1.1.2"), (131073, ">", "b1", "1.1.1.2"),
                        (131074, "<", "a2", "1.1.1.2"))


def test_tunnel_id_picks_the_sa_pair():
    assert run([{"remote_address": "1.1.1.2", "tunnel_id": 131073}], ipsec=TWO_PAIRS)[0] == []
    assert run([{"remote_address": "1.1.1.2", "tunnel_id": 131074}], ipsec=TWO_PAIRS)[0] == [
        "tunnel to 1.1.1.2: only an inbound IPsec SA with 1.1.1.2 (tunnel index 131074), no outbound one"]
    assert run([{"remote_address": "1.1.1.2", "tunnel_id": 131099}], ipsec=TWO_PAIRS)[0] == [
        "tunnel to 1.1.1.2: IKE SA with 1.1.1.2 is UP but there is no IPsec SA (tunnel index 131099)"]


def test_unnamed_tunnels_are_named_by_their_gateway():
    sentences, result = run([{"remote_address": "1.1.1.2"}, {"remote_address": "192.0.2.1"}])
    assert sentences == ["tunnel to 192.0.2.1: no IKE SA with 192.0.2.1"]
    assert [p["name"] for p in result["problems"]] == ["192.0.2.1"]


def test_wanted_state_other_than_established():
    idle = bgp_reply(("10.0.1.2", 200, "Idle", None))
    assert run(peers=[{"peer_address": "10.0.1.2", "state": "idle"}], bgp=idle)[0] == []
    sentences, result = run(peers=[{"peer_address": "10.0.1.2", "state": "Idle", "name": "R"}])
    assert sentences == ["R: BGP peer 10.0.1.2: session is Established, expected Idle"]
    assert result["problems"][0]["kind"] == "bgp_state"


def test_every_prefix_minimum_and_missing_counts():
    peer = {"peer_address": "10.0.1.2", "min_received_prefixes": 2, "min_accepted_prefixes": 1,
            "min_active_prefixes": 2, "min_advertised_prefixes": 1}
    sentences, result = run(peers=[peer])
    assert sentences == [
        "BGP peer 10.0.1.2: Established but 1 prefixes received, at least 2 expected",
        "BGP peer 10.0.1.2: Established but 1 prefixes active, at least 2 expected",
        "BGP peer 10.0.1.2: Established but reports no advertised prefix count, at least 1 expected",
    ]
    assert [p["kind"] for p in result["problems"]] == ["bgp_prefixes", "bgp_prefixes", "bgp_advertised"]


def test_addresses_are_compared_as_addresses():
    v6 = bgp_reply(("2001:db8:5::2", 600, "Established", 1))
    assert run(peers=[{"peer_address": "2001:DB8:5:0::2+179", "peer_as": 600}], bgp=v6)[0] == []
    expect = normalise_expectations([{"name": "x", "remote_address": " 2001:DB8::1 "}])
    assert expect["tunnels"][0]["remote_address"] == "2001:db8::1"


def test_expectation_errors_are_state_errors():
    with pytest.raises(VpnCheckError, match=r"tunnels\[0\]: remote_address is required") as info:
        normalise_expectations([{}], names_required=False)
    assert isinstance(info.value, SrxStateError)
    with pytest.raises(VpnCheckError, match="min_received_prefixes must be an integer, got 'many'"):
        normalise_expectations(bgp_peers=[{"peer_address": "10.0.1.2", "min_received_prefixes": "many"}])


def test_every_cause_fills_its_fields():
    fields = {"remote": "R", "address": "A", "tunnel": "T", "error": "E", "target": "X", "wanted": "W"}
    for kind, text in CAUSES.items():
        assert "{" not in text.format(**fields), kind
