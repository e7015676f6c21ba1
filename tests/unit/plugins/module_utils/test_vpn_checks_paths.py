# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The problems engine on the paths of external peers: backup gateway addresses, traffic
selectors (an IPsec SA pair each) and VPN monitoring."""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import evaluate, normalise_expectations


def ike_sa(remote, state="UP"):
    return {"state": state, "remote_address": remote, "index": 1}


def sa_pair(remote, tunnel_id, local_id=None, remote_id=None, monitoring=None):
    return [{"direction": d, "tunnel_id": tunnel_id, "remote_gateway": remote, "spi": f"{tunnel_id:x}{n}",
             "local_identity": local_id, "remote_identity": remote_id, "vpn_monitoring": monitoring}
            for n, d in enumerate(("inbound", "outbound"))]


SELECTORS = [{"local": "10.10.0.0/24", "remote": "10.99.0.0/16"},
             {"local": "169.254.10.1/32", "remote": "169.254.10.2"}]


def expect(**extra):
    return normalise_expectations(tunnels=[{"name": "a-x", "remote_address": "3.3.3.3", **extra}])


def kinds(result):
    return [p["kind"] for p in result["problems"]]


def test_tunnel_up_with_a_backup_gateway_holds_and_says_which_address():
    result = evaluate(expect(backup_addresses=["3.3.3.4"]), ike=[ike_sa("3.3.3.4")], ipsec=sa_pair("3.3.3.4", 7))
    assert result["ok"], result["problems"]
    assert result["tunnels"][0]["remote_address"] == "3.3.3.4"


def test_no_sa_with_any_gateway_names_the_primary():
    result = evaluate(expect(backup_addresses=["3.3.3.4"]), ike=[], ipsec=[])
    assert kinds(result) == ["no_ike_sa"] and "3.3.3.3" in result["problems"][0]["text"]


def test_an_sa_with_an_address_that_is_no_backup_does_not_count():
    result = evaluate(expect(backup_addresses=["3.3.3.4"]), ike=[ike_sa("3.3.3.5")], ipsec=sa_pair("3.3.3.5", 7))
    assert kinds(result) == ["no_ike_sa"]


def test_every_selector_has_its_sa_pair_by_identities():
    ipsec = [*sa_pair("3.3.3.3", 7, "10.10.0.0/24", "10.99.0.0/16"),
             *sa_pair("3.3.3.3", 8, "169.254.10.1/32", "169.254.10.2/32")]
    result = evaluate(expect(selectors=SELECTORS), ike=[ike_sa("3.3.3.3")], ipsec=ipsec)
    assert result["ok"], result["problems"]
    assert result["tunnels"][0]["selectors"] == 2


def test_a_selector_without_its_sa_pair_is_a_problem_naming_it():
    ipsec = sa_pair("3.3.3.3", 7, "10.10.0.0/24", "10.99.0.0/16")
    result = evaluate(expect(selectors=SELECTORS), ike=[ike_sa("3.3.3.3")], ipsec=ipsec)
    assert kinds(result) == ["selector_sa"]
    assert "169.254.10.1/32 -> 169.254.10.2/32" in result["problems"][0]["text"]
    assert "TS_UNACCEPTABLE" in result["problems"][0]["cause"]


def test_without_identities_in_the_output_the_pairs_are_counted():
    one = evaluate(expect(selectors=SELECTORS), ike=[ike_sa("3.3.3.3")], ipsec=sa_pair("3.3.3.3", 7))
    two = evaluate(expect(selectors=SELECTORS), ike=[ike_sa("3.3.3.3")],
                   ipsec=[*sa_pair("3.3.3.3", 7), *sa_pair("3.3.3.3", 8)])
    assert kinds(one) == ["selector_sa"] and two["ok"]


def test_no_ipsec_sa_at_all_is_one_problem_not_one_per_selector():
    result = evaluate(expect(selectors=SELECTORS), ike=[ike_sa("3.3.3.3")], ipsec=[])
    assert kinds(result) == ["no_ipsec_sa"]


def test_vpn_monitoring_must_be_up_when_configured():
    down = evaluate(expect(vpn_monitor=True), ike=[ike_sa("3.3.3.3")], ipsec=sa_pair("3.3.3.3", 7, monitoring="DOWN"))
    up = evaluate(expect(vpn_monitor=True), ike=[ike_sa("3.3.3.3")], ipsec=sa_pair("3.3.3.3", 7, monitoring="UP"))
    assert kinds(down) == ["vpn_monitor"] and up["ok"]
    assert "DOWN" in down["problems"][0]["text"]


def test_selector_prefixes_are_checked():
    import pytest
    from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import VpnCheckError
    with pytest.raises(VpnCheckError, match=r"tunnel a-x: selectors\[0\].remote is not a prefix"):
        expect(selectors=[{"local": "10.0.0.0/8", "remote": "10.0.0.0/40"}])


def test_selectors_read_the_detailed_ipsec_output_and_no_selectors_the_brief_one():
    from ansible_collections.netops.srx_vpn.plugins.module_utils import vpn_checks as V
    from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import RPC_IPSEC, RPC_IPSEC_DETAIL
    for exp, wanted in ((expect(selectors=SELECTORS), RPC_IPSEC_DETAIL), (expect(), RPC_IPSEC)):
        asked = []

        def call(xml, asked=asked):
            asked.append(xml)
            if "ike" in xml:
                return "<rpc-reply><ike-security-associations-information/></rpc-reply>"
            return "<rpc-reply><ipsec-security-associations-information/></rpc-reply>"

        V.poll(exp, call, timeout=0, interval=1)
        assert wanted in asked and ({RPC_IPSEC, RPC_IPSEC_DETAIL} - {wanted}).isdisjoint(asked), asked
