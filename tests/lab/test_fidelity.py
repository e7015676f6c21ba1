"""Junos behaviours that outside clients (junipernetworks.junos modules, their integration
tests) rely on: show interfaces / show route in XML, JSON and text, show configuration of
an absent statement, the diff layout, invalid statements refused with Junos' error shape."""
from __future__ import annotations

import json

import pytest
from srxlab.lab import Lab
from test_device import commit, errors, load_set, rpc, topology


@pytest.fixture
def lab(tmp_path):
    lab = Lab(topology(), tmp_path)
    yield lab
    lab.shutdown()


@pytest.fixture
def s(lab):
    return lab.devices["srx-a"].new_session("root")


def command(session, line, fmt="text"):
    return rpc(session, f"<command format='{fmt}'>{line}</command>")


def test_show_interfaces_lo0_exists_unconfigured_with_its_index(s):
    reply = command(s, "show interfaces lo0", "xml")[0]
    phys = reply.findall("physical-interface")
    assert [p.findtext("name") for p in phys] == ["lo0"]
    assert phys[0].findtext("local-index") == "6" and phys[0].findtext("snmp-index") == "6"
    assert phys[0].findtext("oper-status") == "up" and phys[0].findtext("if-type") == "Loopback"
    data = json.loads(command(s, "show interfaces lo0", "json")[0])
    assert data["interface-information"][0]["physical-interface"][0]["name"][0]["data"] == "lo0"
    text = command(s, "show interfaces lo0")[0].text
    assert "Physical interface: lo0, Enabled, Physical link is Up" in text
    assert "Interface index: 6, SNMP ifIndex: 6" in text


def test_show_interfaces_units_addresses_and_ports(s):
    load_set(s, "set interfaces lo0 unit 0 family inet address 192.0.2.1/32")
    commit(s)
    reply = command(s, "show interfaces", "xml")[0]
    names = [p.findtext("name") for p in reply.findall("physical-interface")]
    assert names[:2] == ["ge-0/0/0", "ge-0/0/1"] and "lo0" in names
    lo0 = reply.find("physical-interface[name='lo0']")
    unit = lo0.find("logical-interface")
    assert unit.findtext("name") == "lo0.0"
    assert unit.findtext("address-family/address-family-name") == "inet"
    assert unit.findtext("address-family/interface-address/ifa-local") == "192.0.2.1"
    ge = reply.find("physical-interface[name='ge-0/0/0']/logical-interface/address-family/interface-address")
    assert ge.findtext("ifa-destination") == "1.1.1.0/24" and ge.findtext("ifa-local") == "1.1.1.1"
    # the RPC form: normal style unless <terse/>
    normal = rpc(s, "<get-interface-information><interface-name>lo0</interface-name></get-interface-information>")
    assert normal[0].findtext("physical-interface/local-index") == "6"
    terse = rpc(s, "<get-interface-information><terse/><interface-name>lo0</interface-name>"
                   "</get-interface-information>")
    assert terse[0].find("physical-interface/local-index") is None
    assert errors(rpc(s, "<get-interface-information><interface-name>ge-9/9/9</interface-name>"
                         "</get-interface-information>"))[0][2] == "device ge-9/9/9 not found"


def test_disabled_interface_is_administratively_down(s):
    load_set(s, "set interfaces ge-0/0/1 disable")
    commit(s)
    phys = command(s, "show interfaces ge-0/0/1", "xml")[0].find("physical-interface")
    assert phys.findtext("admin-status") == "down" and phys.findtext("oper-status") == "down"
    assert "Physical interface: ge-0/0/1, Administratively down, Physical link is Down" in \
        command(s, "show interfaces ge-0/0/1")[0].text


def test_show_route_direct_local_and_static(s):
    load_set(s, "set routing-options static route 10.9.0.0/16 next-hop 1.1.1.254")
    commit(s)
    reply = rpc(s, "<get-route-information/>")[0]
    table = reply.find("route-table")
    assert table.findtext("table-name") == "inet.0"
    rts = {rt.findtext("rt-destination"): rt.find("rt-entry") for rt in table.findall("rt")}
    assert rts["1.1.1.0/24"].findtext("protocol-name") == "Direct"
    assert rts["1.1.1.1/32"].findtext("protocol-name") == "Local"
    assert rts["10.9.0.0/16"].findtext("protocol-name") == "Static"
    assert rts["10.9.0.0/16"].findtext("nh/to") == "1.1.1.254"
    assert rts["10.9.0.0/16"].findtext("nh/via") == "ge-0/0/0.0"
    assert table.findtext("destination-count") == str(len(rts))
    text = command(s, "show route")[0].text
    assert f"inet.0: {len(rts)} destinations, {len(rts)} routes ({len(rts)} active, 0 holddown, 0 hidden)" in text
    assert "10.9.0.0/16        *[Static/5] 00:00:00" in text
    assert json.loads(command(s, "show route", "json")[0])["route-information"][0]["route-table"]


def test_show_route_is_numeric_and_skips_unreachable_static_routes(s):
    load_set(s, "\n".join([
        "set interfaces ge-0/0/1 unit 0 family inet address 1.1.1.9/28",        # same network, longer
        "set interfaces ge-0/0/2 unit 0 family inet address 10.0.10.1/255.255.255.0",
        "set routing-options static route 9.0.0.0/8 next-hop 10.0.10.254",
        "set routing-options static route 10.8.0.0/16 next-hop 2001:db8::1",   # not an inet.0 next hop
        "set routing-options static route 10.7.0.0/16 next-hop 192.0.2.1",     # no connected subnet holds it
    ]))
    commit(s)
    table = rpc(s, "<get-route-information/>")[0].find("route-table")
    dests = [rt.findtext("rt-destination") for rt in table.findall("rt")]
    assert "10.8.0.0/16" not in dests and "10.7.0.0/16" not in dests
    assert "10.0.10.0/24" in dests and "10.0.10.1/32" in dests and "9.0.0.0/8" in dests
    assert dests.index("1.1.1.0/24") < dests.index("1.1.1.0/28") < dests.index("1.1.1.1/32") \
        < dests.index("1.1.1.9/32") < dests.index("9.0.0.0/8") < dests.index("10.0.10.0/24")


def test_show_configuration_of_an_unconfigured_statement_is_empty(s):
    reply = command(s, "show configuration system ntp")
    assert reply[0].tag == "configuration-information"
    assert reply[0].findtext("configuration-output") == "\n"
    assert command(s, "show configuration system ntp | display set", "text")[0].text == "\n"
    # a word that is no statement there is still a syntax error
    err = errors(command(s, "show configuration system foo"))
    assert err[0][0] == "error" and err[0][2] == "syntax error"


def test_unknown_statement_under_system_is_a_syntax_error(s):
    err = errors(load_set(s, "set system host-name ok\nset system foo"))
    assert err == [("error", "[edit system]", "syntax error")]
    reply = load_set(s, "set system foo")
    assert reply[0].findtext("load-error-count") == "1"
    # real [edit system] statements the schema does not model stay accepted
    assert errors(load_set(s, "set system syslog host 192.0.2.9 any any\n"
                              "set system ntp boot-server 192.0.2.10\n"
                              "set system processes dhcp disable")) == []


def test_diff_of_a_host_name_change_reads_as_on_junos(s):
    load_set(s, "set system host-name localhost")
    out = rpc(s, "<get-configuration compare='rollback' rollback='0' format='text'/>")[0]
    assert out.findtext("configuration-output") == (
        "[edit system]\n-  host-name srx-a;\n+  host-name localhost;\n")


def test_interface_and_route_replies_carry_junos_newlines_on_the_wire(s):
    from srxlab.netconf import _results_reply
    wire = _results_reply({"message-id": "1"}, command(s, "show interfaces lo0", "xml")).decode()
    assert "<name>\nlo0\n</name>" in wire and "<local-index>\n6\n</local-index>" in wire
    assert "<route-information" in _results_reply({}, rpc(s, "<get-route-information/>")).decode()
    # other replies keep their values as they are
    version = _results_reply({}, rpc(s, "<get-software-information/>")).decode()
    assert "<host-name>srx-a</host-name>" in version


def test_junos_statements_outside_the_modelled_subset_are_accepted(s):
    """[edit security], [edit security zones] and [edit protocols bgp] take the Junos
    statements the schema does not model (as generic statements), as a device would."""
    assert errors(load_set(s, "set security screen ids-option test_screen ip block-frag\n"
                              "set security zones functional-zone management interfaces ge-0/0/1\n"
                              "set protocols bgp hold-time 5\n"
                              "set protocols bgp log-updown\n"
                              "set security zones security-zone Z screen test_screen\n"
                              "set security zones security-zone Z application-tracking\n"
                              "set security zones security-zone Z advance-policy-based-routing-profile P")) == []
    text = rpc(s, "<get-configuration format='set'/>")[0].text
    assert "set protocols bgp hold-time 5" in text
    assert "set security zones security-zone Z screen test_screen" in text
    # the management functional zone lists its interfaces as Junos does in XML
    xml = rpc(s, "<get-configuration><configuration><security><zones/></security></configuration>"
                 "</get-configuration>")[0]
    assert xml.findtext("security/zones/functional-zone/management/interfaces/name") == "ge-0/0/1"
    assert "set security zones functional-zone management interfaces ge-0/0/1" in text
