"""Which values are Junos ``$9$`` secrets: the one thing the lab needs beyond netutils.

The codec itself is ``netutils.password`` (``encrypt_juniper_type9`` /
``decrypt_juniper_type9``). A secret leaf (``pre-shared-key ascii-text``, ...) keeps a
``$9$`` value as given and stores anything else as the ``$9$`` of that clear text, so the
lab must tell a well-formed ``$9$`` from clear text. netutils decodes leniently (a truncated
or altered string still yields some text), so :func:`is_secret9` also asks that
re-encoding the decoded text with the string's own salt gives back exactly its characters.
"""
from __future__ import annotations

from netutils.password import (
    JUNIPER_CHARACTER_KEYS,
    JUNIPER_KEYS_LENGTH,
    JUNIPER_KEYS_STRING,
    decrypt_juniper_type9,
    encrypt_juniper_type9,
)

MAGIC = "$9$"


def is_secret9(value: object) -> bool:
    """True when ``value`` is a well-formed ``$9$`` secret of a non-empty ASCII text."""
    if not isinstance(value, str) or not value.startswith(MAGIC) or len(value) <= len(MAGIC):
        return False
    try:
        clear = decrypt_juniper_type9(value)
    except (ValueError, KeyError, IndexError):   # a character outside the $9$ alphabet
        return False
    if not clear or not clear.isascii():
        return False
    salt = value[len(MAGIC)]
    data = len(MAGIC) + 1 + JUNIPER_CHARACTER_KEYS[salt]   # salt, then its random filler
    # netutils takes the salt as an index into its alphabet and draws a random one for 0,
    # so pass the negative index of the same character (Python indexing, never 0).
    again = encrypt_juniper_type9(clear, salt=JUNIPER_KEYS_STRING.index(salt) - JUNIPER_KEYS_LENGTH)
    return again[data:] == value[data:]
