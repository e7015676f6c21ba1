"""The lab driven by junos-eznc (PyEZ): Device, Config (shared and private), cli, rpc.

PyEZ uses the Junos-specific RPCs: <lock-configuration/>, <open-configuration><private/>,
<commit-configuration> with <check/>, <confirmed/>, <confirm-timeout>, <log>.
"""

from __future__ import annotations

import re
import time
import warnings

import pytest
from helpers import CONFIRM_MINUTE, Lab, fixture_set, set_lines
from jnpr.junos import Device
from jnpr.junos.exception import CommitError, ConfigLoadError, LockError
from jnpr.junos.utils.config import Config
from lxml import etree

CHANGE = ["set system domain-name pyez.example.net",
          "set interfaces lo0 unit 0 family inet address 192.168.1.1/32"]
CHANGE_EXPECT = set(CHANGE)


@pytest.fixture
def dev(srx_a):
    device = Device(host=srx_a.host, port=srx_a.port, user=srx_a.username,
                    passwd=srx_a.password, gather_facts=False,
                    auto_probe=5, timeout=30)
    device.open()
    yield device
    if device.connected:
        device.close()


def committed(lab: Lab) -> set[str]:
    return set(lab.committed_set("srx-a"))


def cli(dev: Device, command: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # "CLI command is for debug use only"
        return dev.cli(command, warning=False)


def test_open_and_software_information(dev):
    info = dev.rpc.get_software_information()
    assert info.findtext(".//host-name") == "srx-a"
    assert info.findtext(".//junos-version")
    assert info.findtext(".//product-model")
    assert "srx-a" in cli(dev, "show version")


def test_load_set_diff_check_commit_confirm(lab, dev):
    before = lab.commit_seq("srx-a")
    with Config(dev) as cu:
        cu.lock()
        cu.load("\n".join(CHANGE), format="set")
        diff = cu.diff()
        assert diff and "[edit system]" in diff, diff
        assert re.search(r"^\+\s+domain-name pyez\.example\.net;", diff, re.MULTILINE), diff
        assert cu.commit_check() is True
        assert not CHANGE_EXPECT & committed(lab)        # commit check commits nothing
        assert cu.commit(comment="pyez confirmed", confirm=1) is True
        t0 = time.monotonic()
        hist = lab.commits("srx-a")
        assert re.search(r"rollback in 1mins?", hist[0].get("comment", "")), hist[0]
        assert cu.commit(comment="pyez confirm") is True
        cu.unlock()
    time.sleep(max(0.0, CONFIRM_MINUTE * 1.5 - (time.monotonic() - t0)))
    assert CHANGE_EXPECT <= committed(lab)
    hist = lab.commits("srx-a")
    assert lab.commit_seq("srx-a") == before + 2
    assert [h.get("log") for h in hist[:2]] == ["pyez confirm", "pyez confirmed"]
    assert cu.diff() is None                              # nothing left in the candidate


def test_load_text_and_xml(lab, dev):
    text = "routing-options {\n    router-id 192.168.1.1;\n    autonomous-system 100;\n}\n"
    xml = ("<configuration><system><domain-name>xml.example.net</domain-name></system>"
           "</configuration>")
    with Config(dev) as cu:
        cu.lock()
        cu.load(text, format="text")
        cu.load(xml, format="xml")
        diff = cu.diff()
        assert "router-id 192.168.1.1;" in diff and "xml.example.net" in diff, diff
        assert cu.commit(comment="pyez text+xml") is True
        cu.unlock()
    now = committed(lab)
    assert {"set routing-options router-id 192.168.1.1",
            "set routing-options autonomous-system 100",
            "set system domain-name xml.example.net"} <= now
    conf = dev.rpc.get_config(filter_xml="<system><domain-name/></system>")
    assert conf.findtext(".//domain-name") == "xml.example.net"
    assert re.search(r"host-name srx-a;", cli(dev, "show configuration system host-name"))


def test_private_mode_is_isolated(lab, dev):
    before = lab.commit_seq("srx-a")
    with Config(dev, mode="private") as cu:
        cu.load("\n".join(CHANGE), format="set")
        assert "domain-name pyez.example.net" in cu.diff()
        # another session's shared candidate does not see the private changes
        with lab.connect("srx-a") as nc:
            assert not CHANGE_EXPECT & set(set_lines(lab.get_config(nc, "set")))
        assert cu.commit(comment="pyez private") is True
    assert CHANGE_EXPECT <= committed(lab)
    assert lab.commit_seq("srx-a") == before + 1
    # the private database is closed: the shared candidate can be locked again
    with Config(dev) as cu:
        cu.lock()
        cu.unlock()


def test_rollback_1(lab, dev):
    with Config(dev) as cu:
        cu.lock()
        cu.load("\n".join(CHANGE), format="set")
        cu.commit(comment="to be rolled back")
        before = lab.commit_seq("srx-a")
        assert cu.rollback(1) is True
        assert "domain-name pyez.example.net" in cu.diff()
        cu.commit(comment="rollback 1")
        cu.unlock()
    assert committed(lab) == set(lab.factory_set["srx-a"])
    hist = lab.commits("srx-a")
    assert lab.commit_seq("srx-a") == before + 1
    assert hist[0].get("log") == "rollback 1"


def test_commit_check_error_and_load_error(lab, dev):
    with Config(dev) as cu:
        cu.lock()
        cu.load("\n".join(fixture_set("srx-a.set") + [
            "delete security ike proposal IKE-PROPOSAL"]), format="set")
        with pytest.raises(CommitError) as err:
            cu.commit_check()
        assert err.value.rpc_error["edit_path"] == "[edit security ike policy IKE-POLICY]", \
            err.value.rpc_error
        assert "IKE-PROPOSAL" in err.value.rpc_error["message"]
        with pytest.raises(CommitError):
            cu.commit(comment="must fail")
        cu.rollback(0)
        with pytest.raises(ConfigLoadError) as err:
            cu.load("set interfaces st0 unit 0 family inet address 10.0.1.300/24", format="set")
        assert "10.0.1.300" in str(err.value)
        cu.unlock()
    assert committed(lab) == set(lab.factory_set["srx-a"])


def test_lock_error_when_held(lab, dev):
    lab.fault("srx-a", "hold-lock", "admin")
    with Config(dev) as cu:
        with pytest.raises(LockError) as err:
            cu.lock()
        assert "configuration database locked by" in etree.tostring(err.value.rsp, encoding="unicode")
    lab.fault("srx-a", "clear")
    with Config(dev) as cu:
        cu.lock()
        cu.unlock()
