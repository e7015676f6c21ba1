# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_deploy
short_description: Deploy the VPN intent to a fleet of Junos SRX as one transaction, verify, confirm or roll back
version_added: "0.2.0"
author: netops.srx_vpn maintainers (!UNKNOWN)
description:
  - Runs once, on the controller, for the whole fleet (C(run_once) and C(delegate_to) V(localhost)).
    It opens one NETCONF session per device (ncclient, a thread pool) with the devices' inventory
    connection variables (C(ansible_host), C(ansible_port), C(ansible_user), C(ansible_password) or
    C(ansible_ssh_private_key_file), C(ansible_host_key_checking)); where a host sets no user, password or key,
    those given on the command line (C(-u), the C(--ask-pass) answer, C(--private-key)); with neither a password
    nor a key, the SSH agent's keys.
  - "Read: every device of the play is locked and read (commit history, configuration); its candidate
    (the stanza roles' templates rendered in-process, deletes of the owned objects, pre-shared keys as
    C($9$)) is loaded and Junos's own diff taken; an unchanged device is unlocked at once. The peers of
    its tunnels are read too (verification needs both ends), never changed. One snapshot of every
    tunnel's state is taken before any push."
  - "A commit confirmed still pending on a device is handled first: adopted when it is exactly this
    run's intent and enough of its window is left (verified, then confirmed or rolled back), otherwise
    rolled back before the push."
  - "Transaction: the tunnels each device's diff touches form connected components (two tunnels are
    joined when one device's change touches both). A component with a device that could not be
    reached or read is not pushed at all. The others get ONE commit confirmed per changed device; both
    ends of every changed tunnel are verified (IKE SA, IPsec SAs, BGP, pings); a component is confirmed
    only when all its devices committed and all its tunnels hold, otherwise every device of it rolls
    back, and the tunnels that were up before are checked to be up again."
  - "A confirm is proven: the commit history must show this run's confirm right after this run's
    commit confirmed (no automatic rollback between them)."
  - A controller lock per device endpoint keeps a second run off the same devices; it fails at once
    naming the holder.
  - Writes the status report (Markdown and JSON) with the outcome of every tunnel and the action on
    every device, success or failure. Fails when anything was rolled back, not pushed or not proven.
  - A tunnel that uses its legacy opt-in (a short key, weak crypto) is a warning of the run, naming the tunnel
    and each weak setting (never the key), also in the report's C(warnings).
  - Check mode loads and diffs every device, then discards; nothing is committed. Diff mode returns each
    changed device's Junos diff, keys masked.
requirements:
  - ncclient
  - lxml
  - netutils (the C($9$) pre-shared keys, on the controller)
options:
  plans:
    description: Every device's plan (C(srx_vpn_plans), from the C(netops.srx_vpn.plan) role).
    type: dict
    required: true
  hosts:
    description: The devices to deploy; default the play's hosts (so C(--limit) works). Their peers are only read.
    type: list
    elements: str
  fleet:
    description: Every device whose connection variables may be used (default the devices of O(plans)).
    type: list
    elements: str
  psks:
    description: Pre-shared keys by tunnel name (C(srx_vpn_psks), from vault). Never returned or logged.
    type: dict
    default: {}
  confirm_minutes:
    description: The commit-confirmed window, minutes (1-65535); must exceed O(verify_timeout) by 60 s.
    type: raw
    default: 5
  verify_timeout:
    description: Seconds to wait for every changed tunnel to hold on both ends (and, after a rollback, for the old state).
    type: raw
    default: 60
  verify_interval:
    description: Seconds between two readings of a device's state while verifying.
    type: float
    default: 1.0
  command_timeout:
    description: Seconds to wait for one RPC (a commit included) before the device counts as failed.
    type: raw
    default: 60
  workers:
    description: Devices handled in parallel (threads); the work is mostly waiting for replies.
    type: raw
    default: 64
  batch_size:
    description:
      - Changed devices per batch (an integer, or a percentage of the play's hosts such as V(25%)); V(0) is one batch.
      - Components are never split; a component larger than the batch gets a batch of its own. After a batch that
        rolled back, the later batches are not pushed.
    type: raw
    default: 0
  run_id:
    description: The run's id, written in every commit comment and the report (default a time stamp and a random suffix).
    type: str
  reports_dir:
    description: Folder of the report (C(vpn_status.md), C(vpn_status.json)); not written in check mode.
    type: path
  report_name:
    description: File name of the report, without extension.
    type: str
    default: vpn_status
  lock_dir:
    description: Folder of the controller locks (default C(netops.srx_vpn-locks) in the temporary folder).
    type: path
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: junos
notes:
  - The playbook C(deploy_vpn.yml) runs it; see docs/safety.md for the transaction, the fault matrix and batches.
seealso:
  - module: netops.srx_vpn.vpn_state
  - module: netops.srx_vpn.vpn_report
"""

EXAMPLES = r"""
- name: Push, verify both ends, confirm or roll back, and write the report
  netops.srx_vpn.vpn_deploy:
    plans: "{{ srx_vpn_plans }}"
    psks: "{{ srx_vpn_psks }}"
    confirm_minutes: 5
    verify_timeout: 60
    reports_dir: "{{ playbook_dir }}/reports"
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
run_id:
  description: The run's id (also in every commit comment).
  returned: always
  type: str
  sample: 20261203T101500Z-3fa2c1
started:
  description: When the run started (UTC, ISO 8601).
  returned: always
  type: str
tunnels:
  description:
    - Per tunnel, C(outcome) (V(changed-verified), V(rolled-back-restored), V(rolled-back-still-down),
      V(unchanged), V(not-reached)), C(detail) (the cause), C(ends), C(up_before), C(removed).
  returned: always
  type: dict
devices:
  description:
    - Per device, C(action) (V(confirmed), V(rolled back), V(rolled back by Junos after the confirm window),
      V(unchanged), V(unreachable), V(not pushed), V(failed)), C(detail) (Junos's error, keys masked),
      C(pending) (a commit confirmed found pending and what was done), C(touched) tunnels, C(rpcs).
  returned: always
  type: dict
components:
  description: The connected components of changed tunnels with their devices, action and reasons.
  returned: always
  type: list
  elements: dict
report:
  description: The report files written.
  returned: when not in check mode
  type: dict
"""
