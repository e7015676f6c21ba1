#!/usr/bin/env python3
"""Emulator benchmark: N devices in one `srxlab` process, driven over real NETCONF/SSH.

    python bench/emulator.py [--devices 200] [--workers 8] [--sequential 100] [--idle 3]
                             [--ncclient-tick SECONDS]

Steps (everything under a temporary directory, only 127.0.0.1):

1. a 1-device lab is started and stopped to get the RSS of an (almost) empty lab process;
2. a topology of N devices is written (factory config as lab/topologies/seed-pair.yml:
   host-name, ge-0/0/0 address, UNTRUST zone; all ge-0/0/0 on one `internet` segment)
   and started with `srxlab up` (timed); after ``--idle`` seconds the lab process's RSS
   (/proc/PID/status VmRSS) and its idle CPU use are read;
3. sequential phase: for ``--sequential`` devices (default 100), one at a time, a full
   ncclient cycle -- connect, lock, load-configuration action=set (the 41/42-line
   IKEv2/IPsec/eBGP reference config of tests/lab/fixtures, made unique per device pair),
   validate, get-configuration compare=rollback rollback=0, commit-configuration, unlock,
   close -- with the lab process's CPU sampled around every step, so each cycle's CPU is
   its own: per-cycle figures come from /proc/PID/task/*/schedstat (nanoseconds), the
   total is cross-checked with utime+stime of /proc/PID/stat (clock ticks);
4. parallel phase: one more cycle per device (a slightly changed config: new pre-shared
   key and DPD interval) from ``--workers`` threads; total lab CPU / cycles;
5. the lab is brought down (always, also on error).

Printed: startup time, idle RSS (total, per device, marginal per device), median/p95 lab
CPU per cycle, where the wall time goes (lab CPU, this process's CPU -- ncclient/paramiko
-- and the rest), parallel throughput, and PASS/MISS against the targets (< 20 ms lab
CPU per cycle, < 5 MB RSS per idle device).  No assertion on timing; the script exits 1
only if the lab or a NETCONF cycle fails.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import logging
import os
import pathlib
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import yaml
from ncclient import manager
from ncclient.transport import session as ncclient_session

REPO = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "lab" / "fixtures"
SRX = [(FIXTURES / "srx-a-reference.set").read_text(), (FIXTURES / "srx-b-reference.set").read_text()]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PID_FILE = "srxlab.pid"          # srxlab.cli.PID_FILE
CMD_TIMEOUT = 120                # seconds for one srxlab command
NETCONF_TIMEOUT = 60             # seconds for one ncclient operation
TARGET_CPU_MS = 20.0             # lab CPU per cycle
TARGET_RSS_MB = 5.0              # RSS per idle device
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])")
_AS = re.compile(r"\b(autonomous-system|peer-as) (\d+)\b")
_NAMES = re.compile(r"\b(IKE-PROPOSAL|IKE-POLICY|IKE-GATEWAY|IPSEC-PROPOSAL|IPSEC-POLICY|IPSEC-VPN|EBGP|EXPORT-LO)\b")


# -- topology and configuration --------------------------------------------------------------
def device_name(i: int) -> str:
    return f"srx-{i:04d}"


def public(i: int) -> str:
    """ge-0/0/0 address of device i: devices 2k and 2k+1 share the /24 of pair k."""
    k, side = divmod(i, 2)
    return f"100.{64 + k // 256}.{k % 256}.{side + 1}"


def stanza(i: int, variant: int = 0) -> list[str]:
    """The reference config of srx-a (even i) or srx-b (odd i), unique for device i's pair.

    ``variant`` 1 changes the pre-shared key and the DPD interval (a second, real change)."""
    k, side = divmod(i, 2)
    ips = {"1.1.1.1": public(2 * k), "1.1.1.2": public(2 * k + 1),
           "10.0.1.1": f"10.{k // 256}.{k % 256}.1", "10.0.1.2": f"10.{k // 256}.{k % 256}.2",
           "192.168.1.1": f"172.{16 + k // 256}.{k % 256}.1",
           "192.168.2.2": f"172.{16 + k // 256}.{k % 256}.2"}
    asn = {"100": str(4200000000 + 2 * k), "200": str(4200000001 + 2 * k)}
    text = _IPV4.sub(lambda m: ips.get(m.group(), m.group()), SRX[side])
    text = _AS.sub(lambda m: f"{m.group(1)} {asn[m.group(2)]}", text)
    text = _NAMES.sub(lambda m: f"{m.group(1)}-P{k}", text)
    text = text.replace("Juniper-lab-key-1", f"lab-key-pair-{k}" + ("-rekeyed" if variant else ""))
    if variant:
        text = text.replace("dead-peer-detection interval 10", "dead-peer-detection interval 20")
    text = re.sub(r"^set system host-name \S+$", f"set system host-name {device_name(i)}", text, flags=re.MULTILINE)
    return text.splitlines()


def factory(i: int) -> str:
    return (f"set system host-name {device_name(i)}\n"
            "set system services ssh\n"
            "set system services netconf ssh\n"
            f"set interfaces ge-0/0/0 unit 0 family inet address {public(i)}/24\n"
            "set security zones security-zone UNTRUST interfaces ge-0/0/0.0\n")


def write_topology(path: pathlib.Path, count: int) -> pathlib.Path:
    devices = {device_name(i): {"port": 0, "model": "vsrx", "ports": ["ge-0/0/0", "ge-0/0/1"],
                                "factory_config": factory(i)} for i in range(count)}
    doc = {"name": f"bench-{count}", "time_scale": 1.0,
           "defaults": {"host": "127.0.0.1", "username": "root", "password": "lab123"},
           "devices": devices,
           "segments": {"internet": [f"{name}:ge-0/0/0" for name in devices]}, "nat": []}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# -- the lab process ---------------------------------------------------------------------------
def srxlab(*args: str, state_dir: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "srxlab.cli", *args, "--state-dir", str(state_dir)],
                          capture_output=True, text=True, timeout=CMD_TIMEOUT, check=False)


class LabProcess:
    """`srxlab up` / `srxlab down` around one state directory; the lab process's figures."""

    def __init__(self, topology: pathlib.Path, state_dir: pathlib.Path):
        self.topology = topology
        self.state_dir = state_dir
        self.pid: int | None = None
        self.devices: list[dict] = []

    def up(self) -> float:
        t = time.perf_counter()
        result = srxlab("up", "--topology", str(self.topology), state_dir=self.state_dir)
        elapsed = time.perf_counter() - t
        pid_file = self.state_dir / PID_FILE
        if pid_file.exists():
            self.pid = int(pid_file.read_text().strip())
        if result.returncode != 0:
            raise RuntimeError(f"srxlab up failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        status = srxlab("status", "--json", state_dir=self.state_dir)
        if status.returncode != 0:
            raise RuntimeError(f"srxlab status failed:\n{status.stderr}")
        self.devices = json.loads(status.stdout)
        return elapsed

    def down(self) -> None:
        """Stop the lab; if `srxlab down` fails, end the lab process this script started."""
        try:
            srxlab("down", state_dir=self.state_dir)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 10.0     # the pid lock is released just before exit
        while self.pid is not None and self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.pid is not None and self.alive():
            print(f"warning: lab process {self.pid} still alive after `srxlab down`, sending SIGKILL",
                  file=sys.stderr)
            os.kill(self.pid, signal.SIGKILL)

    def alive(self) -> bool:
        try:
            state = pathlib.Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state != "Z"

    def rss_mb(self) -> float:
        for line in pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for pid {self.pid}")

    def cpu_ticks_s(self) -> float:
        """utime + stime of the whole process (all threads, dead ones too), in seconds."""
        fields = pathlib.Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def cpu_ns(self) -> int:
        """CPU time of the live threads in nanoseconds (schedstat: exact, not tick-rounded)."""
        total = 0
        for task in pathlib.Path(f"/proc/{self.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        return total


# -- one NETCONF cycle -----------------------------------------------------------------------
def connect(dev: dict) -> manager.Manager:
    return manager.connect(host=dev["host"], port=dev["port"], username=dev["username"],
                           password=dev["password"], hostkey_verify=False,
                           device_params={"name": "junos"}, look_for_keys=False, allow_agent=False,
                           timeout=NETCONF_TIMEOUT)


def cycle(dev: dict, lines: list[str], sample=None) -> dict:
    """connect, lock, load set, validate, compare rollback 0, commit, unlock, close.

    ``sample()`` (if given) is called before connect, after the hello, after unlock and
    after close; the samples come back in ``cpu``. ``client_s`` is the wall time spent
    inside ncclient calls."""
    samples = [sample()] if sample else []
    t0 = time.perf_counter()
    m = connect(dev)
    try:
        t1 = time.perf_counter()
        if sample:
            samples.append(sample())
        m.lock()
        m.load_configuration(action="set", config=lines)
        m.validate()
        diff = m.compare_configuration(rollback=0)
        reply = m.commit()
        m.unlock()
        if sample:
            samples.append(sample())
        t2 = time.perf_counter()
    finally:
        m.close_session()
    t3 = time.perf_counter()
    if sample:
        samples.append(sample())
    output = diff.xpath("//configuration-output")
    if not output or "+" not in (output[0].text or ""):
        raise RuntimeError(f"{dev['name']}: empty compare output: {str(diff)[:400]}")
    if not reply.xpath("//commit-success"):
        raise RuntimeError(f"{dev['name']}: commit did not succeed: {str(reply)[:400]}")
    return {"cpu": samples, "connect_s": t1 - t0, "rpcs_s": t2 - t1, "close_s": t3 - t2,
            "client_s": t3 - t0}


# -- reporting ---------------------------------------------------------------------------------
def fig(label: str, value: str) -> None:
    print(f"  {label:<50} {value}")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "MISS"


def baseline_rss(workdir: pathlib.Path) -> float:
    """RSS of a 1-device lab process: the interpreter, asyncssh, lxml and the lab code."""
    lab = LabProcess(write_topology(workdir / "one.yml", 1), workdir / "state-one")
    try:
        lab.up()
        time.sleep(1.0)
        return lab.rss_mb()
    finally:
        lab.down()


def run(args: argparse.Namespace, workdir: pathlib.Path) -> int:
    started = time.perf_counter()
    n = args.devices
    rss_one = baseline_rss(workdir)
    lab = LabProcess(write_topology(workdir / "topology.yml", n), workdir / "state")
    try:
        startup = lab.up()
        devices = {d["name"]: d for d in lab.devices}
        if len(devices) != n or any(d["state"] != "running" for d in devices.values()):
            raise RuntimeError(f"expected {n} running devices, got {lab.devices}")
        print(f"srxlab emulator benchmark: {n} devices in one lab process (pid {lab.pid}), "
              f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, ncclient poll tick "
              f"{ncclient_session.TICK:g} s")
        fig("devices", str(n))
        fig("startup (srxlab up, all devices accept TCP) s", f"{startup:.2f}")

        cpu_idle0, t_idle0 = lab.cpu_ns(), time.perf_counter()
        time.sleep(args.idle)
        idle_cpu = (lab.cpu_ns() - cpu_idle0) / 1e6 / (time.perf_counter() - t_idle0)
        rss = lab.rss_mb()
        per_device = rss / n
        marginal = (rss - rss_one) / (n - 1) if n > 1 else float("nan")
        fig("idle RSS total MB", f"{rss:.1f}")
        fig("idle RSS per device MB (total / devices)", f"{per_device:.2f}")
        fig("1-device lab RSS MB (baseline)", f"{rss_one:.1f}")
        fig("idle RSS per added device MB", f"{marginal:.2f}")
        fig("idle lab CPU ms per s", f"{idle_cpu:.2f}")

        # sequential phase: clean per-cycle attribution
        names = sorted(devices)
        seq = names[:args.sequential] if args.sequential else names
        results = []
        tick0, wall0, client0 = lab.cpu_ticks_s(), time.perf_counter(), time.process_time()
        for name in seq:
            results.append(cycle(devices[name], stanza(int(name[4:])), sample=lab.cpu_ns))
        wall_seq = time.perf_counter() - wall0
        client_cpu = time.process_time() - client0
        tick_total = lab.cpu_ticks_s() - tick0
        full = [(r["cpu"][3] - r["cpu"][0]) / 1e6 for r in results]
        rpcs = [(r["cpu"][2] - r["cpu"][1]) / 1e6 for r in results]
        ssh = [f - r for f, r in zip(full, rpcs, strict=True)]
        lab_cpu = sum(full) / 1000
        print(f"sequential cycles (connect, lock, load set {len(stanza(0))}/{len(stanza(1))} lines "
              "(side a/b), validate, compare, commit, unlock, close):")
        fig("cycles", str(len(results)))
        fig("lab CPU per cycle ms: median / p95 / max", f"{statistics.median(full):.1f} / {p95(full):.1f} "
            f"/ {max(full):.1f}")
        fig("  of which RPCs (lock..unlock) ms: median / p95", f"{statistics.median(rpcs):.1f} / {p95(rpcs):.1f}")
        fig("  of which SSH connect+hello+close ms: median", f"{statistics.median(ssh):.1f}")
        fig("  of which idle background (estimate) ms",
            f"{idle_cpu * statistics.median([r['client_s'] for r in results]):.1f}")
        fig("lab CPU total s (schedstat / stat ticks)", f"{lab_cpu:.2f} / {tick_total:.2f}  "
            f"({tick_total / len(results) * 1000:.1f} ms per cycle by ticks)")
        fig("wall s", f"{wall_seq:.1f}  ({statistics.median([r['client_s'] for r in results]) * 1000:.0f} "
            "ms per cycle, median)")
        fig("  in ncclient calls s (connect / RPCs / close)",
            f"{sum(r['client_s'] for r in results):.1f} ({sum(r['connect_s'] for r in results):.1f} / "
            f"{sum(r['rpcs_s'] for r in results):.1f} / {sum(r['close_s'] for r in results):.1f})")
        fig("  client process CPU s (ncclient, paramiko)", f"{client_cpu:.1f}")
        fig("  lab process CPU s", f"{lab_cpu:.1f}")
        fig("  neither: waiting (ncclient poll tick, ...) s",
            f"{max(0.0, wall_seq - client_cpu - lab_cpu):.1f}")

        # parallel phase: total CPU / cycles
        if args.workers > 0:
            tick0, ns0, wall0, client0 = lab.cpu_ticks_s(), lab.cpu_ns(), time.perf_counter(), time.process_time()
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
                futures = [pool.submit(cycle, devices[name], stanza(int(name[4:]), variant=1)) for name in names]
                par = [f.result() for f in futures]
            wall_par = time.perf_counter() - wall0
            client_par = time.process_time() - client0
            tick_par = lab.cpu_ticks_s() - tick0
            ns_par = (lab.cpu_ns() - ns0) / 1e9
            print(f"parallel cycles ({args.workers} workers, changed config):")
            fig("cycles", str(len(par)))
            fig("wall s / throughput cycles per s", f"{wall_par:.1f} / {len(par) / wall_par:.1f}")
            fig("lab CPU per cycle ms (schedstat / stat ticks)",
                f"{ns_par / len(par) * 1000:.1f} / {tick_par / len(par) * 1000:.1f}")
            fig("client process CPU s", f"{client_par:.1f}")
        rss_after = lab.rss_mb()
        fig("lab RSS after the cycles MB", f"{rss_after:.1f}  ({rss_after / n:.2f} per device)")

        med, tail = statistics.median(full), p95(full)
        print("targets:")
        fig(f"lab CPU per cycle < {TARGET_CPU_MS:g} ms (median)", f"{med:.1f} ms  {verdict(med, TARGET_CPU_MS)}")
        fig(f"lab CPU per cycle < {TARGET_CPU_MS:g} ms (p95)", f"{tail:.1f} ms  {verdict(tail, TARGET_CPU_MS)}")
        fig(f"idle RSS per device < {TARGET_RSS_MB:g} MB", f"{per_device:.2f} MB  "
            f"{verdict(per_device, TARGET_RSS_MB)}")
    finally:
        lab.down()
    fig("total wall time s", f"{time.perf_counter() - started:.1f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200, help="devices in the lab (default 200)")
    parser.add_argument("--workers", type=int, default=8,
                        help="threads of the parallel phase (default 8; 0 skips it)")
    parser.add_argument("--sequential", type=int, default=100,
                        help="devices cycled one at a time (default 100; 0 = all)")
    parser.add_argument("--ncclient-tick", type=float, default=None, metavar="SECONDS",
                        help="override ncclient's transport poll interval (its default is 0.1 s: "
                             "every RPC then waits up to 0.1 s in the client)")
    parser.add_argument("--idle", type=float, default=3.0, help="idle seconds before reading RSS (default 3)")
    args = parser.parse_args(argv)
    if args.devices < 1 or args.workers < 0 or args.sequential < 0 or args.idle < 0:
        parser.error("--devices must be positive, the other options not negative")
    logging.getLogger("ncclient").setLevel(logging.WARNING)
    if args.ncclient_tick is not None:
        ncclient_session.TICK = args.ncclient_tick
    with tempfile.TemporaryDirectory(prefix="srxlab-bench-") as tmp:
        return run(args, pathlib.Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
