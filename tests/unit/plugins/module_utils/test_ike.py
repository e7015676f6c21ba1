# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/srx_state/ike.py: IKE SAs from the XML reply."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.ike import (
    parse_ike_sas,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    IKE_FIELDS,
    SrxStateError,
)
from state_cases import IKE_BRIEF, IKE_DETAIL, fixture, ike


def ike_xml(fields):
    return (
        "<ike-security-associations-information><ike-security-associations>"
        f"{fields}</ike-security-associations></ike-security-associations-information>"
    )


@pytest.mark.parametrize(("name", "expected"), [
    ("ike_brief.xml", IKE_BRIEF),
    ("ike_detail.xml", IKE_DETAIL),
    ("ike_cluster.xml", [IKE_BRIEF[0],
                         ike(7801123, "203.0.113.9", "UP", "aa00bb11cc22dd33", "ee44ff5566778899", "IKEv2")]),
])
def test_xml_replies(name, expected):
    records = parse_ike_sas(fixture(name))
    assert records == expected
    assert all(tuple(r) == IKE_FIELDS for r in records)


def test_detail_values_from_the_block():
    """Detail replies carry the gateway name and local address in the SA block."""
    assert {r["gateway"] for r in parse_ike_sas(fixture("ike_detail.xml"))} == {"IKE-GATEWAY", "GW-HUB"}
    assert [dict(r, local_address=None, gateway=None) for r in parse_ike_sas(fixture("ike_detail.xml"))] \
        == IKE_BRIEF[:2]


@pytest.mark.parametrize("reply", [
    "<ike-security-associations-information/>",
    "<rpc-reply><output>\n</output></rpc-reply>",
    ("<rpc-reply><multi-routing-engine-results><multi-routing-engine-item><re-name>node0</re-name>"
     "</multi-routing-engine-item></multi-routing-engine-results></rpc-reply>"),
])
def test_empty(reply):
    assert parse_ike_sas(reply) == []


@pytest.mark.parametrize(("fields", "message"), [
    ("<ike-sa-index>x1</ike-sa-index>", "IKE SA index must be an integer, got 'x1'"),
    ("<ike-sa-state>UP</ike-sa-state>", "neither an index nor a remote address"),
])
def test_malformed_entries(fields, message):
    with pytest.raises(SrxStateError, match=message):
        parse_ike_sas(ike_xml(fields))


def test_remote_address_with_port_and_upper_case_cookies():
    record = parse_ike_sas(ike_xml(
        "<ike-sa-index>1</ike-sa-index><ike-sa-remote-address>1.1.1.2:4500</ike-sa-remote-address>"
        "<ike-sa-state>up</ike-sa-state><ike-sa-initiator-cookie>ABCDEF0123456789</ike-sa-initiator-cookie>"))[0]
    assert (record["remote_address"], record["state"], record["initiator_cookie"]) == \
        ("1.1.1.2", "UP", "abcdef0123456789")
