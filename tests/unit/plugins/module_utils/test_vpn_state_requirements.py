# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vpn_state module names a missing Python library (netaddr, lxml) instead of failing
with a traceback where the module runs."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.netops.srx_vpn.plugins.modules import vpn_state


@pytest.mark.parametrize(("attribute", "library"), [("NETADDR_IMPORT_ERROR", "netaddr"),
                                                     ("LXML_IMPORT_ERROR", "lxml")])
def test_missing_library_fails_with_its_name(monkeypatch, capsys, attribute, library):
    monkeypatch.setattr(vpn_state, attribute, ImportError(f"No module named '{library}'"))
    with patch_module_args({"tunnels": [{"name": "a-b", "remote_address": "1.1.1.2"}]}), \
            pytest.raises(SystemExit):
        vpn_state.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and "netops.srx_vpn.vpn_state: Failed to import the required Python library " \
        f"({library})" in result["msg"]


def test_libraries_present_reach_the_connection_check(capsys):
    with patch_module_args({"tunnels": [{"name": "a-b", "remote_address": "1.1.1.2"}]}), \
            pytest.raises(SystemExit):
        vpn_state.main()
    assert "needs a persistent NETCONF connection" in json.loads(capsys.readouterr().out)["msg"]
