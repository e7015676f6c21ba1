# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/srx_state/ping.py: the summary of one ping from the XML reply."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.ping import (
    parse_ping_summary,
    usec_to_ms,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    PING_FIELDS,
    SrxStateError,
)
from state_cases import PING, PING_LOSS, fixture


@pytest.mark.parametrize(("name", "expected"), [("ping.xml", PING), ("ping_loss.xml", PING_LOSS)])
def test_xml_replies(name, expected):
    summary = parse_ping_summary(fixture(name))
    assert summary == expected and tuple(summary) == PING_FIELDS


def test_loss_computed_when_not_printed():
    reply = ("<ping-results><probe-results-summary><probes-sent>4</probes-sent>"
             "<responses-received>3</responses-received></probe-results-summary></ping-results>")
    assert parse_ping_summary(reply)["loss_percent"] == 25


@pytest.mark.parametrize(("reply", "message"), [
    ("<ping-results><target-host>10.0.1.2</target-host></ping-results>", "no ping summary"),
    ([fixture("ping.xml"), fixture("ping_loss.xml")], "2 ping summaries"),
    ("<ping-results><probe-results-summary><probes-sent>4</probes-sent></probe-results-summary></ping-results>",
     "lacks the number of probes"),
    (("<ping-results><probe-results-summary><probes-sent>4</probes-sent><responses-received>4"
      "</responses-received><packet-loss>none</packet-loss></probe-results-summary></ping-results>"),
     "packet loss is not a number"),
])
def test_malformed(reply, message):
    with pytest.raises(SrxStateError, match=message):
        parse_ping_summary(reply)


def test_microseconds_to_milliseconds():
    assert usec_to_ms("752", "rtt") == 0.752 and usec_to_ms(None, "rtt") is None
    with pytest.raises(SrxStateError, match="rtt is not a number"):
        usec_to_ms("fast", "rtt")
