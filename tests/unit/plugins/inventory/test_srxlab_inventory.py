"""The srxlab inventory plugin (plugins/inventory/srxlab.py), through ``ansible-inventory``.

Two sources of devices: the ``lab.json`` of a running lab (a real ``srxlab up`` in a short
temporary state directory), and the topology file when no lab runs. A device that the
topology marks ``inventory: false`` (an out-of-band device: a peer someone else runs) is
never listed, yet runs in the lab and answers over NETCONF like any other.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from ncclient import manager

ROOT = Path(__file__).resolve().parents[4]
BIN = Path(sys.executable).parent
EXTERNAL_PEER = ROOT / "lab" / "topologies" / "external-peer.yml"
SEED_PAIR = ROOT / "lab" / "topologies" / "seed-pair.yml"
TIMEOUT = 120


def _tool(name: str) -> str:
    found = BIN / name
    if not found.exists():
        pytest.skip(f"{name} not installed in {BIN} (make venv)")
    return str(found)


def inventory(config_dir: Path, state_dir: Path, topology: Path, group: str = "srx") -> dict:
    """``ansible-inventory --list`` of an srxlab.yml pointing at ``state_dir`` and ``topology``."""
    config = config_dir / "srxlab.yml"
    config.write_text(yaml.safe_dump({"plugin": "netops.srx_vpn.srxlab", "state_dir": str(state_dir),
                                      "topology": str(topology), "group": group}))
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"}
    proc = subprocess.run([_tool("ansible-inventory"), "-i", str(config), "--list"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def plain(value):
    """A host variable as ansible-inventory prints it (strings are tagged unsafe)."""
    return value["__ansible_unsafe"] if isinstance(value, dict) and "__ansible_unsafe" in value else value


def hosts_of(listing: dict, group: str) -> list[str]:
    return sorted(listing.get(group, {}).get("hosts", []))


@pytest.fixture(scope="module")
def external_peer_lab():
    """The external-peer topology running (srx-a managed, peer-1 and peer-2 out of band)."""
    state_dir = Path(tempfile.mkdtemp(prefix="srxlab-inv."))   # short: the control socket lives here
    srxlab = _tool("srxlab")
    try:
        subprocess.run([srxlab, "up", "--topology", str(EXTERNAL_PEER), "--state-dir", str(state_dir)],
                       check=True, capture_output=True, text=True, timeout=TIMEOUT)
        yield state_dir
    finally:
        subprocess.run([srxlab, "down", "--state-dir", str(state_dir)], capture_output=True,
                       timeout=TIMEOUT, check=False)
        shutil.rmtree(state_dir, ignore_errors=True)


def test_running_lab_lists_managed_devices_only(external_peer_lab, tmp_path):
    listing = inventory(tmp_path, external_peer_lab, EXTERNAL_PEER)
    assert hosts_of(listing, "srx") == ["srx-a"]
    hostvars = listing["_meta"]["hostvars"]
    assert sorted(hostvars) == ["srx-a"]
    lab = json.loads((external_peer_lab / "lab.json").read_text())
    devices = {d["name"]: d for d in lab["devices"]}
    assert {name: d["inventory"] for name, d in devices.items()} == {
        "srx-a": True, "peer-1": False, "peer-2": False}
    assert plain(hostvars["srx-a"]["ansible_port"]) == devices["srx-a"]["port"]
    assert plain(hostvars["srx-a"]["srxlab_state"]) == "running"


@pytest.mark.parametrize("name", ["peer-1", "peer-2"])
def test_out_of_band_devices_run_and_answer_netconf(external_peer_lab, name):
    """Left out of the inventory, not out of the lab: the device is up and configurable."""
    lab = json.loads((external_peer_lab / "lab.json").read_text())
    dev = next(d for d in lab["devices"] if d["name"] == name)
    assert dev["state"] == "running" and dev["port"]
    with manager.connect(host=dev["host"], port=dev["port"], username=dev["username"],
                         password=dev["password"], hostkey_verify=False, look_for_keys=False,
                         allow_agent=False, device_params={"name": "junos"}, timeout=30) as conn:
        reply = conn.command("show version", format="xml")
        assert reply.xpath("//host-name")[0].text == name


def test_no_lab_lists_managed_devices_from_the_topology(tmp_path):
    listing = inventory(tmp_path, tmp_path / "no-lab-here", EXTERNAL_PEER, group="managed")
    assert hosts_of(listing, "managed") == ["srx-a"]
    assert sorted(listing["_meta"]["hostvars"]) == ["srx-a"]
    assert plain(listing["_meta"]["hostvars"]["srx-a"]["srxlab_state"]) == "down"


def test_every_device_is_listed_by_default(tmp_path):
    """Without the flag (seed-pair), or with it true, every device is a host."""
    assert hosts_of(inventory(tmp_path, tmp_path / "no-lab-here", SEED_PAIR), "srx") == ["srx-a", "srx-b"]
    topology = tmp_path / "flagged.yml"
    doc = yaml.safe_load(SEED_PAIR.read_text())
    doc["devices"]["srx-b"]["inventory"] = True
    topology.write_text(yaml.safe_dump(doc))
    assert hosts_of(inventory(tmp_path, tmp_path / "no-lab-here", topology), "srx") == ["srx-a", "srx-b"]


def test_lab_json_without_the_flag_lists_every_device(tmp_path):
    """A lab.json written before the flag existed has no `inventory` key: all its devices count."""
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / "lab.json").write_text(json.dumps({"running": False, "devices": [
        {"name": name, "host": "127.0.0.1", "port": port, "username": "root", "password": "lab123",
         "state": "stopped"} for name, port in (("r1", 40001), ("r2", 40002))]}))
    listing = inventory(tmp_path, state_dir, SEED_PAIR)
    assert hosts_of(listing, "srx") == ["r1", "r2"]
