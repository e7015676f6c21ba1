"""The upstream-fidelity runner's own logic (no upstream checkout, no lab needed)."""
from __future__ import annotations

import importlib.util
import pathlib

import yaml

HERE = pathlib.Path(__file__).parent
_spec = importlib.util.spec_from_file_location("run_junos_targets", HERE / "run_junos_targets.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)


def _target(tmp_path, find: dict, testcase: str, files: list[str]) -> pathlib.Path:
    target = tmp_path / "junos_x"
    (target / "tasks").mkdir(parents=True)
    (target / "defaults").mkdir()
    (target / "tests" / "netconf").mkdir(parents=True)
    (target / "defaults" / "main.yaml").write_text(yaml.safe_dump({"testcase": testcase}))
    (target / "tasks" / "netconf.yaml").write_text(yaml.safe_dump([
        {"name": "Collect", "ansible.builtin.find": {"paths": "{{ role_path }}/tests/netconf",
                                                     "patterns": "{{ testcase }}.yaml", **find}},
        {"name": "Run", "ansible.builtin.include_tasks": "{{ test_case_to_run }}"}]))
    for name in files:
        (target / "tests" / "netconf" / name).write_text("---\n")
    return target


def test_files_follow_the_targets_find_task(tmp_path):
    files = ["_initial_config.yaml", "merged.yaml", "deleted.yaml", "notes.txt"]
    regex = _target(tmp_path / "a", {"use_regex": True}, "[^_].*", files)
    assert [f.name for f in runner.test_files(regex)] == ["deleted.yaml", "merged.yaml"]
    shell = _target(tmp_path / "b", {}, "*", files)
    assert [f.name for f in runner.test_files(shell)] == ["_initial_config.yaml", "deleted.yaml", "merged.yaml"]


def test_playbook_runs_the_file_inside_the_role(tmp_path):
    target = _target(tmp_path, {}, "*", ["single.yaml"])
    work = tmp_path / "work"
    work.mkdir()
    test = target / "tests" / "netconf" / "single.yaml"
    play = yaml.safe_load(runner.playbook_for(work, target, test).read_text())[0]
    assert play["tasks"][0]["ansible.builtin.include_role"] == {"name": "junos_x", "tasks_from": "netconf--single"}
    entry = yaml.safe_load((work / "roles" / "junos_x" / "tasks" / "netconf--single.yaml").read_text())[0]
    assert entry["ansible.builtin.include_tasks"] == str(test)
    assert entry["vars"] == {"ansible_connection": "ansible.netcommon.netconf"}
    assert (work / "roles" / "junos_x" / "defaults").resolve() == (target / "defaults").resolve()


def test_first_failure_names_the_task_and_skips_ignored_errors():
    out = """
TASK [Run invalid command] *****************************************************
fatal: [vsrx01]: FAILED! => {"changed": false, "msg": "expected failure"}
...ignoring

TASK [ansible.builtin.assert] **************************************************
fatal: [vsrx01]: FAILED! => {
    "assertion": "result.failed == true",
    "msg": "Assertion failed"
}

PLAY RECAP *********************************************************************
"""
    # an ignored failure is followed by "...ignoring": the first real one is the assert
    assert runner.first_failure(out) == ("ansible.builtin.assert", "Assertion failed")
    assert runner.first_failure(out.replace("...ignoring\n", "")) == ("Run invalid command", "expected failure")
