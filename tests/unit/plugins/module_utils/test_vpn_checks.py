# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the state assertions (module_utils/vpn_checks.py and the problems engine it
runs, module_utils/srx_state/problems.py): expectations, the problems and their likely
causes, and the polling loop driven by a fake device."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils import vpn_checks as V
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    bgp,
    ike,
    ipsec,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import (
    CAUSES,
    RPC_BGP,
    RPC_IKE,
    RPC_IPSEC,
    RpcFailed,
    VpnCheckError,
    evaluate,
    normalise_expectations,
    outcome_message,
    ping_result,
    poll,
)

# -- expectations ----------------------------------------------------------------------------

def test_expectations_defaults_and_normalisation():
    got = normalise_expectations(
        [{"name": "a-b", "remote_address": " 1.1.1.2 "}],
        [{"peer_address": "10.0.1.2", "peer_as": "1.10", "tunnel": "a-b"}],
        [{"target": "10.0.1.2"}])
    assert got == {
        "tunnels": [{"name": "a-b", "remote_address": "1.1.1.2", "tunnel_id": None, "vpn": None,
                     "st0": None, "encryption": None, "integrity": None, "backup_addresses": [],
                     "selectors": [], "vpn_monitor": False}],
        "bgp_peers": [{"peer_address": "10.0.1.2", "peer_as": 65546, "tunnel": "a-b", "state": "Established",
                       "name": None, "min_received_prefixes": None, "min_accepted_prefixes": None,
                       "min_active_prefixes": None, "min_advertised_prefixes": None}],
        "pings": [{"target": "10.0.1.2", "source": None, "count": 3, "max_loss_percent": 0, "tunnel": None}],
    }
    assert normalise_expectations() == {"tunnels": [], "bgp_peers": [], "pings": []}
from device_cases import (
    A_PEER,
    A_PING,
    A_TUNNEL,
    BGP_ACTIVE,
    BGP_UP,
    EXPECT,
    HEALTHY,
    IKE_NONE,
    IKE_UP,
    IPSEC_NONE,
    IPSEC_UP,
    FakeDevice,
    bgp_reply,
    ike_reply,
    ipsec_reply,
    kinds,
    neighbor_reply,
    ping_reply,
    run,
)


@pytest.mark.parametrize("args,message", [
    (([{"remote_address": "1.1.1.2"}],), "tunnels[0] has no name"),
    (([{"name": "a-b", "remote_address": "srx-b"}],), "tunnel a-b: remote_address is not an IP address: 'srx-b'"),
    (([A_TUNNEL, A_TUNNEL],), "tunnel 'a-b' is listed twice"),
    (([], [{"peer_address": "10.0.1.2", "tunnel": "x-y"}]),
     "BGP peer 10.0.1.2: tunnel 'x-y' is not among the expected tunnels"),
    (([], [A_PEER | {"tunnel": None}, A_PEER | {"tunnel": None}]), "BGP peer 10.0.1.2 is listed twice"),
    (([], [{"peer_address": "10.0.1.2", "peer_as": "abc"}]),
     "BGP peer 10.0.1.2: peer_as must be an integer, got 'abc'"),
    (([], [], [{"target": "10.0.1.2", "count": 0}]), "ping 10.0.1.2: count must be at least 1, got 0"),
    (([], [], [{"target": "10.0.1.2", "max_loss_percent": 101}]),
     "ping 10.0.1.2: max_loss_percent must be between 0 and 100, got 101"),
    (("a-b",), "tunnels must be a list, got str"),
    (([["a-b"]],), "every item of tunnels must be a dict, got ['a-b']"),
])
def test_expectation_errors(args, message):
    with pytest.raises(VpnCheckError) as exc:
        normalise_expectations(*args)
    assert str(exc.value) == message


# -- evaluation: healthy and each cause ------------------------------------------------------

ike_sas, ipsec_sas, bgp_peers = ike.parse_ike_sas, ipsec.parse_ipsec_sas, bgp.parse_bgp_peers


def parsed(ike=IKE_UP, ipsec=IPSEC_UP, bgp=BGP_UP):
    return {"ike": ike_sas(ike), "ipsec": ipsec_sas(ipsec), "bgp": bgp_peers(bgp)}


def test_healthy_pair_results():
    pings = [ping_result(EXPECT["pings"][0], {"sent": 3, "received": 3, "loss_percent": 0, "rtt_avg_ms": 0.752})]
    result = evaluate(EXPECT, pings=pings, **parsed())
    assert result["ok"] and result["state_holds"] and result["problems"] == []
    tunnel = result["tunnels"][0]
    assert tunnel == {
        "name": "a-b", "remote_address": "1.1.1.2", "selectors": None, "vpn": "IPSEC-VPN", "st0": "st0.0",
        "state": "up",
        "holds": True,
        "ike": {"state": "UP", "index": 3544401, "exchange_type": "IKEv2",
                "initiator_cookie": "1946907e20fb9b73", "responder_cookie": "88e4b8815dff2bb6",
                "local_address": None, "remote_address": "1.1.1.2"},
        "ipsec": {"tunnel_id": 131073, "spi_in": "c78a8a5a", "spi_out": "5e79cbc0", "protocol": "ESP",
                  "encryption": "aes-cbc-256", "integrity": "sha256", "port": 500,
                  "lifetime_remaining_seconds": 3599, "vpn_monitoring": None},
        "problems": [],
    }
    peer = result["bgp_peers"][0]
    assert (peer["state"], peer["uptime_seconds"], peer["received_prefixes"], peer["observed_peer_as"]) == \
        ("Established", 61, 1, 200)
    assert result["pings"][0]["status"] == "ok" and result["pings"][0]["loss_percent"] == 0


def test_no_ike_sa_says_junos_cannot_tell_the_causes_apart():
    result = evaluate(EXPECT, **parsed(ike=IKE_NONE, ipsec=IPSEC_NONE, bgp=BGP_ACTIVE))
    assert kinds(result) == [("tunnel", "a-b", "no_ike_sa"), ("bgp", "10.0.1.2", "bgp_tunnel_down")]
    tunnel, bgp = result["problems"]
    assert tunnel["message"] == "no IKE SA with 1.1.1.2"
    assert tunnel["summary"] == (
        "tunnel a-b: no IKE SA with 1.1.1.2 - likely cause: the gateway 1.1.1.2 is unreachable, "
        "host-inbound-traffic system-services ike is missing on the external interface (of this device "
        "or of the peer), or the IKE proposal or pre-shared key does not match (also: IKE version, mode "
        "or identity); Junos cannot tell these apart from one side - compare with the peer's view and "
        "its kmd log")
    assert bgp["summary"] == ("BGP peer 10.0.1.2: session is Active: tunnel a-b is down - likely cause: "
                              "the session runs over tunnel a-b, which is down: fix the tunnel first")
    assert result["tunnels"][0]["state"] == "down" and result["tunnels"][0]["ike"] is None
    assert result["pings"][0]["status"] == "not run" and not result["ok"]


def test_ike_sa_down():
    result = evaluate(EXPECT, **parsed(ike=ike_reply(("1.1.1.2", "DOWN")), ipsec=IPSEC_NONE, bgp=BGP_ACTIVE))
    assert kinds(result)[0] == ("tunnel", "a-b", "ike_not_up")
    assert result["problems"][0]["message"] == "IKE SA with 1.1.1.2 is DOWN"


def test_ike_up_without_ipsec_points_at_phase_2():
    result = evaluate(EXPECT, **parsed(ipsec=IPSEC_NONE, bgp=BGP_ACTIVE))
    assert kinds(result) == [("tunnel", "a-b", "no_ipsec_sa"), ("bgp", "10.0.1.2", "bgp_tunnel_down")]
    problem = result["problems"][0]
    assert problem["message"] == "IKE SA with 1.1.1.2 is UP but there is no IPsec SA"
    assert problem["cause"].startswith("phase-2 (IPsec) proposal or PFS group mismatch between the ends")
    assert result["tunnels"][0]["ike"]["state"] == "UP" and result["tunnels"][0]["ipsec"] is None


def test_half_ipsec_sa():
    result = evaluate(EXPECT, **parsed(ipsec=ipsec_reply((131073, "<", "c78a8a5a", "1.1.1.2"))))
    assert kinds(result)[0] == ("tunnel", "a-b", "half_ipsec_sa")
    assert result["problems"][0]["message"] == "only an inbound IPsec SA with 1.1.1.2, no outbound one"
    assert result["tunnels"][0]["ipsec"]["spi_out"] is None and result["tunnels"][0]["state"] == "down"


def test_ipsec_algorithm_other_than_intended():
    expect = normalise_expectations([A_TUNNEL | {"encryption": "aes-256-gcm", "integrity": "hmac-sha-256-128"}])
    result = evaluate(expect, **parsed())
    assert kinds(result) == [("tunnel", "a-b", "ipsec_algorithm")]
    assert result["problems"][0]["message"] == "the IPsec SA uses encryption aes-cbc-256, the intent says aes-gcm-256"
    assert result["tunnels"][0]["state"] == "up" and not result["tunnels"][0]["holds"]


def test_ipsec_sas_to_other_gateways_do_not_count():
    result = evaluate(EXPECT, **parsed(ipsec=ipsec_reply((131074, "<", "11111111", "1.1.1.9"),
                                                         (131074, ">", "22222222", "1.1.1.9"))))
    assert kinds(result)[0] == ("tunnel", "a-b", "no_ipsec_sa")


def test_two_tunnels_to_one_gateway_take_the_sa_pairs_in_index_order():
    expect = normalise_expectations([A_TUNNEL, {"name": "a-b-2", "remote_address": "1.1.1.2"}])
    sas = ipsec_reply((131074, "<", "33333333", "1.1.1.2"), (131074, ">", "44444444", "1.1.1.2"),
                      (131073, "<", "11111111", "1.1.1.2"), (131073, ">", "22222222", "1.1.1.2"))
    result = evaluate(expect, **parsed(ipsec=sas))
    assert [(t["ipsec"]["tunnel_id"], t["ipsec"]["spi_in"]) for t in result["tunnels"]] == \
        [(131073, "11111111"), (131074, "33333333")]
    only_one = evaluate(expect, **parsed())
    assert kinds(only_one)[0] == ("tunnel", "a-b-2", "no_ipsec_sa")


def test_bgp_peer_not_configured():
    result = evaluate(EXPECT, **parsed(bgp=bgp_reply()))
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_not_configured")]
    assert result["problems"][0]["cause"] == "no neighbor 10.0.1.2 under [edit protocols bgp] on this device"
    assert result["bgp_peers"][0]["state"] is None


def test_bgp_peer_as_differs_from_intent():
    result = evaluate(EXPECT, **parsed(bgp=bgp_reply(("10.0.1.2", 300, "Active", None))))
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_peer_as")]
    assert result["problems"][0]["message"] == "configured with peer AS 300, the intent says 200 (session Active)"
    assert "Open Message Error" in result["problems"][0]["cause"]


def test_tunnel_up_bgp_active_points_at_host_inbound_bgp_or_peer_as():
    result = evaluate(EXPECT, **parsed(bgp=BGP_ACTIVE))
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_active")]
    assert result["problems"][0]["summary"] == (
        "BGP peer 10.0.1.2: session is Active although tunnel a-b is up - likely cause: "
        "host-inbound-traffic protocols bgp is missing on the st0 zone (of this device or of the peer), "
        "or a peer AS mismatch (check peer-as on both devices)")


def test_tunnel_up_bgp_connect_points_at_the_peers_host_inbound():
    result = evaluate(EXPECT, **parsed(bgp=bgp_reply(("10.0.1.2", 200, "Connect", None))))
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_connect")]
    assert result["problems"][0]["cause"].startswith(
        "TCP connections to 10.0.1.2 port 179 get no answer: host-inbound-traffic protocols bgp is "
        "missing on the peer's st0 zone")


def test_open_message_error_means_the_as_numbers_disagree():
    errors = [{"peer_address": "10.0.1.2", "state": "Active", "last_state": "Idle",
               "last_event": "ConnectRetry", "last_error": "Open Message Error"}]
    result = evaluate(EXPECT, last_errors=errors, **parsed(bgp=BGP_ACTIVE))
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_open_error")]
    assert result["bgp_peers"][0]["last_error"] == "Open Message Error"
    assert result["problems"][0]["cause"].startswith(
        "the ends refuse each other's OPEN (last error: Open Message Error): peer AS or BGP type mismatch")


def test_bgp_without_a_tunnel_gives_the_general_cause():
    expect = normalise_expectations([], [{"peer_address": "10.0.1.2"}])
    result = evaluate(expect, **parsed(bgp=BGP_ACTIVE))
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_down")]
    assert result["problems"][0]["message"] == "session is Active"


def test_established_without_prefixes_points_at_export_policy():
    result = evaluate(EXPECT, **parsed(bgp=bgp_reply(("10.0.1.2", 200, "Established", 0))))
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_prefixes")]
    problem = result["problems"][0]
    assert problem["message"] == "Established but 0 prefixes received, at least 1 expected"
    assert problem["cause"].startswith("the peer advertises nothing to this device: export policy missing")
    assert result["bgp_peers"][0]["state"] == "Established" and not result["state_holds"]


def test_ping_loss_and_error():
    exp = EXPECT["pings"][0]
    lost = ping_result(exp, {"sent": 3, "received": 0, "loss_percent": 100, "rtt_avg_ms": None})
    assert lost["status"] == "failed" and not lost["holds"]
    assert lost["problems"][0]["summary"].startswith(
        "ping 10.0.1.2: 100% loss from 10.0.1.1 (0/3 answered), at most 0% allowed - likely cause: "
        "with the tunnel and BGP up: host-inbound-traffic system-services ping missing")
    error = ping_result(exp, error="No route to host")
    assert (error["status"], error["problems"][0]["kind"]) == ("error", "ping_error")
    assert error["problems"][0]["cause"] == "the device could not run the ping: No route to host"
    tolerated = ping_result(exp | {"max_loss_percent": 40}, {"sent": 3, "received": 2, "loss_percent": 33.333})
    assert tolerated["status"] == "ok" and tolerated["holds"]


def test_outcome_message():
    result, _clock = run(FakeDevice(HEALTHY))
    assert outcome_message(result) == (
        "1/1 tunnels up, 1/1 BGP peers Established, 1/1 pings ok after 1 round(s), 4 RPCs, 0.4 s")
    failed, _clock = run(FakeDevice({**HEALTHY, RPC_IKE: IKE_NONE, RPC_IPSEC: IPSEC_NONE, RPC_BGP: BGP_ACTIVE}),
                         timeout=1.0)
    lines = outcome_message(failed).splitlines()
    assert lines[0].startswith("2 problem(s): 0/1 tunnels up, 0/1 BGP peers Established, 0/1 pings ok")
    assert lines[1].startswith("tunnel a-b: no IKE SA with 1.1.1.2 - likely cause: the gateway")
    assert lines[2].startswith("BGP peer 10.0.1.2: session is Active: tunnel a-b is down")


# -- polling ---------------------------------------------------------------------------------

def test_healthy_device_one_round_of_three_rpcs_and_one_ping():
    device = FakeDevice(HEALTHY)
    result, clock = run(device)
    assert result["ok"] and result["rounds"] == 1 and result["rpc_count"] == 4
    assert device.calls == [RPC_IKE, RPC_IPSEC, RPC_BGP,
                            "<ping><host>10.0.1.2</host><source>10.0.1.1</source><count>3</count><rapid/></ping>"]
    assert clock.sleeps == [] and result["elapsed"] == 0.4


def test_healthy_without_pings_is_three_rpcs():
    expect = normalise_expectations([A_TUNNEL], [A_PEER])
    result, clock = run(FakeDevice(HEALTHY), expect=expect)
    assert (result["rounds"], result["rpc_count"], clock.sleeps) == (1, 3, [])


def test_only_the_needed_rpcs():
    bgp_only = normalise_expectations([], [{"peer_address": "10.0.1.2"}])
    device = FakeDevice(HEALTHY)
    result, _clock = run(device, expect=bgp_only)
    assert device.calls == [RPC_BGP] and result["ok"]
    tunnel_only = normalise_expectations([A_TUNNEL])
    device = FakeDevice(HEALTHY)
    run(device, expect=tunnel_only)
    assert device.calls == [RPC_IKE, RPC_IPSEC]


def test_slow_convergence_polls_until_it_holds():
    converging = [
        {RPC_IKE: IKE_NONE, RPC_IPSEC: IPSEC_NONE, RPC_BGP: BGP_ACTIVE},
        {RPC_IKE: IKE_UP, RPC_IPSEC: IPSEC_NONE, RPC_BGP: BGP_ACTIVE},
        {RPC_IKE: IKE_UP, RPC_IPSEC: IPSEC_UP, RPC_BGP: BGP_ACTIVE},
        HEALTHY,
    ]
    device = FakeDevice(*converging)
    result, clock = run(device, timeout=30, interval=0.5)
    assert result["ok"] and result["rounds"] == 4
    assert result["rpc_count"] == 4 * 3 + 1  # the ping only in the round where the state held
    assert sum(call.startswith("<ping>") for call in device.calls) == 1
    # a round starts every interval: each round's 3 RPCs (0.3 s) + 0.2 s of sleep
    assert clock.sleeps == [0.2, 0.2, 0.2]


def test_ping_failing_with_the_state_up_is_retried_until_the_deadline():
    device = FakeDevice(HEALTHY, ping=ping_reply(3, 0))
    result, _clock = run(device, timeout=2.0, interval=0.5)
    assert not result["ok"] and result["state_holds"]
    assert kinds(result) == [("ping", "10.0.1.2", "ping_loss")]
    assert result["rounds"] == sum(c == RPC_IKE for c in device.calls) > 1
    assert result["rpc_count"] == 4 * result["rounds"]


def test_deadline_reports_the_last_round_and_reads_the_bgp_last_error():
    device = FakeDevice({**HEALTHY, RPC_BGP: BGP_ACTIVE},
                        neighbor=neighbor_reply("10.0.1.2", "Active", "Open Message Error"))
    result, clock = run(device, timeout=3.0, interval=1.0)
    assert not result["ok"]
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_open_error")]
    assert device.calls[-1] == ("<get-bgp-neighbor-information><neighbor-address>10.0.1.2"
                                "</neighbor-address></get-bgp-neighbor-information>")
    # rounds at 0, 1, 2 and the last one at the deadline (3 s); + 1 diagnostic RPC
    assert result["rounds"] == 4 and result["rpc_count"] == 4 * 3 + 1
    assert clock.sleeps == [0.7, 0.7, 0.7]


def test_no_diagnostic_rpc_when_the_tunnel_is_down():
    device = FakeDevice({RPC_IKE: IKE_NONE, RPC_IPSEC: IPSEC_NONE, RPC_BGP: BGP_ACTIVE})
    result, _clock = run(device, timeout=0)
    assert result["rounds"] == 1 and result["rpc_count"] == 3
    assert not any(c.startswith("<get-bgp-neighbor") for c in device.calls)


def test_timeout_zero_is_one_snapshot():
    device = FakeDevice({**HEALTHY, RPC_IPSEC: IPSEC_NONE})
    result, clock = run(device, timeout=0)
    assert result["rounds"] == 1 and clock.sleeps == []
    assert kinds(result)[0] == ("tunnel", "a-b", "no_ipsec_sa")


def test_bgp_not_running_means_no_peer():
    device = FakeDevice({**HEALTHY, RPC_BGP: RpcFailed("BGP is not running")})
    result, _clock = run(device, timeout=0)
    assert kinds(result) == [("bgp", "10.0.1.2", "bgp_not_configured")]


def test_other_rpc_failures_propagate():
    device = FakeDevice({**HEALTHY, RPC_IKE: RpcFailed("syntax error")})
    with pytest.raises(RpcFailed, match="syntax error"):
        run(device)


def test_ping_rpc_error_is_a_ping_problem():
    device = FakeDevice(HEALTHY, ping=RpcFailed("ping: sendto: No route to host"))
    result, _clock = run(device, timeout=0)
    assert kinds(result) == [("ping", "10.0.1.2", "ping_error")]
    assert result["pings"][0]["error"] == "ping: sendto: No route to host"


def test_bad_timing_arguments():
    with pytest.raises(VpnCheckError):
        poll(EXPECT, FakeDevice(HEALTHY), timeout=-1)
    with pytest.raises(VpnCheckError):
        poll(EXPECT, FakeDevice(HEALTHY), interval=0)


def test_rpc_texts_escape_their_values():
    assert V.rpc_ping({"target": "10.0.1.2", "source": None, "count": 5}) == \
        "<ping><host>10.0.1.2</host><count>5</count><rapid/></ping>"
    assert V.rpc_bgp_neighbor("a<b") == \
        "<get-bgp-neighbor-information><neighbor-address>a&lt;b</neighbor-address></get-bgp-neighbor-information>"


def test_every_cause_is_used_and_fills_its_fields():
    fields = {"remote": "R", "address": "A", "tunnel": "T", "error": "E", "target": "X", "wanted": "W"}
    for kind, text in CAUSES.items():
        assert "{" not in text.format(**fields), kind


def test_a_ping_runs_when_its_own_tunnel_holds_even_if_another_tunnel_is_down():
    """A hub with one spoke down: the pings over the healthy tunnels still run and hold, so
    one broken tunnel does not make the others look broken."""
    other = {"name": "a-c", "remote_address": "1.1.1.3"}
    expect = normalise_expectations([A_TUNNEL, other], [A_PEER],
                                    [{**A_PING, "tunnel": "a-b"},
                                     {"target": "10.0.2.2", "source": "10.0.2.1", "tunnel": "a-c"}])
    result, _clock = run(FakeDevice(HEALTHY), expect=expect, timeout=0)
    pings = {p["tunnel"]: p for p in result["pings"]}
    assert pings["a-b"]["status"] == "ok" and pings["a-b"]["holds"]
    assert pings["a-c"]["status"] == "not run" and not pings["a-c"]["holds"]
    assert not result["ok"] and [p["name"] for p in result["problems"]] == ["a-c"]
