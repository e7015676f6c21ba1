"""Zones owned per interface, on a seed-pair lab with the real pipeline (``deploy_vpn.yml``).

Both devices already have an unrelated ``ge-0/0/1.0`` in their UNTRUST zone. The tunnel is
deployed with ``zones.vpn: UNTRUST`` (st0.0 in the external zone, the guide's layout, a shared
zone): a ``--check --diff`` shows no change to the unrelated interface, the deploy keeps it and
the tunnel verifies. Then ``zones.vpn`` is renamed twice, each in one run - to the product's own
zone ``VPN`` (st0.0 leaves the shared zone) and to another own zone ``TUNNELS`` (st0.0 leaves
the old own zone) - and each commit succeeds, the tunnel verifies, ge-0/0/1.0 stays.
"""
from __future__ import annotations

import contextlib
import re

import pytest
import yaml
from helpers import (
    LAB_INVENTORY,
    PAIR,
    TUNNEL,
    Inventory,
    Lab,
    new_psk,
    tunnel_problems,
)
from ncclient.operations import RPCError

pytestmark = pytest.mark.xdist_group("shared-zones")
OTHER = {"srx-a": "192.0.2.1/24", "srx-b": "198.51.100.1/24"}


def zone_of(config: list[str], ifl: str) -> set[str]:
    return {m.group(1) for line in config
            if (m := re.match(rf"set security zones security-zone (\S+) interfaces {re.escape(ifl)}(\s|$)", line))}


def add_unrelated_interface(lab: Lab, name: str) -> None:
    """What an operator configured before the product: ge-0/0/1.0 in UNTRUST, with its own
    host-inbound ssh."""
    with lab.connect(name) as nc:
        nc.lock()
        try:
            nc.load_configuration(action="set", config=[
                f"set interfaces ge-0/0/1 unit 0 family inet address {OTHER[name]}",
                ("set security zones security-zone UNTRUST interfaces ge-0/0/1.0 host-inbound-traffic "
                "system-services ssh")])
            nc.commit(comment="test: an unrelated interface in UNTRUST")
        finally:
            with contextlib.suppress(RPCError):
                nc.unlock()


def test_a_shared_zone_keeps_its_other_interfaces_and_st0_moves_between_zones(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    intent = yaml.safe_load((LAB_INVENTORY / "group_vars" / "all" / "srx_vpn.yml").read_text())
    devices = {p.stem: yaml.safe_load(p.read_text())["srx_vpn_device"]
               for p in sorted((LAB_INVENTORY / "host_vars").glob("*.yml"))}
    with Lab("seed-pair", "zones") as lab:
        for name in PAIR:
            add_unrelated_interface(lab, name)
            devices[name]["zones"] = {"untrust": "UNTRUST", "vpn": "UNTRUST"}
        inv = Inventory(lab, tmp_path_factory.mktemp("shared-zones"))
        inv.write(devices, intent["srx_vpn_tunnels"], {TUNNEL: new_psk()})

        # --check --diff: st0.0 joins UNTRUST, nothing else of the zone changes
        check = inv.deploy("--check", "--diff")
        assert check.rc == 0, check.describe()
        assert "ge-0/0/1.0" not in check.stdout, check.describe(200)
        assert "st0.0" in check.stdout, check.describe(200)

        def deploy_and_verify(zone: str) -> None:
            run = inv.deploy()
            assert run.rc == 0, run.describe()
            report = run.report()
            assert report is not None and report["run"]["outcomes"][TUNNEL]["outcome"] == "changed-verified", \
                (report or {}).get("run")
            snaps = lab.snapshots(PAIR)
            for name in PAIR:
                config = snaps[name].config
                assert zone_of(config, "st0.0") == {zone}, (name, zone, [x for x in config if "zones" in x])
                assert zone_of(config, "ge-0/0/1.0") == {"UNTRUST"}, (name, [x for x in config if "zones" in x])
                assert ("set security zones security-zone UNTRUST interfaces ge-0/0/1.0 host-inbound-traffic "
                        "system-services ssh") in config, name
                assert zone_of(config, "ge-0/0/0.0") == {"UNTRUST"}, name
                if zone == "UNTRUST":   # shared: no zone-wide host-inbound added to the external zone
                    assert not [x for x in config if x.startswith(
                        "set security zones security-zone UNTRUST host-inbound-traffic")], name
            problems = tunnel_problems(lab, inv, TUNNEL)
            assert not problems, "\n".join(problems)

        deploy_and_verify("UNTRUST")
        # rename to the product's own zone: st0.0 leaves UNTRUST and joins VPN in one commit
        for name in PAIR:
            inv.set_device(name, zones={"untrust": "UNTRUST", "vpn": "VPN"})
        deploy_and_verify("VPN")
        # and to another own zone: st0.0 leaves VPN for TUNNELS in one commit
        for name in PAIR:
            inv.set_device(name, zones={"untrust": "UNTRUST", "vpn": "TUNNELS"})
        deploy_and_verify("TUNNELS")
