# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/srx_state/ipsec.py: IPsec SAs from the XML reply."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.ipsec import (
    parse_ipsec_sas,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    IPSEC_FIELDS,
    SrxStateError,
)
from state_cases import IPSEC_TRAFFIC_SELECTORS, IPSEC_TWO_TUNNELS, IPSEC_TWO_TUNNELS_DETAIL, fixture

BAD_DIRECTION_XML = (
    "<ipsec-security-associations-information><ipsec-security-associations-block>"
    "<ipsec-security-associations><sa-direction>sideways</sa-direction>"
    "<sa-tunnel-index>1</sa-tunnel-index></ipsec-security-associations>"
    "</ipsec-security-associations-block></ipsec-security-associations-information>"
)


@pytest.mark.parametrize(("name", "expected"), [
    ("ipsec_brief.xml", IPSEC_TWO_TUNNELS),
    ("ipsec_detail.xml", IPSEC_TWO_TUNNELS_DETAIL),
    ("ipsec_ts_detail.xml", IPSEC_TRAFFIC_SELECTORS),
    ("ipsec_cluster.xml", IPSEC_TWO_TUNNELS[:2]),
    ("ipsec_empty.xml", []),
])
def test_xml_replies(name, expected):
    records = parse_ipsec_sas(fixture(name))
    assert records == expected
    assert all(tuple(r) == IPSEC_FIELDS for r in records)


def test_zero_tunnels():
    reply = ("<rpc-reply><ipsec-security-associations-information>"
             "<total-active-tunnels>0</total-active-tunnels>"
             "</ipsec-security-associations-information></rpc-reply>")
    assert parse_ipsec_sas(reply) == []


def test_bad_direction_and_missing_index():
    with pytest.raises(SrxStateError, match="direction is not <, >, inbound or outbound: 'sideways'"):
        parse_ipsec_sas(BAD_DIRECTION_XML)
    with pytest.raises(SrxStateError, match="no tunnel index"):
        parse_ipsec_sas(BAD_DIRECTION_XML.replace("<sa-tunnel-index>1</sa-tunnel-index>", ""))
