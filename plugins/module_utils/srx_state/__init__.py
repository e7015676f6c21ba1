# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SRX operational state from NETCONF XML replies, and the one problems engine.

- :mod:`.records`: record shapes (``IKE_FIELDS``...), value normalisation, record builders;
- :mod:`.reply`: the XML reply envelope (parsing, namespaces, clusters, ``rpc-error``);
- :mod:`.ike`, :mod:`.ipsec`, :mod:`.bgp`, :mod:`.ping`: one protocol each, XML -> records;
- :mod:`.problems`: parsed state + expectations -> problems and likely causes.

Everything here travels in the ``vpn_state`` module's payload, so it reads XML only. The
filters' CLI-text and JSON readers live on the controller (``plugins/plugin_utils/state_*``)
and build their records with the same builders. Import the submodules directly; this file
imports nothing, so a module ships only what it uses.
"""
