"""Network namespaces of a real-backend lab: one per device, one "wire" namespace with a
bridge per topology segment, a veth per device port, no route out.

Names carry a per-lab prefix derived from the state directory, so two labs never collide:
``srxlab-<hash>-<device>`` and ``srxlab-<hash>-wire``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import pathlib
import subprocess

from .. import addresses as A

log = logging.getLogger("srxlab.real.netns")

IP = "ip"
CMD_TIMEOUT = 15


class NetnsError(RuntimeError):
    pass


def lab_prefix(state_dir: pathlib.Path) -> str:
    digest = hashlib.sha1(str(pathlib.Path(state_dir).resolve()).encode()).hexdigest()[:8]
    return f"srxlab-{digest}"


def ip(*args: str, check: bool = True) -> str:
    try:
        proc = subprocess.run([IP, *args], check=False, capture_output=True, text=True, timeout=CMD_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise NetnsError(f"ip {' '.join(args)}: timed out") from exc
    if check and proc.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def list_namespaces(prefix: str) -> list[str]:
    names = []
    for line in ip("netns", "list").splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(prefix + "-"):
            names.append(name)
    return names


def delete_namespaces(prefix: str) -> None:
    for name in list_namespaces(prefix):
        ip("netns", "delete", name, check=False)


def _dummy(ns: str, name: str) -> None:
    """An always-up interface that leads nowhere (the kernel here has no dummy driver):
    one end of a veth pair whose peer stays in the same namespace, without address."""
    ip("-n", ns, "link", "add", name, "type", "veth", "peer", "name", f"{name}-p")
    ip("-n", ns, "link", "set", f"{name}-p", "up")
    ip("-n", ns, "link", "set", name, "up")


class Underlay:
    """The namespaces and wires of one lab."""

    def __init__(self, prefix: str, topology: dict, ifname):
        self.prefix = prefix
        self.topology = topology
        self.ifname = ifname                    # Junos port -> Linux name
        self.wire = f"{prefix}-wire"
        self.devices = list(topology["devices"])
        self.wire_end: dict[tuple[str, str], str] = {}      # (device, port) -> veth end in the wire ns
        self.segment_of: dict[tuple[str, str], str] = {}
        for si, (_seg, ports) in enumerate(sorted(topology.get("segments", {}).items())):
            for item in ports:
                dev, port = item.split(":", 1)
                self.segment_of[(dev, port)] = f"br{si}"

    def ns(self, device: str) -> str:
        return f"{self.prefix}-{device}"

    def create(self) -> None:
        delete_namespaces(self.prefix)          # leftovers of a lab that died
        ip("netns", "add", self.wire)
        ip("-n", self.wire, "link", "set", "lo", "up")
        for bridge in sorted(set(self.segment_of.values())):
            ip("-n", self.wire, "link", "add", bridge, "type", "bridge")
            ip("-n", self.wire, "link", "set", bridge, "up")
        for di, name in enumerate(self.devices):
            ns = self.ns(name)
            ip("netns", "add", ns)
            ip("-n", ns, "link", "set", "lo", "up")
            for pi, port in enumerate(self.topology["devices"][name].get("ports", [])):
                end = f"d{di}p{pi}"
                ip("-n", self.wire, "link", "add", end, "type", "veth", "peer", "name",
                   self.ifname(port), "netns", ns)
                ip("-n", ns, "link", "set", self.ifname(port), "up")
                self.wire_end[(name, port)] = end
                bridge = self.segment_of.get((name, port))
                if bridge:
                    ip("-n", self.wire, "link", "set", end, "master", bridge)
                    ip("-n", self.wire, "link", "set", end, "up")
        log.info("namespaces %s-* created", self.prefix)

    def set_port(self, device: str, port: str, up: bool) -> None:
        """Cut or restore a port's wire (a port on no segment stays cut)."""
        end = self.wire_end.get((device, port))
        if end is None:
            return
        up = up and (device, port) in self.segment_of
        ip("-n", self.wire, "link", "set", end, "up" if up else "down")

    def sync_addresses(self, device: str, wanted: dict[str, list[str]]) -> None:
        """Give the device's Linux interfaces exactly the IPv4 addresses of ``wanted``;
        tunnel and loopback interfaces (st0.N, lo0) are created on demand."""
        ns = self.ns(device)
        links = {link["ifname"]: link for link in json.loads(ip("-j", "-n", ns, "addr", "show") or "[]")}
        for name in wanted:
            if name not in links and (name.startswith("st0.") or name == "lo0"):
                _dummy(ns, name)
                links[name] = {"ifname": name, "addr_info": []}
        for name, link in links.items():
            if name == "lo" or name.endswith("-p") or name.startswith("ipsec"):
                continue
            have = {f"{a['local']}/{a['prefixlen']}" for a in link.get("addr_info", []) if a.get("family") == "inet"}
            want = set(wanted.get(name, []))
            for addr in sorted(have - want):
                ip("-n", ns, "addr", "del", addr, "dev", name)
            for addr in sorted(want - have, key=A.interface_key):
                ip("-n", ns, "addr", "add", addr, "dev", name)
            if name.startswith("st0.") and name not in wanted:
                ip("-n", ns, "link", "del", name, check=False)

    def destroy(self) -> None:
        delete_namespaces(self.prefix)
        log.info("namespaces %s-* deleted", self.prefix)
