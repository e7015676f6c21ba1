# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin ``netops.srx_vpn.vpn_deploy``: the fleet deploy as one transaction.

Thin adapter: the engine is ``plugin_utils/fleet.py`` (sessions, phases), the decision
``plugin_utils/transaction.py``, the report ``plugin_utils/report.py``; documentation in
``plugins/modules/vpn_deploy.py``. Runs once for the whole fleet, on the controller
(``run_once: true``, ``delegate_to: localhost``).
"""

from __future__ import annotations

import os

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    fleet,
    intent,
    report,
    transaction,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils.candidate import (
    mask_secrets,
)

FQCN = "netops.srx_vpn.vpn_deploy"
display = Display()

ARGUMENT_SPEC = {
    "plans": {"type": "dict", "required": True},
    "hosts": {"type": "list", "elements": "str"},
    "fleet": {"type": "list", "elements": "str"},
    "psks": {"type": "dict", "default": {}, "no_log": True},
    "confirm_minutes": {"type": "raw", "default": 5},
    "verify_timeout": {"type": "raw", "default": 60},
    "verify_interval": {"type": "float", "default": 1.0},
    "command_timeout": {"type": "raw", "default": 60},
    "workers": {"type": "raw", "default": 64},
    "batch_size": {"type": "raw", "default": 0},
    "run_id": {"type": "str"},
    "reports_dir": {"type": "path"},
    "report_name": {"type": "str", "default": "vpn_status"},
    "lock_dir": {"type": "path"},
}


def _number(value):
    """An option given on the command line (``-e x=5``) arrives as text."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value


def _connection(name, hv, cli=None):
    """NETCONF connection parameters of one inventory host (the netconf connection's vars).

    ``cli`` holds what the command line gave for every host (``-u``, the ``--ask-pass`` answer,
    ``--private-key``: how AWX passes a Machine credential); a host variable wins over it."""
    cli = cli or {}

    def get(*keys, default=None):
        for key in keys:
            value = hv.get(key)
            if value is not None and value != "":
                return value
        return default
    checking = get("ansible_host_key_checking", "ansible_netconf_host_key_checking",
                   default=C.HOST_KEY_CHECKING)
    return {
        "host": str(get("ansible_host", default=name)),
        "port": int(get("ansible_port", default=830)),
        "username": str(get("ansible_user", "ansible_ssh_user", default=cli.get("username")) or "") or None,
        "password": str(get("ansible_password", "ansible_ssh_pass", default=cli.get("password")) or "") or None,
        "key_filename": str(get("ansible_ssh_private_key_file", "ansible_private_key_file",
                                default=cli.get("key_filename")) or "") or None,
        "hostkey_verify": boolean(checking, strict=False),
    }


def _percent(value, total):
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return max(1, int(total * float(value.strip()[:-1]) / 100))
        except ValueError:
            return value
    return _number(value)


def summary_lines(run):
    """What the run did, one line per tunnel and per deployed device (keys masked)."""
    lines = []
    for name, t in sorted(run["tunnels"].items()):
        detail = f": {t['detail']}" if t.get("detail") else ""
        lines.append(f"tunnel {name}: {t['outcome']}{detail}")
    for name, d in sorted(run["devices"].items()):
        if not d["deploy"] and d["action"] == transaction.UNCHANGED_DEVICE:
            continue
        extra = "; ".join(x for x in (d.get("pending"), d.get("detail")) if x)
        lines.append(f"device {name}: {d['action']}" + (f" - {extra}" if extra else ""))
    return [mask_secrets(x) for x in lines]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        del tmp  # unused
        task_vars = task_vars or {}
        result = super().run(task_vars=task_vars)
        _validation, args = self.validate_argument_spec(ARGUMENT_SPEC)
        plans = report.plain(args["plans"])
        hosts = [str(h) for h in (args["hosts"] if args["hosts"] is not None
                                  else task_vars.get("ansible_play_hosts") or [])]
        fleet_hosts = [str(h) for h in (args["fleet"] or plans)]
        hostvars = task_vars.get("hostvars", {})
        missing = [h for h in hosts if h not in plans]
        if missing:
            raise AnsibleActionFail(f"{FQCN}: no plan for {', '.join(missing)} (not in the fleet group)")
        opts = fleet.Options(
            run_id=args["run_id"] or fleet.default_run_id(),
            confirm_minutes=_number(args["confirm_minutes"]), verify_timeout=_number(args["verify_timeout"]),
            verify_interval=args["verify_interval"], command_timeout=_number(args["command_timeout"]),
            workers=_number(args["workers"]), batch_size=_percent(args["batch_size"], len(hosts)),
            check_mode=bool(self._task.check_mode), lock_dir=args["lock_dir"] or "",
            psks={str(k): str(v) for k, v in (args["psks"] or {}).items()})
        problems = fleet.check_options(opts)
        if problems:
            raise AnsibleActionFail(f"{FQCN}: {len(problems)} problem(s) before any device contact:\n"
                                    + "\n".join(f"  - {p}" for p in problems))
        pc = self._play_context
        cli = {"username": pc.remote_user, "password": pc.password, "key_filename": pc.private_key_file}
        devices = {}
        for name in fleet_hosts:
            if name in plans:
                devices[name] = {"params": _connection(name, hostvars[name], cli), "plan": plans[name]}
        try:
            run = fleet.run_fleet(devices, hosts, opts, log=lambda msg: display.vv(f"{FQCN}: {mask_secrets(msg)}"))
        except fleet.FleetLocked as exc:
            raise AnsibleActionFail(f"{FQCN}: another run holds the fleet: {exc}") from None
        lines = summary_lines(run)
        warnings = [f"netops.srx_vpn: {w}" for w in intent.plan_warnings(plans)]
        if warnings:
            result["warnings"] = warnings   # shown by Ansible as [WARNING]: ...
        result.update(run_id=run["run_id"], started=run["started"], tunnels=run["tunnels"],
                      devices={n: {k: v for k, v in d.items() if k != "diff"} for n, d in run["devices"].items()},
                      components=run["components"])
        changed = [n for n, d in run["devices"].items() if d["diff"] and d["deploy"]]
        result["changed"] = bool(changed) and (opts.check_mode or any(
            run["devices"][n]["action"] == transaction.CONFIRMED for n in changed))
        if self._task.diff and changed:
            result["diff"] = [{"prepared": f"[{n}]\n{run['devices'][n]['diff']}\n"} for n in changed]
        if not opts.check_mode and args["reports_dir"]:
            model = report.build_report(run["states"], intent.tunnel_list(plans), run=run, warnings=warnings)
            dest = os.path.abspath(os.path.expanduser(args["reports_dir"]))
            paths = {}
            for kind, text in (("md", report.render_markdown(model)), ("json", report.render_json(model))):
                path = os.path.join(dest, f"{args['report_name']}.{kind}")
                report.write_file(path, mask_secrets(text))
                paths[kind] = path
            result["report"] = paths
        head = (f"run {run['run_id']}: "
                + ("FAILED" if run["failed"] else ("check mode, nothing committed" if opts.check_mode else "ok")))
        result["msg"] = "\n".join([head, *lines])
        result["failed"] = bool(run["failed"])
        return result
