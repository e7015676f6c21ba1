"""The same IKE, IPsec and BGP state read through ncclient, junos-eznc and junos_command
(XML, JSON and CLI text) is the same state: the module's XML parsers (module_utils/srx_state)
and the filters' readers of every shape (plugin_utils/state_inputs) give the same records."""
from __future__ import annotations

import json
import pathlib

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    bgp,
    ike,
    ipsec,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import state_inputs
from helpers import Lab, wait_until
from jnpr.junos import Device
from lxml import etree

PAIR_CONFIGS = pathlib.Path(__file__).resolve().parents[1] / "lab" / "fixtures"
PARSERS = [state_inputs.parse_ike_sas, state_inputs.parse_ipsec_sas, state_inputs.parse_bgp_peers]
XML_PARSERS = [ike.parse_ike_sas, ipsec.parse_ipsec_sas, bgp.parse_bgp_peers]  # the vpn_state module's
RPCS = ["get-ike-security-associations-information", "get-security-associations-information",
        "get-bgp-summary-information"]
VOLATILE = {"elapsed_seconds", "lifetime_seconds", "input_messages", "output_messages"}


@pytest.fixture(scope="module")
def pair(lab: Lab):
    """The reference pair configured and converged (tests/lab/fixtures/*-reference.set)."""
    for name in ("srx-a", "srx-b"):
        lab.reset(name)
        lines = (PAIR_CONFIGS / f"{name}-reference.set").read_text().splitlines()
        with lab.connect(name) as nc:
            nc.lock()
            nc.load_configuration(action="set", config=[line for line in lines if line.strip()])
            nc.commit()
            nc.unlock()
    assert wait_until(lambda: lab.srxlab("wait-settled", "--timeout", "1", check=False).returncode == 0, 30)
    yield lab
    for name in ("srx-a", "srx-b"):
        lab.reset(name)


def stable(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in records]


def test_ncclient_pyez_and_junos_command_agree(pair: Lab, tmp_path):
    with pair.connect("srx-a") as nc:
        replies = [str(nc.rpc(etree.Element(rpc))) for rpc in RPCS]
    via_ncclient = [parse(reply) for parse, reply in zip(XML_PARSERS, replies, strict=True)]
    assert via_ncclient == [parse(reply) for parse, reply in zip(PARSERS, replies, strict=True)]
    d = pair.device("srx-a")
    with Device(host=d.host, port=d.port, user=d.username, passwd=d.password, gather_facts=False) as dev:
        rpcs = [dev.rpc.get_ike_security_associations_information, dev.rpc.get_security_associations_information,
                dev.rpc.get_bgp_summary_information]
        via_pyez = [parse(call()) for parse, call in zip(PARSERS, rpcs, strict=True)]
        via_pyez_json = [parse(call({"format": "json"})) for parse, call in zip(PARSERS, rpcs, strict=True)]
    out = tmp_path / "state.json"
    result = pair.run_playbook("state_commands.yml", extra_vars={"target": "srx-a", "out": str(out)})
    assert result.rc == 0, result
    saved = json.loads(out.read_text())
    via_text = [parse(text) for parse, text in zip(PARSERS, saved["text"], strict=True)]
    via_json = [parse(data) for parse, data in zip(PARSERS, saved["json"], strict=True)]

    ike, ipsec, bgp = via_ncclient
    assert [(s["remote_address"], s["state"]) for s in ike] == [("1.1.1.2", "UP")]
    assert sorted(s["direction"] for s in ipsec) == ["inbound", "outbound"]
    assert [(p["peer_address"], p["state"], p["received_prefixes"]) for p in bgp] == [("10.0.1.2", "Established", 1)]
    for name, other in (("junos-eznc xml", via_pyez), ("junos-eznc json", via_pyez_json),
                        ("junos_command text", via_text), ("junos_command json", via_json)):
        assert [stable(x) for x in other] == [stable(x) for x in via_ncclient], name
