#!/usr/bin/env python3
"""Protocol-plane benchmark: N IKEv2/IPsec/eBGP pairs configured and converged in-process.

    python bench/protocols.py [--pairs 100] [--small 10] [--repeat 20] [--tracemalloc]

No SSH: every device of a ``Lab`` is configured through ``Session.dispatch`` (load set +
commit), as tests/lab/test_protocols.py does.  The run is done twice, first with
``--small`` pairs and then with ``--pairs`` pairs, each in a fresh lab:

* 2N devices on one ``internet`` segment, a /24 per pair (100.64+k/256.k%256.0/24);
* each pair gets the reference configs tests/lab/fixtures/srx-{a,b}-reference.set with
  addresses, AS numbers, st0 subnets, loopbacks, object names and the pre-shared key
  made unique per pair;
* the lab converges (``lab.protocols.settled()``) and every pair is checked healthy
  (IKE SA UP, 2 IPsec SAs, BGP Established on both ends) -- a correctness check: the
  script exits 1 if any pair is not;
* then the cost of ONE commit on one device (a dead-peer-detection change on the first
  pair's gateway, which re-evaluates its tunnel) is measured ``--repeat`` times: wall
  time of load+commit, time spent in ``Protocols.device_changed`` and the delta of
  ``protocols.stats['evaluations']``.

Printed: configure+converge time, process CPU, RSS growth, and the per-commit figures at
both sizes with their ratio (recomputation after a commit must not grow with the number
of unrelated devices).  Figures only: nothing is asserted about timing.
"""
from __future__ import annotations

import argparse
import gc
import pathlib
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc

import yaml
from lxml import etree
from srxlab.lab import Lab
from srxlab.topology import load

REPO = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "lab" / "fixtures"
SRX_A = (FIXTURES / "srx-a-reference.set").read_text()
SRX_B = (FIXTURES / "srx-b-reference.set").read_text()
TIME_SCALE = 0.001          # lab seconds -> real seconds: IKE 1 ms, IPsec 0.3 ms, BGP 3 ms
SETTLE_TIMEOUT = 60.0       # seconds
OBJECT_NAMES = ("IKE-PROPOSAL", "IKE-POLICY", "IKE-GATEWAY", "IPSEC-PROPOSAL", "IPSEC-POLICY",
                "IPSEC-VPN", "EBGP", "EXPORT-LO")
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])")
_AS = re.compile(r"\b(autonomous-system|peer-as) (\d+)\b")
_NAMES = re.compile(r"\b(" + "|".join(OBJECT_NAMES) + r")\b")


# -- configuration -------------------------------------------------------------------------
def names(k: int) -> tuple[str, str]:
    return f"p{k:04d}-a", f"p{k:04d}-b"


def public(k: int, side: int) -> str:
    """Public (ge-0/0/0) address of side 1 (a) or 2 (b) of pair k: one /24 per pair."""
    return f"100.{64 + k // 256}.{k % 256}.{side}"


def pair_configs(k: int) -> tuple[str, str]:
    """The reference configs of srx-a / srx-b, made unique for pair ``k``."""
    a, b = names(k)
    ips = {"1.1.1.1": public(k, 1), "1.1.1.2": public(k, 2),
           "10.0.1.1": f"10.{k // 256}.{k % 256}.1", "10.0.1.2": f"10.{k // 256}.{k % 256}.2",
           "192.168.1.1": f"172.{16 + k // 256}.{k % 256}.1",
           "192.168.2.2": f"172.{16 + k // 256}.{k % 256}.2"}
    asn = {"100": str(4200000000 + 2 * k), "200": str(4200000001 + 2 * k)}
    out = []
    for text, host in ((SRX_A, a), (SRX_B, b)):
        text = _IPV4.sub(lambda m: ips.get(m.group(), m.group()), text)
        text = _AS.sub(lambda m: f"{m.group(1)} {asn[m.group(2)]}", text)
        text = _NAMES.sub(lambda m: f"{m.group(1)}-P{k}", text)
        text = text.replace("Juniper-lab-key-1", f"lab-key-pair-{k}")
        text = re.sub(r"^set system host-name \S+$", f"set system host-name {host}", text, flags=re.MULTILINE)
        for stale in ("1.1.1.", "Juniper-lab-key", "IKE-GATEWAY ", "autonomous-system 100\n"):
            if stale in text:
                raise RuntimeError(f"pair {k}: {stale!r} left in the derived config")
        out.append(text)
    return out[0], out[1]


def factory(host: str, address: str) -> str:
    return (f"set system host-name {host}\n"
            "set system services ssh\n"
            "set system services netconf ssh\n"
            f"set interfaces ge-0/0/0 unit 0 family inet address {address}/24\n"
            "set security zones security-zone UNTRUST interfaces ge-0/0/0.0\n")


def write_topology(path: pathlib.Path, pairs: int) -> dict:
    devices, wired = {}, []
    for k in range(pairs):
        for side, name in enumerate(names(k), start=1):
            devices[name] = {"port": 0, "model": "vsrx", "ports": ["ge-0/0/0", "ge-0/0/1"],
                             "factory_config": factory(name, public(k, side))}
            wired.append(f"{name}:ge-0/0/0")
    doc = {"name": f"bench-{pairs}-pairs", "time_scale": TIME_SCALE,
           "defaults": {"host": "127.0.0.1", "username": "root", "password": "lab123"},
           "devices": devices, "segments": {"internet": wired}, "nat": []}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    topo = load(path)
    topo["time_scale"] = TIME_SCALE     # the SRXLAB_TIME_SCALE environment variable must not win
    return topo


def push(lab: Lab, device: str, text: str) -> None:
    """load-configuration action=set + commit-configuration through one device session."""
    session = lab.devices[device].new_session("root")
    try:
        body = text.replace("&", "&amp;").replace("<", "&lt;")
        reply = session.dispatch(etree.fromstring(
            f"<load-configuration action='set'><configuration-set>{body}</configuration-set>"
            "</load-configuration>"))
        if reply[0].find("ok") is None:
            raise RuntimeError(f"{device}: load failed: {etree.tostring(reply[0]).decode()}")
        reply = session.dispatch(etree.fromstring("<commit-configuration/>"))
        if reply[0].find("routing-engine/commit-success") is None:
            raise RuntimeError(f"{device}: commit failed: {etree.tostring(reply[0]).decode()}")
    finally:
        session.close()


# -- measurement helpers ---------------------------------------------------------------------
def vmrss_mb() -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settle(lab: Lab, timeout: float = SETTLE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not lab.protocols.settled():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not settled after {timeout:g} s")
        time.sleep(0.005)


def unhealthy(lab: Lab, pairs: int) -> list[str]:
    """Devices not showing 1 IKE SA UP, 2 IPsec SAs and BGP Established."""
    p = lab.protocols
    bad = []
    for k in range(pairs):
        for name in names(k):
            got = (len([s for s in p.ike_sas(name) if s.state == "UP"]), len(p.ipsec_sas(name)),
                   [b.state for b in p.bgp_peers(name)])
            if got != (1, 2, ["Established"]):
                bad.append(f"{name}: IKE UP {got[0]}, IPsec SAs {got[1]}, BGP {got[2]}")
    return bad


def one_commit_cost(lab: Lab, k: int, repeat: int) -> dict:
    """Median cost of one commit on pair k's side a (alternating a DPD interval)."""
    name = names(k)[0]
    device, protocols = lab.devices[name], lab.protocols
    spent: list[float] = []

    def timed(dev) -> None:
        t = time.perf_counter()
        protocols.device_changed(dev)
        spent.append(time.perf_counter() - t)

    index = device.listeners.index(protocols.device_changed)
    device.listeners[index] = timed
    walls, evals = [], []
    try:
        for r in range(repeat):
            line = f"set security ike gateway IKE-GATEWAY-P{k} dead-peer-detection interval {11 + r % 2}"
            before = protocols.stats["evaluations"]
            t = time.perf_counter()
            push(lab, name, line)
            walls.append(time.perf_counter() - t)
            evals.append(protocols.stats["evaluations"] - before)
    finally:
        device.listeners[index] = protocols.device_changed
    return {"wall_ms": statistics.median(walls) * 1000, "recompute_ms": statistics.median(spent) * 1000,
            "evaluations": statistics.median(evals), "evaluations_max": max(evals)}


# -- one run -----------------------------------------------------------------------------------
def run(pairs: int, repeat: int, workdir: pathlib.Path) -> dict:
    topo = write_topology(workdir / "topology.yml", pairs)
    configs = [pair_configs(k) for k in range(pairs)]
    gc.collect()
    rss0 = vmrss_mb()
    traced0 = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    cpu0, t0 = time.process_time(), time.perf_counter()
    lab = Lab(topo, workdir / "state")
    t_built = time.perf_counter()
    for k, (a_cfg, b_cfg) in enumerate(configs):
        a, b = names(k)
        push(lab, a, a_cfg)
        push(lab, b, b_cfg)
    t_pushed = time.perf_counter()
    settle(lab)
    t_settled = time.perf_counter()
    cpu_converged = time.process_time() - cpu0
    evaluations = lab.protocols.stats["evaluations"]
    bad = unhealthy(lab, pairs)
    rss1 = vmrss_mb()
    traced1 = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    commit = one_commit_cost(lab, 0, repeat)
    settle(lab)
    bad += unhealthy(lab, 1)            # the changed pair renegotiated and is healthy again
    lab.shutdown()
    return {"pairs": pairs, "devices": 2 * pairs, "build_s": t_built - t0,
            "configure_s": t_pushed - t_built, "converge_s": t_settled - t_pushed,
            "total_s": t_settled - t_built, "cpu_s": cpu_converged, "evaluations": evaluations,
            "rss_mb": rss1 - rss0, "traced_mb": (traced1 - traced0) / 2**20, "bad": bad,
            "commit": commit}


def fig(label: str, value: str) -> None:
    print(f"  {label:<44} {value}")


def report(r: dict) -> None:
    n = r["devices"]
    print(f"run: {r['pairs']} pairs ({n} devices)")
    fig("lab build (Lab(), factory configs) s", f"{r['build_s']:.2f}")
    fig("configure (2 pushes per pair) s", f"{r['configure_s']:.2f}")
    fig("converge wait after last commit s", f"{r['converge_s']:.3f}")
    fig("configure+converge s", f"{r['total_s']:.2f}  ({r['total_s'] / n * 1000:.1f} ms per device)")
    fig("process CPU (build+configure+converge) s", f"{r['cpu_s']:.2f}")
    fig("tunnel evaluations to converge", f"{r['evaluations']}  ({r['evaluations'] / r['pairs']:.1f} per pair)")
    fig("RSS growth MB", f"{r['rss_mb']:.1f}  ({r['rss_mb'] / n * 1024:.0f} KB per device)")
    if r["traced_mb"]:
        fig("tracemalloc growth MB", f"{r['traced_mb']:.1f}  ({r['traced_mb'] / n * 1024:.0f} KB per device)")
    fig("healthy pairs", f"{r['pairs'] - len({b.split('-')[0] for b in r['bad']})}/{r['pairs']}")
    c = r["commit"]
    fig("one commit: load+commit wall ms (median)", f"{c['wall_ms']:.2f}")
    fig("one commit: Protocols.device_changed ms", f"{c['recompute_ms']:.3f}")
    fig("one commit: evaluations", f"{c['evaluations']:g} (max {c['evaluations_max']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=100, help="pairs of the large run (default 100)")
    parser.add_argument("--small", type=int, default=10, help="pairs of the small run (default 10)")
    parser.add_argument("--repeat", type=int, default=20, help="commits timed per run (default 20)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report Python heap growth (slows everything down)")
    args = parser.parse_args(argv)
    if args.pairs < 1 or args.small < 1 or args.repeat < 1:
        parser.error("--pairs, --small and --repeat must be positive")
    small = min(args.small, args.pairs)
    if args.tracemalloc:
        tracemalloc.start()
    print(f"srxlab protocol-plane benchmark: {small} then {args.pairs} pairs, time_scale {TIME_SCALE}, "
          f"python {sys.version.split()[0]}")
    started = time.perf_counter()
    results = []
    for pairs in (small, args.pairs):
        with tempfile.TemporaryDirectory(prefix=f"srxlab-bench-{pairs}-") as tmp:
            results.append(run(pairs, args.repeat, pathlib.Path(tmp)))
        report(results[-1])
        gc.collect()
    lo, hi = results
    print(f"one commit, {lo['pairs']} vs {hi['pairs']} pairs ({lo['devices']} vs {hi['devices']} devices):")
    for key, label, fmt in (("wall_ms", "load+commit wall ms", ".2f"),
                            ("recompute_ms", "Protocols.device_changed ms", ".3f"),
                            ("evaluations", "evaluations", "g")):
        a, b = lo["commit"][key], hi["commit"][key]
        ratio = b / a if a else float("nan")
        fig(label, f"{a:{fmt}} -> {b:{fmt}}  ratio {ratio:.2f}")
    fig("peak RSS of this process MB", f"{peak_rss_mb():.1f}")
    fig("total wall time s", f"{time.perf_counter() - started:.1f}")
    bad = lo["bad"] + hi["bad"]
    if bad:
        print(f"FAIL: {len(bad)} device(s) not healthy:", *bad[:20], sep="\n  ")
        return 1
    print("correctness: every pair healthy (IKE UP, 2 IPsec SAs, BGP Established)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
