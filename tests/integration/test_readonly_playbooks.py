"""The read-only playbooks change nothing and say so: ``changed=0`` in the recap.

One lab (``lab/topologies/seed-pair.yml``) for the module, deployed once with ``deploy_vpn.yml``
from an inventory built like ``inventories/lab`` (generated vault). Then:

* ``playbooks/validate_vpn.yml`` (the audit) reports ``changed=0`` on every host, on its first
  run (no report yet) and on the next (a report there, whose counters have moved), and also
  from a copy of the inventory without the vault (an audit pushes no key); no commit is made;
* ``playbooks/render_vpn.yml`` (offline) contacts no device (no NETCONF session is opened),
  writes key placeholders only, and a second run over the same output reports ``changed=0``.

Devices are checked through ncclient (commit history), never only from a return code.
"""
from __future__ import annotations

import pathlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import stanzas
from helpers import (
    PAIR,
    Inventory,
    Lab,
    Run,
    folder_secrets,
    lab_inventory_copy,
    new_psk,
    secrets_in,
)

pytestmark = pytest.mark.xdist_group("readonly-playbooks")


@dataclass(repr=False)
class Deployed:
    lab: Lab
    inv: Inventory


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    with Lab("seed-pair", "ro") as lab:
        inv = lab_inventory_copy(lab, tmp_path_factory.mktemp("readonly"), new_psk())
        first = inv.deploy()
        assert first.rc == 0, first.describe()
        yield Deployed(lab, inv)


def assert_unchanged(run: Run) -> None:
    assert run.rc == 0, run.describe()
    assert sorted(run.recap) == sorted(PAIR), run.describe()
    changed = {host: counts.get("changed") for host, counts in run.recap.items()}
    assert all(n == 0 for n in changed.values()), f"a read-only playbook reported {changed}\n{run.describe()}"


def test_validate_vpn_reports_no_change(deployed: Deployed) -> None:
    lab, inv = deployed.lab, deployed.inv
    before = {n: lab.snapshot(n) for n in PAIR}
    for attempt in ("no report yet", "a previous report"):
        run = inv.run("validate")
        assert_unchanged(run)
        report = run.report()
        assert report is not None, f"{attempt}: no report in {run.reports_dir}"
        assert report["summary"]["up"] == 1 and report["summary"]["problems"] == 0, report["summary"]
        assert not secrets_in(run.text, inv.psks.values())
    after = {n: lab.snapshot(n) for n in PAIR}
    for n in PAIR:
        assert after[n].commits == before[n].commits, f"{n}: the audit committed"
        assert after[n].config == before[n].config


def test_validate_vpn_needs_no_vault(deployed: Deployed) -> None:
    inv = deployed.inv.variant("no-vault")
    (inv.path / "group_vars" / "all" / "vault.yml").unlink()
    run = inv.run("validate")
    assert_unchanged(run)
    assert "no pre-shared key" not in run.text
    assert run.report() is not None and run.report()["summary"]["up"] == 1


def test_render_vpn_is_offline_idempotent_and_keyless(deployed: Deployed) -> None:
    lab, inv = deployed.lab, deployed.inv.variant("render")
    sessions = len(lab.netconf_sessions())
    first = inv.run("render")
    assert first.rc == 0, first.describe()
    files = sorted(p.relative_to(inv.out_dir).as_posix() for p in inv.out_dir.rglob("*.set"))
    assert files == sorted(f"{d}/{s.file}" for d in PAIR for s in stanzas.STANZA_DEFS)
    for device in PAIR:
        ike = (inv.out_dir / device / stanzas.BY_NAME["ike"].file).read_text()
        assert f'"{stanzas.psk_placeholder("a-b")}"' in ike
    assert not folder_secrets([inv.out_dir], inv.psks.values())
    assert not secrets_in(first.text, inv.psks.values())
    again = inv.run("render")
    assert_unchanged(again)
    assert len(lab.netconf_sessions()) == sessions, "render_vpn.yml opened a NETCONF session"


def test_render_vpn_output_matches_what_a_deploy_pushes(deployed: Deployed, tmp_path: pathlib.Path) -> None:
    """The rendered stanzas, key lines aside, are on the deployed devices as rendered."""
    lab, inv = deployed.lab, deployed.inv.variant("render-cmp")
    run = inv.run("render")
    assert run.rc == 0, run.describe()
    for device in PAIR:
        config = set(lab.snapshot(device).config)
        for stanza in stanzas.STANZA_DEFS:
            lines = [ln.strip() for ln in (inv.out_dir / device / stanza.file).read_text().splitlines()
                     if ln.strip() and stanzas.PSK_PLACEHOLDER_PREFIX not in ln]
            missing = [ln for ln in lines if ln not in config]
            assert not missing, f"{device} {stanza.file}: not on the device: {missing}"
