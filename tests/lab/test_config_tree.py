"""The Junos configuration tree: every format round-trips, edits behave like Junos."""
from __future__ import annotations

import pathlib

import pytest
from lxml import etree
from netutils.password import decrypt_juniper_type9
from srxlab import config as C

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
SRX_A = (FIXTURES / "srx-a-reference.set").read_text()


@pytest.fixture()
def tree():
    t = C.Node()
    assert C.load_set(t, SRX_A) == []
    return t


@pytest.mark.parametrize("fmt", ["set", "text", "xml", "json"])
def test_every_format_round_trips(tree, fmt):
    render, parse = {
        "set": (C.to_set, lambda s: _set_tree(s)),
        "text": (C.to_text, C.parse_text),
        "xml": (C.to_xml, C.parse_xml),
        "json": (C.to_json, C.parse_json),
    }[fmt]
    assert parse(render(tree)) == tree


def _set_tree(text):
    t = C.Node()
    assert C.load_set(t, text) == []
    return t


def test_text_uses_junos_layout(tree):
    text = C.to_text(tree)
    assert "    ike {\n        proposal IKE-PROPOSAL {\n            authentication-method pre-shared-keys;" in text
    assert "from-zone VPN to-zone UNTRUST {" in text
    assert "            interfaces {\n                st0.0;\n            }" in text
    assert "system-services {\n" + " " * 28 + "ike;\n" + " " * 28 + "ping;" in text
    assert "            family inet {\n                address 1.1.1.1/24;" in text
    assert 'pre-shared-key ascii-text "$9$' in text
    assert "autonomous-system 100;" in text


def test_psk_is_stored_as_a_9_secret_and_decodes(tree):
    stored = tree.get("security", "ike", "policy", "IKE-POLICY", "pre-shared-key", "ascii-text")
    assert stored.startswith("$9$") and decrypt_juniper_type9(stored) == "Juniper-lab-key-1"
    assert f'ascii-text "{stored}"; ## SECRET-DATA' in C.to_text(tree)
    # loading the same $9$ again is no change; the clear text again is a change
    same = tree.copy()
    C.load_set(same, f'set security ike policy IKE-POLICY pre-shared-key ascii-text "{stored}"')
    assert C.diff(tree, same) == ""
    again = tree.copy()
    C.load_set(again, 'set security ike policy IKE-POLICY pre-shared-key ascii-text "Juniper-lab-key-1"')
    assert "ascii-text" in C.diff(tree, again)


def test_several_statements_on_one_set_line(tree):
    pol = tree.get("security", "policies", "policy", ("VPN", "UNTRUST"), "policy", "VPN-TO-UNTRUST", "match")
    assert pol.get("source-address") == ["any"]
    assert pol.get("destination-address") == ["any"]
    assert pol.get("application") == ["any"]


def test_xml_shape_uses_junos_element_names(tree):
    xml = C.to_xml(tree)
    assert xml.findtext("interfaces/interface/name") == "ge-0/0/0"
    assert xml.findtext("interfaces/interface/unit/family/inet/address/name") == "1.1.1.1/24"
    assert xml.findtext("security/policies/policy/from-zone-name") == "VPN"
    assert xml.findtext("routing-options/autonomous-system/as-number") == "100"
    assert xml.find("security/zones/security-zone/interfaces/host-inbound-traffic/system-services/name").text == "ike"


def test_json_shape_matches_junos(tree):
    js = C.to_json(tree)["configuration"]
    assert js["interfaces"]["interface"][0]["name"] == "ge-0/0/0"
    assert js["security"]["ike"]["proposal"][0]["dh-group"] == "group14"
    assert js["protocols"]["bgp"]["group"][0]["neighbor"][0]["name"] == "10.0.1.2"


def test_diff_reads_like_junos(tree):
    new = tree.copy()
    assert C.load_set(new, "set security ike proposal IKE-PROPOSAL dh-group group19\n"
                           "delete security ipsec vpn IPSEC-VPN establish-tunnels\n"
                           "set interfaces st0 unit 1 family inet address 10.0.2.1/24") == []
    assert C.diff(tree, new) == (
        "[edit interfaces st0]\n"
        "+   unit 1 {\n"
        "+       family inet {\n"
        "+           address 10.0.2.1/24;\n"
        "+       }\n"
        "+   }\n"
        "[edit security ike proposal IKE-PROPOSAL]\n"
        "-  dh-group group14;\n"
        "+  dh-group group19;\n"
        "[edit security ipsec vpn IPSEC-VPN]\n"
        "-  establish-tunnels immediately;\n")


def test_diff_layout_of_one_line_statements_and_blocks():
    old = C.Node()
    C.load_set(old, "set system host-name vsrx01")
    new = old.copy()
    assert C.load_set(new, "set system host-name localhost\nset system ntp server 10.0.0.1") == []
    assert C.diff(old, new) == (
        "[edit system]\n"
        "-  host-name vsrx01;\n"
        "+  host-name localhost;\n"
        "+   ntp {\n"
        "+       server 10.0.0.1;\n"
        "+   }\n")


def test_deactivate_activate_and_rename(tree):
    t = tree.copy()
    assert C.load_set(t, "deactivate security ike gateway IKE-GATEWAY dead-peer-detection") == []
    assert "inactive: dead-peer-detection {" in C.to_text(t)
    assert "deactivate security ike gateway IKE-GATEWAY dead-peer-detection" in C.to_set(t)
    assert C.active_view(t).get("security", "ike", "gateway", "IKE-GATEWAY", "dead-peer-detection") is None
    assert C.load_set(t, "activate security ike gateway IKE-GATEWAY dead-peer-detection") == []
    assert t == tree
    assert C.load_set(t, "rename security ike proposal IKE-PROPOSAL to proposal P2") == []
    assert "P2" in dict(t.entries("security", "ike", "proposal"))


def test_bad_lines_are_reported_and_leave_nothing_behind(tree):
    t = tree.copy()
    errors = C.load_set(t, "set security ike gateway NEW address 1.1.1.300\n"
                           "set security ike gateway NEW2 bogus-statement 1\n"
                           "set protocols bgp group G neighbor 10.0.1\n"
                           "delete security ike proposal NOPE")
    assert errors[3].statement == "proposal NOPE"
    assert [(e.message, e.edit_path, e.severity) for e in errors] == [
        ("invalid ip address or hostname: 1.1.1.300", "[edit security ike gateway NEW address]", "error"),
        ("syntax error", "[edit security ike gateway NEW2]", "error"),
        ("invalid ip address: 10.0.1", "[edit protocols bgp group G neighbor]", "error"),
        ("statement not found", "[edit security ike]", "warning"),
    ]
    assert t == tree


def test_text_load_with_replace_and_delete_tags(tree):
    t = tree.copy()
    C.parse_text("security { ike { replace: proposal IKE-PROPOSAL { dh-group group19; } } }", t, "replace")
    prop = t.get("security", "ike", "proposal", "IKE-PROPOSAL")
    assert prop.get("dh-group") == "group19" and prop.get("encryption-algorithm") is None
    C.parse_text("protocols { delete: bgp; }", t, "merge")
    assert t.get("protocols", "bgp") is None


def test_xml_load_honours_operation_attributes(tree):
    t = tree.copy()
    cfg = etree.fromstring(
        '<configuration><security><ike><proposal operation="delete"><name>IKE-PROPOSAL</name></proposal>'
        '<gateway inactive="inactive"><name>IKE-GATEWAY</name></gateway></ike></security></configuration>')
    C.parse_xml(cfg, t)
    assert t.get("security", "ike", "proposal", "IKE-PROPOSAL") is None
    assert t.get("security", "ike", "gateway", "IKE-GATEWAY").inactive


def test_subtree_filter_and_path_filter(tree):
    flt = etree.fromstring("<configuration><security><ike><gateway><name>IKE-GATEWAY</name></gateway></ike>"
                           "</security></configuration>")
    sub = C.filter_tree(tree, flt)
    assert C.to_set(sub).splitlines()[0] == "set security ike gateway IKE-GATEWAY ike-policy IKE-POLICY"
    assert all(line.startswith("set security ike gateway") for line in C.to_set(sub).splitlines())
    wrapped, _obj = C.filter_by_path(tree, ["routing-options"])
    assert C.to_set(wrapped) == "set routing-options router-id 192.168.1.1\nset routing-options autonomous-system 100\n"


def test_unknown_top_level_junos_statements_are_kept(tree):
    t = tree.copy()
    assert C.load_set(t, "set snmp community public authorization read-only") == []
    assert "set snmp community public authorization read-only" in C.to_set(t)
    assert C.parse_text(C.to_text(t)) == t


def test_interface_dot_unit_shorthand_names_the_unit():
    t = C.Node()
    assert C.load_set(t, "set interfaces fe-0/0/2 vlan-tagging\n"
                         "set interfaces fe-0/0/2.10 vlan-id 10\n"
                         "set interfaces st0.1 family inet address 10.0.0.1/30\n"
                         "set security zones security-zone VPN interfaces st0.1") == []
    assert C.to_set(t).splitlines() == [
        "set interfaces fe-0/0/2 vlan-tagging",
        "set interfaces fe-0/0/2 unit 10 vlan-id 10",
        "set interfaces st0 unit 1 family inet address 10.0.0.1/30",
        "set security zones security-zone VPN interfaces st0.1",   # a zone lists units by name
    ]
    assert C.load_set(t, "delete interfaces fe-0/0/2.10") == []
    assert t.get("interfaces", "interface", "fe-0/0/2", "unit") is None
