"""IKE backup peers (`address primary backup...`) and vpn-monitor in the protocol plane.

hub-4-spokes: spoke-1 (1.1.1.21) names hub-1 (1.1.1.10) as its primary peer and spoke-2
(1.1.1.22) as its backup; both answer with the far end of the same tunnel (10.0.1.2, AS 200).
The initiator uses the primary while it answers, moves to the backup when it does not (after
the DPD detection time when the tunnel was up: 10 x 3 lab seconds), stays there when the
primary comes back, and `explain` says which address a gateway uses and why.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest
from lxml import etree
from ncclient import manager
from srxlab import cli
from test_protocols import GW, ROOT, SCALE, SRX_A, SRX_B, make_lab, push, settle

PRIMARY, BACKUP = "1.1.1.10", "1.1.1.22"
DPD = 30 * SCALE            # dead-peer-detection interval 10 x threshold 3, scaled
SPOKE = (SRX_A.replace("1.1.1.1/24", "1.1.1.21/24")
         .replace(GW + "address 1.1.1.2", f"{GW}address {PRIMARY}\n{GW}address {BACKUP}"))
HUB = SRX_B.replace("1.1.1.2/24", f"{PRIMARY}/24").replace(GW + "address 1.1.1.1", GW + "address 1.1.1.21")
SECOND = HUB.replace(f"{PRIMARY}/24", f"{BACKUP}/24")
DEVICES = ("spoke-1", "hub-1", "spoke-2")
MONITOR = "set security ipsec vpn IPSEC-VPN vpn-monitor "


def deploy(tmp_path, spoke=SPOKE, hub=HUB, second=SECOND):
    lab = make_lab(tmp_path, "hub-4-spokes")
    for name, text in (("spoke-1", spoke), ("hub-1", hub), ("spoke-2", second)):
        if text is not None:
            push(lab, name, text)
    settle(lab)
    return lab


def remote(lab, device="spoke-1"):
    """(IKE SA remote addresses, IPsec SA remote gateways, BGP states) of a device."""
    p = lab.protocols
    return ([sa.remote_address for sa in p.ike_sas(device)], sorted({sa.remote_gateway for sa in p.ipsec_sas(device)}),
            [peer.state for peer in p.bgp_peers(device)])


def gateway_entry(lab, device="spoke-1"):
    found = [e for e in lab.protocols.explain() if e.get("gateway") == [device, "IKE-GATEWAY"]]
    assert len(found) == 1, lab.protocols.explain()
    return found[0]


def link(lab, device, state):
    assert lab.control({"op": "link", "device": device, "port": "ge-0/0/0", "state": state})["ok"]


UP_PRIMARY = ([PRIMARY], [PRIMARY], ["Established"])
UP_BACKUP = ([BACKUP], [BACKUP], ["Established"])
DOWN = ([], [], ["Active"])


def test_primary_is_used_while_it_answers(tmp_path):
    lab = deploy(tmp_path)
    assert remote(lab) == UP_PRIMARY
    assert remote(lab, "hub-1") == (["1.1.1.21"], ["1.1.1.21"], ["Established"])
    assert remote(lab, "spoke-2")[:2] == ([], [])  # the backup holds no SA while the primary works
    assert gateway_entry(lab) == {"gateway": ["spoke-1", "IKE-GATEWAY"], "ok": True,
                                  "reason": f"using primary {PRIMARY}", "address": PRIMARY}
    # spoke-2's own initiation is refused: spoke-1 keeps to the peer it uses
    assert lab.protocols.ike.refusals[("spoke-2", "IKE-GATEWAY")].reason == (
        f"spoke-1 IKE-GATEWAY is up with its peer {PRIMARY} and stays there (no pre-emption)")
    assert lab.protocols.ping("spoke-1", "10.0.1.2", "10.0.1.1", 2).received == 2


@pytest.mark.parametrize("cut", ["link", "stop"])
def test_primary_lost_moves_to_backup_after_dpd_and_stays(tmp_path, cut):
    lab = deploy(tmp_path)
    spis = [sa.spi for sa in lab.protocols.ipsec_sas("spoke-1")]
    cut_at = time.time()
    if cut == "link":
        link(lab, "hub-1", "down")
    else:
        lab.devices["hub-1"].stop()
    # until DPD declares hub-1 dead, spoke-1 still shows its SAs with the primary
    assert remote(lab)[:2] == ([PRIMARY], [PRIMARY])
    assert gateway_entry(lab)["reason"] == f"primary {PRIMARY} unreachable, using backup {BACKUP}"
    time.sleep(DPD + 0.05)
    settle(lab)
    assert remote(lab) == UP_BACKUP
    assert lab.protocols.ike_sas("spoke-1")[0].established_epoch - cut_at >= DPD
    assert remote(lab, "spoke-2") == (["1.1.1.21"], ["1.1.1.21"], ["Established"])
    assert remote(lab, "hub-1")[:2] == ([], [])
    assert not set(spis) & {sa.spi for sa in lab.protocols.ipsec_sas("spoke-1")}
    assert lab.protocols.bgp_peers("spoke-1")[0].flaps == 1
    assert lab.protocols.bgp_peers("spoke-1")[0].received_routes == ["192.168.2.2/32"]
    assert lab.protocols.ping("spoke-1", "10.0.1.2", "10.0.1.1", 2).received == 2
    # the primary comes back: no pre-emption, spoke-1 stays on the backup
    if cut == "link":
        link(lab, "hub-1", "up")
    else:
        lab.devices["hub-1"].start()
    settle(lab)
    time.sleep(DPD + 0.05)
    settle(lab)
    assert remote(lab) == UP_BACKUP
    assert remote(lab, "hub-1")[:2] == ([], [])
    assert gateway_entry(lab)["reason"] == (
        f"using backup {BACKUP}: primary {PRIMARY} answers again, no pre-emption while the backup works")


def test_backup_lost_too_then_primary_again(tmp_path):
    """Both peers gone: no IKE SA; the primary back: the gateway uses it again at once
    (its tunnel to the backup was already torn down)."""
    lab = deploy(tmp_path)
    link(lab, "hub-1", "down")
    time.sleep(DPD + 0.05)
    settle(lab)
    assert remote(lab) == UP_BACKUP
    link(lab, "spoke-2", "down")
    assert remote(lab)[:2] == ([BACKUP], [BACKUP])   # DPD detection time again
    time.sleep(DPD + 0.05)
    settle(lab)
    assert remote(lab) == DOWN
    assert lab.protocols.ike_sas("spoke-2") == []
    entry = gateway_entry(lab)
    assert (entry["ok"], entry["address"]) == (False, None)
    assert entry["reason"] == f"no peer address answers: primary {PRIMARY} unreachable; backup {BACKUP} unreachable"
    link(lab, "hub-1", "up")
    settle(lab)
    assert remote(lab) == UP_PRIMARY
    assert gateway_entry(lab)["reason"] == f"using primary {PRIMARY}"


def test_backup_lost_while_primary_answers_again_moves_back(tmp_path):
    lab = deploy(tmp_path)
    link(lab, "hub-1", "down")
    time.sleep(DPD + 0.05)
    settle(lab)
    link(lab, "hub-1", "up")
    settle(lab)
    assert remote(lab) == UP_BACKUP
    link(lab, "spoke-2", "down")
    assert remote(lab)[:2] == ([BACKUP], [BACKUP])
    time.sleep(DPD + 0.05)
    settle(lab)
    assert remote(lab) == UP_PRIMARY
    assert gateway_entry(lab)["reason"] == f"using primary {PRIMARY}"


def test_no_matching_gateway_at_primary_uses_backup_at_once(tmp_path):
    """hub-1 has no IKE gateway for spoke-1: nothing was up, so no DPD wait."""
    lab = deploy(tmp_path, hub=HUB.replace(GW + "address 1.1.1.21", GW + "address 1.1.1.23"))
    assert remote(lab) == UP_BACKUP
    assert gateway_entry(lab)["reason"] == (
        f"primary {PRIMARY} not answered (hub-1 has no IKE gateway matching spoke-1: none has address "
        f"1.1.1.21 or a dynamic identity inet 1.1.1.21), using backup {BACKUP}")


def test_primary_dropping_its_gateway_moves_to_backup_at_once(tmp_path):
    """The primary deletes its gateway (its SAs go with it): no DPD wait."""
    lab = deploy(tmp_path)
    assert remote(lab) == UP_PRIMARY
    changed_at = time.time()
    push(lab, "hub-1", "delete security ipsec vpn\ndelete security ike gateway")
    settle(lab)
    assert remote(lab) == UP_BACKUP
    assert lab.protocols.ike_sas("spoke-1")[0].established_epoch - changed_at < DPD


def test_primary_refusing_phase1_is_skipped(tmp_path):
    """A primary that answers but fails IKE (here: another pre-shared key) gets no SA: the
    backup is used."""
    lab = deploy(tmp_path, hub=HUB + '\nset security ike policy IKE-POLICY pre-shared-key ascii-text "other-key-1"')
    assert remote(lab) == UP_BACKUP
    assert gateway_entry(lab)["reason"] == (
        f"primary {PRIMARY} refused (pre-shared key mismatch (AUTHENTICATION_FAILED)), using backup {BACKUP}")


def test_single_address_gateway_has_no_gateway_entry(tmp_path):
    lab = deploy(tmp_path, spoke=SPOKE.replace(f"\n{GW}address {BACKUP}", ""), second=None)
    assert remote(lab) == UP_PRIMARY
    assert not [e for e in lab.protocols.explain() if "gateway" in e]


def test_vpn_monitor_state_in_ipsec_sas(tmp_path):
    """`U` where vpn-monitor is configured and its probes are answered, `-` where it is not
    configured. Junos requires neither statement: without destination-ip it probes the
    peer gateway address, without source-interface it sources from the external interface."""
    lab = deploy(tmp_path, spoke=SPOKE + f"\n{MONITOR}optimized\n{MONITOR}source-interface st0.0\n"
                 f"{MONITOR}destination-ip 10.0.1.2", hub=HUB + f"\n{MONITOR}optimized")
    assert {sa.vpn_monitoring for sa in lab.protocols.ipsec_sas("spoke-1")} == {"U"}
    assert {sa.vpn_monitoring for sa in lab.protocols.ipsec_sas("hub-1")} == {"U"}
    monitor = lab.protocols.views["spoke-1"].vpns["IPSEC-VPN"].monitor
    assert (monitor.optimized, monitor.source_interface, monitor.destination_ip) == (True, "st0.0", "10.0.1.2")
    hub = lab.protocols.views["hub-1"].vpns["IPSEC-VPN"].monitor
    assert (hub.optimized, hub.source_interface, hub.destination_ip) == (True, None, None)
    # the XML a NETCONF client reads
    session = lab.devices["spoke-1"].new_session("root")
    reply = session.dispatch(etree.fromstring("<get-security-associations-information/>"))
    session.close()
    assert set(reply[0].xpath("//sa-vpn-monitoring-state/text()")) == {"U"}
    # not configured: "-"
    plain = deploy(tmp_path / "plain")
    assert {sa.vpn_monitoring for sa in plain.protocols.ipsec_sas("spoke-1")} == {"-"}
    # removed again: "-" (the tunnel renegotiates: the VPN changed)
    push(lab, "spoke-1", "delete security ipsec vpn IPSEC-VPN vpn-monitor")
    settle(lab)
    assert {sa.vpn_monitoring for sa in lab.protocols.ipsec_sas("spoke-1")} == {"-"}


NO_PING_ON_ST0 = "delete security zones security-zone VPN host-inbound-traffic system-services ping"


@pytest.mark.parametrize("spoke_extra,hub_extra,expected", [
    ("destination-ip 10.0.1.2", "", "U"),
    ("", "", "U"),                                   # default destination: the peer gateway address
    ("destination-ip 10.0.1.3", "", "D"),            # nobody at the far end has it
    ("destination-ip 10.0.1.2", NO_PING_ON_ST0, "D"),  # the peer's tunnel end does not answer ping
    ("", NO_PING_ON_ST0, "D"),
], ids=["tunnel-peer", "peer-gateway", "not-the-peer", "peer-drops-ping", "default-peer-drops-ping"])
def test_vpn_monitor_probe_answered_or_not(tmp_path, spoke_extra, hub_extra, expected):
    spoke = SPOKE + f"\n{MONITOR}source-interface st0.0" + (f"\n{MONITOR}{spoke_extra}" if spoke_extra else "")
    lab = deploy(tmp_path, spoke=spoke, hub=HUB + "\n" + hub_extra)
    assert remote(lab)[:2] == ([PRIMARY], [PRIMARY])
    assert {sa.vpn_monitoring for sa in lab.protocols.ipsec_sas("spoke-1")} == {expected}
    assert {sa.vpn_monitoring for sa in lab.protocols.ipsec_sas("hub-1")} == {"-"}


def test_spoke_4_second_uplink(tmp_path):
    """spoke-4's ge-0/0/2 is a second ISP port on the internet segment, unaddressed in its
    factory config: given an address, a gateway on it reaches the hub."""
    lab = make_lab(tmp_path, "hub-4-spokes")
    assert lab.devices["spoke-4"].spec["ports"] == ["ge-0/0/0", "ge-0/0/1", "ge-0/0/2"]
    assert [ifd for ifd, _ in lab.devices["spoke-4"].db.committed.entries("interfaces", "interface")] == ["ge-0/0/0"]
    assert "spoke-4:ge-0/0/2" in lab.topology["segments"]["internet"]
    spoke = (SRX_A.replace("1.1.1.1/24", "1.1.1.24/24").replace(GW + "address 1.1.1.2", GW + "address 1.1.1.10")
             + "\nset interfaces ge-0/0/2 unit 0 family inet address 1.1.1.34/24"
             + "\nset security zones security-zone UNTRUST interfaces ge-0/0/2.0 host-inbound-traffic "
             "system-services ike"
             + "\n" + GW + "external-interface ge-0/0/2.0")
    push(lab, "spoke-4", spoke)
    push(lab, "hub-1", HUB.replace(GW + "address 1.1.1.21", GW + "address 1.1.1.34"))
    settle(lab)
    assert remote(lab, "spoke-4") == UP_PRIMARY
    assert lab.protocols.ike_sas("spoke-4")[0].local_address == "1.1.1.34"
    assert lab.control({"op": "link", "device": "spoke-4", "port": "ge-0/0/0", "state": "down"})["ok"]
    settle(lab)
    assert remote(lab, "spoke-4") == UP_PRIMARY   # the first uplink's loss does not touch it


SRXLAB = pathlib.Path(sys.executable).parent / "srxlab"


def srxlab(state_dir, *args):
    env = dict(os.environ, SRXLAB_TIME_SCALE=str(SCALE))
    return subprocess.run([str(SRXLAB), *args, "--state-dir", str(state_dir)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_failover_through_netconf_and_the_cli(tmp_path):
    """A running lab: configs loaded over NETCONF (ncclient), `srxlab link down`, the IPsec
    SAs read back as XML over NETCONF, and `srxlab explain`."""
    state_dir = tmp_path / "lab"
    up = srxlab(state_dir, "up", "--topology", str(ROOT / "lab" / "topologies" / "hub-4-spokes.yml"))
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        devices = {d["name"]: d for d in json.loads(srxlab(state_dir, "status", "--json").stdout)}

        def connect(name):
            d = devices[name]
            return manager.connect(host=d["host"], port=d["port"], username=d["username"], password=d["password"],
                                   hostkey_verify=False, device_params={"name": "junos"}, look_for_keys=False,
                                   allow_agent=False, timeout=60)

        for name, text in (("spoke-1", SPOKE + f"\n{MONITOR}source-interface st0.0"), ("hub-1", HUB),
                           ("spoke-2", SECOND)):
            with connect(name) as m:
                m.load_configuration(action="set", config=[line for line in text.splitlines() if line.strip()])
                m.commit()
        assert srxlab(state_dir, "wait-settled", "--timeout", "30").returncode == 0

        def ipsec_xml():
            with connect("spoke-1") as m:
                reply = m.rpc(etree.Element("get-security-associations-information"))
            return (reply.xpath("//ipsec-security-associations/sa-remote-gateway/text()"),
                    reply.xpath("//ipsec-security-associations/sa-vpn-monitoring-state/text()"))

        assert ipsec_xml() == ([PRIMARY, PRIMARY], ["U", "U"])
        assert srxlab(state_dir, "link", "down", "hub-1", "ge-0/0/0").returncode == 0
        explain = srxlab(state_dir, "explain").stdout
        assert f"gateway spoke-1:IKE-GATEWAY: primary {PRIMARY} unreachable, using backup {BACKUP}" in explain
        time.sleep(DPD + 0.1)
        assert srxlab(state_dir, "wait-settled", "--timeout", "30").returncode == 0
        assert ipsec_xml() == ([BACKUP, BACKUP], ["U", "U"])
    finally:
        srxlab(state_dir, "down")
        if cli.lab_alive(state_dir):
            os.kill(int((state_dir / cli.PID_FILE).read_text()), 9)
