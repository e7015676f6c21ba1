# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Documentation of the action plugin plugins/action/vpn_report.py (it runs on the controller).

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_report
short_description: Write the VPN status report (Markdown and JSON) of a fleet from vpn_state results
version_added: "0.1.0"
author: netops.srx_vpn maintainers (!UNKNOWN)
description:
  - Joins the M(netops.srx_vpn.vpn_state) results of every device by tunnel name and writes
    C(<dest>/<name>.md) and C(<dest>/<name>.json) on the controller.
  - "The Markdown report has a summary line, a Mermaid C(graph LR) of the fleet with every tunnel
    drawn as an edge labelled with its name and state (UP green, DEGRADED orange: IPsec up but BGP
    or ping over it failing, DOWN red dashed, UNKNOWN grey dashed: an end gave no result), a table of
    the devices (result, polling rounds, RPCs, seconds), a table per tunnel with both ends side by
    side (remote gateway, IKE state, IPsec SPIs in/out, algorithms, lifetime left, BGP state, uptime and
    prefixes, ping loss, problem count), and the list of problems with their likely causes."
  - The JSON report holds the same model.
  - The output is deterministic (devices, tunnels and problems sorted); the only timestamp is the
    C(Generated ...) header line (C(generated_at) in JSON).
  - "A device whose task failed without state (unreachable, connection error) appears with its error;
    the tunnels it ends are rated UNKNOWN unless the other end reports them down."
  - "Runs on the controller only; it needs no connection to the devices, so run it once
    (C(run_once: true), and C(delegate_to: localhost) for clarity)."
options:
  dest:
    description:
      - Directory to write the reports to; created when missing. A relative path is relative to the
        directory ansible-playbook runs in.
    type: path
    required: true
  name:
    description: Base name of the two files.
    type: str
    default: vpn_status
  results:
    description:
      - "The results per device, C({device: vpn_state result}). A failed or unreachable task result,
        or null, stands for a device that gave no state."
      - When omitted, the results are read from O(result_var) of every host in O(hosts).
    type: dict
  hosts:
    description:
      - Devices whose O(result_var) is read when O(results) is omitted.
      - Default the play's hosts, C(ansible_play_hosts_all).
    type: list
    elements: str
  result_var:
    description: Name of the host variable the vpn_state result was registered as.
    type: str
    default: verify_result
  tunnels:
    description:
      - "The tunnels of the fleet, C([{name: a-b, ends: [srx-a, srx-b]}]). Optional: without it the
        tunnels and their ends are taken from the results; with it, a tunnel whose device gave no
        result still appears."
    type: list
    elements: dict
  generated_at:
    description: Timestamp to print instead of the current UTC time (reproducible reports).
    type: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Computes whether the reports would differ and writes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
notes:
  - "C(changed) is always false: the module reads results and writes the run's report on the
    controller, it changes no device (so a read-only audit reports C(changed=0)). The return value
    C(differs) says whether anything but the timestamp differs from the reports already in O(dest)."
seealso:
  - module: netops.srx_vpn.vpn_state
"""

EXAMPLES = r"""
- name: Check every tunnel end
  netops.srx_vpn.vpn_state:
    tunnels: "{{ verify_expectations.tunnels }}"
    bgp_peers: "{{ verify_expectations.bgp_peers }}"
  register: verify_result
  failed_when: false  # report failing devices too

- name: Write reports/vpn_status.md and reports/vpn_status.json
  netops.srx_vpn.vpn_report:
    dest: reports
  run_once: true
  delegate_to: localhost

- name: Same, from explicit results and with the fleet's tunnel list
  netops.srx_vpn.vpn_report:
    dest: "{{ playbook_dir }}/reports"
    name: vpn_status-lab
    results: "{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'verify_result'))) }}"
    tunnels:
      - name: a-b
        ends: [srx-a, srx-b]
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
paths:
  description: The files written (or that would be written in check mode).
  returned: always
  type: dict
  sample: {markdown: /work/reports/vpn_status.md, json: /work/reports/vpn_status.json}
differs:
  description: Whether anything but the timestamp differs from the reports that were in O(dest).
  returned: always
  type: bool
  sample: true
summary:
  description: Counts of devices, tunnels per state and problems.
  returned: always
  type: dict
  sample: {devices: 2, tunnels: 1, up: 1, degraded: 0, down: 0, unknown: 0, problems: 0}
tunnels:
  description: State of every tunnel, by name.
  returned: always
  type: dict
  sample: {a-b: UP}
problems:
  description: One line per problem, prefixed with the device.
  returned: always
  type: list
  elements: str
  sample: ["srx-a: tunnel a-b: no IKE SA with 1.1.1.2 - likely cause: ..."]
"""
