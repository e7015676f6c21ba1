# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The problems engine: parsed SRX state + expectations -> results, problems, likely causes.

One engine for every caller: the ``vpn_state`` module and the deploy's verify (through
``vpn_checks.poll``) and the ``tunnel_problems`` / ``bgp_problems`` / ``ping_problems``
filters. A fault gives one problem, with the same sentence whoever asks:

- :func:`normalise_expectations` checks and completes expectations (the module requires a
  name per tunnel; the filters do not);
- :func:`evaluate` compares parsed records (this package's parsers, or the filters' text and
  JSON readers: the same records) with them and returns per-tunnel, per-peer and per-ping
  results and the ``problems``;
- a problem is a dict: ``type`` (tunnel, bgp, ping), ``name``, ``kind`` (a key of
  :data:`CAUSES`), ``message``, ``text`` (subject and message: the sentence the filters
  return), ``cause`` and ``summary`` (``text`` and the likely cause: the module's lines).
"""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.addresses import (
    AddressError,
    canonical,
    same_address,
    strip_port,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
    clean,
    normalise_bgp_state,
    normalise_encryption,
    normalise_integrity,
    to_as,
    to_int,
)

DEFAULT_PING_COUNT = 3

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
    "selector_sa": (
        "the peer does not accept this traffic selector (TS_UNACCEPTABLE): its own selectors "
        "(or proxy-identity) must mirror this end's - local and remote swapped - or contain them"
    ),
    "vpn_monitor": (
        "VPN monitoring gets no ICMP answer through the tunnel from {target}: host-inbound ping "
        "missing on the peer's st0 zone, or selectors that do not carry the tunnel addresses"
    ),
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
    "bgp_state": (
        "the session is not in the state the expectation names ({wanted}): its last error "
        "(show bgp neighbor {address}) tells why"
    ),
    "bgp_prefixes": (
        "the peer advertises nothing to this device: export policy missing or matching nothing "
        "on the peer (or an import policy here rejects the routes)"
    ),
    "bgp_advertised": (
        "this device advertises nothing to {address}: export policy missing or matching "
        "nothing here"
    ),
    "ping_loss": (
        "with the tunnel and BGP up: host-inbound-traffic system-services ping missing on the "
        "zone of {target} on the peer, a security policy denying it, or no route to {target} "
        "through the tunnel"
    ),
    "ping_error": "the device could not run the ping: {error}",
}


class VpnCheckError(SrxStateError):
    """Invalid expectations (a ``ValueError``)."""


# --------------------------------------------------------------------------------------
# Expectations
# --------------------------------------------------------------------------------------

def _int(value, what, minimum=0):
    if value == "":
        return None
    return to_int(value, what, minimum=minimum, error=VpnCheckError)


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
    text = strip_port(value)
    if text is None:
        raise VpnCheckError(f"{what} is required")
    try:
        return canonical(text)
    except AddressError:
        raise VpnCheckError(f"{what} is not an IP address: {value!r}") from None


def _prefix(value, what):
    """A prefix written canonically (``10.1.0.0/16``); a bare address is a /32 (or /128)."""
    text = clean(value)
    if text is None:
        raise VpnCheckError(f"{what} is required")
    address, _slash, length = str(text).partition("/")
    try:
        host = canonical(address)
    except AddressError:
        raise VpnCheckError(f"{what} is not a prefix: {value!r}") from None
    bits = 32 if ":" not in host else 128
    if not length:
        return f"{host}/{bits}"
    if not length.isdigit() or int(length) > bits:
        raise VpnCheckError(f"{what} is not a prefix: {value!r}")
    return f"{host}/{int(length)}"


def _items(value, what):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise VpnCheckError(f"{what} must be a list, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, dict):
            raise VpnCheckError(f"every item of {what} must be a dict, got {item!r}")
    return list(value)


_PREFIX_MINIMUMS = ("min_received_prefixes", "min_accepted_prefixes", "min_active_prefixes",
                    "min_advertised_prefixes")


def _tunnels(tunnels, names_required):
    out, names = [], set()
    for n, item in enumerate(_items(tunnels, "tunnels")):
        name = clean(item.get("name"))
        if name is None and names_required:
            raise VpnCheckError(f"tunnels[{n}] has no name")
        if name is not None and name in names:
            raise VpnCheckError(f"tunnel {name!r} is listed twice")
        names.add(name)
        who = f"tunnel {name}" if name is not None else f"tunnels[{n}]"
        selectors = []
        for k, sel in enumerate(_items(item.get("selectors"), f"{who}: selectors")):
            selectors.append({end: _prefix(sel.get(end), f"{who}: selectors[{k}].{end}")
                              for end in ("local", "remote")})
        out.append({
            "name": name,
            "remote_address": _address(item.get("remote_address"), f"{who}: remote_address"),
            "backup_addresses": [_address(a, f"{who}: backup_addresses") for a in item.get("backup_addresses") or []],
            "selectors": selectors,
            "vpn_monitor": bool(item.get("vpn_monitor")),
            "tunnel_id": _int(item.get("tunnel_id"), f"{who}: tunnel_id"),
            "vpn": clean(item.get("vpn")),
            "st0": clean(item.get("st0")),
            "encryption": clean(item.get("encryption")),
            "integrity": clean(item.get("integrity")),
        })
    return out, names


def _bgp_peers(bgp_peers, names):
    out, seen = [], set()
    for item in _items(bgp_peers, "bgp_peers"):
        address = _address(item.get("peer_address"), "bgp_peers: peer_address")
        if address in seen:
            raise VpnCheckError(f"BGP peer {address} is listed twice")
        seen.add(address)
        tunnel = clean(item.get("tunnel"))
        if tunnel is not None and tunnel not in names:
            raise VpnCheckError(f"BGP peer {address}: tunnel {tunnel!r} is not among the expected tunnels")
        peer = {
            "peer_address": address,
            "peer_as": to_as(item.get("peer_as"), f"BGP peer {address}: peer_as", error=VpnCheckError),
            "tunnel": tunnel,
            "state": normalise_bgp_state(item.get("state")) or "Established",
            "name": clean(item.get("name")),
        }
        for key in _PREFIX_MINIMUMS:
            peer[key] = _int(item.get(key), f"BGP peer {address}: {key}")
        out.append(peer)
    return out


def _pings(pings, names):
    out = []
    for item in _items(pings, "pings"):
        target = _address(item.get("target"), "pings: target")
        source = clean(item.get("source"))
        tunnel = clean(item.get("tunnel"))
        if tunnel is not None and tunnel not in names:
            raise VpnCheckError(f"ping {target}: tunnel {tunnel!r} is not among the expected tunnels")
        count = _int(item.get("count"), f"ping {target}: count", minimum=1)
        loss = _number(item.get("max_loss_percent"), f"ping {target}: max_loss_percent", 0, 100)
        out.append({
            "target": target,
            "source": _address(source, f"ping {target}: source") if source else None,
            "count": DEFAULT_PING_COUNT if count is None else count,
            "max_loss_percent": 0 if loss is None else loss,
            "tunnel": tunnel,
        })
    return out


def normalise_expectations(tunnels=None, bgp_peers=None, pings=None, names_required=True):
    """Checked copy of one device's expectations, defaults filled in.

    ``tunnels``: ``name`` (required unless ``names_required`` is false), ``remote_address``
    (required), ``backup_addresses`` (the tunnel may be up with one of them instead),
    ``tunnel_id`` (the IPsec tunnel index; default: the SA pairs to the gateway in index
    order), ``vpn``, ``st0``, ``encryption``, ``integrity``, ``selectors`` (``[{local,
    remote}]``: an IPsec SA pair each), ``vpn_monitor`` (the SA's VPN monitoring is UP). ``bgp_peers``:
    ``peer_address`` (required), ``peer_as``, ``tunnel``, ``state`` (the wanted state,
    default Established), ``min_received_prefixes``, ``min_accepted_prefixes``,
    ``min_active_prefixes``, ``min_advertised_prefixes``, ``name`` (a label). ``pings``:
    ``target`` (required), ``source``, ``count`` (3), ``max_loss_percent`` (0), ``tunnel``.
    Addresses are written canonically (``2001:DB8::1`` -> ``2001:db8::1``, no ``+port``).
    """
    out_tunnels, names = _tunnels(tunnels, names_required)
    names.discard(None)
    return {"tunnels": out_tunnels, "bgp_peers": _bgp_peers(bgp_peers, names),
            "pings": _pings(pings, names)}


# --------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------

def _problem(subject, kind_of, name, kind, message, **fields):
    cause = CAUSES[kind].format(**fields)
    text = f"{subject}: {message}"
    return {
        "type": kind_of,
        "name": name,
        "kind": kind,
        "message": message,
        "text": text,
        "cause": cause,
        "summary": f"{text} - likely cause: {cause}",
    }


def summary_lines(problems):
    """One line per problem with its likely cause (what the module's failure message lists)."""
    return [p["summary"] for p in problems]


def problem_sentences(problems):
    """One sentence per problem, without the cause (what the filters return)."""
    return [p["text"] for p in problems]


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
    """SAs to ``remote`` grouped per tunnel index, lowest index first: [(index, in, out)]."""
    groups = {}
    for sa in ipsec:
        if same_address(sa.get("remote_gateway"), remote):
            slot = groups.setdefault(sa.get("tunnel_id"), {})
            slot.setdefault(sa.get("direction"), sa)
    return [(tid, g.get("inbound"), g.get("outbound"))
            for tid, g in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]


def _take_group(groups, tunnel_id):
    """The SA pair of ``tunnel_id`` (or the next one in index order), removed from ``groups``."""
    for n, (tid, inbound, outbound) in enumerate(groups):
        if tunnel_id is None or tid == tunnel_id:
            del groups[n]
            return inbound, outbound
    return None, None


def _in_use(exp, ike):
    """The gateway address the tunnel uses: the first of its address and backup addresses
    with an IKE SA UP (else its address)."""
    for address in [exp["remote_address"], *exp.get("backup_addresses", [])]:
        if any(same_address(sa.get("remote_address"), address) and sa.get("state") == "UP" for sa in ike):
            return address
    return exp["remote_address"]


def _selector_problems(exp, groups, remote, problem):
    """One problem per expected traffic selector without its IPsec SA pair to ``remote``.

    A pair is matched by the SA's local and remote identities when the output shows them;
    otherwise the tunnel needs as many SA pairs as selectors."""
    pairs = [g for g in groups if g[1] is not None and g[2] is not None]
    with_ids = [g for g in pairs if g[1].get("local_identity") is not None]
    if not with_ids:
        if len(pairs) >= len(exp["selectors"]):
            return []
        return [problem("selector_sa", f"{len(pairs)} IPsec SA pair(s) with {remote} for "
                                       f"{len(exp['selectors'])} traffic selectors")]
    out = []
    for sel in exp["selectors"]:
        if not any(_same_prefix(g[1].get("local_identity"), sel["local"])
                   and _same_prefix(g[1].get("remote_identity"), sel["remote"]) for g in with_ids):
            out.append(problem("selector_sa", f"no IPsec SA with {remote} for traffic selector "
                                              f"{sel['local']} -> {sel['remote']}"))
    return out


def _same_prefix(observed, wanted):
    if observed is None:
        return False
    try:
        return _prefix(observed, "identity") == wanted
    except VpnCheckError:
        return False


def _tunnel_result(exp, ike, groups_of):
    remote = _in_use(exp, ike)
    groups = groups_of(remote)
    name = exp.get("name") or exp["remote_address"]
    subject = f"tunnel {exp['name']}" if exp.get("name") else f"tunnel to {exp['remote_address']}"

    def problem(kind, message, **fields):
        return _problem(subject, "tunnel", name, kind, message, **fields)

    sas = [sa for sa in ike if same_address(sa.get("remote_address"), remote)]
    up = next((sa for sa in sas if sa.get("state") == "UP"), None)
    ike_sa = up or (sas[0] if sas else None)
    selectors = exp.get("selectors") or []
    all_groups = list(groups) if selectors else None
    inbound, outbound = _take_group(groups, exp.get("tunnel_id"))
    where = f" (tunnel index {exp['tunnel_id']})" if exp.get("tunnel_id") is not None else ""
    problems = []
    if ike_sa is None:
        problems.append(problem("no_ike_sa", f"no IKE SA with {remote}", remote=remote))
    elif up is None:
        problems.append(problem("ike_not_up",
                                f"IKE SA with {remote} is {ike_sa.get('state') or 'in no known state'}"))
    elif inbound is None and outbound is None:
        problems.append(problem("no_ipsec_sa", f"IKE SA with {remote} is UP but there is no IPsec SA{where}"))
    if (inbound is None) != (outbound is None):
        have, missing = ("inbound", "outbound") if inbound else ("outbound", "inbound")
        problems.append(problem("half_ipsec_sa",
                                f"only an {have} IPsec SA with {remote}{where}, no {missing} one"))
    if selectors and up is not None and (inbound is not None or outbound is not None):
        problems += _selector_problems(exp, all_groups, remote, problem)
        groups[:] = [g for g in groups if g not in all_groups]   # the tunnel's selectors take all its pairs
    ipsec = _ipsec_view(inbound, outbound)
    if ipsec is not None and exp.get("vpn_monitor") and not problems and ipsec.get("vpn_monitoring") != "UP":
        problems.append(problem("vpn_monitor", f"VPN monitoring of the IPsec SA with {remote} is "
                                               f"{ipsec.get('vpn_monitoring') or 'not running'}", target=remote))
    if ipsec is not None:
        wanted = {"encryption": exp.get("encryption"), "integrity": exp.get("integrity")}
        norm = {"encryption": normalise_encryption, "integrity": normalise_integrity}
        for key, value in wanted.items():
            if value is not None and norm[key](value) != ipsec.get(key):
                problems.append(problem(
                    "ipsec_algorithm",
                    f"the IPsec SA uses {key} {ipsec.get(key)}, the intent says {norm[key](value)}"))
    return {
        "name": exp.get("name"),
        "remote_address": remote,
        "selectors": len(selectors) or None,
        "vpn": exp.get("vpn"),
        "st0": exp.get("st0"),
        "state": "up" if up is not None and inbound is not None and outbound is not None else "down",
        "holds": not problems,
        "ike": _ike_view(ike_sa),
        "ipsec": ipsec,
        "problems": problems,
    }


def tunnel_results(tunnels, ike, ipsec):
    """Per expected tunnel: observed IKE and IPsec SAs, ``state`` up/down, ``problems``.

    IPsec SAs belong to a tunnel by remote gateway == ``remote_address`` (one inbound and
    one outbound SA) and, when the expectation names one, by ``tunnel_id``; several expected
    tunnels to one gateway otherwise take its SA pairs in order of tunnel index.
    """
    groups = {}
    results = []

    def groups_of(address):
        if address not in groups:
            groups[address] = _ipsec_groups(ipsec, address)
        return groups[address]

    for exp in tunnels:
        results.append(_tunnel_result(exp, ike, groups_of))
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


_PREFIX_WORDS = (
    ("min_received_prefixes", "received_prefixes", "received", "bgp_prefixes"),
    ("min_accepted_prefixes", "accepted_prefixes", "accepted", "bgp_prefixes"),
    ("min_active_prefixes", "active_prefixes", "active", "bgp_prefixes"),
    ("min_advertised_prefixes", "advertised_prefixes", "advertised", "bgp_advertised"),
)


def _prefix_problems(problem, exp, peer, state):
    problems = []
    for key, field, word, kind in _PREFIX_WORDS:
        minimum = exp.get(key)
        if minimum is None:
            continue
        got = peer.get(field)
        if got is None:
            problems.append(problem(kind, f"{state} but reports no {word} prefix count, "
                                          f"at least {minimum} expected"))
        elif got < minimum:
            problems.append(problem(kind, f"{state} but {got} prefixes {word}, at least {minimum} expected"))
    return problems


def _bgp_result(exp, peers, tunnels_by_name, last_errors):
    address = exp["peer_address"]
    wanted = exp.get("state") or "Established"
    subject = f"BGP peer {address}"
    if exp.get("name"):
        subject = f"{exp['name']}: {subject}"

    def problem(kind, message, **fields):
        return _problem(subject, "bgp", address, kind, message, address=address, **fields)

    found = [p for p in peers if same_address(p.get("peer_address"), address)]
    peer = next((p for p in found if p.get("state") == wanted), found[0] if found else None)
    tunnel = tunnels_by_name.get(exp.get("tunnel"))
    error = last_errors.get(address, {})
    state = peer.get("state") if peer else None
    problems = []
    if peer is None:
        problems.append(problem("bgp_not_configured", "not configured"))
    elif exp.get("peer_as") is not None and peer.get("peer_as") != exp["peer_as"]:
        problems.append(problem(
            "bgp_peer_as",
            f"configured with peer AS {peer.get('peer_as')}, the intent says {exp['peer_as']} "
            f"(session {state})"))
    elif state != wanted and wanted != "Established":
        problems.append(problem("bgp_state", f"session is {state}, expected {wanted}", wanted=wanted))
    elif state != wanted:
        kind, fields, suffix = _bgp_cause(state, tunnel, error.get("last_error"))
        problems.append(problem(kind, f"session is {state}{suffix}", **fields))
    else:
        problems.extend(_prefix_problems(problem, exp, peer, state))
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
    """Per expected BGP peer: observed state, AS, uptime, prefixes and ``problems``.

    The peer AS is checked first (a mismatch keeps the session from ever establishing),
    then the state, then -- in the wanted state -- the prefix minimums."""
    by_name = {t["name"]: t for t in tunnels if t.get("name") is not None}
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
    subject = f"ping {target}"
    if error is not None:
        out.update(status="error", error=error)
        out["problems"].append(_problem(subject, "ping", target, "ping_error",
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
            subject, "ping", target, "ping_loss",
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
