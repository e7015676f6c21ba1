# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
name: preload
type: aggregate
short_description: Import the NETCONF client libraries before any worker forks
version_added: "0.1.0"
description:
  - Multi-host C(ansible.netcommon.netconf) runs can hang for good when a worker process is
    forked while the controller is in the middle of importing lxml. Importing lxml, ncclient
    and jxmlease once, when the callback loads (before the first fork), avoids it.
  - Enable it with C(callbacks_enabled = netops.srx_vpn.preload) in ansible.cfg; it prints nothing.
requirements: [lxml, ncclient, jxmlease]
"""

import importlib

from ansible.plugins.callback import CallbackBase

for _name in ("lxml.etree", "ncclient.manager", "ncclient.xml_", "jxmlease"):
    try:
        importlib.import_module(_name)
    except ImportError:  # the modules that need them report it properly
        pass


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "netops.srx_vpn.preload"
    CALLBACK_NEEDS_ENABLED = True
