"""The real backend's readers: vici list-sas entries and birdc output (as strongSwan 5.9 and
BIRD 2.0 print them) -> the lab's opstate records, in Junos' names."""
from __future__ import annotations

import datetime

from srxlab.real import state as S
from srxlab.real.translate import Neighbor

IKE_SA = {
    "uniqueid": b"7", "version": b"2", "state": b"ESTABLISHED", "local-host": b"1.1.1.1",
    "local-port": b"4500", "remote-host": b"1.1.1.2", "remote-port": b"4500", "initiator": b"yes",
    "initiator-spi": b"2043cfe9fbca27b3", "responder-spi": b"8328ae07f24c10b6", "nat-remote": b"yes",
    "nat-any": b"yes", "encr-alg": b"AES_CBC", "encr-keysize": b"256", "integ-alg": b"HMAC_SHA2_256_128",
    "prf-alg": b"PRF_HMAC_SHA2_256", "dh-group": b"MODP_2048", "established": b"6", "rekey-time": b"27469",
    "child-sas": {
        "IPSEC-VPN-1": {
            "name": b"IPSEC-VPN", "uniqueid": b"1", "state": b"INSTALLED", "protocol": b"ESP",
            "spi-in": b"dadf77fd", "spi-out": b"35688cf5", "encr-alg": b"AES_CBC", "encr-keysize": b"256",
            "integ-alg": b"HMAC_SHA2_256_128", "life-time": b"3954", "install-time": b"6",
            "local-ts": [b"10.0.1.0/24"], "remote-ts": [b"10.0.1.0/24"]},
        "OTHER-2": {"name": b"OTHER", "state": b"REKEYED"},
    },
}

PROTOCOLS = """BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     2026-12-03 15:51:17

direct1    Direct     ---        up     2026-12-03 15:51:17
  Channel ipv4
    State:          UP
    Routes:         3 imported, 0 exported, 3 preferred

bgp_10_0_1_2 BGP        ---        up     2026-12-03 15:51:18  Established
  Description:    group EBGP
  BGP state:          Established
    Neighbor address: 10.0.1.2
    Neighbor AS:      200
    Local AS:         100
    Neighbor ID:      192.168.2.2
    Session:          external multihop AS4
    Source address:   10.0.1.1
    Hold timer:       72.907/90
  Channel ipv4
    State:          UP
    Output filter:  export_0
    Routes:         1 imported, 1 exported, 1 preferred

bgp_10_0_9_2 BGP        ---        start  2026-12-03 15:52:01  Connect       Socket: No route to host
  BGP state:          Connect
    Neighbor address: 10.0.9.2
    Last error:       Socket: No route to host
  Channel ipv4
    State:          DOWN
"""

ROUTES = """BIRD 2.0.12 ready.
Table master4:
192.168.2.2/32       unicast [bgp_10_0_1_2 15:51:18.788] * (100) [AS200i]
\tvia 10.0.1.2 on st0.0
10.20.0.0/16         unicast [bgp_10_0_1_2 15:51:18.788] * (100) [AS200i]
\tvia 10.0.1.2 on st0.0
"""


def test_ike_sa_in_junos_terms():
    sa = S.ike_sa("IKE-GATEWAY", IKE_SA, now=1000.0, exchange="Main")
    assert sa.index == S.IKE_SA_INDEX_BASE + 7
    assert (sa.gateway, sa.state, sa.remote_address, sa.local_address) == ("IKE-GATEWAY", "UP", "1.1.1.2", "1.1.1.1")
    assert (sa.initiator_cookie, sa.responder_cookie) == ("2043cfe9fbca27b3", "8328ae07f24c10b6")
    assert (sa.exchange_type, sa.version, sa.role) == ("IKEv2", 2, "Initiator")
    assert (sa.encryption, sa.integrity, sa.prf, sa.dh_group) == (
        "aes256-cbc", "hmac-sha256-128", "hmac-sha256", "DH-group-14")
    assert (sa.port, sa.remote_port, sa.lifetime_seconds, sa.established_epoch) == (4500, 4500, 27469, 994.0)
    assert sa.nat_detected is False           # the peer's (faked) NAT is not ours


def test_ikev1_exchange_and_connecting_sa():
    v1 = dict(IKE_SA, version=b"1", initiator=b"", **{"dh-group": b"ECP_256"})
    sa = S.ike_sa("GW", v1, now=0.0, exchange="Aggressive")
    assert (sa.exchange_type, sa.role, sa.dh_group) == ("Aggressive", "Responder", "DH-group-19")
    assert S.ike_sa("GW", dict(IKE_SA, state=b"CONNECTING"), now=0.0, exchange="Main") is None


def test_ipsec_sas_both_directions_of_installed_children():
    ids = {}
    sas = S.ipsec_sas("IKE-GATEWAY", IKE_SA, 100.0, lambda v: ids.setdefault(v, 131073 + len(ids)),
                      {"IPSEC-VPN": "st0.0"}, {"IPSEC-VPN": "group14"})
    assert [(s.direction, s.spi) for s in sas] == [("inbound", "dadf77fd"), ("outbound", "35688cf5")]
    sa = sas[0]
    assert (sa.tunnel_id, sa.vpn, sa.gateway, sa.remote_gateway, sa.local_gateway) == (
        131073, "IPSEC-VPN", "IKE-GATEWAY", "1.1.1.2", "1.1.1.1")
    assert (sa.protocol, sa.encryption, sa.integrity, sa.lifetime_seconds, sa.port) == (
        "ESP", "aes-cbc-256", "sha256", 3954, 4500)
    assert (sa.bind_interface, sa.pfs_group, sa.established_epoch) == ("st0.0", "group14", 94.0)
    gcm = dict(IKE_SA["child-sas"]["IPSEC-VPN-1"], **{"encr-alg": b"AES_GCM_16", "integ-alg": b"",
                                                       "dh-group": b"ECP_384"})
    sas = S.ipsec_sas("G", dict(IKE_SA, **{"child-sas": {"x": gcm}}), 0.0, lambda v: 1, {})
    assert (sas[0].encryption, sas[0].integrity, sas[0].pfs_group) == ("aes-gcm-256", "none", "group20")
    assert S.ipsec_sas("G", dict(IKE_SA, state=b"DELETING"), 0.0, lambda v: 1, {}) == []


def test_bird_protocols_and_routes():
    protos = S.parse_protocols(PROTOCOLS)
    assert sorted(protos) == ["bgp_10_0_1_2", "bgp_10_0_9_2"]
    up = protos["bgp_10_0_1_2"]
    assert up.state == "Established"
    assert up.since == datetime.datetime(2026, 12, 3, 15, 51, 18)
    assert (up.imported, up.exported) == (1, 1)
    assert up.fields["Neighbor ID"] == "192.168.2.2"
    down = protos["bgp_10_0_9_2"]
    assert (down.state, down.fields["Last error"]) == ("Connect", "Socket: No route to host")
    assert S.parse_routes(ROUTES) == ["192.168.2.2/32", "10.20.0.0/16"]


def test_bgp_peer_record():
    nb = Neighbor(address="10.0.1.2", group="EBGP", protocol="bgp_10_0_1_2", peer_as=200, local_as=100,
                  local_address="10.0.1.1", internal=False, export=["EXPORT-LO"])
    protos = S.parse_protocols(PROTOCOLS)
    now = datetime.datetime(2026, 12, 3, 15, 52, 18)
    peer = S.bgp_peer(nb, protos["bgp_10_0_1_2"], now, "192.168.1.1", "st0.0",
                      S.parse_routes(ROUTES), ["192.168.1.1/32"], flaps=2)
    assert (peer.peer_address, peer.peer_as, peer.local_as, peer.state, peer.peer_type) == (
        "10.0.1.2", 200, 100, "Established", "External")
    assert (peer.peer_id, peer.local_id, peer.local_interface, peer.elapsed_seconds, peer.flaps) == (
        "192.168.2.2", "192.168.1.1", "st0.0", 60, 2)
    assert (peer.received_prefixes, peer.accepted_prefixes, peer.advertised_prefixes) == (2, 2, 1)
    assert peer.advertised_routes == ["192.168.1.1/32"]
    nb9 = Neighbor(address="10.0.9.2", group="G", protocol="bgp_10_0_9_2", peer_as=65001, local_as=65001,
                   local_address="10.0.9.1", internal=True, export=[])
    peer = S.bgp_peer(nb9, protos["bgp_10_0_9_2"], now, "1.1.1.1", None, [], [], 0)
    assert (peer.state, peer.peer_type, peer.last_error, peer.received_prefixes) == (
        "Connect", "Internal", "Socket: No route to host", 0)
    assert S.bgp_peer(nb9, None, now, "1.1.1.1", None, [], [], 0).state == "Idle"
