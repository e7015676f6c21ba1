"""Topology loading: the shipped seed-pair file, defaults, and errors naming the field."""

from __future__ import annotations

import pathlib

import pytest
from srxlab import topology

REPO = pathlib.Path(__file__).resolve().parents[2]
SEED_PAIR = REPO / "lab" / "topologies" / "seed-pair.yml"

MINIMAL = """
name: t
devices:
  r1: {ports: [ge-0/0/0]}
  r2: {ports: [ge-0/0/0]}
segments:
  wan: [r1:ge-0/0/0, r2:ge-0/0/0]
"""


def write(tmp_path: pathlib.Path, text: str) -> pathlib.Path:
    path = tmp_path / "topology.yml"
    path.write_text(text)
    return path


def test_seed_pair(monkeypatch):
    monkeypatch.delenv(topology.TIME_SCALE_ENV, raising=False)
    topo = topology.load(SEED_PAIR)
    assert topo["name"] == "seed-pair"
    assert topo["path"] == str(SEED_PAIR)
    assert topo["time_scale"] == 1.0
    assert list(topo["devices"]) == ["srx-a", "srx-b"]
    assert topo["segments"] == {"internet": ["srx-a:ge-0/0/0", "srx-b:ge-0/0/0"]}
    for name, address in (("srx-a", "1.1.1.1/24"), ("srx-b", "1.1.1.2/24")):
        device = topo["devices"][name]
        assert (device["host"], device["port"], device["username"], device["password"]) == (
            "127.0.0.1", 0, "root", "lab123")
        lines = device["factory_config"].splitlines()
        assert f"set system host-name {name}" in lines
        assert f"set interfaces ge-0/0/0 unit 0 family inet address {address}" in lines
        assert "set system services netconf ssh" in lines
        assert "set security zones security-zone UNTRUST interfaces ge-0/0/0.0" in lines
        assert any(line.startswith('set system root-authentication encrypted-password "$6$')
                   for line in lines)


def test_defaults_are_filled_in(tmp_path, monkeypatch):
    monkeypatch.delenv(topology.TIME_SCALE_ENV, raising=False)
    topo = topology.load(write(tmp_path, MINIMAL))
    assert topo["devices"]["r1"] == {
        "name": "r1", "host": "127.0.0.1", "port": 0, "username": "root", "password": "lab123",
        "model": "vsrx", "ports": ["ge-0/0/0"], "factory_config": "", "netconf_1_1": True,
        "authorized_keys": [], "inventory": True}
    assert topo["defaults"] == {"host": "127.0.0.1", "username": "root", "password": "lab123",
                                "authorized_keys": []}
    assert topo["nat"] == []
    assert topo["time_scale"] == 1.0


def test_authorized_keys_default_and_override(tmp_path):
    text = MINIMAL.replace("name: t\n", "name: t\ndefaults: {authorized_keys: ['ssh-ed25519 AAAA k1']}\n")
    text = text.replace("r2: {ports", "r2: {authorized_keys: ['ssh-ed25519 AAAA k2 '], ports")
    devices = topology.load(write(tmp_path, text))["devices"]
    assert devices["r1"]["authorized_keys"] == ["ssh-ed25519 AAAA k1"]
    assert devices["r2"]["authorized_keys"] == ["ssh-ed25519 AAAA k2"]
    with pytest.raises(topology.TopologyError, match=r"devices\.r1\.authorized_keys: must be a list"):
        topology.load(write(tmp_path, MINIMAL.replace("r1: {ports", "r1: {authorized_keys: x, ports")))


def test_time_scale_environment_override(tmp_path, monkeypatch):
    monkeypatch.setenv(topology.TIME_SCALE_ENV, "0.01")
    assert topology.load(write(tmp_path, MINIMAL + "time_scale: 2\n"))["time_scale"] == 0.01
    monkeypatch.setenv(topology.TIME_SCALE_ENV, "fast")
    with pytest.raises(topology.TopologyError, match=topology.TIME_SCALE_ENV):
        topology.load(write(tmp_path, MINIMAL))


@pytest.mark.parametrize(("patch", "message"), [
    ("colour: red\n", r"colour: unknown field"),
    ("time_scale: 0\n", r"time_scale: must be a positive number"),
    ("nat: {}\n", r"nat: must be a list"),
])
def test_top_level_errors(tmp_path, monkeypatch, patch, message):
    monkeypatch.delenv(topology.TIME_SCALE_ENV, raising=False)
    with pytest.raises(topology.TopologyError, match=message):
        topology.load(write(tmp_path, MINIMAL + patch))


@pytest.mark.parametrize(("old", "new", "message"), [
    ("r1: {ports", "r1: {port: 70000, ports", r"devices\.r1\.port: must be an integer 0-65535"),
    ("r1: {ports", "r1: {colour: red, ports", r"devices\.r1\.colour: unknown field"),
    ("r1: {ports: [ge-0/0/0]", "r1: {ports: [ge-0/0/0, ge-0/0/0]",
     r"devices\.r1\.ports: lists an interface twice"),
    ("[r1:ge-0/0/0,", "[r9:ge-0/0/0,", r"segments\.wan\[0\]: unknown device 'r9'"),
    ("[r1:ge-0/0/0,", "[r1:ge-0/0/7,", r"segments\.wan\[0\]: r1 has no port 'ge-0/0/7'"),
    ("r2:ge-0/0/0]", "r1:ge-0/0/0]", r"segments\.wan\[1\]: r1:ge-0/0/0 is already on"),
    ("r2:ge-0/0/0]", "r2]", r"segments\.wan\[1\]: 'r2' is not DEVICE:PORT"),
    ("name: t\n", "", r"name: missing"),
    ("r1: {ports", "r1: {inventory: 'no', ports", r"devices\.r1\.inventory: must be true or false"),
    ("r1: {ports", "r1: {inventory: 0, ports", r"devices\.r1\.inventory: must be true or false"),
    ("r1: {ports", "r1: {port: 8300, ports", None),
])
def test_field_errors(tmp_path, old, new, message):
    text = MINIMAL.replace(old, new)
    if message is None:     # two devices on the same fixed port
        text = text.replace("r2: {ports", "r2: {port: 8300, ports")
        message = r"devices\.r2\.port: 8300 is also used by r1"
    with pytest.raises(topology.TopologyError, match=message) as info:
        topology.load(write(tmp_path, text))
    assert str(info.value).startswith(f"{tmp_path / 'topology.yml'}: ")


def test_unreadable_or_invalid_files(tmp_path):
    with pytest.raises(topology.TopologyError, match="cannot read"):
        topology.load(tmp_path / "missing.yml")
    with pytest.raises(topology.TopologyError, match="not valid YAML"):
        topology.load(write(tmp_path, "name: [unclosed\n"))
    with pytest.raises(topology.TopologyError, match="devices: at least one device"):
        topology.load(write(tmp_path, "name: empty\n"))


def test_out_of_band_device(tmp_path):
    """`inventory: false` only marks the device: it keeps its ports, wiring and settings."""
    text = MINIMAL.replace("r2: {ports", "r2: {inventory: false, ports")
    topo = topology.load(write(tmp_path, text))
    assert topo["devices"]["r1"]["inventory"] is True
    assert topo["devices"]["r2"]["inventory"] is False
    assert topo["devices"]["r2"]["ports"] == ["ge-0/0/0"]
    assert topo["segments"] == {"wan": ["r1:ge-0/0/0", "r2:ge-0/0/0"]}
    assert topology.load(write(tmp_path, text.replace("inventory: false", "inventory: true"))
                         )["devices"]["r2"]["inventory"] is True


def test_external_peer_topology():
    """srx-a is managed; its peer's two public addresses are out-of-band devices on the
    same internet segment."""
    topo = topology.load(REPO / "lab" / "topologies" / "external-peer.yml")
    assert {name: dev["inventory"] for name, dev in topo["devices"].items()} == {
        "srx-a": True, "peer-1": False, "peer-2": False}
    assert topo["segments"] == {"internet": ["srx-a:ge-0/0/0", "peer-1:ge-0/0/0", "peer-2:ge-0/0/0"]}
    for name, address in (("srx-a", "1.1.1.1/24"), ("peer-1", "3.3.3.3/24"), ("peer-2", "3.3.3.4/24")):
        lines = topo["devices"][name]["factory_config"].splitlines()
        assert f"set system host-name {name}" in lines
        assert f"set interfaces ge-0/0/0 unit 0 family inet address {address}" in lines
        assert "set system services netconf ssh" in lines


@pytest.mark.parametrize("name", ["full-mesh-3", "hub-4-spokes", "seed-pair-nat", "external-peer", "dual-isp"])
def test_shipped_topologies_load(name):
    topo = topology.load(REPO / "lab" / "topologies" / f"{name}.yml")
    assert len(topo["devices"]) >= 2


NAT = MINIMAL + "nat:\n  - {device: r2, port: ge-0/0/0, inside: 192.168.0.2, public: 1.1.1.2, segment: wan}\n"


@pytest.mark.parametrize("old,new,message", [
    ("device: r2", "device: r9", r"nat\[0\]\.device: unknown device 'r9'"),
    ("port: ge-0/0/0, inside", "port: ge-0/0/5, inside", r"nat\[0\]\.port: r2 has no port 'ge-0/0/5'"),
    ("public: 1.1.1.2", "public: 1.1.1.999", r"nat\[0\]\.public: not an IPv4 address"),
    ("segment: wan", "segment: lan", r"nat\[0\]\.segment: unknown segment 'lan'"),
    (", segment: wan", "", r"nat\[0\]\.segment: missing"),
])
def test_nat_errors(tmp_path, old, new, message):
    with pytest.raises(topology.TopologyError, match=message):
        topology.load(write(tmp_path, NAT.replace(old, new)))


def test_nat_entry_loads(tmp_path):
    assert topology.load(write(tmp_path, NAT))["nat"][0]["public"] == "1.1.1.2"
