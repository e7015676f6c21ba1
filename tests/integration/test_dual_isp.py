"""Two uplinks: a spoke on two ISPs reaches its hub with a tunnel over each (lab/topologies/
dual-isp.yml), deployed with the real pipeline (``deploy_vpn.yml``).

The spoke's second uplink (``uplinks: [{name: isp2, interface: ge-0/0/2.0, ...}]``) gets its
address and its place in the external zone; the second tunnel's IKE gateway uses it
(``uplink: isp2``) and has VPN monitoring. Cutting the first ISP's link takes the first tunnel
down (dead peer detection on the hub), while the second tunnel and its BGP session keep the
spoke's loopback reachable from the hub; restoring the link brings the first tunnel back, and a
second run changes nothing.
"""
from __future__ import annotations

import pytest
from helpers import Inventory, Lab, new_psk, wait_until

pytestmark = pytest.mark.xdist_group("dual-isp")

HUB, SPOKE = "hub-1", "spoke-1"
ISP1, ISP2 = "1.1.1.21", "2.2.2.21"
DEVICES = {
    HUB: {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.10/24", "asn": 65000,
          "loopback": "192.168.40.1/32"},
    SPOKE: {"external_interface": "ge-0/0/0.0", "external_address": f"{ISP1}/24", "asn": 65101,
            "loopback": "192.168.40.21/32",
            "uplinks": [{"name": "isp2", "interface": "ge-0/0/2.0", "address": f"{ISP2}/24"}]},
}
DPD = {"interval": 10, "threshold": 3}
TUNNELS = [
    {"name": "hub-spoke", "ends": [{"device": HUB, "st0_unit": 1, "address": "10.40.1.1/30"},
                                   {"device": SPOKE, "st0_unit": 0, "address": "10.40.1.2/30"}],
     "ike": {"version": "v2", "profile": "default", "dpd": DPD}},
    {"name": "hub-spoke-isp2", "ends": [{"device": HUB, "st0_unit": 2, "address": "10.40.2.1/30"},
                                        {"device": SPOKE, "st0_unit": 1, "address": "10.40.2.2/30",
                                         "uplink": "isp2"}],
     "ike": {"version": "v2", "profile": "default", "dpd": DPD},
     "ipsec": {"profile": "default", "vpn_monitor": {"enabled": True}}},
]


def test_a_spoke_on_two_isps_keeps_its_routes_when_one_fails(tmp_path_factory: pytest.TempPathFactory) -> None:
    with Lab("dual-isp", "dualisp") as lab:
        inv = Inventory(lab, tmp_path_factory.mktemp("dual-isp"))
        inv.write(DEVICES, TUNNELS, {t["name"]: new_psk() for t in TUNNELS})
        run = inv.deploy()
        assert run.rc == 0, run.describe()
        report = run.report()
        assert report is not None
        assert {t: o["outcome"] for t, o in report["run"]["outcomes"].items()} == {
            "hub-spoke": "changed-verified", "hub-spoke-isp2": "changed-verified"}, report["run"]

        spoke_config = lab.committed_set(SPOKE)
        for line in (f"set interfaces ge-0/0/2 unit 0 family inet address {ISP2}/24",
                     "set security zones security-zone UNTRUST interfaces ge-0/0/2.0 host-inbound-traffic "
                     "system-services ike",
                     "set security ike gateway IKE-GW-HUB-SPOKE-ISP2 external-interface ge-0/0/2.0",
                     "set security ike gateway IKE-GW-HUB-SPOKE external-interface ge-0/0/0.0"):
            assert line in spoke_config, line
        hub_config = lab.committed_set(HUB)
        assert f"set security ike gateway IKE-GW-HUB-SPOKE-ISP2 address {ISP2}" in hub_config
        assert ("set security ipsec vpn IPSEC-VPN-HUB-SPOKE-ISP2 vpn-monitor destination-ip 10.40.2.2"
                in hub_config)

        # both paths up, seen from the hub
        assert lab.ike_sas(HUB) == {ISP1: "UP", ISP2: "UP"}
        peers = lab.bgp_peers(HUB)
        assert peers["10.40.1.2"]["state"] == peers["10.40.2.2"]["state"] == "Established", peers
        assert lab.ping(HUB, "192.168.40.21", "192.168.40.1") == (3, 3)

        # the first ISP fails: its tunnel goes (DPD), the second carries the spoke's routes
        lab.srxlab("link", "down", SPOKE, "ge-0/0/0")
        assert wait_until(lambda: ISP1 not in lab.ike_sas(HUB), 60), lab.ike_sas(HUB)
        assert lab.ike_sas(HUB) == {ISP2: "UP"}
        assert wait_until(lambda: lab.bgp_peers(HUB)["10.40.1.2"]["state"] != "Established", 60)
        peers = lab.bgp_peers(HUB)
        assert peers["10.40.2.2"]["state"] == "Established" and peers["10.40.2.2"]["received"] >= 1, peers
        assert lab.ping(HUB, "192.168.40.21", "192.168.40.1") == (3, 3), "the spoke's loopback over ISP 2"
        assert lab.ping(HUB, "10.40.1.2", "10.40.1.1")[1] == 0, "no answer over the dead first path"

        # the first ISP is back: both tunnels up again, and the intent still holds (changed=0)
        lab.srxlab("link", "up", SPOKE, "ge-0/0/0")
        assert wait_until(lambda: lab.ike_sas(HUB) == {ISP1: "UP", ISP2: "UP"}, 60), lab.ike_sas(HUB)
        assert wait_until(lambda: lab.bgp_peers(HUB)["10.40.1.2"]["state"] == "Established", 60)
        again = inv.deploy()
        assert again.rc == 0 and again.changed(HUB) == 0 and again.changed(SPOKE) == 0, again.describe()
