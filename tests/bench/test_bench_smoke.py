"""The benchmarks of bench/ still run: each at a tiny size, checking the figures it
prints are there (not their values -- timing is never asserted)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
TIMEOUT = 120   # seconds
FLEET_TIMEOUT = 300   # bench/fleet.py: render + two labs + six playbook/ncclient runs

EMULATOR_LINES = [
    "devices ",
    "startup (srxlab up, all devices accept TCP) s",
    "idle RSS total MB",
    "idle RSS per device MB (total / devices)",
    "idle RSS per added device MB",
    "lab CPU per cycle ms: median / p95 / max",
    "of which RPCs (lock..unlock) ms: median / p95",
    "lab CPU total s (schedstat / stat ticks)",
    "in ncclient calls s (connect / RPCs / close)",
    "client process CPU s (ncclient, paramiko)",
    "parallel cycles (2 workers",
    "lab CPU per cycle ms (schedstat / stat ticks)",
    "lab CPU per cycle < 20 ms (median)",
    "lab CPU per cycle < 20 ms (p95)",
    "idle RSS per device < 5 MB",
    "total wall time s",
]
PREFLIGHT_LINES = [
    "SRX pairs only",
    "with uplinks, external peers, selectors",
    "10 spokes (11 devices): build_plans",
    "30 spokes (31 devices): build_plans",
    "per-device time at 30 / at 10 spokes:",
]
PROTOCOLS_LINES = [
    "run: 2 pairs (4 devices)",
    "configure+converge s",
    "process CPU (build+configure+converge) s",
    "RSS growth MB",
    "healthy pairs                                2/2",
    "one commit: load+commit wall ms (median)",
    "one commit: evaluations",
    "one commit, 2 vs 2 pairs (4 vs 4 devices):",
    "Protocols.device_changed ms",
    "total wall time s",
    "correctness: every pair healthy",
]


FLEET_LINES = [
    "== fleet: 1 pair (2 devices)",
    "set lines rendered by ",
    "contender run                 status     wall s    CPU s RSS max MB PSS peak MB   commits/device  pairs up",
    "product   first deploy  ",
    "product   re-run (no change)  ",
    "product   one-tunnel change  ",
    "product   check --diff  ",
    "naive     first deploy        skipped",
    "naive     re-run (no change)  skipped",
    "floor     first deploy        ok  ",
    "floor     re-run (no change)  ok  ",
    "product / one-tunnel change: commits on: ",
    "product / check --diff: commits on: ",
    "ratios (below 1: the product takes less than the other contender):",
    "first deploy        wall  ",
    "re-run (no change)  commits/device  ",
    "failed runs: ",
]


def run_bench(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                            timeout=TIMEOUT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("script,args,lines", [
    ("bench/emulator.py", ["--devices", "3", "--workers", "2", "--idle", "0.5"], EMULATOR_LINES),
    ("bench/protocols.py", ["--pairs", "2", "--repeat", "3"], PROTOCOLS_LINES),
    ("bench/preflight.py", ["--small", "10", "--spokes", "30", "--repeat", "1"], PREFLIGHT_LINES),
], ids=["emulator", "protocols", "preflight"])
def test_bench_runs_and_prints_its_figures(script, args, lines):
    out = run_bench(script, *args)
    missing = [line for line in lines if line not in out]
    assert not missing, f"missing {missing} in:\n{out}"
    for line in out.splitlines():
        if " < " in line and ("PASS" in line or "MISS" in line):
            assert line.rstrip().endswith(("PASS", "MISS")), line


@pytest.mark.skipif(not (BIN / "ansible-playbook").exists(), reason="ansible-playbook is not in the venv")
def test_fleet_bench_runs_and_prints_its_table():
    """bench/fleet.py at one pair, floor and product (naive skipped): the table and the ratios
    are printed. The floor must succeed (it is the benchmark's own code); the product's runs
    may fail (its own tests judge it): the benchmark then reports them and exits 1."""
    result = subprocess.run([sys.executable, "bench/fleet.py", "--pairs", "1", "--contenders", "floor,product",
                             "--timeout", "120"], cwd=REPO, capture_output=True, text=True,
                            timeout=FLEET_TIMEOUT, check=False)
    out = result.stdout
    assert result.returncode in (0, 1), out + result.stderr
    assert "Traceback" not in result.stderr, out + result.stderr   # the benchmark itself did not crash
    missing = [line for line in FLEET_LINES if line not in out]
    assert not missing, f"missing {missing} in:\n{out}\n{result.stderr}"
