#!/usr/bin/env python3
"""Measure the lab's fidelity to Junos with the integration tests of junipernetworks.junos.

Usage::

    .venv/bin/python tests/upstream/run_junos_targets.py UPSTREAM [TARGET ...]
        [--timeout SECONDS] [--json FILE] [--keep] [--verbose]

``UPSTREAM`` is a checkout of github.com/ansible-collections/junipernetworks.junos (the
tag matching the installed collection) or its ``tests/integration/targets`` folder.
TARGET defaults to junos_config junos_command junos_rpc junos_facts.

A one-device lab is started (``srxlab up`` in a temporary state directory) and an
inventory is written for it (group ``junos``, ansible.netcommon.netconf). The test files each
target's ``tasks/netconf*.yaml`` collects (its ``find`` task: folder, ``testcase`` pattern
of the target's defaults) are run the way that task file runs them: included with
``ansible_connection=ansible.netcommon.netconf``
inside the target's role (its defaults and templates; ``role_path`` a copy of the role
in the work folder, so backups stay out of the checkout), through
``ansible-playbook --diff``, one playbook per file, each bounded in time. The lab is
left as the previous file left it, as when the targets run in sequence on a device.
``prepare_junos_tests`` is not run (it enables NETCONF over network_cli; the lab's
NETCONF is always on).

The result is printed per target as ``passed/total`` with, for each failing file, its
first failed task and the start of its message. This is a measuring script, not part of
``make test``: the upstream checkout is not in this repository.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
DEFAULT_TARGETS = ["junos_config", "junos_command", "junos_rpc", "junos_facts"]
DEVICE = "vsrx01"
# Lab-only credentials, as in lab/topologies/seed-pair.yml. The rest is a vSRX as the
# upstream tests expect to find it: NETCONF on, the management port fxp0 on DHCP, the
# revenue ports unconfigured.
ROOT_HASH = ("$6$srxlabA$RBXjW/Gdg0mHNlMcCaVCsP/LIPRZKU7M9UhrqVNWa7QP5BtjWGLLoMypYbT8Q3yq2AIGUCsSYdhe9hPv9e8o3/")
FACTORY = f"""set system host-name vsrx01
set system root-authentication encrypted-password "{ROOT_HASH}"
set system services ssh
set system services netconf ssh
set interfaces fxp0 unit 0 family inet dhcp
"""
PORTS = ["fxp0", "ge-0/0/0", "ge-0/0/1", "ge-0/0/2", "ge-0/0/3"]
TASK_RE = re.compile(r"^TASK \[(?P<name>.*)\] \*+$")
FAIL_RE = re.compile(r"^(fatal|failed): \[[^\]]+\](?:[^:]*)?: (?P<what>\w+)!? =>(?P<rest>.*)$")


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


class OneDeviceLab:
    def __init__(self, work: pathlib.Path):
        self.work = work
        self.state = pathlib.Path(tempfile.mkdtemp(prefix="srxlab-up."))  # short: unix socket
        self.env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")

    def srxlab(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [_tool("srxlab"), args[0], "--state-dir", str(self.state), *args[1:]]
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout,
                              cwd=REPO, check=False)

    def up(self) -> dict:
        topo = {"name": "upstream-junos", "time_scale": 1.0,
                "defaults": {"host": "127.0.0.1", "username": "root", "password": "lab123"},
                "devices": {DEVICE: {"port": 0, "model": "vsrx",
                                     "ports": PORTS,
                                     "factory_config": FACTORY}},
                "segments": {}, "nat": []}
        path = self.work / "topology.yml"
        path.write_text(yaml.safe_dump(topo, sort_keys=False))
        proc = self.srxlab("up", "--topology", str(path))
        if proc.returncode != 0:
            raise SystemExit(f"srxlab up failed:\n{proc.stdout}\n{proc.stderr}")
        status = json.loads(self.srxlab("status", "--json").stdout)
        return next(d for d in status if d["name"] == DEVICE)

    def down(self, keep: bool) -> None:
        self.srxlab("down")
        if not keep:
            shutil.rmtree(self.state, ignore_errors=True)


def write_inventory(work: pathlib.Path, dev: dict) -> pathlib.Path:
    inv = {"all": {"children": {"junos": {
        "hosts": {DEVICE: {"ansible_host": dev["host"], "ansible_port": int(dev["port"]),
                           "ansible_user": dev["username"], "ansible_password": dev["password"]}},
        "vars": {"ansible_connection": "ansible.netcommon.netconf",
                 "ansible_network_os": "junipernetworks.junos.junos",
                 "ansible_python_interpreter": sys.executable}}}}}
    path = work / "inventory.yml"
    path.write_text(yaml.safe_dump(inv, sort_keys=False))
    (work / "ansible.cfg").write_text(
        "[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n"
        "interpreter_python = auto_silent\nstdout_callback = default\n"
        "[persistent_connection]\nconnect_timeout = 30\ncommand_timeout = 60\n")
    return path


def test_files(target: pathlib.Path) -> list[pathlib.Path]:
    """The files the target's ``tasks/netconf*.yaml`` collect: its ``find`` task's folder
    and pattern, ``testcase`` from the target's defaults, a shell or (``use_regex``) a
    regular expression pattern matched as Ansible's ``find`` does."""
    defaults = target / "defaults" / "main.yaml"
    testcase = "*"
    if defaults.exists():
        testcase = str((yaml.safe_load(defaults.read_text()) or {}).get("testcase", "*"))
    out: list[pathlib.Path] = []
    for tasks in sorted(target.glob("tasks/netconf*.yaml")):
        for task in yaml.safe_load(tasks.read_text()) or []:
            find = task.get("ansible.builtin.find") or task.get("find")
            if not find:
                continue
            folder = pathlib.Path(str(find["paths"]).replace("{{ role_path }}", str(target)))
            pattern = str(find["patterns"]).replace("{{ testcase }}", testcase)
            if find.get("use_regex"):
                regex = re.compile(pattern)
                out += sorted(f for f in folder.glob("*") if f.is_file() and regex.match(f.name))
            else:
                out += sorted(f for f in folder.glob("*") if f.is_file() and fnmatch.fnmatch(f.name, pattern))
    return out


def role_for(work: pathlib.Path, target: pathlib.Path) -> pathlib.Path:
    """A copy of the target role in the work folder (its folders linked, its own tasks and no
    meta dependency), so that ``src:`` templates and ``role_path`` resolve as in the role and
    backups land in the work folder, not in the upstream checkout."""
    role = work / "roles" / target.name
    if not role.exists():
        (role / "tasks").mkdir(parents=True)
        for part in target.iterdir():
            if part.name not in ("tasks", "meta"):
                (role / part.name).symlink_to(part)
    return role


def playbook_for(work: pathlib.Path, target: pathlib.Path, test: pathlib.Path) -> pathlib.Path:
    role = role_for(work, target)
    entry = f"{test.parent.name}--{test.stem}"
    (role / "tasks" / f"{entry}.yaml").write_text(yaml.safe_dump([
        {"name": "Run test case (connection=ansible.netcommon.netconf)",
         "ansible.builtin.include_tasks": str(test),
         "vars": {"ansible_connection": "ansible.netcommon.netconf"}}], sort_keys=False))
    play = {"hosts": "junos", "gather_facts": False,
            "tasks": [{"ansible.builtin.include_role": {"name": target.name, "tasks_from": entry}}]}
    path = work / f"{target.name}--{entry}.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


def first_failure(stdout: str) -> tuple[str, str]:
    """(task name, message) of the first failure that is not followed by ``...ignoring``."""
    task = ""
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        m = TASK_RE.match(line)
        if m:
            task = m.group("name")
            continue
        m = FAIL_RE.match(line)
        if not m:
            continue
        rest_of_task = lines[i + 1:]
        end = next((j for j, x in enumerate(rest_of_task) if TASK_RE.match(x) or x.startswith("PLAY RECAP")),
                   len(rest_of_task))
        if any(x.strip() == "...ignoring" for x in rest_of_task[:end]):
            continue
        rest = m.group("rest").strip()
        msg = re.search(r'"msg": "((?:[^"\\]|\\.)*)"', rest if rest != "{" else "\n".join(rest_of_task[:end]))
        return task, (msg.group(1) if msg else rest)[:300]
    return task, ""


def run_file(work: pathlib.Path, inventory: pathlib.Path, playbook: pathlib.Path,
             timeout: float) -> dict:
    env = dict(os.environ, ANSIBLE_CONFIG=str(work / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_HOST_KEY_CHECKING="False",
               ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(work / "pc"),
               ANSIBLE_LOCAL_TEMP=str(work / "tmp"), ANSIBLE_DEPRECATION_WARNINGS="False",
               ANSIBLE_ROLES_PATH=str(work / "roles"),
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [_tool("ansible-playbook"), "-i", str(inventory), "--diff", str(playbook)]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=work, check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        task, _ = first_failure(out)
        return {"passed": False, "task": task or "?", "message": f"timed out after {timeout:.0f} s",
                "seconds": timeout, "stdout": out}
    recap = re.search(r"failed=(\d+)\s+skipped=\d+\s+rescued=\d+\s+ignored=\d+", proc.stdout)
    unreachable = re.search(r"unreachable=(\d+)", proc.stdout)
    passed = (proc.returncode == 0 and recap is not None and recap.group(1) == "0"
              and unreachable is not None and unreachable.group(1) == "0")
    task, message = ("", "") if passed else first_failure(proc.stdout)
    if not passed and not task:
        message = (proc.stderr.strip().splitlines() or [f"rc={proc.returncode}"])[-1][:300]
    return {"passed": passed, "task": task, "message": message,
            "seconds": round(time.monotonic() - start, 1), "stdout": proc.stdout}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("upstream", type=pathlib.Path)
    ap.add_argument("targets", nargs="*", default=DEFAULT_TARGETS)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per test file (300)")
    ap.add_argument("--json", type=pathlib.Path, help="write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the work and lab state directories")
    ap.add_argument("--verbose", action="store_true", help="print the output of failing files")
    ap.add_argument("-k", dest="only", help="run only test files whose name contains this")
    args = ap.parse_args(argv)

    root = args.upstream.resolve()
    targets_dir = root if root.name == "targets" else root / "tests" / "integration" / "targets"
    missing = [t for t in args.targets if not (targets_dir / t).is_dir()]
    if missing:
        ap.error(f"no such target under {targets_dir}: {', '.join(missing)}")

    # SIGTERM (and SIGINT, ignored in background jobs) end the run through `finally`: lab down
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    work = pathlib.Path(tempfile.mkdtemp(prefix="upstream-junos."))
    lab = OneDeviceLab(work)
    results: dict[str, dict[str, dict]] = {}
    try:
        inventory = write_inventory(work, lab.up())
        for name in args.targets:
            target = targets_dir / name
            results[name] = {}
            for test in test_files(target):
                label = f"{test.parent.name}/{test.name}"
                if args.only and args.only not in label:
                    continue
                res = run_file(work, inventory, playbook_for(work, target, test), args.timeout)
                results[name][label] = res
                mark = "ok  " if res["passed"] else "FAIL"
                print(f"  {mark} {name} {label} ({res['seconds']} s)", flush=True)
                if not res["passed"] and args.verbose:
                    print(res["stdout"][-4000:])
    finally:
        lab.down(args.keep)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    total_pass = total = 0
    print()
    for name, files in results.items():
        ok = sum(r["passed"] for r in files.values())
        total_pass += ok
        total += len(files)
        print(f"{name}: {ok}/{len(files)}")
        for label, r in files.items():
            if not r["passed"]:
                print(f"    {label}: [{r['task']}] {r['message']}")
    print(f"all: {total_pass}/{total}")
    if args.json:
        args.json.write_text(json.dumps(
            {n: {f: {k: v for k, v in r.items() if k != "stdout"} for f, r in files.items()}
             for n, files in results.items()}, indent=2))
    return 0 if total_pass == total else 1


if __name__ == "__main__":
    sys.exit(main())
