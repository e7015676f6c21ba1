"""A lab: the devices of one topology, lab time, wiring state and fault injection."""
from __future__ import annotations

import asyncio
import itertools
import pathlib
import threading
import time

from .device import Device
from .protocols import Protocols

DROP_STAGES = ("load", "commit")  # drop-session [STAGE]: <load-configuration>/<edit-config> or commit

FAULT_KINDS = {
    "drop-session": "drop the NETCONF session at the next STAGE (load or commit, default commit; no reply)",
    "delay-commit": "delay every commit by SECONDS lab seconds",
    "hold-lock": "hold the configuration lock as another user (default: admin)",
    "fail-commit": "fail the next commit with MESSAGE",
    "drop-ping": "the device's pings get no answer (ICMP filtered on its path); IKE, IPsec and BGP unaffected",
}


_held_ids = itertools.count(90000)


class _HeldLock:
    """A phantom session holding the candidate lock, as an operator's `configure exclusive`."""

    def __init__(self, user: str):
        self.username = user
        self.session_id = next(_held_ids)
        self.started = time.time()
        self.closed = False


BACKENDS = ("model", "real")   # the protocol plane: computed (Protocols) or real daemons (RealBackend)


def make_backend(lab: Lab, backend: str):
    """The lab's protocol plane: the model, or strongSwan and BIRD in network namespaces."""
    if backend == "model":
        return Protocols(lab)
    if backend == "real":
        # needs root and the daemons: imported only when chosen
        from .real.backend import RealBackend
        return RealBackend(lab)
    raise ValueError(f"unknown backend {backend!r} (expected one of {', '.join(BACKENDS)})")


class Lab:
    def __init__(self, topology: dict, state_dir: pathlib.Path, backend: str = "model"):
        self.topology = topology
        self.state_dir = pathlib.Path(state_dir)
        self.time_scale = float(topology.get("time_scale", 1.0))
        self.links: dict[tuple[str, str], bool] = {}  # (device, port) -> up
        self.devices: dict[str, Device] = {
            name: Device(name, spec, self) for name, spec in topology["devices"].items()}
        self.backend = backend
        self.protocols = make_backend(self, backend)

    # -- lab time -------------------------------------------------------------------------
    def call_later(self, delay: float, callback):
        """Run ``callback`` after ``delay`` real seconds on the lab's event loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            timer = threading.Timer(delay, callback)
            timer.daemon = True
            timer.start()
            return timer
        return loop.call_later(delay, callback)

    # -- control API ------------------------------------------------------------------------
    def control(self, request: dict) -> dict:
        op = request.get("op")
        if op == "settled":
            return {"ok": True, "settled": self.protocols.settled()}
        if op == "explain":
            return {"ok": True, "tunnels": self.protocols.explain()}
        device = self.devices.get(request.get("device", ""))
        if device is None:
            return {"ok": False, "error": f"unknown device {request.get('device')!r}"}
        if op == "fault":
            return self._fault(device, request.get("kind"), [str(a) for a in request.get("args", [])])
        if op == "link":
            port = request.get("port")
            if port not in device.spec.get("ports", []):
                return {"ok": False, "error": f"{device.name} has no port {port!r}"}
            self.links[(device.name, port)] = request.get("state") == "up"
            self.protocols.topology_changed(device.name)
            return {"ok": True}
        if op == "commits":
            return {"ok": True, "commits": [c.__dict__ for c in device.db.history]}
        return {"ok": False, "error": f"unknown op {op!r}"}

    def _fault(self, device: Device, kind: str | None, args: list[str]) -> dict:
        if kind == "clear":
            device.faults.clear()
            if isinstance(device.lock_holder, _HeldLock):
                device.lock_holder = None
            return {"ok": True}
        if kind not in FAULT_KINDS:
            kinds = ", ".join([*FAULT_KINDS, "clear"])
            return {"ok": False, "error": f"unknown fault {kind!r} (expected one of {kinds})"}
        if kind == "hold-lock":
            if device.lock_holder is not None:
                return {"ok": False, "error": f"{device.name}: lock already held by {device.lock_holder.username}"}
            device.lock_holder = _HeldLock(args[0] if args else "admin")
        elif kind == "delay-commit":
            try:
                device.faults[kind] = float(args[0])
            except (IndexError, ValueError):
                return {"ok": False, "error": "delay-commit needs SECONDS"}
        elif kind == "fail-commit":
            device.faults[kind] = " ".join(args) or "commit failed (injected fault)"
        elif kind == "drop-session":
            stage = args[0] if args else "commit"
            if stage not in DROP_STAGES or len(args) > 1:
                return {"ok": False, "error": f"drop-session takes an optional stage ({' or '.join(DROP_STAGES)}), "
                                              f"got {' '.join(args)!r}"}
            device.faults[kind] = stage
        else:
            device.faults[kind] = True
        return {"ok": True}

    def shutdown(self) -> None:
        for device in self.devices.values():
            device.shutdown()
        stop = getattr(self.protocols, "shutdown", None)
        if stop is not None:
            stop()
