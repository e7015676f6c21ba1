# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet deploy as one transaction, driven from one controller process.

Every device gets ONE NETCONF session for the whole run, opened in parallel (a thread
pool); the decision across devices is taken once, here, by ``transaction.decide``.

1. lock      a controller lock per device endpoint (a second run on any of the same devices
             fails at once, naming the holder);
2. read      every device of the run and every peer of its tunnels: open a session; on the
             devices to deploy also lock the configuration, read the commit history (a commit
             confirmed still pending is adopted when it is exactly this run's intent, else
             rolled back first), read the configuration, build the candidate, load it and
             take Junos's own diff; then one snapshot of the tunnels' state;
3. plan      the tunnels each diff touches, their connected components (the unit of
             rollback), components with an unreadable device (never pushed), batches;
4. per batch push (commit confirmed, comment with the run id), verify both ends of every
             changed tunnel, decide, then confirm (and prove the confirm from the commit
             history) or roll back and check that what was up before is up again;
5. always    unlock, close, release the locks, and return what happened for the report.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import fcntl
import getpass
import hashlib
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field

from ansible_collections.netops.srx_vpn.plugins.module_utils import vpn_checks

from . import candidate, render, transaction
from .junos_session import DeviceError, JunosSession, pending_minutes

COMMENT = "netops.srx_vpn run {run_id}"
CONFIRM_MARGIN = 60  # seconds the commit-confirmed window must exceed the verify timeout by


class FleetLocked(Exception):
    """Another run holds one of this run's devices."""


@dataclass
class Options:
    run_id: str
    confirm_minutes: int = 5
    verify_timeout: float = 60
    verify_interval: float = vpn_checks.DEFAULT_INTERVAL
    command_timeout: float = 60
    workers: int = 64
    batch_size: int = 0
    check_mode: bool = False
    lock_dir: str = ""
    psks: dict = field(default_factory=dict)

    @property
    def comment(self) -> str:
        return COMMENT.format(run_id=self.run_id)


@dataclass
class Device:
    name: str
    params: dict
    plan: dict
    deploy: bool                      # in this run's hosts (else: a peer, read only)
    session: JunosSession | None = None
    error: str | None = None          # could not be reached or read
    diff: str = ""                    # Junos's diff of this run's candidate (masked)
    touched: set = field(default_factory=set)
    pending: str | None = None        # what was done with a commit confirmed found pending
    adopted: bool = False             # the pending commit is this run's change
    committed: bool = False           # this run's commit confirmed is on the device
    uncertain: bool = False           # the commit RPC gave no answer: it may still land
    push_error: str | None = None
    action: str = transaction.UNCHANGED_DEVICE
    detail: str = ""
    before: dict | None = None        # vpn_state result before the push
    after: dict | None = None         # vpn_state result after the push (verify)
    restored: dict | None = None      # vpn_state result after a rollback
    rpcs: int = 0


def default_run_id() -> str:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{os.urandom(3).hex()}"


def check_options(opts: Options) -> list[str]:
    """Run options that cannot be made safe (pre-flight, before any device contact)."""
    problems = []
    if isinstance(opts.confirm_minutes, bool) or not isinstance(opts.confirm_minutes, int) \
            or not 1 <= opts.confirm_minutes <= 65535:
        problems.append(f"srx_vpn_confirm_minutes: must be an integer from 1 to 65535 (the Junos "
                        f"commit-confirmed window), got {opts.confirm_minutes!r}")
    elif opts.confirm_minutes * 60 < opts.verify_timeout + CONFIRM_MARGIN:
        problems.append(f"srx_vpn_confirm_minutes: the commit-confirmed window ({opts.confirm_minutes} min) "
                        f"must exceed srx_vpn_verify_timeout ({opts.verify_timeout:g} s) by at least "
                        f"{CONFIRM_MARGIN} s, or Junos rolls back while the run still verifies")
    for name, value, low in (("srx_vpn_verify_timeout", opts.verify_timeout, 0),
                             ("srx_vpn_command_timeout", opts.command_timeout, 1),
                             ("srx_vpn_workers", opts.workers, 1), ("srx_vpn_batch_size", opts.batch_size, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
            problems.append(f"{name}: must be a number >= {low}, got {value!r}")
    return problems


# -- the controller lock -------------------------------------------------------------------
class ControllerLock:
    """One ``flock`` per device endpoint (host:port): held for the whole run, released by the
    kernel if the controller dies. The file names the holder for the next run's message."""

    def __init__(self, lock_dir: str, endpoints: dict[str, str], run_id: str):
        self.dir = lock_dir or os.path.join(tempfile.gettempdir(), "netops.srx_vpn-locks")
        self.endpoints = endpoints
        self.run_id = run_id
        self.handles: list = []

    def acquire(self) -> None:
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        holder = json.dumps({"run_id": self.run_id, "pid": os.getpid(), "user": getpass.getuser(),
                             "host": socket.gethostname(),
                             "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")})
        try:
            for device, endpoint in sorted(self.endpoints.items(), key=lambda kv: kv[1]):
                path = os.path.join(self.dir, hashlib.sha256(endpoint.encode()).hexdigest()[:24] + ".lock")
                handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the run
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.seek(0)
                    other = handle.read().strip() or "{}"
                    handle.close()
                    raise FleetLocked(f"{device} ({endpoint}) is held by another deploy run: {other} "
                                      f"(lock file {path}); wait for it to finish") from None
                handle.seek(0)
                handle.truncate()
                handle.write(holder)
                handle.flush()
                self.handles.append(handle)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        for handle in self.handles:
            with contextlib.suppress(OSError):
                handle.truncate(0)
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
        self.handles = []


# -- the engine ------------------------------------------------------------------------------
class FleetRun:
    def __init__(self, devices: dict[str, Device], opts: Options, log=None):
        self.devices = devices
        self.opts = opts
        self.log = log or (lambda msg: None)
        self.ends = transaction.tunnel_ends({n: d.plan for n, d in devices.items() if d.plan})
        self.present = {t["name"] for d in devices.values() if d.plan for t in d.plan["tunnels"]}
        self.decided: list[dict] = []
        self.blocked: list[dict] = []
        self.skipped: list[dict] = []
        self.after_rollback: dict[str, dict] = {}
        self.events: list[str] = []
        self.started = datetime.datetime.now(datetime.UTC)

    # helpers
    def _parallel(self, fn, devices) -> None:
        devices = list(devices)
        if not devices:
            return
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(self.opts.workers, len(devices))) as pool:
            list(pool.map(fn, devices))

    def _note(self, text: str) -> None:
        self.events.append(text)
        self.log(text)

    def _expect(self, dev: Device, names=None) -> dict:
        exp = dev.plan["expect"]
        keep = (lambda n: n in names) if names is not None else (lambda n: True)
        return vpn_checks.normalise_expectations(
            [t for t in exp["tunnels"] if keep(t["name"])],
            [b for b in exp["bgp_peers"] if keep(b.get("tunnel"))],
            [p for p in exp["pings"] if keep(p.get("tunnel"))])

    def _state(self, dev: Device, names=None, timeout: float = 0.0) -> dict:
        expect = self._expect(dev, names)
        if not (expect["tunnels"] or expect["bgp_peers"] or expect["pings"]):
            return {"tunnels": [], "bgp_peers": [], "pings": [], "problems": [], "ok": True,
                    "state_holds": True, "rounds": 0, "rpc_count": 0, "elapsed": 0}
        try:
            return vpn_checks.poll(expect, self._caller(dev), timeout, self.opts.verify_interval)
        except (vpn_checks.RpcFailed, vpn_checks.SrxStateError) as exc:
            return {"error": f"cannot read the state: {exc}"}

    @staticmethod
    def _caller(dev: Device):
        def call(xml):
            try:
                return dev.session.rpc(xml)
            except DeviceError as exc:
                raise vpn_checks.RpcFailed(str(exc)) from exc
        return call

    # phase 2: read
    def read(self, dev: Device) -> None:
        try:
            dev.session = JunosSession(dev.name, dev.params, self.opts.command_timeout).open()
            if dev.deploy:
                self._read_and_load(dev)
            if not self.opts.check_mode:
                dev.before = self._state(dev)
        except DeviceError as exc:
            dev.error = str(exc)
            # could not log in: unreachable; logged in but could not lock, read or load: failed
            dev.action = transaction.FAILED if dev.session and dev.session.m else transaction.UNREACHABLE
            self._close(dev)

    def _read_and_load(self, dev: Device) -> None:
        s = dev.session
        try:
            s.lock()
        except DeviceError as exc:
            raise DeviceError(f"cannot lock the configuration: {exc}") from None
        history = s.history()
        minutes = pending_minutes(history)
        lines = self._candidate(dev, s.config_set())
        s.load_set(lines)
        diff = s.compare()
        if minutes is not None:
            who = f"{history[0].get('user', '?')} ({history[0].get('log') or 'no comment'})"
            enough = minutes * 60 >= self.opts.verify_timeout + CONFIRM_MARGIN
            if not diff and enough and not self.opts.check_mode:
                dev.adopted = True
                dev.committed = True
                dev.pending = (f"a commit confirmed by {who} was still pending ({minutes} min left) and is "
                               "exactly this run's intent: adopted (verified, then confirmed or rolled back)")
                diff = s.compare(rollback=1)
            elif self.opts.check_mode:
                dev.pending = f"a commit confirmed by {who} is pending ({minutes} min left)"
            else:
                why = "differs from this run's intent" if diff else "leaves too little of its window to verify"
                s.discard()
                s.load_rollback(1)
                s.commit(f"{self.opts.comment}: rolled back a pending commit confirmed")
                dev.pending = f"a commit confirmed by {who} was still pending and {why}: rolled back before the push"
                lines = self._candidate(dev, s.config_set())
                s.load_set(lines)
                diff = s.compare()
            self._note(f"{dev.name}: {dev.pending}")
        dev.diff = candidate.mask_secrets(diff)
        if diff:
            # a device with no tunnel of its own (present or removed) is a component alone
            dev.touched = transaction.touched_tunnels(diff, dev.plan) or {f"device {dev.name}"}
            if self.opts.check_mode:
                dev.action = transaction.WOULD_CHANGE
        if (not diff or self.opts.check_mode) and not dev.adopted:
            s.discard()
            s.unlock()

    def _candidate(self, dev: Device, current: str) -> list[str]:
        try:
            return candidate.build_candidate(render.render_device(dev.plan), current, dev.plan, self.opts.psks)
        except ValueError as exc:
            raise DeviceError(str(exc)) from None

    # phase 4: push, verify, decide, act
    def push(self, dev: Device) -> None:
        if dev.adopted:
            return
        try:
            dev.session.commit(f"{self.opts.comment}: commit confirmed", self.opts.confirm_minutes)
            dev.committed = True
        except DeviceError as exc:
            dev.push_error = f"commit failed: {exc}"
            dev.uncertain = "dropped" in str(exc) or "Timeout" in str(exc)

    def verify(self, names_by_device: dict[str, set]) -> dict[str, dict]:
        results: dict[str, dict | None] = {}

        def one(dev):
            results[dev.name] = self._state(dev, names_by_device[dev.name], self.opts.verify_timeout)
            dev.after = results[dev.name]
        self._parallel(one, [self.devices[n] for n in names_by_device if self.devices[n].session])
        return results

    def _still_ours(self, dev: Device) -> bool:
        """Is this run's commit (or the adopted one) still the active, pending commit?"""
        history = dev.session.history()
        return pending_minutes(history) is not None and (
            dev.adopted or self.opts.run_id in history[0].get("log", ""))

    def _confirmed_in(self, history: list[dict], dev: Device) -> bool:
        """Does the history show this run's confirm right after this run's commit confirmed
        (or the adopted one), with no automatic rollback between them?"""
        if not history or history[0].get("log") != f"{self.opts.comment}: confirmed":
            return False
        return dev.adopted or (len(history) > 1 and self.opts.run_id in history[1].get("log", ""))

    def _confirm_once(self, dev: Device) -> None:
        s = dev.session
        history = s.history()
        if self._confirmed_in(history, dev):     # a confirm whose reply was lost did land
            dev.action = transaction.CONFIRMED
            return
        if not (pending_minutes(history) is not None
                and (dev.adopted or self.opts.run_id in history[0].get("log", ""))):
            dev.action = transaction.ROLLED_BACK_BY_JUNOS
            dev.detail = "the commit-confirmed window ran out before the confirm: Junos rolled the change back"
            return
        s.commit(f"{self.opts.comment}: confirmed")
        history = s.history()
        if self._confirmed_in(history, dev):
            dev.action = transaction.CONFIRMED
            return
        dev.action = transaction.ROLLED_BACK_BY_JUNOS
        dev.detail = ("Junos rolled the change back before the confirm landed (commit history: "
                      f"{[h.get('log') or h.get('comment') for h in history[:3]]})")

    def confirm(self, dev: Device) -> None:
        """Confirm, proven from the commit history; once more on a new session if the first
        session fails (a confirm must land while the commit is still pending)."""
        try:
            self._confirm_once(dev)
            return
        except DeviceError as exc:
            first = exc
        self._close(dev)
        try:
            self._reopen(dev)
            self._confirm_once(dev)
            dev.detail = f"confirmed on a second session after: {first}"
        except DeviceError as exc:
            dev.action = transaction.FAILED
            dev.detail = (f"confirm failed: {first}; then: {exc}; the commit confirmed is still pending and "
                          f"Junos rolls it back within {self.opts.confirm_minutes} min")

    def _reopen(self, dev: Device) -> None:
        dev.session = JunosSession(dev.name, dev.params, self.opts.command_timeout).open()
        dev.session.lock()

    def _undo_confirmed(self, dev: Device, why: str) -> None:
        """Take a confirmed device back to its configuration before the run (rollback 2: the
        confirm and the commit confirmed are rollback 0 and 1)."""
        try:
            if dev.session is None or not dev.session.connected:
                self._reopen(dev)
            dev.session.load_rollback(2)
            dev.session.commit(f"{self.opts.comment}: a peer's confirm failed, rolled back")
            dev.action = transaction.ROLLED_BACK
            dev.detail = why
        except DeviceError as exc:
            dev.action = transaction.FAILED
            dev.detail = f"{why}; the rollback of its confirmed change failed: {exc}"

    def rollback(self, dev: Device, why: str) -> None:
        if dev.uncertain:
            self._settle_uncertain(dev)
            return
        if not dev.committed:
            dev.action = transaction.NOT_PUSHED if not dev.push_error else transaction.FAILED
            dev.detail = dev.push_error or "not pushed: its component rolled back"
            with contextlib.suppress(DeviceError):
                if dev.session and dev.session.connected:
                    dev.session.discard()
            return
        try:
            if dev.session is None or not dev.session.connected:
                self._close(dev)
                self._reopen(dev)
            s = dev.session
            if not self._still_ours(dev):
                dev.action = transaction.ROLLED_BACK_BY_JUNOS
                dev.detail = "the commit-confirmed window ran out first: Junos rolled the change back"
                return
            s.load_rollback(1)
            s.commit(f"{self.opts.comment}: verify failed, rolled back")
            dev.action = transaction.ROLLED_BACK
            dev.detail = why
        except DeviceError as exc:
            dev.action = transaction.FAILED
            dev.detail = (f"rollback failed: {exc}; the commit confirmed is still pending and Junos rolls it "
                          f"back within {self.opts.confirm_minutes} min")

    def _settle_uncertain(self, dev: Device) -> None:
        """The commit RPC got no answer: it may land later. Drop that session, wait for the
        configuration lock on a new one (Junos releases it once the commit is done), then
        roll back this run's commit if it landed."""
        old = dev.session
        if old is not None and old.m is not None:
            with contextlib.suppress(Exception):
                old.m._session.close()   # no close-session: it would queue behind the commit
            old.m = None
        dev.session = None
        deadline = time.monotonic() + max(self.opts.command_timeout, 30)
        while True:
            try:
                dev.session = JunosSession(dev.name, dev.params, self.opts.command_timeout).open()
                dev.session.lock()
                break
            except DeviceError as exc:
                self._close(dev)
                if time.monotonic() > deadline:
                    dev.action = transaction.FAILED
                    dev.detail = (f"{dev.push_error}; the commit may still land: could not take the lock back "
                                  f"({exc}); Junos rolls a landed commit back within {self.opts.confirm_minutes} "
                                  "min and the next run rolls back any pending commit")
                    return
                time.sleep(1)
        try:
            history = dev.session.history()
            if pending_minutes(history) is not None and self.opts.run_id in history[0].get("log", ""):
                dev.session.load_rollback(1)
                dev.session.commit(f"{self.opts.comment}: commit landed late, rolled back")
                dev.action = transaction.ROLLED_BACK
                dev.detail = f"{dev.push_error}; the commit landed after the timeout and was rolled back"
            else:
                dev.action = transaction.FAILED
                dev.detail = f"{dev.push_error}; nothing of this run landed"
        except DeviceError as exc:
            dev.action = transaction.FAILED
            dev.detail = f"{dev.push_error}; then: {exc}"

    def _close(self, dev: Device) -> None:
        if dev.session is not None:
            dev.rpcs += dev.session.rpcs
            dev.session.close()
            dev.session = None

    # the whole run
    def run(self) -> dict:
        try:
            self._run()
        finally:
            self._parallel(self._close, [d for d in self.devices.values() if d.session])
        return self.result()

    def _run(self) -> None:
        self._parallel(self.read, self.devices.values())
        unreadable = {n: d.error for n, d in self.devices.items() if d.error}
        touched = {n: d.touched for n, d in self.devices.items() if d.deploy and d.touched}
        comps = transaction.components(touched, self.ends)
        pushable = []
        for comp in comps:
            (self.blocked if any(e in unreadable for e in comp["ends"]) else pushable).append(comp)
        for comp in self.blocked:
            for name in comp["devices"]:
                dev = self.devices[name]
                if not dev.error:
                    dev.action = transaction.NOT_PUSHED
                    dev.detail = "not pushed: " + ", ".join(f"{e} could not be read" for e in comp["ends"]
                                                            if e in unreadable)
                    self._release(dev)
        if self.opts.check_mode:
            return
        # Devices that are in no pushable component need no session any more.
        needed = {e for comp in pushable for e in comp["ends"]}
        self._parallel(self._close, [d for n, d in self.devices.items() if n not in needed and d.session])
        for number, batch in enumerate(transaction.batches(pushable, self.opts.batch_size)):
            if any(c["action"] == "rollback" for c in self.decided):
                self.skipped += batch
                for comp in batch:
                    for name in comp["devices"]:
                        self.devices[name].action = transaction.NOT_PUSHED
                        self.devices[name].detail = "not pushed: an earlier batch rolled back"
                        self._release(self.devices[name])
                continue
            self._batch(number, batch)

    def _release(self, dev: Device) -> None:
        with contextlib.suppress(DeviceError):
            if dev.session and dev.session.connected and dev.session.locked:
                if not dev.committed:
                    dev.session.discard()
                dev.session.unlock()

    def _batch(self, number: int, batch: list[dict]) -> None:
        members = sorted({d for comp in batch for d in comp["devices"]})
        self._note(f"batch {number + 1}: commit confirmed on {len(members)} device(s)")
        self._parallel(self.push, [self.devices[n] for n in members])
        push_errors = {n: self.devices[n].push_error for n in members if self.devices[n].push_error}
        # Verify the components whose every device committed (the others roll back anyway).
        names_by_device: dict[str, set] = {}
        for comp in batch:
            if any(d in push_errors for d in comp["devices"]):
                continue
            for name in comp["tunnels"]:
                if name not in self.present:
                    continue
                for end in self.ends[name]:
                    names_by_device.setdefault(end, set()).add(name)
        results = self.verify(names_by_device)
        names = [t for comp in batch if not any(d in push_errors for d in comp["devices"])
                 for t in comp["tunnels"]]
        verdicts = transaction.tunnel_verdicts(results, self.ends, [n for n in names if n in self.present])
        verdicts.update({n: {"holds": True, "problems": []} for n in names if n not in self.present})
        decided = transaction.decide(batch, push_errors, verdicts)
        self.decided += decided
        confirm = [self.devices[d] for c in decided if c["action"] == "confirm" for d in c["devices"]]
        self._parallel(self.confirm, confirm)
        self._mend_split(decided)
        done = (transaction.ROLLED_BACK, transaction.FAILED, transaction.ROLLED_BACK_BY_JUNOS)  # by _mend_split
        back = [(self.devices[d], "; ".join(c["reasons"])) for c in decided if c["action"] == "rollback"
                for d in c["devices"] if self.devices[d].action not in done]
        self._parallel(lambda pair: self.rollback(*pair), back)
        for dev in confirm + [pair[0] for pair in back]:
            self._release(dev)
        if any(c["action"] == "rollback" for c in decided):
            self._restore_check([c for c in decided if c["action"] == "rollback"])

    def _mend_split(self, decided: list[dict]) -> None:
        """A component whose confirm did not land everywhere is split: one end new, the other
        rolled back (or about to be, by Junos). Roll the whole component back instead."""
        for comp in decided:
            if comp["action"] != "confirm":
                continue
            lost = [d for d in comp["devices"] if self.devices[d].action != transaction.CONFIRMED]
            if not lost:
                continue
            why = "; ".join(f"device {d}: {self.devices[d].action}: {self.devices[d].detail}" for d in lost)
            comp["action"], comp["reasons"] = "rollback", [f"the confirm did not land everywhere: {why}"]
            for name in comp["devices"]:
                dev = self.devices[name]
                if dev.action == transaction.CONFIRMED:
                    self._undo_confirmed(dev, comp["reasons"][0])
                elif dev.action == transaction.FAILED:
                    self.rollback(dev, comp["reasons"][0])

    def _restore_check(self, comps: list[dict]) -> None:
        """After a rollback: what was up before the run must be up again."""
        names_by_device: dict[str, set] = {}
        for comp in comps:
            for name in comp["tunnels"]:
                if name in self.present:
                    for end in self.ends[name]:
                        names_by_device.setdefault(end, set()).add(name)
        for end in list(names_by_device):
            dev = self.devices[end]
            if dev.session is None:  # a session lost on the way: read the state on a new one
                with contextlib.suppress(DeviceError):
                    dev.session = JunosSession(dev.name, dev.params, self.opts.command_timeout).open()
        results: dict[str, dict | None] = {}

        def one(dev):
            up_before = {n for n in names_by_device[dev.name] if self._held_before(n)}
            timeout = self.opts.verify_timeout if up_before else 0
            results[dev.name] = self._state(dev, names_by_device[dev.name], timeout)
            dev.restored = results[dev.name]
        self._parallel(one, [self.devices[n] for n in names_by_device if self.devices[n].session])
        names = sorted({n for ns in names_by_device.values() for n in ns})
        self.after_rollback = {**self.after_rollback,
                               **transaction.tunnel_verdicts(results, self.ends, names)}

    def _held_before(self, name: str) -> bool:
        ends = self.ends.get(name, ())
        return bool(ends) and transaction.tunnel_verdicts(
            {e: self.devices[e].before for e in ends if e in self.devices}, self.ends, [name])[name]["holds"]

    # the record of the run
    def result(self) -> dict:
        unreadable = {n: d.error for n, d in self.devices.items() if d.error}
        before = {n: self._held_before(n) for n in self.ends}
        tunnels = transaction.outcomes(self.ends, self.decided, self.blocked, self.skipped, unreadable,
                                       before, self.after_rollback)
        for name, info in tunnels.items():
            info["ends"] = list(self.ends[name])
            info["up_before"] = before[name]
            info["removed"] = name not in self.present
        states = {n: _latest_state(d) for n, d in self.devices.items()}
        failed = any(c["action"] == "rollback" for c in self.decided) or bool(self.blocked) \
            or bool(self.skipped) or any(d.action in (transaction.FAILED, transaction.ROLLED_BACK_BY_JUNOS,
                                                      transaction.UNREACHABLE)
                                         for d in self.devices.values() if d.deploy)
        return {
            "run_id": self.opts.run_id,
            "started": self.started.isoformat(timespec="seconds"),
            "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "check_mode": self.opts.check_mode,
            "failed": failed,
            "tunnels": tunnels,
            "devices": {n: {"action": d.action, "detail": d.detail or (d.error or ""), "deploy": d.deploy,
                            "touched": sorted(d.touched), "pending": d.pending, "diff": d.diff,
                            "rpcs": d.rpcs}
                        for n, d in sorted(self.devices.items())},
            "components": [{k: c[k] for k in ("tunnels", "devices", "action", "reasons")} for c in self.decided]
            + [{"tunnels": c["tunnels"], "devices": c["devices"], "action": "not pushed",
                "reasons": ["a device could not be read"]} for c in self.blocked]
            + [{"tunnels": c["tunnels"], "devices": c["devices"], "action": "not pushed",
                "reasons": ["an earlier batch rolled back"]} for c in self.skipped],
            "states": states,
            "events": self.events,
        }


def _latest_state(dev: Device) -> dict | None:
    """The device's state for the report: the snapshot, overlaid per tunnel by the later
    readings (verify, then the check after a rollback), which cover only some tunnels."""
    if dev.error and not dev.before:
        return {"error": dev.error}
    readings = [r for r in (dev.before, dev.after, dev.restored) if isinstance(r, dict) and "tunnels" in r]
    if not readings:
        return dev.before or dev.after or dev.restored
    merged = {"tunnels": {}, "bgp_peers": {}, "pings": {}}
    keys = {"tunnels": "name", "bgp_peers": "peer_address", "pings": "target"}
    for reading in readings:
        for kind, key in keys.items():
            for item in reading.get(kind, []):
                merged[kind][item.get(key)] = item
    out = {kind: list(items.values()) for kind, items in merged.items()}
    items = [*out["tunnels"], *out["bgp_peers"], *out["pings"]]
    out["problems"] = [p for item in items for p in item.get("problems", [])]
    out["ok"] = all(item.get("holds") for item in items)
    last = readings[-1]
    out.update(rounds=last.get("rounds"), rpc_count=sum(r.get("rpc_count") or 0 for r in readings),
               elapsed=last.get("elapsed"))
    return out


def run_fleet(fleet: dict[str, dict], deploy: list[str], opts: Options, log=None) -> dict:
    """Deploy ``deploy`` (device names) of ``fleet`` (``{name: {params, plan}}``).

    The peers of their tunnels are read too (verification needs both ends), never changed.
    Raises :class:`FleetLocked` when another run holds one of the devices.
    """
    wanted = set(deploy)
    for name in deploy:
        plan = fleet[name]["plan"]
        wanted.update(t["peer"]["device"] for t in [*plan["tunnels"], *plan["absent"]] if t["peer"]["device"])
    devices = {n: Device(n, fleet[n]["params"], fleet[n]["plan"], n in deploy) for n in sorted(wanted) if n in fleet}
    endpoints = {n: f"{d.params['host']}:{d.params.get('port') or 830}" for n, d in devices.items() if d.deploy}
    lock = ControllerLock(opts.lock_dir, endpoints, opts.run_id)
    lock.acquire()
    try:
        return FleetRun(devices, opts, log).run()
    finally:
        lock.release()
