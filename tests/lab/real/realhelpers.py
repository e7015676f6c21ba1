"""Helpers of the real-backend tests: a lab started with ``srxlab up``, configuration pushed
and state read over NETCONF with ncclient (the client Ansible uses), nothing mocked."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time
from dataclasses import dataclass

from lxml import etree
from ncclient import manager
from ncclient.operations import RaiseMode

REPO = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "lab" / "fixtures"
TOPOLOGY = REPO / "lab" / "topologies" / "seed-pair.yml"
SRXLAB = [sys.executable, "-m", "srxlab.cli"]
CLI_TIMEOUT = 90

# What the product adds on top of the factory configuration; deleted before every case.
VPN_STANZAS = ["delete security ike", "delete security ipsec", "delete protocols", "delete routing-options",
               "delete policy-options", "delete interfaces st0", "delete interfaces lo0",
               "delete security zones security-zone VPN", "delete security policies"]


PEER_ST0 = {"srx-a": "10.0.1.2", "srx-b": "10.0.1.1"}   # device -> the st0 address it pings


def reference(name: str) -> list[str]:
    return [ln for ln in (FIXTURES / f"{name}-reference.set").read_text().splitlines() if ln.strip()]


def srxlab(state_dir: pathlib.Path, *args: str, env: dict | None = None,
           timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([*SRXLAB, *args, "--state-dir", str(state_dir)], check=False, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@dataclass(frozen=True)
class View:
    """What one device shows over NETCONF."""
    ike_up: tuple[str, ...]          # remote addresses of UP IKE SAs
    ipsec: tuple[str, ...]           # directions of IPsec SAs ('<', '>')
    bgp: tuple[str, ...]             # peer states
    received: tuple[str, ...]        # received-prefix-count per peer
    ping: bool                       # ping to the peer's st0 address answered


def _texts(reply, name: str) -> list[str]:
    return [(t or "").strip() for t in reply.xpath(f"//*[local-name()='{name}']/text()")]


class LabUnderTest:
    def __init__(self, state_dir: pathlib.Path, backend: str, env: dict | None = None):
        self.state_dir = state_dir
        self.backend = backend
        self.env = env or {}

    def up(self) -> None:
        proc = srxlab(self.state_dir, "up", "--topology", str(TOPOLOGY), "--backend", self.backend, env=self.env,
                      timeout=330)  # the real backend may take srxlab's REAL_UP_TIMEOUT on a loaded machine
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def down(self) -> subprocess.CompletedProcess:
        return srxlab(self.state_dir, "down")

    def device(self, name: str) -> dict:
        state = json.loads((self.state_dir / "lab.json").read_text())
        return next(d for d in state["devices"] if d["name"] == name)

    def connect(self, name: str):
        d = self.device(name)
        return manager.connect(host=d["host"], port=d["port"], username=d["username"], password=d["password"],
                               hostkey_verify=False, timeout=30, allow_agent=False, look_for_keys=False,
                               device_params={"name": "junos"})

    def commit(self, name: str, lines: list[str]) -> None:
        with self.connect(name) as conn:
            conn.raise_mode = RaiseMode.ERRORS     # `delete` of an absent statement only warns
            conn.lock()
            conn.load_configuration(action="set", config=lines)
            conn.commit()
            conn.unlock()

    def apply(self, name: str, extra: list[str] = ()) -> None:
        """The reference configuration of ``name`` (plus ``extra`` set/delete lines), one commit."""
        self.commit(name, VPN_STANZAS + reference(name) + list(extra))

    def rpc(self, name: str, element: etree._Element):
        with self.connect(name) as conn:
            return conn.rpc(element)

    def view(self, name: str, peer_st0: str) -> View:
        with self.connect(name) as conn:
            ike = conn.rpc(etree.Element("get-ike-security-associations-information"))
            ipsec = conn.rpc(etree.Element("get-security-associations-information"))
            bgp = conn.rpc(etree.Element("get-bgp-summary-information"))
            ping = etree.Element("ping")
            etree.SubElement(ping, "host").text = peer_st0
            etree.SubElement(ping, "count").text = "2"
            pong = conn.rpc(ping)
        states = _texts(ike, "ike-sa-state")
        remotes = _texts(ike, "ike-sa-remote-address")
        return View(ike_up=tuple(sorted(r for r, s in zip(remotes, states, strict=True) if s == "UP")),
                    ipsec=tuple(sorted(_texts(ipsec, "sa-direction"))),
                    bgp=tuple(_texts(bgp, "peer-state")),
                    received=tuple(_texts(bgp, "received-prefix-count")),
                    ping=bool(pong.xpath("//*[local-name()='ping-success']")))

    def pair(self, skip: set[str] | frozenset = frozenset()) -> tuple[View, ...]:
        """The views of srx-a and srx-b (each pinging the other's st0 address), but those in
        ``skip`` (powered off: no NETCONF)."""
        return tuple(self.view(name, peer_st0) for name, peer_st0 in PEER_ST0.items() if name not in skip)

    def wait_for(self, predicate, timeout: float, stable: float = 0.0, skip: set[str] | frozenset = frozenset()):
        """Poll ``pair(skip)`` until ``predicate`` holds (for ``stable`` seconds); the last views."""
        deadline = time.monotonic() + timeout
        since = None
        while True:
            views = self.pair(skip)
            if predicate(views):
                since = since or time.monotonic()
                if time.monotonic() - since >= stable:
                    return views
            else:
                since = None
            if time.monotonic() > deadline:
                return views
            time.sleep(0.5)


def lab_processes(state_dir: pathlib.Path) -> list[int]:
    """Daemons started for the lab in ``state_dir`` (their command line or environment names it)."""
    marker = str(state_dir).encode()
    pids = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker in (proc / "cmdline").read_bytes() or marker in (proc / "environ").read_bytes():
                stat = (proc / "stat").read_text()
                if stat.split(") ", 1)[1][:1] != "Z":
                    pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def namespaces(prefix: str) -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], check=False, capture_output=True, text=True, timeout=10).stdout
    return [ln.split()[0] for ln in out.splitlines() if ln.startswith(prefix)]
