"""The report action's adapter (plugins/action/vpn_report.py): it writes the report files on the
controller, never reports changed (reading the fleet changes nothing), says whether the report
differs from the last one, and writes nothing in check mode."""
from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.netops.srx_vpn.plugins.action.vpn_report import ActionModule
from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import RPC_IKE
from device_cases import B_EXPECT, B_HEALTHY, IKE_NONE, WHEN, healthy_pair, result


def _args(dest, results, when=WHEN):
    return {"dest": str(dest), "results": results, "generated_at": when}


def test_writes_both_files_and_never_reports_changed(make_action, tmp_path):
    first = make_action(ActionModule, _args(tmp_path, healthy_pair())).run(task_vars={})
    assert first["changed"] is False and first["differs"] is True
    assert first["tunnels"] == {"a-b": "UP"} and first["problems"] == []
    data = json.loads((tmp_path / "vpn_status.json").read_text())
    assert data["summary"] == first["summary"]
    assert (tmp_path / "vpn_status.md").read_text().startswith("#")

    again = make_action(ActionModule, _args(tmp_path, healthy_pair(), "2026-01-02T00:00:00+00:00")).run(task_vars={})
    assert again["changed"] is False and again["differs"] is False, "only the timestamp changed"

    down = {**healthy_pair(), "srx-b": result(B_EXPECT, {**B_HEALTHY, RPC_IKE: IKE_NONE})}
    third = make_action(ActionModule, _args(tmp_path, down)).run(task_vars={})
    assert third["changed"] is False and third["differs"] is True
    assert third["tunnels"] == {"a-b": "DOWN"} and third["problems"]


def test_check_mode_writes_nothing(make_action, tmp_path):
    out = make_action(ActionModule, _args(tmp_path / "reports", healthy_pair()), check_mode=True).run(task_vars={})
    assert out["changed"] is False and out["differs"] is True
    assert not (tmp_path / "reports").exists()


def test_results_are_read_from_the_hosts_facts(make_action, tmp_path):
    pair = healthy_pair()
    hostvars = {host: {"verify_result": value} for host, value in pair.items()}
    out = make_action(ActionModule, {"dest": str(tmp_path), "hosts": sorted(pair), "generated_at": WHEN}).run(
        task_vars={"hostvars": hostvars})
    assert out["tunnels"] == {"a-b": "UP"}


def test_an_unwritable_destination_names_the_path(make_action, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(AnsibleActionFail, match=r"cannot write .*vpn_status"):
        make_action(ActionModule, _args(blocker / "sub", healthy_pair())).run(task_vars={})
