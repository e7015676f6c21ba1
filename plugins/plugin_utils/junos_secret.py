# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Junos ``$9$`` reversible secrets (``pre-shared-key ascii-text``, ``secret``, ...).

Junos stores reversible secrets in the configuration as ``$9$`` strings.  The
scheme is an obfuscation, not encryption; it is publicly documented by the Perl
module Crypt::Juniper (Kevin Brintnall, 2008) and by its many ports (python
``junosdecode``, Go ``jeremmfr/junosdecode``, ``networktocode/netutils``).  This
module is an independent implementation written from that description:

* The alphabet is 65 characters, made of four *families*::

      QzF3n6/9CAtpu0O   B1IREhcSyrleKvMW8LXx   7N-dVbwsY2g4oaJZGUDj   iHkq.mPf5T

  A character's value is its index in the concatenation of the families.
* A secret is ``$9$`` + one *salt* character + ``3 - family(salt)`` random
  filler characters + the encoded plaintext.
* Plaintext byte ``n`` (0-based) is encoded with the moduli tuple
  ``MODULI[n % 7]``: the byte is split into digits ``g0..gk`` (``g_k`` is the
  byte divided by the largest modulus, each lower digit is what is left divided
  by its own modulus).  Each digit ``g`` is written as the character ``g + 1``
  positions after the previously written character (the salt for the very
  first one), wrapping round the alphabet.

Decoding walks the same chain backwards.  Encryption picks a random salt and
random filler, as Junos does, so one plaintext has many encodings; all of them
decrypt to the same text.

Plaintext is handled as UTF-8 bytes (plain ASCII in practice).

The module uses the standard library only, so it can be vendored unchanged
(e.g. into an Ansible collection's ``module_utils``).

>>> decrypt("$9$LbHX-wg4Z")
'lc'
>>> decrypt(encrypt("s3cret key")) == "s3cret key"
True
>>> is_encrypted("$9$LbHX-wg4Z"), is_encrypted("plain")
(True, False)
"""

from __future__ import annotations

import random as _random

__all__ = [
    "ALPHABET",
    "MAGIC",
    "InvalidSecretError",
    "decrypt",
    "encrypt",
    "is_encrypted",
]

MAGIC = "$9$"

_FAMILIES = (
    "QzF3n6/9CAtpu0O",
    "B1IREhcSyrleKvMW8LXx",
    "7N-dVbwsY2g4oaJZGUDj",
    "iHkq.mPf5T",
)

#: The 65-character alphabet of ``$9$`` secrets, in value order.
ALPHABET = "".join(_FAMILIES)

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Number of random filler characters that follow a given salt character.
_FILLER = {ch: 3 - fam for fam, chars in enumerate(_FAMILIES) for ch in chars}

# Moduli used for plaintext byte n, cycled with period 7.
_MODULI = (
    (1, 4, 32),
    (1, 16, 32),
    (1, 8, 32),
    (1, 64),
    (1, 32),
    (1, 4, 16, 128),
    (1, 32, 64),
)

_SYSTEM_RNG = _random.SystemRandom()


class InvalidSecretError(ValueError):
    """A value that is not a well-formed ``$9$`` secret (or cannot be encrypted)."""


def _split(byte: int, moduli: tuple[int, ...]) -> list[int]:
    """Split ``byte`` into one digit per modulus (lowest modulus first)."""
    digits = [0] * len(moduli)
    rest = byte
    for i in range(len(moduli) - 1, -1, -1):
        digits[i], rest = divmod(rest, moduli[i])
    return digits


def encrypt(
    plaintext: str,
    salt: str | None = None,
    rng: _random.Random | None = None,
) -> str:
    """Return a ``$9$`` secret for ``plaintext``.

    ``salt`` (one character of :data:`ALPHABET`) and the filler characters are
    random unless given; pass ``rng`` (e.g. ``random.Random(1)``) to make the
    result reproducible.  Raises :class:`InvalidSecretError` (a ``ValueError``)
    for an empty plaintext or a bad salt.
    """
    if not isinstance(plaintext, str):
        raise InvalidSecretError(
            "cannot encrypt a $9$ secret: plaintext must be str, "
            f"not {type(plaintext).__name__}"
        )
    if plaintext == "":
        raise InvalidSecretError("cannot encrypt a $9$ secret: plaintext is empty")
    rng = rng if rng is not None else _SYSTEM_RNG
    if salt is None:
        salt = rng.choice(ALPHABET)
    elif not isinstance(salt, str) or len(salt) != 1 or salt not in _VALUE:
        raise InvalidSecretError(
            f"invalid $9$ salt {salt!r}: must be exactly one character of {ALPHABET!r}"
        )

    out = [MAGIC, salt]
    out.extend(rng.choice(ALPHABET) for _filler in range(_FILLER[salt]))
    prev = _VALUE[salt]
    for n, byte in enumerate(plaintext.encode("utf-8")):
        for digit in _split(byte, _MODULI[n % len(_MODULI)]):
            prev = (prev + digit + 1) % len(ALPHABET)
            out.append(ALPHABET[prev])
    return "".join(out)


def decrypt(secret: str) -> str:
    """Return the plaintext of the ``$9$`` secret ``secret``.

    Raises :class:`InvalidSecretError` (a ``ValueError``) when ``secret`` is not
    a well-formed ``$9$`` string: missing ``$9$`` prefix, a character outside
    the ``$9$`` alphabet, truncated or over-long data, or a character chain that
    no encoder would produce.
    """
    if not isinstance(secret, str):
        raise InvalidSecretError(
            f"invalid $9$ secret: expected str, not {type(secret).__name__}"
        )
    if not secret.startswith(MAGIC):
        raise InvalidSecretError("invalid $9$ secret: value does not start with '$9$'")
    body = secret[len(MAGIC):]
    for pos, ch in enumerate(body, start=len(MAGIC)):
        if ch not in _VALUE:
            raise InvalidSecretError(
                f"invalid $9$ secret: character {ch!r} at offset {pos} "
                "is not in the $9$ alphabet"
            )
    if not body:
        raise InvalidSecretError("invalid $9$ secret: nothing after '$9$'")

    salt = body[0]
    start = 1 + _FILLER[salt]
    if len(body) <= start:
        raise InvalidSecretError(
            "invalid $9$ secret: no encoded data after the salt and "
            f"{_FILLER[salt]} filler character(s)"
        )

    out = bytearray()
    prev = _VALUE[salt]
    pos = start
    size = len(ALPHABET)
    while pos < len(body):
        moduli = _MODULI[len(out) % len(_MODULI)]
        chunk = body[pos:pos + len(moduli)]
        if len(chunk) < len(moduli):
            raise InvalidSecretError(
                f"invalid $9$ secret: truncated; byte {len(out) + 1} of the plaintext "
                f"needs {len(moduli)} characters but only {len(chunk)} remain"
            )
        value = 0
        for i, ch in enumerate(chunk):
            cur = _VALUE[ch]
            digit = (cur - prev) % size - 1
            limit = moduli[i + 1] // moduli[i] if i + 1 < len(moduli) else 256 // moduli[i]
            if not 0 <= digit < limit:
                raise InvalidSecretError(
                    f"invalid $9$ secret: character {ch!r} at offset "
                    f"{len(MAGIC) + pos + i} does not encode a valid byte "
                    "(corrupted or not a $9$ secret)"
                )
            value += digit * moduli[i]
            prev = cur
        out.append(value)
        pos += len(moduli)

    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidSecretError(
            "invalid $9$ secret: decoded bytes are not valid UTF-8"
        ) from None


def is_encrypted(value: object) -> bool:
    """True when ``value`` is a well-formed ``$9$`` secret that :func:`decrypt` accepts."""
    if not isinstance(value, str) or not value.startswith(MAGIC):
        return False
    try:
        decrypt(value)
    except ValueError:
        return False
    return True
