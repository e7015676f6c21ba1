"""Traffic selectors and proxy-identity on the seed pair, with the real pipeline.

The tunnel a-b lists on each end the prefixes it protects (its loopback and its tunnel
address): the deploy renders one ``traffic-selector`` per pair of the two ends' selectors (four),
Junos (the lab) negotiates an IPsec SA pair for each, and the verification requires all four,
named by their identities. An operator then removes one selector on srx-b out of band: that pair
has no IPsec SA any more, and the audit (``validate_vpn.yml``, through the ``vpn_state`` module)
names it; the next deploy restores it. Last, the same tunnel as a proxy-identity (one prefix per
end) deploys and verifies.
"""
from __future__ import annotations

import contextlib

import pytest
import yaml
from helpers import LAB_INVENTORY, PAIR, TUNNEL, Inventory, Lab, new_psk
from ncclient.operations import RPCError

pytestmark = pytest.mark.xdist_group("traffic-selectors")

SELECTORS = {"srx-a": ["192.168.1.1/32", "10.0.1.1/32"], "srx-b": ["192.168.2.2/32", "10.0.1.2/32"]}


def intent_with(selectors: dict[str, list[str]], **ipsec) -> list[dict]:
    tunnels = yaml.safe_load((LAB_INVENTORY / "group_vars" / "all" / "srx_vpn.yml").read_text())["srx_vpn_tunnels"]
    t = tunnels[0]
    for end in t["ends"]:
        end["selectors"] = selectors[end["device"]]
    t["bgp"] = {"enabled": False}         # Junos runs no BGP on an st0 unit with selectors
    t["ipsec"] = {**t["ipsec"], **ipsec}
    return tunnels


def ipsec_pairs(lab: Lab, device: str, peer: str) -> int:
    return len(lab.ipsec_sas(device).get(peer, [])) // 2


def test_selectors_and_proxy_identity_deploy_verify_and_a_drift_is_named(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    devices = {p.stem: yaml.safe_load(p.read_text())["srx_vpn_device"]
               for p in sorted((LAB_INVENTORY / "host_vars").glob("*.yml"))}
    with Lab("seed-pair", "ts") as lab:
        inv = Inventory(lab, tmp_path_factory.mktemp("traffic-selectors"))
        inv.write(devices, intent_with(SELECTORS), {TUNNEL: new_psk()})
        run = inv.deploy()
        assert run.rc == 0, run.describe()
        assert run.report()["run"]["outcomes"][TUNNEL]["outcome"] == "changed-verified", run.report()["run"]
        config = lab.committed_set("srx-a")
        selectors = sorted(line.split()[6:] for line in config
                           if line.startswith("set security ipsec vpn IPSEC-VPN-A-B traffic-selector"))
        assert len(selectors) == 8, selectors   # 4 selectors x (local-ip, remote-ip)
        assert ["TS-4", "local-ip", "10.0.1.1/32"] in selectors and ["TS-4", "remote-ip", "10.0.1.2/32"] in selectors
        assert not [line for line in config if "protocols bgp" in line]
        assert ipsec_pairs(lab, "srx-a", "1.1.1.2") == ipsec_pairs(lab, "srx-b", "1.1.1.1") == 4
        assert lab.ping("srx-a", "10.0.1.2", "10.0.1.1") == (3, 3)

        # drift: srx-b's operator deletes one selector; that pair gets no IPsec SA and the audit says which
        with lab.connect("srx-b") as nc:
            nc.lock()
            try:
                nc.load_configuration(action="set", config=[
                    "delete security ipsec vpn IPSEC-VPN-A-B traffic-selector TS-1"])
                nc.commit(comment="test: an operator removes a selector")
            finally:
                with contextlib.suppress(RPCError):
                    nc.unlock()
        lab.wait_settled()
        assert ipsec_pairs(lab, "srx-a", "1.1.1.2") == 3
        audit = inv.run("validate", extra={"verify_timeout": 0})
        report = audit.report()
        assert report is not None and report["summary"]["problems"] >= 1, audit.describe()
        text = audit.text + yaml.safe_dump(report)
        assert "no IPsec SA with 1.1.1.2 for traffic selector 192.168.1.1/32 -> 192.168.2.2/32" in text, \
            audit.describe(120)
        again = inv.deploy()
        assert again.rc == 0, again.describe()
        assert again.report()["run"]["outcomes"][TUNNEL]["outcome"] == "changed-verified"
        assert ipsec_pairs(lab, "srx-a", "1.1.1.2") == 4

        # the same tunnel as a proxy-identity: one prefix per end
        inv.set_tunnels(intent_with({"srx-a": ["10.0.1.1/32"], "srx-b": ["10.0.1.2/32"]}, proxy_identity=True))
        proxy = inv.deploy()
        assert proxy.rc == 0, proxy.describe()
        assert proxy.report()["run"]["outcomes"][TUNNEL]["outcome"] == "changed-verified"
        for name in PAIR:
            config = lab.committed_set(name)
            assert not [line for line in config if "traffic-selector" in line], name
            assert "set security ipsec vpn IPSEC-VPN-A-B ike proxy-identity service any" in config, name
        assert ipsec_pairs(lab, "srx-a", "1.1.1.2") == 1
        assert lab.ping("srx-a", "10.0.1.2", "10.0.1.1") == (3, 3)
