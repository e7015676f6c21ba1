"""Tests for srxlab.junos_secret (Junos $9$ reversible secrets)."""

from __future__ import annotations

import random
import string

import pytest
from srxlab import junos_secret
from srxlab.junos_secret import (
    ALPHABET,
    InvalidSecretError,
    decrypt,
    encrypt,
    is_encrypted,
)

# Known ciphertext/plaintext pairs from public material:
#   - Crypt::Juniper POD synopsis (gitpan/Crypt-Juniper, lib/Crypt/Juniper.pm):
#       juniper_decrypt('$9$LbHX-wg4Z')  ## $secret="lc"
#   - Go junosdecode test (jeremmfr/junosdecode, jdecode_test.go):
#       junWordCoded = "$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikfz", junWordDecoded = "testPassWord"
#   - netutils docstring (networktocode/netutils, netutils/password.py, decrypt_juniper_type9):
#       decrypt_juniper_type9("$9$7YdwgGDkTz6oJz69A1INdb") -> 'juniper'
#   - PyPI project page of juniper9-crypt (https://pypi.org/project/juniper9-crypt/):
#       '$9$FNkC3/t1IcevLuOWx' -> 'hello' and '$9$o1aGiPfz/Cuk.tO' -> 'hello'
#   - jumation.com "crypt" op script header (Junos SLAX, based on Crypt::Juniper):
#       "op crypt encrypt foo" / "op crypt decrypt $9$ReqcyKY2aHqf"
KNOWN_PAIRS = [
    ("$9$LbHX-wg4Z", "lc"),
    ("$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikfz", "testPassWord"),
    ("$9$7YdwgGDkTz6oJz69A1INdb", "juniper"),
    ("$9$FNkC3/t1IcevLuOWx", "hello"),
    ("$9$o1aGiPfz/Cuk.tO", "hello"),
    ("$9$ReqcyKY2aHqf", "foo"),
]

PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "


class _FixedChoice(random.Random):
    """An rng whose choice() returns queued characters (to reproduce known secrets)."""

    def __init__(self, picks: str) -> None:
        super().__init__(0)
        self._picks = list(picks)

    def choice(self, seq):
        return self._picks.pop(0)


@pytest.mark.parametrize(("secret", "plain"), KNOWN_PAIRS)
def test_known_pairs_decrypt(secret: str, plain: str) -> None:
    assert decrypt(secret) == plain
    assert is_encrypted(secret)


def test_encrypt_reproduces_known_secret_given_salt_and_filler() -> None:
    # netutils example: salt '7' (family 2 -> one filler character, 'Y').
    assert encrypt("juniper", salt="7", rng=_FixedChoice("Y")) == "$9$7YdwgGDkTz6oJz69A1INdb"
    # Crypt::Juniper example: salt 'L' (family 1 -> two filler characters, 'bH').
    assert encrypt("lc", salt="L", rng=_FixedChoice("bH")) == "$9$LbHX-wg4Z"


def test_round_trip_many_random_strings() -> None:
    rng = random.Random(20250812)
    for _ in range(2000):
        length = rng.randint(1, 64)
        plain = "".join(rng.choice(PRINTABLE) for _ in range(length))
        secret = encrypt(plain, rng=rng)
        assert secret.startswith("$9$")
        assert set(secret[3:]) <= set(ALPHABET)
        assert decrypt(secret) == plain
        assert is_encrypted(secret)


@pytest.mark.parametrize(
    "plain",
    [
        " ",
        '"',
        "'",
        "\\",
        'a "quoted" pre-shared key',
        "it's $9$-like; {braces} #hash",
        "".join(chr(c) for c in range(32, 127)),
        "x" * 64,
    ],
)
def test_round_trip_edge_cases(plain: str) -> None:
    assert decrypt(encrypt(plain)) == plain


@pytest.mark.parametrize("salt", list(ALPHABET))
def test_every_salt_round_trips(salt: str) -> None:
    secret = encrypt("Juniper123!", salt=salt)
    assert secret[3] == salt
    assert decrypt(secret) == "Juniper123!"


def test_non_ascii_round_trip() -> None:
    assert decrypt(encrypt("clé-ü")) == "clé-ü"


def test_same_plaintext_gives_different_ciphertexts() -> None:
    secrets = {encrypt("same pre-shared key") for _ in range(20)}
    assert len(secrets) > 1
    assert {decrypt(s) for s in secrets} == {"same pre-shared key"}


def test_seeded_rng_is_reproducible() -> None:
    assert encrypt("abc", rng=random.Random(7)) == encrypt("abc", rng=random.Random(7))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "does not start with '$9$'"),
        ("plain-text", "does not start with '$9$'"),
        ("$9jadsfdf", "does not start with '$9$'"),  # Crypt::Juniper t/invalid.t
        ("$9$", "nothing after '$9$'"),
        ("$9$asdf*", "not in the $9$ alphabet"),  # Crypt::Juniper t/invalid.t
        ("$9$LbH X-wg4Z", "not in the $9$ alphabet"),
        ("$9$Qab", "no encoded data"),
        ("$9$LbHX-wg4", "truncated"),  # known secret minus its last character
        ("$9$LbHX-wg4ZQ", "truncated"),  # known secret plus one character
        ("$9$LbHXXwg4Z", "does not encode a valid byte"),  # repeated character: gap -1
    ],
)
def test_invalid_secret_raises_value_error(value: str, fragment: str) -> None:
    with pytest.raises(ValueError, match="invalid \\$9\\$ secret") as exc:
        decrypt(value)
    assert fragment in str(exc.value)
    assert isinstance(exc.value, InvalidSecretError)
    assert not is_encrypted(value)


def test_decrypt_rejects_non_string() -> None:
    with pytest.raises(ValueError, match="expected str"):
        decrypt(None)  # type: ignore[arg-type]
    assert not is_encrypted(None)
    assert not is_encrypted(b"$9$LbHX-wg4Z")


@pytest.mark.parametrize("salt", ["", "ab", "!", "$"])
def test_encrypt_rejects_bad_salt(salt: str) -> None:
    with pytest.raises(ValueError, match="invalid \\$9\\$ salt"):
        encrypt("x", salt=salt)


def test_encrypt_rejects_empty_and_non_string() -> None:
    with pytest.raises(ValueError, match="plaintext is empty"):
        encrypt("")
    with pytest.raises(ValueError, match="must be str"):
        encrypt(123)  # type: ignore[arg-type]


def test_module_is_stdlib_only() -> None:
    import ast
    import sys

    with open(junos_secret.__file__, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
