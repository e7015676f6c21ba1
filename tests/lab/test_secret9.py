"""The lab's secret leaves: a well-formed ``$9$`` is kept as given, anything else is clear text
stored as its ``$9$`` (netutils); the protocol plane compares the decoded keys."""
from __future__ import annotations

import pathlib
import random
import string
import time

import pytest
from lxml import etree
from netutils.password import (
    JUNIPER_KEYS_STRING,
    decrypt_juniper_type9,
    encrypt_juniper_type9,
)
from srxlab import config as C
from srxlab.lab import Lab
from srxlab.secret9 import is_secret9
from srxlab.topology import load

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(__file__).parent / "fixtures"

# Published outside netutils (sources in tests/unit/plugins/plugin_utils/test_secret_codec.py):
# Crypt::Juniper's POD, junosdecode's test, juniper9-crypt's project page.
PUBLISHED = ["$9$LbHX-wg4Z", "$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikfz", "$9$FNkC3/t1IcevLuOWx",
             "$9$o1aGiPfz/Cuk.tO"]
# Printed by Junos in Juniper's documentation (JUNOS Software Security Configuration Guide 9.2,
# https://juniper.net/documentation/software/junos-es/junos-es92/junos-es-swconfig-security/cli-configuration_43.html);
# it decodes to "juniper123".
JUNOS_DOC_SECRET = "$9$UQiqf36A1RSTzRSreXxDik.Tzn/CuBI"


@pytest.mark.parametrize("secret", [*PUBLISHED, JUNOS_DOC_SECRET])
def test_published_secrets_are_secrets(secret):
    assert is_secret9(secret)


def test_every_salt_and_many_keys():
    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " "
    for salt in range(1, len(JUNIPER_KEYS_STRING)):
        assert is_secret9(encrypt_juniper_type9("Juniper-lab-key-1", salt=salt))
    assert is_secret9(encrypt_juniper_type9("Juniper-lab-key-1", salt=-len(JUNIPER_KEYS_STRING)))  # salt "Q"
    for _ in range(500):
        assert is_secret9(encrypt_juniper_type9("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))))


@pytest.mark.parametrize("value", [
    None, b"$9$LbHX-wg4Z", "", "Juniper-lab-key-1", "$9$",
    "$9jadsfdf", "$9$asdf*",             # Crypt::Juniper t/invalid.t
    "$9$LbH X-wg4Z",                     # a character outside the alphabet
    "$9$Qab",                            # salt and filler, no data
    "$9$LbHX-wg4", "$9$LbHX-wg4ZQ",      # a published secret minus / plus one character
    "$9$LbHXXwg4Z",                      # one character changed: no encoder writes it
])
def test_not_secrets(value):
    assert not is_secret9(value)


def test_a_non_ascii_decoding_is_not_a_secret():
    assert not is_secret9(encrypt_juniper_type9("clé-ü", salt=5))


def test_tree_keeps_a_secret_and_encodes_clear_text():
    tree = C.Node()
    C.load_set(tree, f'set security ike policy P pre-shared-key ascii-text "{JUNOS_DOC_SECRET}"')
    assert tree.get("security", "ike", "policy", "P", "pre-shared-key", "ascii-text") == JUNOS_DOC_SECRET
    # a `$9$`-looking value that is not well formed is clear text, stored as its own `$9$`
    C.load_set(tree, 'set security ike policy Q pre-shared-key ascii-text "$9$LbHX-wg4"')
    stored = tree.get("security", "ike", "policy", "Q", "pre-shared-key", "ascii-text")
    assert is_secret9(stored) and decrypt_juniper_type9(stored) == "$9$LbHX-wg4"


def _lab(tmp_path, a_psk: str, b_psk: str) -> Lab:
    """The reference pair, each end's pre-shared key as given; settled."""
    topo = load(ROOT / "lab" / "topologies" / "seed-pair.yml")
    topo["time_scale"] = 0.01
    lab = Lab(topo, tmp_path)
    for name, psk in (("srx-a", a_psk), ("srx-b", b_psk)):
        text = (FIXTURES / f"{name}-reference.set").read_text().replace('"Juniper-lab-key-1"', f'"{psk}"')
        s = lab.devices[name].new_session("root")
        reply = s.dispatch(etree.fromstring("<load-configuration action='set'><configuration-set>"
                                            f"{text}</configuration-set></load-configuration>"))
        assert reply[0].find("ok") is not None, etree.tostring(reply[0])
        assert s.dispatch(etree.fromstring("<commit-configuration/>"))[0].find(
            "routing-engine/commit-success") is not None
        s.close()
    deadline = time.time() + 5
    while not lab.protocols.settled():
        assert time.time() < deadline, lab.protocols.explain()
        time.sleep(0.01)
    return lab


@pytest.mark.parametrize(("b_psk", "up"), [("juniper123", 1), ("juniper124", 0)])
def test_a_junos_printed_secret_matches_its_clear_key_at_the_peer(tmp_path, b_psk, up):
    lab = _lab(tmp_path, JUNOS_DOC_SECRET, b_psk)
    try:
        ike = {d: len([s for s in lab.protocols.ike_sas(d) if s.state == "UP"]) for d in ("srx-a", "srx-b")}
        assert ike == {"srx-a": up, "srx-b": up}, lab.protocols.explain()
    finally:
        lab.shutdown()
