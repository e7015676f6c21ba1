"""Junos ``$9$`` secrets: the product encodes the vaulted keys with netutils (pinned in
requirements.txt) and reuses the device's own ``$9$`` when it decodes to the key; the lab
decodes with the same library. Both sides share a codec, so its correctness is pinned here by
KNOWN ANSWERS: ``$9$`` strings whose clear text was published by people who did not use
netutils, and one ``$9$`` printed by Junos itself in Juniper's documentation. The product's
output is then pushed to an in-process lab pair, whose protocol plane brings IKE up only when
both ends' keys decode to the same clear text.
"""
from __future__ import annotations

import pathlib
import random
import string
import time

import intent_cases as C
import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    candidate,
    intent,
    render,
)
from lxml import etree
from netutils.password import (
    JUNIPER_CHARACTER_KEYS,
    JUNIPER_KEYS_STRING,
    decrypt_juniper_type9,
    encrypt_juniper_type9,
)
from srxlab.lab import Lab
from srxlab.topology import load

ROOT = pathlib.Path(__file__).resolve().parents[4]

# (secret, clear text): published pairs, none produced with netutils.
PUBLISHED = [
    # Crypt::Juniper, the Perl reference implementation (Kevin Brintnall), POD SYNOPSIS:
    #   juniper_decrypt('$9$LbHX-wg4Z');  ## $secret="lc";
    #   https://metacpan.org/pod/Crypt::Juniper
    ("$9$LbHX-wg4Z", "lc"),
    # Go library junosdecode, README usage and its test (junWordDecoded = "testPassWord"):
    #   https://github.com/jeremmfr/junosdecode
    ("$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikfz", "testPassWord"),
    # juniper9-crypt, project page ("--check '$9$FNkC3/t1IcevLuOWx' 'hello'" -> Match: YES;
    # "--encrypt 'hello'" -> $9$o1aGiPfz/Cuk.tO): https://pypi.org/project/juniper9-crypt/
    ("$9$FNkC3/t1IcevLuOWx", "hello"),
    ("$9$o1aGiPfz/Cuk.tO", "hello"),
]

# Printed by Junos in Juniper's own documentation (JUNOS Software Security Configuration
# Guide 9.2, "CLI Configuration" of IKE policy ike_pol_1):
#   set security ike policy ike_pol_1 pre-shared-key ascii-text "$9$UQiqf36A1RSTzRSreXxDik.Tzn/CuBI"
#   https://juniper.net/documentation/software/junos-es/junos-es92/junos-es-swconfig-security/cli-configuration_43.html
# The page does not state the key; it decodes to the conventional lab key "juniper123".
JUNOS_DOC_SECRET = ("$9$UQiqf36A1RSTzRSreXxDik.Tzn/CuBI", "juniper123")

PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "


def _data_part(secret: str) -> str:
    """The characters after the salt and its random filler (determined by salt + clear text)."""
    return secret[4 + JUNIPER_CHARACTER_KEYS[secret[3]]:]


# -- 1. the codec against published answers -------------------------------------------------------
@pytest.mark.parametrize(("secret", "clear"), [*PUBLISHED, JUNOS_DOC_SECRET])
def test_published_secrets_decode(secret, clear):
    assert decrypt_juniper_type9(secret) == clear


@pytest.mark.parametrize(("secret", "clear"), [*PUBLISHED, JUNOS_DOC_SECRET])
def test_encoding_with_the_published_salt_reproduces_the_published_secret(secret, clear):
    salt = JUNIPER_KEYS_STRING.index(secret[3])
    assert salt != 0    # netutils draws a random salt for 0
    mine = encrypt_juniper_type9(clear, salt=salt)
    assert mine[:4] == secret[:4] and len(mine) == len(secret)
    assert _data_part(mine) == _data_part(secret)


def test_round_trip_over_the_products_key_space():
    """Keys are 16-255 printable ASCII characters (the intent's schema); every salt occurs."""
    rng = random.Random(9)
    salts = set()
    for _ in range(2000):
        key = "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(16, 255)))
        secret = encrypt_juniper_type9(key)
        salts.add(secret[3])
        assert secret.startswith("$9$") and set(secret[3:]) <= set(JUNIPER_KEYS_STRING)
        assert decrypt_juniper_type9(secret) == key
    assert salts == set(JUNIPER_KEYS_STRING)


def test_one_key_has_many_secrets():
    secrets = {encrypt_juniper_type9("same-pre-shared-key-1") for _ in range(30)}
    assert len(secrets) > 1 and {decrypt_juniper_type9(s) for s in secrets} == {"same-pre-shared-key-1"}


# -- 2. the product's use: build_candidate fills the key placeholders -----------------------------
def _pair_intent():
    data = C.base()
    data["tunnels"] = data["tunnels"][:1]          # the a-b tunnel of the seed-pair lab
    del data["devices"]["srx-c"], data["host_vars"]["srx-c"], data["psks"]["a-c"]
    return data, C.build(intent, data)


RENDERED = 'set security ike policy IKE-POL-A-B pre-shared-key ascii-text "@@srx_vpn_psk:a-b@@"\n'


def _device(psk: str) -> str:
    return f'set security ike policy IKE-POL-A-B pre-shared-key ascii-text "{psk}"\n'


def _pushed_secret(lines: list[str]) -> str:
    [line] = [x for x in lines if x.startswith("set security ike policy IKE-POL-A-B pre-shared-key")]
    return line.split('"')[1]


@pytest.mark.parametrize(("secret", "clear"), PUBLISHED)
def test_candidate_keeps_a_published_secret_of_the_vaulted_key(secret, clear):
    _data, plans = _pair_intent()
    lines = candidate.build_candidate(RENDERED, _device(secret), plans["srx-a"], {"a-b": clear})
    assert _pushed_secret(lines) == secret


def test_candidate_sends_a_fresh_secret_of_the_key_when_the_device_holds_another():
    data, plans = _pair_intent()
    key = data["psks"]["a-b"]
    old = encrypt_juniper_type9("the-previous-long-key")
    lines = candidate.build_candidate(RENDERED, _device(old), plans["srx-a"], data["psks"])
    new = _pushed_secret(lines)
    assert new != old and decrypt_juniper_type9(new) == key and key not in "\n".join(lines)


@pytest.mark.parametrize("broken", ["$9$", "$9$*abc", "$9$LbH X-wg4Z", "$9$LbHX-wg4Z!"])
def test_candidate_replaces_a_device_value_netutils_cannot_read(broken):
    data, plans = _pair_intent()
    with pytest.raises((ValueError, KeyError, IndexError)):
        decrypt_juniper_type9(broken)
    lines = candidate.build_candidate(RENDERED, _device(broken), plans["srx-a"], data["psks"])
    assert decrypt_juniper_type9(_pushed_secret(lines)) == data["psks"]["a-b"]


# -- 3. product -> lab: the lab reads back the key the product encoded ----------------------------
def _rpc(session, xml: str):
    return session.dispatch(etree.fromstring(xml))


def _committed_set(lab: Lab, name: str) -> str:
    s = lab.devices[name].new_session("root")
    try:
        return _rpc(s, "<get-configuration database='committed' format='set'/>")[0].text
    finally:
        s.close()


def _push(lab: Lab, name: str, lines: list[str]) -> None:
    s = lab.devices[name].new_session("root")
    try:
        body = "\n".join(lines).replace("&", "&amp;").replace("<", "&lt;")
        reply = _rpc(s, f"<load-configuration action='set'><configuration-set>{body}"
                        "</configuration-set></load-configuration>")
        assert reply[0].find("ok") is not None, etree.tostring(reply[0])
        reply = _rpc(s, "<commit-configuration/>")
        assert reply[0].find("routing-engine/commit-success") is not None, etree.tostring(reply[0])
    finally:
        s.close()


def _settle(lab: Lab, timeout: float = 5.0) -> None:
    deadline = time.time() + timeout
    while not lab.protocols.settled():
        assert time.time() < deadline, lab.protocols.explain()
        time.sleep(0.01)


def _ike_up(lab: Lab) -> dict[str, int]:
    return {d: len([s for s in lab.protocols.ike_sas(d) if s.state == "UP"]) for d in ("srx-a", "srx-b")}


@pytest.fixture
def lab(tmp_path):
    topo = load(ROOT / "lab" / "topologies" / "seed-pair.yml")
    topo["time_scale"] = 0.01
    lab = Lab(topo, tmp_path)
    yield lab
    lab.shutdown()


def _deploy(lab: Lab, data: dict, plans: dict, devices=("srx-a", "srx-b")) -> dict[str, str]:
    """Push the product's candidate to each device; the `$9$` each was sent."""
    sent = {}
    for name in devices:
        lines = candidate.build_candidate(render.render_device(plans[name]), _committed_set(lab, name),
                                          plans[name], data["psks"])
        sent[name] = _pushed_secret(lines)
        _push(lab, name, lines)
    _settle(lab)
    return sent


def test_the_lab_reads_back_the_key_the_product_encoded(lab):
    data, plans = _pair_intent()
    key = data["psks"]["a-b"]
    sent = _deploy(lab, data, plans)
    for name in ("srx-a", "srx-b"):
        committed = candidate.current_psks(_committed_set(lab, name))["IKE-POL-A-B"]
        assert committed == sent[name] and decrypt_juniper_type9(committed) == key
    # two random salts, one key: the lab's IKE compares the decoded keys and comes up
    assert _ike_up(lab) == {"srx-a": 1, "srx-b": 1}, lab.protocols.explain()
    # a second run re-sends each device its own `$9$` (no diff)
    assert _deploy(lab, data, plans) == sent


def test_a_key_rotated_on_one_end_only_fails_ike_in_the_lab(lab):
    data, plans = _pair_intent()
    _deploy(lab, data, plans)
    data["psks"]["a-b"] = "a-rotated-long-enough-key"
    plans = C.build(intent, data)
    _deploy(lab, data, plans, devices=("srx-a",))
    assert _ike_up(lab) == {"srx-a": 0, "srx-b": 0}
    assert "pre-shared key mismatch" in str(lab.protocols.explain())
