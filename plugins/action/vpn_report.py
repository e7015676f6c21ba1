# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin ``netops.srx_vpn.vpn_report``: write the VPN status report on the controller.

Thin adapter: the report lives in ``plugin_utils/report.py``; documentation in
``plugins/modules/vpn_report.py``.
"""

from __future__ import annotations

import os
import tempfile

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


def _plain(value):
    """Plain dicts/lists/scalars (hostvars hand out lazy and tagged containers)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _write(path, text):
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".vpn_report.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def _results(self, args, task_vars):
        if args["results"] is not None:
            return _plain(args["results"])
        hosts = args["hosts"]
        if hosts is None:
            hosts = task_vars.get("ansible_play_hosts_all") or []
        hostvars = task_vars.get("hostvars", {})
        results = {}
        for host in hosts:
            facts = hostvars.get(host) if hasattr(hostvars, "get") else None
            value = facts.get(args["result_var"]) if facts is not None else None
            results[str(host)] = _plain(value) if value is not None else None
        return results

    def run(self, tmp=None, task_vars=None):
        del tmp  # unused
        task_vars = task_vars or {}
        result = super().run(task_vars=task_vars)
        validation, args = self.validate_argument_spec(ARGUMENT_SPEC)
        del validation
        try:
            model = report.build_report(self._results(args, task_vars),
                                        _plain(args["tunnels"]) if args["tunnels"] else None,
                                        args["generated_at"])
        except report.ReportError as exc:
            raise AnsibleActionFail(f"{FQCN}: {exc}") from exc
        dest = os.path.abspath(os.path.expanduser(args["dest"]))
        outputs = {
            "markdown": (os.path.join(dest, f"{args['name']}.md"), report.render_markdown(model)),
            "json": (os.path.join(dest, f"{args['name']}.json"), report.render_json(model)),
        }
        changed = False
        for path, text in outputs.values():
            old = _read(path)
            if old is None or report.without_timestamp(old) != report.without_timestamp(text):
                changed = True
            if not self._task.check_mode:
                try:
                    _write(path, text)
                except OSError as exc:
                    raise AnsibleActionFail(f"{FQCN}: cannot write {path}: {exc}") from exc
        result.update(
            changed=changed,
            paths={kind: path for kind, (path, _text) in outputs.items()},
            summary=model["summary"],
            tunnels={t["name"]: t["state"] for t in model["tunnels"]},
            problems=[f"{p['device']}: {p['summary']}" for p in model["problems"]],
        )
        return result
