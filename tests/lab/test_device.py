"""The emulated device's configuration database, driven in-process through Session.dispatch.

The same behaviour is exercised over SSH by real clients in tests/integration; these tests
pin the Junos semantics (locks, private candidates, commit confirmed, commit check,
persistence, faults) quickly and precisely.
"""
from __future__ import annotations

import pathlib
import time

import pytest
from lxml import etree
from netutils.password import decrypt_juniper_type9
from srxlab.device import DropSession
from srxlab.lab import Lab

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
SRX_A = (FIXTURES / "srx-a-reference.set").read_text()
FACTORY = """set system host-name srx-a
set system root-authentication encrypted-password "$6$abc$def"
set system services netconf ssh
set interfaces ge-0/0/0 unit 0 family inet address 1.1.1.1/24
set security zones security-zone UNTRUST interfaces ge-0/0/0.0
"""


def topology(scale=1.0):
    return {"name": "t", "time_scale": scale, "devices": {
        "srx-a": {"name": "srx-a", "username": "root", "password": "lab123", "model": "vsrx",
                  "ports": ["ge-0/0/0", "ge-0/0/1"], "factory_config": FACTORY}}}


def rpc(session, xml):
    out = session.dispatch(etree.fromstring(xml))
    return out


def errors(reply):
    return [(e.findtext("error-severity"), e.findtext("error-path"), e.findtext("error-message"))
            for el in reply for e in ([el] if el.tag == "rpc-error" else el.iter("rpc-error"))]


def load_set(session, text):
    return rpc(session, "<load-configuration action='set' format='text'><configuration-set>"
                        f"{_esc(text)}</configuration-set></load-configuration>")


def _esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;")


def commit(session, extra=""):
    return rpc(session, f"<commit-configuration>{extra}</commit-configuration>")


def committed_set(session):
    return rpc(session, "<get-configuration database='committed' format='set'/>")[0].text


@pytest.fixture()
def lab(tmp_path):
    lab = Lab(topology(), tmp_path)
    yield lab
    lab.shutdown()


@pytest.fixture()
def dev(lab):
    return lab.devices["srx-a"]


def test_reference_config_loads_commits_and_diff_is_empty_after(dev):
    s = dev.new_session("root")
    assert rpc(s, "<lock><target><candidate/></target></lock>") == []
    assert errors(load_set(s, SRX_A)) == []
    assert rpc(s, "<validate><source><candidate/></source></validate>") == []
    diff = rpc(s, "<get-configuration compare='rollback' rollback='0' format='text'/>")[0]
    assert "[edit security]\n+   ike {\n" in diff.findtext("configuration-output")
    assert "## SECRET-DATA" in diff.findtext("configuration-output")
    reply = commit(s, "<log>deploy run 42</log>")[0]
    assert reply.find("routing-engine/commit-success") is not None
    diff = rpc(s, "<get-configuration compare='rollback' rollback='0' format='text'/>")[0]
    assert diff.findtext("configuration-output") == "\n"  # "no change" is whitespace, as Junos
    assert rpc(s, "<unlock><target><candidate/></target></unlock>") == []
    hist = rpc(s, "<get-commit-information/>")[0]
    assert hist.findtext("commit-history/log") == "deploy run 42"
    assert hist.findtext("commit-history/client") == "netconf"


def test_psk_shown_as_a_9_secret(dev):
    s = dev.new_session("root")
    load_set(s, SRX_A)
    commit(s)
    text = rpc(s, "<get-configuration database='committed' format='text'/>")[0].text
    line = next(x for x in text.splitlines() if "ascii-text" in x)
    secret = line.split('"')[1]
    assert line.endswith("## SECRET-DATA") and decrypt_juniper_type9(secret) == "Juniper-lab-key-1"
    assert "Juniper-lab-key-1" not in text


def test_lock_held_by_other_session_and_modified_database(dev):
    a, b = dev.new_session("root"), dev.new_session("admin")
    assert rpc(a, "<lock><target><candidate/></target></lock>") == []
    err = errors(rpc(b, "<lock><target><candidate/></target></lock>"))
    assert err[0][2].startswith("configuration database locked by:") and "root" in err[0][2]
    assert errors(load_set(b, "set system host-name x"))[0][2].startswith("configuration database locked by")
    a.close()  # ends without commit: lock released, nothing left behind
    assert rpc(b, "<lock><target><candidate/></target></lock>") == []
    load_set(b, "set system host-name changed")
    c = dev.new_session("root")
    err = errors(rpc(c, "<lock><target><candidate/></target></lock>"))
    assert err[0][2].startswith("configuration database locked")
    b.close()
    # unlocked shared candidate modified by one session: another cannot lock it
    d, e = dev.new_session("root"), dev.new_session("root")
    load_set(d, "set system host-name changed")
    assert errors(rpc(e, "<lock><target><candidate/></target></lock>"))[0][2] == "configuration database modified"
    d.close()
    # the shared database keeps changes made without a lock after their session ends, as on Junos
    assert "host-name changed" in rpc(e, "<get-configuration format='set'/>")[0].text
    assert errors(rpc(e, "<lock><target><candidate/></target></lock>"))[0][2] == "configuration database modified"
    assert rpc(e, "<discard-changes/>") == []
    assert rpc(e, "<get-configuration format='set'/>")[0].text == committed_set(e)
    assert rpc(e, "<lock><target><candidate/></target></lock>") == []


def test_unlock_without_commit_discards(dev):
    s = dev.new_session("root")
    rpc(s, "<lock><target><candidate/></target></lock>")
    load_set(s, "set system host-name changed")
    rpc(s, "<unlock><target><candidate/></target></unlock>")
    assert "host-name srx-a" in rpc(s, "<get-configuration format='set'/>")[0].text


def test_unlock_configuration_and_session_end_discard_locked_changes(dev):
    for end in ("unlock", "close"):
        s = dev.new_session("root")
        assert rpc(s, "<lock-configuration/>") == []
        load_set(s, "set system host-name changed")
        if end == "unlock":
            assert rpc(s, "<unlock-configuration/>") == []
            s.close()
        else:
            s.close()
        t = dev.new_session("root")
        assert rpc(t, "<lock><target><candidate/></target></lock>") == []
        assert rpc(t, "<get-configuration format='set'/>")[0].text == committed_set(t)
        t.close()


def test_private_candidate_goes_with_its_session(dev):
    a = dev.new_session("root")
    assert rpc(a, "<open-configuration><private/></open-configuration>") == []
    load_set(a, "set system host-name private-one")
    a.close()
    b = dev.new_session("root")
    assert rpc(b, "<lock-configuration/>") == []
    assert "private-one" not in rpc(b, "<get-configuration format='set'/>")[0].text


def test_session_end_keeps_pending_commit_confirmed(dev):
    a = dev.new_session("root")
    rpc(a, "<lock-configuration/>")
    load_set(a, "set system host-name confirmed-one")
    commit(a, "<confirmed/><confirm-timeout>5</confirm-timeout>")
    a.close()
    assert dev.pending_confirm_minutes() == 5
    b = dev.new_session("root")
    assert "host-name confirmed-one" in committed_set(b)
    commit(b)                                   # a plain commit confirms it
    assert dev.pending_confirm_minutes() is None and "host-name confirmed-one" in committed_set(b)


def test_kill_session_rolls_back_its_changes_and_its_commit_confirmed(dev):
    killed = []
    a, b = dev.new_session("root"), dev.new_session("admin")
    a.on_kill = lambda: killed.append(a.session_id)
    rpc(a, "<lock-configuration/>")
    load_set(a, "set system host-name confirmed-one")
    commit(a, "<confirmed/><confirm-timeout>5</confirm-timeout>")
    load_set(a, "set system domain-name uncommitted.example")
    err = errors(rpc(b, "<lock><target><candidate/></target></lock>"))
    assert err[0][2].startswith("configuration database locked by:") and f"pid {a.session_id}" in err[0][2]
    assert rpc(b, f"<kill-session><session-id>{a.session_id}</session-id></kill-session>") == []
    assert killed == [a.session_id] and a.closed and a.session_id not in dev.sessions
    assert dev.pending_confirm_minutes() is None
    assert "host-name srx-a" in committed_set(b) and dev.db.history[0].kind == "rollback"
    assert rpc(b, "<lock><target><candidate/></target></lock>") == []
    assert rpc(b, "<get-configuration format='set'/>")[0].text == committed_set(b)
    # unlocked changes of a killed session are rolled back too
    c = dev.new_session("root")
    rpc(b, "<unlock><target><candidate/></target></unlock>")
    load_set(c, "set system domain-name c.example")
    rpc(b, f"<kill-session><session-id>{c.session_id}</session-id></kill-session>")
    assert rpc(b, "<lock><target><candidate/></target></lock>") == []
    assert "c.example" not in rpc(b, "<get-configuration format='set'/>")[0].text


def test_kill_session_errors(dev):
    a = dev.new_session("root")
    own = errors(rpc(a, f"<kill-session><session-id>{a.session_id}</session-id></kill-session>"))
    assert own[0][2] == "cannot kill own session"
    assert errors(rpc(a, "<kill-session><session-id>999999</session-id></kill-session>"))[0][2] \
        == "session 999999 does not exist"


def test_private_candidate(dev):
    a, b = dev.new_session("root"), dev.new_session("root")
    assert rpc(a, "<open-configuration><private/></open-configuration>") == []
    load_set(a, "set system host-name private-one")
    assert "private-one" not in rpc(b, "<get-configuration format='set'/>")[0].text
    commit(a)
    assert "private-one" in committed_set(b)
    rpc(a, "<close-configuration/>")


@pytest.mark.parametrize("action,fmt,body", [
    ("merge", "text", "<configuration-text>system { host-name merged; }</configuration-text>"),
    ("replace", "text", "<configuration-text>system { replace: host-name replaced; }</configuration-text>"),
    ("merge", "xml", "<configuration><system><host-name>fromxml</host-name></system></configuration>"),
    ("merge", "json",
     '<configuration-json>{"configuration": {"system": {"host-name": "fromjson"}}}</configuration-json>'),
])
def test_load_formats(dev, action, fmt, body):
    s = dev.new_session("root")
    reply = rpc(s, f"<load-configuration action='{action}' format='{fmt}'>{body}</load-configuration>")
    assert reply[0].find("ok") is not None, etree.tostring(reply[0])
    commit(s)
    name = rpc(s, "<get-software-information/>")[0].findtext("host-name")
    assert name in ("merged", "replaced", "fromxml", "fromjson")
    # other statements survive merge/replace
    assert "ge-0/0/0" in committed_set(s)


def test_override_and_rollback(dev):
    s = dev.new_session("root")
    load_set(s, SRX_A)
    commit(s)
    before = committed_set(s)
    reply = rpc(s, "<load-configuration action='override' format='text'><configuration-text>"
                   "system { host-name only; }</configuration-text></load-configuration>")
    assert reply[0].find("ok") is not None
    commit(s)
    assert committed_set(s) == "set version 23.4R1.10\nset system host-name only\n"  # Junos stamps version
    rpc(s, "<load-configuration rollback='1'/>")
    commit(s)
    assert committed_set(s) == before
    assert errors(rpc(s, "<load-configuration rollback='77'/>"))


def test_commit_check_failure_names_path_and_statement(dev):
    s = dev.new_session("root")
    load_set(s, SRX_A + "set security ipsec vpn IPSEC-VPN bind-interface st0.9\n")
    reply = commit(s, "<check/>")
    errs = errors(reply)
    assert errs[0][1] == "[edit security ipsec vpn IPSEC-VPN]"
    assert "st0.9" in errs[0][2]
    assert errs[-1][2] == "configuration check-out failed"
    assert "IPSEC-VPN" not in committed_set(s)


def test_commit_check_success(dev):
    s = dev.new_session("root")
    load_set(s, SRX_A)
    reply = commit(s, "<check/>")
    assert reply[0].find("routing-engine/commit-check-success") is not None
    assert "IKE-GATEWAY" not in committed_set(s)


def test_commit_confirmed_rolls_back_unless_confirmed(tmp_path):
    lab = Lab(topology(scale=0.002), tmp_path)  # 1 minute = 0.12 s
    s = lab.devices["srx-a"].new_session("root")
    load_set(s, "set system host-name confirmed-1")
    reply = commit(s, "<confirmed/><confirm-timeout>1</confirm-timeout>")
    assert "rolled back in 1 minute" in reply[0].findtext("output")
    hist = rpc(s, "<get-commit-information/>")[0]
    assert hist.findtext("commit-history/comment") == "commit confirmed, rollback in 1mins"
    time.sleep(0.4)
    assert "host-name srx-a" in committed_set(s)
    assert rpc(s, "<get-commit-information/>")[0].findtext("commit-history/client") == "other"
    # now confirm in time
    load_set(s, "set system host-name confirmed-2")
    commit(s, "<confirmed/><confirm-timeout>1</confirm-timeout>")
    commit(s)
    time.sleep(0.4)
    assert "host-name confirmed-2" in committed_set(s)
    lab.shutdown()


def test_committed_config_and_history_survive_restart(tmp_path):
    lab = Lab(topology(), tmp_path)
    s = lab.devices["srx-a"].new_session("root")
    load_set(s, SRX_A)
    commit(s, "<log>first</log>")
    before = committed_set(s)
    lab.shutdown()
    lab2 = Lab(topology(), tmp_path)
    s2 = lab2.devices["srx-a"].new_session("root")
    assert committed_set(s2) == before
    assert rpc(s2, "<get-commit-information/>")[0].findtext("commit-history/log") == "first"


def test_rollbacks_are_capped_at_49(dev):
    s = dev.new_session("root")
    for i in range(55):
        load_set(s, f"set system host-name h{i}")
        commit(s)
    assert len(dev.db.history) == 50
    assert len(list(dev.db.dir.glob("commit-*.set"))) == 50
    rpc(s, "<load-configuration rollback='49'/>")
    assert "host-name h5" in rpc(s, "<get-configuration format='set'/>")[0].text


def test_faults(lab, dev):
    s = dev.new_session("root")
    assert lab.control({"op": "fault", "device": "srx-a", "kind": "hold-lock", "args": ["alice"]})["ok"]
    err = errors(rpc(s, "<lock><target><candidate/></target></lock>"))[0][2]
    assert err.startswith("configuration database locked by:") and "alice" in err
    assert lab.control({"op": "fault", "device": "srx-a", "kind": "clear"})["ok"]
    assert rpc(s, "<lock><target><candidate/></target></lock>") == []
    lab.control({"op": "fault", "device": "srx-a", "kind": "fail-commit", "args": ["disk", "full"]})
    load_set(s, "set system host-name x")
    assert errors(commit(s))[0][2] == "disk full"
    lab.control({"op": "fault", "device": "srx-a", "kind": "drop-session"})
    with pytest.raises(DropSession):
        commit(s)
    s.close()
    assert "host-name srx-a" in committed_set(dev.new_session("root"))
    assert dev.lock_holder is None
    assert not lab.control({"op": "fault", "device": "srx-a", "kind": "bogus"})["ok"]


def test_drop_session_fault_stages(lab, dev):
    """`drop-session [load|commit]`: the session drops (no reply) at the next load or commit,
    once; nothing is loaded or committed and closing the session releases its lock."""
    def fault(*args):
        return lab.control({"op": "fault", "device": "srx-a", "kind": "drop-session", "args": list(args)})

    factory = committed_set(dev.new_session("root"))
    history = len(dev.db.history)
    # load: the load drops before touching the candidate; a commit would not
    assert fault("load")["ok"] and dev.faults == {"drop-session": "load"}
    s = dev.new_session("root")
    assert rpc(s, "<lock><target><candidate/></target></lock>") == []
    with pytest.raises(DropSession):
        load_set(s, "set system host-name dropped-at-load")
    assert dev.faults == {}, "the fault fires once"
    s.close()                                   # the transport ends the session after a drop
    assert dev.lock_holder is None
    s = dev.new_session("root")
    assert rpc(s, "<get-configuration format='set'/>")[0].text == factory, "the dropped load changed the candidate"
    assert fault("load")["ok"]
    with pytest.raises(DropSession):
        rpc(s, "<load-configuration rollback='1'/>")           # any load-configuration, a rollback too
    assert fault("load")["ok"]
    with pytest.raises(DropSession):                           # and the NETCONF base edit-config
        rpc(s, "<edit-config><target><candidate/></target><config><configuration><system>"
               "<host-name>x</host-name></system></configuration></config></edit-config>")
    assert fault("load")["ok"]
    assert commit(s)[0].find("routing-engine") is not None, "a load fault does not fire at a commit"
    assert dev.faults == {"drop-session": "load"}
    assert lab.control({"op": "fault", "device": "srx-a", "kind": "clear"})["ok"] and dev.faults == {}
    # commit, given or by default (the behaviour without a stage): the load goes through
    for args in (("commit",), ()):
        assert fault(*args)["ok"] and dev.faults == {"drop-session": "commit"}
        s = dev.new_session("root")
        rpc(s, "<lock><target><candidate/></target></lock>")
        assert errors(load_set(s, "set system host-name dropped-at-commit")) == []
        with pytest.raises(DropSession):
            commit(s, "<confirmed/><confirm-timeout>5</confirm-timeout>")
        s.close()
        assert dev.faults == {} and dev.lock_holder is None and dev.confirm_deadline is None
    assert committed_set(dev.new_session("root")) == factory
    assert len(dev.db.history) == history + 1   # only the commit made above with the load fault armed
    # a stage that does not exist is refused, and arms nothing
    for bad in (("sideways",), ("load", "commit")):
        reply = fault(*bad)
        assert not reply["ok"] and "load or commit" in reply["error"], reply
    assert dev.faults == {}


def test_unknown_rpc_and_command(dev):
    s = dev.new_session("root")
    assert errors(rpc(s, "<get-foo-information/>"))[0][2] == "syntax error"
    assert errors(rpc(s, "<command>show foo</command>"))
    out = rpc(s, "<command format='text'>show configuration system host-name</command>")[0]
    assert out.tag == "configuration-information"
    assert out.findtext("configuration-output") == "host-name srx-a;\n"
    out = rpc(s, "<command format='text'>show configuration interfaces | display set</command>")[0]
    assert out.text == "set interfaces ge-0/0/0 unit 0 family inet address 1.1.1.1/24\n"
    out = rpc(s, "<command format='text'>show system commit</command>")[0]
    assert out.text.startswith("0   ") and "via other" in out.text


def test_candidate_brought_back_to_committed_is_not_modified(dev):
    a = dev.new_session("root")
    rpc(a, "<lock-configuration/>")
    load_set(a, "set system host-name changed")
    assert rpc(a, "<load-configuration rollback='0'/>")[0].find("ok") is not None
    rpc(a, "<unlock-configuration/>")
    a.close()
    b = dev.new_session("root")
    assert rpc(b, "<lock-configuration/>") == []
    # without a lock: an edit undone by its own session leaves nothing behind either
    rpc(b, "<unlock-configuration/>")
    load_set(b, "set system host-name changed")
    load_set(b, "delete system host-name\nset system host-name srx-a")
    b.close()
    c = dev.new_session("root")
    assert rpc(c, "<lock-configuration/>") == []
