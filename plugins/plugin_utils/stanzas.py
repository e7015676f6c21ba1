# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one definition of the rendered stanzas and of the pre-shared-key placeholder.

Every other place reads it: ``candidate.py`` (which stanza an owned object belongs to, the
placeholder it fills), ``render.py`` (templates and file names), the ``vpn_candidate`` filter,
the ``netops.srx_vpn.stanzas`` lookup and ``netops.srx_vpn.psk_placeholder`` filter through
which the roles (YAML and templates) get the same list and placeholder, and the tests.

A stanza is rendered by the role of the same name from ``roles/<name>/templates/<name>.set.j2``
into ``<NN>-<name>.set``; the fixed order is the push order. ``hierarchies`` are the
configuration hierarchies whose product-owned objects belong to the stanza: pushing a stanza
alone deletes and re-sets only objects under them.

The placeholder stands for a tunnel's key in every rendered file; only the candidate built in
memory at push time replaces it (with a Junos ``$9$`` value). It is not configurable: the
renderer and the candidate must agree on it, and a text that is not exactly it would be pushed
as the key itself.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

ROLES_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "roles"))


@dataclass(frozen=True)
class Stanza:
    """One rendered stanza: its role and template, its file and the hierarchies it owns."""

    name: str
    order: int
    hierarchies: tuple[tuple[str, ...], ...]

    @property
    def file(self) -> str:
        """The rendered file's name, ``<NN>-<name>.set`` (the prefix keeps the push order)."""
        return f"{self.order:02d}-{self.name}.set"

    @property
    def template(self) -> str:
        """Absolute path of the role's template."""
        return os.path.join(ROLES_DIR, self.name, "templates", f"{self.name}.set.j2")

    def as_dict(self) -> dict:
        return {"name": self.name, "order": self.order, "file": self.file, "template": self.template,
                "hierarchies": [" ".join(h) for h in self.hierarchies]}


def _h(*paths: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.split()) for p in paths)


# The stanzas in push order.
STANZA_DEFS: tuple[Stanza, ...] = (
    Stanza("interfaces", 10, _h("interfaces")),
    Stanza("zones", 20, _h("security zones", "security address-book", "security policies")),
    Stanza("ike", 30, _h("security ike")),
    Stanza("ipsec", 40, _h("security ipsec")),
    Stanza("bgp", 50, _h("routing-options", "policy-options", "protocols bgp")),
)
STANZAS: tuple[str, ...] = tuple(s.name for s in STANZA_DEFS)
BY_NAME: dict[str, Stanza] = {s.name: s for s in STANZA_DEFS}
BY_FILE: dict[str, Stanza] = {s.file: s for s in STANZA_DEFS}
FILE_NAMES: dict[str, str] = {s.name: s.file for s in STANZA_DEFS}


class StanzaError(ValueError):
    """A name that is no stanza."""


def get(name_or_file: str) -> Stanza:
    """The stanza named ``name_or_file``, or whose rendered file is ``name_or_file``."""
    key = str(name_or_file)
    found = BY_NAME.get(key) or BY_FILE.get(key)
    if found is None:
        raise StanzaError(f"unknown stanza {key!r} (known: {', '.join(STANZAS)}; "
                          f"or their files {', '.join(FILE_NAMES.values())})")
    return found


def names(items: Iterable[str] | str | None = None) -> tuple[str, ...]:
    """Stanza names of ``items`` (names or file names), in push order, each once; every
    stanza when ``items`` is None."""
    if items is None:
        return STANZAS
    if isinstance(items, str):
        items = [items]
    wanted = {get(item).name for item in items}
    return tuple(s for s in STANZAS if s in wanted)


def stanza_of(path: list[str] | tuple[str, ...]) -> str | None:
    """The stanza owning a configuration path (its words after ``set``/``delete``): the one
    with the longest hierarchy that prefixes it; None when no stanza owns that hierarchy."""
    best, length = None, 0
    for stanza in STANZA_DEFS:
        for hierarchy in stanza.hierarchies:
            n = len(hierarchy)
            if n > length and tuple(path[:n]) == hierarchy:
                best, length = stanza.name, n
    return best


# -- the pre-shared-key placeholder ----------------------------------------------------------------
PSK_PLACEHOLDER_PREFIX = "@@srx_vpn_psk:"
PSK_PLACEHOLDER_SUFFIX = "@@"
# The placeholder as the templates write it: one quoted Junos string (junos_quote).
PSK_PLACEHOLDER_RE = re.compile('"' + re.escape(PSK_PLACEHOLDER_PREFIX) + r'([^@"\\]+)'
                                + re.escape(PSK_PLACEHOLDER_SUFFIX) + '"')


def psk_placeholder(psk_ref) -> str:
    """The placeholder written instead of the key of tunnel ``psk_ref``."""
    ref = str(psk_ref)
    if not ref or any(c in ref for c in '@"\\') or not ref.isprintable():
        raise StanzaError(f"not a tunnel name for a key placeholder: {ref!r}")
    return f"{PSK_PLACEHOLDER_PREFIX}{ref}{PSK_PLACEHOLDER_SUFFIX}"
