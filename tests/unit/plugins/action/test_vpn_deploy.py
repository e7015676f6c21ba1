"""The deploy action's adapter (plugins/action/vpn_deploy.py): its arguments, the devices'
login, and every refusal that must come before any device is contacted."""
from __future__ import annotations

import json
import socket

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.netops.srx_vpn.plugins.action import vpn_deploy
from ansible_collections.netops.srx_vpn.plugins.action.vpn_deploy import ActionModule
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import intent
from intent_cases import base, build


def test_connection_parameters_come_from_the_inventory_variables():
    hv = {"ansible_host": "10.9.9.9", "ansible_port": "2830", "ansible_user": "netops",
          "ansible_password": "pw", "ansible_host_key_checking": "no"}
    assert vpn_deploy._connection("srx-a", hv) == {
        "host": "10.9.9.9", "port": 2830, "username": "netops", "password": "pw", "key_filename": None,
        "hostkey_verify": False}
    keyed = vpn_deploy._connection("srx-b", {"ansible_ssh_private_key_file": "/k", "ansible_user": "u",
                                             "ansible_host_key_checking": True})
    assert keyed["host"] == "srx-b" and keyed["port"] == 830 and keyed["key_filename"] == "/k"
    assert keyed["password"] is None and keyed["hostkey_verify"] is True


@pytest.mark.parametrize("value, total, expected", [(0, 10, 0), ("3", 10, 3), ("25%", 10, 2), ("1%", 10, 1),
                                                    ("x%", 10, "x%")])
def test_batch_size_as_count_or_percentage(value, total, expected):
    assert vpn_deploy._percent(value, total) == expected


def test_summary_lines_mask_keys_and_skip_untouched_peers():
    run = {"tunnels": {"a-b": {"outcome": "rolled-back-restored",
                               "detail": 'srx-b: commit failed: bad ascii-text "$9$abcDEF123"'}},
           "devices": {"srx-a": {"deploy": True, "action": "rolled back", "detail": "x", "pending": None},
                       "srx-b": {"deploy": True, "action": "failed", "detail": "commit failed", "pending": None},
                       "srx-c": {"deploy": False, "action": "unchanged", "detail": "", "pending": None}}}
    lines = vpn_deploy.summary_lines(run)
    assert lines == ['tunnel a-b: rolled-back-restored: srx-b: commit failed: bad ascii-text "<masked>"',
                     "device srx-a: rolled back - x", "device srx-b: failed - commit failed"]
    assert "$9$" not in json.dumps(lines)


CLI = {"username": "cli-user", "password": "cli-pass", "key_filename": "/cli/key"}


def test_host_variables_win_over_the_command_line():
    hv = {"ansible_host": "10.9.9.9", "ansible_port": "2830", "ansible_user": "netops", "ansible_password": "pw"}
    params = vpn_deploy._connection("srx-a", hv, CLI)
    assert (params["username"], params["password"], params["key_filename"]) == ("netops", "pw", "/cli/key")


def test_the_command_line_login_serves_hosts_without_one():
    """-u, the --ask-pass answer and --private-key: how an AWX Machine credential arrives."""
    params = vpn_deploy._connection("srx-a", {"ansible_host": "10.9.9.9"}, CLI)
    assert params == {"host": "10.9.9.9", "port": 830, "username": "cli-user", "password": "cli-pass",
                      "key_filename": "/cli/key", "hostkey_verify": params["hostkey_verify"]}
    bare = vpn_deploy._connection("srx-a", {"ansible_user": ""}, {})
    assert (bare["username"], bare["password"], bare["key_filename"]) == (None, None, None)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_host_without_a_plan_is_refused(make_action):
    action = make_action(ActionModule, {"plans": {"srx-b": {}}, "hosts": ["srx-a"]})
    with pytest.raises(AnsibleActionFail, match=r"no plan for srx-a \(not in the fleet group\)"):
        action.run(task_vars={})


@pytest.mark.parametrize("args, message", [
    ({"confirm_minutes": 1, "verify_timeout": 30}, "srx_vpn_confirm_minutes: the commit-confirmed window (1 min)"),
    ({"confirm_minutes": "soon"}, "srx_vpn_confirm_minutes: must be an integer from 1 to 65535"),
    ({"workers": 0}, "srx_vpn_workers: must be a number >= 1"),
])
def test_bad_run_options_fail_before_any_device_contact(make_action, args, message):
    """The host names an address where nothing listens: reaching it would show as unreachable,
    so a refusal naming the option proves no session was attempted."""
    hostvars = {"srx-a": {"ansible_host": "127.0.0.1", "ansible_port": _closed_port()}}
    action = make_action(ActionModule, {"plans": {"srx-a": {}}, "hosts": ["srx-a"], **args})
    with pytest.raises(AnsibleActionFail) as err:
        action.run(task_vars={"hostvars": hostvars})
    assert "before any device contact" in str(err.value) and message in str(err.value)


def test_an_unreachable_device_is_reported_with_the_command_line_login(make_action, tmp_path):
    """Nothing listens on the port: the run ends with the device unreachable, no commit, a report."""
    port = _closed_port()
    plans = build(intent, base())
    action = make_action(ActionModule, {"plans": plans, "hosts": ["srx-a"], "reports_dir": str(tmp_path),
                                        "lock_dir": str(tmp_path / "locks"), "command_timeout": 5},
                         remote_user="cli-user", password="cli-pass")
    hostvars = {name: {"ansible_host": "127.0.0.1", "ansible_port": port} for name in plans}
    result = action.run(task_vars={"hostvars": hostvars})
    assert result.get("failed") is True, result
    assert result["devices"]["srx-a"]["action"] == "unreachable", result["devices"]
    assert "cli-pass" not in repr(result)
    assert (tmp_path / "vpn_status.json").exists()
