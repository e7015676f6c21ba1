# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The last guard between a value and a Junos ``set`` line: every value a template writes goes
through one of these two filters (``netops.srx_vpn.junos_word``, ``netops.srx_vpn.junos_quote``;
``render.py`` registers the same functions for the in-process rendering).

* :func:`word`: a value in an unquoted position (a name, an interface, an address, a number,
  a keyword) must be ONE Junos word of safe characters; anything else (a space, a quote, a
  ``;``, a newline, a control character, a boolean, null) raises, so it can never become a
  second word or a second line.
* :func:`quote`: a value in a quoted position (a description, the key placeholder) is written
  between double quotes with ``\\`` and ``"`` escaped the way the Junos CLI reads them; a line
  break, a control character or a non-ASCII character raises.

The intent's schema refuses such values long before (with a message naming the field); this
guard holds even for a plan built by hand or a role variable set on the command line.
"""
from __future__ import annotations

import re

WORD_RE = re.compile(r"[A-Za-z0-9_.:/@+-]+")
QUOTABLE_RE = re.compile(r"[\x20-\x7e]*")
MAX_WORD = 255
MAX_QUOTED = 900


class JunosSyntaxError(ValueError):
    """A value that cannot be written at its position of a set line."""


def word(value) -> str:
    """``value`` as one unquoted Junos word, or JunosSyntaxError."""
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int)):
        raise JunosSyntaxError(f"not a Junos word: a value of type {type(value).__name__} ({value!r})")
    text = str(value)
    if len(text) > MAX_WORD or not WORD_RE.fullmatch(text):
        raise JunosSyntaxError(f"not a Junos word (letters, digits and _ . : / @ + - only): {text!r}")
    return text


def quote(value) -> str:
    """``value`` as a double-quoted Junos string, or JunosSyntaxError."""
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int)):
        raise JunosSyntaxError(f"not a Junos string: a value of type {type(value).__name__} ({value!r})")
    text = str(value)
    if len(text) > MAX_QUOTED or not QUOTABLE_RE.fullmatch(text):
        raise JunosSyntaxError(f"not a single-line Junos string (printable ASCII only): {text!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


FILTERS = {"netops.srx_vpn.junos_word": word, "netops.srx_vpn.junos_quote": quote}
