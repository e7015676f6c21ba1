# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The summary of one ping from the XML reply of the ``ping`` RPC."""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import reply
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
    clean,
    ping_record,
)


def usec_to_ms(value, field):
    """Milliseconds (3 decimals) of a printed number of microseconds."""
    value = clean(value)
    if value is None:
        return None
    try:
        return round(float(value) / 1000.0, 3)
    except ValueError:
        raise SrxStateError(f"{field} is not a number: {value!r}") from None


def from_entry(summary):
    """Record of one ``probe-results-summary`` (round-trip times: microseconds -> ms)."""
    return ping_record(
        reply.child_text(summary, "probes-sent"),
        reply.child_text(summary, "responses-received"),
        reply.child_text(summary, "packet-loss"),
        usec_to_ms(reply.child_text(summary, "rtt-minimum"), "ping rtt-minimum"),
        usec_to_ms(reply.child_text(summary, "rtt-average"), "ping rtt-average"),
        usec_to_ms(reply.child_text(summary, "rtt-maximum"), "ping rtt-maximum"),
    )


SPEC = {
    "command": "ping",
    "root": "ping-results",
    "entry": "probe-results-summary",
    "from_entry": from_entry,
}


def one_summary(results):
    """The one summary of a list of parsed summaries; an error for none or several."""
    if len(results) != 1:
        raise SrxStateError(
            "the reply holds no ping summary" if not results
            else f"the input holds {len(results)} ping summaries; pass one ping reply"
        )
    return results[0]


def parse_ping_summary(data):
    """Summary of one ping XML reply: dict with the keys of ``PING_FIELDS`` (rtt in ms)."""
    return one_summary(reply.parse(data, SPEC))
