"""No pre-shared key on any path: neither the clear key nor any `$9$` string (Junos' reversible
form, which IS the key; every one found is decoded with netutils to say which key it
is) in the output, the ANSIBLE_LOG_PATH file, the rendered files, the reports or anything
else the runs leave in their work folder.

One seed-pair lab for the module, the shipped lab intent with generated keys, and every path
run once, in this order (each with ANSIBLE_LOG_PATH set to its own file):

1. ``first-deploy``      the first deploy at -vvv (key K1 pushed as `$9$`);
2. ``check-diff``        --check --diff -vvv with a rotated key K2 (the diff holds the key);
3. ``rollback``          key K3 on srx-a only (--limit srx-a), -vvv --diff: verify fails, the
                         change is rolled back (the rollback's Junos diff holds K1 and K3);
4. ``rotate-quiet``      a real key rotation to K4 with no -v (the NETCONF load carries `$9$`);
5. ``render``            playbooks/render_vpn.yml -vvv and its output folder;
6. ``validate``          playbooks/validate_vpn.yml -vvv and its reports;
7. ``preflight-error``   a bad key (a line break in it) refused at pre-flight, -vvv.

The reports written by the deploys and the audit are searched with their run.
"""
from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest
from helpers import (
    PAIR,
    TUNNEL,
    Checks,
    Lab,
    folder_secrets,
    lab_inventory_copy,
    new_psk,
    psk_on_device,
    secrets_in,
    wait_tunnel,
)

pytestmark = pytest.mark.xdist_group("key-leaks")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, pathlib.Path]]:
    with Lab("seed-pair", "leaks") as lab:
        yield lab, tmp_path_factory.mktemp("key-leaks")


def _searchable(work: pathlib.Path) -> list[pathlib.Path]:
    """Everything the runs left in the work folder, except the vault files (encrypted) and the
    vault password."""
    skip = {"vault.yml", "vault-pass"}
    return [p for p in sorted(work.rglob("*")) if p.is_file() and p.name not in skip]


def test_no_key_on_any_path(lab):
    lab, work = lab
    keys = {f"K{i}": new_psk() for i in range(1, 5)}
    bad_key = new_psk() + "\n"
    all_keys = [*keys.values(), bad_key.strip()]
    inv = lab_inventory_copy(lab, work, keys["K1"])
    logs = work / "logs"
    logs.mkdir()
    check = Checks()
    runs = {}

    def run(path, playbook, *args, inventory=None, **kw):
        check.step = path
        log = logs / f"{path}.log"
        result = (inventory or inv).run(playbook, *args, env={"ANSIBLE_LOG_PATH": str(log)}, **kw)
        runs[path] = result
        check(log.exists() and log.stat().st_size > 0, f"ANSIBLE_LOG_PATH {log} was not written")
        for found in secrets_in(result.text, all_keys, f"{path} output"):
            check(False, found)
        return result

    # 1. first deploy at -vvv
    first = run("first-deploy", "deploy", "-vvv")
    check(first.rc == 0, f"the first deploy failed:\n{first.describe()}")
    snap = lab.snapshot("srx-a")
    check(psk_on_device(snap, TUNNEL) == keys["K1"], "srx-a does not hold K1")
    on_device = [w.strip('"') for line in snap.config if "pre-shared-key" in line for w in line.split()
                 if w.strip('"').startswith("$9$")]
    # positive control: the search finds the device's own $9$ form and says it is one of the keys
    control = secrets_in(f'pre-shared-key ascii-text "{on_device[0]}";' if on_device else "", all_keys, "control")
    check(len(control) == 1 and "one of the keys" in control[0], f"the search misses a $9$ key: {control}")
    check(first.report() is not None, "no report after the first deploy")

    # 2. --check --diff with a rotated key
    rotated = inv.variant("check-diff")
    rotated.set_psks({TUNNEL: keys["K2"]})
    diff = run("check-diff", "deploy", "--check", "--diff", "-vvv", inventory=rotated)
    check(diff.rc == 0, f"--check --diff failed:\n{diff.describe()}")
    check("pre-shared-key" in diff.stdout, "the --diff shows no pre-shared-key change (nothing was compared)")

    # 3. a failing deploy: the new key on one end only, rolled back
    one_end = inv.variant("rollback")
    one_end.set_psks({TUNNEL: keys["K3"]})
    failed = run("rollback", "deploy", "-vvv", "--diff", inventory=one_end, limit="srx-a")
    check(failed.rc != 0, f"the one-ended key change did not fail:\n{failed.describe()}")
    check("rolled back" in failed.stdout, f"no rollback in the output:\n{failed.describe()}")
    check(psk_on_device(lab.snapshot("srx-a"), TUNNEL) == keys["K1"], "srx-a does not hold K1 after the rollback")
    check(not wait_tunnel(lab, inv, TUNNEL, timeout=30), "the tunnel is not up after the rollback")

    # 4. a real rotation, no -v (the ncclient logger must not reach ANSIBLE_LOG_PATH)
    rotate = inv.variant("rotate-quiet")
    rotate.set_psks({TUNNEL: keys["K4"]})
    quiet = run("rotate-quiet", "deploy", inventory=rotate)
    check(quiet.rc == 0, f"the key rotation failed:\n{quiet.describe()}")
    check(all(psk_on_device(lab.snapshot(n), TUNNEL) == keys["K4"] for n in PAIR), "the devices do not hold K4")

    # 5. render_vpn.yml and its files
    rendered = run("render", "render", "-vvv", inventory=rotate)
    check(rendered.rc == 0, f"render_vpn.yml failed:\n{rendered.describe()}")
    files = sorted(p.name for p in rotate.out_dir.rglob("*.set"))
    check(len(files) == 10, f"render_vpn.yml wrote {files}")

    # 6. validate_vpn.yml and its reports
    audit = run("validate", "validate", "-vvv", inventory=rotate)
    check(audit.rc == 0, f"validate_vpn.yml failed:\n{audit.describe()}")
    check((rotate.reports_dir / "vpn_status.md").is_file(), "validate_vpn.yml wrote no report")

    # 7. a key refused at pre-flight: the message must not show it
    refused = inv.variant("preflight-error")
    refused.set_psks({TUNNEL: bad_key})
    error = run("preflight-error", "deploy", "-vvv", inventory=refused)
    check(error.rc != 0 and "srx_vpn_psks['a-b']: the key has a character" in error.stdout,
          f"the bad key was not refused with its message:\n{error.describe()}")

    # every file any run left behind: logs, rendered files, reports, temporary files
    check.step = "files"
    files = _searchable(work)
    check(any(p.suffix == ".log" for p in files) and any(p.name == "vpn_status.json" for p in files)
          and any(p.suffix == ".set" for p in files), f"not every kind of file was produced: {files}")
    for found in folder_secrets(files, all_keys):
        check(False, found)
    check.assert_ok()
