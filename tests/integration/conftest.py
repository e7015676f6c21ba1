"""Acceptance tests of the SRX lab emulator with the real clients.

One lab (``srxlab up`` with ``lab/topologies/seed-pair.yml``) per pytest process: under
``pytest -n 2`` every xdist worker starts its own lab in its own temporary state directory,
so workers never share a device.  Lab time runs 20x faster (``SRXLAB_TIME_SCALE=0.05``):
``commit confirmed 1`` rolls back after 3 s.

Fixtures:

* ``lab``            the session's :class:`helpers.Lab` (status, faults, ncclient helpers, Ansible);
* ``srx_a``/``srx_b`` a device reset to its factory configuration, faults cleared
  (function scope: every test starts from the same state);
* ``nc_a``          an open ncclient session to the reset srx-a, closed after the test.

The reset loads the factory configuration captured right after `srxlab up` (Junos text,
`load override`) and commits it, only when the device differs or a commit confirmed waits.

Every subprocess is bounded by a timeout.  The devices' state is always checked through
ncclient after a client has acted (config, commit history), never only from a return code.

This file holds only the fixtures: the helpers (``Lab``, ``set_lines``, ``find_all``,
``wait_until``, ...) live in ``helpers.py`` and the test modules import them from there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

# helpers imports the NETCONF stack before anything forks (see TOOLCHAIN.md).
import pytest
from helpers import Device, Lab
from ncclient import manager


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The lab of this pytest process (one per xdist worker), torn down at the end."""
    base = tmp_path_factory.mktemp("srxlab")
    (base / "ansible.cfg").write_text(
        "[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n"
        "interpreter_python = auto_silent\nstdout_callback = default\nresult_format = yaml\n"
        "callback_result_format = yaml\n"
        "[persistent_connection]\nconnect_timeout = 30\ncommand_timeout = 60\n")
    the_lab = Lab("seed-pair", "it", work_dir=base)
    try:
        the_lab.up(factory=True)
        yield the_lab
    finally:
        the_lab.down()


@pytest.fixture
def srx_a(lab: Lab) -> Iterator[Device]:
    params = lab.reset("srx-a")
    yield params
    lab.fault("srx-a", "clear")


@pytest.fixture
def srx_b(lab: Lab) -> Iterator[Device]:
    params = lab.reset("srx-b")
    yield params
    lab.fault("srx-b", "clear")


@pytest.fixture
def nc_a(lab: Lab, srx_a: Device) -> Iterator[manager.Manager]:
    nc = lab.connect("srx-a")
    yield nc
    with contextlib.suppress(Exception):
        nc.close_session()
