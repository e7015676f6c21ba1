# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vpn_state module's Ansiballz payload (built as ansible-playbook builds it, by
bench/payload.py) ships the XML parsers and the problems engine, and none of the filters'
CLI-text / JSON readers."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

BENCH = pathlib.Path(__file__).resolve().parents[4] / "bench" / "payload.py"
PREFIX = "ansible_collections/netops/srx_vpn/plugins/"


@pytest.fixture(scope="module")
def shipped():
    """Built in a process of its own: ansible's collection loader is process-wide state."""
    proc = subprocess.run([sys.executable, str(BENCH), "--module", "vpn_state", "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    assert figures["wrapper_bytes"] > figures["zip_bytes"] > sum(figures["collection_files"].values())
    return figures["collection_files"]


SHIPPED = {
    "modules/vpn_state.py", "modules/__init__.py", "__init__.py", "module_utils/__init__.py",
    "module_utils/vpn_checks.py", "module_utils/addresses.py",
    "module_utils/srx_state/__init__.py", "module_utils/srx_state/records.py",
    "module_utils/srx_state/reply.py", "module_utils/srx_state/ike.py",
    "module_utils/srx_state/ipsec.py", "module_utils/srx_state/bgp.py",
    "module_utils/srx_state/ping.py", "module_utils/srx_state/problems.py",
}


def test_vpn_state_ships_exactly_the_xml_parsers_and_the_engine(shipped):
    """Any other file in the payload (a CLI-text reader, a filter helper) is a regression."""
    assert {name.removeprefix(PREFIX) for name in shipped if name.startswith(PREFIX)} == SHIPPED
    assert not [name for name in shipped if "/plugin_utils/" in name or "/filter/" in name]
