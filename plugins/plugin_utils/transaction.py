# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet transaction: which tunnels a run changes, what rolls back together, and why.

Pure functions, no device contact; ``fleet.py`` feeds them what it read and did.

* :func:`touched_tunnels` maps a device's Junos diff to the tunnels it touches.
* :func:`components` groups the changed tunnels: two changed tunnels are in one component
  when one device's change touches both; a component is the unit of rollback.
* :func:`batches` packs whole components into batches (a component is never split).
* :func:`tunnel_verdicts` joins both ends' ``vpn_state`` results into one verdict per tunnel
  (its IKE/IPsec SA, BGP peer and ping expectations, on both ends).
* :func:`decide` is THE decision: per component confirm or roll back, with the reasons.
* :func:`outcomes` turns decisions and the post-rollback check into the per-tunnel outcome and
  the per-device action that the report records.
"""
from __future__ import annotations

import re

# Per-tunnel outcomes of a run.
CHANGED_VERIFIED = "changed-verified"
ROLLED_BACK_RESTORED = "rolled-back-restored"
ROLLED_BACK_STILL_DOWN = "rolled-back-still-down"
UNCHANGED = "unchanged"
NOT_REACHED = "not-reached"
OUTCOMES = (CHANGED_VERIFIED, ROLLED_BACK_RESTORED, ROLLED_BACK_STILL_DOWN, UNCHANGED, NOT_REACHED)

# Per-device actions of a run.
CONFIRMED = "confirmed"
ROLLED_BACK = "rolled back"
ROLLED_BACK_BY_JUNOS = "rolled back by Junos after the confirm window"
UNCHANGED_DEVICE = "unchanged"
UNREACHABLE = "unreachable"
NOT_PUSHED = "not pushed"
WOULD_CHANGE = "would change (check mode)"
FAILED = "failed"

_HEADER_RE = re.compile(r"^\[edit(?: (.*))?\]$")


def _tunnel_tokens(plan: dict) -> dict[str, set[str]]:
    """Words that name one tunnel's own objects on this device (present or being removed)."""
    out: dict[str, set[str]] = {}
    for t in [*plan.get("tunnels", []), *plan.get("absent", [])]:
        names = t["names"]
        words = {names["gateway"], names["ike_policy"], names["ipsec_policy"], names["vpn"],
                 t["st0"], f"st0.{t['st0_unit']}", t["peer"]["address"]}
        out.setdefault(t["name"], set()).update(words)
    return out


def _proposal_users(plan: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for t in [*plan.get("tunnels", []), *plan.get("absent", [])]:
        for key in ("ike_proposal", "ipsec_proposal"):
            out.setdefault(t["names"][key], set()).add(t["name"])
    return out


def _hunks(diff: str):
    """(header words, body lines) of each ``[edit ...]`` section of a Junos diff."""
    header, body = None, []
    for line in diff.splitlines():
        m = _HEADER_RE.match(line.strip())
        if m:
            if header is not None or body:
                yield header or [], body
            header, body = (m.group(1) or "").split(), []
        elif line.strip():
            body.append(line)
    if header is not None or body:
        yield header or [], body


def touched_tunnels(diff: str, plan: dict, previous_names: dict[str, set[str]] | None = None) -> set[str]:
    """Tunnels of ``plan``'s device that the Junos ``diff`` touches.

    A section of the diff belongs to a tunnel when it names one of the tunnel's own objects
    (gateway, policies, VPN, st0 unit, BGP neighbour address) or a proposal the tunnel uses.
    A section that names none (the VPN zone's host-inbound services, the export policy, the
    AS number...) touches every tunnel of the device: the safe reading. ``previous_names``
    maps other object names (found on the device, no longer in the intent) to tunnels.
    """
    if not diff or not diff.strip():
        return set()
    tokens = _tunnel_tokens(plan)
    proposals = _proposal_users(plan)
    every = set(tokens)
    touched: set[str] = set()
    for header, body in _hunks(diff):
        words = set(header)
        st0 = header[:1] == ["interfaces"] and "st0" in header
        for line in body:
            text = line.strip().lstrip("+-! ").rstrip("{;} ")
            parts = text.replace('"', " ").split()
            words.update(parts)
            if st0 and parts[:1] == ["unit"] and len(parts) > 1:
                words.add(f"st0.{parts[1]}")
        if st0:
            idx = header.index("st0")
            if header[idx + 1:idx + 2] == ["unit"] and len(header) > idx + 2:
                words.add(f"st0.{header[idx + 2]}")
        hit = {name for name, own in tokens.items() if own & words}
        for proposal, users in proposals.items():
            if proposal in words:
                hit |= users
        for word in words:
            hit |= (previous_names or {}).get(word, set())
        touched |= hit if hit else every
    return touched


def tunnel_ends(plans: dict) -> dict[str, tuple[str, str]]:
    """Every tunnel of the fleet (present or absent) -> its end devices, sorted (one device when
    the other end is an external peer)."""
    ends: dict[str, set[str]] = {}
    for device, plan in plans.items():
        for t in [*plan.get("tunnels", []), *plan.get("absent", [])]:
            ends.setdefault(t["name"], set()).update({device, t["peer"]["device"]} - {None})
    return {name: tuple(sorted(devs)) for name, devs in sorted(ends.items())}


def components(touched: dict[str, set[str]], ends: dict[str, tuple[str, str]]) -> list[dict]:
    """Connected components of the changed tunnels.

    ``touched``: changed device -> the tunnels its change touches. Two tunnels are joined
    when one device's change touches both. Each component lists its ``tunnels``, the
    ``devices`` whose change is in it (they roll back together) and ``ends``: every device
    at an end of one of its tunnels (verification reads them all).
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for tunnels in touched.values():
        for t in tunnels:
            parent.setdefault(t, t)
        first = sorted(tunnels)[:1]
        for t in tunnels:
            if first:
                parent[find(t)] = find(first[0])
    groups: dict[str, set[str]] = {}
    for t in parent:
        groups.setdefault(find(t), set()).add(t)
    out = []
    for tunnels in groups.values():
        devices = {d for d, ts in touched.items() if ts & tunnels}
        end_devices = {e for t in tunnels for e in ends.get(t, ())}
        out.append({"tunnels": sorted(tunnels), "devices": sorted(devices), "ends": sorted(end_devices)})
    return sorted(out, key=lambda c: c["tunnels"])


def batches(comps: list[dict], size: int) -> list[list[dict]]:
    """Whole components packed, in order, into batches of at most ``size`` changed devices
    (0: one batch). A component bigger than ``size`` gets a batch of its own: splitting it
    would leave one end of a changed tunnel on the new settings while the other waits."""
    if size <= 0 or not comps:
        return [list(comps)] if comps else []
    out: list[list[dict]] = []
    current: list[dict] = []
    count = 0
    for comp in comps:
        n = len(comp["devices"])
        if current and count + n > size:
            out.append(current)
            current, count = [], 0
        current.append(comp)
        count += n
    if current:
        out.append(current)
    return out


def tunnel_verdicts(results: dict[str, dict | None], ends: dict[str, tuple[str, str]],
                    names: list[str]) -> dict[str, dict]:
    """One verdict per tunnel from the ``vpn_state`` results of its ends.

    A tunnel holds when, on BOTH ends, its tunnel expectation, the BGP peers and the pings
    that carry its name all hold. ``problems`` lists ``device: summary`` lines.
    """
    out = {}
    for name in names:
        holds, problems = True, []
        for device in ends.get(name, ()):
            result = results.get(device)
            if not isinstance(result, dict) or "tunnels" not in result:
                holds = False
                error = (result or {}).get("error") if isinstance(result, dict) else None
                problems.append(f"{device}: no state read{': ' + error if error else ''}")
                continue
            items = [t for t in result["tunnels"] if t.get("name") == name]
            items += [b for b in result.get("bgp_peers", []) if b.get("tunnel") == name]
            items += [p for p in result.get("pings", []) if p.get("tunnel") == name]
            if not items:
                holds = False
                problems.append(f"{device}: tunnel {name} was not checked")
            for item in items:
                if not item.get("holds"):
                    holds = False
                    problems += [f"{device}: {p.get('summary') or p.get('message')}"
                                 for p in item.get("problems", [])] \
                        or [f"{device}: {name} does not hold"]
        out[name] = {"holds": holds, "problems": problems}
    return out


def decide(comps: list[dict], push_errors: dict[str, str], verdicts: dict[str, dict]) -> list[dict]:
    """Confirm or roll back each component, and why.

    A component is confirmed only when every device of it committed and every tunnel of it
    holds on both ends; otherwise all its devices roll back (a device whose commit failed
    has nothing to roll back, the others do). Returns the components with ``action``
    (``confirm`` | ``rollback``) and ``reasons`` (one line each, naming tunnel or device).
    """
    out = []
    for comp in comps:
        reasons = [f"device {d}: {push_errors[d]}" for d in comp["devices"] if d in push_errors]
        if reasons:  # not verified: a device of it did not commit, that is the cause
            out.append({**comp, "action": "rollback", "reasons": reasons})
            continue
        for name in comp["tunnels"]:
            verdict = verdicts.get(name)
            if verdict is None:
                reasons.append(f"tunnel {name}: not verified")
            elif not verdict["holds"]:
                reasons.append(f"tunnel {name}: " + ("; ".join(verdict["problems"]) or "does not hold"))
        out.append({**comp, "action": "rollback" if reasons else "confirm", "reasons": reasons})
    return out


def outcomes(ends: dict[str, tuple[str, str]], decided: list[dict], blocked: list[dict],
             skipped: list[dict], unreadable: dict[str, str], before: dict[str, bool],
             after_rollback: dict[str, dict]) -> dict[str, dict]:
    """Per tunnel of the fleet: ``{outcome, detail}``.

    ``decided``: components with their action; ``blocked``: components not pushed because a
    device could not be read; ``skipped``: components of batches never started;
    ``unreadable``: device -> error; ``before``: tunnel -> held before the push;
    ``after_rollback``: tunnel -> verdict after the rollback.
    """
    out = {}
    for name, devs in ends.items():
        bad = [d for d in devs if d in unreadable]
        out[name] = ({"outcome": NOT_REACHED, "detail": "; ".join(f"{d}: {unreadable[d]}" for d in bad)}
                     if bad else {"outcome": UNCHANGED, "detail": ""})
    for comp in blocked:
        why = ", ".join(d for d in comp["ends"] if d in unreadable) or "a device"
        for name in comp["tunnels"]:
            out[name] = {"outcome": NOT_REACHED,
                         "detail": f"not pushed: {why} could not be read, so no end of this change was pushed"}
    for comp in skipped:
        for name in comp["tunnels"]:
            out[name] = {"outcome": NOT_REACHED, "detail": "not pushed: an earlier batch rolled back"}
    for comp in decided:
        for name in comp["tunnels"]:
            if comp["action"] == "confirm":
                out[name] = {"outcome": CHANGED_VERIFIED, "detail": ""}
                continue
            prefix = f"tunnel {name}: "
            own = [r[len(prefix):] for r in comp["reasons"] if r.startswith(prefix)]
            cause = "; ".join(own) or "rolled back with its component: " + "; ".join(comp["reasons"])
            verdict = after_rollback.get(name)
            if verdict is not None and verdict["holds"]:
                out[name] = {"outcome": ROLLED_BACK_RESTORED, "detail": cause}
            else:
                was = "up" if before.get(name) else "not up"
                still = "; ".join(verdict["problems"]) if verdict else "not checked"
                out[name] = {"outcome": ROLLED_BACK_STILL_DOWN,
                             "detail": f"{cause} (before the run it was {was}; after the rollback: {still})"}
    return out
