# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The candidate pushed to one device: rendered stanzas + deletes + pre-shared keys.

The product owns a set of Junos objects on each device (IKE/IPsec objects with its
prefixes, st0 units it described, its VPN zone, BGP group, export policy, prefix list,
address-book entries and transit policies). Every owned object present on the device is
deleted and the rendered lines set it again, in one load: Junos compares the final
candidate with the committed config, so an unchanged object is no change, a changed one
is changed exactly, and an object no longer in the intent (tunnel removed or
``state: absent``) is removed — and nothing else is touched.

Pre-shared keys: rendered files carry a placeholder; here each becomes a Junos ``$9$``
value, reusing the device's own ``$9$`` when it decodes to the vaulted key (so an
unchanged key is not re-sent and makes no diff), else a fresh ``$9$`` of the key. No
clear-text key ever leaves the controller.
"""
from __future__ import annotations

import re
import shlex

from . import junos_secret
from .intent import ADVERTISE_LIST, BGP_GROUP, EXPORT_POLICY, MANAGED_PREFIXES

PSK_PLACEHOLDER = "@@srx_vpn_psk:%s@@"
_PLACEHOLDER_RE = re.compile(r'"@@srx_vpn_psk:([^@"]+)@@"')
_SECRET_RE = re.compile(r'"\$9\$[^"]*"|\$9\$[^\s"<]+')
ST0_MARK = "srx_vpn tunnel "


STANZAS = ("interfaces", "zones", "ike", "ipsec", "bgp")


def owned_objects(current_set: str, plan: dict, stanzas=STANZAS) -> list[str]:
    """Paths (as `delete` arguments) of the product's objects present in ``current_set``
    that belong to ``stanzas`` (a role pushed alone deletes only its own objects)."""
    vpn_zone = plan["zones"]["vpn"]
    found: dict[str, None] = {}
    for line in current_set.splitlines():
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if words[:1] != ["set"]:
            continue
        length = _owned_length(words[1:], vpn_zone)
        if length and _stanza(words[1:]) in stanzas:
            found[" ".join(shlex.quote(x) for x in words[1:1 + length])] = None
    return list(found)


def _owned_length(w: list[str], vpn_zone: str) -> int:
    """How many words of a `set` line name an object the product owns (0: not owned)."""
    if w[:2] in (["security", "ike"], ["security", "ipsec"]):
        owned = len(w) > 3 and w[2] in ("proposal", "policy", "gateway", "vpn") and w[3].startswith(MANAGED_PREFIXES)
        return 4 if owned else 0
    if w[:3] == ["interfaces", "st0", "unit"]:
        return 4 if w[4:5] == ["description"] and " ".join(w[5:]).startswith(ST0_MARK) else 0
    if w[:4] in (["security", "zones", "security-zone", vpn_zone], ["protocols", "bgp", "group", BGP_GROUP]):
        return 4
    if w[:3] in (["policy-options", "policy-statement", EXPORT_POLICY], ["policy-options", "prefix-list", ADVERTISE_LIST]):
        return 3
    if w[:4] == ["security", "address-book", "global", "address"] and len(w) > 4 and w[4].startswith("SRXVPN-"):
        return 5
    if w[:2] == ["security", "policies"] and len(w) > 7 and w[6] == "policy" and w[7].startswith("SRXVPN-"):
        return 8
    return 0


def _stanza(path: list[str]) -> str:
    if path[0] == "interfaces":
        return "interfaces"
    if path[0] == "security":
        return path[1] if path[1] in ("ike", "ipsec") else "zones"
    return "bgp"


def current_psks(current_set: str) -> dict[str, str]:
    """IKE policy name -> its `$9$` pre-shared key as the device shows it."""
    out = {}
    for m in re.finditer(r'^set security ike policy (\S+) pre-shared-key ascii-text "(\$9\$[^"]*)"',
                         current_set, re.MULTILINE):
        out[m.group(1)] = m.group(2)
    return out


def build_candidate(rendered: str, current_set: str, plan: dict, psks: dict, stanzas=STANZAS) -> list[str]:
    """The lines of one load: deletes of the owned objects of ``stanzas``, then the rendered
    set lines with pre-shared keys filled in."""
    on_device = current_psks(current_set)
    policy_of = {t["psk_ref"]: t["names"]["ike_policy"] for t in plan["tunnels"]}

    def fill(match: re.Match) -> str:
        ref = match.group(1)
        key = psks.get(ref)
        if key is None:
            raise ValueError(f"no pre-shared key for tunnel {ref!r}")
        present = on_device.get(policy_of.get(ref, ""))
        if present is not None:
            try:
                if junos_secret.decrypt(present) == str(key):
                    return f'"{present}"'
            except ValueError:
                pass
        return f'"{junos_secret.encrypt(str(key))}"'

    deletes = [f"delete {path}" for path in owned_objects(current_set, plan, stanzas)]
    sets = [_PLACEHOLDER_RE.sub(fill, line) for line in rendered.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    return deletes + sets


def mask_secrets(text) -> str:
    """Replace every Junos `$9$` secret in a diff or config text with a mask."""
    if isinstance(text, (list, tuple)):
        text = "\n".join(str(x) for x in text)
    return _SECRET_RE.sub(lambda m: '"<masked>"' if m.group(0).startswith('"') else "<masked>", str(text or ""))
