"""IKE responder matching through real clients (ncclient, junos-eznc): srx-b's IKE gateway names an address that
is not srx-a's, so srx-b has no gateway that answers srx-a's initiation, and neither end
shows an IKE SA (read with ncclient); `srxlab explain` says why. Correcting the address on
srx-b brings the SAs up on both ends."""
from __future__ import annotations

import pathlib
import time

import pytest
from helpers import TIME_SCALE, Lab, find_all, find_text, wait_until
from jnpr.junos import Device as PyEzDevice
from jnpr.junos.utils.config import Config
from lxml import etree

PAIR_CONFIGS = pathlib.Path(__file__).resolve().parents[1] / "lab" / "fixtures"
GATEWAY = "set security ike gateway IKE-GATEWAY "
WRONG_PEER = ["delete security ike gateway IKE-GATEWAY address", GATEWAY + "address 1.1.1.3"]
RIGHT_PEER = ["delete security ike gateway IKE-GATEWAY address", GATEWAY + "address 1.1.1.1"]
IKE_SECONDS = 1.0 + 0.3  # lab seconds until IKE and IPsec SAs are up once a tunnel can come up


def commit(lab: Lab, name: str, lines: list[str]) -> None:
    with lab.connect(name) as nc:
        nc.lock()
        nc.load_configuration(action="set", config=lines)
        nc.commit()
        nc.unlock()


def ike_sas(lab: Lab, name: str) -> list[tuple[str | None, str | None]]:
    """(remote address, state) of every IKE SA ``name`` shows."""
    with lab.connect(name) as nc:
        reply = nc.rpc(etree.Element("get-ike-security-associations-information"))
    return [(find_text(sa, "ike-sa-remote-address"), find_text(sa, "ike-sa-state"))
            for sa in find_all(reply, "ike-security-associations")]


@pytest.fixture
def pair(lab: Lab):
    for name in ("srx-a", "srx-b"):
        lab.reset(name)
        lines = (PAIR_CONFIGS / f"{name}-reference.set").read_text().splitlines()
        commit(lab, name, [line for line in lines if line.strip()] + (WRONG_PEER if name == "srx-b" else []))
    yield lab
    for name in ("srx-a", "srx-b"):
        lab.reset(name)


def test_no_ike_sa_when_the_responder_has_no_matching_gateway(pair: Lab):
    committed = pair.committed_set("srx-b")
    assert GATEWAY + "address 1.1.1.3" in committed
    assert GATEWAY + "address 1.1.1.1" not in committed
    assert pair.srxlab("wait-settled", "--timeout", "10", check=False).returncode == 0
    time.sleep(3 * IKE_SECONDS * TIME_SCALE)  # well past the moment the SAs would be up
    assert ike_sas(pair, "srx-a") == []
    assert ike_sas(pair, "srx-b") == []
    explain = pair.srxlab("explain").stdout
    assert ("tunnel srx-a:IKE-GATEWAY <-> srx-b: DOWN: srx-b has no IKE gateway matching srx-a: "
            "none has address 1.1.1.1") in explain, explain
    assert "tunnel srx-b:IKE-GATEWAY <-> 1.1.1.3: DOWN: peer unreachable: no device has 1.1.1.3" in explain, explain

    commit(pair, "srx-b", RIGHT_PEER)
    assert wait_until(lambda: ike_sas(pair, "srx-a") == [("1.1.1.2", "UP")]
                      and ike_sas(pair, "srx-b") == [("1.1.1.1", "UP")], 20), pair.srxlab("explain").stdout


def _pyez(lab: Lab, name: str):
    d = lab.device(name)
    dev = PyEzDevice(host=d.host, port=d.port, user=d.username, passwd=d.password,
                     gather_facts=False, auto_probe=5, timeout=30)
    return dev.open()


def _pyez_ike_sas(dev) -> list[tuple[str | None, str | None]]:
    reply = dev.rpc.get_ike_security_associations_information()
    return [(sa.findtext("ike-sa-remote-address"), sa.findtext("ike-sa-state"))
            for sa in reply.iter("ike-security-associations")]


def test_junos_eznc_sees_the_same_responder_matching(pair: Lab):
    """The same through junos-eznc: Config commits the correction, the RPC reads the SAs."""
    devs = {name: _pyez(pair, name) for name in ("srx-a", "srx-b")}
    try:
        time.sleep(3 * IKE_SECONDS * TIME_SCALE)
        assert _pyez_ike_sas(devs["srx-a"]) == [] and _pyez_ike_sas(devs["srx-b"]) == []
        with Config(devs["srx-b"], mode="exclusive") as cu:
            cu.load("\n".join(RIGHT_PEER), format="set")
            cu.commit()
        assert wait_until(lambda: _pyez_ike_sas(devs["srx-a"]) == [("1.1.1.2", "UP")]
                          and _pyez_ike_sas(devs["srx-b"]) == [("1.1.1.1", "UP")], 20), pair.srxlab("explain").stdout
        with Config(devs["srx-b"], mode="exclusive") as cu:
            cu.load("\n".join(WRONG_PEER), format="set")
            cu.commit()
        assert wait_until(lambda: _pyez_ike_sas(devs["srx-a"]) == [] and _pyez_ike_sas(devs["srx-b"]) == [], 20), \
            pair.srxlab("explain").stdout
    finally:
        for dev in devs.values():
            dev.close()
