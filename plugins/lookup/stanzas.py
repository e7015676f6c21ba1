# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lookup ``netops.srx_vpn.stanzas``: the rendered stanzas, from their one Python definition.

Thin adapter over ``plugin_utils/stanzas.py``.
"""
from __future__ import annotations

DOCUMENTATION = r"""
---
name: stanzas
author: netops.srx_vpn maintainers (!UNKNOWN)
version_added: "0.1.0"
short_description: The configuration stanzas the collection renders, in push order
description:
  - Returns the stanzas the roles C(interfaces), C(zones), C(ike), C(ipsec) and C(bgp) render,
    in their fixed push order, from the collection's one definition
    (C(plugins/plugin_utils/stanzas.py)), which the in-process renderer, the candidate and
    P(netops.srx_vpn.vpn_candidate#filter) read too.
  - Each stanza is a dictionary - C(name) (also the role's name), C(order), C(file) (the rendered
    file, C(<NN>-<name>.set)), C(template) (absolute path of the role's template) and
    C(hierarchies) (the configuration hierarchies whose collection-owned objects belong to it).
  - Without terms, every stanza; with terms, the stanzas named (by name or by file name; lists
    are flattened), still in push order, each once; an empty list names none. An unknown name
    fails the task.
options:
  _terms:
    description: Stanza names (C(ike)) or rendered file names (C(30-ike.set)); none for all.
    type: list
    elements: str
    required: false
  field:
    description: Return only this field of each stanza instead of the whole dictionary.
    type: str
    choices: [name, order, file, template, hierarchies]
"""

EXAMPLES = r"""
- name: Every stanza name, in push order
  ansible.builtin.debug:
    msg: "{{ query('netops.srx_vpn.stanzas', field='name') }}"

- name: The file the ike role renders
  ansible.builtin.debug:
    msg: "{{ lookup('netops.srx_vpn.stanzas', 'ike', field='file') }}"

- name: Stanza names of a list that may hold file names
  ansible.builtin.debug:
    msg: "{{ query('netops.srx_vpn.stanzas', *['30-ike.set', 'zones'], field='name') }}"
"""

RETURN = r"""
_raw:
  description: One element per stanza, in push order - its dictionary, or its O(field).
  type: list
  elements: raw
  sample:
    - {name: ike, order: 30, file: 30-ike.set, template: /.../roles/ike/templates/ike.set.j2,
       hierarchies: [security ike]}
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import stanzas

FQCN = "netops.srx_vpn.stanzas"


def _flatten(terms):
    for term in terms or []:
        if isinstance(term, (list, tuple)):
            yield from _flatten(term)
        else:
            yield str(term)


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        field = self.get_option("field")
        wanted = list(_flatten(terms))
        try:
            names = stanzas.names(wanted) if terms else stanzas.STANZAS   # an empty list names none
        except stanzas.StanzaError as exc:
            raise AnsibleLookupError(f"{FQCN}: {exc}") from None
        items = [stanzas.BY_NAME[name].as_dict() for name in names]
        return [item[field] for item in items] if field else items
