#!/usr/bin/env python3
"""Pre-flight benchmark: the intent of a hub-and-spoke fleet checked and planned in-process.

    python bench/preflight.py [--small 200] [--spokes 2000] [--repeat 3]

``intent.build_plans`` (the schema, every fleet rule, one plan per device) on a fleet of one
hub and N spokes, each spoke with one tunnel to the hub (a /30 each, an own AS, a loopback,
a LAN prefix), then on the same fleet where every tenth spoke is on two ISPs (a second uplink
and a second tunnel) and every tenth tunnel goes to an external peer with traffic selectors
(no BGP). Run at ``--small`` and at ``--spokes`` spokes; printed: the best of ``--repeat``
runs and the time per device at both sizes, with their ratio (the pre-flight must grow
linearly with the fleet). Figures only: nothing is asserted about timing.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".venv" / "collections"))
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import intent  # noqa: E402

KEY = "bench-key-long-enough"


def _octets(n: int) -> tuple[int, int]:
    return n // 250, n % 250 + 1


def fleet(spokes: int, paths: bool) -> tuple[dict, list, dict]:
    """(devices, tunnels, psks) of a hub and ``spokes`` spokes; ``paths``: every tenth spoke on
    two ISPs, every tenth tunnel (another tenth) to an external peer with selectors."""
    devices = {"hub": {"external_interface": "ge-0/0/0.0", "external_address": "100.64.0.1/16", "asn": 64999,
                       "loopback": "10.255.255.254/32"}}
    tunnels, psks = [], {}
    for i in range(spokes):
        hi, lo = _octets(i)
        name = f"spoke-{i}"
        devices[name] = {"external_interface": "ge-0/0/0.0", "external_address": f"198.18.{hi}.{lo}/24",
                         "asn": 65000 + i, "loopback": f"10.254.{hi}.{lo}/32",
                         "lan_prefixes": [f"10.{128 + hi}.{lo}.0/24"]}
        unit, net = i, f"10.{100 + i // 16384}.{(i // 64) % 256}.{(i % 64) * 4}"
        base = ".".join(net.split(".")[:3]) + "."
        last = int(net.split(".")[3])
        t = {"name": f"t{i}", "ends": [{"device": "hub", "st0_unit": unit, "address": f"{base}{last + 1}/30"},
                                       {"device": name, "st0_unit": 0, "address": f"{base}{last + 2}/30"}]}
        if paths and i % 10 == 5:   # an external peer instead of the spoke, with selectors
            t["ends"][1] = {"address": f"{base}{last + 2}/30", "selectors": [f"172.16.{hi}.{lo}/32"],
                            "peer": {"name": f"cloud-{i}", "gateway": f"203.0.{hi}.{lo}"}}
            t["ends"][0]["selectors"] = [f"10.{128 + hi}.{lo}.0/24"]
            t["bgp"] = {"enabled": False}
        tunnels.append(t)
        psks[t["name"]] = KEY
        if paths and i % 10 == 0:   # a second ISP and a tunnel over it
            devices[name]["uplinks"] = [{"name": "isp2", "interface": "ge-0/0/2.0",
                                         "address": f"198.19.{hi}.{lo}/24"}]
            k = i // 10   # a /30 of 10.99.0.0/16 per dual-ISP spoke
            t2 = {"name": f"t{i}-b", "ends": [
                {"device": "hub", "st0_unit": 16384 - 1 - k, "address": f"10.99.{k // 64}.{k % 64 * 4 + 1}/30"},
                {"device": name, "st0_unit": 1, "address": f"10.99.{k // 64}.{k % 64 * 4 + 2}/30", "uplink": "isp2"}]}
            tunnels.append(t2)
            psks[t2["name"]] = KEY
    return devices, tunnels, psks


def best(spokes: int, paths: bool, repeat: int) -> tuple[float, int]:
    devices, tunnels, psks = fleet(spokes, paths)
    times = []
    intent.build_plans(devices, tunnels, psks, {})   # warm-up (imports, compiled patterns)
    for _ in range(repeat):
        start = time.perf_counter()
        plans = intent.build_plans(devices, tunnels, psks, {})
        times.append(time.perf_counter() - start)
    assert sum(len(p["tunnels"]) for p in plans.values()) == 2 * len(tunnels) - sum(
        1 for t in tunnels if any("peer" in e for e in t["ends"])), "a tunnel is missing from the plans"
    return min(times), len(plans)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--spokes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for paths in (False, True):
        label = "with uplinks, external peers, selectors" if paths else "SRX pairs only"
        rows = []
        for spokes in (args.small, args.spokes):
            seconds, devices = best(spokes, paths, args.repeat)
            rows.append((spokes, devices, seconds))
            print(f"{label:42s} {spokes:6d} spokes ({devices} devices): build_plans {seconds:.3f} s, "
                  f"{1000 * seconds / devices:.3f} ms per device")
        ratio = (rows[1][2] / rows[1][1]) / (rows[0][2] / rows[0][1])
        print(f"{label:42s} per-device time at {args.spokes} / at {args.small} spokes: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
