"""The ``srxlab`` command: start, inspect, perturb and stop an emulated SRX lab.

Every lab lives in a state directory (default ``.lab/default``) holding its log,
``lab.json``, SSH host key, persisted configs and the control socket of the lab
process (see :mod:`srxlab.daemon`); labs in different state directories run side
by side.  Subcommands::

    srxlab up [--topology FILE] [--backend model|real]
                                         start the lab detached, wait until every device accepts TCP
    srxlab status [--json]               devices with host, port, credentials and state
    srxlab down                          stop the lab and wait for its process to end
    srxlab stop|start DEVICE             power a device off / on (same port)
    srxlab link down|up DEVICE PORT      cut / restore a link
    srxlab fault DEVICE KIND [ARGS...]   inject a fault (KIND ``clear`` removes them)
    srxlab wait-settled [--timeout S]    wait until the protocol plane has converged
    srxlab explain                       why each tunnel / BGP session is (not) up
    srxlab probe                         log in to every device over NETCONF (ncclient) and
                                         show what it answers

Exit status: 0 on success, 1 on failure (a lab error, no lab running, timeout),
2 on a usage or topology error.

This module also defines the state directory layout shared with the lab
process, and imports nothing of the device model: ``status`` and ``down`` keep
working whatever state the model code is in.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from srxlab import topology

# State directory layout (shared with srxlab.daemon).
PID_FILE = "srxlab.pid"                 # locked by the lab process for its whole life
STATE_FILE = "lab.json"                 # devices, ports, credentials, states
CONTROL_SOCKET = "control.sock"         # JSON lines control protocol
LOG_FILE = "srxlab.log"
HOST_KEY_FILE = "ssh_host_ed25519_key"  # one SSH host key for every device of the lab
EXIT_ALREADY_RUNNING = 3                # lab process exit status: the state dir is taken

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_TOPOLOGY = REPO_ROOT / "lab" / "topologies" / "seed-pair.yml"
DEFAULT_STATE_DIR = pathlib.Path(".lab/default")

UP_TIMEOUT = 30.0           # seconds for `up` until every device accepts TCP
# The real backend starts a charon and a BIRD per device first (each may take up to
# daemons.START_TIMEOUT on a loaded machine).
REAL_UP_TIMEOUT = 300.0
DOWN_TIMEOUT = 30.0         # seconds for `down` until the lab process is gone
REQUEST_TIMEOUT = 30.0      # seconds for one control request
POLL_INTERVAL = 0.1
LOG_TAIL_LINES = 40


class LabNotRunning(Exception):
    """Nothing answers on the state directory's control socket."""


def control_request(state_dir: pathlib.Path, request: dict[str, Any],
                    timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
    """Send one request to the lab in ``state_dir`` and return its reply."""
    path = state_dir / CONTROL_SOCKET
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise LabNotRunning(str(state_dir)) from exc
        sock.sendall(json.dumps(request).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise LabNotRunning(f"{state_dir}: lab closed the control connection")
            data += chunk
    return json.loads(data)


def lab_alive(state_dir: pathlib.Path) -> bool:
    """True while a lab process holds the state directory's pid lock."""
    try:
        fd = os.open(state_dir / PID_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def accepts_tcp(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def log_tail(state_dir: pathlib.Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = (state_dir / LOG_FILE).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def format_table(devices: list[dict[str, Any]]) -> str:
    columns = ["name", "host", "port", "username", "password", "state"]
    rows = [[c.upper() for c in columns]] + [[str(d[c]) for c in columns] for d in devices]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def fail(message: str) -> int:
    print(f"srxlab: {message}", file=sys.stderr)
    return 1


def not_running(state_dir: pathlib.Path) -> int:
    return fail(f"no lab running in {state_dir} (start one with: srxlab up --state-dir {state_dir})")


# -- subcommands -------------------------------------------------------------
def cmd_up(args: argparse.Namespace) -> int:
    state_dir: pathlib.Path = args.state_dir
    try:
        topo = topology.load(args.topology)
    except topology.TopologyError as exc:
        print(f"srxlab: {exc}", file=sys.stderr)
        return 2
    with contextlib.suppress(LabNotRunning):
        status = control_request(state_dir, {"op": "status"}, timeout=5.0)
        print(f"lab {status['name']} already running in {state_dir} (pid {status['pid']})")
        print_lab(status, topo, args.backend)
        return 0
    proc = None
    if not lab_alive(state_dir):
        state_dir.mkdir(parents=True, exist_ok=True)
        with open(state_dir / LOG_FILE, "ab") as log_file:
            proc = subprocess.Popen(
                [sys.executable, "-m", "srxlab.daemon", "--topology", topo["path"],
                 "--state-dir", str(state_dir), "--backend", args.backend],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                cwd=state_dir, start_new_session=True, close_fds=True)
    timeout = REAL_UP_TIMEOUT if args.backend == "real" else UP_TIMEOUT
    status = wait_ready(state_dir, proc, timeout)
    if status is None:
        if proc is not None and proc.poll() is None:
            stop_process(proc)
        print(log_tail(state_dir), file=sys.stderr)
        return fail(f"lab in {state_dir} did not come up within {timeout:.0f} s")
    extra = "" if status.get("backend", "model") == "model" else f", {status['backend']} backend"
    print(f"lab {status['name']} up in {state_dir} (pid {status['pid']}{extra})")
    print_lab(status, topo, args.backend)
    return 0


def print_lab(status: dict[str, Any], topo: dict[str, Any], backend: str | None = None) -> None:
    """The device table, with a note if the lab runs another topology than requested."""
    if status["topology"] != topo["path"]:
        print(f"note: this lab runs {status['topology']}, not {topo['path']}")
    if backend is not None and status.get("backend", "model") != backend:
        print(f"note: this lab runs the {status.get('backend', 'model')} backend, not {backend}")
    print(format_table(status["devices"]))


def wait_ready(state_dir: pathlib.Path, proc: subprocess.Popen[bytes] | None,
               timeout: float = UP_TIMEOUT) -> dict[str, Any] | None:
    """Poll until the lab answers and every running device accepts TCP; None on failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            if proc.returncode != EXIT_ALREADY_RUNNING:
                print(f"srxlab: lab process exited with status {proc.returncode}",
                      file=sys.stderr)
                return None
            proc = None             # another `up` won the race: wait for its lab
        try:
            status = control_request(state_dir, {"op": "status"}, timeout=5.0)
        except (LabNotRunning, TimeoutError):
            time.sleep(POLL_INTERVAL)
            continue
        if all(accepts_tcp(d["host"], d["port"])
               for d in status["devices"] if d["state"] == "running"):
            return status
        time.sleep(POLL_INTERVAL)
    return None


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a lab process this command started, bounded in time."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def cmd_status(args: argparse.Namespace) -> int:
    try:
        status = control_request(args.state_dir, {"op": "status"})
    except LabNotRunning:
        return not_running(args.state_dir)
    if args.json:
        print(json.dumps(status["devices"], indent=2))
    else:
        print(format_table(status["devices"]))
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    state_dir: pathlib.Path = args.state_dir
    pid = _lab_pid(state_dir)
    try:
        control_request(state_dir, {"op": "down"})
    except LabNotRunning:
        if not lab_alive(state_dir):
            clean_real_leftovers(state_dir)
            print(f"no lab running in {state_dir}")
            return 0
        print(f"lab in {state_dir} does not answer; sending SIGTERM to pid {pid}")
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + DOWN_TIMEOUT
    # the lab releases its pid lock just before its interpreter exits: wait for both
    while lab_alive(state_dir) or (pid is not None and process_exists(pid)):
        if time.monotonic() > deadline:
            return fail(f"lab in {state_dir} still running after {DOWN_TIMEOUT:.0f} s")
        time.sleep(POLL_INTERVAL)
    clean_real_leftovers(state_dir)
    print(f"lab in {state_dir} down")
    return 0


def clean_real_leftovers(state_dir: pathlib.Path) -> None:
    """Stop the daemons and delete the namespaces of a real-backend lab whose process died
    without tearing them down (the lab removes its own on exit)."""
    if not (state_dir / "real").is_dir():
        return
    from srxlab.real.daemons import kill_stale  # only labs that ran the real backend
    from srxlab.real.netns import delete_namespaces, lab_prefix, list_namespaces

    killed = kill_stale(state_dir / "real")
    prefix = lab_prefix(state_dir)
    names = list_namespaces(prefix)
    delete_namespaces(prefix)
    if killed or names:
        print(f"removed what a dead lab left in {state_dir}: {len(killed)} daemon(s), {len(names)} namespace(s)")


def _lab_pid(state_dir: pathlib.Path) -> int | None:
    try:
        return int((state_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of this process has exited too
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return False


def send(state_dir: pathlib.Path, request: dict[str, Any]) -> int:
    """Send a control request, print its reply; exit status 1 unless it is ok."""
    try:
        reply = control_request(state_dir, request)
    except LabNotRunning:
        return not_running(state_dir)
    if not reply.get("ok"):
        return fail(str(reply.get("error", reply)))
    details = {k: v for k, v in reply.items() if k not in ("ok", "message")}
    if reply.get("message"):
        print(reply["message"])
    if details:
        print(json.dumps(details, sort_keys=True))
    if not reply.get("message") and not details:
        print("ok")
    return 0


def cmd_power(args: argparse.Namespace) -> int:
    return send(args.state_dir, {"op": args.command, "device": args.device})


def cmd_link(args: argparse.Namespace) -> int:
    return send(args.state_dir, {"op": "link", "device": args.device, "port": args.port,
                                 "state": args.state})


def cmd_fault(args: argparse.Namespace) -> int:
    return send(args.state_dir, {"op": "fault", "device": args.device, "kind": args.kind,
                                 "args": args.args})


def cmd_wait_settled(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            reply = control_request(args.state_dir, {"op": "settled"})
        except LabNotRunning:
            return not_running(args.state_dir)
        if not reply.get("ok"):
            return fail(str(reply.get("error", reply)))
        if reply.get("settled"):
            print("settled")
            return 0
        if time.monotonic() > deadline:
            return fail(f"not settled after {args.timeout:g} s: {json.dumps(reply)}")
        time.sleep(POLL_INTERVAL * 2)


def cmd_explain(args: argparse.Namespace) -> int:
    try:
        reply = control_request(args.state_dir, {"op": "explain"})
    except LabNotRunning:
        return not_running(args.state_dir)
    for item in reply.get("tunnels", []):
        if "gateway" in item:  # a gateway with backup peers: the address it uses and why
            print(f"gateway {':'.join(item['gateway'])}: {'' if item['ok'] else 'DOWN: '}{item['reason']}")
            continue
        what = "tunnel " + " <-> ".join(":".join(e) for e in item["tunnel"]) if "tunnel" in item \
            else "bgp " + " -> ".join(item["bgp"])
        print(f"{what}: {'ok' if item['ok'] else 'DOWN: ' + item['reason']}")
        for child in item.get("children", []):
            vpns = " <-> ".join(f"{d}:{v}" for d, v in child["vpns"].items())
            if not child["ok"]:
                state = "DOWN: " + child["reason"]
            elif child["blackhole"]:
                state = "SAs up but traffic black-holed: NAT in the path and NAT traversal disabled"
            else:
                state = "ok"
            print(f"  ipsec {vpns}: {state}")
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    """Log in to every running device with ncclient, the client Ansible uses, and print
    what it answers: proof that the lab serves NETCONF, not a deployment."""
    from ncclient import manager  # a client library: only this command needs it

    try:
        devices = control_request(args.state_dir, {"op": "status"}).get("devices", [])
    except LabNotRunning:
        return not_running(args.state_dir)
    failed = 0
    for dev in devices:
        if dev.get("state") != "running":
            print(f"{dev['name']}: {dev.get('state')}")
            continue
        try:
            with manager.connect(host=dev["host"], port=dev["port"], username=dev["username"],
                                 password=dev["password"], hostkey_verify=False, timeout=30,
                                 device_params={"name": "junos"}) as conn:
                info = conn.rpc(etree_rpc("get-software-information"))
                commits = conn.rpc(etree_rpc("get-commit-information"))
        except Exception as exc:  # noqa: BLE001 - report any client failure per device
            failed += 1
            print(f"{dev['name']}: NETCONF login failed: {exc}")
            continue
        host = info.xpath("//host-name")[0].text
        version = info.xpath("//junos-version")[0].text
        print(f"{dev['name']}: {dev['host']}:{dev['port']} answers as {host}, Junos {version}, "
              f"{len(commits.xpath('//commit-history'))} commit(s) in its history")
    return 1 if failed else 0


def etree_rpc(name: str):
    from lxml import etree
    return etree.Element(name)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state-dir", type=pathlib.Path, default=DEFAULT_STATE_DIR,
                        help=f"lab state directory (default {DEFAULT_STATE_DIR})")
    parser = argparse.ArgumentParser(prog="srxlab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = sub.add_parser("up", parents=[common], help="start a lab")
    up.add_argument("--topology", default=str(DEFAULT_TOPOLOGY),
                    help="topology file (default lab/topologies/seed-pair.yml)")
    up.add_argument("--backend", choices=["model", "real"], default="model",
                    help="protocol plane: model (computed, default) or real (strongSwan and BIRD 2 "
                         "in network namespaces; needs root and scripts/install-real-backend)")
    up.set_defaults(func=cmd_up)

    status = sub.add_parser("status", parents=[common], help="show the devices")
    status.add_argument("--json", action="store_true", help="print a JSON list")
    status.set_defaults(func=cmd_status)

    sub.add_parser("down", parents=[common], help="stop the lab").set_defaults(func=cmd_down)

    for name, text in (("stop", "power a device off"), ("start", "power a device on")):
        power = sub.add_parser(name, parents=[common], help=text)
        power.add_argument("device")
        power.set_defaults(func=cmd_power)

    link = sub.add_parser("link", parents=[common], help="cut or restore a link")
    link.add_argument("state", choices=["down", "up"])
    link.add_argument("device")
    link.add_argument("port")
    link.set_defaults(func=cmd_link)

    fault = sub.add_parser("fault", parents=[common],
                           help="inject a fault (KIND clear removes a device's faults)")
    fault.add_argument("device")
    fault.add_argument("kind")
    fault.add_argument("args", nargs="*", help="arguments of the fault (after -- if they start with -)")
    fault.set_defaults(func=cmd_fault)

    settle = sub.add_parser("wait-settled", parents=[common],
                            help="wait until the protocol plane has converged")
    settle.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    settle.set_defaults(func=cmd_wait_settled)
    sub.add_parser("explain", parents=[common],
                   help="why each tunnel and BGP session is (not) up").set_defaults(func=cmd_explain)
    sub.add_parser("probe", parents=[common],
                   help="log in to every device over NETCONF and show what it answers").set_defaults(func=cmd_probe)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.state_dir = args.state_dir.resolve()
    try:
        return args.func(args)
    except TimeoutError:
        return fail(f"the lab in {args.state_dir} did not answer in time")
    except OSError as exc:
        return fail(f"{args.state_dir}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
