"""Acceptance tests of the SRX lab emulator with the real clients.

One lab (``srxlab up`` with ``lab/topologies/seed-pair.yml``) per pytest process: under
``pytest -n 2`` every xdist worker starts its own lab in its own temporary state directory,
so workers never share a device.  Lab time runs 20x faster (``SRXLAB_TIME_SCALE=0.05``):
``commit confirmed 1`` rolls back after 3 s.

Fixtures:

* ``lab``            the session's :class:`Lab` (status, faults, ncclient helpers, Ansible);
* ``srx_a``/``srx_b`` a device reset to its factory configuration, faults cleared
  (function scope: every test starts from the same state);
* ``nc_a``          an open ncclient session to the reset srx-a, closed after the test.

The reset loads the factory configuration captured right after `srxlab up` (Junos text,
`load override`) and commits it, only when the device differs or a commit confirmed waits.

Every subprocess is bounded by a timeout.  The devices' state is always checked through
ncclient after a client has acted (config, commit history), never only from a return code.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Import the NETCONF stack before anything forks (see TOOLCHAIN.md: fork/import deadlock).
import lxml.etree
import pytest
import yaml
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.xml_ import to_ele

REPO = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks"
FIXTURES = HERE / "fixtures"
TOPOLOGY = REPO / "lab" / "topologies" / "seed-pair.yml"
BIN = pathlib.Path(sys.executable).parent
TIME_SCALE = 0.05                      # lab seconds -> real seconds
CONFIRM_MINUTE = 60 * TIME_SCALE       # real seconds of `commit confirmed 1`

UP_TIMEOUT = 90
CLI_TIMEOUT = 30
PLAYBOOK_TIMEOUT = 120
NC_TIMEOUT = 30


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


# -- small helpers used by the tests ---------------------------------------------------------
def set_lines(text: str) -> list[str]:
    """The statements of a `set` file or `display set` output.

    Comments and blank lines are dropped, and so is `set version ...`: Junos stamps the
    software version into the configuration itself, so tests never compare it.
    """
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not ln.strip().startswith(("#", "set version "))]


def fixture_set(name: str) -> list[str]:
    return set_lines((FIXTURES / name).read_text())


SECRET_RE = re.compile(r'"(\$9\$[^"]+)"')


# Junos `$9$` reversible secrets, after the well-known public algorithm (Crypt-Juniper).
_FAMILY = ["QzF3n6/9CAtpu0O", "B1IREhcSyrleKvMW8LXx", "7N-dVbwsY2g4oaJZGUDj", "iHkq.mPf5T"]
_EXTRA = {c: 3 - i for i, fam in enumerate(_FAMILY) for c in fam}
_ALPHA = "".join(_FAMILY)
_ALPHA_NUM = {c: i for i, c in enumerate(_ALPHA)}
_ENCODING = [[1, 4, 32], [1, 16, 32], [1, 8, 32], [1, 64], [1, 32], [1, 4, 16, 128], [1, 32, 64]]


def junos9_decrypt(secret: str) -> str:
    """Clear text of a Junos ``$9$`` string (independent of the emulator's own code)."""
    chars = secret.split("$9$", 1)[1]
    first, chars = chars[0], chars[1:]
    chars = chars[_EXTRA[first]:]
    prev, out = first, ""
    while chars:
        decode = _ENCODING[len(out) % len(_ENCODING)]
        nibble, chars = chars[:len(decode)], chars[len(decode):]
        if len(nibble) != len(decode):
            raise ValueError(f"truncated $9$ secret {secret!r}")
        num = 0
        for weight, char in zip(decode, nibble, strict=True):
            gap = (_ALPHA_NUM[char] - _ALPHA_NUM[prev]) % len(_ALPHA) - 1
            num += gap * weight
            prev = char
        out += chr(num % 256)
    return out


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
    found = find_all(reply, name)
    return (found[0].text or "").strip() if found else None


def rpc_errors(exc: RPCError) -> list[RPCError]:
    """The individual errors carried by an ncclient RPCError (one or several)."""
    return list(getattr(exc, "errors", None) or [exc])


def error_summary(exc: RPCError) -> list[tuple[str | None, str | None, str | None]]:
    """(severity, error-path, message) of every error, whitespace-normalised."""
    def norm(value: Any) -> str | None:
        return " ".join(value.split()) if isinstance(value, str) else value
    return [(norm(e.severity), norm(e.path), norm(e.message)) for e in rpc_errors(exc)]


@dataclass(frozen=True)
class DeviceParams:
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


@dataclass
class PlaybookResult:
    rc: int
    stdout: str
    stderr: str
    recap: dict[str, dict[str, int]]

    def __str__(self) -> str:
        return f"rc={self.rc}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


_RECAP_RE = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", re.MULTILINE)


def parse_recap(stdout: str) -> dict[str, dict[str, int]]:
    recap = {}
    tail = stdout.rsplit("PLAY RECAP", 1)[-1] if "PLAY RECAP" in stdout else ""
    for host, counters in _RECAP_RE.findall(tail):
        recap[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counters)}
    return recap


class Lab:
    """One running lab: its devices, fault injection, ncclient and ansible-playbook helpers."""

    def __init__(self, state_dir: pathlib.Path, work_dir: pathlib.Path):
        self.state_dir = state_dir
        self.work_dir = work_dir
        self.env = dict(os.environ, SRXLAB_TIME_SCALE=str(TIME_SCALE))
        self.env["PATH"] = f"{BIN}{os.pathsep}{self.env.get('PATH', '')}"
        self.factory_text: dict[str, str] = {}     # device -> committed text right after up
        self.factory_set: dict[str, list[str]] = {}
        self._devices: dict[str, DeviceParams] = {}
        self.inventory: pathlib.Path | None = None

    # -- srxlab CLI -----------------------------------------------------------------------
    def srxlab(self, *args: str, timeout: float = CLI_TIMEOUT,
               check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [_tool("srxlab"), args[0], "--state-dir", str(self.state_dir), *args[1:]]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True,
                              timeout=timeout, cwd=REPO, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} -> rc={proc.returncode}\n"
                                 f"{proc.stdout}\n{proc.stderr}\n{self.log_tail()}")
        return proc

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.state_dir / "srxlab.log").read_text(errors="replace")
        except OSError:
            return "(no lab log)"
        return "--- lab log ---\n" + "\n".join(text.splitlines()[-lines:])

    def up(self) -> None:
        self.srxlab("up", "--topology", str(TOPOLOGY), timeout=UP_TIMEOUT)
        for name in self.status():
            with self.connect(name) as nc:
                self.factory_text[name] = self.get_config(nc, "text", committed=True)
                self.factory_set[name] = set_lines(self.get_config(nc, "set", committed=True))

    def down(self) -> None:
        self.srxlab("down", timeout=UP_TIMEOUT, check=False)

    def alive(self) -> bool:
        return self.srxlab("status", "--json", check=False).returncode == 0

    def status(self) -> dict[str, dict[str, Any]]:
        proc = self.srxlab("status", "--json")
        return {d["name"]: d for d in json.loads(proc.stdout)}

    def device(self, name: str) -> DeviceParams:
        if name not in self._devices:
            d = self.status()[name]
            self._devices[name] = DeviceParams(d["name"], d["host"], int(d["port"]),
                                               d["username"], d["password"])
        return self._devices[name]

    def fault(self, name: str, kind: str, *args: str) -> None:
        self.srxlab("fault", name, kind, *args)

    # -- ncclient ---------------------------------------------------------------------------
    def connect(self, name: str) -> manager.Manager:
        return manager.connect(**self.device(name).ncclient_kwargs())

    @staticmethod
    def get_config(nc: manager.Manager, fmt: str = "set", committed: bool = False) -> str:
        """Whole configuration as text (`set`/`text`) via <get-configuration>."""
        attrs = {"format": fmt}
        if committed:
            attrs["database"] = "committed"
        attr_text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
        reply = nc.rpc(to_ele(f"<get-configuration {attr_text}/>"))
        tag = {"set": "configuration-set", "text": "configuration-text"}[fmt]
        node = find_all(reply, tag)
        assert node, f"no <{tag}> in reply: {str(reply)[:2000]}"
        return node[0].text or ""

    def committed_set(self, name: str) -> list[str]:
        with self.connect(name) as nc:
            return set_lines(self.get_config(nc, "set", committed=True))

    @staticmethod
    def history(nc: manager.Manager) -> list[dict[str, str]]:
        """`get-commit-information`, newest first: sequence-number, user, client, date, log."""
        reply = nc.rpc(to_ele("<get-commit-information/>"))
        entries = []
        for item in find_all(reply, "commit-history"):
            entries.append({local_name(child.tag): (child.text or "").strip() for child in item
                            if isinstance(child.tag, str)})
        return entries

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

    def reset(self, name: str) -> DeviceParams:
        """Back to factory config: faults cleared, load override + commit (only if needed)."""
        self.fault(name, "clear")
        params = self.device(name)
        with self.connect(name) as nc:
            hist = self.history(nc)
            pending = bool(hist) and "rollback in" in hist[0].get("comment", "")
            if pending or set_lines(self.get_config(nc, "set", committed=True)) != self.factory_set[name]:
                nc.lock()
                try:
                    nc.load_configuration(action="override", format="text",
                                          config=self.factory_text[name])
                    nc.commit(comment="test reset to factory")
                finally:
                    with contextlib.suppress(RPCError):
                        nc.unlock()
            now = set_lines(self.get_config(nc, "set", committed=True))
            assert now == self.factory_set[name], f"{name}: reset to factory failed: {now}"
        return params

    # -- Ansible ----------------------------------------------------------------------------
    def write_inventory(self) -> pathlib.Path:
        hosts = {}
        for name in self.status():
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
                     timeout: float = PLAYBOOK_TIMEOUT) -> PlaybookResult:
        """Run ``tests/integration/playbooks/<playbook>`` against the lab, bounded in time."""
        inventory = self.inventory or self.write_inventory()
        cmd = [_tool("ansible-playbook"), "-i", str(inventory), str(PLAYBOOKS / playbook)]
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
            out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout
            raise AssertionError(f"ansible-playbook {playbook} timed out after {timeout} s\n"
                                 f"{out}\n{self.log_tail()}") from exc
        return PlaybookResult(proc.returncode, proc.stdout, proc.stderr, parse_recap(proc.stdout))


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The lab of this pytest process (one per xdist worker), torn down at the end."""
    base = tmp_path_factory.mktemp("srxlab")
    # A short path: the control socket is a unix socket (path length limit ~107 bytes).
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="srxlab-it."))
    (base / "ansible.cfg").write_text(
        "[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n"
        "interpreter_python = auto_silent\nstdout_callback = default\nresult_format = yaml\n"
        "callback_result_format = yaml\n"
        "[persistent_connection]\nconnect_timeout = 30\ncommand_timeout = 60\n")
    the_lab = Lab(state_dir, base)
    try:
        the_lab.up()
        yield the_lab
    finally:
        the_lab.down()
        if not the_lab.alive():
            shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture
def srx_a(lab: Lab) -> Iterator[DeviceParams]:
    params = lab.reset("srx-a")
    yield params
    lab.fault("srx-a", "clear")


@pytest.fixture
def srx_b(lab: Lab) -> Iterator[DeviceParams]:
    params = lab.reset("srx-b")
    yield params
    lab.fault("srx-b", "clear")


@pytest.fixture
def nc_a(lab: Lab, srx_a: DeviceParams) -> Iterator[manager.Manager]:
    nc = lab.connect("srx-a")
    yield nc
    with contextlib.suppress(Exception):
        nc.close_session()


def wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
