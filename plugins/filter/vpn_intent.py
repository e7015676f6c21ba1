# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the deploy pipeline: pre-flight validation + plans, the candidate, masking.

Thin adapter: the logic lives in ``plugin_utils/intent.py`` and ``plugin_utils/candidate.py``;
each filter is documented in ``plugins/filter/<name>.yml``.
"""
from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import candidate, intent

_COLLECTION = "netops.srx_vpn"


def vpn_plans(hostvars, hosts, tunnels, psks=None, profiles=None):
    """Validate the fleet intent and return ``{device: plan}`` (no device contact)."""
    devices = {h: hostvars[h].get("srx_vpn_device") for h in hosts}
    try:
        return intent.build_plans(devices, tunnels, psks or {}, profiles or {})
    except intent.IntentError as exc:
        lines = "\n".join(f"  - {p}" for p in exc.problems)
        raise AnsibleFilterError(f"{_COLLECTION}.vpn_plans: the intent has {len(exc.problems)} "
                                 f"problem(s):\n{lines}") from None
    except ImportError as exc:
        raise AnsibleFilterError(f"{_COLLECTION}.vpn_plans: {exc}") from None


def vpn_candidate(rendered, current_set, plan, psks, stanzas=candidate.STANZAS):
    """Lines of the one load pushed to a device (pre-shared keys filled: use with no_log)."""
    try:
        return candidate.build_candidate(rendered, current_set or "", plan, psks or {}, tuple(stanzas))
    except ValueError as exc:
        raise AnsibleFilterError(f"{_COLLECTION}.vpn_candidate: {exc}") from None


def vpn_tunnel_list(plans):
    """Every tunnel of the fleet with its two ends (for the status report)."""
    return intent.tunnel_list(plans)


class FilterModule:
    """netops.srx_vpn deploy filters."""

    def filters(self):
        return {"vpn_plans": vpn_plans, "vpn_candidate": vpn_candidate,
                "vpn_tunnel_list": vpn_tunnel_list,
                "mask_secrets": candidate.mask_secrets}
