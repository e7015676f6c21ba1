#!/usr/bin/env python3
"""Fleet deploy benchmark: the product against a naive playbook and an ncclient floor.

    python bench/fleet.py [--pairs 1,20] [--contenders product,naive,floor] [--forks 40]
                          [--timeout 900] [--time-scale 1.0] [--floor-threads 20] [--keep]

For every size N of ``--pairs`` a fleet of N pairs is described: pair i is the devices
``p{i}-a`` and ``p{i}-b`` (public addresses 100.64.0.0/10, one /24 per pair, all on one
``internet`` segment; st0 /30 per pair; /32 loopbacks; unique 4-byte AS numbers) and a
tunnel ``pair-{i}`` (IKEv2, default crypto profiles, eBGP, a random 32-character key).
The set lines of every device (for the naive playbook and the floor) are rendered once per
size by the product's own in-process renderer (``plugins/plugin_utils/render.py``). Then each
contender gets a FRESH lab (``srxlab up`` in its own state directory; always ``srxlab down``
afterwards) and is run twice, "first deploy" and "re-run (no change)":

* ``product``: ``ansible-playbook deploy_vpn.yml`` with an inventory in the structure of
  inventories/lab (srxlab inventory plugin, host_vars, the intent in group_vars, the keys
  in a real ansible-vault file). Two more runs: "one-tunnel change" (the DPD interval of
  tunnel pair-1: which devices commit) and "check --diff" (the whole fleet, with another
  pending change on pair-1; nothing may commit).
* ``naive``: ``bench/fleet_naive.yml``, five junos_config tasks per device (one commit
  per stanza) and a junos_command wait_for on IKE/IPsec/BGP.
* ``floor``: ``bench/fleet_floor.py``, one Python process, an ncclient thread pool.

Every run is a subprocess of this script, measured the same way: wall time
(time.monotonic), controller CPU (user+sys from the rusage of the run's process and of
every descendant, including the daemonized ``ansible-connection`` processes, which this
script collects by being a child subreaper), memory (the largest single process, from the
same rusage ``ru_maxrss``; and the peak PSS sum over the run's process tree, sampled every
0.5 s or more), commits per device (the lab's commit history, read over the lab's control
socket before and after the run), and, after deploys, the pairs whose tunnel and BGP
sessions are up (the lab's protocol plane). Figures are printed, nothing about timing is
asserted. A failed run is reported (exit status, its first error lines and its last lines)
and the benchmark goes on; the exit status is 1 if any run failed.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import ctypes
import json
import math
import os
import pathlib
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field

import yaml
from srxlab.cli import LabNotRunning, control_request, process_exists

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / ".venv" / "collections"))
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    intent,
    render,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    stanzas as stanza_defs,
)

REPO = pathlib.Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
BIN = pathlib.Path(sys.executable).parent
ANSIBLE_CFG = REPO / "ansible.cfg"
PLAYBOOK = REPO / "deploy_vpn.yml"
NAIVE_PLAYBOOK = BENCH / "fleet_naive.yml"
FLOOR_SCRIPT = BENCH / "fleet_floor.py"

CONTENDERS = ("product", "naive", "floor")
STANZAS = stanza_defs.STANZAS
PSK_PLACEHOLDER = f'"{stanza_defs.psk_placeholder("{}")}"'
VERIFY_TIMEOUT = 60           # product: -e srx_vpn_verify_timeout; naive and floor wait as long
FLOOR_CONFIRM_MINUTES = 5     # the floor's commit confirmed (confirmed at once when there is a diff)
LAB_TIMEOUT = 120             # seconds for one srxlab command
SETTLE_TIMEOUT = 60           # seconds to wait for the lab's protocol plane after a deploy
REAP_TIMEOUT = 30             # seconds for daemonized descendants to end after a run
SAMPLE_INTERVAL = 0.5         # seconds between two samples of the process tree's PSS, at least
SAMPLE_SHARE = 0.05           # ... and longer when a sample costs more than 5 % of one CPU
TAIL_LINES = 15
ERROR_LINES = 8               # first lines of a failed run's output that name an error
_ERROR_RE = re.compile(r"fatal:|FAILED|ERROR!|Traceback|Error:|error:")
PR_SET_CHILD_SUBREAPER = 36
# The seed-pair topology's root password hash (lab123): a device config as a real one has it.
ROOT_PASSWORD = ('set system root-authentication encrypted-password "$6$srxlabA$RBXjW/Gdg0mHNlMcCaVCsP/LIPRZKU7M9'
                 'UhrqVNWa7QP5BtjWGLLoMypYbT8Q3yq2AIGUCsSYdhe9hPv9e8o3/"')
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


# -- the fleet -----------------------------------------------------------------------------------
@dataclass
class Fleet:
    pairs: int
    devices: dict[str, dict]          # name -> srx_vpn_device (host_vars)
    tunnels: list[dict]               # srx_vpn_tunnels
    psks: dict[str, str]              # tunnel -> clear key

    @property
    def label(self) -> str:
        return f"{self.pairs} pair{'s' if self.pairs != 1 else ''} ({2 * self.pairs} devices)"

    def with_dpd(self, tunnel: str, interval: int) -> list[dict]:
        """The tunnels with ``tunnel``'s DPD interval changed."""
        tunnels = copy.deepcopy(self.tunnels)
        next(t for t in tunnels if t["name"] == tunnel)["ike"]["dpd"]["interval"] = interval
        return tunnels


def make_fleet(pairs: int) -> Fleet:
    devices: dict[str, dict] = {}
    tunnels: list[dict] = []
    for i in range(1, pairs + 1):
        hi, lo = divmod(i - 1, 256)
        ends = []
        for side, host in (("a", 1), ("b", 2)):
            name = f"p{i}-{side}"
            devices[name] = {"external_interface": "ge-0/0/0.0",
                             "external_address": f"100.{64 + hi}.{lo}.{host}/24",
                             "asn": 4200000000 + 2 * (i - 1) + host - 1,
                             "loopback": f"10.{128 + hi}.{lo}.{host}/32"}
            ends.append({"device": name, "st0_unit": 0, "address": f"10.{hi}.{lo}.{host}/30"})
        tunnels.append({"name": f"pair-{i}", "ends": ends,
                        "ike": {"version": "v2", "profile": "default", "dpd": {"interval": 10, "threshold": 3}},
                        "ipsec": {"profile": "default"}, "bgp": {"enabled": True}})
    psks = {t["name"]: "psk-" + secrets.token_hex(14) for t in tunnels}
    return Fleet(pairs, devices, tunnels, psks)


def write_topology(path: pathlib.Path, fleet: Fleet, time_scale: float) -> pathlib.Path:
    devices = {}
    for name, spec in fleet.devices.items():
        devices[name] = {"port": 0, "model": "vsrx", "ports": ["ge-0/0/0", "ge-0/0/1"], "factory_config": (
            f"set system host-name {name}\n{ROOT_PASSWORD}\n"
            "set system services ssh\nset system services netconf ssh\n"
            f"set interfaces ge-0/0/0 unit 0 family inet address {spec['external_address']}\n"
            "set security zones security-zone UNTRUST interfaces ge-0/0/0.0\n")}
    doc = {"name": f"fleet-{fleet.pairs}", "time_scale": time_scale,
           "defaults": {"host": "127.0.0.1", "username": "root", "password": "lab123"},
           "devices": devices, "segments": {"internet": [f"{name}:ge-0/0/0" for name in devices]}, "nat": []}
    path.write_text("---\n" + yaml.safe_dump(doc, sort_keys=False))
    return path


# -- the rendered set lines ------------------------------------------------------------------------
def rendered_lines(fleet: Fleet) -> dict[str, dict[str, list[str]]]:
    """Every device's set lines per stanza, key placeholders kept, from the product's own
    in-process renderer (the roles' templates; plugins/plugin_utils/render.py)."""
    plans = intent.build_plans(fleet.devices, fleet.tunnels, fleet.psks)
    return {name: {s: [ln.strip() for ln in render.render_stanza(s, plan).splitlines()
                       if ln.strip() and not ln.lstrip().startswith("#")] for s in STANZAS}
            for name, plan in plans.items()}


def with_keys(lines: list[str], psks: dict[str, str]) -> list[str]:
    """The lines with every key placeholder replaced by the clear key in double quotes."""
    out = []
    for line in lines:
        for tunnel, key in psks.items():
            line = line.replace(PSK_PLACEHOLDER.format(tunnel), f'"{key}"')
        out.append(line)
    return out


# -- the lab ---------------------------------------------------------------------------------------
def lab_env() -> dict[str, str]:
    """The environment of every subprocess: the venv first on PATH, the topology's time_scale wins."""
    env = {k: v for k, v in os.environ.items() if k != "SRXLAB_TIME_SCALE"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


class Lab:
    """One lab (``srxlab up``) in its own short state directory, always brought down."""

    def __init__(self, topology: pathlib.Path, state_dir: pathlib.Path):
        self.topology = topology
        self.state_dir = state_dir
        self.pid: int | None = None
        self.devices: dict[str, dict] = {}

    def srxlab(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([tool("srxlab"), args[0], "--state-dir", str(self.state_dir), *args[1:]],
                              env=lab_env(), capture_output=True, text=True, timeout=LAB_TIMEOUT, check=False)

    def up(self) -> None:
        result = self.srxlab("up", "--topology", str(self.topology))
        with contextlib.suppress(OSError, ValueError):
            self.pid = int((self.state_dir / "srxlab.pid").read_text().strip())
        if result.returncode != 0:
            raise RuntimeError(f"srxlab up failed (rc={result.returncode}):\n{result.stdout}{result.stderr}")
        status = self.srxlab("status", "--json")
        if status.returncode != 0:
            raise RuntimeError(f"srxlab status failed:\n{status.stderr}")
        self.devices = {d["name"]: d for d in json.loads(status.stdout)}

    def down(self) -> None:
        """``srxlab down``; the lab process is this script's child (subreaper): reap it, or
        end it by its pid if it does not stop."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.srxlab("down")
        if self.pid is None:
            return
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if _reap(self.pid) or not process_exists(self.pid):
                return
            time.sleep(0.1)
        print(f"warning: lab process {self.pid} still running after `srxlab down`, sending SIGKILL", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        _reap(self.pid, block=True)

    def control(self, request: dict) -> dict:
        reply = control_request(self.state_dir, request)
        if not reply.get("ok"):
            raise RuntimeError(f"lab control {request}: {reply.get('error', reply)}")
        return reply

    def commit_seqs(self) -> dict[str, int]:
        """The newest commit sequence number of every device."""
        return {name: max((c["seq"] for c in self.control({"op": "commits", "device": name})["commits"]), default=0)
                for name in self.devices}

    def commits_since(self, before: dict[str, int]) -> dict[str, list[dict]]:
        """The commits (and automatic rollbacks) of every device newer than ``before``."""
        return {name: [c for c in self.control({"op": "commits", "device": name})["commits"] if c["seq"] > seq]
                for name, seq in before.items()}

    def pairs_up(self, fleet: Fleet) -> int:
        """Pairs whose tunnel is up with its IPsec SAs and whose BGP sessions are Established on
        both ends, once the protocol plane has settled (at most SETTLE_TIMEOUT s)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while not self.control({"op": "settled"})["settled"] and time.monotonic() < deadline:
            time.sleep(0.5)
        ok_devices: dict[str, bool] = {}
        seen: dict[str, set[str]] = defaultdict(set)
        for item in self.control({"op": "explain"})["tunnels"]:
            if "tunnel" in item:
                kind, members = "tunnel", [end[0] for end in item["tunnel"]]
                good = item["ok"] and bool(item["children"]) and all(
                    c["ok"] and not c["blackhole"] for c in item["children"])
            else:
                kind, members, good = "bgp", [item["bgp"][0]], item["ok"]
            for dev in members:
                ok_devices[dev] = ok_devices.get(dev, True) and good
                seen[dev].add(kind)
        return sum(1 for t in fleet.tunnels
                   if all(ok_devices.get(e["device"]) and seen[e["device"]] == {"tunnel", "bgp"} for e in t["ends"]))


# -- measuring one run ---------------------------------------------------------------------------------
def become_subreaper() -> bool:
    """Orphaned descendants (ansible-connection daemonizes: double fork, setsid) are reparented
    to this process, so their CPU and RSS are counted when they are reaped."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _proc_table() -> dict[int, int]:
    """pid -> ppid of every process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                table[int(entry.name)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return table


def _my_children() -> set[int]:
    me = os.getpid()
    return {pid for pid, ppid in _proc_table().items() if ppid == me}


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_pss_kb(exclude: set[int]) -> int:
    """PSS sum of this process's descendants, except the subtrees of ``exclude`` (the labs).
    PSS shares each page among the processes that map it, so forked workers are not counted
    once per fork as an RSS sum would."""
    children: dict[int, list[int]] = defaultdict(list)
    for pid, ppid in _proc_table().items():
        children[ppid].append(pid)
    stack = [pid for pid in children[os.getpid()] if pid not in exclude]
    total = 0
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        stack.extend(children[pid])
    return total


def _reap(pid: int, block: bool = False):
    """wait4 a child: its rusage once it has ended, else None."""
    try:
        done, _status, usage = os.wait4(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return None
    return usage if done else None


@dataclass
class Measured:
    cmd: list[str]
    rc: int | None                  # None: timed out (killed)
    wall: float
    cpu: float                      # user + sys of the run's whole process tree
    maxrss_mb: float                # largest single process
    pss_mb: float                   # peak PSS sum of the process tree, sampled
    processes: int                  # processes reaped (the run's root + daemonized ones)
    log: pathlib.Path

    @property
    def ok(self) -> bool:
        return self.rc == 0

    @property
    def status(self) -> str:
        return "ok" if self.rc == 0 else ("timeout" if self.rc is None else f"rc={self.rc}")

    def excerpt(self) -> str:
        """The first lines that name an error, then the last lines of the run's output."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no output)"
        if not lines:
            return "(no output)"
        errors = [ln[:400] for ln in lines if _ERROR_RE.search(ln)][:ERROR_LINES]
        head = [f"first {len(errors)} error line(s):", *errors, "..."] if errors else []
        return "\n".join([*head, f"last {min(TAIL_LINES, len(lines))} line(s):", *lines[-TAIL_LINES:]])


class _Usage:
    """CPU and largest RSS of the processes reaped for one run."""

    def __init__(self):
        self.cpu, self.maxrss_kb, self.processes = 0.0, 0, 0

    def add(self, usage) -> None:
        if usage is not None:
            self.cpu += usage.ru_utime + usage.ru_stime
            self.maxrss_kb = max(self.maxrss_kb, usage.ru_maxrss)
            self.processes += 1


def measured_run(cmd: list[str], env: dict[str, str], cwd: pathlib.Path, log: pathlib.Path,
                 timeout: float) -> Measured:
    """Run ``cmd`` to its end (killed after ``timeout`` s) and measure it and all its descendants."""
    exclude = _my_children()                 # the lab process already running: not this run's
    used, peak_kb, killed = _Usage(), 0, False
    with open(log, "wb") as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                env=env, start_new_session=True)
        try:
            while True:
                done, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if done:
                    break
                t0 = time.monotonic()
                peak_kb = max(peak_kb, _tree_pss_kb(exclude))
                pause = max(SAMPLE_INTERVAL, (time.monotonic() - t0) / SAMPLE_SHARE)
                if not killed and time.monotonic() - start > timeout:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    killed = True
                time.sleep(pause)
        except BaseException:                # Ctrl-C: do not leave the run behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            _end_orphans(exclude, _Usage(), 0)
            raise
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)   # reaped here: Popen must not wait again
    used.add(usage)
    # daemonized descendants (ansible-connection) end shortly after the playbook
    peak_kb = max(peak_kb, _end_orphans(exclude, used, 0 if killed else REAP_TIMEOUT))
    return Measured(cmd, None if killed else proc.returncode, wall, used.cpu, used.maxrss_kb / 1024,
                    peak_kb / 1024, used.processes, log)


def _end_orphans(exclude: set[int], used: _Usage, grace: float) -> int:
    """Reap the run's orphans (children of this subreaper not in ``exclude``) into ``used``;
    after ``grace`` s, end the ones left by their pid. Returns the peak PSS seen meanwhile."""
    deadline, peak_kb = time.monotonic() + grace, 0
    while True:
        left = set()
        for pid in _my_children() - exclude:
            usage = _reap(pid)
            if usage is None:
                left.add(pid)
            used.add(usage)
        if not left:
            return peak_kb
        if time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                used.add(_reap(pid, block=True))
            return peak_kb
        peak_kb = max(peak_kb, _tree_pss_kb(exclude))
        time.sleep(0.1)


# -- inventories and commands ----------------------------------------------------------------------------
class Workspace:
    """The files of one fleet size under the work directory."""

    def __init__(self, work: pathlib.Path, fleet: Fleet, args: argparse.Namespace):
        self.work = work
        self.root = work / f"n{fleet.pairs}"
        self.root.mkdir(parents=True, exist_ok=True)
        self.fleet = fleet
        self.args = args
        self.vault_pass = work / "vault-pass"
        if not self.vault_pass.exists():
            self.vault_pass.write_text(secrets.token_urlsafe(32) + "\n")
            self.vault_pass.chmod(0o600)
        self.topology = write_topology(self.root / "topology.yml", fleet, args.time_scale)
        # lab seconds run time_scale times as fast: the window must outlast the longest run
        self.confirm_minutes = max(10, math.ceil(args.timeout / (60 * args.time_scale)) + 1)

    def ansible_env(self, control_dir: pathlib.Path) -> dict[str, str]:
        return dict(lab_env(), ANSIBLE_CONFIG=str(ANSIBLE_CFG), ANSIBLE_VAULT_PASSWORD_FILE=str(self.vault_pass),
                    ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="False",
                    ANSIBLE_LOCAL_TEMP=str(self.work / "ansible-tmp"),
                    ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(control_dir))

    def ansible(self, cmd: list[str], log: pathlib.Path, timeout: float | None = None) -> Measured:
        control = pathlib.Path(tempfile.mkdtemp(prefix="apc."))   # short: unix sockets
        try:
            return measured_run(cmd, self.ansible_env(control), self.work, log, timeout or self.args.timeout)
        finally:
            shutil.rmtree(control, ignore_errors=True)

    def _srxlab_yml(self, inv: pathlib.Path, state_dir: pathlib.Path) -> None:
        (inv / "host_vars").mkdir(parents=True, exist_ok=True)
        (inv / "srxlab.yml").write_text("---\n" + yaml.safe_dump({
            "plugin": "netops.srx_vpn.srxlab", "state_dir": str(state_dir), "topology": str(self.topology),
            "group": "srx"}, sort_keys=False))

    def product_inventory(self, inv: pathlib.Path, state_dir: pathlib.Path) -> pathlib.Path:
        """inventories/lab's structure: srxlab.yml, host_vars, the intent, the keys in a vault."""
        self._srxlab_yml(inv, state_dir)
        for name, spec in self.fleet.devices.items():
            (inv / "host_vars" / f"{name}.yml").write_text("---\n" + yaml.safe_dump({"srx_vpn_device": spec},
                                                                                     sort_keys=False))
        (inv / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
        self.set_tunnels(inv, self.fleet.tunnels)
        clear = "---\n" + yaml.safe_dump({"vault_srx_vpn_psks": self.fleet.psks}, sort_keys=False)
        target = inv / "group_vars" / "all" / "vault.yml"
        proc = subprocess.run([tool("ansible-vault"), "encrypt", "--vault-password-file", str(self.vault_pass),
                               "--output", str(target), "-"], input=clear, env=lab_env(), capture_output=True,
                              text=True, timeout=LAB_TIMEOUT, check=False, cwd=self.work)
        if proc.returncode != 0 or not target.read_text().startswith("$ANSIBLE_VAULT;"):
            raise RuntimeError(f"ansible-vault encrypt failed: {proc.stdout}{proc.stderr}")
        return inv

    def set_tunnels(self, inv: pathlib.Path, tunnels: list[dict]) -> None:
        doc = {"srx_vpn_confirm_minutes": self.confirm_minutes, "srx_vpn_tunnels": tunnels,
               "srx_vpn_psks": "{{ vault_srx_vpn_psks }}"}
        (inv / "group_vars" / "all" / "srx_vpn.yml").write_text(
            "---\n# Generated by bench/fleet.py\n" + yaml.safe_dump(doc, sort_keys=False))

    def naive_inventory(self, inv: pathlib.Path, state_dir: pathlib.Path,
                        lines: dict[str, dict[str, list[str]]]) -> pathlib.Path:
        self._srxlab_yml(inv, state_dir)
        for name, stanzas in lines.items():
            path = inv / "host_vars" / f"{name}.yml"
            path.write_text("---\n" + yaml.safe_dump({"bench_lines": {
                s: with_keys(stanzas[s], self.fleet.psks) for s in STANZAS}}, sort_keys=False, width=1000))
            path.chmod(0o600)
        return inv

# -- the contenders -------------------------------------------------------------------------------------
@dataclass
class Row:
    contender: str
    run: str
    measured: Measured | None = None        # None: skipped or not run
    commits: dict[str, list[dict]] = field(default_factory=dict)
    pairs_up: int | None = None
    note: str = ""
    skipped: bool = False

    def commit_counts(self) -> list[int]:
        return [sum(1 for c in cs if c.get("kind", "commit") == "commit") for cs in self.commits.values()]

    def rollbacks(self) -> int:
        return sum(1 for cs in self.commits.values() for c in cs if c.get("kind") == "rollback")


RUNS = ("first deploy", "re-run (no change)")
PRODUCT_RUNS = (*RUNS, "one-tunnel change", "check --diff")


def indent(text: str, prefix: str = "    | ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def report_run(ws: Workspace, row: Row) -> Row:
    m = row.measured
    if m is None:
        return row
    counts = row.commit_counts()
    commits = f", commits per device {sum(counts) / len(counts):.2f}" if counts else ""
    up = f", pairs up {row.pairs_up}/{ws.fleet.pairs}" if row.pairs_up is not None else ""
    print(f"  {row.contender} / {row.run}: {m.status}, {m.wall:.1f} s wall, {m.cpu:.1f} s CPU in {m.processes} "
          f"processes{commits}{up}"
          f"{'; ' + row.note if row.note else ''}", flush=True)
    if not m.ok:
        print(f"  {row.contender} / {row.run} FAILED ({m.status}); its output ({m.log.name}, kept with --keep):\n"
              f"{indent(m.excerpt())}", flush=True)
    if row.rollbacks():
        print(f"  warning: {row.rollbacks()} automatic rollback(s) during {row.contender} / {row.run}", flush=True)
    return row


def measure(ws: Workspace, lab: Lab, rows: list[Row], contender: str, run: str, cmd: list[str],
            log: pathlib.Path, ansible: bool, health: bool = True) -> Row:
    """One measured run against ``lab``: its figures, its commits, then (deploys) the pairs up."""
    before = lab.commit_seqs()
    if ansible:
        m = ws.ansible(cmd, log)
    else:
        m = measured_run(cmd, lab_env(), ws.work, log, ws.args.timeout)
    row = Row(contender, run, m, lab.commits_since(before))
    if health:
        row.pairs_up = lab.pairs_up(ws.fleet)
    rows.append(row)
    return row


def with_lab(ws: Workspace, contender: str, body) -> None:
    """A fresh lab for one contender (its own state directory), always brought down."""
    base = ws.root / contender
    base.mkdir(parents=True, exist_ok=True)
    lab = Lab(ws.topology, base / "state")
    try:
        lab.up()
        body(lab, base)
    finally:
        lab.down()


def devices_with_commits(row: Row) -> dict[str, int]:
    return {d: n for d, n in zip(row.commits, row.commit_counts(), strict=True) if n}


def run_product(ws: Workspace, lines: dict, rows: list[Row]) -> None:
    def body(lab: Lab, base: pathlib.Path) -> None:
        inv = ws.product_inventory(base / "inventory", lab.state_dir)
        cmd = [tool("ansible-playbook"), str(PLAYBOOK), "-i", str(inv),
               "-e", f"srx_vpn_output_dir={base / 'out'}", "-e", f"srx_vpn_reports_dir={base / 'reports'}",
               "-e", f"srx_vpn_verify_timeout={VERIFY_TIMEOUT}", "-f", str(ws.args.forks)]
        for i, run in enumerate(RUNS):
            report_run(ws, measure(ws, lab, rows, "product", run, cmd, base / f"run{i}.log", ansible=True))
        # one tunnel changes (the DPD interval of pair-1): which devices commit
        ws.set_tunnels(inv, ws.fleet.with_dpd("pair-1", 20))
        row = measure(ws, lab, rows, "product", "one-tunnel change", cmd, base / "run2.log", ansible=True)
        row.note = "commits on: " + (", ".join(f"{d} ({n})" for d, n in sorted(devices_with_commits(row).items()))
                                     or "none")
        report_run(ws, row)
        # --check --diff of the whole fleet, one more change pending on pair-1: nothing may commit
        ws.set_tunnels(inv, ws.fleet.with_dpd("pair-1", 30))
        row = measure(ws, lab, rows, "product", "check --diff", [*cmd, "--check", "--diff"], base / "run3.log",
                      ansible=True, health=False)
        shown = "interval 30" in row.measured.log.read_text(errors="replace")
        row.note = (f"commits on: {', '.join(sorted(devices_with_commits(row))) or 'none'}; "
                    f"the diff shows the pending change (dead-peer-detection interval 30): {'yes' if shown else 'no'}")
        report_run(ws, row)
    with_lab(ws, "product", body)


def run_naive(ws: Workspace, lines: dict, rows: list[Row]) -> None:
    def body(lab: Lab, base: pathlib.Path) -> None:
        inv = ws.naive_inventory(base / "inventory", lab.state_dir, lines)
        cmd = [tool("ansible-playbook"), str(NAIVE_PLAYBOOK), "-i", str(inv), "-f", str(ws.args.forks)]
        for i, run in enumerate(RUNS):
            report_run(ws, measure(ws, lab, rows, "naive", run, cmd, base / f"run{i}.log", ansible=True))
    with_lab(ws, "naive", body)


def run_floor(ws: Workspace, lines: dict, rows: list[Row]) -> None:
    def body(lab: Lab, base: pathlib.Path) -> None:
        job = base / "job.json"
        devices = [{"name": name, "host": d["host"], "port": d["port"], "username": d["username"],
                    "password": d["password"], "lines": [ln for s in STANZAS for ln in lines[name][s]],
                    "psks": {t["name"]: ws.fleet.psks[t["name"]] for t in ws.fleet.tunnels
                             if name in (e["device"] for e in t["ends"])}}
                   for name, d in lab.devices.items()]
        job.write_text(json.dumps({"devices": devices}))
        job.chmod(0o600)
        cmd = [sys.executable, str(FLOOR_SCRIPT), str(job), "--threads", str(ws.args.floor_threads),
               "--wait", str(VERIFY_TIMEOUT), "--confirm-timeout", str(FLOOR_CONFIRM_MINUTES)]
        for i, run in enumerate(RUNS):
            report_run(ws, measure(ws, lab, rows, "floor", run, cmd, base / f"run{i}.log", ansible=False))
    with_lab(ws, "floor", body)


RUNNERS = {"product": run_product, "naive": run_naive, "floor": run_floor}


# -- the table -----------------------------------------------------------------------------------------
HEADER = (f"{'contender':<9} {'run':<19} {'status':<8} {'wall s':>8} {'CPU s':>8} {'RSS max MB':>10} "
          f"{'PSS peak MB':>11} {'commits/device':>16} {'pairs up':>9}")


def fmt_row(row: Row, pairs: int) -> str:
    if row.measured is None:
        return f"{row.contender:<9} {row.run:<19} {'skipped' if row.skipped else 'not run':<8}"
    m = row.measured
    counts = row.commit_counts()
    commits = (f"{sum(counts) / len(counts):.2f} ({min(counts)}-{max(counts)})" if counts else "-")
    up = f"{row.pairs_up}/{pairs}" if row.pairs_up is not None else "-"
    return (f"{row.contender:<9} {row.run:<19} {m.status:<8} {m.wall:>8.1f} {m.cpu:>8.1f} {m.maxrss_mb:>10.1f} "
            f"{m.pss_mb:>11.1f} {commits:>16} {up:>9}")


def figure(row: Row | None, name: str) -> tuple[float, bool] | None:
    """(value, the run succeeded) of one figure; None when the run was skipped, not run or killed."""
    if row is None or row.measured is None or row.measured.rc is None:
        return None
    m = row.measured
    if name == "commits/device":
        counts = row.commit_counts()
        value = sum(counts) / len(counts) if counts else None
    else:
        value = {"wall": m.wall, "CPU": m.cpu, "PSS peak": m.pss_mb}[name]
    return None if value is None else (value, m.ok)


def ratio(mine: tuple[float, bool] | None, other: tuple[float, bool] | None) -> str:
    """mine / other; marked `*` when either run failed (its figures are those of a failed run)."""
    if mine is None or other is None:
        return "n/a"
    mark = "" if mine[1] and other[1] else "*"
    if other[0] == 0:
        return ("inf" if mine[0] else "both 0") + mark
    return f"{mine[0] / other[0]:.2f}x{mark}"


def print_table(fleet: Fleet, rows: list[Row], ws: Workspace, source: str, started: float) -> None:
    print()
    print(f"== fleet: {fleet.label}, forks {ws.args.forks}, floor threads {ws.args.floor_threads}, "
          f"time_scale {ws.args.time_scale:g}, product confirm window {ws.confirm_minutes} lab minutes ==")
    print(f"set lines rendered by {source}")
    print(HEADER)
    for row in rows:
        print(fmt_row(row, fleet.pairs))
    for row in rows:
        if row.note:
            print(f"  {row.contender} / {row.run}: {row.note}")
    by = {(r.contender, r.run): r for r in rows}
    print("ratios (below 1: the product takes less than the other contender):")
    print(f"  {'run':<19} {'figure':<15} {'product/naive':>14} {'product/floor':>14}")
    for run in RUNS:
        for name in ("wall", "CPU", "PSS peak", "commits/device"):
            mine = figure(by.get(("product", run)), name)
            print(f"  {run:<19} {name:<15} {ratio(mine, figure(by.get(('naive', run)), name)):>14} "
                  f"{ratio(mine, figure(by.get(('floor', run)), name)):>14}")
    print("  (* = a run of the two failed: its figures are those of a failed run; n/a = skipped, not run "
          "or timed out)")
    print(f"size done in {time.monotonic() - started:.1f} s")
    print(flush=True)


# -- main ----------------------------------------------------------------------------------------------
def bench_size(pairs: int, args: argparse.Namespace, work: pathlib.Path) -> list[Row]:
    started = time.monotonic()
    fleet = make_fleet(pairs)
    ws = Workspace(work, fleet, args)
    lines = rendered_lines(fleet)
    source = "the product's renderer (plugins/plugin_utils/render.py)"
    rows: list[Row] = []
    for contender in CONTENDERS:
        runs = PRODUCT_RUNS if contender == "product" else RUNS
        if contender not in args.contenders:
            rows += [Row(contender, run, skipped=True) for run in runs]
            continue
        print(f"[{fleet.label}] {contender}: fresh lab, {', '.join(runs)}", flush=True)
        mine = len(rows)
        try:
            RUNNERS[contender](ws, lines, rows)
        except (RuntimeError, OSError, subprocess.SubprocessError, LabNotRunning) as exc:
            print(f"  {contender} FAILED outside its runs: {type(exc).__name__}: {exc}", flush=True)
            done = {r.run for r in rows[mine:]}
            rows += [Row(contender, run, note=f"not run ({type(exc).__name__})") for run in runs if run not in done]
    print_table(fleet, rows, ws, source, started)
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", default="1,20", help="comma-separated fleet sizes in pairs (default 1,20)")
    parser.add_argument("--contenders", default=",".join(CONTENDERS),
                        help="comma-separated subset of product,naive,floor (default all three)")
    parser.add_argument("--forks", type=int, default=40, help="ansible-playbook --forks (default 40)")
    parser.add_argument("--floor-threads", type=int, default=20, help="the floor's thread pool (default 20)")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds per run before it is killed (default 900)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="the lab's time_scale (default 1.0: protocol delays and commit-confirmed "
                             "timers in real time)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (inventories, logs)")
    args = parser.parse_args(argv)
    try:
        args.pairs = [int(p) for p in args.pairs.split(",") if p.strip()]
    except ValueError:
        parser.error(f"--pairs: integers separated by commas, got {args.pairs!r}")
    if not args.pairs or any(not 1 <= p <= 16384 for p in args.pairs):
        parser.error("--pairs: each size must be 1-16384")
    args.contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = [c for c in args.contenders if c not in CONTENDERS]
    if unknown or not args.contenders:
        parser.error(f"--contenders: unknown {unknown} (choose from {', '.join(CONTENDERS)})")
    if args.forks < 1 or args.floor_threads < 1 or args.timeout <= 0 or args.time_scale <= 0:
        parser.error("--forks, --floor-threads, --timeout and --time-scale must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    subreaper = become_subreaper()
    work = pathlib.Path(tempfile.mkdtemp(prefix="fleet."))   # short: the labs' unix sockets live here
    print(f"fleet benchmark: sizes {args.pairs} pairs, contenders {', '.join(args.contenders)}; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; work dir {work}", flush=True)
    print("measured per run: wall (time.monotonic); CPU = user+sys of the run's process tree (wait4 rusage"
          + (", daemonized descendants included: this process is their subreaper)" if subreaper else
             "; prctl(PR_SET_CHILD_SUBREAPER) failed: daemonized descendants NOT counted)")
          + "; RSS max = largest single process (ru_maxrss); PSS peak = the largest sum over the run's "
          "process tree (/proc/PID/smaps_rollup), sampled every "
          f"{SAMPLE_INTERVAL:g} s or more; commits from the lab's commit history", flush=True)
    failed = 0
    try:
        for pairs in args.pairs:
            rows = bench_size(pairs, args, work)
            failed += sum(1 for r in rows if not r.skipped and (r.measured is None or not r.measured.ok))
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"benchmark process itself: {usage.ru_utime + usage.ru_stime:.1f} s CPU (sampling, lab control)")
    print(f"failed runs: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
