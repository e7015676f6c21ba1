"""The product's pipeline (``deploy_vpn.yml``: validate, render, one commit confirmed per
device, verify both ends, confirm, report) against `srxlab up --backend real`: the tunnel the
playbook verifies is negotiated by strongSwan and carries BIRD's BGP session."""
from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "integration"))
from helpers import (  # the integration tests' helpers
    UP_TIMEOUT,
    Lab,
    lab_inventory_copy,
    new_psk,
    secrets_in,
    tunnel_problems,
)


class RealLab(Lab):
    def up(self) -> None:
        self.srxlab("up", "--topology", str(self.topology), "--backend", "real", timeout=UP_TIMEOUT)


@pytest.fixture
def real_pair():
    lab = RealLab("seed-pair", "real")
    try:
        lab.up()
        yield lab
    finally:
        lab.down()


def test_deploy_vpn_verifies_the_real_tunnel(real_pair, tmp_path):
    psk = new_psk()
    inv = lab_inventory_copy(real_pair, tmp_path, psk)
    run = inv.deploy()
    assert run.rc == 0, run.text[-3000:]
    report = run.report()
    assert report is not None
    text = repr(report)
    assert "'state': 'up'" in text
    # both ends, read afresh over NETCONF: IKE, IPsec, BGP with the peer's loopback, pings
    # to the peer's st0 and, over the BGP-learned route, to its loopback
    assert tunnel_problems(real_pair, inv, "a-b") == []
    # the key never shows: not in the run, not in the lab's or the daemons' logs
    assert secrets_in(run.text, [psk]) == []
    logs = [real_pair.state_dir / "srxlab.log", *sorted((real_pair.state_dir / "real").glob("*/*.log"))]
    for log in logs:
        assert secrets_in(log.read_text(errors="replace"), [psk]) == [], log
    # swanctl.conf needs the clear key: readable by root only
    for conf in (real_pair.state_dir / "real").glob("*/swanctl/swanctl.conf"):
        assert conf.stat().st_mode & 0o077 == 0
