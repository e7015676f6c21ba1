"""The protocol plane's entry points: the :class:`Protocols` of a lab.

The model is lazy and change-driven. A *view* of each device (what its committed, active
config means for the protocols) is rebuilt only when that device commits. After a commit,
a link change or a device stop/start, the relations (IKE gateway pairs, BGP sessions) that
involve the changed device are re-evaluated; each remembers whether it can come up, why not,
and from which moment it is up (now + a protocol delay, scaled by lab time). Reading state is
then a pure function of the clock, so callers must poll, as on a real SRX, and no timers run.
Unrelated devices are never looked at: an address index finds the peers of a device.

:class:`Protocols` only orchestrates: the underlay and ping are in :mod:`.reach`, IKE and
IPsec in :mod:`.ike`, BGP in :mod:`.bgp`, the per-device views in :mod:`.views`.
"""
from __future__ import annotations

import random
import time

from ..opstate import (
    BgpPeer,
    IkeSa,
    IpsecSa,
    LogicalInterface,
    PhysicalInterface,
    PingResult,
)
from .bgp import Bgp
from .ike import Ike
from .reach import Underlay, ping_ok
from .relations import IPSEC_DELAY
from .views import DeviceView, build_view


class Protocols:
    """IKE / IPsec / BGP / ping state of every device of a lab."""

    def __init__(self, lab):
        self.lab = lab
        self.rng = random.Random()
        self.views: dict[str, DeviceView] = {}
        self.started: dict[str, float] = {}
        self.counters: dict[str, dict[str, int]] = {}
        self.stats = {"evaluations": 0}
        self.net = Underlay(lab)
        self.ike = Ike(self)
        self.bgp = Bgp(self)
        for name, dev in lab.devices.items():
            self.started[name] = time.time()
            self.counters[name] = {"ike": 3544400, "tunnel": 131073}
            dev.listeners.append(self.device_changed)
        for name in lab.devices:
            self._index(name, build_view(name, lab.devices[name].db.committed))
        for name in lab.devices:
            self._recompute({name})

    @property
    def scale(self) -> float:
        return self.lab.time_scale

    @property
    def tunnels(self):
        return self.ike.tunnels

    def _index(self, name: str, view: DeviceView) -> set[str]:
        touched = self.net.index(name, self.views.get(name), view)
        self.views[name] = view
        return touched

    # -- change entry points ----------------------------------------------------------------
    def device_changed(self, device) -> None:
        name = device.name
        touched = self._index(name, build_view(name, device.db.committed))
        self._recompute(touched)

    def topology_changed(self, name: str) -> None:
        """A link of ``name`` went up/down or the device stopped/started."""
        dev = self.lab.devices[name]
        if dev.running and self.started.get(name, 0) < 0:
            self.started[name] = time.time()
        elif not dev.running:
            self.started[name] = -1
        self._recompute(self.net.related(name, self.views[name]))

    def _recompute(self, devices: set[str]) -> None:
        now = time.time()
        self.ike.touched = set()
        for name in devices:
            self.ike.recompute(name, now)
        # a tunnel that changed reaches devices not touched themselves (a backup peer
        # taking over a gateway's tunnel): their sessions follow it
        for name in devices | self.ike.touched:
            self.bgp.recompute(name, now)

    # -- state at a moment ----------------------------------------------------------------
    def ike_sas(self, name: str, now: float | None = None) -> list[IkeSa]:
        return self.ike.ike_sas(name, time.time() if now is None else now)

    def ipsec_sas(self, name: str, now: float | None = None) -> list[IpsecSa]:
        return self.ike.ipsec_sas(name, time.time() if now is None else now)

    def bgp_peers(self, name: str, now: float | None = None) -> list[BgpPeer]:
        return self.bgp.peers(name, time.time() if now is None else now)

    def interfaces(self, name: str, now: float | None = None) -> list[PhysicalInterface]:
        now = time.time() if now is None else now
        view = self.views[name]
        st0_up = {sa.bind_interface for sa in self.ipsec_sas(name, now)}
        ifds: dict[str, PhysicalInterface] = {}
        for ifl, addrs in view.addresses.items():
            ifd = ifl.split(".")[0]
            link = self.net.link_up(name, ifd) if not ifd.startswith(("st0", "lo0")) else "up"
            phys = ifds.setdefault(ifd, PhysicalInterface(ifd, link="up" if link else "down"))
            unit_link = ("up" if ifl in st0_up else "down") if ifd == "st0" else phys.link
            phys.units.append(LogicalInterface(ifl, link=unit_link, addresses=[str(a) for a in addrs]))
        return list(ifds.values())

    def ping(self, name: str, target: str, source: str | None, count: int) -> PingResult:
        now = time.time()
        result = PingResult(target=target, source=source, count=count)
        device = self.lab.devices.get(name) if hasattr(self.lab, "devices") else None
        dropped = device is not None and device.faults.get("drop-ping")   # `srxlab fault DEV drop-ping`
        if not dropped and ping_ok(self, name, target, now, source):
            result.rtts_ms = [round(self.rng.uniform(0.4, 0.9), 3) for _ in range(count)]
        return result

    def explain(self) -> list[dict]:
        """Why each tunnel and BGP session is (not) up: for `srxlab explain` and tests.

        An IKE initiation that no gateway of the device at its address answers shows as a
        tunnel entry whose far end is only that device (or the address nobody owns). A
        gateway with backup peer addresses has a gateway entry: the address it uses and why."""
        out = []
        for tun in self.ike.tunnels.values():
            out.append({"tunnel": [list(e) for e in tun.ends], "ok": tun.ok, "reason": tun.reason,
                        "children": [{"vpns": c.vpns, "ok": c.ok, "reason": c.reason,
                                      "blackhole": c.blackhole} for c in tun.children]})
        for name in sorted(self.views):
            for ref in self.ike.refusals_of(name):
                out.append({"tunnel": [[ref.device, ref.gateway], [ref.peer or ref.target]], "ok": False,
                            "reason": ref.reason, "children": []})
        for name in sorted(self.views):
            for gw in self.views[name].gateways.values():
                choice = self.ike.peer_choice(name, gw)
                if choice is not None:
                    out.append({"gateway": [name, gw.name], "ok": choice[0], "reason": choice[1],
                                "address": self.ike.using.get((name, gw.name))})
        for (dev, addr), rel in self.bgp.rels.items():
            out.append({"bgp": [dev, addr], "ok": rel.problem is None,
                        "reason": rel.problem[2] if rel.problem else ""})
        return out

    def settled(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        for tun in self.ike.tunnels.values():
            start = tun.up_from(self.scale)
            if start is not None and now < start + IPSEC_DELAY * self.scale:
                return False
            if tun.up_until is not None and now < tun.up_until:
                return False
        return not self.bgp.pending(now)
