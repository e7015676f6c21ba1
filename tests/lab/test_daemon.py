"""The lab process core (LabDaemon) run in-process around a fake Lab: state file,
control socket, device stop/start on the same port, reconciliation, shutdown."""

from __future__ import annotations

import json
import os
import pathlib
import socket
from collections.abc import Iterator

import pytest
from labfakes import TIMEOUT, FakeLab, LoopThread, wait_for
from lxml import etree
from ncclient import manager
from srxlab import cli, daemon, netconf, topology

TOPOLOGY = """
name: fake-pair
defaults: {password: secret}
devices:
  srx-a: {ports: [ge-0/0/0]}
  srx-b: {ports: [ge-0/0/0], netconf_1_1: false}
segments:
  internet: [srx-a:ge-0/0/0, srx-b:ge-0/0/0]
"""


class Running:
    """A LabDaemon started on a background loop."""

    def __init__(self, loop_thread: LoopThread, state_dir: pathlib.Path, lab: FakeLab):
        self.loop_thread = loop_thread
        self.state_dir = state_dir
        self.lab = lab
        topo_path = state_dir.parent / "topology.yml"
        topo_path.write_text(TOPOLOGY)
        key = netconf.load_or_create_host_key(state_dir / cli.HOST_KEY_FILE)
        self.daemon = daemon.LabDaemon(lab, topology.load(topo_path), state_dir, key)
        loop_thread.run(self.daemon.start())
        self.stopped = False

    def request(self, request: dict) -> dict:
        return cli.control_request(self.state_dir, request, timeout=TIMEOUT)

    def state(self) -> dict:
        return json.loads((self.state_dir / cli.STATE_FILE).read_text())

    def port(self, name: str) -> int:
        return self.daemon.servers[name].port

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.loop_thread.run(self.daemon.shutdown())


@pytest.fixture
def lab(loop_thread: LoopThread, tmp_path: pathlib.Path) -> Iterator[Running]:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    running = Running(loop_thread, state_dir, FakeLab())
    yield running
    running.stop()


def connect(port: int) -> manager.Manager:
    return manager.connect(host="127.0.0.1", port=port, username="root", password="lab123",
                           hostkey_verify=False, device_params={"name": "junos"},
                           look_for_keys=False, allow_agent=False, timeout=TIMEOUT)


def refuses_tcp(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_state_file_and_status(lab):
    state = lab.state()
    assert state["running"] is True
    assert state["pid"] == os.getpid()
    assert state["name"] == "fake-pair"
    assert [(d["name"], d["state"], d["username"], d["password"]) for d in state["devices"]] == [
        ("srx-a", "running", "root", "secret"), ("srx-b", "running", "root", "secret")]
    ports = [d["port"] for d in state["devices"]]
    assert all(ports) and len(set(ports)) == 2
    status = lab.request({"op": "status"})
    assert status["ok"] is True
    assert status["devices"] == state["devices"]


def test_topology_netconf_1_1_setting_reaches_the_server(lab):
    assert lab.daemon.servers["srx-a"].base11 is True
    assert lab.daemon.servers["srx-b"].base11 is False


def test_stop_drops_sessions_and_start_reopens_the_same_port(lab):
    port = lab.port("srx-a")
    m = connect(port)
    device = lab.lab.devices["srx-a"]
    reply = lab.request({"op": "stop", "device": "srx-a"})
    assert reply == {"ok": True, "message": "srx-a stopped"}
    assert device.closed == [1]
    assert wait_for(lambda: not m.connected)
    assert refuses_tcp(port)
    assert [d["state"] for d in lab.state()["devices"]] == ["stopped", "running"]
    assert lab.request({"op": "start", "device": "srx-a"})["ok"] is True
    assert lab.port("srx-a") == port
    assert (lab.state()["devices"][0]["port"], lab.state()["devices"][0]["state"]) == (
        port, "running")
    with connect(port) as m2:
        m2.rpc(etree.Element("lock"))
    assert lab.lab.requests == []


def test_stop_of_an_unknown_device_is_an_error(lab):
    assert lab.request({"op": "stop", "device": "nope"}) == {
        "ok": False, "error": "unknown device 'nope'"}


def test_device_stopped_by_the_lab_itself_is_dropped(lab):
    port = lab.port("srx-b")
    lab.loop_thread.call(setattr, lab.lab.devices["srx-b"], "running", False)
    assert wait_for(lambda: refuses_tcp(port), timeout=5)
    assert wait_for(lambda: lab.state()["devices"][1]["state"] == "stopped", timeout=5)


def test_other_requests_are_forwarded_to_the_lab(lab):
    assert lab.request({"op": "settled"}) == {"ok": True, "settled": True}
    assert lab.request({"op": "link", "device": "srx-a"}) == {
        "ok": False, "error": "unknown op link"}
    reply = lab.request({"op": "explode"})
    assert reply == {"ok": False, "error": "internal error: RuntimeError: lab bug"}
    assert lab.request({"no": "op"})["ok"] is False


def test_bad_json_is_answered_and_the_connection_stays_usable(lab):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(TIMEOUT)
        sock.connect(str(lab.state_dir / cli.CONTROL_SOCKET))
        sock.sendall(b'{not json\n{"op": "settled"}\n')
        data = b""
        while data.count(b"\n") < 2:
            data += sock.recv(4096)
    first, second = (json.loads(line) for line in data.splitlines())
    assert first["ok"] is False and first["error"].startswith("bad request")
    assert second == {"ok": True, "settled": True}


def test_down_then_shutdown(lab):
    port = lab.port("srx-a")
    m = connect(port)
    assert lab.request({"op": "down"}) == {"ok": True, "message": "lab shutting down"}
    lab.loop_thread.run(lab.daemon.wait_stop_requested())
    lab.stop()
    assert lab.lab.shut_down is True
    assert lab.lab.devices["srx-a"].closed == [1]
    assert wait_for(lambda: not m.connected)
    assert not (lab.state_dir / cli.CONTROL_SOCKET).exists()
    state = lab.state()
    assert state["running"] is False and state["pid"] is None
    assert {d["state"] for d in state["devices"]} == {"stopped"}
    assert refuses_tcp(port)


def test_next_start_reuses_the_previous_ports(lab, loop_thread):
    ports = {name: lab.port(name) for name in ("srx-a", "srx-b")}
    lab.stop()
    again = Running(loop_thread, lab.state_dir, FakeLab())
    try:
        assert {name: again.port(name) for name in ports} == ports
    finally:
        again.stop()


def test_pid_lock_admits_one_lab_per_state_dir(tmp_path):
    fd = daemon.lock_pid_file(tmp_path)
    assert fd is not None
    try:
        assert (tmp_path / cli.PID_FILE).read_text() == f"{os.getpid()}\n"
        assert cli.lab_alive(tmp_path) is True
        assert daemon.lock_pid_file(tmp_path) is None
    finally:
        os.close(fd)
    assert cli.lab_alive(tmp_path) is False


def test_control_request_without_a_lab(tmp_path):
    with pytest.raises(cli.LabNotRunning):
        cli.control_request(tmp_path, {"op": "status"})
