"""The lab driven by ansible-playbook with junipernetworks.junos over ansible.netcommon.netconf.

Every run is bounded in time; after every run the device is inspected through ncclient
(committed configuration, commit history, lock), never only the playbook's return code.
"""

from __future__ import annotations

import re
import time

import pytest
from helpers import (
    CONFIRM_MINUTE,
    FIXTURES,
    Lab,
    PlaybookResult,
    fixture_set,
    set_lines,
)
from ncclient.operations import RPCError

LINES = {"set system domain-name ansible.example.net",
         "set interfaces lo0 unit 0 family inet address 192.168.1.1/32",
         "set routing-options autonomous-system 100"}
JUNOS_VERSION = "23.4R1.10"


def ok(result: PlaybookResult, host: str = "srx-a") -> dict[str, int]:
    assert result.rc == 0, str(result)
    assert host in result.recap, str(result)
    recap = result.recap[host]
    assert recap["failed"] == 0 and recap["unreachable"] == 0, str(result)
    return recap


def committed(lab: Lab, name: str = "srx-a") -> set[str]:
    return set(lab.committed_set(name))


def assert_unlocked_and_clean(lab: Lab, name: str = "srx-a") -> None:
    """No lock left behind, and the shared candidate equals the committed config."""
    with lab.connect(name) as nc:
        try:
            nc.lock()
        except RPCError as exc:
            pytest.fail(f"{name} left locked: {exc}")
        assert set_lines(lab.get_config(nc, "set")) == set_lines(lab.get_config(nc, "set", committed=True))
        nc.unlock()


def test_junos_config_lines_then_idempotent_rerun(lab, srx_a):
    before = lab.commit_seq("srx-a")
    first = lab.run_playbook("config_lines.yml")
    assert ok(first)["changed"] == 1, str(first)
    assert LINES <= committed(lab)
    hist = lab.commits("srx-a")
    assert lab.commit_seq("srx-a") == before + 1
    assert hist[0].get("log") == "ansible lines" and hist[0]["client"] == "netconf"

    second = lab.run_playbook("config_lines.yml")
    assert ok(second)["changed"] == 0, str(second)
    assert lab.commit_seq("srx-a") == before + 1, "the unchanged run committed"
    assert LINES <= committed(lab)
    assert_unlocked_and_clean(lab)


def test_junos_config_check_mode_with_diff(lab, srx_a):
    before = lab.commit_seq("srx-a")
    result = lab.run_playbook("config_lines.yml", "--check", "--diff")
    assert ok(result)["changed"] == 1, str(result)
    assert "[edit system]" in result.stdout, str(result)
    assert re.search(r"\+\s+domain-name ansible\.example\.net;", result.stdout), str(result)
    # nothing committed, nothing left in the candidate, no lock
    assert lab.commit_seq("srx-a") == before
    assert committed(lab) == set(lab.factory_set["srx-a"])
    assert_unlocked_and_clean(lab)


def test_junos_config_src_text_file(lab, srx_a):
    before = lab.commit_seq("srx-a")
    result = lab.run_playbook("config_src.yml",
                              extra_vars={"config_file": str(FIXTURES / "srx-a.conf")})
    assert ok(result)["changed"] == 1, str(result)
    via_text = lab.committed_set("srx-a")
    hist = lab.commits("srx-a")
    assert lab.commit_seq("srx-a") == before + 1 and hist[0].get("log") == "ansible src"
    assert_unlocked_and_clean(lab)

    # The same configuration loaded as `set` lines gives the same committed config.
    lab.reset("srx-a")
    with lab.connect("srx-a") as nc:
        nc.lock()
        nc.load_configuration(action="set", config=fixture_set("srx-a.set"))
        nc.commit(comment="set twin")
        nc.unlock()
        via_set = set_lines(lab.get_config(nc, "set", committed=True))
    hide = re.compile(r'"\$9\$[^"]+"')
    assert sorted(hide.sub("<secret>", ln) for ln in via_text) == \
        sorted(hide.sub("<secret>", ln) for ln in via_set)


def test_junos_config_confirm_then_confirm_commit(lab, srx_a):
    # `confirm: 2` (6 s in the lab): two junos_config tasks are 1-3 s apart on a loaded
    # machine, too close to the 3 s of `confirm: 1` for a stable test.
    before = lab.commit_seq("srx-a")
    t0 = time.monotonic()
    result = lab.run_playbook("config_confirm.yml", extra_vars={"confirm_minutes": 2})
    assert ok(result)["changed"] == 2, str(result)
    # let the timer expire if it was still armed
    time.sleep(max(0.0, 2 * CONFIRM_MINUTE * 1.3 - (time.monotonic() - t0)))
    assert "set system domain-name confirmed.example.net" in committed(lab)
    hist = lab.commits("srx-a")
    assert lab.commit_seq("srx-a") == before + 2, hist[:3]          # no automatic rollback entry
    assert hist[1].get("log") == "ansible confirmed"
    assert "rollback in" not in hist[0].get("comment", "")
    assert_unlocked_and_clean(lab)


def test_junos_config_confirm_without_confirming_rolls_back(lab, srx_a):
    before = lab.commit_seq("srx-a")
    t0 = time.monotonic()
    result = lab.run_playbook("config_confirm.yml", extra_vars={"confirm_it": False})
    assert ok(result)["changed"] == 1, str(result)
    elapsed = time.monotonic() - t0
    pending = "set system domain-name confirmed.example.net"
    if elapsed < CONFIRM_MINUTE * 0.8:
        assert pending in committed(lab)
    deadline = time.monotonic() + CONFIRM_MINUTE * 3
    while time.monotonic() < deadline and pending in committed(lab):
        time.sleep(0.25)
    assert committed(lab) == set(lab.factory_set["srx-a"]), "commit confirmed 1 was not rolled back"
    hist = lab.commits("srx-a")
    assert lab.commit_seq("srx-a") == before + 2, hist[:3]          # the confirmed commit + the rollback
    assert hist[1].get("log") == "ansible confirmed"
    assert_unlocked_and_clean(lab)


def test_junos_config_rollback_1(lab, srx_a):
    with lab.connect("srx-a") as nc:
        nc.lock()
        nc.load_configuration(action="set", config=sorted(LINES))
        nc.commit(comment="to roll back")
        nc.unlock()
    before = lab.commit_seq("srx-a")
    result = lab.run_playbook("config_rollback.yml")
    assert ok(result)["changed"] == 1, str(result)
    assert committed(lab) == set(lab.factory_set["srx-a"])
    hist = lab.commits("srx-a")
    assert lab.commit_seq("srx-a") == before + 1
    assert hist[0].get("log") == "ansible rollback 1"
    assert_unlocked_and_clean(lab)


@pytest.mark.parametrize("tag", ["text", "config-text", "xml", "json"])
def test_junos_command(lab, srx_a, tag):
    before = lab.commit_seq("srx-a")
    result = lab.run_playbook("command.yml", "--tags", tag)
    recap = ok(result)
    assert recap["changed"] == 0 and recap["ok"] >= 2, str(result)
    assert lab.commit_seq("srx-a") == before
    assert_unlocked_and_clean(lab)


@pytest.mark.parametrize("tag", ["xml", "json"])
def test_junos_rpc_get_software_information(lab, srx_a, tag):
    result = lab.run_playbook("rpc.yml", "--tags", tag)
    recap = ok(result)
    assert recap["changed"] == 0 and recap["ok"] >= 2, str(result)
    assert_unlocked_and_clean(lab)


@pytest.mark.parametrize("subset", ["min", "default"])
def test_junos_facts(lab, srx_a, srx_b, subset):
    before = {n: lab.commit_seq(n) for n in ("srx-a", "srx-b")}
    result = lab.run_playbook("facts.yml", "--tags", subset, limit="srx-a,srx-b",
                              extra_vars={"target": "srx", "expected_version": JUNOS_VERSION})
    assert ok(result, "srx-a")["ok"] >= 2, str(result)
    assert ok(result, "srx-b")["ok"] >= 2, str(result)
    assert {n: lab.commit_seq(n) for n in ("srx-a", "srx-b")} == before
