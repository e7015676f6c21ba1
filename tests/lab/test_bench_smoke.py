"""The benchmarks of bench/ still run: each at a tiny size, checking the figures it
prints are there (not their values -- timing is never asserted)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TIMEOUT = 120   # seconds

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


def run_bench(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                            timeout=TIMEOUT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("script,args,lines", [
    ("bench/emulator.py", ["--devices", "3", "--workers", "2", "--idle", "0.5"], EMULATOR_LINES),
    ("bench/protocols.py", ["--pairs", "2", "--repeat", "3"], PROTOCOLS_LINES),
], ids=["emulator", "protocols"])
def test_bench_runs_and_prints_its_figures(script, args, lines):
    out = run_bench(script, *args)
    missing = [line for line in lines if line not in out]
    assert not missing, f"missing {missing} in:\n{out}"
    for line in out.splitlines():
        if " < " in line and ("PASS" in line or "MISS" in line):
            assert line.rstrip().endswith(("PASS", "MISS")), line
