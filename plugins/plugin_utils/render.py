# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render a device's stanzas in-process from the roles' own templates.

The stanza roles (``stanzas.STANZAS``: one role per stanza) keep their
``templates/<stanza>.set.j2``: users render and push a stanza alone with the role. The
fleet deploy renders the same files here, in one process, with Jinja2 set up as Ansible's
``template`` module sets it up (``trim_blocks``), instead of one ``template`` task per stanza
per device. The roles' variables are filled from the plan: ``<stanza>_plan`` and the
role defaults the templates read. Every value goes through ``netops.srx_vpn.junos_word`` or
``netops.srx_vpn.junos_quote`` (``junos_syntax.py``), registered here under the same names,
and the key placeholder through ``netops.srx_vpn.psk_placeholder`` (``stanzas.py``).
"""
from __future__ import annotations

import functools

from . import stanzas as _stanzas
from .junos_syntax import FILTERS
from .stanzas import FILE_NAMES, STANZAS

__all__ = ["FILE_NAMES", "STANZAS", "TEMPLATE_DEFAULTS", "render_device", "render_stanza"]

try:
    import jinja2
except ImportError as _exc:  # pragma: no cover - ansible-core always brings jinja2
    IMPORT_ERROR: ImportError | None = _exc
else:
    IMPORT_ERROR = None

# The role defaults the templates read besides the plan (roles/*/defaults/main.yml).
TEMPLATE_DEFAULTS = {"bgp_bfd_minimum_interval": 300, "bgp_bfd_multiplier": 3}


@functools.cache
def _template(stanza: str):
    if IMPORT_ERROR is not None:
        raise IMPORT_ERROR
    with open(_stanzas.get(stanza).template, encoding="utf-8") as handle:
        source = handle.read()
    env = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=True)
    env.filters.update(FILTERS)   # the collection's filter plugins, under the names the templates use
    env.filters["netops.srx_vpn.psk_placeholder"] = _stanzas.psk_placeholder
    return env.from_string(source)


def render_stanza(stanza: str, plan: dict, **overrides) -> str:
    """The ``set`` lines of one stanza (its name or file name) for the device of ``plan``."""
    name = _stanzas.get(stanza).name
    variables = {**TEMPLATE_DEFAULTS, **overrides, f"{name}_plan": plan}
    return _template(name).render(**variables)


def render_device(plan: dict, stanzas=STANZAS, **overrides) -> str:
    """The stanzas of one device (every one by default), in the fixed stanza order."""
    return "".join(render_stanza(s, plan, **overrides) for s in _stanzas.names(stanzas))
