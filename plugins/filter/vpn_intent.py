# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the deploy pipeline: pre-flight validation + plans, the candidate, masking, the
two render guards of the templates and the pre-shared-key placeholder.

Thin adapter: the logic lives in ``plugin_utils/intent.py``, ``plugin_utils/candidate.py``,
``plugin_utils/junos_syntax.py`` and ``plugin_utils/stanzas.py``; each filter is documented in
``plugins/filter/<name>.yml``.
"""
from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    candidate,
    intent,
    intent_schema,
    junos_syntax,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    stanzas as stanza_defs,
)

_COLLECTION = "netops.srx_vpn"
display = Display()


def _plain_secret(value):
    """A vaulted value (ansible-core's EncryptedString) as the string it decrypts to; anything
    else unchanged, for the schema to judge."""
    if type(value).__name__ == "EncryptedString":
        return str(value)
    return value


def _fleet_vars(hostvars, hosts) -> tuple[dict, dict]:
    """({host: its srx_vpn_device}, {host: {other srx_vpn_* variable: value}}): the device
    intent, and the run options and possible typos (each host's variables composed once)."""
    skip = ("srx_vpn_device", "srx_vpn_tunnels", "srx_vpn_psks", "srx_vpn_profiles", *intent_schema.PRODUCT_FACTS)
    devices, others = {}, {}
    for host in hosts:
        variables = hostvars[host]
        devices[host] = variables.get("srx_vpn_device")
        names = [n for n in variables if str(n).startswith(intent_schema.VARIABLE_PREFIX) and n not in skip]
        others[host] = {n: variables.get(n) for n in names}
    return devices, others


def vpn_plans(hostvars, hosts, tunnels, psks=None, profiles=None, require_psks=True):
    """Validate the fleet intent and return ``{device: plan}`` (no device contact);
    ``require_psks=False``: no key is needed (an offline render, an audit). A tunnel that uses
    its legacy opt-in (weak settings) is a warning of the play, naming the tunnel and what is weak."""
    devices, others = _fleet_vars(hostvars, hosts)
    if isinstance(psks, Mapping):
        psks = {k: _plain_secret(v) for k, v in psks.items()}
    try:
        plans = intent.build_plans(devices, tunnels, {} if psks is None else psks,
                                   {} if profiles is None else profiles, others,
                                   require_psks=bool(require_psks))
    except intent.IntentError as exc:
        lines = "\n".join(f"  - {p}" for p in exc.problems)
        raise AnsibleFilterError(f"{_COLLECTION}.vpn_plans: the intent has {len(exc.problems)} "
                                 f"problem(s):\n{lines}") from None
    except ImportError as exc:
        raise AnsibleFilterError(f"{_COLLECTION}.vpn_plans: {exc}") from None
    for warning in intent.plan_warnings(plans):
        display.warning(f"{_COLLECTION}: {warning}")
    return plans


def vpn_candidate(rendered, current_set, plan, psks, stanzas=None):
    """Lines of the one load pushed to a device (pre-shared keys filled: use with no_log).
    ``stanzas``: those (names or file names) whose owned objects are deleted; all by default."""
    try:
        return candidate.build_candidate(rendered, current_set or "", plan, psks or {}, stanza_defs.names(stanzas))
    except ValueError as exc:
        raise AnsibleFilterError(f"{_COLLECTION}.vpn_candidate: {exc}") from None


def vpn_tunnel_list(plans):
    """Every tunnel of the fleet with its two ends (for the status report)."""
    return intent.tunnel_list(plans)


def psk_placeholder(psk_ref):
    """The placeholder a rendered file carries instead of the key of tunnel ``psk_ref``."""
    try:
        return stanza_defs.psk_placeholder(psk_ref)
    except stanza_defs.StanzaError as exc:
        raise AnsibleFilterError(f"{_COLLECTION}.psk_placeholder: {exc}") from None


def junos_word(value):
    """One unquoted Junos word, or a render error (no value adds a word or a line)."""
    try:
        return junos_syntax.word(value)
    except junos_syntax.JunosSyntaxError as exc:
        raise AnsibleFilterError(f"{_COLLECTION}.junos_word: {exc}") from None


def junos_quote(value):
    """A double-quoted single-line Junos string, or a render error."""
    try:
        return junos_syntax.quote(value)
    except junos_syntax.JunosSyntaxError as exc:
        raise AnsibleFilterError(f"{_COLLECTION}.junos_quote: {exc}") from None


class FilterModule:
    """netops.srx_vpn deploy filters."""

    def filters(self):
        return {"vpn_plans": vpn_plans, "vpn_candidate": vpn_candidate,
                "vpn_tunnel_list": vpn_tunnel_list,
                "mask_secrets": candidate.mask_secrets,
                "junos_word": junos_word, "junos_quote": junos_quote,
                "psk_placeholder": psk_placeholder}
