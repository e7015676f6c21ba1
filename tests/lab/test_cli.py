"""The real ``srxlab`` command with the shipped seed-pair topology: up, status, stop/start,
link, fault, wait-settled, down, side-by-side labs, and start-up failures."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import asyncssh
import pytest
from jnpr.junos import Device as PyEZDevice
from lxml import etree
from ncclient import manager
from ncclient.operations import RPCError, TimeoutExpiredError
from ncclient.transport import TransportError
from srxlab import cli

SRXLAB = pathlib.Path(sys.executable).parent / "srxlab"
REPO = pathlib.Path(__file__).resolve().parents[2]
SEED_PAIR = REPO / "lab" / "topologies" / "seed-pair.yml"
TIMEOUT = 60


def srxlab(*args: str, state_dir: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SRXLAB), *args, "--state-dir", str(state_dir)], cwd=REPO,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


@pytest.fixture
def state_dirs(tmp_path: pathlib.Path) -> Iterator[list[pathlib.Path]]:
    """Two state directories; any lab left in them is brought down afterwards."""
    dirs = [tmp_path / "lab-a", tmp_path / "lab-b"]
    yield dirs
    for state_dir in dirs:
        srxlab("down", state_dir=state_dir)
        if cli.lab_alive(state_dir):    # `down` failed: do not leak the lab process
            os.kill(int((state_dir / cli.PID_FILE).read_text()), signal.SIGKILL)


def devices(state_dir: pathlib.Path) -> dict[str, dict]:
    result = srxlab("status", "--json", state_dir=state_dir)
    assert result.returncode == 0, result.stderr
    return {d["name"]: d for d in json.loads(result.stdout)}


def host_name(device: dict) -> str:
    with manager.connect(host=device["host"], port=device["port"], username=device["username"],
                         password=device["password"], hostkey_verify=False,
                         device_params={"name": "junos"}, look_for_keys=False,
                         allow_agent=False, timeout=TIMEOUT) as m:
        reply = m.rpc(etree.Element("get-software-information"))
        return reply.xpath("/rpc-reply/software-information/host-name")[0].text


def process_ended(pid: int) -> bool:
    """True if ``pid`` is gone or a zombie (this machine's init may reap late)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def refuses_tcp(device: dict) -> bool:
    try:
        socket.create_connection((device["host"], device["port"]), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def load_is_dropped(device: dict) -> bool:
    """A `<load-configuration>` over ncclient that gets no reply: the connection drops."""
    m = manager.connect(host=device["host"], port=device["port"], username=device["username"],
                        password=device["password"], hostkey_verify=False, device_params={"name": "junos"},
                        look_for_keys=False, allow_agent=False, timeout=TIMEOUT)
    m.timeout = 10
    try:
        m.lock()
        m.load_configuration(action="set", config=["set system host-name dropped"])
    except RPCError:
        return False
    except (TransportError, TimeoutExpiredError):
        return True
    finally:
        with contextlib.suppress(Exception):
            m.close_session()
    return False


def test_lab_lifecycle(state_dirs):
    state_dir = state_dirs[0]
    up = srxlab("up", "--topology", str(SEED_PAIR), state_dir=state_dir)
    assert up.returncode == 0, up.stdout + up.stderr
    assert "srx-a" in up.stdout and "running" in up.stdout
    lab = devices(state_dir)
    assert list(lab) == ["srx-a", "srx-b"]
    assert {d["state"] for d in lab.values()} == {"running"}
    assert {(d["username"], d["password"]) for d in lab.values()} == {("root", "lab123")}
    assert host_name(lab["srx-a"]) == "srx-a"
    dev = PyEZDevice(host=lab["srx-b"]["host"], port=lab["srx-b"]["port"], user="root",
                     passwd="lab123", gather_facts=False)
    dev.open()
    try:
        assert dev.rpc.get_software_information().findtext("host-name") == "srx-b"
    finally:
        dev.close()
    pid = json.loads((state_dir / cli.STATE_FILE).read_text())["pid"]

    again = srxlab("up", state_dir=state_dir)
    assert again.returncode == 0
    assert "already running" in again.stdout and str(pid) in again.stdout

    table = srxlab("status", state_dir=state_dir).stdout.splitlines()
    assert table[0].split() == ["NAME", "HOST", "PORT", "USERNAME", "PASSWORD", "STATE"]
    assert table[1].split() == ["srx-a", "127.0.0.1", str(lab["srx-a"]["port"]), "root",
                                "lab123", "running"]

    stop = srxlab("stop", "srx-a", state_dir=state_dir)
    assert (stop.returncode, stop.stdout.strip()) == (0, "srx-a stopped")
    assert devices(state_dir)["srx-a"]["state"] == "stopped"
    assert refuses_tcp(lab["srx-a"])
    assert host_name(lab["srx-b"]) == "srx-b"
    start = srxlab("start", "srx-a", state_dir=state_dir)
    assert (start.returncode, start.stdout.strip()) == (0, "srx-a started")
    assert devices(state_dir)["srx-a"] == lab["srx-a"]
    assert host_name(lab["srx-a"]) == "srx-a"
    unknown = srxlab("stop", "srx-z", state_dir=state_dir)
    assert unknown.returncode == 1 and "srx-z" in unknown.stderr

    assert srxlab("link", "down", "srx-a", "ge-0/0/0", state_dir=state_dir).returncode == 0
    assert srxlab("link", "up", "srx-a", "ge-0/0/0", state_dir=state_dir).returncode == 0
    bad_port = srxlab("link", "down", "srx-a", "ge-9/9/9", state_dir=state_dir)
    assert bad_port.returncode == 1 and "ge-9/9/9" in bad_port.stderr
    assert srxlab("fault", "srx-a", "clear", state_dir=state_dir).returncode == 0
    bad_fault = srxlab("fault", "srx-a", "no-such-fault", "1", state_dir=state_dir)
    assert bad_fault.returncode == 1 and "no-such-fault" in bad_fault.stderr
    bad_stage = srxlab("fault", "srx-a", "drop-session", "sideways", state_dir=state_dir)
    assert bad_stage.returncode == 1 and "sideways" in bad_stage.stderr
    assert srxlab("fault", "srx-a", "drop-session", "load", state_dir=state_dir).returncode == 0
    assert load_is_dropped(lab["srx-a"]), "drop-session load: the load got a reply"
    assert host_name(lab["srx-a"]) == "srx-a"      # the next session works, nothing was loaded
    settled = srxlab("wait-settled", "--timeout", "20", state_dir=state_dir)
    assert settled.returncode == 0, settled.stderr

    down = srxlab("down", state_dir=state_dir)
    assert down.returncode == 0, down.stderr
    assert not cli.lab_alive(state_dir)
    assert not (state_dir / cli.CONTROL_SOCKET).exists()
    assert not (state_dir / cli.PID_FILE).exists()
    assert refuses_tcp(lab["srx-a"]) and refuses_tcp(lab["srx-b"])
    assert process_ended(pid)
    status = srxlab("status", state_dir=state_dir)
    assert status.returncode == 1 and "no lab running" in status.stderr
    down_again = srxlab("down", state_dir=state_dir)
    assert down_again.returncode == 0 and "no lab running" in down_again.stdout
    for command in (("stop", "srx-a"), ("wait-settled",), ("link", "up", "srx-a", "ge-0/0/0")):
        result = srxlab(*command, state_dir=state_dir)
        assert result.returncode == 1 and "no lab running" in result.stderr


def test_labs_run_side_by_side_and_keep_their_ports(state_dirs):
    for state_dir in state_dirs:
        result = srxlab("up", state_dir=state_dir)
        assert result.returncode == 0, result.stdout + result.stderr
    labs = [devices(state_dir) for state_dir in state_dirs]
    ports = [d["port"] for lab in labs for d in lab.values()]
    assert len(set(ports)) == 4
    assert [host_name(lab["srx-b"]) for lab in labs] == ["srx-b", "srx-b"]
    assert srxlab("down", state_dir=state_dirs[0]).returncode == 0
    assert host_name(labs[1]["srx-a"]) == "srx-a"
    assert srxlab("up", state_dir=state_dirs[0]).returncode == 0
    assert devices(state_dirs[0]) == labs[0]


def test_up_rejects_an_invalid_topology(state_dirs, tmp_path):
    topo = tmp_path / "bad.yml"
    topo.write_text(SEED_PAIR.read_text().replace("    model: vsrx\n", "    modle: vsrx\n", 1))
    result = srxlab("up", "--topology", str(topo), state_dir=state_dirs[0])
    assert result.returncode == 2
    assert "devices.srx-a.modle: unknown field" in result.stderr
    assert not cli.lab_alive(state_dirs[0])


def test_up_failure_shows_the_log(state_dirs, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        topo = tmp_path / "busy.yml"
        topo.write_text(SEED_PAIR.read_text().replace("    port: 0\n", f"    port: {port}\n", 1))
        result = srxlab("up", "--topology", str(topo), state_dir=state_dirs[0])
    assert result.returncode == 1
    assert f"srx-a: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert not cli.lab_alive(state_dirs[0])


def test_public_key_from_the_topology_logs_in(state_dirs, tmp_path):
    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(tmp_path / "id_lab")
    public = key.export_public_key().decode().strip()
    topo = tmp_path / "keys.yml"
    topo.write_text(SEED_PAIR.read_text().replace(
        "  password: lab123\n", f"  password: lab123\n  authorized_keys: ['{public}']\n", 1))
    assert srxlab("up", "--topology", str(topo), state_dir=state_dirs[0]).returncode == 0
    device = devices(state_dirs[0])["srx-a"]
    with manager.connect(host=device["host"], port=device["port"], username="root",
                         key_filename=str(tmp_path / "id_lab"), hostkey_verify=False,
                         device_params={"name": "junos"}, look_for_keys=False,
                         allow_agent=False, timeout=TIMEOUT) as m:
        assert m.connected
