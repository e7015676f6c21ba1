"""The deploy pipeline (``deploy_vpn.yml``) on fleets: a full mesh of three and a hub with
spokes, changed step by step.

One test drives both labs (``SRXLAB_TIME_SCALE=0.05``) at once, each through one chain of
scenarios that build on each other, in its own thread (the work is subprocesses and NETCONF
sessions): the module takes as long as its longer chain wherever xdist runs it, and never
starts a lab twice. Each inventory starts from ``tests/integration/fleet/<topology>/``
(host_vars and the initial intent) with generated keys in a real vault. Every step must:

* converge in one run (play ok, every tunnel of the intent up on both ends: IKE, both IPsec
  SAs, BGP Established with the peer's loopback as router-id and a received prefix, pings;
  the report JSON shows every tunnel UP);
* touch only the devices involved (new commits there; the others' commit histories and
  configurations unchanged, recap changed=0);
* be followed by a second run that changes nothing (changed=0, no new commit anywhere).

The checks are soft (``Checks``): a failed check is recorded with its chain and step and the
chain goes on, so one run of the test reports every step that does not hold.

* full-mesh-3: three tunnels; then tunnel m-12 from profile default to gcm-256 (both ends);
  then the key of m-23 rotated; then m-13 removed by deleting its entry.
* hub-4-spokes: the hub with spokes 1-3 (``-e srx_vpn_serial=2``: the hub's change touches
  every tunnel, so the four devices are one component and stay in one batch; spoke-4 is not
  rolled out: ``--limit 'all:!spoke-4'``); then spoke-4 added; then spoke-2
  removed with ``state: absent``.
"""
from __future__ import annotations

import copy
import pathlib
import re
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers import (
    AUTO_ROLLBACK,
    Checks,
    Intent,
    Inventory,
    Lab,
    Run,
    Snapshot,
    config_diff,
    fleet_inventory,
    new_commits,
    new_psk,
    psk_on_device,
    secrets_in,
    tunnel_ends,
    tunnel_gone_problems,
    tunnel_lines,
    unified,
    wait_tunnel,
)

MESH = ("srx-1", "srx-2", "srx-3")
HUB = ("hub-1", "spoke-1", "spoke-2", "spoke-3", "spoke-4")
# Objects the product owns that may go with a device's last tunnel (docs/intent.md)
OWNED = re.compile(r"^set (security (ike|ipsec) proposal (IKE|IPSEC)-PROP-|security zones security-zone VPN |"
                   r"protocols bgp group SRXVPN-EBGP |policy-options (policy-statement SRXVPN-EXPORT|"
                   r"prefix-list SRXVPN-ADVERTISE)|security (address-book global address|policies .*policy) SRXVPN-)")


@dataclass
class Fleet:
    lab: Lab
    inv: Inventory | None
    devices: tuple[str, ...]
    check: Checks = field(default_factory=Checks)
    timings: list[str] = field(default_factory=list)
    all_keys: set[str] = field(default_factory=set, repr=False)   # every key the intent ever held
    notes: list[str] = field(default_factory=list)

    def present(self) -> list[str]:
        return [t["name"] for t in self.inv.tunnels if t.get("state", "present") == "present"]

    def run(self, step: str, *args: str, **kw: Any) -> tuple[dict[str, Snapshot], dict[str, Snapshot], Run]:
        self.check.step = step
        self.all_keys |= set(self.inv.psks.values())
        before = self.lab.snapshots(self.devices)
        run = self.inv.deploy(*args, **kw)
        after = self.lab.snapshots(self.devices)
        self.timings.append(f"{run.seconds:6.1f} s  {step}")
        found = secrets_in(run.text, sorted(self.all_keys))
        self.check(not found, "secrets in the output:\n" + "\n".join(found))
        for dev in self.devices:
            logs = [c.get("log", "") for c in new_commits(before[dev], after[dev])]
            self.check(not any(AUTO_ROLLBACK in log for log in logs),
                       f"{dev}: the commit-confirmed timer rolled back the pipeline's commit "
                       f"(the pipeline did not confirm it in time): {logs}\n{self.lab.show_commits(dev)}")
            self.check(not after[dev].pending, f"{dev}: a commit confirmed is still pending\n"
                       f"{self.lab.show_commits(dev)}")
        return before, after, run

    def converge(self, step: str, involved: set[str], *args: str, **kw: Any
                 ) -> tuple[dict[str, Snapshot], dict[str, Snapshot], Run]:
        """One run that must succeed and commit on exactly ``involved``."""
        before, after, run = self.run(step, *args, **kw)
        c = self.check
        c(run.rc == 0 and not any(r.get("failed") for r in run.recap.values()),
          f"the run failed\n{run.describe(60)}")
        report = run.report() or {"run": {"actions": {}}}
        actions = {d: a["action"] for d, a in report["run"]["actions"].items()}
        for dev in self.devices:
            new = new_commits(before[dev], after[dev])
            if dev in involved:
                c(any(x.get("log", "").startswith("netops.srx_vpn") for x in new),
                  f"{dev}: involved but no commit of the pipeline: {new}")
                c(actions.get(dev) == "confirmed", f"{dev}: involved but {actions.get(dev)!r} in the report")
            else:
                c(not new, f"{dev}: not involved but new commits: {new}")
                c(after[dev].config == before[dev].config,
                  f"{dev}: not involved but its configuration changed:\n"
                  f"{unified(before[dev].config, after[dev].config)}")
                c(actions.get(dev, "unchanged") == "unchanged",
                  f"{dev}: not involved but {actions.get(dev)!r} in the report")
        return before, after, run

    def second_run(self, step: str, *args: str, **kw: Any) -> Run:
        """The same run again: nothing changes, nothing is committed."""
        before, after, run = self.run(f"{step}: second run", *args, **kw)
        c = self.check
        c(run.rc == 0, f"the second run failed\n{run.describe(60)}")
        for dev in self.devices:
            c(not run.changed(dev), f"{dev}: changed={run.changed(dev)} on the second run")
            new = new_commits(before[dev], after[dev])
            c(not new, f"{dev}: new commits on the second run: {new}")
            c(after[dev].config == before[dev].config, f"{dev}: configuration changed on the second run:\n"
              f"{unified(before[dev].config, after[dev].config)}")
        return run

    def tunnels_up(self, encryption: dict[str, str] | None = None) -> None:
        """Every tunnel of the intent up on both ends (10 s grace for renegotiation)."""
        for name in self.present():
            problems = wait_tunnel(self.lab, self.inv, name, timeout=10,
                                   encryption=(encryption or {}).get(name))
            self.check(not problems, f"tunnel {name}:\n  " + "\n  ".join(problems) + "\n" + self.lab.explain())

    def report_up(self, run: Run) -> None:
        report = run.report()
        if not self.check(report is not None, f"no report written in {run.reports_dir}"):
            return
        states = {t["name"]: t["state"] for t in report["tunnels"]}
        ends = {t["name"]: {dev: end and {"state": end.get("state"), "problems": end.get("problems")}
                            for dev, end in (t.get("ends") or {}).items()}
                for t in report["tunnels"] if t["state"] != "UP"}
        self.check(states == dict.fromkeys(self.present(), "UP"),
                   f"{run.reports_dir}/vpn_status.json: tunnels {states}, want {sorted(self.present())} UP; "
                   f"ends of the others: {ends}; summary {report.get('summary')}")

    def removal_exact(self, name: str, before_intent: Intent, before: dict[str, Snapshot],
                      after: dict[str, Snapshot], strict: set[str]) -> None:
        """The removed tunnel left nothing on either end, and only its lines went: exactly
        them on the devices in ``strict`` (they keep other tunnels), them plus product-owned
        objects left unused on the others."""
        c = self.check
        gone = tunnel_gone_problems(self.lab, before_intent, name, after)
        c(not gone, "\n".join(gone))
        a, b = tunnel_ends(before_intent, name)
        for me, peer in ((a, b), (b, a)):
            removed, added = config_diff(before[me.device].config, after[me.device].config)
            own = tunnel_lines(before[me.device].config, name, me.st0_unit, peer.address)
            c(own, f"{me.device}: no line of tunnel {name} before its removal")
            # A device that loses its last tunnel may keep the emptied parents (`set security
            # ike`, `set interfaces st0`, ...): Junos keeps an emptied container. Noted, allowed.
            emptied = [ln for ln in added if me.device not in strict
                       and any(x.startswith(ln + " ") for x in before[me.device].config)]
            if emptied:
                self.notes.append(f"{me.device}: removing {name} left emptied containers {emptied}")
            added = [ln for ln in added if ln not in emptied]
            c(not added, f"{me.device}: lines added by the removal of {name}: {added}")
            c(set(own) <= set(removed), f"{me.device}: lines of {name} not removed: {sorted(set(own) - set(removed))}")
            extra = [ln for ln in removed if ln not in own]
            if me.device in strict:
                c(not extra, f"{me.device}: removing {name} also removed: {extra}")
            else:
                c(all(OWNED.match(ln) for ln in extra),
                  f"{me.device}: removing {name} also removed lines the product does not own: "
                  f"{[ln for ln in extra if not OWNED.match(ln)]}")


def with_tunnel(tunnels: list[dict], name: str, **changes: Any) -> list[dict]:
    out = copy.deepcopy(tunnels)
    t = next(t for t in out if t["name"] == name)
    for key, value in changes.items():
        if isinstance(value, dict):
            t.setdefault(key, {}).update(value)
        else:
            t[key] = value
    return out


def policy_lines(snap: Snapshot, tunnel: str) -> list[str]:
    up = tunnel.upper()
    return [ln for ln in snap.config
            if ln.startswith((f"set security ike policy IKE-POL-{up} proposals",
                              f"set security ipsec policy IPSEC-POL-{up} proposals",
                              f"set security ipsec policy IPSEC-POL-{up} perfect-forward-secrecy"))]


# ---------------------------------------------------------------------------------------------
def mesh_chain(fl: Fleet) -> None:
    """full-mesh-3: three tunnels; m-12 to gcm-256; the key of m-23 rotated; m-13 removed by
    deleting its entry."""
    lab, inv = fl.lab, fl.inv
    c = fl.check

    # 1. three tunnels from factory state
    _, _, run = fl.converge("deploy 3 tunnels", set(MESH))
    fl.tunnels_up()
    fl.report_up(run)
    for dev in MESH:
        c(len(lab.bgp_peers(dev)) == 2, f"{dev}: BGP neighbours {lab.bgp_peers(dev)}")
    fl.second_run("deploy 3 tunnels")

    # 2. tunnel m-12: profile default -> gcm-256 on both ends; m-13, m-23 untouched
    inv.set_tunnels(with_tunnel(inv.tunnels, "m-12", ike={"profile": "gcm-256"}, ipsec={"profile": "gcm-256"}))
    before, after, run = fl.converge("m-12 proposals default -> gcm-256", {"srx-1", "srx-2"})
    for dev in ("srx-1", "srx-2"):
        lines = policy_lines(after[dev], "m-12")
        c("set security ike policy IKE-POL-M-12 proposals IKE-PROP-GCM-256" in lines
          and "set security ipsec policy IPSEC-POL-M-12 proposals IPSEC-PROP-GCM-256" in lines
          and any(ln.endswith("group20") for ln in lines), f"{dev}: m-12 policies {lines}")
        other = "m-13" if dev == "srx-1" else "m-23"
        c(policy_lines(after[dev], other) == policy_lines(before[dev], other),
          f"{dev}: {other} policies changed: {policy_lines(after[dev], other)}")
    fl.tunnels_up(encryption={"m-12": "gcm"})
    fl.report_up(run)
    fl.second_run("m-12 proposals default -> gcm-256")

    # 3. rotate the key of m-23: srx-2 and srx-3 only, nothing else in their config
    old_key = inv.psks["m-23"]
    inv.set_psks({**inv.psks, "m-23": new_psk()})
    before, after, run = fl.converge("rotate the key of m-23", {"srx-2", "srx-3"})
    for dev in ("srx-2", "srx-3"):
        c(psk_on_device(after[dev], "m-23") == inv.psks["m-23"],
          f"{dev}: m-23 key on the device is "
          f"{'the old one' if psk_on_device(after[dev], 'm-23') == old_key else 'not the vaulted one'}")
        removed, added = config_diff(before[dev].config, after[dev].config)
        c(all("IKE-POL-M-23 pre-shared-key" in ln for ln in removed + added) and added,
          f"{dev}: the rotation changed more than the m-23 key: {removed} -> {added}")
    fl.tunnels_up()
    fl.report_up(run)
    fl.second_run("rotate the key of m-23")

    # 4. remove m-13 by deleting its entry (and its key): srx-1 and srx-3 only
    before_intent = Intent.of(inv)
    inv.set_tunnels([t for t in inv.tunnels if t["name"] != "m-13"])
    inv.set_psks({k: v for k, v in inv.psks.items() if k != "m-13"})
    before, after, run = fl.converge("remove m-13 (entry deleted)", {"srx-1", "srx-3"})
    # srx-3 keeps m-23 (profile default): exactly m-13's lines go; srx-1 keeps only m-12
    # (gcm-256): the default proposals, now unused there, may go too.
    fl.removal_exact("m-13", before_intent, before, after, strict={"srx-3"})
    fl.tunnels_up()
    fl.report_up(run)
    fl.second_run("remove m-13 (entry deleted)")


def hub_chain(fl: Fleet) -> None:
    """hub-4-spokes: hub + spokes 1-3 in batches of 2; spoke-4 added; spoke-2 removed with
    state: absent."""
    lab, inv = fl.lab, fl.inv
    c = fl.check
    factory4 = lab.snapshot("spoke-4")

    # 1. the hub and spokes 1-3 with batches of 2: one component of 4 devices, one batch;
    #    spoke-4 is not rolled out yet
    first = {"limit": "all:!spoke-4", "extra": {"srx_vpn_serial": 2}}
    _, _, run = fl.converge("hub + spokes 1-3, batch size 2", {"hub-1", "spoke-1", "spoke-2", "spoke-3"},
                            **first)
    # the hub's change touches all three tunnels: one component, never split across batches
    events = (run.report() or {"run": {"events": []}})["run"]["events"]
    c(events == ["batch 1: commit confirmed on 4 device(s)"], f"batches: {events}, want one of 4 devices")
    fl.tunnels_up()
    fl.report_up(run)
    c(len(lab.bgp_peers("hub-1")) == 3, f"hub-1: BGP neighbours {lab.bgp_peers('hub-1')}")
    fl.second_run("hub + spokes 1-3, batch size 2", **first)
    c(lab.snapshot("spoke-4").config == factory4.config, "spoke-4 is no longer at its factory configuration")

    # 2. add spoke-4: hub-1 and spoke-4 only; nothing of the hub's other tunnels changes
    tunnels = copy.deepcopy(inv.tunnels) + [{
        "name": "hub-spoke-4",
        "ends": [{"device": "hub-1", "st0_unit": 4, "address": "10.30.4.1/24"},
                 {"device": "spoke-4", "st0_unit": 0, "address": "10.30.4.2/24"}],
        "ike": {"version": "v2", "profile": "default"}, "ipsec": {"profile": "default"},
        "bgp": {"enabled": True}}]
    inv.set_tunnels(tunnels)
    inv.set_psks({**inv.psks, "hub-spoke-4": new_psk()})
    before, after, run = fl.converge("add spoke-4", {"hub-1", "spoke-4"})
    removed, added = config_diff(before["hub-1"].config, after["hub-1"].config)
    new4 = tunnel_lines(after["hub-1"].config, "hub-spoke-4", 4, "10.30.4.2")
    c(not removed and added and set(added) <= set(new4),
      f"hub-1: adding spoke-4 changed more than its tunnel: -{removed} +{sorted(set(added) - set(new4))}")
    fl.tunnels_up()
    fl.report_up(run)
    fl.second_run("add spoke-4")

    # 3. remove spoke-2 with state: absent (key dropped from the vault): hub-1 and spoke-2;
    #    the hub keeps exactly its other tunnels
    before_intent = Intent.of(inv)
    inv.set_tunnels(with_tunnel(inv.tunnels, "hub-spoke-2", state="absent"))
    inv.set_psks({k: v for k, v in inv.psks.items() if k != "hub-spoke-2"})
    before, after, run = fl.converge("remove spoke-2 (state: absent)", {"hub-1", "spoke-2"})
    fl.removal_exact("hub-spoke-2", before_intent, before, after, strict={"hub-1"})
    c(sorted(lab.bgp_peers("hub-1")) == ["10.30.1.2", "10.30.3.2", "10.30.4.2"],
      f"hub-1: BGP neighbours {sorted(lab.bgp_peers('hub-1'))}")
    fl.tunnels_up()
    fl.report_up(run)
    fl.second_run("remove spoke-2 (state: absent)")


CHAINS = {
    # topology: (devices, initial tunnels (keys generated), chain)
    "full-mesh-3": (MESH, ("m-12", "m-13", "m-23"), mesh_chain),
    "hub-4-spokes": (HUB, ("hub-spoke-1", "hub-spoke-2", "hub-spoke-3"), hub_chain),
}


def run_chain(topology: str, work: pathlib.Path) -> Fleet:
    """One lab, its inventory and its chain of scenarios; never raises (an unexpected error
    is a failed check of the step it happened in)."""
    devices, tunnels, chain = CHAINS[topology]
    lab = Lab(topology, topology.split("-")[0])
    fl = Fleet(lab, None, devices)
    start = time.monotonic()
    try:
        lab.up()
        fl.inv = fleet_inventory(lab, work, topology, {t: new_psk() for t in tunnels})
        chain(fl)
    except Exception:  # noqa: BLE001 - reported as a failed check with its traceback
        fl.check(False, f"{topology}: the chain stopped:\n{traceback.format_exc()}")
    finally:
        lab.down()
        fl.timings.append(f"{time.monotonic() - start:6.1f} s  {topology}: whole chain")
    return fl


def test_fleet_changes_converge_touch_only_their_devices_and_rerun_clean(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Both fleet labs at once, one chain each in its own thread."""
    with ThreadPoolExecutor(max_workers=len(CHAINS)) as pool:
        futures = {topo: pool.submit(run_chain, topo, tmp_path_factory.mktemp(f"deploy-{topo}"))
                   for topo in CHAINS}
    fleets = {topo: f.result() for topo, f in futures.items()}
    for topo, fl in fleets.items():
        print(f"\n== {topo}\n" + "\n".join(fl.timings + fl.notes))
    failures = [f"{topo} {x}" for topo, fl in fleets.items() for x in fl.check.failures]
    assert not failures, f"{len(failures)} failed check(s):\n\n" + "\n\n".join(failures)
