"""What becomes of uncommitted changes when a session ends or unlocks, through real clients.

Junos (NETCONF guide, <lock>, <lock-configuration>, "Terminate a NETCONF Session"):
changes made under a lock are discarded when the lock is released or the session ends;
a private candidate goes with its session; changes made to the shared candidate without
a lock stay in the shared database until someone commits or discards them; <kill-session>
rolls back the killed session's uncommitted changes and, when its commit confirmed is
still pending, the configuration that commit replaced.
"""
from __future__ import annotations

import pytest
from helpers import find_text, set_lines, wait_until
from jnpr.junos import Device
from jnpr.junos.exception import LockError
from jnpr.junos.utils.config import Config
from ncclient.operations import RPCError

CHANGE = ["set system domain-name session-end.example.net",
          "set interfaces lo0 unit 0 family inet address 192.168.7.7/32"]


def sets(nc) -> list[str]:
    return set_lines(find_text(nc.get_configuration(format="set"), "configuration-set") or "")


def pyez(params) -> Device:
    dev = Device(host=params.host, port=params.port, user=params.username, passwd=params.password,
                 gather_facts=False, auto_probe=5, timeout=30)
    dev.open()
    return dev


def test_pyez_unlock_discards_and_next_session_locks(lab, srx_a):
    dev = pyez(srx_a)
    cu = Config(dev)
    cu.lock()
    cu.load("\n".join(CHANGE), format="set")
    assert cu.diff()
    cu.unlock()                         # <unlock-configuration/> without commit
    assert cu.diff() is None            # the changes went with the lock
    dev.close()
    dev2 = pyez(srx_a)
    try:
        cu2 = Config(dev2)
        cu2.lock()                      # no "configuration database modified"
        assert cu2.diff() is None
        cu2.unlock()
    finally:
        dev2.close()
    assert set(lab.committed_set("srx-a")) == set(lab.factory_set["srx-a"])


def test_pyez_session_closed_with_lock_held(lab, srx_a):
    dev = pyez(srx_a)
    cu = Config(dev)
    cu.lock()
    cu.load("\n".join(CHANGE), format="set")
    dev.close()                         # ends the session without unlocking
    dev2 = pyez(srx_a)
    try:
        cu2 = Config(dev2)
        def locks() -> bool:
            try:
                cu2.lock()
            except LockError:
                return False
            return True
        assert wait_until(locks, 5), "lock or changes left behind by the closed session"
        assert cu2.diff() is None
        cu2.unlock()
    finally:
        dev2.close()


def test_unlocked_changes_stay_in_shared_database(lab, srx_a):
    factory = lab.factory_set["srx-a"]
    with lab.connect("srx-a") as first:
        first.load_configuration(action="set", config=CHANGE)     # no lock
    with lab.connect("srx-a") as nc:
        assert set(CHANGE) <= set(sets(nc))                        # still in the shared candidate
        with pytest.raises(RPCError) as err:
            nc.lock()
        assert "configuration database modified" in str(err.value)
        nc.discard_changes()
        nc.lock()
        assert sets(nc) == factory
        nc.unlock()


def test_kill_session_releases_lock_and_rolls_back_commit_confirmed(lab, srx_a):
    factory = lab.factory_set["srx-a"]
    holder = lab.connect("srx-a")
    holder.lock()
    holder.load_configuration(action="set", config=CHANGE[:1])
    holder.commit(confirmed=True, timeout="600")                 # pending for 10 minutes
    holder.load_configuration(action="set", config=CHANGE[1:])   # and more, uncommitted
    with lab.connect("srx-a") as nc:
        assert CHANGE[0] in lab.committed_set("srx-a")
        with pytest.raises(RPCError) as err:
            nc.lock()
        assert f"pid {holder.session_id}" in str(err.value)
        nc.kill_session(holder.session_id)
        assert wait_until(lambda: not holder.connected, 5), "killed session still connected"
        nc.lock()
        assert lab.committed_set("srx-a") == factory              # commit confirmed undone
        assert sets(nc) == factory
        nc.unlock()
