# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPsec (phase 2) security associations from the XML reply of
``get-security-associations-information`` (``show security ipsec security-associations``,
brief or detail), one record per direction. The detail style also gives each SA pair's
traffic-selector name and its local and remote identities (the negotiated selectors)."""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import reply
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    clean,
    ipsec_record,
)


def _block_text(block, name):
    """A value of the SA block outside its SA entries (detail style: sa-dev-info/sa-port)."""
    if block is None:
        return None
    for element in block.iter(name):
        if not any(a.tag == "ipsec-security-associations" for a in element.iterancestors()):
            value = clean(element.text)
            if value is not None:
                return value
    return None


def from_entry(sa):
    """Record of one ``ipsec-security-associations`` element."""
    block = reply.parent_if(sa, "ipsec-security-associations-block")

    def get(*names):
        for name in names:
            value = reply.child_text(sa, name)
            if value is not None:
                return value
        for name in names:
            value = _block_text(block, name)
            if value is not None:
                return value
        return None

    return ipsec_record({
        "tunnel_id": get("sa-tunnel-index"),
        "direction": get("sa-direction"),
        "spi": get("sa-spi"),
        "protocol": get("sa-protocol"),
        "encryption": get("sa-esp-encryption-algorithm", "sa-encryption-algorithm"),
        "integrity": get("sa-hmac-algorithm", "sa-authentication-algorithm"),
        "lifetime_seconds": get("sa-hard-lifetime"),
        "lifetime_kb": get("sa-lifesize-remaining"),
        "remote_gateway": get("sa-remote-gateway"),
        "port": get("sa-port"),
        "vpn_monitoring": get("sa-vpn-monitoring-state"),
        "vsys": get("sa-virtual-system"),
        "traffic_selector": get("sa-traffic-selector-name"),
        "local_identity": get("sa-local-identity"),
        "remote_identity": get("sa-remote-identity"),
    })


SPEC = {
    "command": "show security ipsec security-associations",
    "root": "ipsec-security-associations-information",
    "entry": "ipsec-security-associations",
    "from_entry": from_entry,
}


def parse_ipsec_sas(data):
    """IPsec SAs of an XML reply, one per direction: dicts with the keys of ``IPSEC_FIELDS``."""
    return reply.parse(data, SPEC)
