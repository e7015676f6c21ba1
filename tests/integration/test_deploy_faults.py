"""The fleet transaction (``deploy_vpn.yml`` -> ``netops.srx_vpn.vpn_deploy``) under faults.

Every row starts from a working deployed fleet (the module's first deploy, put back with a
test-side ``load override`` when an earlier row left a device elsewhere), makes a change
(rotate the key of a tunnel, or change the crypto profile), injects a fault, runs the deploy
and then checks THE INVARIANT on the devices through ncclient, never only from a return code:

* every device's committed configuration is its pre-run configuration or its intended one
  (``$9$`` keys compared decoded; "intended" is the pre-run configuration with the rotated
  key, and the configuration the next plain run converges on);
* both ends of every tunnel agree: the same pre-shared key (``$9$`` decoded with
  netutils) and the same IKE/IPsec proposals and PFS group;
* no tunnel that was up before the run is down after it (IKE, both IPsec SAs, BGP, pings);
* no configuration lock is held and no uncommitted candidate is left (a fresh session locks,
  ``compare rollback 0`` is empty, unlocks);
* no commit confirmed is pending at the end, and no commit of the run was undone by the Junos
  commit-confirmed timer (``automatic rollback``) except where the row says so;
* the report's ``run`` section (``vpn_status.json``) says what happened, per tunnel and device;
* the NEXT plain run, faults cleared, converges (rc 0) with both ends on the new settings.

Lab time runs 20x faster (``SRXLAB_TIME_SCALE=0.05``): a Junos minute is 3 real seconds.
The module's inventories use ``srx_vpn_confirm_minutes: 40`` (120 s real) and
``srx_vpn_verify_timeout: 15`` (helpers); rows that wait for the Junos timer use
``-e srx_vpn_confirm_minutes=10``: 30 s real, long enough for the run's push -> verify ->
confirm (< 15 s here) and short enough to wait for; it passes the action's own check
(10 x 60 >= 15 + 60; that check compares Junos minutes with real seconds, so in the lab
the real window is only 1/20 of what the action believes).

====  ==========================================  ==================================================
row   fault (change: rotate the key of the         expected
      tunnel unless said otherwise)
====  ==========================================  ==================================================
1     ``drop-session load`` on srx-b               srx-b not readable (session dropped) -> nothing
                                                   pushed anywhere; a-b not-reached; rc 2; both old
2     ``drop-session commit`` on srx-b             srx-b's commit confirmed lost, srx-a rolled back;
                                                   a-b rolled-back-restored; rc 2; both old
3     ``drop-session commit`` on srx-b armed once  srx-b's confirm is lost. Either srx-b confirmed on
      both show this run's commit confirmed (the   a new session (rc 0, both new) or the component
      run held in verify by srx-b's link down      rolled back whole (rc 2, both old); never one end
      until then), so the confirm drops;           confirmed and the other left to the Junos timer;
      confirm 10 min                               the report matches the devices after the window
4     ``hold-lock alice`` on srx-b                 nothing pushed anywhere; srx-b "locked by" alice;
                                                   a-b not-reached; rc 2; both old
5     ``fail-commit`` on srx-b                     srx-a rolled back, srx-b failed with the Junos
                                                   message (in the output and the report, not
                                                   censored); a-b rolled-back-restored, its detail
                                                   the failed commit; rc 2
6     ``delay-commit 120`` (6 s) on srx-b's push   srx-b's commit lands after the 3 s command
      commit, ``srx_vpn_command_timeout=3``        timeout and is rolled back (or reported); srx-a
                                                   rolled back; nothing pending; rc 2; both old
7     ``link down srx-b ge-0/0/0`` before the run  verify fails: both rolled back; a-b
                                                   rolled-back-still-down naming the cause; after
                                                   ``link up`` the old tunnel is up, the next run
                                                   converges
8     ``stop srx-b`` once both show this run's     srx-a rolled back; srx-b failed (its commit
      commit confirmed (held in verify as in 3);   confirmed rolled back by the Junos timer, the lab
      confirm 10 min                               keeps the timer running while the device is
                                                   off); after ``start`` both old, next run converges
9     controller SIGKILL once both devices show    the re-run adopts both pending commits (same
      this run's commit confirmed (held in verify  intent): confirmed, rc 0, nothing pending
      as in 3, the link back after the kill);
      re-run at once
10    as 9, the re-run with another key            the re-run rolls the pending commits back first,
                                                   then pushes its own: confirmed, rc 0
11    two runs at once, different keys             exactly one proceeds, the other fails at once
                                                   naming the holder; the winner's key on both ends;
                                                   no lock left (a third run converges)
12    hub-4-spokes: spokes 1, 3, 4 on gcm-256;     hub-1, spoke-1/3/4 rolled back; hub-spoke-1/4
      ``link down spoke-3 ge-0/0/0``; every        rolled-back-restored and up on gcm; hub-spoke-3
      tunnel to profile default                    rolled-back-still-down naming the cause; rc 2;
                                                   after ``link up`` the rerun converges on default
13    hub-4-spokes: ``hold-lock alice`` on         hub-spoke-1 changed-verified (its component does
      spoke-3; only hub-spoke-1's key rotates      not need spoke-3); spoke-3 "locked by" alice,
                                                   hub-spoke-3 not-reached; rc 2 (a device of the
                                                   run could not be read); the next run changes
                                                   nothing more
14    ``drop-ping`` on srx-b (its pings get no     both rolled back, a-b's cause names srx-b's ping
      answer; IKE, IPsec, BGP up): a ping-only     (and nothing else); after clearing the fault the
      failure over the changed tunnel              old tunnel holds, the next run converges
====  ==========================================  ==================================================

Rows 3, 5 and 12 failed at 8e8b30b (a confirm lost on one end left the component split; a
failed commit reported as "no state read"; one spoke down made the hub's other tunnels "not
hold" before, during and after the run); fixed in 91964a1.

One seed-pair lab and one hub-4-spokes lab per module, each started by its first row; the
checks of a row are soft (every failed check is reported with its step). xdist groups
``deploy-faults-pair`` and ``deploy-faults-hub``: under ``--dist loadgroup`` the two labs'
rows run side by side; under ``--dist load`` every worker starts the lab it needs.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers import (
    AUTO_ROLLBACK,
    PAIR,
    PLAYBOOK,
    TUNNEL,
    Checks,
    Inventory,
    Lab,
    Run,
    Snapshot,
    find_all,
    fleet_inventory,
    lab_inventory_copy,
    new_commits,
    new_psk,
    parse_recap,
    psk_on_device,
    secrets_in,
    unified,
    wait_tunnel,
    wait_until,
)
from ncclient.operations import RPCError
from ncclient.xml_ import to_ele
from netutils.password import decrypt_juniper_type9
from srxlab.cli import control_request

HUB = ("hub-1", "spoke-1", "spoke-3", "spoke-4")       # spoke-2 stays out (factory state)
HUB_TUNNELS = ("hub-spoke-1", "hub-spoke-3", "hub-spoke-4")
HUB_LIMIT = "all:!spoke-2"
RUN_TIMEOUT = 240           # one ansible-playbook run
SHORT_CONFIRM = 10          # Junos minutes (30 s real): rows that wait for the Junos timer
TIMER_WAIT = SHORT_CONFIRM * 60 * 0.05 + 30
FAILED_RC = 2               # the play's exit status when anything rolled back / failed
COMMENT_RE = re.compile(r"^netops\.srx_vpn run (\S+): (.*)$")
SECRET_RE = re.compile(r'"(\$9\$[^"]+)"')
LOCK_HELD = "held by another deploy run"
# A device that answers but cannot be locked or loaded: "failed" since commit 8e8b30b, before
# that "unreachable"; either is a truthful action, the detail must say why.
NOT_READ = ("failed", "unreachable")

pytestmark = pytest.mark.xdist_group("deploy-faults-pair")
HUB_GROUP = pytest.mark.xdist_group("deploy-faults-hub")


class RowChecks(Checks):
    """The soft checks of one row (``helpers.Checks``)."""


# -- benches (one lab each, started once per module) ---------------------------------------------
@dataclass(repr=False)
class Bench:
    lab: Lab
    inv: Inventory                      # the intent the devices hold (the last converged one)
    devices: tuple[str, ...]
    tunnels: tuple[str, ...]
    limit: str | None = None
    baseline: dict[str, Snapshot] = field(default_factory=dict)      # what ``inv`` committed
    baseline_text: dict[str, str] = field(default_factory=dict)
    clean: bool = False                 # the devices were checked on ``baseline``, all up
    down_links: set[tuple[str, str]] = field(default_factory=set)
    rows: int = 0

    def deploy(self, inv: Inventory, *args: str, **kw: Any) -> Run:
        kw.setdefault("timeout", RUN_TIMEOUT)
        if self.limit:
            kw.setdefault("limit", self.limit)
        self.clean = False
        return inv.deploy(*args, **kw)

    def variant(self, what: str) -> Inventory:
        self.rows += 1
        return self.inv.variant(f"row{self.rows}-{what}")

    def rotate(self, what: str, tunnels: tuple[str, ...] | None = None) -> Inventory:
        """A copy of the current intent with a new key for ``tunnels`` (default: all)."""
        var = self.variant(what)
        var.set_psks({**var.psks, **{t: new_psk() for t in (tunnels or self.tunnels)}})
        return var

    def ctl(self, request: dict[str, Any]) -> dict[str, Any]:
        """The lab's control API in-process (what `srxlab` sends, without a process start)."""
        reply = control_request(self.lab.state_dir, request)
        assert reply.get("ok"), f"{request} -> {reply}"
        return reply

    def link(self, device: str, state: str, port: str = "ge-0/0/0") -> None:
        self.lab.srxlab("link", state, device, port)
        (self.down_links.add if state == "down" else self.down_links.discard)((device, port))

    def clear_faults(self) -> None:
        for dev in self.devices:
            self.ctl({"op": "fault", "device": dev, "kind": "clear"})

    def adopt(self, inv: Inventory, snaps: dict[str, Snapshot]) -> None:
        """``inv`` converged (checked by the row): it is the next row's starting point."""
        self.inv, self.baseline = inv, snaps
        self.baseline_text = {n: self.lab.config_text(n) for n in self.devices}
        self.clean = True

    def reset(self) -> None:
        """Back to the baseline: faults cleared, links up, devices on, the baseline's
        configuration committed (no commit pending), every tunnel up."""
        lab = self.lab
        self.clear_faults()
        for dev, port in sorted(self.down_links):
            self.link(dev, "up", port)
        for name, info in lab.status().items():
            if name in self.devices and info["state"] != "running":
                self.clean = False
                lab.srxlab("start", name)
        snaps = lab.snapshots(self.devices)
        touched = [n for n in self.devices
                   if norm(snaps[n]) != norm(self.baseline[n]) or snaps[n].pending]
        for n in touched:
            lab.restore(n, self.baseline_text[n])
        if self.clean and not touched:
            return
        problems = {t: wait_tunnel(lab, self.inv, t, timeout=45) for t in self.tunnels}
        problems = {t: p for t, p in problems.items() if p}
        assert not problems, f"reset ({touched} restored): tunnels not up:\n{problems}\n{lab.explain()}"
        for n in self.devices:
            assert config_free(lab, n) is None, f"reset: {n}: {config_free(lab, n)}"
        self.clean = True


def _start_bench(lab: Lab, inv: Inventory, devices: tuple[str, ...], tunnels: tuple[str, ...],
                 limit: str | None = None, encryption: str | None = None) -> Bench:
    bench = Bench(lab, inv, devices, tunnels, limit)
    run = bench.deploy(inv)
    assert run.rc == 0, f"the first deploy failed\n{run.describe()}"
    for t in tunnels:
        problems = wait_tunnel(lab, inv, t, timeout=45, encryption=encryption)
        assert not problems, f"first deploy: {t} not up:\n" + "\n".join(problems) + "\n" + lab.explain()
    bench.adopt(inv, lab.snapshots(devices))
    assert not any(s.pending for s in bench.baseline.values())
    return bench


@pytest.fixture(scope="module")
def pair_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """The seed pair after its first deploy (tunnel a-b up, key in a vault)."""
    with Lab("seed-pair", "flt") as lab:
        inv = lab_inventory_copy(lab, tmp_path_factory.mktemp("faults-pair"), new_psk())
        yield _start_bench(lab, inv, PAIR, (TUNNEL,))


@pytest.fixture(scope="module")
def hub_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """hub-4-spokes: hub-1 with spokes 1, 3 and 4 on profile gcm-256, all up (spoke-2 is not
    deployed)."""
    with Lab("hub-4-spokes", "flth") as lab:
        inv = fleet_inventory(lab, tmp_path_factory.mktemp("faults-hub"), "hub-4-spokes",
                              {t: new_psk() for t in HUB_TUNNELS})
        tunnels = [t for t in copy.deepcopy(inv.tunnels) if t["name"] != "hub-spoke-2"]
        tunnels.append({"name": "hub-spoke-4",
                        "ends": [{"device": "hub-1", "st0_unit": 4, "address": "10.30.4.1/24"},
                                 {"device": "spoke-4", "st0_unit": 0, "address": "10.30.4.2/24"}],
                        "ike": {"version": "v2", "profile": "default"}, "ipsec": {"profile": "default"},
                        "bgp": {"enabled": True}})
        inv.set_tunnels([with_profile(t, "gcm-256") for t in tunnels])
        yield _start_bench(lab, inv, HUB, HUB_TUNNELS, HUB_LIMIT, encryption="gcm")


@pytest.fixture
def pair(pair_bench: Bench) -> Bench:
    pair_bench.reset()
    yield pair_bench
    pair_bench.clear_faults()


@pytest.fixture
def hub(hub_bench: Bench) -> Bench:
    hub_bench.reset()
    yield hub_bench
    hub_bench.clear_faults()


def with_profile(tunnel: dict, profile: str) -> dict:
    t = copy.deepcopy(tunnel)
    t["ike"] = {**t.get("ike", {}), "profile": profile}
    t["ipsec"] = {**t.get("ipsec", {}), "profile": profile}
    t["ike"].pop("proposal", None)
    t["ipsec"].pop("proposal", None)
    t["ipsec"].pop("pfs_group", None)
    return t


# -- device-side checks ---------------------------------------------------------------------------
def _key_label(clear: str) -> str:
    return "<key " + hashlib.sha256(clear.encode()).hexdigest()[:10] + ">"


def norm(snap: Snapshot) -> list[str]:
    """Committed set lines with every `$9$` secret replaced by a label of its clear text
    (Junos re-encrypts with a random salt: the same key is another `$9$` string)."""
    return [SECRET_RE.sub(lambda m: _key_label(decrypt_juniper_type9(m.group(1))), ln) for ln in snap.config]


def rotated(snap: Snapshot, keys: dict[str, tuple[str, str]]) -> list[str]:
    """``norm(snap)`` with the keys of ``keys`` (tunnel -> (old, new)) replaced: the intended
    configuration after a key rotation, derived without the product."""
    out = []
    for line in norm(snap):
        for tunnel, (old, new) in keys.items():
            if line.startswith(f"set security ike policy IKE-POL-{tunnel.upper()} pre-shared-key"):
                line = line.replace(_key_label(old), _key_label(new))
        out.append(line)
    return out


def crypto_of(snap: Snapshot, tunnel: str) -> dict[str, Any]:
    """What both ends of ``tunnel`` must agree on: key and the IKE/IPsec proposals with
    their definitions, and the PFS group."""
    up = tunnel.upper()
    cfg = snap.config
    out: dict[str, Any] = {"psk": psk_on_device(snap, tunnel)}
    for kind, pol in (("ike", f"IKE-POL-{up}"), ("ipsec", f"IPSEC-POL-{up}")):
        names = [ln.split()[-1] for ln in cfg if ln.startswith(f"set security {kind} policy {pol} proposals ")]
        out[kind] = {n: sorted(ln.split(f" proposal {n} ", 1)[1] for ln in cfg
                               if ln.startswith(f"set security {kind} proposal {n} ")) for n in names}
    out["pfs"] = [ln.split()[-1] for ln in cfg
                  if ln.startswith(f"set security ipsec policy IPSEC-POL-{up} perfect-forward-secrecy")]
    return out


def ends_of(inv: Inventory, tunnel: str) -> tuple[str, str]:
    t = inv.tunnel(tunnel)
    return t["ends"][0]["device"], t["ends"][1]["device"]


def config_free(lab: Lab, name: str) -> str | None:
    """None when a fresh session can lock the configuration, the candidate has no change
    (`compare rollback 0` empty) and it unlocks; else what is wrong."""
    try:
        with lab.connect(name) as nc:
            try:
                nc.lock()
            except RPCError as exc:
                return f"cannot lock: {exc}"
            try:
                reply = nc.rpc(to_ele('<get-configuration compare="rollback" rollback="0" format="text"/>'))
                text = "".join(el.text or "" for el in find_all(reply, "configuration-output"))
                if text.strip():
                    return "uncommitted candidate changes:\n" + SECRET_RE.sub('"$9$..."', text)
            finally:
                nc.unlock()
    except Exception as exc:  # noqa: BLE001 - reported as a problem
        return f"cannot check: {exc.__class__.__name__}: {exc}"
    return None


def timer_rollbacks(pre: dict[str, Snapshot], post: dict[str, Snapshot]) -> dict[str, list[str]]:
    """Devices whose new commits include one by the Junos commit-confirmed timer."""
    out = {}
    for n, snap in post.items():
        logs = [c.get("log", "") for c in new_commits(pre[n], snap)]
        if any(AUTO_ROLLBACK in x for x in logs):
            out[n] = logs
    return out


def history_text(lab: Lab, names) -> str:
    return "\n".join(f"-- {n}:\n{lab.show_commits(n)}" for n in names)


def invariant(bench: Bench, c: RowChecks, pre: dict[str, Snapshot], post: dict[str, Snapshot],
              intended: dict[str, list[str]] | None, *, up_before: tuple[str, ...] | None = None,
              timer_ok: tuple[str, ...] = ()) -> None:
    """THE invariant after a run (see the module docstring). ``intended``: normalised
    configuration per device (None: checked later against the converged run)."""
    lab = bench.lab
    for n in bench.devices:
        if intended is not None:
            c(norm(post[n]) in (norm(pre[n]), intended[n]),
              f"{n}: committed configuration is neither the pre-run nor the intended one:\n"
              f"vs pre-run:\n{unified(norm(pre[n]), norm(post[n]))}\n"
              f"vs intended:\n{unified(intended[n], norm(post[n]))}")
        c(not post[n].pending, f"{n}: a commit confirmed is still pending:\n{lab.show_commits(n)}")
        problem = config_free(lab, n)
        c(problem is None, f"{n}: {problem}")
    fired = {n: logs for n, logs in timer_rollbacks(pre, post).items() if n not in timer_ok}
    c(not fired, f"the Junos commit-confirmed timer rolled back: {fired}")
    for t in bench.tunnels:
        a, b = ends_of(bench.inv, t)
        ca, cb = crypto_of(post[a], t), crypto_of(post[b], t)
        c(ca == cb, f"tunnel {t}: the ends disagree: {a} has {describe_crypto(ca)}, {b} has {describe_crypto(cb)}")
    for t in (bench.tunnels if up_before is None else up_before):
        problems = wait_tunnel(lab, bench.inv, t, timeout=30)
        c(not problems, f"tunnel {t} was up before the run and is not up after it:\n"
              + "\n".join(problems) + "\n" + lab.explain())


def describe_crypto(crypto: dict[str, Any]) -> str:
    shown = dict(crypto, psk=_key_label(crypto["psk"]) if crypto.get("psk") else None)
    return json.dumps(shown, sort_keys=True)


# -- the report -----------------------------------------------------------------------------------
def run_section(run: Run) -> dict[str, Any]:
    report = run.report() or {}
    return report.get("run") or {}


def action(run: Run, device: str) -> dict[str, Any]:
    return run_section(run).get("actions", {}).get(device) or {}


def outcome(run: Run, tunnel: str) -> dict[str, Any]:
    return run_section(run).get("outcomes", {}).get(tunnel) or {}


def check_report(c: RowChecks, run: Run, actions: dict[str, str | tuple[str, ...]], outcomes: dict[str, str],
                 failed: bool = True) -> dict[str, Any]:
    section = run_section(run)
    if not c(section, f"no run section in {run.reports_dir}/vpn_status.json\n{run.describe(40)}"):
        return {}
    c(section.get("failed") is failed, f"run.failed is {section.get('failed')!r}, want {failed}")
    c(section.get("run_id") and section.get("started"), f"run_id/started missing: {section.get('run_id')!r}")
    for dev, want in actions.items():
        got = action(run, dev)
        wants = (want,) if isinstance(want, str) else want
        c(got.get("action") in wants, f"run.actions[{dev}] = {got}, want action in {wants}")
    for name, want in outcomes.items():
        got = outcome(run, name)
        c(got.get("outcome") == want, f"run.outcomes[{name}] = {got}, want {want}")
    return section


def check_rc(c: RowChecks, run: Run, rc: int) -> None:
    c(run.rc == rc, f"rc={run.rc}, want {rc}\n{run.describe(40)}")


def no_leak(c: RowChecks, run: Run, inv: Inventory, *others: Inventory) -> None:
    keys = {k for i in (inv, *others) for k in i.psks.values()}
    found = secrets_in(run.text, sorted(keys))
    c(not found, "secrets in the output:\n" + "\n".join(found))


def converge(bench: Bench, c: RowChecks, var: Inventory, pre: dict[str, Snapshot],
             post: dict[str, Snapshot], *, encryption: str | None = None) -> dict[str, Snapshot]:
    """Faults cleared, the next plain run converges: rc 0, every tunnel up, both ends on
    ``var``'s keys, nothing pending or locked; and ``post`` (the faulty run's end state)
    was the pre-run or this converged configuration on every device. When all that holds,
    ``var`` is the next row's starting point."""
    c.step = "next plain run"
    failures = len(c.failures)
    bench.clear_faults()
    run = bench.deploy(var)
    conv = bench.lab.snapshots(bench.devices)
    check_rc(c, run, 0)
    no_leak(c, run, var, bench.inv)
    section = run_section(run)
    c(section.get("failed") is False, f"run.failed = {section.get('failed')!r}")
    for t in bench.tunnels:
        for n in ends_of(var, t):
            c(psk_on_device(conv[n], t) == var.psks[t], f"{n}: {t}'s key is not the intended one after the next run")
        problems = wait_tunnel(bench.lab, var, t, timeout=30, encryption=encryption)
        c(not problems, f"tunnel {t} not up after the next run:\n" + "\n".join(problems))
    invariant(bench, c, conv, conv, None, up_before=())
    for n in bench.devices:
        c(norm(post[n]) in (norm(pre[n]), norm(conv[n])),
          f"{n}: after the faulty run the configuration was neither the pre-run nor the intended one:\n"
          f"vs pre-run:\n{unified(norm(pre[n]), norm(post[n]))}\nvs intended:\n{unified(norm(conv[n]), norm(post[n]))}")
    if len(c.failures) == failures:
        bench.adopt(var, conv)
    return conv


def rotation_intent(bench: Bench, pre: dict[str, Snapshot], var: Inventory) -> dict[str, list[str]]:
    keys = {t: (bench.inv.psks[t], var.psks[t]) for t in bench.tunnels}
    return {n: rotated(pre[n], keys) for n in bench.devices}


# -- background actions during a run ------------------------------------------------------------
class Watch:
    """A thread that polls the lab's commit records (its control API: no NETCONF session,
    no process start, a few ms a round) until every device of ``devices`` shows, as its
    newest commit, a ``commit confirmed`` (still pending) of a run not seen in ``pre``; then
    calls ``then(run_id)`` once. Bounded by ``timeout``; ``stop()`` ends it early."""

    def __init__(self, bench: Bench, devices: tuple[str, ...], pre: dict[str, Snapshot],
                 then: Callable[[str], None], timeout: float = RUN_TIMEOUT, delay: float = 0.0):
        self.bench, self.devices, self.then, self.timeout, self.delay = bench, devices, then, timeout, delay
        self.known = {m.group(1) for snap in pre.values() for x in snap.commits
                      if (m := COMMENT_RE.match(x.get("log", "")))}
        self.run_id: str | None = None
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Watch:
        self._thread.start()
        return self

    def stop(self) -> Watch:
        self._stop.set()
        self._thread.join(timeout=30)
        return self

    def _top(self, device: str) -> tuple[str | None, str, bool]:
        """(run id, what, pending) of the device's newest commit."""
        commits = self.bench.ctl({"op": "commits", "device": device})["commits"]
        if not commits:
            return None, "", False
        top = commits[0]
        m = COMMENT_RE.match(top.get("comment") or "")
        pending = bool(top.get("confirm_minutes")) and top.get("kind") == "commit"
        return (m.group(1), m.group(2), pending) if m else (None, top.get("comment") or "", pending)

    def _run(self) -> None:
        try:
            deadline = time.monotonic() + self.timeout
            while not self._stop.is_set() and time.monotonic() < deadline:
                tops = [self._top(n) for n in self.devices]
                run_id = tops[0][0]
                if run_id and run_id not in self.known \
                        and all(t == (run_id, "commit confirmed", True) for t in tops):
                    self.run_id = run_id
                    if self.delay:
                        time.sleep(self.delay)
                    self.then(run_id)
                    return
                time.sleep(0.02)
            self.error = "stopped before the commits showed" if self._stop.is_set() else "timed out"
        except Exception as exc:  # noqa: BLE001 - the row reports it
            self.error = f"{exc.__class__.__name__}: {exc}"


@dataclass
class Started:
    proc: subprocess.Popen
    cmd: list[str]
    inv: Inventory
    out: pathlib.Path
    err: pathlib.Path
    control: pathlib.Path
    start: float

    def finish(self, timeout: float = RUN_TIMEOUT) -> Run:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_tree()
            self.proc.wait(timeout=30)
            raise AssertionError(f"$ {' '.join(self.cmd)}\ntimed out after {timeout} s\n"
                                 f"{self.out.read_text()[-6000:]}") from None
        finally:
            shutil.rmtree(self.control, ignore_errors=True)
        return self.result()

    def kill_tree(self) -> list[int]:
        """SIGKILL ansible-playbook and every process under it. Its process group is not
        enough: Ansible's workers (the one running the deploy action among them) call
        setsid(), and would run the transaction to its end."""
        pids = [self.proc.pid, *descendants(self.proc.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def result(self) -> Run:
        stdout, stderr = self.out.read_text(errors="replace"), self.err.read_text(errors="replace")
        report = self.inv.reports_dir / "vpn_status.json"
        return Run(self.cmd, self.proc.returncode, stdout, stderr, time.monotonic() - self.start,
                   self.inv.out_dir, self.inv.reports_dir, parse_recap(stdout),
                   json.loads(report.read_text()) if report.exists() else None)


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (from /proc), children first."""
    children: dict[int, list[int]] = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def living(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            if pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                out.append(pid)
    return out


def start_deploy(inv: Inventory, *args: str, limit: str | None = None,
                 extra: dict[str, Any] | None = None) -> Started:
    """``Inventory.deploy`` in the background (its own process group, output in files)."""
    cmd, env, control = inv.command(PLAYBOOK, *args, limit=limit, extra=extra)
    out = pathlib.Path(tempfile.mkstemp(prefix="run-out.", dir=inv.work)[1])
    err = pathlib.Path(tempfile.mkstemp(prefix="run-err.", dir=inv.work)[1])
    with open(out, "w") as fo, open(err, "w") as fe:
        proc = subprocess.Popen(cmd, env=env, cwd=inv.work, stdout=fo, stderr=fe, text=True,
                                start_new_session=True)
    return Started(proc, cmd, inv, out, err, control, time.monotonic())


def hold_in_verify(bench: Bench, device: str = "srx-b") -> None:
    """Cut ``device``'s link before the run: its verify cannot pass until ``let_verify``,
    which a ``Watch`` calls once the run's commits confirmed show. Without it the window
    between the commit confirmed and the confirm is one verify round (~0.1-1 s here) and a
    background action would race the run."""
    bench.link(device, "down")
    assert wait_until(lambda: not bench.lab.ike_sas(device), 30, interval=0.5), \
        f"{device}: IKE SAs 30 s after link down"


def let_verify(bench: Bench, device: str = "srx-b") -> None:
    """The link back up, in-process (from a ``Watch``): the tunnel can come up again."""
    bench.ctl({"op": "link", "device": device, "port": "ge-0/0/0", "state": "up"})
    bench.down_links.discard((device, "ge-0/0/0"))


def wait_timer(lab: Lab, device: str, timeout: float = TIMER_WAIT) -> bool:
    """Wait until ``device`` has no commit confirmed pending (the Junos timer fired)."""
    return wait_until(lambda: not lab.snapshot(device).pending, timeout, interval=1.0)


# ================================================================================================
# the rows on the seed pair
# ================================================================================================
def test_01_drop_session_during_load(pair: Bench) -> None:
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("drop-load")
    pre = lab.snapshots(PAIR)
    lab.srxlab("fault", "srx-b", "drop-session", "load")
    c.step = "faulty run"
    run = pair.deploy(var)
    post = lab.snapshots(PAIR)
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, pair.inv)
    check_report(c, run, {"srx-a": "not pushed", "srx-b": NOT_READ}, {TUNNEL: "not-reached"})
    c("dropped" in action(run, "srx-b").get("detail", ""), f"srx-b's detail does not say the session dropped: "
      f"{action(run, 'srx-b')}")
    c("srx-b" in outcome(run, TUNNEL).get("detail", ""), f"a-b's detail does not name srx-b: {outcome(run, TUNNEL)}")
    for n in PAIR:
        c(not new_commits(pre[n], post[n]), f"{n}: commits although nothing was pushed: "
          f"{new_commits(pre[n], post[n])}")
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var))
    converge(pair, c, var, pre, post)
    c.assert_ok()


def test_02_drop_session_during_commit(pair: Bench) -> None:
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("drop-commit")
    pre = lab.snapshots(PAIR)
    lab.srxlab("fault", "srx-b", "drop-session", "commit")
    c.step = "faulty run"
    run = pair.deploy(var)
    post = lab.snapshots(PAIR)
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, pair.inv)
    check_report(c, run, {"srx-a": "rolled back", "srx-b": ("failed", "rolled back")},
                 {TUNNEL: "rolled-back-restored"})
    c("dropped" in action(run, "srx-b").get("detail", ""),
      f"srx-b's detail does not say the session dropped: {action(run, 'srx-b')}")
    logs_a = [x.get("log", "") for x in new_commits(pre["srx-a"], post["srx-a"])]
    c(any(x.endswith(": verify failed, rolled back") for x in logs_a), f"srx-a: no rollback commit: {logs_a}")
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var))
    converge(pair, c, var, pre, post)
    c.assert_ok()


def test_03_drop_session_before_confirm(pair: Bench) -> None:
    """The run is held in verify (srx-b's link down) until both devices show its commit
    confirmed; then ``drop-session commit`` is armed on srx-b and the link comes back: the
    verify passes and srx-b's confirm commit drops. Confirm window 10 min (30 s real).

    Either outcome is right as long as it is true and whole: srx-b confirmed on another
    session (rc 0, both ends new) or the component rolled back (rc 2, both ends old). Wrong:
    one end confirmed while the other is left to the Junos timer (BUG-1 at 8e8b30b)."""
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("drop-confirm")
    pre = lab.snapshots(PAIR)
    intended = rotation_intent(pair, pre, var)
    hold_in_verify(pair)

    def arm(run_id: str) -> None:
        pair.ctl({"op": "fault", "device": "srx-b", "kind": "drop-session", "args": ["commit"]})
        let_verify(pair)
    watch = Watch(pair, PAIR, pre, arm).start()
    c.step = "faulty run"
    run = pair.deploy(var, extra={"srx_vpn_confirm_minutes": SHORT_CONFIRM})
    watch.stop()
    c(watch.run_id and watch.run_id == run_section(run).get("run_id"),
      f"the fault was not armed during this run's verify (watch: {watch.run_id}, {watch.error})")
    no_leak(c, run, var, pair.inv)
    acts = {n: action(run, n).get("action") for n in PAIR}
    all_confirmed = set(acts.values()) == {"confirmed"}
    check_rc(c, run, 0 if all_confirmed else FAILED_RC)
    c(run_section(run).get("failed") is (not all_confirmed), f"run.failed = {run_section(run).get('failed')!r} "
      f"with actions {acts}")
    c("dropped" in action(run, "srx-b").get("detail", ""),
      f"srx-b's detail does not say its confirm's session dropped: {action(run, 'srx-b')}")
    # whatever is left pending, the Junos timer ends it within the window
    c(wait_timer(lab, "srx-b") and wait_timer(lab, "srx-a"),
      f"still pending after {TIMER_WAIT} s\n{history_text(lab, PAIR)}")
    post = lab.snapshots(PAIR)
    # the report tells the truth about each device
    for n in PAIR:
        if acts[n] == "confirmed":
            c(norm(post[n]) == intended[n], f"{n}: reported confirmed but not on the intended configuration "
              f"(after the window)\n{lab.show_commits(n)}")
        else:
            c(norm(post[n]) == norm(pre[n]), f"{n}: reported {acts[n]!r} but not on its pre-run configuration "
              f"(after the window)\n{lab.show_commits(n)}")
    invariant(pair, c, pre, post, intended, timer_ok=() if all_confirmed else PAIR)
    converge(pair, c, var, pre, post)
    c.assert_ok()


def test_04_hold_lock(pair: Bench) -> None:
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("hold-lock")
    pre = lab.snapshots(PAIR)
    lab.srxlab("fault", "srx-b", "hold-lock", "alice")
    c.step = "faulty run"
    run = pair.deploy(var)
    post = lab.snapshots(PAIR)
    check_rc(c, run, FAILED_RC)
    check_report(c, run, {"srx-a": "not pushed", "srx-b": NOT_READ}, {TUNNEL: "not-reached"})
    detail = action(run, "srx-b").get("detail", "")
    c("locked by" in detail and "alice" in detail, f"srx-b's detail does not name the lock holder: {detail!r}")
    c("locked by" in run.stdout and "alice" in run.stdout, f"the output does not name the lock holder\n"
      f"{run.describe(30)}")
    for n in PAIR:
        c(not new_commits(pre[n], post[n]), f"{n}: commits although nothing was pushed")
    pair.clear_faults()      # releases alice's lock: the invariant's lock check needs it
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var))
    converge(pair, c, var, pre, post)
    c.assert_ok()


def test_05_fail_commit(pair: Bench) -> None:
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("fail-commit")
    pre = lab.snapshots(PAIR)
    message = "RPD is not responding, commit aborted"
    lab.srxlab("fault", "srx-b", "fail-commit", *message.split())
    c.step = "faulty run"
    run = pair.deploy(var)
    post = lab.snapshots(PAIR)
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, pair.inv)
    check_report(c, run, {"srx-a": "rolled back", "srx-b": "failed"}, {TUNNEL: "rolled-back-restored"})
    c(message in action(run, "srx-b").get("detail", ""), f"the report does not carry the Junos message: "
      f"{action(run, 'srx-b')}")
    c(message in run.stdout, f"the output does not carry the Junos message\n{run.describe(30)}")
    c("censored" not in run.stdout.lower(), f"the output is censored\n{run.describe(30)}")
    c(message in action(run, "srx-a").get("detail", ""), f"srx-a's rollback does not say why: {action(run, 'srx-a')}")
    detail = outcome(run, TUNNEL).get("detail", "")
    c(message in detail and "no state read" not in detail,
      f"a-b's outcome does not give the cause (srx-b's commit failed): {outcome(run, TUNNEL)}")
    c(not new_commits(pre["srx-b"], post["srx-b"]), "srx-b: a commit landed although it failed")
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var))
    converge(pair, c, var, pre, post)
    c.assert_ok()


def test_06_delay_commit_beyond_the_command_timeout(pair: Bench) -> None:
    """srx-b's push commit takes 120 lab seconds (6 s real) against a 3 s command timeout;
    the fault is cleared 0.5 s after srx-a shows the run's commit confirmed (srx-b's commit
    is then already on its way, delayed), so only that commit is slow."""
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("delay-commit")
    pre = lab.snapshots(PAIR)
    lab.srxlab("fault", "srx-b", "delay-commit", "120")
    watch = Watch(pair, ("srx-a",), pre, lambda run_id: pair.ctl({"op": "fault", "device": "srx-b", "kind": "clear"}),
                  delay=0.5).start()
    c.step = "faulty run"
    run = pair.deploy(var, extra={"srx_vpn_command_timeout": 3})
    watch.stop()
    c(watch.run_id and watch.run_id == run_section(run).get("run_id"),
      f"the fault was not cleared after the push (watch: {watch.run_id}, {watch.error})")
    # whatever the run did, a late commit must not stay pending: give it the delay to land
    time.sleep(7)
    post = lab.snapshots(PAIR)
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, pair.inv)
    check_report(c, run, {"srx-a": "rolled back", "srx-b": ("rolled back", "failed")},
                 {TUNNEL: "rolled-back-restored"})
    detail = action(run, "srx-b").get("detail", "")
    c("Timeout" in detail or "timed out" in detail, f"srx-b's detail does not say the commit timed out: {detail!r}")
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var))
    converge(pair, c, var, pre, post)
    c.assert_ok()


def test_07_link_down_during_verify(pair: Bench) -> None:
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("link-down")
    pair.link("srx-b", "down")
    c(wait_until(lambda: tunnel_down(lab, pair), 30, interval=0.5), "a-b still up 30 s after the link went down")
    pre = lab.snapshots(PAIR)
    c.step = "faulty run"
    run = pair.deploy(var)
    post = lab.snapshots(PAIR)
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, pair.inv)
    check_report(c, run, {"srx-a": "rolled back", "srx-b": "rolled back"}, {TUNNEL: "rolled-back-still-down"})
    detail = outcome(run, TUNNEL).get("detail", "")
    c(re.search(r"\bIKE\b", detail) and "not up" in detail, f"a-b's detail does not give the cause: {detail!r}")
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var), up_before=())
    c.step = "link up"
    pair.link("srx-b", "up")
    problems = wait_tunnel(lab, pair.inv, TUNNEL, timeout=45)
    c(not problems, "the old tunnel does not come back after link up:\n" + "\n".join(problems))
    converge(pair, c, var, pre, post)
    c.assert_ok()


def tunnel_down(lab: Lab, bench: Bench) -> bool:
    return all(not lab.ike_sas(n) for n in bench.devices)


def test_08_device_stopped_during_verify(pair: Bench) -> None:
    """srx-b is powered off as soon as both devices show this run's commit confirmed (the run
    is held in verify by srx-b's link being down). The lab keeps a device's commit-confirmed
    timer running while it is off (`Device.stop` cancels nothing, `start` changes nothing):
    the timer rolls srx-b back 30 s real after the commit. Confirm window 10 min."""
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("stop")
    pre = lab.snapshots(PAIR)
    hold_in_verify(pair)
    watch = Watch(pair, PAIR, pre, lambda run_id: pair.ctl({"op": "stop", "device": "srx-b"})).start()
    c.step = "faulty run"
    run = pair.deploy(var, extra={"srx_vpn_confirm_minutes": SHORT_CONFIRM})
    watch.stop()
    c(watch.run_id and watch.run_id == run_section(run).get("run_id"),
      f"srx-b was not stopped during this run (watch: {watch.run_id}, {watch.error})")
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, pair.inv)
    check_report(c, run, {"srx-a": "rolled back", "srx-b": ("failed", "rolled back by Junos after the confirm window")},
                 {TUNNEL: "rolled-back-still-down"})
    c("roll" in action(run, "srx-b").get("detail", ""), f"srx-b's detail does not say who rolls back: "
      f"{action(run, 'srx-b')}")
    c.step = "srx-b started"
    lab.srxlab("start", "srx-b")
    pair.link("srx-b", "up")
    c(wait_timer(lab, "srx-b"), f"srx-b: still pending after {TIMER_WAIT} s\n{lab.show_commits('srx-b')}")
    post = lab.snapshots(PAIR)
    # a-b was up before the row cut srx-b's link to hold the run in verify: it must be up again
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var), timer_ok=("srx-b",), up_before=(TUNNEL,))
    converge(pair, c, var, pre, post)
    c.assert_ok()


def _killed_run(pair: Bench, c: RowChecks, var: Inventory, pre: dict[str, Snapshot]) -> str | None:
    """Start ``var``'s deploy (held in verify by srx-b's link), SIGKILL its process group once
    both devices show its commit confirmed, then bring the link back; returns the killed
    run's id."""
    hold_in_verify(pair)
    started = start_deploy(var)

    def kill(run_id: str) -> None:
        killed_pids.extend(started.kill_tree())
        let_verify(pair)
    killed_pids: list[int] = []
    watch = Watch(pair, PAIR, pre, kill).start()
    killed = started.finish()
    watch.stop()
    c(watch.run_id, f"the run was not killed after its commits (watch: {watch.error})\n{killed.describe(30)}")
    c(killed.rc == -signal.SIGKILL, f"the killed run ended with rc={killed.rc}")
    c(len(killed_pids) > 1 and wait_until(lambda: not living(killed_pids), 10, interval=0.5),
      f"killed {killed_pids}, still alive: {living(killed_pids)}")
    mid = pair.lab.snapshots(PAIR)
    for n in PAIR:
        c(mid[n].pending and watch.run_id in mid[n].commits[0].get("log", ""),
          f"{n}: the killed run's commit confirmed is not pending:\n{pair.lab.show_commits(n)}")
    return watch.run_id


def test_09_controller_killed_after_commit_confirmed_rerun_adopts(pair: Bench) -> None:
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("sigkill")
    pre = lab.snapshots(PAIR)
    c.step = "killed run"
    killed = _killed_run(pair, c, var, pre)
    c.step = "re-run"
    run = pair.deploy(var)
    post = lab.snapshots(PAIR)
    check_rc(c, run, 0)
    no_leak(c, run, var, pair.inv)
    check_report(c, run, {"srx-a": "confirmed", "srx-b": "confirmed"}, {TUNNEL: "changed-verified"}, failed=False)
    for n in PAIR:
        pending = action(run, n).get("pending") or ""
        c("adopted" in pending and (killed or "?") in pending,
          f"{n}: the re-run does not report the killed run's pending commit as adopted: {pending!r}")
        logs = [x.get("log", "") for x in new_commits(pre[n], post[n])]
        c(not any("rolled back" in x for x in logs), f"{n}: something was rolled back: {logs}")
    intended = rotation_intent(pair, pre, var)
    invariant(pair, c, pre, post, intended)
    for n in PAIR:
        c(norm(post[n]) == intended[n],
          f"{n}: not on the intended configuration:\n{unified(intended[n], norm(post[n]))}")
    c.assert_ok()
    pair.adopt(var, post)


def test_10_controller_killed_rerun_with_another_intent(pair: Bench) -> None:
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("sigkill-first")
    pre = lab.snapshots(PAIR)
    c.step = "killed run"
    killed = _killed_run(pair, c, var, pre)
    c.step = "re-run, another key"
    other = pair.rotate("sigkill-other")
    run = pair.deploy(other)
    post = lab.snapshots(PAIR)
    check_rc(c, run, 0)
    no_leak(c, run, var, pair.inv, other)
    check_report(c, run, {"srx-a": "confirmed", "srx-b": "confirmed"}, {TUNNEL: "changed-verified"}, failed=False)
    for n in PAIR:
        pending = action(run, n).get("pending") or ""
        c("rolled back before the push" in pending and (killed or "?") in pending,
          f"{n}: the re-run does not report rolling back the killed run's pending commit: {pending!r}")
        logs = [x.get("log", "") for x in new_commits(pre[n], post[n])]
        c(any(x.endswith("rolled back a pending commit confirmed") for x in logs),
          f"{n}: no rollback of the pending commit in the history: {logs}")
    intended = rotation_intent(pair, pre, other)
    invariant(pair, c, pre, post, intended)
    for n in PAIR:
        c(norm(post[n]) == intended[n], f"{n}: not on the re-run's intent:\n{unified(intended[n], norm(post[n]))}")
    c.assert_ok()
    pair.adopt(other, post)


def test_11_two_runs_at_once(pair: Bench) -> None:
    """Two deploys with different keys, started together. srx-a's commits take 60 lab
    seconds (3 s real) so that the runs overlap however the machine schedules them."""
    lab, c = pair.lab, RowChecks()
    one, two = pair.rotate("race-one"), pair.rotate("race-two")
    pre = lab.snapshots(PAIR)
    lab.srxlab("fault", "srx-a", "delay-commit", "60")
    c.step = "two runs"
    started = [start_deploy(one), start_deploy(two)]
    runs = [s.finish() for s in started]
    pair.clear_faults()
    post = lab.snapshots(PAIR)
    ok = [i for i, r in enumerate(runs) if r.rc == 0]
    if not c(len(ok) == 1, "want exactly one run to succeed: rc " + ", ".join(str(r.rc) for r in runs)
             + "\n" + "\n".join(r.describe(25) for r in runs)):
        c.assert_ok()
    win, lose = ok[0], 1 - ok[0]
    winner, loser = (one, two)[win], (one, two)[lose]
    wrun, lrun = runs[win], runs[lose]
    no_leak(c, wrun, one, two, pair.inv)
    no_leak(c, lrun, one, two, pair.inv)
    check_report(c, wrun, {"srx-a": "confirmed", "srx-b": "confirmed"}, {TUNNEL: "changed-verified"}, failed=False)
    wid = run_section(wrun).get("run_id") or "?"
    c(lrun.rc != 0 and LOCK_HELD in lrun.stdout and wid in lrun.stdout,
      f"the loser does not name the lock holder ({wid})\n{lrun.describe(25)}")
    c(lrun.seconds < wrun.seconds, f"the loser did not fail fast ({lrun.seconds:.1f} s vs {wrun.seconds:.1f} s)")
    c(lrun.report() is None, "the loser wrote a report")
    intended = rotation_intent(pair, pre, winner)
    invariant(pair, c, pre, post, intended)
    for n in PAIR:
        c(norm(post[n]) == intended[n], f"{n}: not on the winner's intent:\n{unified(intended[n], norm(post[n]))}")
        runs_on = {COMMENT_RE.match(x.get("log", "")).group(1) for x in new_commits(pre[n], post[n])
                   if COMMENT_RE.match(x.get("log", ""))}
        c(runs_on == {wid}, f"{n}: commits by runs {runs_on}, want only the winner's {wid}")
    c.step = "third run (the loser's intent)"
    third = pair.deploy(loser)
    check_rc(c, third, 0)
    final = lab.snapshots(PAIR)
    intended = rotation_intent(pair, pre, loser)
    for n in PAIR:
        c(norm(final[n]) == intended[n], f"{n}: not on the third run's intent:\n{unified(intended[n], norm(final[n]))}")
    invariant(pair, c, final, final, None)
    c.assert_ok()
    pair.adopt(loser, final)


# ================================================================================================
# hub-4-spokes
# ================================================================================================
def policy_lines(snap: Snapshot, tunnel: str) -> list[str]:
    up = tunnel.upper()
    return sorted(ln for ln in snap.config
                  if ln.startswith((f"set security ike policy IKE-POL-{up} proposals",
                                    f"set security ipsec policy IPSEC-POL-{up} proposals")))


@HUB_GROUP
def test_12_hub_link_down_spoke_3_profile_change_rolls_back_the_component(hub: Bench) -> None:
    lab, c = hub.lab, RowChecks()
    var = hub.variant("profile-default")
    var.set_tunnels([with_profile(t, "default") for t in var.tunnels])
    hub.link("spoke-3", "down")
    c(wait_until(lambda: not lab.ike_sas("spoke-3"), 30, interval=0.5),
      "hub-spoke-3 still up 30 s after the link went down")
    pre = lab.snapshots(HUB)
    c.step = "faulty run"
    run = hub.deploy(var)
    post = lab.snapshots(HUB)
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, hub.inv)
    check_report(c, run, dict.fromkeys(HUB, "rolled back"), {"hub-spoke-3": "rolled-back-still-down"})
    detail = outcome(run, "hub-spoke-3").get("detail", "")
    c("hub-spoke-3" in detail and re.search(r"\bIKE\b", detail) and "not up" in detail,
      f"hub-spoke-3's detail does not give the cause: {detail!r}")
    for name in ("hub-spoke-1", "hub-spoke-4"):
        got = outcome(run, name)
        c(got.get("outcome") == "rolled-back-restored", f"run.outcomes[{name}] = {got}, want rolled-back-restored")
        c(got.get("up_before") is True, f"run.outcomes[{name}].up_before = {got.get('up_before')!r}: it was up")
        c("hub-spoke-3" in got.get("detail", "") and f"{name} does not hold" not in got.get("detail", ""),
          f"{name}: the detail blames the tunnel itself, not hub-spoke-3: {got.get('detail')!r}")
    # restored: really up, on the OLD settings (gcm-256)
    for name in ("hub-spoke-1", "hub-spoke-4"):
        problems = wait_tunnel(lab, hub.inv, name, timeout=30, encryption="gcm")
        c(not problems, f"{name} is not up on gcm after the rollback:\n" + "\n".join(problems))
    for n in HUB:
        c(norm(post[n]) == norm(pre[n]), f"{n}: not back on its pre-run configuration:\n"
          f"{unified(norm(pre[n]), norm(post[n]))}")
    invariant(hub, c, pre, post, None, up_before=("hub-spoke-1", "hub-spoke-4"))
    c.step = "link up"
    hub.link("spoke-3", "up")
    problems = wait_tunnel(lab, hub.inv, "hub-spoke-3", timeout=45, encryption="gcm")
    c(not problems, "hub-spoke-3 does not come back on gcm after link up:\n" + "\n".join(problems))
    conv = converge(hub, c, var, pre, post, encryption="cbc")
    for n in HUB:
        for t in (t for t in HUB_TUNNELS if n in ends_of(var, t)):
            lines = policy_lines(conv[n], t)
            c(lines and all(ln.endswith("-PROP-DEFAULT") for ln in lines), f"{n}: {t} not on default: {lines}")
    c.assert_ok()


@HUB_GROUP
def test_13_hub_lock_held_on_an_uninvolved_spoke(hub: Bench) -> None:
    """Only hub-spoke-1's key changes while alice holds spoke-3's configuration lock: the
    component {hub-spoke-1} (hub-1, spoke-1) does not need spoke-3 and is confirmed; spoke-3
    is reported not readable ("locked by"), hub-spoke-3 not-reached, and the run fails (rc 2)
    because a device of the run could not be read."""
    lab, c = hub.lab, RowChecks()
    var = hub.rotate("hub-lock-spoke-3", ("hub-spoke-1",))
    pre = lab.snapshots(HUB)
    lab.srxlab("fault", "spoke-3", "hold-lock", "alice")
    c.step = "faulty run"
    run = hub.deploy(var)
    post = lab.snapshots(HUB)
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, hub.inv)
    check_report(c, run, {"hub-1": "confirmed", "spoke-1": "confirmed", "spoke-3": NOT_READ,
                          "spoke-4": "unchanged"},
                 {"hub-spoke-1": "changed-verified", "hub-spoke-3": "not-reached", "hub-spoke-4": "unchanged"})
    detail = action(run, "spoke-3").get("detail", "")
    c("locked by" in detail and "alice" in detail, f"spoke-3's detail does not name the lock holder: {detail!r}")
    for n in ("spoke-3", "spoke-4"):
        c(not new_commits(pre[n], post[n]), f"{n}: commits although it has no change")
    hub.clear_faults()
    keys = {"hub-spoke-1": (hub.inv.psks["hub-spoke-1"], var.psks["hub-spoke-1"])}
    intended = {n: rotated(pre[n], keys) for n in HUB}
    invariant(hub, c, pre, post, intended)
    for n in ("hub-1", "spoke-1"):
        c(norm(post[n]) == intended[n], f"{n}: not on the intended configuration")
    conv = converge(hub, c, var, pre, post)
    for n in HUB:
        c(norm(conv[n]) == norm(post[n]), f"{n}: the next run changed something: "
          f"{unified(norm(post[n]), norm(conv[n]))}")
    c.assert_ok()


def test_14_ping_only_failure_over_a_changed_tunnel_rolls_back_both_ends(pair: Bench) -> None:
    """No intent-level change breaks only the pings in the lab model (the product verifies one
    ping per tunnel end, to the peer's st0 address; whatever breaks that route breaks BGP too),
    so the ping-only failure is injected: ``drop-ping`` on srx-b (its pings get no answer, IKE,
    IPsec and BGP stay up) while the key of a-b rotates. Both ends must roll back, the cause
    naming the ping; once the fault is cleared the old tunnel holds and the next run converges."""
    lab, c = pair.lab, RowChecks()
    var = pair.rotate("drop-ping")
    pre = lab.snapshots(PAIR)
    lab.srxlab("fault", "srx-b", "drop-ping")
    c.step = "faulty run"
    run = pair.deploy(var)
    post = lab.snapshots(PAIR)
    lab.srxlab("fault", "srx-b", "clear")
    check_rc(c, run, FAILED_RC)
    no_leak(c, run, var, pair.inv)
    # the fault stays until the run ends: the pings fail before, during and after it
    check_report(c, run, {"srx-a": "rolled back", "srx-b": "rolled back"}, {TUNNEL: "rolled-back-still-down"})
    detail = outcome(run, TUNNEL).get("detail", "")
    c("ping" in detail and "srx-b" in detail, f"a-b's detail does not name srx-b's ping: {detail!r}")
    c("no IKE SA" not in detail and "BGP peer" not in detail,
      f"a-b's detail blames more than the ping (IKE, IPsec and BGP were up): {detail!r}")
    invariant(pair, c, pre, post, rotation_intent(pair, pre, var))
    converge(pair, c, var, pre, post)
    c.assert_ok()
