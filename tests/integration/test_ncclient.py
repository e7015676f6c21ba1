"""The lab driven by ncclient's Junos device handler, as scripts and NAPALM-style tools do.

Every test starts from the factory configuration (fixtures ``srx_a``/``nc_a``) and checks the
device afterwards: committed configuration, commit history, lock state.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from helpers import (
    CONFIRM_MINUTE,
    FIXTURES,
    SECRET_RE,
    Lab,
    error_summary,
    find_all,
    find_text,
    fixture_set,
    rpc_errors,
    set_lines,
    wait_until,
)
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.operations.errors import TimeoutExpiredError
from ncclient.transport import TransportError
from ncclient.xml_ import to_ele
from netutils.password import decrypt_juniper_type9

LAB_PSK = "srxlab-A-B-lab-only-key"
CHANGE = ["set system domain-name lab.example.net",
          "set interfaces lo0 unit 0 family inet address 192.168.1.1/32"]
CHANGE_EXPECT = {"set system domain-name lab.example.net",
                 "set interfaces lo0 unit 0 family inet address 192.168.1.1/32"}


def committed(nc: manager.Manager) -> list[str]:
    return set_lines(Lab.get_config(nc, "set", committed=True))


def candidate(nc: manager.Manager) -> list[str]:
    return set_lines(Lab.get_config(nc, "set"))


def diff_text(nc: manager.Manager) -> str:
    reply = nc.compare_configuration(rollback=0)
    return find_text(reply, "configuration-output") or ""


def normalise_secrets(lines: list[str]) -> list[str]:
    """Hide the (salted) `$9$` values so two loads of the same key compare equal."""
    return [re.sub(r'(ascii-text|hexadecimal) "[^"]*"(\s*## SECRET-DATA)?', r"\1 <secret>", ln)
            for ln in lines]


def expand_guide_lines(lines: list[str]) -> set[str]:
    """The guide's one-line `match a any b any c any` is three statements once stored."""
    out = set()
    for ln in lines:
        m = re.match(r"(.* match) source-address (\S+) destination-address (\S+) application (\S+)$", ln)
        if m:
            out |= {f"{m[1]} source-address {m[2]}", f"{m[1]} destination-address {m[3]}",
                    f"{m[1]} application {m[4]}"}
        else:
            out.add(ln)
    return out


# -- session basics ---------------------------------------------------------------------------
def test_hello_advertises_junos_capabilities(nc_a):
    caps = set(nc_a.server_capabilities)
    for cap in ("urn:ietf:params:netconf:base:1.0",
                "urn:ietf:params:netconf:capability:candidate:1.0",
                "urn:ietf:params:netconf:capability:confirmed-commit:1.0",
                "urn:ietf:params:netconf:capability:validate:1.0",
                "http://xml.juniper.net/netconf/junos/1.0"):
        assert cap in caps, f"missing capability {cap}"
    assert any(c.startswith("urn:ietf:params:netconf:capability:url:1.0") for c in caps)
    assert nc_a.session_id


def test_software_information_and_show_version(nc_a):
    reply = nc_a.rpc(to_ele("<get-software-information/>"))
    assert find_text(reply, "host-name") == "srx-a"
    assert find_text(reply, "junos-version")
    assert find_text(reply, "product-model")
    out = nc_a.command("show version", format="text")
    assert "srx-a" in (find_text(out, "output") or "")


# -- the full edit cycle ------------------------------------------------------------------------
def test_lock_load_validate_diff_commit_confirmed_and_confirm(lab, nc_a):
    before = lab.commit_seq("srx-a")
    nc_a.lock()
    nc_a.load_configuration(action="set", config=CHANGE)
    nc_a.load_configuration(action="merge", format="text",
                            config="routing-options {\n    router-id 192.168.1.1;\n}\n")
    nc_a.load_configuration(action="merge", format="xml", config=to_ele(
        "<routing-options><autonomous-system><as-number>100</as-number>"
        "</autonomous-system></routing-options>"))
    nc_a.validate(source="candidate")

    diff = diff_text(nc_a)
    assert "[edit system]" in diff
    assert re.search(r"^\+\s+domain-name lab\.example\.net;", diff, re.MULTILINE), diff
    assert re.search(r"^\+\s+autonomous-system 100;", diff, re.MULTILINE), diff
    assert "192.168.1.1/32" in diff
    # nothing committed yet
    assert not CHANGE_EXPECT & set(committed(nc_a))

    reply = nc_a.commit(confirmed=True, timeout="60", comment="nc confirmed")
    t_confirmed = time.monotonic()
    assert find_all(reply, "commit-success"), str(reply)
    assert re.search(r"rolled back in 1 minute", str(reply)), str(reply)
    hist = lab.history(nc_a)
    assert lab.commit_seq("srx-a") == before + 1
    assert hist[0]["log"] == "nc confirmed"
    assert hist[0]["client"] == "netconf"
    assert hist[0]["user"] == "root"
    assert re.search(r"commit confirmed, rollback in 1mins?", hist[0].get("comment", "")), hist[0]
    show = find_text(nc_a.command("show system commit", format="text"), "output")
    assert re.search(r"^0\s+\S+ \S+ \S+ by root via netconf commit confirmed, rollback in 1mins?$",
                     show, re.MULTILINE), show

    # the confirming commit (no <confirmed/>) ends the timer
    reply = nc_a.commit(comment="nc confirm")
    assert find_all(reply, "commit-success"), str(reply)
    nc_a.unlock()
    time.sleep(max(0.0, CONFIRM_MINUTE * 1.5 - (time.monotonic() - t_confirmed)))
    now = set(committed(nc_a))
    assert CHANGE_EXPECT <= now
    assert "set routing-options autonomous-system 100" in now
    assert "set routing-options router-id 192.168.1.1" in now
    hist = lab.history(nc_a)
    assert lab.commit_seq("srx-a") == before + 2, hist[:3]
    assert [h.get("log") for h in hist[:2]] == ["nc confirm", "nc confirmed"]
    assert "rollback in" not in hist[0].get("comment", "")


@pytest.fixture
def changed_a(nc_a):
    """srx-a with CHANGE committed; the open session."""
    nc_a.lock()
    nc_a.load_configuration(action="set", config=CHANGE)
    nc_a.commit(comment="formats")
    nc_a.unlock()
    return nc_a


def test_get_configuration_xml(changed_a):
    xml = changed_a.get_configuration(format="xml")
    assert find_text(xml, "host-name") == "srx-a"
    assert "lab.example.net" in [e.text for e in find_all(xml, "domain-name")]
    conf = find_all(xml, "configuration")
    assert conf and conf[0].get("commit-user") == "root"   # junos:commit-user attribute
    assert "ge-0/0/0" in [e.text for e in find_all(xml, "name")]


def test_get_configuration_text(changed_a):
    text = find_text(changed_a.get_configuration(format="text"), "configuration-text")
    assert re.search(r"^\s+host-name srx-a;$", text, re.MULTILINE), text
    assert re.search(r"^\s+domain-name lab\.example\.net;$", text, re.MULTILINE), text
    assert len(re.findall(r"^version ", text, re.MULTILINE)) <= 1, text
    # Junos prints the inet family on one line: `family inet {`
    assert re.search(r"^\s+family inet \{$", text, re.MULTILINE), text


def test_get_configuration_set(changed_a):
    sets = set_lines(find_text(changed_a.get_configuration(format="set"), "configuration-set"))
    assert CHANGE_EXPECT | {"set system host-name srx-a"} <= set(sets)


def test_get_configuration_json(changed_a):
    # Junos puts the JSON document straight into <rpc-reply> as text
    reply = changed_a.get_configuration(format="json")
    doc = json.loads(reply.xpath("/*")[0].text)
    assert doc["configuration"]["system"]["host-name"] == "srx-a"
    assert doc["configuration"]["system"]["domain-name"] == "lab.example.net"


def test_get_configuration_subtree_filter_and_databases(lab, changed_a):
    nc = changed_a
    flt = nc.get_configuration(format="xml", filter=to_ele("<configuration><system/></configuration>"))
    assert find_all(flt, "system") and not find_all(flt, "interfaces") and not find_all(flt, "security")
    # committed vs candidate database
    nc.lock()
    nc.load_configuration(action="set", config=["set system domain-name candidate.example"])
    cand = lab.get_config(nc, "set")
    comm = lab.get_config(nc, "set", committed=True)
    assert "candidate.example" in cand and "candidate.example" not in comm
    nc.discard_changes()
    assert "candidate.example" not in lab.get_config(nc, "set")
    nc.unlock()
    # NETCONF base <get-config> on running
    data = nc.get_config(source="running", filter=(
        "subtree", "<configuration><system><host-name/></system></configuration>"))
    assert find_text(data, "host-name") == "srx-a"


def test_show_configuration_command(changed_a):
    # Junos answers `show configuration` text in configuration-information/configuration-output
    out = changed_a.command("show configuration system host-name", format="text")
    assert (find_text(out, "configuration-output") or "").strip() == "host-name srx-a;", str(out)
    out = changed_a.command("show configuration system | display set", format="text")
    assert "set system domain-name lab.example.net" in str(out), str(out)
    out = changed_a.command("show configuration system", format="xml")
    assert find_text(out, "host-name") == "srx-a", str(out)


def test_commit_history_rpc_and_show_system_commit(lab, nc_a):
    before = lab.commit_seq("srx-a")
    nc_a.lock()
    nc_a.load_configuration(action="set", config=CHANGE)
    nc_a.commit(comment="history check")
    nc_a.unlock()
    hist = lab.history(nc_a)
    assert lab.commit_seq("srx-a") == before + 1
    assert hist[0]["sequence-number"] == "0"
    assert hist[1]["sequence-number"] == "1"
    assert hist[0]["user"] == "root" and hist[0]["client"] == "netconf"
    assert hist[0]["log"] == "history check"
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$", hist[0]["date-time"])
    show = find_text(nc_a.command("show system commit", format="text"), "output")
    lines = show.splitlines()
    assert re.match(r"^0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ by root via netconf$", lines[0]), show
    assert lines[1].strip() == "history check"
    # the factory commit is the oldest entry
    assert re.search(r"^\d+\s+.* by root via other$", show, re.MULTILINE), show


def test_psk_is_stored_as_a_9_secret(nc_a):
    nc_a.lock()
    nc_a.load_configuration(action="set", config=[
        "set security ike proposal P authentication-method pre-shared-keys",
        "set security ike proposal P dh-group group14",
        "set security ike policy POL proposals P",
        f'set security ike policy POL pre-shared-key ascii-text "{LAB_PSK}"'])
    nc_a.commit(comment="psk")
    sets = "\n".join(committed(nc_a))
    text = find_text(nc_a.get_configuration(format="text"), "configuration-text")
    assert LAB_PSK not in sets and LAB_PSK not in text
    secrets = SECRET_RE.findall(sets)
    assert len(secrets) == 1, sets
    assert decrypt_juniper_type9(secrets[0]) == LAB_PSK
    assert re.search(r'ascii-text "\$9\$[^"]+"; ## SECRET-DATA$', text, re.MULTILINE), text
    # the same clear-text key again gets a new salt: a diff, as on Junos
    nc_a.load_configuration(action="set", config=[
        f'set security ike policy POL pre-shared-key ascii-text "{LAB_PSK}"'])
    assert "pre-shared-key" in diff_text(nc_a)
    nc_a.discard_changes()
    nc_a.unlock()


# -- locking and sessions -----------------------------------------------------------------------
def test_lock_conflict_between_two_sessions(lab, nc_a):
    nc_a.lock()
    with lab.connect("srx-a") as other:
        with pytest.raises(RPCError) as err:
            other.lock()
        assert "configuration database locked by" in str(err.value)
        assert err.value.tag == "lock-denied"
        with pytest.raises(RPCError) as err:
            other.load_configuration(action="set", config=["set system domain-name x.example"])
        assert "configuration database locked by" in str(err.value)
        nc_a.unlock()
        other.lock()            # free now
        other.unlock()
    assert committed(nc_a) == lab.factory_set["srx-a"]


def test_lock_refused_while_another_session_has_uncommitted_changes(lab, nc_a):
    # session A edits the shared candidate without locking it
    nc_a.load_configuration(action="set", config=CHANGE)
    with lab.connect("srx-a") as other:
        with pytest.raises(RPCError) as err:
            other.lock()
        assert "configuration database modified" in str(err.value)
    nc_a.discard_changes()
    nc_a.lock()
    nc_a.unlock()
    assert committed(nc_a) == lab.factory_set["srx-a"]


@pytest.mark.parametrize("how", ["close-session", "drop-transport"])
def test_session_gone_without_commit_leaves_no_change(lab, srx_a, how):
    before = lab.commit_seq("srx-a")
    nc = lab.connect("srx-a")
    nc.lock()
    nc.load_configuration(action="set", config=CHANGE)
    assert CHANGE_EXPECT <= set(candidate(nc))
    if how == "close-session":
        nc.close_session()
    else:
        nc._session.close()     # TCP gone, no <close-session/>
    with lab.connect("srx-a") as nc2:
        def released() -> bool:
            try:
                nc2.lock()
            except RPCError:
                return False
            return True
        assert wait_until(released, 5), "lock still held after the session went away"
        assert committed(nc2) == lab.factory_set["srx-a"]
        assert candidate(nc2) == lab.factory_set["srx-a"]
        assert diff_text(nc2).strip() == ""
        nc2.unlock()
    assert lab.commit_seq("srx-a") == before


def test_unknown_rpc_answers_rpc_error_and_session_survives(nc_a):
    with pytest.raises(RPCError) as err:
        nc_a.rpc(to_ele("<get-frobnicator-information/>"))
    assert err.value.severity == "error"
    assert err.value.message
    # the session is still usable
    reply = nc_a.rpc(to_ele("<get-software-information/>"))
    assert find_text(reply, "host-name") == "srx-a"
    with pytest.raises(RPCError):
        nc_a.command("show frobnicator", format="text")
    nc_a.lock()
    nc_a.unlock()


# -- commit confirmed -------------------------------------------------------------------------------
def test_unconfirmed_commit_rolls_back(lab, nc_a):
    before = lab.commit_seq("srx-a")
    nc_a.lock()
    nc_a.load_configuration(action="set", config=CHANGE)
    nc_a.commit(confirmed=True, timeout="60", comment="will roll back")
    nc_a.unlock()
    t0 = time.monotonic()
    assert CHANGE_EXPECT <= set(committed(nc_a))
    time.sleep(CONFIRM_MINUTE * 0.5)
    assert CHANGE_EXPECT <= set(committed(nc_a)), "rolled back too early"
    assert wait_until(lambda: not CHANGE_EXPECT & set(committed(nc_a)), CONFIRM_MINUTE * 3), \
        "commit confirmed 1 was not rolled back"
    assert time.monotonic() - t0 >= CONFIRM_MINUTE * 0.8
    assert committed(nc_a) == lab.factory_set["srx-a"]
    hist = lab.history(nc_a)
    assert lab.commit_seq("srx-a") == before + 2, hist[:3]     # the confirmed commit + the automatic rollback
    assert hist[0]["user"] == "root" and hist[0]["client"] == "other", hist[0]
    assert "rollback in" not in hist[0].get("comment", "")
    assert hist[1].get("log") == "will roll back"


def test_confirming_commit_prevents_rollback(lab, nc_a):
    before = lab.commit_seq("srx-a")
    nc_a.lock()
    nc_a.load_configuration(action="set", config=CHANGE)
    nc_a.commit(confirmed=True, timeout="60")
    nc_a.commit()
    nc_a.unlock()
    time.sleep(CONFIRM_MINUTE * 1.6)
    assert CHANGE_EXPECT <= set(committed(nc_a))
    assert lab.commit_seq("srx-a") == before + 2


# -- the reference configuration and Junos commit check -------------------------------------------------
def test_reference_config_commits_on_srx_a(lab, nc_a):
    lines = fixture_set("srx-a.set")
    nc_a.lock()
    nc_a.load_configuration(action="set", config=lines)
    nc_a.validate(source="candidate")
    reply = nc_a.commit(comment="reference config", check=True)
    assert find_all(reply, "commit-check-success"), str(reply)
    reply = nc_a.commit(comment="reference config")
    assert find_all(reply, "commit-success"), str(reply)
    nc_a.unlock()
    now = committed(nc_a)
    stored = normalise_secrets(now)
    # `display set` prints leaves only: a statement with children shows up as their prefix
    missing = {ln for ln in expand_guide_lines(normalise_secrets(lines))
               if not any(s == ln or s.startswith(ln + " ") for s in stored)}
    assert not missing, f"not in the committed config: {sorted(missing)}"
    secrets = SECRET_RE.findall("\n".join(now))
    assert [decrypt_juniper_type9(s) for s in secrets] == [LAB_PSK]
    assert lab.history(nc_a)[0]["log"] == "reference config"


# (change, error-path or accepted error-paths, message regex); the reference config plus one breaking change.
COMMIT_CHECK_CASES = {
    "ike-proposal-undefined": (
        ["delete security ike proposal IKE-PROPOSAL"],
        "[edit security ike policy IKE-POLICY]", r"IKE proposal .?IKE-PROPOSAL.? is not defined"),
    "ike-policy-undefined": (
        ["delete security ike policy IKE-POLICY"],
        "[edit security ike gateway IKE-GATEWAY]", r"IKE policy .?IKE-POLICY.? is not defined"),
    "ipsec-proposal-undefined": (
        ["delete security ipsec proposal IPSEC-PROPOSAL"],
        "[edit security ipsec policy IPSEC-POLICY]", r"IPsec proposal .?IPSEC-PROPOSAL.? is not defined"),
    "ipsec-policy-undefined": (
        ["delete security ipsec policy IPSEC-POLICY"],
        "[edit security ipsec vpn IPSEC-VPN ike]", r"IPsec policy .?IPSEC-POLICY.? is not defined"),
    "ike-gateway-undefined": (
        ["set security ipsec vpn IPSEC-VPN ike gateway IKE-GW-TYPO"],
        "[edit security ipsec vpn IPSEC-VPN ike]", r"IKE gateway .?IKE-GW-TYPO.? is not defined"),
    "bind-interface-unconfigured": (
        ["set security ipsec vpn IPSEC-VPN bind-interface st0.1"],
        "[edit security ipsec vpn IPSEC-VPN]", r"Interface st0\.1 must be configured under interfaces"),
    "gateway-without-ike-policy": (
        ["delete security ike gateway IKE-GATEWAY ike-policy"],
        "[edit security ike]", r"Missing mandatory statement: 'ike-policy'"),
    "gateway-without-address": (
        ["delete security ike gateway IKE-GATEWAY address"],
        "[edit security ike gateway IKE-GATEWAY]", r"(?i)address"),
    "external-interface-unconfigured": (
        ["set security ike gateway IKE-GATEWAY external-interface ge-0/0/1.0"],
        "[edit security ike gateway IKE-GATEWAY]", r"Interface ge-0/0/1\.0 must be configured under interfaces"),
    "zone-interface-missing": (
        ["set security zones security-zone VPN interfaces st0.5"],
        ("[edit security zones security-zone VPN]", "[edit security zones security-zone VPN interfaces]"),
        r"Interface st0\.5 must be configured under interfaces"),
    "bgp-external-neighbor-without-peer-as": (
        ["delete protocols bgp group EBGp peer-as"],
        "[edit protocols]", r"(?s)Error in neighbor 10\.0\.1\.2 of group EBGp:.*peer AS"),
    "undefined-policy-statement": (
        ["set protocols bgp group EBGp export EXPORT-LOOPBACK"],
        "[edit protocols", r"Policy error: Policy EXPORT-LOOPBACK referenced but not defined"),
}


@pytest.mark.parametrize("case", list(COMMIT_CHECK_CASES))
def test_reference_config_commit_check_error(lab, nc_a, case):
    change, paths, message = COMMIT_CHECK_CASES[case]
    paths = (paths,) if isinstance(paths, str) else paths
    before = lab.commit_seq("srx-a")
    nc_a.lock()
    nc_a.load_configuration(action="set", config=fixture_set("srx-a.set") + change)
    with pytest.raises(RPCError) as err:
        nc_a.commit(comment=f"broken: {case}")
    errors = error_summary(err.value)
    matching = [e for e in errors
                if e[1] and e[1].startswith(paths) and re.search(message, e[2] or "")]
    assert matching, f"expected {paths} / {message!r}, got {errors}"
    exact = [p for p in paths if p.endswith("]")]
    if exact:
        assert any(e[1] in exact for e in matching), errors
    assert all(sev == "error" for sev, _, _ in errors), errors
    assert any(msg and msg.startswith("configuration check-out failed") for _, _, msg in errors), errors
    # <validate> reports the same problem
    with pytest.raises(RPCError) as err:
        nc_a.validate(source="candidate")
    assert any(e[1] and e[1].startswith(paths) for e in error_summary(err.value)), \
        error_summary(err.value)
    nc_a.discard_changes()
    nc_a.unlock()
    assert committed(nc_a) == lab.factory_set["srx-a"]
    assert lab.commit_seq("srx-a") == before


# (statement, error-path prefix, bad element, message regex): refused by the load itself.
LOAD_ERROR_CASES = {
    "interface-address": ("set interfaces st0 unit 0 family inet address 10.0.1.300/24",
                          "[edit interfaces st0 unit 0 family inet", "10.0.1.300/24", r"10\.0\.1\.300"),
    "gateway-address": ("set security ike gateway IKE-GATEWAY address 1.1.1.300",
                        "[edit security ike gateway IKE-GATEWAY", "1.1.1.300", r"1\.1\.1\.300"),
    "bgp-neighbor-address": ("set protocols bgp group EBGp neighbor 10.0.1.256",
                             "[edit protocols bgp group EBGp", "10.0.1.256", r"10\.0\.1\.256"),
    # the guide puts PFS under the VPN; Junos only has it under the IPsec policy
    "guide-pfs-under-vpn": ("set security ipsec vpn IPSEC-VPN perfect-forward-secrecy keys group14",
                            "[edit security ipsec vpn IPSEC-VPN", "perfect-forward-secrecy",
                            r"syntax error"),
}


@pytest.mark.parametrize("case", list(LOAD_ERROR_CASES))
def test_invalid_statement_is_refused_at_load(lab, nc_a, case):
    statement, path, bad, message = LOAD_ERROR_CASES[case]
    nc_a.lock()
    with pytest.raises(RPCError) as err:
        nc_a.load_configuration(action="set", config=[*fixture_set("srx-a.set"), statement])
    errors = rpc_errors(err.value)
    hits = [e for e in errors if e.severity == "error" and (e.path or "").startswith(path)
            and re.search(message, e.message or "") and bad in (e.info or "")]
    assert hits, error_summary(err.value)
    # the load failed as a whole: the candidate is unchanged
    assert candidate(nc_a) == lab.factory_set["srx-a"]
    nc_a.unlock()
    assert committed(nc_a) == lab.factory_set["srx-a"]


def test_load_junos_text_file_equals_set_load(lab, nc_a):
    """The reference config as Junos prints it (curly braces) loads like its `set` form."""
    nc_a.lock()
    nc_a.load_configuration(action="set", config=fixture_set("srx-a.set"))
    via_set = normalise_secrets(candidate(nc_a))
    nc_a.discard_changes()
    nc_a.load_configuration(action="merge", format="text",
                            config=(FIXTURES / "srx-a.conf").read_text())
    via_text = normalise_secrets(candidate(nc_a))
    nc_a.discard_changes()
    nc_a.unlock()
    assert sorted(via_text) == sorted(via_set)


def test_text_rendering_of_reference_config(nc_a):
    """`show configuration` layout of the VPN stanzas, as in Juniper's SRX examples."""
    nc_a.lock()
    nc_a.load_configuration(action="set", config=fixture_set("srx-a.set"))
    nc_a.commit(comment="reference config")
    nc_a.unlock()
    text = find_text(nc_a.get_configuration(format="text"), "configuration-text")
    expected_blocks = [
        # family inet on one line
        "            family inet {\n                address 10.0.1.1/24;\n            }\n",
        # the key on the pre-shared-key line
        re.compile(r'\n {12}pre-shared-key ascii-text "\$9\$[^"]+"; ## SECRET-DATA\n'),
        # zone interfaces and host-inbound services as containers
        ("        security-zone UNTRUST {\n"
         "            interfaces {\n"
         "                ge-0/0/0.0 {\n"
         "                    host-inbound-traffic {\n"
         "                        system-services {\n"
         "                            ike;\n"
         "                            ping;\n"
         "                        }\n"
         "                    }\n"
         "                }\n"
         "            }\n"
         "        }\n"),
        ("        security-zone VPN {\n"
         "            host-inbound-traffic {\n"
         "                system-services {\n"
         "                    ping;\n"
         "                }\n"
         "                protocols {\n"
         "                    bgp;\n"
         "                }\n"
         "            }\n"
         "            interfaces {\n"
         "                st0.0;\n"
         "            }\n"
         "        }\n"),
    ]
    missing = [b if isinstance(b, str) else b.pattern for b in expected_blocks
               if (b not in text if isinstance(b, str) else not b.search(text))]
    assert not missing, "not rendered as Junos does:\n" + "\n---\n".join(missing) + \
        "\n=== got ===\n" + text


# -- fault injection -------------------------------------------------------------------------------------
def test_fault_hold_lock(lab, nc_a):
    lab.fault("srx-a", "hold-lock", "operator")
    with pytest.raises(RPCError) as err:
        nc_a.lock()
    assert "configuration database locked by" in str(err.value)
    assert "operator" in str(err.value)
    with pytest.raises(RPCError):
        nc_a.load_configuration(action="set", config=CHANGE)
    lab.fault("srx-a", "clear")
    nc_a.lock()
    nc_a.unlock()
    assert committed(nc_a) == lab.factory_set["srx-a"]


def test_fault_fail_commit(lab, nc_a):
    before = lab.commit_seq("srx-a")
    lab.fault("srx-a", "fail-commit", "RPD", "is", "not", "responding")
    nc_a.lock()
    nc_a.load_configuration(action="set", config=CHANGE)
    with pytest.raises(RPCError) as err:
        nc_a.commit(comment="will fail")
    assert any("RPD is not responding" in (msg or "") for _, _, msg in error_summary(err.value)), \
        error_summary(err.value)
    assert committed(nc_a) == lab.factory_set["srx-a"]
    assert lab.commit_seq("srx-a") == before
    # only the next commit fails: the same candidate commits now
    nc_a.commit(comment="second try")
    nc_a.unlock()
    assert CHANGE_EXPECT <= set(committed(nc_a))
    assert lab.commit_seq("srx-a") == before + 1


def test_fault_drop_session_at_commit(lab, srx_a):
    before = lab.commit_seq("srx-a")
    lab.fault("srx-a", "drop-session")
    nc = lab.connect("srx-a")
    nc.lock()
    nc.load_configuration(action="set", config=CHANGE)
    nc.timeout = 10
    t0 = time.monotonic()
    with pytest.raises((TransportError, TimeoutExpiredError, RPCError)) as err:
        nc.commit(comment="dropped")
    assert not isinstance(err.value, RPCError), f"got a reply instead of a drop: {err.value}"
    assert time.monotonic() - t0 < 5, "the drop was not noticed (ncclient waited for a reply)"
    assert wait_until(lambda: not nc.connected, 3), "ncclient still connected after the drop"
    with lab.connect("srx-a") as nc2:
        def released() -> bool:
            try:
                nc2.lock()
            except RPCError:
                return False
            return True
        assert wait_until(released, 5), "device left locked after the dropped session"
        assert committed(nc2) == lab.factory_set["srx-a"]
        assert candidate(nc2) == lab.factory_set["srx-a"]
        nc2.unlock()
    assert lab.commit_seq("srx-a") == before


def test_fault_delay_commit(lab, nc_a):
    lab.fault("srx-a", "delay-commit", "30")          # 30 lab seconds = 1.5 s here
    nc_a.lock()
    nc_a.load_configuration(action="set", config=CHANGE)
    t0 = time.monotonic()
    reply = nc_a.commit(comment="slow commit")
    took = time.monotonic() - t0
    nc_a.unlock()
    assert find_all(reply, "commit-success"), str(reply)
    assert took >= 30 * CONFIRM_MINUTE / 60 * 0.9, f"commit took only {took:.2f} s"
    assert CHANGE_EXPECT <= set(committed(nc_a))
