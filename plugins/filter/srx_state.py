# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters that read SRX operational state (IKE, IPsec, BGP, ping) and check it.

Thin adapter: the logic lives in ``module_utils/srx_state.py``; each filter is documented
in ``plugins/filter/<name>.yml``.
"""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError
from ansible_collections.netops.srx_vpn.plugins.module_utils import srx_state

_COLLECTION = "netops.srx_vpn"

_FILTERS = {
    "ike_sas": srx_state.parse_ike_sas,
    "ipsec_sas": srx_state.parse_ipsec_sas,
    "bgp_peers": srx_state.parse_bgp_peers,
    "ping_summary": srx_state.parse_ping_summary,
    "tunnel_problems": srx_state.tunnel_problems,
    "bgp_problems": srx_state.bgp_problems,
}


def _wrap(name, func):
    """Re-raise the parsers' ValueError as AnsibleFilterError named by the filter's FQCN."""
    fqcn = f"{_COLLECTION}.{name}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except srx_state.SrxStateError as exc:
            raise AnsibleFilterError(f"{fqcn}: {exc}") from exc
        except TypeError as exc:  # wrong number of filter arguments
            raise AnsibleFilterError(f"{fqcn}: {exc}") from exc

    return wrapper


class FilterModule:
    """netops.srx_vpn state filters."""

    def filters(self):
        return {name: _wrap(name, func) for name, func in _FILTERS.items()}
