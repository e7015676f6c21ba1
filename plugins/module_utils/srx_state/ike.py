# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IKE (phase 1) security associations from the XML reply of
``get-ike-security-associations-information`` (``show security ike security-associations``,
brief or detail)."""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import reply
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    ike_record,
)


def from_entry(sa):
    """Record of one ``ike-security-associations`` element (values missing from the entry
    are read from its ``ike-security-associations-block``, as detail replies carry them)."""
    block = reply.parent_if(sa, "ike-security-associations-block")

    def get(*names):
        for holder in (sa, block):
            for name in names:
                value = reply.child_text(holder, name)
                if value is not None:
                    return value
        return None

    return ike_record({
        "remote_address": get("ike-sa-remote-address"),
        "state": get("ike-sa-state"),
        "index": get("ike-sa-index"),
        "initiator_cookie": get("ike-sa-initiator-cookie"),
        "responder_cookie": get("ike-sa-responder-cookie"),
        "exchange_type": get("ike-sa-exchange-type"),
        "local_address": get("ike-sa-local-address"),
        "gateway": get("ike-gw-name", "ike-sa-gateway-name"),
    })


SPEC = {
    "command": "show security ike security-associations",
    "root": "ike-security-associations-information",
    "entry": "ike-security-associations",
    "from_entry": from_entry,
}


def parse_ike_sas(data):
    """IKE SAs of an XML reply (or list of replies): dicts with the keys of ``IKE_FIELDS``."""
    return reply.parse(data, SPEC)
