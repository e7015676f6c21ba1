"""The helpers of the integration tests, in one place.

Every test module imports what it needs from here (``from helpers import ...``; pytest's
default ``prepend`` import mode puts ``tests/integration``, a folder without
``__init__.py``, on ``sys.path``); ``conftest.py`` holds only the fixtures.

* :class:`Lab` - one running ``srxlab`` lab in its own short temporary state directory
  (``SRXLAB_TIME_SCALE=0.05``: lab time runs 20x faster): its CLI, fault injection, ncclient
  helpers (configuration, commit history, snapshots, reset to factory), operational state
  (IKE/IPsec SAs, BGP, ping) and ``run_playbook`` for the playbooks of
  ``tests/integration/playbooks``.  The ``lab`` fixture starts one per xdist worker; the
  deploy tests start their own with ``with Lab(topology, label) as lab:``.
* :class:`Inventory` - an inventory directory for one lab in the structure of
  ``inventories/lab`` (``srxlab.yml`` with absolute ``state_dir``/``topology``,
  ``host_vars``, ``group_vars/all/srx_vpn.yml`` with the intent, ``group_vars/all/vault.yml``
  with the pre-shared keys as a real ansible-vault file, its password in a generated file),
  and :meth:`Inventory.run` / :meth:`Inventory.deploy`, which run the collection's
  playbooks the way an operator does::

      ansible-playbook <repo>/deploy_vpn.yml -i <inventory> -e srx_vpn_output_dir=<tmp>/out \\
          -e srx_vpn_reports_dir=<tmp>/reports -e srx_vpn_verify_timeout=15

  with the repository's ``ansible.cfg`` (collections path, preload callback), bounded in time.
* checks: :func:`secrets_in` / :func:`folder_secrets` (clear keys and ``$9$`` strings, each
  decoded with netutils), :func:`tunnel_problems`, :func:`tunnel_gone_problems`,
  :class:`Checks` (soft assertions of a scenario chain).

The outcome of a run is always checked on the devices through ncclient (commit history,
committed configuration, IKE/IPsec/BGP state, pings) or through the report JSON, never only
from a return code.  Nothing is written into the repository: labs, inventories, outputs and
reports live under temporary directories, so modules run side by side under ``pytest -n 2``.
Every subprocess is bounded by a timeout.
"""
from __future__ import annotations

import contextlib
import copy
import difflib
import json
import os
import pathlib
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# Import the NETCONF stack before anything forks (see TOOLCHAIN.md: fork/import deadlock).
import lxml.etree
import yaml
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.xml_ import to_ele
from netutils.password import decrypt_juniper_type9

REPO = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks"          # the test playbooks run by Lab.run_playbook
FIXTURES = HERE / "fixtures"
FLEET_DIR = HERE / "fleet"
PLAYBOOK = REPO / "deploy_vpn.yml"
# the collection's playbooks run by Inventory.run
PRODUCT_PLAYBOOKS = {"deploy": PLAYBOOK, "render": REPO / "playbooks" / "render_vpn.yml",
                     "validate": REPO / "playbooks" / "validate_vpn.yml"}
ANSIBLE_CFG = REPO / "ansible.cfg"
TOPOLOGIES = REPO / "lab" / "topologies"
LAB_INVENTORY = REPO / "inventories" / "lab"
BIN = pathlib.Path(sys.executable).parent

TIME_SCALE = 0.05                      # lab seconds -> real seconds (commit confirmed 5 -> 15 s)
CONFIRM_MINUTE = 60 * TIME_SCALE       # real seconds of `commit confirmed 1`
VERIFY_TIMEOUT = 15                    # -e srx_vpn_verify_timeout
# srx_vpn_confirm_minutes of every test inventory. Lab time runs 20x faster, commit-confirmed
# timers included: the lab inventory's 5 minutes are 15 real seconds here, no longer than
# the verify timeout and shorter than the pipeline's own push -> verify -> confirm latency on
# a loaded 2-core machine (measured 15-25 s for 3-5 devices), so the timer would fire in
# the middle of healthy runs. 40 lab minutes = 120 real seconds keeps the real-world ratio
# (minutes of window for a verify of seconds). What the pipeline does when the window is
# shorter than its verify is tested on purpose, with -e srx_vpn_confirm_minutes, in
# test_deploy_pair.py (test_*_commit_confirmed_window_*).
CONFIRM_MINUTES = 40
LAB_CONFIRM_MINUTES = 5                # inventories/lab/group_vars/all/srx_vpn.yml
UP_TIMEOUT = 120
CLI_TIMEOUT = 60
PLAYBOOK_TIMEOUT = 300                 # a run of the collection's playbooks (Inventory.run)
TEST_PLAYBOOK_TIMEOUT = 120            # a run of a test playbook (Lab.run_playbook)
NC_TIMEOUT = 30
SETTLE_TIMEOUT = 60

PAIR = ("srx-a", "srx-b")              # the seed pair (lab/topologies/seed-pair.yml, inventories/lab)
TUNNEL = "a-b"                         # its tunnel
SECRET_RE = re.compile(r'"(\$9\$[^"]+)"')             # a quoted $9$ string in Junos text
SECRET9 = re.compile(r"\$9\$[^\s\"'<>\\,;}\]]*")       # any $9$ string in any text
AUTO_ROLLBACK = "automatic rollback"


def tool(name: str) -> str:
    """The venv's ``name`` executable, else ``name`` on PATH."""
    path = BIN / name
    return str(path) if path.exists() else name


def base_env(time_scale: float = TIME_SCALE) -> dict[str, str]:
    """The environment of every subprocess: the venv first on PATH, the lab's time scale."""
    env = dict(os.environ, SRXLAB_TIME_SCALE=str(time_scale))
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.2) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds have passed; an exception
    raised by ``predicate`` counts as false (a device restarting, a session dropped)."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            if predicate():
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


# -- Junos text and XML helpers ---------------------------------------------------------------
def set_lines(text: str) -> list[str]:
    """The statements of a `set` file or `display set` output.

    Comments and blank lines are dropped, and so is `set version ...`: Junos stamps the
    software version into the configuration itself, so tests never compare it.
    """
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not ln.strip().startswith(("#", "set version "))]


def fixture_set(name: str) -> list[str]:
    return set_lines((FIXTURES / name).read_text())


def local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def find_all(reply: Any, name: str) -> list[Any]:
    """Elements named ``name`` (any namespace) in an ncclient reply or an lxml element."""
    if isinstance(reply, lxml.etree._Element):
        root = reply
    elif hasattr(reply, "_root"):          # RPCReply
        root = reply._root
    else:                                  # NCElement (junos `rpc`, `command`, ...)
        root = reply.xpath("/*")[0]
    return [el for el in root.iter() if local_name(el.tag) == name]


def find_text(reply: Any, name: str) -> str | None:
    """Text of the first element named ``name`` anywhere in ``reply``."""
    found = find_all(reply, name)
    return (found[0].text or "").strip() if found else None


def child_text(el: Any, name: str) -> str | None:
    """Text of the first direct child of ``el`` named ``name``."""
    for child in el:
        if local_name(child.tag) == name:
            return (child.text or "").strip()
    return None


def rpc_errors(exc: RPCError) -> list[RPCError]:
    """The individual errors carried by an ncclient RPCError (one or several)."""
    return list(getattr(exc, "errors", None) or [exc])


def error_summary(exc: RPCError) -> list[tuple[str | None, str | None, str | None]]:
    """(severity, error-path, message) of every error, whitespace-normalised."""
    def norm(value: Any) -> str | None:
        return " ".join(value.split()) if isinstance(value, str) else value
    return [(norm(e.severity), norm(e.path), norm(e.message)) for e in rpc_errors(exc)]


def new_psk() -> str:
    """A fresh random pre-shared key (>= 16 characters, no quote or `$`)."""
    return "psk-" + secrets.token_hex(14)


# -- ansible-playbook runs --------------------------------------------------------------------
_RECAP_RE = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", re.MULTILINE)


def parse_recap(stdout: str) -> dict[str, dict[str, int]]:
    """PLAY RECAP counters by host."""
    recap: dict[str, dict[str, int]] = {}
    tail = stdout.rsplit("PLAY RECAP", 1)[-1] if "PLAY RECAP" in stdout else ""
    for host, counters in _RECAP_RE.findall(tail):
        recap[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counters)}
    return recap


def _timeout_output(exc: subprocess.TimeoutExpired) -> str:
    return exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")


@dataclass
class PlaybookResult:
    """One run of a test playbook (:meth:`Lab.run_playbook`)."""

    rc: int
    stdout: str
    stderr: str
    recap: dict[str, dict[str, int]]

    def __str__(self) -> str:
        return f"rc={self.rc}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


@dataclass(repr=False)
class Run:
    """One run of a collection playbook: command, rc, output, recap, wall time, its output folders."""

    cmd: list[str]
    rc: int
    stdout: str
    stderr: str
    seconds: float
    out_dir: pathlib.Path
    reports_dir: pathlib.Path
    recap: dict[str, dict[str, int]] = field(default_factory=dict)
    report_data: dict[str, Any] | None = None     # vpn_status.json as this run left it

    @property
    def text(self) -> str:
        return self.stdout + "\n" + self.stderr

    # A host that ran no task (the deploy runs once, for the fleet) is not in the recap: 0.
    def changed(self, host: str) -> int:
        return self.recap.get(host, {}).get("changed", 0)

    def failed(self, host: str) -> int:
        return self.recap.get(host, {}).get("failed", 0)

    def report(self) -> dict[str, Any] | None:
        return self.report_data

    def describe(self, tail: int = 80) -> str:
        out = "\n".join(self.stdout.splitlines()[-tail:])
        err = "\n".join(self.stderr.splitlines()[-20:])
        return (f"$ {' '.join(self.cmd)}\nrc={self.rc} ({self.seconds:.1f} s)\n"
                f"--- stdout (last {tail} lines) ---\n{out}\n--- stderr ---\n{err}")

    __str__ = describe

    def __repr__(self) -> str:
        return f"<Run {' '.join(self.cmd[-3:])} rc={self.rc} recap={self.recap}>"


# -- the lab ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Device:
    """How to reach one lab device over NETCONF."""

    name: str
    host: str
    port: int
    username: str
    password: str

    def ncclient_kwargs(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "username": self.username,
                "password": self.password, "hostkey_verify": False,
                "device_params": {"name": "junos"}, "look_for_keys": False,
                "allow_agent": False, "timeout": NC_TIMEOUT}


@dataclass(repr=False)
class Snapshot:
    """A device's committed configuration (set lines) and commit history (newest first)."""

    config: list[str]
    commits: list[dict[str, str]]

    def __repr__(self) -> str:   # short, and no `$9$` key in a traceback
        return f"<Snapshot {len(self.config)} lines, {len(self.commits)} commits>"

    @property
    def pending(self) -> bool:
        return bool(self.commits) and "rollback in" in self.commits[0].get("comment", "")


def new_commits(before: Snapshot, after: Snapshot) -> list[dict[str, str]]:
    """Commits in ``after`` that were not in ``before`` (newest first)."""
    if not before.commits:
        return list(after.commits)
    key = ("date-time", "log", "client", "user")
    top = tuple(before.commits[0].get(k) for k in key)
    for i, entry in enumerate(after.commits):
        if tuple(entry.get(k) for k in key) == top:
            return after.commits[:i]
    return after.commits[:max(0, len(after.commits) - len(before.commits))]


def config_diff(before: Iterable[str], after: Iterable[str]) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two committed configurations."""
    b, a = list(before), list(after)
    sb, sa = set(b), set(a)
    return [x for x in b if x not in sa], [x for x in a if x not in sb]


class Lab:
    """One srxlab lab in its own short temporary state directory.

    ``with Lab(topology, label) as lab:`` starts it and always stops it (and removes its
    state directory once it is down).  ``work_dir`` is where :meth:`run_playbook` writes its
    inventory and finds its ``ansible.cfg``; ``up(factory=True)`` captures every device's
    committed configuration right after start, for :meth:`reset`.
    """

    def __init__(self, topology: str = "seed-pair", label: str = "it",
                 work_dir: pathlib.Path | None = None, time_scale: float = TIME_SCALE):
        self.topology = TOPOLOGIES / f"{topology}.yml"
        # Short path: the control socket is a unix socket (~107 bytes limit).
        self.state_dir = pathlib.Path(tempfile.mkdtemp(prefix=f"srxlab-{label}."))
        self.work_dir = work_dir or self.state_dir
        self.env = base_env(time_scale)
        self.factory_text: dict[str, str] = {}     # device -> committed text right after up
        self.factory_set: dict[str, list[str]] = {}
        self._devices: dict[str, Device] = {}
        self.inventory: pathlib.Path | None = None

    def __enter__(self) -> Lab:
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    # -- srxlab CLI -----------------------------------------------------------------------
    def srxlab(self, *args: str, timeout: float = CLI_TIMEOUT,
               check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [tool("srxlab"), args[0], "--state-dir", str(self.state_dir), *args[1:]]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout,
                              cwd=self.state_dir, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} -> rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}\n"
                                 f"{self.log_tail()}")
        return proc

    def up(self, *args: str, factory: bool = False) -> None:
        """``srxlab up`` (``args``: more options, e.g. ``--backend real``); with ``factory``,
        keep every device's committed configuration for :meth:`reset`."""
        self.srxlab("up", "--topology", str(self.topology), *args, timeout=UP_TIMEOUT)
        if factory:
            for name in self.names():
                with self.connect(name) as nc:
                    self.factory_text[name] = self.get_config(nc, "text", committed=True)
                    self.factory_set[name] = set_lines(self.get_config(nc, "set", committed=True))

    def down(self) -> None:
        """``srxlab down``; the state directory is removed once the lab is no longer alive."""
        with contextlib.suppress(Exception):
            self.srxlab("down", timeout=UP_TIMEOUT, check=False)
        if not self.alive():
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def alive(self) -> bool:
        return self.srxlab("status", "--json", check=False).returncode == 0

    def status(self) -> dict[str, dict[str, Any]]:
        return {d["name"]: d for d in json.loads(self.srxlab("status", "--json").stdout)}

    def names(self) -> list[str]:
        return list(self.status())

    def fault(self, name: str, kind: str, *args: str) -> None:
        self.srxlab("fault", name, kind, *args)

    def explain(self) -> str:
        return self.srxlab("explain", check=False).stdout

    def wait_settled(self, timeout: float = SETTLE_TIMEOUT) -> bool:
        return self.srxlab("wait-settled", "--timeout", str(timeout), timeout=timeout + 30,
                           check=False).returncode == 0

    def log_text(self) -> str:
        try:
            return (self.state_dir / "srxlab.log").read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_text()
        if not text:
            return "(no lab log)"
        return "--- lab log ---\n" + "\n".join(text.splitlines()[-lines:])

    def netconf_sessions(self) -> list[str]:
        """Lab log lines of every NETCONF session ever opened on any device."""
        return [ln for ln in self.log_text().splitlines() if re.search(r"netconf session \d+ opened", ln)]

    # -- ncclient ---------------------------------------------------------------------------
    def device(self, name: str) -> Device:
        if name not in self._devices:
            d = self.status()[name]
            self._devices[name] = Device(d["name"], d["host"], int(d["port"]), d["username"], d["password"])
        return self._devices[name]

    def connect(self, name: str) -> manager.Manager:
        return manager.connect(**self.device(name).ncclient_kwargs())

    @staticmethod
    def get_config(nc: manager.Manager, fmt: str = "set", committed: bool = False) -> str:
        """Whole configuration as text (`set`/`text`) via <get-configuration>."""
        database = ' database="committed"' if committed else ""
        reply = nc.rpc(to_ele(f'<get-configuration format="{fmt}"{database}/>'))
        tag = {"set": "configuration-set", "text": "configuration-text"}[fmt]
        node = find_all(reply, tag)
        assert node, f"no <{tag}> in reply: {str(reply)[:2000]}"
        return node[0].text or ""

    @staticmethod
    def history(nc: manager.Manager) -> list[dict[str, str]]:
        """`get-commit-information`, newest first: sequence-number, user, client, date-time, log,
        comment."""
        reply = nc.rpc(to_ele("<get-commit-information/>"))
        return [{local_name(child.tag): (child.text or "").strip() for child in item
                 if isinstance(child.tag, str)}
                for item in find_all(reply, "commit-history")]

    @staticmethod
    def load_override(nc: manager.Manager, text: str, comment: str) -> None:
        """`load override` of ``text`` (Junos text configuration) and commit, under the lock."""
        nc.lock()
        try:
            nc.load_configuration(action="override", format="text", config=text)
            nc.commit(comment=comment)
        finally:
            with contextlib.suppress(RPCError):
                nc.unlock()

    def committed_set(self, name: str) -> list[str]:
        with self.connect(name) as nc:
            return set_lines(self.get_config(nc, "set", committed=True))

    def commits(self, name: str) -> list[dict[str, str]]:
        with self.connect(name) as nc:
            return self.history(nc)

    def commit_seq(self, name: str) -> int:
        """How many commits the device has made so far. Junos keeps only the last 50 in its
        history, so tests count commits with the lab's own sequence number, not the history."""
        from srxlab.cli import control_request
        reply = control_request(self.state_dir, {"op": "commits", "device": name})
        assert reply.get("ok"), reply
        return reply["commits"][0]["seq"]

    def snapshot(self, name: str) -> Snapshot:
        with self.connect(name) as nc:
            return Snapshot(set_lines(self.get_config(nc, "set", committed=True)), self.history(nc))

    def snapshots(self, names: Iterable[str] | None = None) -> dict[str, Snapshot]:
        return {n: self.snapshot(n) for n in (names or self.names())}

    def config_text(self, name: str) -> str:
        with self.connect(name) as nc:
            return self.get_config(nc, "text", committed=True)

    def show_commits(self, name: str) -> str:
        """`show system commit` as the CLI prints it (for failure messages)."""
        with self.connect(name) as nc:
            reply = nc.rpc(to_ele('<command format="text">show system commit</command>'))
            out = find_all(reply, "output")
            return out[0].text if out else str(reply)

    def restore(self, name: str, text: str) -> None:
        """Load ``text`` (Junos text config) with `load override` and commit (test reset)."""
        with self.connect(name) as nc:
            self.load_override(nc, text, "test reset")

    def reset(self, name: str) -> Device:
        """Back to the factory configuration of ``up(factory=True)``: faults cleared, changes a
        test left in the shared candidate without a lock discarded, load override + commit only
        when the device differs or a commit confirmed waits."""
        self.fault(name, "clear")
        params = self.device(name)
        with self.connect(name) as nc:
            nc.discard_changes()
            hist = self.history(nc)
            pending = bool(hist) and "rollback in" in hist[0].get("comment", "")
            if pending or set_lines(self.get_config(nc, "set", committed=True)) != self.factory_set[name]:
                self.load_override(nc, self.factory_text[name], "test reset to factory")
            now = set_lines(self.get_config(nc, "set", committed=True))
            assert now == self.factory_set[name], f"{name}: reset to factory failed: {now}"
        return params

    # -- operational state ------------------------------------------------------------------
    def ike_sas(self, name: str) -> dict[str, str]:
        """IKE SAs: remote address -> state."""
        with self.connect(name) as nc:
            reply = nc.rpc(to_ele("<get-ike-security-associations-information/>"))
        return {child_text(sa, "ike-sa-remote-address"): child_text(sa, "ike-sa-state")
                for sa in find_all(reply, "ike-security-associations")}

    def ipsec_sas(self, name: str) -> dict[str, list[dict[str, str]]]:
        """IPsec SAs by remote gateway: [{direction, spi, encryption, state}]."""
        with self.connect(name) as nc:
            reply = nc.rpc(to_ele("<get-security-associations-information/>"))
        out: dict[str, list[dict[str, str]]] = {}
        for block in find_all(reply, "ipsec-security-associations-block"):
            state = child_text(block, "sa-block-state")
            for sa in (c for c in block if local_name(c.tag) == "ipsec-security-associations"):
                out.setdefault(child_text(sa, "sa-remote-gateway"), []).append({
                    "direction": child_text(sa, "sa-direction"), "spi": child_text(sa, "sa-spi"),
                    "encryption": child_text(sa, "sa-esp-encryption-algorithm"), "state": state})
        return out

    def bgp_peers(self, name: str) -> dict[str, dict[str, Any]]:
        """BGP neighbours by address: state, peer-as, peer-id, received/active prefixes."""
        with self.connect(name) as nc:
            reply = nc.rpc(to_ele("<get-bgp-neighbor-information/>"))
        out = {}
        for peer in find_all(reply, "bgp-peer"):
            addr = (child_text(peer, "peer-address") or "").split("+")[0]
            rib = next(iter(find_all(peer, "bgp-rib")), None)
            out[addr] = {"state": child_text(peer, "peer-state"), "peer_as": child_text(peer, "peer-as"),
                         "peer_id": child_text(peer, "peer-id"),
                         "received": int(child_text(rib, "received-prefix-count") or 0) if rib is not None else 0,
                         "active": int(child_text(rib, "active-prefix-count") or 0) if rib is not None else 0}
        return out

    def ping(self, name: str, host: str, source: str | None = None, count: int = 3) -> tuple[int, int]:
        """(sent, received) of `ping host [source] count`."""
        src = f"<source>{source}</source>" if source else ""
        with self.connect(name) as nc:
            reply = nc.rpc(to_ele(f"<ping><host>{host}</host>{src}<count>{count}</count></ping>"))
        sent = find_all(reply, "probes-sent")
        got = find_all(reply, "responses-received")
        return (int(sent[0].text) if sent else 0), (int(got[0].text) if got else 0)



    # -- the test playbooks (tests/integration/playbooks) ----------------------------------
    def write_inventory(self) -> pathlib.Path:
        """A plain YAML inventory of every device (NETCONF connection, password login)."""
        hosts = {}
        for name in self.names():
            d = self.device(name)
            hosts[name] = {"ansible_host": d.host, "ansible_port": d.port,
                           "ansible_user": d.username, "ansible_password": d.password}
        inventory = {"all": {"children": {"srx": {
            "hosts": hosts,
            "vars": {"ansible_connection": "ansible.netcommon.netconf",
                     "ansible_network_os": "junipernetworks.junos.junos",
                     "ansible_host_key_checking": False,
                     "ansible_python_interpreter": sys.executable}}}}}
        path = self.work_dir / "inventory.yml"
        path.write_text(yaml.safe_dump(inventory, sort_keys=False))
        self.inventory = path
        return path

    def run_playbook(self, playbook: str, *args: str, limit: str | None = None,
                     extra_vars: dict[str, Any] | None = None,
                     timeout: float = TEST_PLAYBOOK_TIMEOUT) -> PlaybookResult:
        """Run ``tests/integration/playbooks/<playbook>`` against the lab, bounded in time
        (``<work_dir>/ansible.cfg``, written by the ``lab`` fixture)."""
        inventory = self.inventory or self.write_inventory()
        cmd = [tool("ansible-playbook"), "-i", str(inventory), str(PLAYBOOKS / playbook)]
        if limit:
            cmd += ["--limit", limit]
        if extra_vars:
            cmd += ["--extra-vars", json.dumps(extra_vars)]
        cmd += list(args)
        env = dict(self.env,
                   ANSIBLE_CONFIG=str(self.work_dir / "ansible.cfg"),
                   ANSIBLE_HOST_KEY_CHECKING="False",
                   ANSIBLE_FORKS="1",
                   ANSIBLE_NOCOLOR="1",
                   ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_RETRY_FILES_ENABLED="False",
                   ANSIBLE_LOCAL_TEMP=str(self.work_dir / "ansible-tmp"),
                   ANSIBLE_PERSISTENT_CONNECT_TIMEOUT="30",
                   ANSIBLE_PERSISTENT_COMMAND_TIMEOUT="60",
                   ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(self.work_dir / "pc"),
                   ANSIBLE_DEPRECATION_WARNINGS="False",
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                  timeout=timeout, cwd=self.work_dir, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"ansible-playbook {playbook} timed out after {timeout} s\n"
                                 f"{_timeout_output(exc)}\n{self.log_tail()}") from exc
        return PlaybookResult(proc.returncode, proc.stdout, proc.stderr, parse_recap(proc.stdout))


# -- inventories ------------------------------------------------------------------------------
class Inventory:
    """An inventory directory for one lab in the structure of ``inventories/lab``.

    ``group_vars/all/srx_vpn.yml`` holds the intent (``srx_vpn_tunnels``,
    ``srx_vpn_psks: "{{ vault_srx_vpn_psks }}"``, ``srx_vpn_confirm_minutes``),
    ``group_vars/all/vault.yml`` the keys, encrypted with ``ansible-vault`` under a password
    generated into ``<work>/vault-pass``; every run passes it with ANSIBLE_VAULT_PASSWORD_FILE.
    """

    def __init__(self, lab: Lab, work: pathlib.Path, name: str = "inventory"):
        self.lab = lab
        self.work = work
        self.path = work / name
        self.out_dir = work / f"{name}-out"
        self.reports_dir = work / f"{name}-reports"
        self.vault_pass = work / "vault-pass"
        self.psks: dict[str, str] = {}
        self.tunnels: list[dict[str, Any]] = []
        self.devices: dict[str, dict[str, Any]] = {}
        self.group_vars: dict[str, Any] = {}

    # writing
    def write(self, devices: dict[str, dict[str, Any]], tunnels: list[dict[str, Any]], psks: dict[str, str],
              group_vars: dict[str, Any] | None = None) -> Inventory:
        if not self.vault_pass.exists():
            self.vault_pass.write_text(secrets.token_urlsafe(32) + "\n")
            self.vault_pass.chmod(0o600)
        (self.path / "host_vars").mkdir(parents=True, exist_ok=True)
        (self.path / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
        (self.path / "srxlab.yml").write_text(yaml.safe_dump({
            "plugin": "netops.srx_vpn.srxlab", "state_dir": str(self.lab.state_dir),
            "topology": str(self.lab.topology), "group": "srx"}, sort_keys=False))
        self.group_vars = {**(group_vars or {}), "srx_vpn_confirm_minutes": CONFIRM_MINUTES}
        self.set_devices(devices)
        self.set_tunnels(tunnels)
        self.set_psks(psks)
        return self

    def set_devices(self, devices: dict[str, dict[str, Any]]) -> None:
        self.devices = copy.deepcopy(devices)
        for old in (self.path / "host_vars").glob("*.yml"):
            old.unlink()
        for name, spec in self.devices.items():
            (self.path / "host_vars" / f"{name}.yml").write_text(
                "---\n" + yaml.safe_dump({"srx_vpn_device": spec}, sort_keys=False))

    def set_device(self, name: str, **changes: Any) -> None:
        devices = copy.deepcopy(self.devices)
        devices[name].update(changes)
        self.set_devices(devices)

    def set_tunnels(self, tunnels: list[dict[str, Any]]) -> None:
        self.tunnels = copy.deepcopy(tunnels)
        doc = {**self.group_vars, "srx_vpn_tunnels": self.tunnels,
               "srx_vpn_psks": "{{ vault_srx_vpn_psks }}"}
        (self.path / "group_vars" / "all" / "srx_vpn.yml").write_text(
            "---\n# Generated by tests/integration/helpers.py\n" + yaml.safe_dump(doc, sort_keys=False))

    def set_psks(self, psks: dict[str, str]) -> None:
        """Write the keys as a real ansible-vault encrypted file."""
        self.psks = dict(psks)
        clear = "---\n" + yaml.safe_dump({"vault_srx_vpn_psks": self.psks}, sort_keys=False)
        target = self.path / "group_vars" / "all" / "vault.yml"
        proc = subprocess.run([tool("ansible-vault"), "encrypt", "--vault-password-file", str(self.vault_pass),
                               "--output", str(target), "-"], input=clear, env=base_env(),
                              capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False, cwd=self.work)
        assert proc.returncode == 0, f"ansible-vault encrypt failed: {proc.stdout}\n{proc.stderr}"
        text = target.read_text()
        assert text.startswith("$ANSIBLE_VAULT;"), f"{target} is not a vault file: {text[:40]!r}"
        assert not any(k in text for k in self.psks.values()), f"{target}: a clear key in the vault file"

    def tunnel(self, name: str) -> dict[str, Any]:
        return next(t for t in self.tunnels if t["name"] == name)

    def variant(self, name: str) -> Inventory:
        """A copy of this inventory (same lab, same vault password) to modify freely."""
        other = Inventory(self.lab, self.work, name)
        if other.path.exists():
            shutil.rmtree(other.path)
        shutil.copytree(self.path, other.path)
        for d in (other.out_dir, other.reports_dir):
            shutil.rmtree(d, ignore_errors=True)
        other.psks, other.tunnels = dict(self.psks), copy.deepcopy(self.tunnels)
        other.devices, other.group_vars = copy.deepcopy(self.devices), dict(self.group_vars)
        return other

    # running the pipeline
    def command(self, playbook: pathlib.Path, *args: str, limit: str | None = None,
                extra: dict[str, Any] | None = None, env: dict[str, str] | None = None,
                verify_timeout: float = VERIFY_TIMEOUT) -> tuple[list[str], dict[str, str], pathlib.Path]:
        """(argv, environment, persistent-connection folder) of one run of ``playbook`` for this
        inventory; the previous report is removed first (a run that writes none must not show
        it). The caller removes the folder after the run."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.reports_dir.mkdir(parents=True, exist_ok=True)
        report = self.reports_dir / "vpn_status.json"
        if report.exists():
            report.unlink()
        cmd = [tool("ansible-playbook"), str(playbook), "-i", str(self.path),
               "-e", f"srx_vpn_output_dir={self.out_dir}", "-e", f"srx_vpn_reports_dir={self.reports_dir}",
               "-e", f"srx_vpn_verify_timeout={verify_timeout}"]
        if limit:
            cmd += ["--limit", limit]
        if extra:
            cmd += ["-e", json.dumps(extra)]
        cmd += list(args)
        control = pathlib.Path(tempfile.mkdtemp(prefix="apc."))  # short: unix sockets
        full_env = dict(base_env(), ANSIBLE_CONFIG=str(ANSIBLE_CFG), ANSIBLE_VAULT_PASSWORD_FILE=str(self.vault_pass),
                        ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="False",
                        ANSIBLE_LOCAL_TEMP=str(self.work / "ansible-tmp"),
                        ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(control), **(env or {}))
        return cmd, full_env, control

    def run(self, playbook: str, *args: str, limit: str | None = None, extra: dict[str, Any] | None = None,
            env: dict[str, str] | None = None, timeout: float = PLAYBOOK_TIMEOUT) -> Run:
        """``ansible-playbook`` of one of the collection's playbooks (``deploy``, ``render``,
        ``validate``: :data:`PRODUCT_PLAYBOOKS`) for this inventory, with ``env`` added to its
        environment (e.g. ``ANSIBLE_LOG_PATH``), bounded in time."""
        if playbook == "validate":
            args = ("-e", "verify_timeout=30", *args)
        cmd, full_env, control = self.command(PRODUCT_PLAYBOOKS[playbook], *args, limit=limit, extra=extra,
                                              env=env)
        report = self.reports_dir / "vpn_status.json"
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=timeout,
                                  cwd=self.work, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"$ {' '.join(cmd)}\ntimed out after {timeout} s\n{_timeout_output(exc)[-6000:]}\n"
                                 f"{self.lab.log_tail()}") from exc
        finally:
            shutil.rmtree(control, ignore_errors=True)
        return Run(cmd, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start,
                   self.out_dir, self.reports_dir, parse_recap(proc.stdout),
                   json.loads(report.read_text()) if report.exists() else None)

    def deploy(self, *args: str, limit: str | None = None, extra: dict[str, Any] | None = None,
               env: dict[str, str] | None = None, timeout: float = PLAYBOOK_TIMEOUT) -> Run:
        """``deploy_vpn.yml`` for this inventory (:meth:`run`)."""
        return self.run("deploy", *args, limit=limit, extra=extra, env=env, timeout=timeout)


def lab_inventory_copy(lab: Lab, work: pathlib.Path, psk: str) -> Inventory:
    """The shipped lab inventory (inventories/lab: host_vars + intent) for ``lab``, with a
    freshly generated vault (``{'a-b': psk}``) instead of the lab's own secrets, and the
    test commit-confirmed window (``CONFIRM_MINUTES``)."""
    intent = yaml.safe_load((LAB_INVENTORY / "group_vars" / "all" / "srx_vpn.yml").read_text())
    devices = {p.stem: yaml.safe_load(p.read_text())["srx_vpn_device"]
               for p in sorted((LAB_INVENTORY / "host_vars").glob("*.yml"))}
    group_vars = {k: v for k, v in intent.items()
                  if k not in ("srx_vpn_tunnels", "srx_vpn_psks", "srx_vpn_output_dir", "srx_vpn_reports_dir")}
    inv = Inventory(lab, work)
    inv.write(devices, intent["srx_vpn_tunnels"], {"a-b": psk}, group_vars)
    return inv


def fleet_inventory(lab: Lab, work: pathlib.Path, fleet: str, psks: dict[str, str]) -> Inventory:
    """An inventory for a fleet lab from ``tests/integration/fleet/<fleet>/`` (host_vars and
    the initial intent), with the generated keys ``psks`` in a vault."""
    src = FLEET_DIR / fleet
    intent = yaml.safe_load((src / "group_vars" / "all" / "srx_vpn.yml").read_text())
    devices = {p.stem: yaml.safe_load(p.read_text())["srx_vpn_device"]
               for p in sorted((src / "host_vars").glob("*.yml"))}
    group_vars = {k: v for k, v in intent.items() if k not in ("srx_vpn_tunnels", "srx_vpn_psks")}
    inv = Inventory(lab, work)
    inv.write(devices, intent["srx_vpn_tunnels"], psks, group_vars)
    return inv


# -- checks on device state -------------------------------------------------------------------
def secrets_in(text: str, keys: Iterable[str], where: str = "") -> list[str]:
    """Every clear key and every ``$9$`` string in ``text`` (a ``$9$`` counts as a key: it is
    reversible; each is decoded to say which key it is). Each finding names ``where`` and
    the 80 characters before it, never the secret itself."""
    keys = [k for k in keys if k]
    found = []
    for key in keys:
        at = text.find(key)
        if at >= 0:
            found.append(f"{where}: the clear key {key[:6]}... at ...{text[max(0, at - 80):at]!r}")
    for match in SECRET9.finditer(text):
        secret = match.group(0)
        try:
            clear = decrypt_juniper_type9(secret)
        except (ValueError, KeyError, IndexError):
            clear = None
        which = "one of the keys" if clear in keys else ("undecodable" if clear is None else "another secret")
        found.append(f"{where}: a $9$ string ({which}) at ...{text[max(0, match.start() - 80):match.start()]!r}")
    return found


def folder_secrets(folders: Iterable[pathlib.Path], keys: Iterable[str]) -> list[str]:
    """:func:`secrets_in` of every file in ``folders`` (a folder, recursively, or a file)."""
    keys = list(keys)
    found = []
    for folder in folders:
        folder = pathlib.Path(folder)
        files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
        for path in files:
            found += secrets_in(path.read_text(errors="replace"), keys, str(path))
    return found


def psk_on_device(snap: Snapshot, tunnel: str) -> str | None:
    """Clear text of the tunnel's IKE policy key in a committed configuration."""
    pol = f"IKE-POL-{tunnel.upper()}"
    for line in snap.config:
        m = re.match(rf'^set security ike policy {re.escape(pol)} pre-shared-key ascii-text "(\$9\$[^"]+)"', line)
        if m:
            return decrypt_juniper_type9(m.group(1))
    return None


def tunnel_lines(config: Iterable[str], tunnel: str, st0_unit: int, neighbor: str) -> list[str]:
    """Lines of a committed config that belong to one tunnel of the product (its IKE/IPsec
    policy, gateway and VPN, its st0 unit, its zone binding and its BGP neighbour)."""
    up = tunnel.upper()
    names = (f"IKE-POL-{up}", f"IKE-GW-{up}", f"IPSEC-POL-{up}", f"IPSEC-VPN-{up}")
    out = []
    for line in config:
        words = line.split()
        if any(w in names for w in words) \
                or line.startswith(f"set interfaces st0 unit {st0_unit} ") \
                or re.search(rf"\binterfaces st0\.{st0_unit}(\s|$)", line) \
                or re.search(rf"\bneighbor {re.escape(neighbor)}(\s|$)", line):
            out.append(line)
    return out


@dataclass
class Checks:
    """Soft assertions of a scenario chain: every failed check is kept with its step, and
    ``assert_ok`` fails the test with all of them (a later step still runs and reports)."""

    failures: list[str] = field(default_factory=list)
    step: str = ""

    def __call__(self, ok: Any, message: str) -> bool:
        if not ok:
            self.failures.append(f"[{self.step}] {message}")
        return bool(ok)

    def assert_ok(self) -> None:
        assert not self.failures, f"{len(self.failures)} failed check(s):\n\n" + "\n\n".join(self.failures)


def unified(before: list[str], after: list[str]) -> str:
    return "\n".join(difflib.unified_diff(before, after, "before", "after", lineterm="", n=0))


# -- the expected state of one tunnel, from the inventory's intent ------------------------------
def _ip(cidr: str | None) -> str | None:
    return cidr.split("/")[0] if cidr else None


@dataclass(frozen=True)
class End:
    device: str
    st0_unit: int
    address: str          # st0 address (no prefix length)
    public: str           # how the peer reaches it
    asn: int
    loopback: str | None


@dataclass(frozen=True)
class Intent:
    """A copy of an inventory's intent at one moment (e.g. before a tunnel is removed)."""

    tunnels: list[dict[str, Any]]
    devices: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, inv: Inventory) -> Intent:
        return cls(copy.deepcopy(inv.tunnels), copy.deepcopy(inv.devices))


def tunnel_ends(inv: Inventory | Intent, name: str) -> tuple[End, End]:
    t = next(t for t in inv.tunnels if t["name"] == name)
    ends = []
    for e in t["ends"]:
        d = inv.devices[e["device"]]
        ends.append(End(e["device"], int(e["st0_unit"]), _ip(e["address"]),
                        d.get("public_address") or _ip(d["external_address"]), int(d["asn"]),
                        _ip(d.get("loopback"))))
    return ends[0], ends[1]


def tunnel_problems(lab: Lab, inv: Inventory, name: str, encryption: str | None = None) -> list[str]:
    """What does not hold for tunnel ``name`` on both ends: IKE SA UP with the peer, an
    inbound and an outbound IPsec SA (with ``encryption`` when given), the BGP session
    Established with the peer's AS, router-id = the peer's loopback and at least one
    received prefix, a ping to the peer's st0 address and to the peer's loopback (reachable
    only through the BGP-learned route)."""
    problems = []
    a, b = tunnel_ends(inv, name)
    for me, peer in ((a, b), (b, a)):
        where = f"tunnel {name} on {me.device}"
        ike = lab.ike_sas(me.device)
        if ike.get(peer.public) != "UP":
            problems.append(f"{where}: IKE SA with {peer.public} is {ike.get(peer.public)!r} (all: {ike})")
        sas = lab.ipsec_sas(me.device).get(peer.public, [])
        dirs = sorted(sa["direction"] for sa in sas)
        if dirs != ["<", ">"]:
            problems.append(f"{where}: IPsec SAs with {peer.public}: {sas} (want one inbound, one outbound)")
        if encryption and not all(encryption in (sa["encryption"] or "") for sa in sas):
            problems.append(f"{where}: IPsec SAs with {peer.public} not {encryption}: {sas}")
        bgp = lab.bgp_peers(me.device).get(peer.address)
        if bgp is None:
            problems.append(f"{where}: no BGP neighbour {peer.address}")
        else:
            if bgp["state"] != "Established":
                problems.append(f"{where}: BGP {peer.address} is {bgp['state']}")
            if bgp["peer_as"] != str(peer.asn):
                problems.append(f"{where}: BGP {peer.address} peer-as {bgp['peer_as']} (want {peer.asn})")
            if peer.loopback and bgp["peer_id"] != peer.loopback:
                problems.append(f"{where}: BGP {peer.address} peer-id {bgp['peer_id']} (want {peer.loopback})")
            if bgp["received"] < 1:
                problems.append(f"{where}: BGP {peer.address} received {bgp['received']} prefixes")
        sent, got = lab.ping(me.device, peer.address, me.address)
        if got != sent or sent == 0:
            problems.append(f"{where}: ping {peer.address} source {me.address}: {got}/{sent}")
        if peer.loopback and me.loopback:
            sent, got = lab.ping(me.device, peer.loopback, me.loopback)
            if got != sent or sent == 0:
                problems.append(f"{where}: ping peer loopback {peer.loopback} source {me.loopback}: {got}/{sent} "
                                f"(the route to it is learned over BGP)")
    return problems


def wait_tunnel(lab: Lab, inv: Inventory, name: str, timeout: float = 30, **kw: Any) -> list[str]:
    """``tunnel_problems`` once it is empty, or the last problems after ``timeout`` s."""
    last: list[str] = []

    def ok() -> bool:
        nonlocal last
        last = tunnel_problems(lab, inv, name, **kw)
        return not last

    wait_until(ok, timeout, interval=1.0)
    return last


def tunnel_gone_problems(lab: Lab, before_inv: Inventory | Intent, name: str,
                         snaps: dict[str, Snapshot]) -> list[str]:
    """What is left of a removed tunnel on both ends: config lines (IKE/IPsec objects, st0
    unit, zone binding, BGP neighbour) in ``snaps`` (after), IKE SA, BGP neighbour."""
    problems = []
    a, b = tunnel_ends(before_inv, name)
    for me, peer in ((a, b), (b, a)):
        left = tunnel_lines(snaps[me.device].config, name, me.st0_unit, peer.address)
        if left:
            problems.append(f"{me.device}: config of removed tunnel {name} still there:\n  " + "\n  ".join(left))
        ike = lab.ike_sas(me.device)
        if peer.public in ike:
            problems.append(f"{me.device}: IKE SA with {peer.public} still there ({ike[peer.public]})")
        if peer.address in lab.bgp_peers(me.device):
            problems.append(f"{me.device}: BGP neighbour {peer.address} still there")
    return problems
