# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
name: srxlab
short_description: The devices of a running srxlab lab (the emulated SRX fleet)
version_added: "0.1.0"
description:
  - Reads C(lab.json) of a lab started with C(srxlab up) and adds every device as a host
    with its NETCONF address, port and lab credentials, in one group.
  - The lab picks free ports, so an inventory written by hand would go stale; this one follows the lab.
  - When no lab is running, the devices come from the topology file, without address or
    port (C(srxlab_state=down)), so offline work such as rendering still has its hosts.
  - "A device with C(inventory: false) in the topology (an out-of-band device, such as a peer
    someone else runs) is never added, whether the lab runs or not."
options:
  plugin:
    description: Token that makes this file an srxlab inventory.
    required: true
    choices: [netops.srx_vpn.srxlab]
  state_dir:
    description: The lab's state directory, relative to this file or absolute.
    type: str
    default: ../../.lab/default
  topology:
    description: Topology file used when no lab is running, relative to this file or absolute.
    type: str
    default: ../../lab/topologies/seed-pair.yml
  group:
    description: Group the devices join.
    type: str
    default: srx
"""

EXAMPLES = r"""
# inventories/lab/srxlab.yml
plugin: netops.srx_vpn.srxlab
state_dir: ../../.lab/default
group: srx
"""

import json
import os

import yaml
from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin


class InventoryModule(BaseInventoryPlugin):
    NAME = "netops.srx_vpn.srxlab"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("srxlab.yml", "srxlab.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        state_dir = self._relative(path, self.get_option("state_dir"))
        lab_file = os.path.join(state_dir, "lab.json")
        try:
            with open(lab_file, encoding="utf-8") as handle:
                lab = json.load(handle)
        except FileNotFoundError:
            lab = {"devices": self._topology_devices(path)}
        except (OSError, ValueError) as exc:
            raise AnsibleParserError(f"netops.srx_vpn.srxlab: cannot read {lab_file}: {exc}") from exc
        group = self.inventory.add_group(self.get_option("group"))
        for dev in lab.get("devices", []):
            if dev.get("inventory", True) is False:
                continue        # an out-of-band device: it runs in the lab, nobody manages it
            host = self.inventory.add_host(dev["name"], group=group)
            if not lab.get("running", False):
                dev = {**dev, "state": "down"}
            for key, value in (("ansible_host", dev["host"]), ("ansible_port", dev["port"]),
                               ("ansible_user", dev["username"]), ("ansible_password", dev["password"]),
                               ("ansible_connection", "ansible.netcommon.netconf"),
                               ("ansible_network_os", "junipernetworks.junos.junos"),
                               ("srxlab_state", dev.get("state", "unknown"))):
                self.inventory.set_variable(host, key, value)

    @staticmethod
    def _relative(config_path, value):
        return value if os.path.isabs(value) else os.path.normpath(os.path.join(os.path.dirname(config_path), value))

    def _topology_devices(self, config_path):
        topology = self._relative(config_path, self.get_option("topology"))
        try:
            with open(topology, encoding="utf-8") as handle:
                doc = yaml.safe_load(handle)
        except (OSError, yaml.YAMLError) as exc:
            raise AnsibleParserError(
                f"netops.srx_vpn.srxlab: no lab running and cannot read {topology}: {exc}"
            ) from exc
        defaults = doc.get("defaults") or {}
        return [{"name": name, "host": spec.get("host", defaults.get("host", "127.0.0.1")),
                 "port": spec.get("port") or None,
                 "username": spec.get("username", defaults.get("username", "root")),
                 "password": spec.get("password", defaults.get("password", "")), "state": "down",
                 "inventory": spec.get("inventory", True)}
                for name, spec in (doc.get("devices") or {}).items()]
