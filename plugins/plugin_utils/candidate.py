# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The candidate pushed to one device: rendered stanzas + deletes + pre-shared keys.

The product owns a set of Junos objects on each device (IKE/IPsec objects with its
prefixes, st0 units it described and their zone bindings, its own VPN zone - not a shared
one -, BGP group, export policy, prefix list, address-book entries and transit policies).
Every owned object present on the device is deleted and the rendered lines set it again, in
one load: Junos compares the final candidate with the committed config, so an unchanged
object is no change, a changed one is changed exactly, and an object no longer in the intent
(tunnel removed or ``state: absent``) is removed — and nothing else is touched.

Pre-shared keys: rendered files carry a placeholder (``stanzas.psk_placeholder``, the one
definition the templates write too); here each becomes a Junos ``$9$`` value, reusing the
device's own ``$9$`` when it decodes to the vaulted key (so an unchanged key is not re-sent
and makes no diff), else a fresh ``$9$`` of the key. No clear-text key ever leaves the
controller, and no placeholder text is ever pushed as a key.
"""
from __future__ import annotations

import re
import shlex

from .intent import ADVERTISE_LIST, BGP_GROUP, EXPORT_POLICY, MANAGED_PREFIXES
from .stanzas import PSK_PLACEHOLDER_PREFIX, PSK_PLACEHOLDER_RE, STANZAS, stanza_of

try:
    from netutils.password import decrypt_juniper_type9, encrypt_juniper_type9
except ImportError as _exc:  # reported by build_candidate(), so that loading the plugins never fails
    NETUTILS_IMPORT_ERROR: ImportError | None = _exc
else:
    NETUTILS_IMPORT_ERROR = None

_SECRET_RE = re.compile(r'"\$9\$[^"]*"|\$9\$[^\s"<]+')
ST0_MARK = "srx_vpn tunnel "


def owned_objects(current_set: str, plan: dict, stanzas=STANZAS) -> list[str]:
    """Paths (as `delete` arguments) of the product's objects present in ``current_set``
    that belong to ``stanzas`` (a role pushed alone deletes only its own objects).

    Zones: the VPN zone is owned whole unless the plan shares it (``vpn_zone_shared``); the
    binding of each of the product's st0 units (those of the plan and those the device
    describes with the ownership mark) is owned in whatever zone it is, so a shared zone keeps
    its other interfaces and settings, and a unit moves between zones in one candidate."""
    own_zone = None if plan.get("vpn_zone_shared") else plan["zones"]["vpn"]
    lines = _set_words(current_set)
    st0 = _st0_units(lines, plan)
    found: dict[str, None] = {}
    for w in lines:
        length = _owned_length(w, own_zone, st0)
        if length and stanza_of(w) in stanzas:
            found[" ".join(shlex.quote(x) for x in w[:length])] = None
    return list(found)


def _set_words(current_set: str) -> list[list[str]]:
    out = []
    for line in current_set.splitlines():
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if words[:1] == ["set"]:
            out.append(words[1:])
    return out


def _st0_units(lines: list[list[str]], plan: dict) -> set[str]:
    """The product's st0 units (``st0.N``): the plan's, and those the device describes with the mark."""
    st0 = {t["st0"] for t in (*plan.get("tunnels", ()), *plan.get("absent", ()))}
    st0.update(f"st0.{w[3]}" for w in lines if w[:2] == ["interfaces", "st0"] and _owned_length(w, None, ()) == 4)
    return st0


def foreign_interfaces_in_own_zone(current_set: str, plan: dict) -> list[str]:
    """Interfaces of the device in the zone the plan owns whole (``zones.vpn``, not shared) that
    are not the product's st0 units: deleting the zone would take them out of it."""
    if plan.get("vpn_zone_shared"):
        return []
    zone = plan["zones"]["vpn"]
    lines = _set_words(current_set)
    st0 = _st0_units(lines, plan)
    found = {w[5] for w in lines if w[:4] == ["security", "zones", "security-zone", zone]
             and w[4:5] == ["interfaces"] and len(w) > 5 and w[5] not in st0}
    return sorted(found)


def _owned_length(w: list[str], own_zone: str | None, st0_units) -> int:
    """How many words of a `set` line name an object the product owns (0: not owned).
    ``own_zone``: the zone owned whole (None: none); ``st0_units``: the product's st0 units
    (``st0.N``), whose zone bindings it owns in any zone."""
    if w[:2] in (["security", "ike"], ["security", "ipsec"]):
        owned = len(w) > 3 and w[2] in ("proposal", "policy", "gateway", "vpn") and w[3].startswith(MANAGED_PREFIXES)
        return 4 if owned else 0
    if w[:3] == ["interfaces", "st0", "unit"]:
        return 4 if w[4:5] == ["description"] and " ".join(w[5:]).startswith(ST0_MARK) else 0
    if w[:3] == ["security", "zones", "security-zone"] and len(w) > 3:
        if own_zone is not None and w[3] == own_zone:
            return 4
        return 6 if w[4:5] == ["interfaces"] and len(w) > 5 and w[5] in st0_units else 0
    if w[:4] == ["protocols", "bgp", "group", BGP_GROUP]:
        return 4
    if w[:3] in (["policy-options", "policy-statement", EXPORT_POLICY],
                 ["policy-options", "prefix-list", ADVERTISE_LIST]):
        return 3
    if w[:4] == ["security", "address-book", "global", "address"] and len(w) > 4 and w[4].startswith("SRXVPN-"):
        return 5
    if w[:2] == ["security", "policies"] and len(w) > 7 and w[6] == "policy" and w[7].startswith("SRXVPN-"):
        return 8
    return 0


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
        if NETUTILS_IMPORT_ERROR is not None:
            raise ImportError("the Python library netutils is required on the controller "
                              "(pip install netutils)") from NETUTILS_IMPORT_ERROR
        present = on_device.get(policy_of.get(ref, ""))
        if present is not None:
            try:
                if decrypt_juniper_type9(present) == str(key):
                    return f'"{present}"'
            except (ValueError, KeyError, IndexError):   # not a $9$ netutils can read
                pass
        return f'"{encrypt_juniper_type9(str(key))}"'

    foreign = foreign_interfaces_in_own_zone(current_set, plan) if "zones" in stanzas else []
    if foreign:
        raise ValueError(f"zones.vpn: zone {plan['zones']['vpn']!r} on device {plan.get('device')!r} also holds "
                         f"{', '.join(foreign)}, which the product did not put there; the product owns its VPN "
                         "zone whole (deletes and re-creates it): set zones.vpn_shared: true to share that zone, "
                         "or name a zone of the product's own")
    deletes = [f"delete {path}" for path in owned_objects(current_set, plan, stanzas)]
    sets = [PSK_PLACEHOLDER_RE.sub(fill, line) for line in rendered.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    for line in sets:
        if PSK_PLACEHOLDER_PREFIX in line:   # never push a placeholder's text as a key
            raise ValueError(f"a pre-shared-key placeholder that is not in its rendered form "
                             f"(one quoted word) is left in: {line.split(PSK_PLACEHOLDER_PREFIX)[0]}...")
    return deletes + sets


def mask_secrets(text) -> str:
    """Replace every Junos `$9$` secret in a diff or config text with a mask."""
    if isinstance(text, (list, tuple)):
        text = "\n".join(str(x) for x in text)
    return _SECRET_RE.sub(lambda m: '"<masked>"' if m.group(0).startswith('"') else "<masked>", str(text or ""))
