# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The VPN status report: per-device ``netops.srx_vpn.vpn_state`` results -> one fleet model
-> Markdown and JSON.

- :func:`build_report` joins the results of every device by tunnel name (both ends of a
  tunnel side by side), attaches each BGP peer and ping to its tunnel, rates every tunnel
  (``UP``, ``DEGRADED``: IPsec up but BGP or ping over it failing, ``DOWN``, ``UNKNOWN``: an
  end has no result) and lists every problem;
- :func:`render_markdown` / :func:`render_json` print it. The output is deterministic:
  devices, tunnels and problems sorted, the timestamp only in the header line
  (``generated_at`` in JSON).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile

STATES = ("UP", "DEGRADED", "DOWN", "UNKNOWN")
COLOURS = {"UP": "#2e7d32", "DEGRADED": "#ef6c00", "DOWN": "#c62828", "UNKNOWN": "#757575"}


class ReportError(ValueError):
    """The results or the tunnel list cannot be reported."""


# --------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------

def _first_line(text):
    text = str(text or "").strip()
    return text.splitlines()[0] if text else ""


def _has_data(result):
    return isinstance(result, dict) and isinstance(result.get("tunnels"), list)


def _device_entry(host, result):
    if _has_data(result):
        return {
            "status": "ok" if result.get("ok") else "problems",
            "rounds": result.get("rounds"),
            "rpc_count": result.get("rpc_count"),
            "elapsed": result.get("elapsed"),
            "error": None,
        }
    if not isinstance(result, dict):
        error = "no result (host not run)"
    elif result.get("unreachable"):
        error = f"unreachable: {_first_line(result.get('msg'))}"
    elif result.get("skipped"):
        error = "skipped"
    else:
        error = _first_line(result.get("msg") or result.get("error")) or "no state returned"
    return {"status": "error", "rounds": None, "rpc_count": None, "elapsed": None, "error": error}


def _tunnel_list(tunnels):
    out = {}
    for n, item in enumerate(tunnels or []):
        if not isinstance(item, dict) or not item.get("name"):
            raise ReportError(f"tunnels[{n}] must be a dict with a name")
        ends = item.get("ends") or []
        if not isinstance(ends, (list, tuple)) or not 1 <= len(ends) <= 2:
            raise ReportError(f"tunnel {item['name']}: ends must list one or two devices")
        out[str(item["name"])] = [str(e) for e in ends]
    return out


def _ping_tunnel(ping, peers):
    if ping.get("tunnel"):
        return ping["tunnel"]
    for peer in peers:
        if peer.get("peer_address") == ping.get("target") and peer.get("tunnel"):
            return peer["tunnel"]
    return None


def _end_view(tunnel, peers, pings):
    return {
        "state": tunnel.get("state"),
        "remote_address": tunnel.get("remote_address"),
        "vpn": tunnel.get("vpn"),
        "st0": tunnel.get("st0"),
        "ike": tunnel.get("ike"),
        "ipsec": tunnel.get("ipsec"),
        "bgp_peers": peers,
        "pings": pings,
        "problems": [p.get("summary") for p in tunnel.get("problems", [])]
        + [p.get("summary") for item in (*peers, *pings) for p in item.get("problems", [])],
    }


def _rate(ends):
    views = list(ends.values())
    if any(v is not None and v["state"] != "up" for v in views):
        return "DOWN"
    if not views or any(v is None for v in views):
        return "UNKNOWN"
    if any(v["problems"] for v in views):
        return "DEGRADED"
    return "UP"


def _run_section(run):
    """The deploy run's record (``fleet.run_fleet``): outcome per tunnel, action per device."""
    if not run:
        return None
    return {
        "run_id": run.get("run_id"), "started": run.get("started"), "finished": run.get("finished"),
        "failed": bool(run.get("failed")),
        "outcomes": {name: {"outcome": t.get("outcome"), "detail": t.get("detail", ""),
                            "up_before": t.get("up_before"), "removed": bool(t.get("removed"))}
                     for name, t in sorted((run.get("tunnels") or {}).items())},
        "actions": {name: {"action": d.get("action"), "detail": d.get("detail", ""),
                           "pending": d.get("pending")}
                    for name, d in sorted((run.get("devices") or {}).items())},
        "components": run.get("components") or [],
        "events": run.get("events") or [],
    }


def build_report(results, tunnels=None, generated_at=None, run=None, warnings=None):
    """Fleet model of the per-device results.

    ``results`` maps a device name to its ``vpn_state`` result (or to a failed or
    unreachable task result, or ``None``). ``tunnels`` (optional) lists
    ``{name, ends: [device, device]}`` so that a tunnel whose device gave no result still
    appears; without it the tunnels and their ends come from the results.
    ``generated_at`` defaults to now (UTC, ISO 8601). ``run`` (optional) is a deploy run's
    record: its id, start, the outcome of every tunnel and the action on every device.
    ``warnings`` (optional): the run's warnings (a tunnel using its legacy opt-in), each once.
    """
    if not isinstance(results, dict):
        raise ReportError(f"results must be a dict of device -> vpn_state result, got {type(results).__name__}")
    if generated_at is None:
        generated_at = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    given = _tunnel_list(tunnels)
    devices = {str(h): _device_entry(str(h), r) for h, r in results.items()}
    for ends in given.values():
        for host in ends:
            devices.setdefault(host, _device_entry(host, None))

    ends_of = {name: list(ends) for name, ends in given.items()}
    views = {}        # tunnel -> device -> end view
    extra = []        # BGP peers / pings not attached to a tunnel: (device, kind, item)
    problems = []
    for host in sorted(devices):
        result = results.get(host)
        if not _has_data(result):
            problems.append({"device": host, "type": "device", "name": host, "kind": "no_data",
                             "message": devices[host]["error"], "cause": "",
                             "summary": f"device {host}: {devices[host]['error']}"})
            continue
        peers = list(result.get("bgp_peers") or [])
        pings = list(result.get("pings") or [])
        names = {t.get("name") for t in result["tunnels"]}
        for tunnel in result["tunnels"]:
            name = tunnel.get("name")
            mine_peers = [p for p in peers if p.get("tunnel") == name]
            mine_pings = [p for p in pings if _ping_tunnel(p, peers) == name]
            views.setdefault(name, {})[host] = _end_view(tunnel, mine_peers, mine_pings)
            ends = ends_of.setdefault(name, [])
            if host not in ends and (name not in given):
                ends.append(host)
        extra += [(host, "bgp", p) for p in peers if p.get("tunnel") not in names]
        extra += [(host, "ping", p) for p in pings if _ping_tunnel(p, peers) not in names]
        for problem in result.get("problems") or []:
            problems.append({"device": host, **{k: problem.get(k) for k in
                                                ("type", "name", "kind", "message", "cause", "summary")}})

    tunnel_models = []
    for name in sorted(ends_of):
        ends = sorted(ends_of[name])
        end_views = {host: views.get(name, {}).get(host) for host in ends}
        remote = None
        if len(ends) == 1 and end_views[ends[0]] is not None:
            remote = end_views[ends[0]]["remote_address"]
        tunnel_models.append({"name": name, "state": _rate(end_views), "ends": end_views,
                              "external_peer": remote})

    counts = {state.lower(): sum(t["state"] == state for t in tunnel_models) for state in STATES}
    return {
        "generated_at": generated_at,
        "summary": {"devices": len(devices), "tunnels": len(tunnel_models), **counts,
                    "problems": len(problems)},
        "devices": {h: devices[h] for h in sorted(devices)},
        "tunnels": tunnel_models,
        "other_checks": [{"device": h, "type": k, **item} for h, k, item in extra],
        "problems": problems,
        "run": _run_section(run),
        "warnings": list(dict.fromkeys(str(w) for w in warnings or ())),
    }


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------

def _cell(text):
    text = "-" if text is None or text == "" else str(text)
    return text.replace("|", "\\|").replace("\n", "<br>")


def _duration(seconds):
    if seconds is None:
        return None
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}" if minutes else f"{secs}s"


def _ike_text(ike):
    if not ike:
        return "no IKE SA"
    mode = f" ({ike['exchange_type']})" if ike.get("exchange_type") else ""
    return f"{ike.get('state')}{mode}"


def _spi_text(ipsec):
    if not ipsec:
        return "no IPsec SA"
    spi_in = f"`{ipsec['spi_in']}`" if ipsec.get("spi_in") else "none"
    spi_out = f"`{ipsec['spi_out']}`" if ipsec.get("spi_out") else "none"
    return f"{spi_in} / {spi_out}"


def _alg_text(ipsec):
    if not ipsec:
        return None
    text = f"{ipsec.get('protocol') or 'ESP'} {ipsec.get('encryption') or 'none'} / {ipsec.get('integrity') or 'none'}"
    return text + (f", UDP {ipsec['port']} (NAT-T)" if ipsec.get("port") == 4500 else "")


def _lifetime_text(ipsec):
    if not ipsec or ipsec.get("lifetime_remaining_seconds") is None:
        return None
    return f"{ipsec['lifetime_remaining_seconds']} s"


def _bgp_text(peer):
    who = peer.get("peer_address")
    if peer.get("peer_as") is not None:
        who += f" (AS {peer['peer_as']})"
    state = peer.get("state") or "not configured"
    if state == "Established":
        uptime = _duration(peer.get("uptime_seconds"))
        up = f" {uptime}" if uptime else ""
        words = (("received_prefixes", "received"), ("accepted_prefixes", "accepted"),
                 ("active_prefixes", "active"))
        counts = [f"{peer.get(k)} {w}" for k, w in words if peer.get(k) is not None]
        prefixes = f", prefixes {' / '.join(counts)}" if counts else ""
        return f"{who}: Established{up}{prefixes}"
    return f"{who}: {state}"


def _ping_text(ping):
    source = f" from {ping['source']}" if ping.get("source") else ""
    head = f"{ping.get('target')}{source}: "
    if ping.get("status") == "not run":
        return head + "not run"
    if ping.get("status") == "error":
        return head + f"error ({ping.get('error')})"
    return head + f"{ping.get('loss_percent')}% loss ({ping.get('received')}/{ping.get('sent')})"


def _end_rows(view):
    if view is None:
        return {key: "no result" for key in ROWS}
    return {
        "remote": view.get("remote_address"),
        "ike": _ike_text(view.get("ike")),
        "spi": _spi_text(view.get("ipsec")),
        "alg": _alg_text(view.get("ipsec")),
        "life": _lifetime_text(view.get("ipsec")),
        "bgp": "\n".join(_bgp_text(p) for p in view["bgp_peers"]) or None,
        "ping": "\n".join(_ping_text(p) for p in view["pings"]) or None,
        "problems": f"{len(view['problems'])}, see Problems" if view["problems"] else "none",
    }


ROWS = {
    "remote": "Remote gateway",
    "ike": "IKE",
    "spi": "IPsec SPI in / out",
    "alg": "IPsec algorithms",
    "life": "IPsec lifetime left",
    "bgp": "BGP",
    "ping": "Ping loss",
    "problems": "Problems",
}


def _node_id(name, used):
    base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
    node, n = base, 2
    while node in used and used[node] != name:
        node, n = f"{base}_{n}", n + 1
    used[node] = name
    return node


def _mermaid(model):
    used = {}
    ids = {host: _node_id(host, used) for host in model["devices"]}
    lines = ["```mermaid", "graph LR"]
    for host in model["devices"]:
        lines.append(f'  {ids[host]}["{host}"]')
    edges, styles = [], []
    for tunnel in model["tunnels"]:
        ends = list(tunnel["ends"])
        if len(ends) == 2:
            a, b = ids[ends[0]], ids[ends[1]]
        else:
            remote = tunnel["external_peer"] or "peer outside the inventory"
            a = ids[ends[0]]
            b = _node_id(f"remote {remote}", used)
            lines.append(f'  {b}(["{remote}"])')
        label = f"{tunnel['name']} {tunnel['state']}"
        edges.append(f'  {a} ---|"{label}"| {b}')
        dash = ",stroke-dasharray:6 4" if tunnel["state"] in ("DOWN", "UNKNOWN") else ""
        styles.append(f"  linkStyle {len(edges) - 1} stroke:{COLOURS[tunnel['state']]},stroke-width:3px{dash}")
    return [*lines, *edges, *styles, "```"]


def _problem_line(problem):
    return f"- **{problem['device']}** {problem['summary']}"


def _run_markdown(run):
    if not run:
        return []
    verdict = "FAILED: not every change holds (see the outcomes)" if run["failed"] else "succeeded"
    out = ["## Run", "", f"Run `{run['run_id']}` started {run['started']}, finished {run['finished']}: {verdict}.",
           "", "| Tunnel | Outcome | Up before | Detail |", "|---|---|---|---|"]
    for name, t in run["outcomes"].items():
        out.append(f"| {_cell(name)} | {_cell(t['outcome'])} | {_cell('yes' if t['up_before'] else 'no')} | "
                   f"{_cell(t['detail'])} |")
    out += ["", "| Device | Action | Detail |", "|---|---|---|"]
    for name, d in run["actions"].items():
        detail = "; ".join(x for x in (d.get("pending"), d.get("detail")) if x)
        out.append(f"| {_cell(name)} | {_cell(d['action'])} | {_cell(detail)} |")
    return out + [""]


def _warnings_markdown(warnings):
    if not warnings:
        return []
    return ["## Warnings", "", *(f"- {w}" for w in warnings), ""]


def render_markdown(model):
    """The Markdown report of a :func:`build_report` model."""
    s = model["summary"]
    out = [
        "# VPN status",
        "",
        f"Generated {model['generated_at']} by netops.srx_vpn.vpn_report.",
        "",
        (f"{s['tunnels']} tunnel(s): {s['up']} up, {s['degraded']} degraded, {s['down']} down, "
         f"{s['unknown']} unknown; {s['devices']} device(s); {s['problems']} problem(s)."),
        "",
        *_run_markdown(model.get("run")),
        *_warnings_markdown(model.get("warnings")),
        "## Fleet",
        "",
        *_mermaid(model),
        "",
        "## Devices",
        "",
        "| Device | Result | Rounds | RPCs | Seconds |",
        "|---|---|---|---|---|",
    ]
    for host, dev in model["devices"].items():
        result = dev["status"] if dev["error"] is None else f"error: {dev['error']}"
        out.append(f"| {_cell(host)} | {_cell(result)} | {_cell(dev['rounds'])} | "
                   f"{_cell(dev['rpc_count'])} | {_cell(dev['elapsed'])} |")
    out += ["", "## Tunnels"]
    if not model["tunnels"]:
        out += ["", "No tunnel expected."]
    for tunnel in model["tunnels"]:
        ends = list(tunnel["ends"])
        rows = {host: _end_rows(view) for host, view in tunnel["ends"].items()}
        out += ["", f"### {tunnel['name']}: {tunnel['state']}", "",
                "| | " + " | ".join(_cell(h) for h in ends) + " |",
                "|---|" + "---|" * len(ends)]
        for key, label in ROWS.items():
            out.append(f"| {label} | " + " | ".join(_cell(rows[h][key]) for h in ends) + " |")
    if model["other_checks"]:
        out += ["", "## Other checks", ""]
        for item in model["other_checks"]:
            text = _bgp_text(item) if item["type"] == "bgp" else "ping " + _ping_text(item)
            out.append(f"- **{item['device']}** {text}")
    out += ["", "## Problems", ""]
    if model["problems"]:
        out += [_problem_line(p) for p in model["problems"]]
    else:
        out.append("None: every tunnel, BGP session and ping holds.")
    return "\n".join(out) + "\n"


def render_json(model):
    """The JSON report: the model, keys sorted, two-space indent, trailing newline."""
    return json.dumps(model, indent=2, sort_keys=True) + "\n"


def without_timestamp(text):
    """The report text minus its timestamp, to tell whether anything else changed."""
    text = re.sub(r"^Generated \S+ by ", "Generated by ", text, count=1, flags=re.MULTILINE)
    return re.sub(r'"generated_at": "[^"]*"', '"generated_at": ""', text, count=1)


# --------------------------------------------------------------------------------------
# Helpers of the action plugins that write reports
# --------------------------------------------------------------------------------------

def plain(value):
    """Plain dicts/lists/scalars (hostvars and task args hand out lazy and tagged containers)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def write_file(path, text):
    """Write ``text`` to ``path`` atomically (a temporary file in the same folder, then rename)."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".vpn_report.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
