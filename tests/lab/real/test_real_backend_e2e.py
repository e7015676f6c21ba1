"""`srxlab up --backend real`: the reference pair negotiated by strongSwan and BIRD in network
namespaces, configured and read through NETCONF only.

Needs root and the packages of scripts/install-real-backend; without them these tests fail
(they do not skip): CI installs them first."""
from __future__ import annotations

import os
import pathlib
import shutil
import signal
import tempfile
import time

import pytest
from lxml import etree
from realhelpers import LabUnderTest, lab_processes, namespaces
from srxlab.real.netns import lab_prefix

CONVERGE = 30.0     # seconds: IKE takes ~0.1 s, BGP ~1-3 s after the SAs


@pytest.fixture(scope="module")
def real_lab():
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="srxlab-real-"))
    lab = LabUnderTest(state_dir, "real")
    lab.up()
    try:
        yield lab
    finally:
        lab.down()
        shutil.rmtree(state_dir, ignore_errors=True)


def test_up_creates_namespaces_and_daemons(real_lab):
    prefix = lab_prefix(real_lab.state_dir)
    assert sorted(namespaces(prefix)) == [f"{prefix}-srx-a", f"{prefix}-srx-b", f"{prefix}-wire"]
    # the lab process, and per device charon and bird
    assert len(lab_processes(real_lab.state_dir)) >= 5
    status = real_lab.rpc("srx-a", etree.Element("get-software-information"))
    assert status.xpath("//*[local-name()='host-name']/text()") == ["srx-a"]


def test_reference_pair_comes_up(real_lab):
    real_lab.apply("srx-b")
    real_lab.apply("srx-a")
    a, b = real_lab.wait_for(lambda v: all(x.bgp == ("Established",) and x.ping for x in v), CONVERGE)
    assert a.ike_up == ("1.1.1.2",) and b.ike_up == ("1.1.1.1",)
    assert a.ipsec == ("<", ">") and b.ipsec == ("<", ">")
    assert a.bgp == ("Established",) and b.bgp == ("Established",)
    assert a.ping and b.ping
    # the SAs are the negotiated ones: one side's inbound SPI is the other's outbound
    spis = {}
    for name in ("srx-a", "srx-b"):
        reply = real_lab.rpc(name, etree.Element("get-security-associations-information"))
        dirs = reply.xpath("//*[local-name()='sa-direction']/text()")
        values = reply.xpath("//*[local-name()='sa-spi']/text()")
        spis[name] = {d.strip(): s.strip() for d, s in zip(dirs, values, strict=True)}
        algs = reply.xpath("//*[local-name()='sa-esp-encryption-algorithm']/text()")
        assert {x.strip().rstrip("/") for x in algs} == {"aes-cbc-256"}   # Junos prints "aes-cbc-256/"
    assert spis["srx-a"]["<"] == spis["srx-b"][">"] and spis["srx-a"][">"] == spis["srx-b"]["<"]
    # BGP carries the peer's loopback (export policy EXPORT-LO)
    reply = real_lab.rpc("srx-a", etree.Element("get-bgp-neighbor-information"))
    assert [x.strip() for x in reply.xpath("//*[local-name()='peer-as']/text()")] == ["200"]
    received = reply.xpath("//*[local-name()='received-prefix-count']/text()")
    assert [x.strip() for x in received] == ["1"]


def test_psk_mismatch_keeps_ike_down(real_lab):
    real_lab.apply("srx-a")
    real_lab.apply("srx-b", ["set security ike policy IKE-POLICY pre-shared-key ascii-text not-the-same-key"])
    a, b = real_lab.wait_for(lambda v: all(not x.ike_up and x.bgp != ("Established",) for x in v),
                             CONVERGE, stable=5.0)
    assert a.ike_up == () and b.ike_up == ()
    assert a.ipsec == () and b.ipsec == ()
    assert a.bgp != ("Established",) and b.bgp != ("Established",)
    assert not a.ping
    explained = real_lab_explain(real_lab)
    assert "AUTHENTICATION_FAILED" in explained
    # the same key again: the tunnel comes back
    real_lab.apply("srx-b")
    a, b = real_lab.wait_for(lambda v: all(x.bgp == ("Established",) for x in v), CONVERGE)
    assert a.ike_up == ("1.1.1.2",) and b.bgp == ("Established",)


def real_lab_explain(lab: LabUnderTest) -> str:
    from realhelpers import srxlab
    proc = srxlab(lab.state_dir, "explain")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_link_cut_takes_the_tunnel_down(real_lab):
    from realhelpers import srxlab
    real_lab.apply("srx-a")
    real_lab.apply("srx-b")
    real_lab.wait_for(lambda v: all(x.bgp == ("Established",) for x in v), CONVERGE)
    assert srxlab(real_lab.state_dir, "link", "down", "srx-b", "ge-0/0/0").returncode == 0
    # no ping across the cut wire, whatever IKE still believes until DPD
    a = real_lab.view("srx-a", "10.0.1.2")
    assert not a.ping
    assert srxlab(real_lab.state_dir, "link", "up", "srx-b", "ge-0/0/0").returncode == 0
    a, _b = real_lab.wait_for(lambda v: all(x.ping for x in v), CONVERGE)
    assert a.ping


def test_down_leaves_no_namespace_and_no_process():
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="srxlab-real-down-"))
    lab = LabUnderTest(state_dir, "real")
    try:
        lab.up()
        prefix = lab_prefix(state_dir)
        assert len(namespaces(prefix)) == 3
        assert len(lab_processes(state_dir)) >= 5
        proc = lab.down()
        assert proc.returncode == 0, proc.stderr
        assert namespaces(prefix) == []
        assert lab_processes(state_dir) == []
    finally:
        lab.down()
        shutil.rmtree(state_dir, ignore_errors=True)


def test_nat_topology_is_refused(tmp_path):
    from realhelpers import REPO, srxlab
    proc = srxlab(tmp_path, "up", "--topology", str(REPO / "lab/topologies/seed-pair-nat.yml"),
                  "--backend", "real")
    assert proc.returncode == 1
    assert "does not support the topology's nat entries" in proc.stderr
    assert namespaces(lab_prefix(tmp_path)) == []


def test_down_after_the_lab_process_died_cleans_up():
    """A lab killed with SIGKILL cannot tear down: `srxlab down` removes what it left."""
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="srxlab-real-killed-"))
    lab = LabUnderTest(state_dir, "real")
    try:
        lab.up()
        prefix = lab_prefix(state_dir)
        pid = int((state_dir / "srxlab.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pid in lab_processes(state_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(namespaces(prefix)) == 3            # nobody tore them down
        assert len(lab_processes(state_dir)) == 4       # charon and bird of both devices
        proc = lab.down()
        assert proc.returncode == 0, proc.stderr
        assert "removed what a dead lab left" in proc.stdout
        assert namespaces(prefix) == []
        assert lab_processes(state_dir) == []
    finally:
        lab.down()
        shutil.rmtree(state_dir, ignore_errors=True)
