# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Polling SRX state until the expectations hold: the loop of the
``netops.srx_vpn.vpn_state`` module and of the deploy's verify, free of Ansible and of any
device.

The judging is the problems engine's (:mod:`srx_state.problems`: :func:`normalise_expectations`,
:func:`evaluate`, the likely causes), the reading the XML parsers' (:mod:`srx_state.ike`,
``ipsec``, ``bgp``, ``ping``). :func:`poll` runs polling rounds through a caller-supplied
``call(rpc_xml) -> reply`` until every expectation holds or the deadline passes, counting
the RPCs.

A round reads ``get-ike-security-associations-information`` and
``get-security-associations-information`` (when tunnels are expected) and
``get-bgp-summary-information`` (when BGP peers are expected); a ping that names its tunnel
runs in a round where that tunnel and its BGP peers hold, one that names none in a round where
every tunnel and BGP expectation holds. When the deadline passes with a
BGP peer down over a tunnel that is up, one ``get-bgp-neighbor-information`` per such peer
reads its last error, to tell a peer AS mismatch from a blocked TCP port.
"""

from __future__ import annotations

import time
from xml.sax.saxutils import escape

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.bgp import (
    parse_bgp_last_errors,
    parse_bgp_peers,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.ike import (
    parse_ike_sas,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.ipsec import (
    parse_ipsec_sas,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.ping import (
    parse_ping_summary,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.problems import (
    CAUSES,
    DEFAULT_PING_COUNT,
    VpnCheckError,
    evaluate,
    normalise_expectations,
    ping_result,
    summary_lines,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
)

# The polling API, and the engine's names its callers (the vpn_state module, the fleet) use.
__all__ = [
    "CAUSES", "DEFAULT_INTERVAL", "DEFAULT_PING_COUNT", "DEFAULT_TIMEOUT", "RPC_BGP", "RPC_IKE", "RPC_IPSEC",
    "RPC_IPSEC_DETAIL", "RpcFailed", "SrxStateError", "VpnCheckError", "evaluate", "normalise_expectations",
    "outcome_message", "ping_result", "poll", "rpc_bgp_neighbor", "rpc_ping", "summary_lines",
]

DEFAULT_TIMEOUT = 60.0
DEFAULT_INTERVAL = 0.5

RPC_IKE = "<get-ike-security-associations-information/>"
RPC_IPSEC = "<get-security-associations-information/>"
# With traffic selectors, the detail shows each SA pair's selector and identities.
RPC_IPSEC_DETAIL = "<get-security-associations-information><detail/></get-security-associations-information>"
RPC_BGP = "<get-bgp-summary-information/>"


# --------------------------------------------------------------------------------------
# RPCs and polling
# --------------------------------------------------------------------------------------

def rpc_ping(ping):
    """``ping`` RPC of one expected ping (rapid: no one-second pause between probes)."""
    parts = [f"<host>{escape(ping['target'])}</host>"]
    if ping.get("source"):
        parts.append(f"<source>{escape(ping['source'])}</source>")
    parts.append(f"<count>{int(ping['count'])}</count>")
    return f"<ping>{''.join(parts)}<rapid/></ping>"


def rpc_bgp_neighbor(address):
    return ("<get-bgp-neighbor-information><neighbor-address>"
            f"{escape(address)}</neighbor-address></get-bgp-neighbor-information>")


class RpcFailed(Exception):
    """An RPC the check cannot do without failed (raised by the caller's ``call``)."""


def _not_running(exc):
    return "not running" in str(exc).lower()


def _read_state(expect, rpc):
    state = {"ike": [], "ipsec": [], "bgp": []}
    if expect["tunnels"]:
        state["ike"] = parse_ike_sas(rpc(RPC_IKE))
        detail = any(t.get("selectors") for t in expect["tunnels"])
        state["ipsec"] = parse_ipsec_sas(rpc(RPC_IPSEC_DETAIL if detail else RPC_IPSEC))
    if expect["bgp_peers"]:
        try:
            state["bgp"] = parse_bgp_peers(rpc(RPC_BGP))
        except RpcFailed as exc:
            if not _not_running(exc):  # no [protocols bgp] at all: every peer is missing
                raise
    return state


def _ping_ready(exp, result):
    """A ping runs once what it travels over holds: its own tunnel and that tunnel's BGP
    peers when it names a tunnel, else every tunnel and BGP expectation of the device."""
    tunnel = exp.get("tunnel")
    if tunnel is None:
        return result["state_holds"]
    items = [t for t in result["tunnels"] if t["name"] == tunnel]
    items += [p for p in result["bgp_peers"] if p.get("tunnel") == tunnel]
    return all(item["holds"] for item in items)


def _run_pings(expect, rpc, result):
    results = []
    for exp in expect["pings"]:
        if not _ping_ready(exp, result):
            results.append(ping_result(exp))   # not run: what it travels over does not hold
            continue
        try:
            summary = parse_ping_summary(rpc(rpc_ping(exp)))
        except (RpcFailed, SrxStateError) as exc:
            results.append(ping_result(exp, error=str(exc).strip().splitlines()[0][:300]))
        else:
            results.append(ping_result(exp, summary))
    return results


def _diagnose(expect, result, rpc):
    """Last error of each BGP peer that is down over a tunnel that is up (or no tunnel)."""
    wanted = [p["peer_address"] for p in result["bgp_peers"]
              if p["state"] not in (None, "Established") and p["problems"]
              and p["problems"][0]["kind"] != "bgp_tunnel_down"]
    errors = []
    for address in wanted:
        try:
            errors.extend(parse_bgp_last_errors(rpc(rpc_bgp_neighbor(address))))
        except (RpcFailed, SrxStateError):
            continue  # evidence only: the problem stands without it
    return errors


def poll(expect, call, timeout=DEFAULT_TIMEOUT, interval=DEFAULT_INTERVAL,
         clock=time.monotonic, sleep=time.sleep):
    """Poll until every expectation holds or ``timeout`` seconds have passed.

    ``call(rpc_xml)`` returns the device's reply (string or XML element) or raises
    :class:`RpcFailed`. The first round starts at once; a round starts every ``interval``
    seconds after the previous one started, and the last one at the deadline. Returns the
    :func:`evaluate` result plus ``rounds``, ``rpc_count`` and ``elapsed`` (seconds).
    """
    if timeout < 0 or interval <= 0:
        raise VpnCheckError("timeout must be >= 0 and interval > 0")
    start = clock()
    deadline = start + timeout
    count = [0]

    def rpc(xml):
        count[0] += 1
        return call(xml)

    rounds = 0
    while True:
        rounds += 1
        began = clock()
        state = _read_state(expect, rpc)
        result = evaluate(expect, **state)
        if any(_ping_ready(exp, result) for exp in expect["pings"]):
            result = evaluate(expect, pings=_run_pings(expect, rpc, result), **state)
        if result["ok"]:
            break
        now = clock()
        if now >= deadline:
            break
        sleep(max(0.0, min(began + interval, deadline) - now))
    if not result["ok"]:
        errors = _diagnose(expect, result, rpc)
        if errors:
            result = evaluate(expect, pings=result["pings"], last_errors=errors, **state)
    result.update(rounds=rounds, rpc_count=count[0], elapsed=round(clock() - start, 3))
    return result


def outcome_message(result):
    """One-line outcome, then one line per problem (the module's ``msg``)."""
    t = result["tunnels"]
    b = result["bgp_peers"]
    p = result["pings"]
    head = (f"{sum(x['state'] == 'up' for x in t)}/{len(t)} tunnels up, "
            f"{sum(x['state'] == 'Established' for x in b)}/{len(b)} BGP peers Established, "
            f"{sum(x['status'] == 'ok' for x in p)}/{len(p)} pings ok after {result['rounds']} "
            f"round(s), {result['rpc_count']} RPCs, {result['elapsed']} s")
    if result["ok"]:
        return head
    lines = summary_lines(result["problems"]) or [
        "the expectations do not hold (pings not run: tunnel or BGP expectations unmet)"]
    return "\n".join([f"{len(result['problems'])} problem(s): {head}", *lines])
