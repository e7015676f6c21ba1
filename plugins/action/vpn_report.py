# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin ``netops.srx_vpn.vpn_report``: write the VPN status report on the controller.

Thin adapter: the report lives in ``plugin_utils/report.py``; documentation in
``plugins/modules/vpn_report.py``.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import report

FQCN = "netops.srx_vpn.vpn_report"

ARGUMENT_SPEC = {
    "dest": {"type": "path", "required": True},
    "name": {"type": "str", "default": "vpn_status"},
    "results": {"type": "dict"},
    "hosts": {"type": "list", "elements": "str"},
    "result_var": {"type": "str", "default": "verify_result"},
    "tunnels": {"type": "list", "elements": "dict"},
    "generated_at": {"type": "str"},
}


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:  # absent or unreadable: the report differs; writing it names the problem
        return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def _results(self, args, task_vars):
        if args["results"] is not None:
            return report.plain(args["results"])
        hosts = args["hosts"]
        if hosts is None:
            hosts = task_vars.get("ansible_play_hosts_all") or []
        hostvars = task_vars.get("hostvars", {})
        results = {}
        for host in hosts:
            facts = hostvars.get(host) if hasattr(hostvars, "get") else None
            value = facts.get(args["result_var"]) if facts is not None else None
            results[str(host)] = report.plain(value) if value is not None else None
        return results

    def run(self, tmp=None, task_vars=None):
        del tmp  # unused
        task_vars = task_vars or {}
        result = super().run(task_vars=task_vars)
        validation, args = self.validate_argument_spec(ARGUMENT_SPEC)
        del validation
        try:
            model = report.build_report(self._results(args, task_vars),
                                        report.plain(args["tunnels"]) if args["tunnels"] else None,
                                        args["generated_at"])
        except report.ReportError as exc:
            raise AnsibleActionFail(f"{FQCN}: {exc}") from exc
        dest = os.path.abspath(os.path.expanduser(args["dest"]))
        outputs = {
            "markdown": (os.path.join(dest, f"{args['name']}.md"), report.render_markdown(model)),
            "json": (os.path.join(dest, f"{args['name']}.json"), report.render_json(model)),
        }
        # Reading the fleet changes nothing, so the task never reports changed: the report is
        # this run's output on the controller, like a command's stdout. Whether it differs from
        # the previous one (anything but its timestamp) is returned as `differs`.
        differs = False
        for path, text in outputs.values():
            old = _read(path)
            if old is None or report.without_timestamp(old) != report.without_timestamp(text):
                differs = True
            if not self._task.check_mode:
                try:
                    report.write_file(path, text)
                except OSError as exc:
                    raise AnsibleActionFail(f"{FQCN}: cannot write {path}: {exc}") from exc
        result.update(
            changed=False,
            differs=differs,
            paths={kind: path for kind, (path, _text) in outputs.items()},
            summary=model["summary"],
            tunnels={t["name"]: t["state"] for t in model["tunnels"]},
            problems=[f"{p['device']}: {p['summary']}" for p in model["problems"]],
        )
        return result
