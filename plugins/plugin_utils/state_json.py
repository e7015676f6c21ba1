# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Junos JSON replies -> XML trees (controller side: the filters).

A JSON reply (``| display json``, ``format: json`` of junos_command / PyEZ) is turned into
the namespace-free lxml tree of the same reply, so that the XML parsers of
``module_utils/srx_state`` read it: every element is a list of objects, leaf values are
``[{"data": "..."}]``, attributes sit under ``"attributes"``; xmltodict-style dicts (leaves as
plain strings, ``@attr``/``#text``) are accepted too.
"""

from __future__ import annotations

import json
import re

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.reply import (
    etree,
    require_lxml,
)

_XML_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def _json_name(key, what):
    name = str(key).rsplit(":", maxsplit=1)[-1]
    if not _XML_NAME.fullmatch(name):
        raise SrxStateError(f"invalid {what} name {key!r} in JSON reply")
    return name


def _json_attributes(element, attributes):
    if not isinstance(attributes, dict):
        raise SrxStateError("JSON 'attributes' must be an object")
    for key, value in attributes.items():
        if str(key).startswith("xmlns"):
            continue
        element.set(_json_name(key, "attribute"), "" if value is None else str(value))


def _json_text(element, data):
    if isinstance(data, list):
        data = "".join(str(d) for d in data if d is not None)
    if data is not None and not isinstance(data, (dict, list)):
        element.text = str(data)


def _json_fill(element, obj):
    """Fill an element from Junos JSON (``[{"data": ..}]``) or xmltodict-style values."""
    if obj is None:
        return
    if not isinstance(obj, dict):
        if isinstance(obj, list):
            raise SrxStateError("unexpected nested list in JSON reply")
        element.text = str(obj)
        return
    for key, value in obj.items():
        if key == "attributes":
            _json_attributes(element, value)
        elif key in ("data", "#text"):
            _json_text(element, value)
        elif str(key).startswith("@"):
            _json_attributes(element, {key[1:]: value})
        else:
            name = _json_name(key, "element")
            for item in value if isinstance(value, list) else [value]:
                _json_fill(etree.SubElement(element, name), item)


def json_to_tree(obj):
    require_lxml()
    root = etree.Element("json-reply")
    _json_fill(root, obj)
    return root


def load_json(text):
    decoder = json.JSONDecoder()
    try:
        obj, end = decoder.raw_decode(text)
    except ValueError as exc:
        raise SrxStateError(f"invalid JSON: {exc}") from None
    if text[end:].strip():
        raise SrxStateError(f"invalid JSON: unexpected text after the reply: {text[end:end + 40]!r}")
    return obj
