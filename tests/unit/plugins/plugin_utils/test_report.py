# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the VPN status report (plugin_utils/report.py): golden Markdown and JSON
built from vpn_state results computed by vpn_checks on scripted device replies."""

from __future__ import annotations

import json

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import (
    RPC_BGP,
    RPC_IKE,
    RPC_IPSEC,
    normalise_expectations,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import report as R

HEALTHY_MD = """\
# VPN status

Generated 2026-01-01T00:00:00+00:00 by netops.srx_vpn.vpn_report.

1 tunnel(s): 1 up, 0 degraded, 0 down, 0 unknown; 2 device(s); 0 problem(s).

## Fleet

```mermaid
graph LR
  n_srx_a["srx-a"]
  n_srx_b["srx-b"]
  n_srx_a ---|"a-b UP"| n_srx_b
  linkStyle 0 stroke:#2e7d32,stroke-width:3px
```

## Devices

| Device | Result | Rounds | RPCs | Seconds |
|---|---|---|---|---|
| srx-a | ok | 1 | 4 | 0.4 |
| srx-b | ok | 1 | 4 | 0.4 |

## Tunnels

### a-b: UP

| | srx-a | srx-b |
|---|---|---|
| Remote gateway | 1.1.1.2 | 1.1.1.1 |
| IKE | UP (IKEv2) | UP (IKEv2) |
| IPsec SPI in / out | `c78a8a5a` / `5e79cbc0` | `5e79cbc0` / `c78a8a5a` |
| IPsec algorithms | ESP aes-cbc-256 / sha256 | ESP aes-cbc-256 / sha256 |
| IPsec lifetime left | 3599 s | 3599 s |
| BGP | 10.0.1.2 (AS 200): Established 1:01, prefixes 1 received / 1 accepted / 1 active \
| 10.0.1.1 (AS 100): Established 1:01, prefixes 1 received / 1 accepted / 1 active |
| Ping loss | 10.0.1.2 from 10.0.1.1: 0% loss (3/3) | 10.0.1.1 from 10.0.1.2: 0% loss (3/3) |
| Problems | none | none |

## Problems

None: every tunnel, BGP session and ping holds.
"""

DOWN_MD = """\
# VPN status

Generated 2026-01-01T00:00:00+00:00 by netops.srx_vpn.vpn_report.

1 tunnel(s): 0 up, 0 degraded, 1 down, 0 unknown; 2 device(s); 3 problem(s).

## Fleet

```mermaid
graph LR
  n_srx_a["srx-a"]
  n_srx_b["srx-b"]
  n_srx_a ---|"a-b DOWN"| n_srx_b
  linkStyle 0 stroke:#c62828,stroke-width:3px,stroke-dasharray:6 4
```

## Devices

| Device | Result | Rounds | RPCs | Seconds |
|---|---|---|---|---|
| srx-a | problems | 1 | 3 | 0.3 |
| srx-b | error: unreachable: Failed to connect: timed out | - | - | - |

## Tunnels

### a-b: DOWN

| | srx-a | srx-b |
|---|---|---|
| Remote gateway | 1.1.1.2 | no result |
| IKE | no IKE SA | no result |
| IPsec SPI in / out | no IPsec SA | no result |
| IPsec algorithms | - | no result |
| IPsec lifetime left | - | no result |
| BGP | 10.0.1.2 (AS 200): Active | no result |
| Ping loss | 10.0.1.2 from 10.0.1.1: not run | no result |
| Problems | 2, see Problems | no result |

## Problems

- **srx-a** tunnel a-b: no IKE SA with 1.1.1.2 - likely cause: the gateway 1.1.1.2 is unreachable, \
host-inbound-traffic system-services ike is missing on the external interface (of this device or of \
the peer), or the IKE proposal or pre-shared key does not match (also: IKE version, mode or identity); \
Junos cannot tell these apart from one side - compare with the peer's view and its kmd log
- **srx-a** BGP peer 10.0.1.2: session is Active: tunnel a-b is down - likely cause: the session runs \
over tunnel a-b, which is down: fix the tunnel first
- **srx-b** device srx-b: unreachable: Failed to connect: timed out
"""
from device_cases import (
    BGP_ACTIVE,
    EXPECT,
    HEALTHY,
    IKE_NONE,
    IPSEC_NONE,
    WHEN,
    bgp_reply,
    healthy_pair,
    ike_reply,
    ipsec_reply,
    result,
)


def test_healthy_pair_markdown_golden():
    model = R.build_report(healthy_pair(), generated_at=WHEN)
    assert R.render_markdown(model) == HEALTHY_MD


def test_down_tunnel_with_an_unreachable_end_golden():
    down = result(EXPECT, {RPC_IKE: IKE_NONE, RPC_IPSEC: IPSEC_NONE, RPC_BGP: BGP_ACTIVE})
    results = {"srx-a": down, "srx-b": {"unreachable": True, "msg": "Failed to connect: timed out\ndetails"}}
    model = R.build_report(results, tunnels=[{"name": "a-b", "ends": ["srx-b", "srx-a"]}], generated_at=WHEN)
    assert R.render_markdown(model) == DOWN_MD


def test_json_golden_shape_and_determinism():
    pair = healthy_pair()
    text = R.render_json(R.build_report(pair, generated_at=WHEN))
    again = R.render_json(R.build_report(dict(reversed(list(pair.items()))), generated_at=WHEN))
    assert text == again and text.endswith("}\n")
    data = json.loads(text)
    assert sorted(data) == ["devices", "generated_at", "other_checks", "problems", "run", "summary", "tunnels",
                            "warnings"]
    assert data["generated_at"] == WHEN
    assert data["summary"] == {"devices": 2, "tunnels": 1, "up": 1, "degraded": 0, "down": 0,
                               "unknown": 0, "problems": 0}
    assert data["devices"]["srx-a"] == {"status": "ok", "rounds": 1, "rpc_count": 4, "elapsed": 0.4, "error": None}
    tunnel = data["tunnels"][0]
    assert (tunnel["name"], tunnel["state"], list(tunnel["ends"])) == ("a-b", "UP", ["srx-a", "srx-b"])
    end = tunnel["ends"]["srx-a"]
    assert (end["ipsec"]["spi_in"], end["ipsec"]["spi_out"]) == ("c78a8a5a", "5e79cbc0")
    assert end["bgp_peers"][0]["state"] == "Established" and end["pings"][0]["loss_percent"] == 0
    assert text.count(WHEN) == 1


def test_timestamp_is_the_only_difference_between_two_runs():
    first = R.build_report(healthy_pair(), generated_at=WHEN)
    second = R.build_report(healthy_pair(), generated_at="2026-02-02T10:00:00+00:00")
    for render in (R.render_markdown, R.render_json):
        a, b = render(first), render(second)
        assert a != b and R.without_timestamp(a) == R.without_timestamp(b)
        assert sum(x != y for x, y in zip(a.splitlines(), b.splitlines(), strict=True)) == 1


def test_default_timestamp_is_utc_iso():
    model = R.build_report({})
    assert model["generated_at"].endswith("+00:00") and "T" in model["generated_at"]


def test_degraded_when_the_tunnel_is_up_but_bgp_is_not():
    pair = healthy_pair()
    pair["srx-a"] = result(EXPECT, {**HEALTHY, RPC_BGP: BGP_ACTIVE})
    model = R.build_report(pair, generated_at=WHEN)
    assert model["tunnels"][0]["state"] == "DEGRADED"
    text = R.render_markdown(model)
    assert '  n_srx_a ---|"a-b DEGRADED"| n_srx_b\n  linkStyle 0 stroke:#ef6c00,stroke-width:3px\n' in text
    assert "| BGP | 10.0.1.2 (AS 200): Active | 10.0.1.1 (AS 100): Established 1:01," in text
    assert "- **srx-a** BGP peer 10.0.1.2: session is Active although tunnel a-b is up - likely cause: " \
           "host-inbound-traffic protocols bgp is missing" in text


def test_unknown_when_an_end_gave_nothing_and_the_other_is_up():
    pair = healthy_pair()
    pair["srx-b"] = None
    # without the tunnel list, nothing says srx-b ends a-b: a tunnel to a peer outside the play
    alone = R.build_report(pair, generated_at=WHEN)["tunnels"][0]
    assert (alone["state"], list(alone["ends"]), alone["external_peer"]) == ("UP", ["srx-a"], "1.1.1.2")
    model = R.build_report(pair, tunnels=[{"name": "a-b", "ends": ["srx-a", "srx-b"]}], generated_at=WHEN)
    assert model["tunnels"][0]["state"] == "UNKNOWN"
    assert model["devices"]["srx-b"]["error"] == "no result (host not run)"
    assert model["problems"][-1]["summary"] == "device srx-b: no result (host not run)"
    failed = R.build_report({**pair, "srx-b": {"failed": True, "msg": "netops.srx_vpn.vpn_state: an RPC failed: x"}},
                            tunnels=[{"name": "a-b", "ends": ["srx-a", "srx-b"]}], generated_at=WHEN)
    assert failed["devices"]["srx-b"]["error"] == "netops.srx_vpn.vpn_state: an RPC failed: x"


def test_hub_with_spokes_and_a_peer_outside_the_inventory():
    spoke_expect = normalise_expectations([{"name": "hub-s1", "remote_address": "1.1.1.10"}],
                                          [{"peer_address": "10.0.9.1", "peer_as": 65000}])
    spoke = {RPC_IKE: ike_reply(("1.1.1.10", "UP")),
             RPC_IPSEC: ipsec_reply((131073, "<", "0000aaaa", "1.1.1.10"), (131073, ">", "0000bbbb", "1.1.1.10")),
             RPC_BGP: bgp_reply(("10.0.9.1", 65000, "Established", 2))}
    hub_expect = normalise_expectations([{"name": "hub-s1", "remote_address": "1.1.1.21"},
                                         {"name": "hub-x", "remote_address": "203.0.113.5"}])
    hub = {RPC_IKE: ike_reply(("1.1.1.21", "UP")),
           RPC_IPSEC: ipsec_reply((131073, "<", "0000bbbb", "1.1.1.21"), (131073, ">", "0000aaaa", "1.1.1.21"))}
    model = R.build_report({"spoke-1": result(spoke_expect, spoke), "hub-1": result(hub_expect, hub)},
                           generated_at=WHEN)
    assert [(t["name"], t["state"], list(t["ends"])) for t in model["tunnels"]] == [
        ("hub-s1", "UP", ["hub-1", "spoke-1"]), ("hub-x", "DOWN", ["hub-1"])]
    text = R.render_markdown(model)
    assert '  n_remote_203_0_113_5(["203.0.113.5"])\n' in text
    assert '  n_hub_1 ---|"hub-x DOWN"| n_remote_203_0_113_5\n' in text
    assert "linkStyle 1 stroke:#c62828" in text
    assert "## Other checks\n\n- **spoke-1** 10.0.9.1 (AS 65000): Established 1:01, prefixes 2 received" in text
    assert model["other_checks"][0]["device"] == "spoke-1"


def test_node_ids_are_safe_and_unique():
    used = {}
    assert R._node_id("srx-a", used) == "n_srx_a"
    assert R._node_id("srx.a", used) == "n_srx_a_2"
    assert R._node_id("end", used) == "n_end"


def test_cells_escape_pipes_and_newlines():
    assert R._cell("a|b\nc") == "a\\|b<br>c"
    assert R._cell(None) == "-" and R._cell("") == "-"


@pytest.mark.parametrize("seconds,text", [(5, "5s"), (61, "1:01"), (3723, "1:02:03"), (90061, "1d 01:01:01")])
def test_durations(seconds, text):
    assert R._duration(seconds) == text


@pytest.mark.parametrize("results,tunnels,message", [
    ([], None, "results must be a dict of device -> vpn_state result, got list"),
    ({}, [{"ends": ["a"]}], "tunnels[0] must be a dict with a name"),
    ({}, [{"name": "x", "ends": ["a", "b", "c"]}], "tunnel x: ends must list one or two devices"),
])
def test_bad_input(results, tunnels, message):
    with pytest.raises(R.ReportError) as exc:
        R.build_report(results, tunnels)
    assert str(exc.value) == message


def test_deploy_run_section_lists_outcomes_and_actions():
    run = {"run_id": "20261203T101500Z-abc123", "started": "2026-12-03T10:15:00+00:00",
           "finished": "2026-12-03T10:15:30+00:00", "failed": True,
           "tunnels": {"a-b": {"outcome": "rolled-back-restored", "detail": "srx-b: no IKE SA", "up_before": True}},
           "devices": {"srx-a": {"action": "rolled back", "detail": "tunnel a-b: srx-b: no IKE SA", "pending": None},
                       "srx-b": {"action": "failed", "detail": "commit failed: boom", "pending": None}},
           "components": [], "events": ["batch 1: commit confirmed on 2 device(s)"]}
    model = R.build_report({}, [{"name": "a-b", "ends": ["srx-a", "srx-b"]}], "2026-12-03T10:16:00+00:00", run=run)
    assert model["run"]["run_id"] == "20261203T101500Z-abc123"
    assert model["run"]["outcomes"]["a-b"]["outcome"] == "rolled-back-restored"
    assert model["run"]["actions"]["srx-b"] == {"action": "failed", "detail": "commit failed: boom", "pending": None}
    text = R.render_markdown(model)
    assert "Run `20261203T101500Z-abc123` started 2026-12-03T10:15:00+00:00" in text
    assert "FAILED" in text
    assert "| a-b | rolled-back-restored | yes | srx-b: no IKE SA |" in text
    assert "| srx-b | failed | commit failed: boom |" in text
    assert R.build_report({}, None, "x")["run"] is None
