# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""State assertions for SRX VPN tunnels, BGP over them and pings: the logic of the
``netops.srx_vpn.vpn_state`` module, free of Ansible and of any device.

- :func:`normalise_expectations` checks and completes the expectations of one device
  (the module's ``tunnels`` / ``bgp_peers`` / ``pings`` options);
- :func:`evaluate` compares parsed state (the records of :mod:`srx_state`) with them and
  returns per-tunnel, per-peer and per-ping results and the ``problems``, each with a likely
  cause where the evidence points to one;
- :func:`poll` runs polling rounds through a caller-supplied ``call(rpc_xml) -> reply``
  until every expectation holds or the deadline passes, counting the RPCs.

A round reads ``get-ike-security-associations-information`` and
``get-security-associations-information`` (when tunnels are expected) and
``get-bgp-summary-information`` (when BGP peers are expected); a ping that names its tunnel
runs in a round where that tunnel and its BGP peers hold, one that names none in a round where
every tunnel and BGP expectation holds. When the deadline passes with a
BGP peer down over a tunnel that is up, one ``get-bgp-neighbor-information`` per such peer
reads its last error, to tell a peer AS mismatch from a blocked TCP port.
"""

from __future__ import annotations

import ipaddress
import time
from xml.sax.saxutils import escape

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    SrxStateError,
    normalise_encryption,
    normalise_integrity,
    parse_bgp_last_errors,
    parse_bgp_peers,
    parse_ike_sas,
    parse_ipsec_sas,
    parse_ping_summary,
    same_address,
)

DEFAULT_TIMEOUT = 60.0
DEFAULT_INTERVAL = 0.5
DEFAULT_PING_COUNT = 3

RPC_IKE = "<get-ike-security-associations-information/>"
RPC_IPSEC = "<get-security-associations-information/>"
RPC_BGP = "<get-bgp-summary-information/>"

# Likely causes, one place. ``{...}`` fields are filled per problem.
CAUSES = {
    "no_ike_sa": (
        "the gateway {remote} is unreachable, host-inbound-traffic system-services ike is "
        "missing on the external interface (of this device or of the peer), or the IKE proposal "
        "or pre-shared key does not match (also: IKE version, mode or identity); Junos cannot "
        "tell these apart from one side - compare with the peer's view and its kmd log"
    ),
    "ike_not_up": (
        "phase 1 has not completed: still negotiating, or failing on an IKE proposal or "
        "pre-shared key mismatch"
    ),
    "no_ipsec_sa": (
        "phase-2 (IPsec) proposal or PFS group mismatch between the ends (less often: "
        "proxy-identity / traffic selectors, or the st0 unit not bound to the VPN or not in a "
        "security zone)"
    ),
    "half_ipsec_sa": (
        "a rekey in progress or a half-established SA; if it persists, clear the IPsec SAs "
        "on both ends"
    ),
    "ipsec_algorithm": "the ends agreed on another proposal of their lists than the intended one",
    "bgp_not_configured": "no neighbor {address} under [edit protocols bgp] on this device",
    "bgp_peer_as": (
        "the peer-as configured for {address} on this device differs from the intent: the "
        "session cannot pass the OPEN exchange (Open Message Error)"
    ),
    "bgp_tunnel_down": "the session runs over tunnel {tunnel}, which is down: fix the tunnel first",
    "bgp_open_error": (
        "the ends refuse each other's OPEN (last error: {error}): peer AS or BGP type mismatch "
        "- check peer-as, local-as and type on both devices"
    ),
    "bgp_connect": (
        "TCP connections to {address} port 179 get no answer: host-inbound-traffic protocols "
        "bgp is missing on the peer's st0 zone (or a peer AS mismatch: check peer-as on both "
        "devices)"
    ),
    "bgp_active": (
        "host-inbound-traffic protocols bgp is missing on the st0 zone (of this device or of "
        "the peer), or a peer AS mismatch (check peer-as on both devices)"
    ),
    "bgp_down": (
        "the tunnel that carries it is down, host-inbound-traffic protocols bgp is missing on "
        "the st0 zone, or a peer AS mismatch"
    ),
    "bgp_prefixes": (
        "the peer advertises nothing to this device: export policy missing or matching nothing "
        "on the peer (or an import policy here rejects the routes)"
    ),
    "ping_loss": (
        "with the tunnel and BGP up: host-inbound-traffic system-services ping missing on the "
        "zone of {target} on the peer, a security policy denying it, or no route to {target} "
        "through the tunnel"
    ),
    "ping_error": "the device could not run the ping: {error}",
}


class VpnCheckError(ValueError):
    """Invalid expectations, or a reply that cannot be read."""


# --------------------------------------------------------------------------------------
# Expectations
# --------------------------------------------------------------------------------------

def _text(value):
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _int(value, what, minimum=0):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise VpnCheckError(f"{what} must be an integer, got {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise VpnCheckError(f"{what} must be an integer, got {value!r}") from None
    if number < minimum:
        raise VpnCheckError(f"{what} must be at least {minimum}, got {number}")
    return number


def _number(value, what, minimum=0.0, maximum=None):
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise VpnCheckError(f"{what} must be a number, got {value!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
        raise VpnCheckError(f"{what} must be {bounds}, got {value!r}")
    return int(number) if number.is_integer() else number


def _address(value, what):
    text = _text(value)
    if text is None:
        raise VpnCheckError(f"{what} is required")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise VpnCheckError(f"{what} is not an IP address: {value!r}") from None


def _as_number(value, what):
    text = _text(value)
    if text is None:
        return None
    if "." in text:  # asdot
        high, _dot, low = text.partition(".")
        if high.isdigit() and low.isdigit():
            return int(high) * 65536 + int(low)
    return _int(text, what, minimum=1)


def _items(value, what):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise VpnCheckError(f"{what} must be a list, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, dict):
            raise VpnCheckError(f"every item of {what} must be a dict, got {item!r}")
    return list(value)


def normalise_expectations(tunnels=None, bgp_peers=None, pings=None):
    """Checked copy of one device's expectations, defaults filled in.

    ``tunnels``: ``name`` and ``remote_address`` (required), ``vpn``, ``st0``,
    ``encryption``, ``integrity``. ``bgp_peers``: ``peer_address`` (required), ``peer_as``,
    ``tunnel``, ``min_received_prefixes``. ``pings``: ``target`` (required), ``source``,
    ``count`` (3), ``max_loss_percent`` (0), ``tunnel``.
    """
    out = {"tunnels": [], "bgp_peers": [], "pings": []}
    names = set()
    for n, item in enumerate(_items(tunnels, "tunnels")):
        name = _text(item.get("name"))
        if name is None:
            raise VpnCheckError(f"tunnels[{n}] has no name")
        if name in names:
            raise VpnCheckError(f"tunnel {name!r} is listed twice")
        names.add(name)
        out["tunnels"].append({
            "name": name,
            "remote_address": _address(item.get("remote_address"), f"tunnel {name}: remote_address"),
            "vpn": _text(item.get("vpn")),
            "st0": _text(item.get("st0")),
            "encryption": _text(item.get("encryption")),
            "integrity": _text(item.get("integrity")),
        })
    seen = set()
    for item in _items(bgp_peers, "bgp_peers"):
        address = _address(item.get("peer_address"), "bgp_peers: peer_address")
        if address in seen:
            raise VpnCheckError(f"BGP peer {address} is listed twice")
        seen.add(address)
        tunnel = _text(item.get("tunnel"))
        if tunnel is not None and tunnel not in names:
            raise VpnCheckError(f"BGP peer {address}: tunnel {tunnel!r} is not among the expected tunnels")
        out["bgp_peers"].append({
            "peer_address": address,
            "peer_as": _as_number(item.get("peer_as"), f"BGP peer {address}: peer_as"),
            "tunnel": tunnel,
            "min_received_prefixes": _int(item.get("min_received_prefixes"),
                                          f"BGP peer {address}: min_received_prefixes"),
        })
    for item in _items(pings, "pings"):
        target = _address(item.get("target"), "pings: target")
        source = _text(item.get("source"))
        tunnel = _text(item.get("tunnel"))
        if tunnel is not None and tunnel not in names:
            raise VpnCheckError(f"ping {target}: tunnel {tunnel!r} is not among the expected tunnels")
        count = _int(item.get("count"), f"ping {target}: count", minimum=1)
        loss = _number(item.get("max_loss_percent"), f"ping {target}: max_loss_percent", 0, 100)
        out["pings"].append({
            "target": target,
            "source": _address(source, f"ping {target}: source") if source else None,
            "count": DEFAULT_PING_COUNT if count is None else count,
            "max_loss_percent": 0 if loss is None else loss,
            "tunnel": tunnel,
        })
    return out


# --------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------

def _problem(kind_of, name, kind, message, **fields):
    cause = CAUSES[kind].format(**fields)
    subject = {"tunnel": f"tunnel {name}", "bgp": f"BGP peer {name}", "ping": f"ping {name}"}[kind_of]
    return {
        "type": kind_of,
        "name": name,
        "kind": kind,
        "message": message,
        "cause": cause,
        "summary": f"{subject}: {message} - likely cause: {cause}",
    }


def summary_lines(problems):
    """One line per problem (what the module's failure message lists)."""
    return [p["summary"] for p in problems]


# --------------------------------------------------------------------------------------
# Tunnels
# --------------------------------------------------------------------------------------

def _ike_view(sa):
    if sa is None:
        return None
    return {key: sa.get(key) for key in ("state", "index", "exchange_type", "initiator_cookie",
                                         "responder_cookie", "local_address", "remote_address")}


def _ipsec_view(inbound, outbound):
    first = inbound or outbound
    if first is None:
        return None
    return {
        "tunnel_id": first.get("tunnel_id"),
        "spi_in": inbound.get("spi") if inbound else None,
        "spi_out": outbound.get("spi") if outbound else None,
        "protocol": first.get("protocol"),
        "encryption": first.get("encryption"),
        "integrity": first.get("integrity"),
        "port": first.get("port"),
        "lifetime_remaining_seconds": first.get("lifetime_seconds"),
        "vpn_monitoring": first.get("vpn_monitoring"),
    }


def _ipsec_groups(ipsec, remote):
    """SAs to ``remote`` grouped per tunnel index, lowest index first: [(in, out), ...]."""
    groups = {}
    for sa in ipsec:
        if same_address(sa.get("remote_gateway"), remote):
            slot = groups.setdefault(sa.get("tunnel_id"), {})
            slot.setdefault(sa.get("direction"), sa)
    return [(g.get("inbound"), g.get("outbound"))
            for _tid, g in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]


def _tunnel_result(exp, ike, groups):
    name, remote = exp["name"], exp["remote_address"]
    sas = [sa for sa in ike if same_address(sa.get("remote_address"), remote)]
    up = next((sa for sa in sas if sa.get("state") == "UP"), None)
    ike_sa = up or (sas[0] if sas else None)
    inbound, outbound = groups.pop(0) if groups else (None, None)
    problems = []
    if ike_sa is None:
        problems.append(_problem("tunnel", name, "no_ike_sa", f"no IKE SA with {remote}", remote=remote))
    elif up is None:
        problems.append(_problem("tunnel", name, "ike_not_up",
                                 f"IKE SA with {remote} is {ike_sa.get('state') or 'in no known state'}"))
    elif inbound is None and outbound is None:
        problems.append(_problem("tunnel", name, "no_ipsec_sa",
                                 f"IKE SA with {remote} is UP but there is no IPsec SA"))
    if (inbound is None) != (outbound is None):
        have, missing = ("inbound", "outbound") if inbound else ("outbound", "inbound")
        problems.append(_problem("tunnel", name, "half_ipsec_sa",
                                 f"only an {have} IPsec SA with {remote}, no {missing} one"))
    ipsec = _ipsec_view(inbound, outbound)
    if ipsec is not None:
        wanted = {"encryption": exp.get("encryption"), "integrity": exp.get("integrity")}
        norm = {"encryption": normalise_encryption, "integrity": normalise_integrity}
        for key, value in wanted.items():
            if value is not None and norm[key](value) != ipsec.get(key):
                problems.append(_problem(
                    "tunnel", name, "ipsec_algorithm",
                    f"the IPsec SA uses {key} {ipsec.get(key)}, the intent says {norm[key](value)}"))
    holds = not problems
    return {
        "name": name,
        "remote_address": remote,
        "vpn": exp.get("vpn"),
        "st0": exp.get("st0"),
        "state": "up" if up is not None and inbound is not None and outbound is not None else "down",
        "holds": holds,
        "ike": _ike_view(ike_sa),
        "ipsec": ipsec,
        "problems": problems,
    }


def tunnel_results(tunnels, ike, ipsec):
    """Per expected tunnel: observed IKE and IPsec SAs, ``state`` up/down, ``problems``.

    IPsec SAs belong to a tunnel by remote gateway == ``remote_address`` (one inbound and
    one outbound SA); several expected tunnels to one gateway take its SA pairs in order of
    tunnel index.
    """
    groups = {}
    results = []
    for exp in tunnels:
        key = exp["remote_address"]
        if key not in groups:
            groups[key] = _ipsec_groups(ipsec, key)
        results.append(_tunnel_result(exp, ike, groups[key]))
    return results


# --------------------------------------------------------------------------------------
# BGP
# --------------------------------------------------------------------------------------

def _bgp_cause(observed_state, tunnel, last_error):
    """(kind, cause fields, message suffix) for a session that is not Established."""
    if tunnel is not None and tunnel["state"] != "up":
        return "bgp_tunnel_down", {"tunnel": tunnel["name"]}, f": tunnel {tunnel['name']} is down"
    where = f" although tunnel {tunnel['name']} is up" if tunnel is not None else ""
    if last_error and "open" in last_error.lower():
        return "bgp_open_error", {"error": last_error}, where
    if tunnel is None:
        return "bgp_down", {}, where
    if observed_state == "Connect":
        return "bgp_connect", {}, where
    return "bgp_active", {}, where


def _bgp_result(exp, peers, tunnels_by_name, last_errors):
    address = exp["peer_address"]
    found = [p for p in peers if same_address(p.get("peer_address"), address)]
    peer = next((p for p in found if p.get("state") == "Established"), found[0] if found else None)
    tunnel = tunnels_by_name.get(exp.get("tunnel"))
    error = last_errors.get(address, {})
    state = peer.get("state") if peer else None
    problems = []
    if peer is None:
        problems.append(_problem("bgp", address, "bgp_not_configured",
                                 "not configured", address=address))
    elif exp.get("peer_as") is not None and peer.get("peer_as") != exp["peer_as"]:
        problems.append(_problem(
            "bgp", address, "bgp_peer_as",
            f"configured with peer AS {peer.get('peer_as')}, the intent says {exp['peer_as']} "
            f"(session {state})", address=address))
    elif state != "Established":
        kind, fields, suffix = _bgp_cause(state, tunnel, error.get("last_error"))
        problems.append(_problem("bgp", address, kind, f"session is {state}{suffix}",
                                 address=address, **fields))
    elif exp.get("min_received_prefixes") is not None:
        received = peer.get("received_prefixes") or 0
        if received < exp["min_received_prefixes"]:
            problems.append(_problem(
                "bgp", address, "bgp_prefixes",
                f"Established but {received} prefixes received, at least "
                f"{exp['min_received_prefixes']} expected"))
    established = state == "Established"
    return {
        "peer_address": address,
        "peer_as": exp.get("peer_as"),
        "observed_peer_as": peer.get("peer_as") if peer else None,
        "tunnel": exp.get("tunnel"),
        "state": state,
        "holds": not problems,
        "uptime_seconds": peer.get("elapsed_seconds") if peer and established else None,
        "last_up_down_seconds": peer.get("elapsed_seconds") if peer else None,
        "flaps": peer.get("flaps") if peer else None,
        "received_prefixes": peer.get("received_prefixes") if peer else None,
        "accepted_prefixes": peer.get("accepted_prefixes") if peer else None,
        "active_prefixes": peer.get("active_prefixes") if peer else None,
        "advertised_prefixes": peer.get("advertised_prefixes") if peer else None,
        "min_received_prefixes": exp.get("min_received_prefixes"),
        "last_error": error.get("last_error"),
        "problems": problems,
    }


def bgp_results(bgp_peers, peers, tunnels, last_errors=None):
    """Per expected BGP peer: observed state, AS, uptime, prefixes and ``problems``."""
    by_name = {t["name"]: t for t in tunnels}
    errors = {e["peer_address"]: e for e in (last_errors or [])}
    return [_bgp_result(exp, peers, by_name, errors) for exp in bgp_peers]


# --------------------------------------------------------------------------------------
# Pings
# --------------------------------------------------------------------------------------

def ping_result(exp, summary=None, error=None):
    """Result of one expected ping: ``summary`` (parsed), ``error`` (text), or neither
    (not run: the tunnel and BGP expectations did not hold)."""
    out = {
        "target": exp["target"], "source": exp.get("source"), "count": exp["count"],
        "max_loss_percent": exp["max_loss_percent"], "tunnel": exp.get("tunnel"),
        "status": "not run", "sent": None, "received": None, "loss_percent": None,
        "rtt_avg_ms": None, "error": None, "holds": False, "problems": [],
    }
    target = exp["target"]
    if error is not None:
        out.update(status="error", error=error)
        out["problems"].append(_problem("ping", target, "ping_error",
                                        f"ping {target} failed to run", error=error))
        return out
    if summary is None:
        return out
    loss = summary.get("loss_percent")
    out.update(sent=summary.get("sent"), received=summary.get("received"), loss_percent=loss,
               rtt_avg_ms=summary.get("rtt_avg_ms"))
    if loss is None or loss > exp["max_loss_percent"]:
        source = f" from {exp['source']}" if exp.get("source") else ""
        out["status"] = "failed"
        out["problems"].append(_problem(
            "ping", target, "ping_loss",
            f"{loss}% loss{source} ({summary.get('received')}/{summary.get('sent')} answered), "
            f"at most {exp['max_loss_percent']}% allowed", target=target))
    else:
        out["status"] = "ok"
        out["holds"] = True
    return out


# --------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------

def evaluate(expect, ike=(), ipsec=(), bgp=(), pings=None, last_errors=None):
    """Results and problems of one device's state against its expectations.

    ``ike``/``ipsec``/``bgp`` are parsed records; ``pings`` is the list of
    :func:`ping_result` dicts (``None``: not run); ``last_errors`` are records of
    ``parse_bgp_last_errors``. ``state_holds`` covers tunnels and BGP; ``ok`` also pings.
    """
    tunnels = tunnel_results(expect["tunnels"], list(ike), list(ipsec))
    peers = bgp_results(expect["bgp_peers"], list(bgp), tunnels, last_errors)
    if pings is None:
        pings = [ping_result(p) for p in expect["pings"]]
    state_holds = all(t["holds"] for t in tunnels) and all(p["holds"] for p in peers)
    ok = state_holds and all(p["holds"] for p in pings)
    problems = [p for item in (*tunnels, *peers, *pings) for p in item["problems"]]
    return {"tunnels": tunnels, "bgp_peers": peers, "pings": pings, "problems": problems,
            "state_holds": state_holds, "ok": ok}


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
        state["ipsec"] = parse_ipsec_sas(rpc(RPC_IPSEC))
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
