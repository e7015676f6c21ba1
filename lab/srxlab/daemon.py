"""The lab process: every device of a topology served from one asyncio loop.

Run as ``python -m srxlab.daemon --topology FILE --state-dir DIR`` (``srxlab up``
does this detached).  The process

* holds an exclusive lock on ``DIR/srxlab.pid`` for its whole life (one lab per
  state directory; the lock vanishes with the process, even after a crash);
* builds ``Lab(topology, DIR)`` and starts one NETCONF-over-SSH server per device
  on the topology's host, all sharing the host key ``DIR/ssh_host_ed25519_key``;
* writes ``DIR/lab.json`` (atomically) whenever a device starts or stops; on exit
  it is rewritten with ``"running": false``, and the ports it lists are reused by
  the next start for devices whose topology port is 0;
* answers control requests on the unix socket ``DIR/control.sock``: one JSON
  object per line in, one JSON reply per line out.  ``status``, ``down``,
  ``stop`` and ``start`` (``Device.stop()``/``Device.start()`` plus the listener)
  are handled here; anything else is forwarded to ``Lab.control``;
* keeps the listeners in step with ``Device.running`` (polled), so a device the
  lab stops on its own also drops its sessions;
* logs to ``DIR/srxlab.log``; on SIGTERM, SIGINT or ``down`` it closes every
  session, calls ``Lab.shutdown()``, removes the socket and pid file, exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import logging
import os
import pathlib
import signal
import sys
from typing import Any

from srxlab import netconf, topology
from srxlab.cli import (
    CONTROL_SOCKET,
    EXIT_ALREADY_RUNNING,
    HOST_KEY_FILE,
    LOG_FILE,
    PID_FILE,
    STATE_FILE,
)
from srxlab.lab import BACKENDS, Lab

log = logging.getLogger("srxlab.daemon")

RECONCILE_INTERVAL = 0.5        # seconds between checks of Device.running
CONTROL_IDLE_TIMEOUT = 300.0    # seconds a control client may stay silent


def write_json_atomic(path: pathlib.Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON so readers never see a partial file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


def previous_ports(state_dir: pathlib.Path) -> dict[str, int]:
    """Ports the devices had the last time a lab ran in ``state_dir``."""
    try:
        state = json.loads((state_dir / STATE_FILE).read_text())
        return {d["name"]: int(d["port"]) for d in state["devices"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


class LabDaemon:
    """Device servers, state file and control socket around one ``Lab`` object."""

    def __init__(self, lab: Any, topo: dict[str, Any], state_dir: pathlib.Path,
                 host_key: Any):
        self.lab = lab
        self.topology = topo
        self.state_dir = state_dir
        self.host_key = host_key
        self.servers: dict[str, netconf.DeviceServer] = {}
        self._stop_requested = asyncio.Event()
        self._lock = asyncio.Lock()          # serializes listener start/stop
        self._control: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._reconciler: asyncio.Task[None] | None = None

    @property
    def control_path(self) -> pathlib.Path:
        return self.state_dir / CONTROL_SOCKET

    # -- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        """Open every device's listener, write lab.json, open the control socket."""
        reuse = previous_ports(self.state_dir)
        for name, spec in self.topology["devices"].items():
            server = netconf.DeviceServer(self.lab.devices[name], spec["host"], spec["port"],
                                          self.host_key, base11=spec["netconf_1_1"])
            await self._listen(server, reuse.get(name, 0))
            self.servers[name] = server
            log.info("%s listening on %s:%d", name, server.host, server.port)
        await self.reconcile()
        self.write_state()
        self.control_path.unlink(missing_ok=True)
        self._control = await asyncio.start_unix_server(self._serve_client,
                                                        path=str(self.control_path))
        self._reconciler = asyncio.create_task(self._reconcile_forever())
        log.info("lab %s up: %d devices", self.topology["name"], len(self.servers))

    @staticmethod
    async def _listen(server: netconf.DeviceServer, previous_port: int) -> None:
        """Start ``server``; a port-0 device first tries the port it had last time."""
        if server.port == 0 and previous_port:
            server.port = previous_port
            try:
                await server.start()
                return
            except OSError:
                server.port = 0
        try:
            await server.start()
        except OSError as exc:
            raise OSError(f"{server.device.name}: cannot listen on "
                          f"{server.host}:{server.port}: {exc.strerror}") from exc

    def request_stop(self) -> None:
        self._stop_requested.set()

    async def wait_stop_requested(self) -> None:
        await self._stop_requested.wait()

    async def shutdown(self) -> None:
        """Close control clients and device sessions, then let the lab persist."""
        if self._control is not None:
            self._control.close()
        for writer in list(self._clients):
            writer.close()
        if self._reconciler is not None:
            self._reconciler.cancel()
        async with self._lock:
            await asyncio.gather(*(s.stop() for s in self.servers.values()))
        try:
            self.lab.shutdown()
        finally:
            if len(self.servers) == len(self.topology["devices"]):   # else keep the last ports
                self.write_state(running=False)
            self.control_path.unlink(missing_ok=True)
            log.info("lab %s down", self.topology["name"])

    # -- device listeners -----------------------------------------------------
    async def reconcile(self) -> bool:
        """Match every listener to its device's ``running`` flag; True if any changed."""
        changed = False
        async with self._lock:
            for name, server in self.servers.items():
                running = bool(self.lab.devices[name].running)
                if running and not server.listening:
                    await server.start()
                    log.info("%s started on port %d", name, server.port)
                    changed = True
                elif not running and server.listening:
                    await server.stop()
                    log.info("%s stopped", name)
                    changed = True
        return changed

    async def _reconcile_forever(self) -> None:
        while True:
            await asyncio.sleep(RECONCILE_INTERVAL)
            try:
                if await self.reconcile():
                    self.write_state()
            except OSError:
                log.exception("cannot restart a device listener")

    # -- state ----------------------------------------------------------------
    def status(self, running: bool = True) -> dict[str, Any]:
        return {
            "name": self.topology["name"],
            "running": running,
            "pid": os.getpid() if running else None,
            "topology": self.topology["path"],
            "backend": getattr(self.lab, "backend", "model"),
            "state_dir": str(self.state_dir),
            "control": str(self.control_path),
            "log": str(self.state_dir / LOG_FILE),
            "devices": [self._device_status(name, spec, running)
                        for name, spec in self.topology["devices"].items()],
        }

    def _device_status(self, name: str, spec: dict[str, Any], running: bool) -> dict[str, Any]:
        server = self.servers[name]
        return {"name": name, "host": server.host, "port": server.port,
                "username": spec["username"], "password": spec["password"],
                "state": "running" if running and server.listening else "stopped",
                "inventory": spec.get("inventory", True)}

    def write_state(self, running: bool = True) -> None:
        write_json_atomic(self.state_dir / STATE_FILE, self.status(running))

    # -- control requests -----------------------------------------------------
    async def handle(self, request: Any) -> dict[str, Any]:
        """Answer one control request."""
        if not isinstance(request, dict) or not isinstance(request.get("op"), str):
            return {"ok": False, "error": 'request must be a JSON object with an "op"'}
        op = request["op"]
        if op == "status":
            return {"ok": True, **self.status()}
        if op == "down":
            self.request_stop()
            return {"ok": True, "message": "lab shutting down"}
        if op in ("stop", "start"):
            return await self._stop_start(request)
        return self._lab_control(request)

    async def _stop_start(self, request: dict[str, Any]) -> dict[str, Any]:
        """Power a device off (``Device.stop``) or on (``Device.start``), then match its
        listener: stopping drops its connections, starting reopens the same port."""
        op, name = request["op"], request.get("device")
        if name not in self.servers:
            return {"ok": False, "error": f"unknown device {name!r}"}
        device = self.lab.devices[name]
        try:
            if op == "start":
                device.start()
            else:
                device.stop()
            await self.reconcile()
        except OSError as exc:
            return {"ok": False, "error": f"{name}: cannot listen on port "
                                          f"{self.servers[name].port}: {exc.strerror}"}
        except Exception as exc:
            log.exception("%s %s failed", op, name)
            return {"ok": False, "error": f"internal error: {type(exc).__name__}: {exc}"}
        self.write_state()
        return {"ok": True, "message": f"{name} {'started' if op == 'start' else 'stopped'}"}

    def _lab_control(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = self.lab.control(request)
        except Exception as exc:
            log.exception("lab.control(%r) failed", request)
            return {"ok": False, "error": f"internal error: {type(exc).__name__}: {exc}"}
        if not isinstance(reply, dict) or "ok" not in reply:
            return {"ok": False, "error": f"internal error: lab replied {reply!r}"}
        return reply

    async def _serve_client(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            while not self._stop_requested.is_set():
                try:
                    line = await asyncio.wait_for(reader.readline(), CONTROL_IDLE_TIMEOUT)
                except (TimeoutError, ValueError):    # idle, or a line over the limit
                    break
                if not line:
                    break
                try:
                    request = json.loads(line)
                except ValueError as exc:
                    reply: dict[str, Any] = {"ok": False, "error": f"bad request: {exc}"}
                else:
                    log.log(logging.DEBUG if request_is_poll(request) else logging.INFO,
                            "control: %s", line.decode(errors="replace").strip())
                    reply = await self.handle(request)
                writer.write(json.dumps(reply, default=str).encode() + b"\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self._clients.discard(writer)
            writer.close()


def request_is_poll(request: Any) -> bool:
    """Status and settle polls are logged at debug level only."""
    return isinstance(request, dict) and request.get("op") in ("status", "settled")


async def run(topo: dict[str, Any], state_dir: pathlib.Path, backend: str = "model") -> int:
    """Run the lab described by ``topo`` until asked to stop; returns the exit code.

    ``backend`` is the protocol plane: ``model`` (computed) or ``real`` (strongSwan and BIRD
    in network namespaces, torn down with the lab)."""
    host_key = netconf.load_or_create_host_key(state_dir / HOST_KEY_FILE)
    daemon = LabDaemon(Lab(topo, state_dir, backend=backend), topo, state_dir, host_key)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, daemon.request_stop)
    try:
        await daemon.start()
        await daemon.wait_stop_requested()
    finally:
        await daemon.shutdown()
    return 0


def lock_pid_file(state_dir: pathlib.Path) -> int | None:
    """Lock the state dir's pid file and record our pid; None if a lab holds the lock.

    The returned descriptor must stay open for the life of the process.
    """
    fd = os.open(state_dir / PID_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m srxlab.daemon", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topology", required=True, help="topology YAML file")
    parser.add_argument("--state-dir", required=True, help="lab state directory")
    parser.add_argument("--backend", choices=BACKENDS, default="model",
                        help="protocol plane: model (computed) or real (strongSwan and BIRD daemons)")
    args = parser.parse_args(argv)

    state_dir = pathlib.Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=state_dir / LOG_FILE, level=logging.INFO,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)

    pid_fd = lock_pid_file(state_dir)
    if pid_fd is None:
        log.error("a lab is already running in %s", state_dir)
        print(f"srxlab: a lab is already running in {state_dir}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    try:
        topo = topology.load(args.topology)
        log.info("starting lab %s (pid %d, %s backend) from %s", topo["name"], os.getpid(),
                 args.backend, topo["path"])
        return asyncio.run(run(topo, state_dir, args.backend))
    except Exception:
        log.exception("lab failed")
        return 1
    finally:
        with contextlib.suppress(FileNotFoundError):
            (state_dir / PID_FILE).unlink()
        os.close(pid_fd)


if __name__ == "__main__":
    sys.exit(main())
