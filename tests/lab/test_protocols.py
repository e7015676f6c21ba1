"""The protocol plane: the reference pair converges, and each misconfiguration alone gives
the state a real SRX pair would show on both devices."""
from __future__ import annotations

import pathlib
import time

import pytest
from lxml import etree
from srxlab.lab import Lab
from srxlab.topology import load

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(__file__).parent / "fixtures"
SRX_A = (FIXTURES / "srx-a-reference.set").read_text()
SRX_B = (FIXTURES / "srx-b-reference.set").read_text()
SCALE = 0.01  # lab seconds -> real seconds: IKE ~10 ms, BGP ~30 ms, DPD 10x3 s -> 0.3 s


def make_lab(tmp_path, topology="seed-pair"):
    topo = load(ROOT / "lab" / "topologies" / f"{topology}.yml")
    topo["time_scale"] = SCALE
    return Lab(topo, tmp_path)


def push(lab, device, text):
    s = lab.devices[device].new_session("root")
    body = text.replace("&", "&amp;").replace("<", "&lt;")
    reply = s.dispatch(etree.fromstring(f"<load-configuration action='set'><configuration-set>{body}"
                                        "</configuration-set></load-configuration>"))
    assert reply[0].find("ok") is not None, etree.tostring(reply[0])
    reply = s.dispatch(etree.fromstring("<commit-configuration/>"))
    assert reply[0].find("routing-engine/commit-success") is not None, etree.tostring(reply[0])
    s.close()


def settle(lab, timeout=3.0):
    deadline = time.time() + timeout
    while not lab.protocols.settled():
        assert time.time() < deadline, lab.protocols.explain()
        time.sleep(0.01)


def state(lab):
    """(IKE SAs up, IPsec SAs, BGP state) per device."""
    p = lab.protocols
    return {d: (len([s for s in p.ike_sas(d) if s.state == "UP"]), len(p.ipsec_sas(d)),
                [b.state for b in p.bgp_peers(d)]) for d in ("srx-a", "srx-b")}


def deploy(tmp_path, a_extra="", b_extra="", topology="seed-pair", a_base=SRX_A, b_base=SRX_B):
    lab = make_lab(tmp_path, topology)
    push(lab, "srx-a", a_base + a_extra)
    push(lab, "srx-b", b_base + b_extra)
    settle(lab)
    return lab


HEALTHY = {"srx-a": (1, 2, ["Established"]), "srx-b": (1, 2, ["Established"])}
NO_IKE = {"srx-a": (0, 0, ["Active"]), "srx-b": (0, 0, ["Active"])}
NO_IPSEC = {"srx-a": (1, 0, ["Active"]), "srx-b": (1, 0, ["Active"])}
TUNNEL_UP_BGP_DOWN = {"srx-a": (1, 2, ["Active"]), "srx-b": (1, 2, ["Active"])}

GW = "set security ike gateway IKE-GATEWAY "
PROP = "set security ike proposal IKE-PROPOSAL "
IPROP = "set security ipsec proposal IPSEC-PROPOSAL "

CASES = [
    ("psk mismatch", "", 'set security ike policy IKE-POLICY pre-shared-key ascii-text "another-key-42"', NO_IKE),
    ("ike dh-group mismatch", "", PROP + "dh-group group19", NO_IKE),
    ("ike authentication-algorithm mismatch", "", PROP + "authentication-algorithm sha-384", NO_IKE),
    ("ike encryption-algorithm mismatch", "", PROP + "encryption-algorithm aes-128-cbc", NO_IKE),
    ("ike authentication-method mismatch", "", PROP + "authentication-method rsa-signatures", NO_IKE),
    ("v1-only vs v2-only", "", GW + "version v1-only", NO_IKE),
    ("main vs aggressive (IKEv1)", GW + "version v1-only", GW + "version v1-only\n"
     "set security ike policy IKE-POLICY mode aggressive", NO_IKE),
    ("wrong gateway address", GW + "address 1.1.1.3\ndelete security ike gateway IKE-GATEWAY address 1.1.1.2",
     "", NO_IKE),
    ("external interface on the unwired port", "",
     "delete interfaces ge-0/0/0\nset interfaces ge-0/0/1 unit 0 family inet address 1.1.1.2/24\n"
     "delete security zones security-zone UNTRUST interfaces ge-0/0/0.0\n"
     "set security zones security-zone UNTRUST interfaces ge-0/0/1.0 host-inbound-traffic system-services ike\n"
     + GW + "external-interface ge-0/0/1.0", NO_IKE),
    ("missing host-inbound ike", "",
     "delete security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic system-services ike",
     NO_IKE),
    ("ike identity mismatch", GW + "remote-identity inet 9.9.9.9", "", NO_IKE),
    ("peer has no gateway for us", "", "delete security ipsec vpn\ndelete security ike gateway", NO_IKE),
    ("ipsec encryption mismatch", "", IPROP + "encryption-algorithm aes-128-cbc", NO_IPSEC),
    ("ipsec integrity mismatch", "", IPROP + "authentication-algorithm hmac-sha1-96", NO_IPSEC),
    ("proxy identity mismatch", "set security ipsec vpn IPSEC-VPN ike proxy-identity local 10.0.1.0/24",
     "", NO_IPSEC),
    ("st0 not in a zone", "", "delete security zones security-zone VPN interfaces st0.0", NO_IPSEC),
    ("missing host-inbound bgp on peer st0 zone", "",
     "delete security zones security-zone VPN host-inbound-traffic protocols bgp",
     {"srx-a": (1, 2, ["Connect"]), "srx-b": (1, 2, ["Active"])}),
    ("wrong peer-as", "set protocols bgp group EBGP peer-as 300", "", TUNNEL_UP_BGP_DOWN),
    ("wrong neighbour address",
     "delete protocols bgp group EBGP neighbor 10.0.1.2\nset protocols bgp group EBGP neighbor 10.0.1.3", "",
     TUNNEL_UP_BGP_DOWN),
    ("bgp type internal vs external", "set protocols bgp group EBGP type internal", "", TUNNEL_UP_BGP_DOWN),
    ("no export policy: established, no prefixes", "", "delete protocols bgp group EBGP export", HEALTHY),
    ("both ends immediately", "", "set security ipsec vpn IPSEC-VPN establish-tunnels immediately", HEALTHY),
    ("ike lifetime and dpd differ (negotiable)", PROP + "lifetime-seconds 3600", GW + "dead-peer-detection interval 20",
     HEALTHY),
]


def test_reference_pair_converges(tmp_path):
    lab = deploy(tmp_path)
    assert state(lab) == HEALTHY
    p = lab.protocols
    ike = p.ike_sas("srx-a")[0]
    assert (ike.remote_address, ike.state, ike.exchange_type, ike.port) == ("1.1.1.2", "UP", "IKEv2", 500)
    inbound, outbound = p.ipsec_sas("srx-a")
    assert (inbound.direction, outbound.direction) == ("inbound", "outbound")
    assert (inbound.encryption, inbound.integrity, inbound.tunnel_id) == ("aes-cbc-256", "sha256", 131073)
    # the SPIs of one side are the other side's, reversed
    b_in, b_out = p.ipsec_sas("srx-b")
    assert (inbound.spi, outbound.spi) == (b_out.spi, b_in.spi)
    peer = p.bgp_peers("srx-a")[0]
    assert (peer.peer_as, peer.local_as, peer.peer_id, peer.local_interface) == (200, 100, "192.168.2.2", "st0.0")
    counts = (peer.received_prefixes, peer.accepted_prefixes, peer.active_prefixes, peer.advertised_prefixes)
    assert counts == (1, 1, 1, 1)
    assert p.bgp_peers("srx-b")[0].received_routes == ["192.168.1.1/32"]
    ping = p.ping("srx-a", "10.0.1.2", "10.0.1.1", 5)
    assert ping.received == 5
    assert p.ping("srx-b", "192.168.1.1", "192.168.2.2", 3).received == 3  # loopback learned over BGP


@pytest.mark.parametrize("name,a_extra,b_extra,expected", CASES, ids=[c[0] for c in CASES])
def test_misconfiguration(tmp_path, name, a_extra, b_extra, expected):
    lab = deploy(tmp_path, "\n" + a_extra, "\n" + b_extra)
    assert state(lab) == expected, lab.protocols.explain()
    if expected in (NO_IKE, NO_IPSEC):
        assert lab.protocols.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 0
    if name.startswith("wrong peer-as"):
        assert lab.protocols.bgp_peers("srx-a")[0].last_error == "Open Message Error"
    if name.startswith("no export"):
        assert lab.protocols.bgp_peers("srx-a")[0].received_prefixes == 0


def test_no_establish_tunnels_comes_up_only_with_traffic(tmp_path):
    no_bgp = "\ndelete protocols\ndelete security ipsec vpn IPSEC-VPN establish-tunnels"
    lab = deploy(tmp_path, no_bgp, "\ndelete protocols")
    p = lab.protocols
    assert state(lab) == {"srx-a": (0, 0, []), "srx-b": (0, 0, [])}
    assert p.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 0  # starts negotiation, is lost
    settle(lab)
    assert state(lab) == {"srx-a": (1, 2, []), "srx-b": (1, 2, [])}
    assert p.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 3


def test_bgp_over_on_traffic_tunnel_brings_it_up(tmp_path):
    lab = deploy(tmp_path, "\ndelete security ipsec vpn IPSEC-VPN establish-tunnels")
    assert state(lab) == HEALTHY


# srx-b behind the NAT of seed-pair-nat: it must present its public address as IKE identity
NAT_B = SRX_B.replace("1.1.1.2/24", "192.168.100.2/24")
NAT_B_ID = "\n" + GW + "local-identity inet 1.1.1.2"


def test_nat_in_path_uses_nat_t(tmp_path):
    lab = deploy(tmp_path, "", NAT_B_ID, topology="seed-pair-nat", b_base=NAT_B)
    assert state(lab) == HEALTHY
    assert {sa.port for sa in lab.protocols.ipsec_sas("srx-a")} == {4500}
    assert lab.protocols.ike_sas("srx-b")[0].remote_address == "1.1.1.1"
    assert lab.protocols.ike_sas("srx-a")[0].remote_address == "1.1.1.2"


def test_nat_in_path_without_nat_t_black_holes(tmp_path):
    lab = deploy(tmp_path, "\n" + GW + "no-nat-traversal", NAT_B_ID, topology="seed-pair-nat", b_base=NAT_B)
    assert state(lab) == TUNNEL_UP_BGP_DOWN
    assert {sa.port for sa in lab.protocols.ipsec_sas("srx-a")} == {500}
    assert lab.protocols.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 0


def test_link_cut_dpd_teardown_and_recovery(tmp_path):
    lab = deploy(tmp_path)
    spi = lab.protocols.ipsec_sas("srx-a")[0].spi
    assert lab.control({"op": "link", "device": "srx-b", "port": "ge-0/0/0", "state": "down"})["ok"]
    # DPD: interval 10 x threshold 3 lab seconds before the SAs drop
    assert state(lab)["srx-a"][:2] == (1, 2)
    time.sleep(30 * SCALE + 0.05)
    assert state(lab)["srx-a"] == (0, 0, ["Active"])
    lab.control({"op": "link", "device": "srx-b", "port": "ge-0/0/0", "state": "up"})
    settle(lab)
    assert state(lab) == HEALTHY
    assert lab.protocols.ipsec_sas("srx-a")[0].spi != spi  # renegotiated
    assert lab.protocols.bgp_peers("srx-a")[0].flaps == 1


def test_peer_stopped_and_started(tmp_path):
    lab = deploy(tmp_path)
    lab.devices["srx-b"].stop()
    time.sleep(30 * SCALE + 0.05)
    assert state(lab)["srx-a"] == (0, 0, ["Active"])
    lab.devices["srx-b"].start()
    settle(lab)
    assert state(lab) == HEALTHY


def test_unrelated_commit_does_not_renegotiate(tmp_path):
    lab = deploy(tmp_path)
    before = [sa.spi for sa in lab.protocols.ipsec_sas("srx-a")]
    push(lab, "srx-b", "set system host-name srx-b-renamed")
    assert [sa.spi for sa in lab.protocols.ipsec_sas("srx-a")] == before


def test_state_is_reached_only_after_delays(tmp_path):
    lab = make_lab(tmp_path)
    lab.time_scale = 0.1  # IKE 100 ms, BGP 300 ms
    push(lab, "srx-a", SRX_A)
    push(lab, "srx-b", SRX_B)
    assert state(lab) == {"srx-a": (0, 0, ["Active"]), "srx-b": (0, 0, ["Active"])}
    assert not lab.protocols.settled()
    settle(lab)
    assert state(lab) == HEALTHY
