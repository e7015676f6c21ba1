"""Fleet engine pieces that need no device: run options, the controller lock, the report's
merge of readings (the deploy action's adapter: action/test_vpn_deploy.py)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import fleet


def _opts(**kw):
    return fleet.Options(run_id="r1", **kw)


@pytest.mark.parametrize("kw, expected", [
    ({}, []),
    ({"confirm_minutes": 0}, ["srx_vpn_confirm_minutes: must be an integer from 1 to 65535"]),
    ({"confirm_minutes": "5"}, ["srx_vpn_confirm_minutes: must be an integer from 1 to 65535"]),
    ({"confirm_minutes": True}, ["srx_vpn_confirm_minutes: must be an integer from 1 to 65535"]),
    ({"confirm_minutes": 70000}, ["srx_vpn_confirm_minutes: must be an integer from 1 to 65535"]),
    ({"confirm_minutes": 1, "verify_timeout": 30}, ["srx_vpn_confirm_minutes: the commit-confirmed window (1 min)"]),
    ({"confirm_minutes": 2, "verify_timeout": 60}, []),
    ({"verify_timeout": -1}, ["srx_vpn_verify_timeout: must be a number >= 0"]),
    ({"workers": 0}, ["srx_vpn_workers: must be a number >= 1"]),
    ({"batch_size": "ten"}, ["srx_vpn_batch_size: must be a number >= 0"]),
])
def test_run_options_are_checked_before_any_device_contact(kw, expected):
    problems = fleet.check_options(_opts(**kw))
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problem


def test_controller_lock_refuses_a_second_run_and_names_the_holder(tmp_path):
    first = fleet.ControllerLock(str(tmp_path), {"srx-a": "127.0.0.1:1001", "srx-b": "127.0.0.1:1002"}, "run-1")
    first.acquire()
    try:
        second = fleet.ControllerLock(str(tmp_path), {"srx-b": "127.0.0.1:1002"}, "run-2")
        with pytest.raises(fleet.FleetLocked) as err:
            second.acquire()
        assert "srx-b (127.0.0.1:1002) is held by another deploy run" in str(err.value)
        assert '"run_id": "run-1"' in str(err.value) and f'"pid": {os.getpid()}' in str(err.value)
        assert second.handles == []
        # another fleet on other devices is not held up
        other = fleet.ControllerLock(str(tmp_path), {"srx-c": "127.0.0.1:1003"}, "run-3")
        other.acquire()
        other.release()
    finally:
        first.release()
    again = fleet.ControllerLock(str(tmp_path), {"srx-b": "127.0.0.1:1002"}, "run-4")
    again.acquire()
    again.release()


def test_controller_lock_dies_with_its_process(tmp_path):
    """A killed controller leaves no lock behind (the kernel drops a dead process's flock)."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path[:0] = {sys.path!r}
        from ansible_collections.netops.srx_vpn.plugins.plugin_utils import fleet
        fleet.ControllerLock({str(tmp_path)!r}, {{"srx-a": "127.0.0.1:1001"}}, "killed").acquire()
        print("locked", flush=True)
        os.kill(os.getpid(), 9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert proc.stdout.strip() == "locked" and proc.returncode == -9, proc
    lock = fleet.ControllerLock(str(tmp_path), {"srx-a": "127.0.0.1:1001"}, "next")
    lock.acquire()
    lock.release()


def test_report_state_merges_the_snapshot_with_later_readings():
    def reading(*names, holds=True):
        return {"tunnels": [{"name": n, "holds": holds, "problems": [] if holds else [{"summary": f"{n} down"}]}
                            for n in names], "bgp_peers": [], "pings": [], "rpc_count": 3}
    dev = fleet.Device("hub", {}, {}, True)
    dev.before = reading("t1", "t2")
    dev.after = reading("t2", holds=False)
    merged = fleet._latest_state(dev)
    assert [(t["name"], t["holds"]) for t in merged["tunnels"]] == [("t1", True), ("t2", False)]
    assert merged["ok"] is False and merged["problems"] == [{"summary": "t2 down"}]
    assert merged["rpc_count"] == 6
    gone = fleet.Device("spoke", {}, {}, True, error="cannot open a NETCONF session")
    assert fleet._latest_state(gone) == {"error": "cannot open a NETCONF session"}


