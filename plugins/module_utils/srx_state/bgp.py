# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""BGP peers from the XML reply of ``get-bgp-summary-information`` / ``get-bgp-neighbor-information``
(``show bgp summary`` / ``show bgp neighbor``), and the last error of each peer."""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import reply
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    RIB_COUNTS,
    SrxStateError,
    bgp_error_record,
    bgp_record,
    parse_elapsed,
    to_int,
)


def _elapsed(element):
    """Seconds of an ``elapsed-time`` element: its text, else its ``junos:seconds``."""
    if element is None:
        return None
    try:
        return parse_elapsed(element.text)
    except SrxStateError:
        seconds = element.get("seconds")
        if seconds is None:
            raise
        return to_int(seconds, "BGP elapsed-time seconds")


def _getter(peer):
    header = reply.child(peer, "bgp-peer-header")  # Junos 19+ neighbor style

    def get(name):
        value = reply.child_text(peer, name)
        return value if value is not None else reply.child_text(header, name)

    return header, get


def from_entry(peer):
    """Record of one ``bgp-peer`` element (summary or neighbor style)."""
    header, get = _getter(peer)
    elapsed = reply.child(peer, "elapsed-time")
    ribs = [
        {key: reply.child_text(rib, tag) for key, tag in RIB_COUNTS}
        for rib in peer if rib.tag == "bgp-rib"
    ]
    return bgp_record({
        "peer_address": get("peer-address"),
        "peer_as": get("peer-as"),
        "state": get("peer-state"),
        "flaps": get("flap-count"),
        "input_messages": get("input-messages"),
        "output_messages": get("output-messages"),
        "elapsed_seconds": _elapsed(elapsed if elapsed is not None else reply.child(header, "elapsed-time")),
        "local_address": get("local-address"),
        "local_as": get("local-as"),
        "peer_id": get("peer-id"),
        "local_interface": get("local-interface-name"),
    }, ribs)


SPEC = {
    "command": "show bgp summary / show bgp neighbor",
    "root": "bgp-information",
    "entry": "bgp-peer",
    "from_entry": from_entry,
}


def parse_bgp_peers(data):
    """BGP peers of a summary or neighbor XML reply: dicts with the keys of ``BGP_FIELDS``."""
    return reply.parse(data, SPEC)


def error_from_entry(peer):
    """State, last state, last event and last error of one ``bgp-peer`` element."""
    _header, get = _getter(peer)
    return bgp_error_record({
        "peer_address": get("peer-address"), "state": get("peer-state"),
        "last_state": get("last-state"), "last_event": get("last-event"),
        "last_error": get("last-error"),
    })


ERROR_SPEC = {
    "command": "show bgp neighbor",
    "root": "bgp-information",
    "entry": "bgp-peer",
    "from_entry": error_from_entry,
}


def parse_bgp_last_errors(data):
    """State, last state, last event and last error (``None`` for ``None``) per peer of
    ``get-bgp-neighbor-information``: the evidence of why a session is not Established
    (``Open Message Error``: the ends disagree on the AS numbers)."""
    return reply.parse(data, ERROR_SPEC)
