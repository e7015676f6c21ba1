# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters that read SRX operational state (IKE, IPsec, BGP, ping) and check it.

Thin adapter: the readers live in ``plugin_utils/state_inputs.py`` (XML, JSON and CLI
text), the judging in the problems engine ``module_utils/srx_state/problems.py`` that the
``vpn_state`` module uses too; each filter is documented in ``plugins/filter/<name>.yml``.
"""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import state_inputs

_COLLECTION = "netops.srx_vpn"

_FILTERS = {
    "ike_sas": state_inputs.parse_ike_sas,
    "ipsec_sas": state_inputs.parse_ipsec_sas,
    "bgp_peers": state_inputs.parse_bgp_peers,
    "ping_summary": state_inputs.parse_ping_summary,
    "tunnel_problems": state_inputs.tunnel_problems,
    "bgp_problems": state_inputs.bgp_problems,
    "ping_problems": state_inputs.ping_problems,
}


def _wrap(name, func):
    """Re-raise the readers' and the engine's errors as AnsibleFilterError named by the
    filter's FQCN."""
    fqcn = f"{_COLLECTION}.{name}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except SrxStateError as exc:
            raise AnsibleFilterError(f"{fqcn}: {exc}") from exc
        except TypeError as exc:  # wrong number of filter arguments
            raise AnsibleFilterError(f"{fqcn}: {exc}") from exc

    return wrapper


class FilterModule:
    """netops.srx_vpn state filters."""

    def filters(self):
        return {name: _wrap(name, func) for name, func in _FILTERS.items()}
