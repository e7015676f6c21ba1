"""The table of bad intents (``intent_cases.CASES``, one bad field each): every one is refused
by the pre-flight (``intent.build_plans``), with a message naming the device or tunnel and the
field path, no key in any message, and no connection opened (a guard makes any socket
connection fail the test)."""
from __future__ import annotations

import socket

import intent_cases as C
import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import intent


@pytest.fixture(autouse=True)
def no_connection(monkeypatch):
    """Any attempt to open a connection fails the test."""
    opened = []

    def refuse(*args, **kwargs):
        opened.append(args)
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield opened
    assert not opened


def _keys(psks) -> list[str]:
    """The key strings of a (possibly malformed) srx_vpn_psks, as a message could show them."""
    if not isinstance(psks, dict):
        return []
    return [v.strip() for v in psks.values() if isinstance(v, str) and len(v.strip()) > 3]


def test_the_base_intent_is_valid():
    plans = C.build(intent, C.base())
    assert sorted(plans) == ["srx-a", "srx-b", "srx-c"]
    assert [t["name"] for t in plans["srx-a"]["tunnels"]] == ["a-b", "a-c"]


def test_the_table_is_large_and_ids_are_unique():
    ids = [c[0] for c in C.CASES]
    assert len(ids) >= 130, len(ids)
    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize(("case", "mutate", "where_field", "fragment"), C.CASES, ids=[c[0] for c in C.CASES])
def test_bad_intent_is_refused_naming_the_field(case, mutate, where_field, fragment, no_connection):
    data = C.base()
    mutate(data)
    with pytest.raises(intent.IntentError) as info:
        C.build(intent, data)
    problems = info.value.problems
    hits = [p for p in problems if p.startswith(where_field) and fragment in p]
    assert hits, f"{case}: no problem starting with {where_field!r} containing {fragment!r}:\n" + "\n".join(problems)
    for p in problems:
        assert p.startswith(("device '", "tunnel '", "srx_vpn_")), f"{case}: a problem names no device, tunnel " \
                                                                      f"or variable: {p!r}"
        assert "plan_" not in p, f"{case}: a role's internal variable in {p!r}"
        for secret in (*C.SECRETS, *_keys(data["psks"])):
            assert secret not in p, f"{case}: a key in the message {p!r}"


def test_every_problem_is_reported_at_once():
    data = C.base()
    for _case, mutate, _w, _f in [c for c in C.CASES if c[0] in (
            "asn-zero", "description-injection", "psk-short", "zones-vpn-is-trust", "dpd-threshold-bool",
            "ebgp-same-as", "profile-named-default")]:
        mutate(data)
    with pytest.raises(intent.IntentError) as info:
        C.build(intent, data)
    text = "\n".join(info.value.problems)
    for expected in ("device 'srx-a': asn:", "tunnel 'a-b': description:", "tunnel 'a-b': psk:",
                     "device 'srx-a': zones.vpn:", "tunnel 'a-b': ike.dpd.threshold:",
                     "srx_vpn_profiles['default']: name:"):
        assert expected in text, text


def test_the_secret_is_never_in_a_message_even_when_it_is_the_problem():
    for bad in ("k\n" * 10, "\u00e9" * 20, " " * 30, "k" * 400, "sh0rtk3y", "  leading-and-long-enough"):
        data = C.base()
        data["psks"]["a-b"] = bad
        with pytest.raises(intent.IntentError) as info:
            C.build(intent, data)
        for p in info.value.problems:
            assert bad.strip() not in p or not bad.strip(), (bad, p)


def test_a_digit_string_is_accepted_for_a_run_option_as_the_command_line_gives_it():
    data = C.base()
    for host in data["host_vars"]:
        data["host_vars"][host].update(srx_vpn_confirm_minutes="10", srx_vpn_verify_timeout="15",
                                       srx_vpn_serial="50%", srx_vpn_plans={}, srx_vpn_run_id="x")
    assert C.build(intent, data)
