# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The XML reply envelope: parse a NETCONF/Junos XML reply, find its entries, report errors.

A reply is a string or bytes, or an lxml / ElementTree element (or element tree), with or
without namespaces, possibly wrapped in ``rpc-reply`` and in ``multi-routing-engine-results``
/ ``multi-routing-engine-item`` as chassis clusters answer (then the entries of all items
are returned). A list or tuple of replies is read reply by reply. Each protocol module
describes its reply with a spec: ``command`` (for messages), ``root`` (the information
element), ``entry`` (the element of one record) and ``from_entry`` (entry -> record).
"""

from __future__ import annotations

import xml.etree.ElementTree as _std_etree

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
    clean,
)

try:
    from lxml import etree
except ImportError as _exc:  # pragma: no cover - lxml is a documented requirement
    etree = None
    LXML_IMPORT_ERROR = _exc
else:
    LXML_IMPORT_ERROR = None


def require_lxml():
    if etree is None:
        raise SrxStateError(f"the lxml Python library is required: {LXML_IMPORT_ERROR}")


def localise_tree(root):
    """Strip namespaces from element and attribute names, in place."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        element.tag = etree.QName(element).localname
        for key in list(element.attrib):
            local = etree.QName(key).localname
            if local != key:
                value = element.attrib.pop(key)
                if local not in element.attrib:
                    element.set(local, value)
    etree.cleanup_namespaces(root)
    return root


def parse_xml(text):
    """Namespace-free lxml tree of an XML string (no entities, no network access)."""
    require_lxml()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise SrxStateError(f"invalid XML: {exc}") from None
    return localise_tree(root)


def is_element(data):
    root = data.getroot() if hasattr(data, "getroot") else data
    return (etree is not None and etree.iselement(root)) or isinstance(root, _std_etree.Element)


def tree_from_element(data):
    """A namespace-free copy of an lxml or ElementTree element (or element tree)."""
    root = data.getroot() if hasattr(data, "getroot") else data
    if etree is not None and etree.iselement(root):
        return localise_tree(etree.fromstring(etree.tostring(root)))
    if isinstance(root, _std_etree.Element):
        return parse_xml(_std_etree.tostring(root, encoding="unicode"))
    raise SrxStateError(f"expected an XML reply (string or XML element), got {type(data).__name__}")


def xml_trees(data):
    """Namespace-free trees of one reply or of a list of replies (XML only)."""
    if data is None:
        raise SrxStateError("no input (got None)")
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if isinstance(data, str):
        text = data.strip()
        if not text.startswith("<"):
            raise SrxStateError(f"the reply is not XML: {text[:40]!r}")
        return [parse_xml(text)]
    if isinstance(data, (list, tuple)):
        return [tree for item in data for tree in xml_trees(item)]
    return [tree_from_element(data)]


# --------------------------------------------------------------------------------------
# Tree helpers (namespace-free lxml trees)
# --------------------------------------------------------------------------------------

def child(element, name):
    """First direct child named ``name`` (``None`` when there is none, or no element)."""
    if element is None:
        return None
    for item in element:
        if item.tag == name:
            return item
    return None


def child_text(element, name):
    """Stripped text of the first direct child named ``name``, ``None`` when absent/empty."""
    item = child(element, name)
    return None if item is None else clean(item.text)


def parent_if(element, name):
    """The parent of ``element`` when it is named ``name``."""
    parent = element.getparent()
    return parent if parent is not None and parent.tag == name else None


def error_messages(root):
    """Messages of the ``rpc-error`` / ``error`` elements of a reply (warnings left out)."""
    messages = []
    for element in root.iter("rpc-error", "error"):
        message = child_text(element, "error-message") or child_text(element, "message")
        severity = child_text(element, "error-severity") or "error"
        if severity != "warning":
            messages.append(message or "unspecified error")
    return messages


def output_text(root):
    """The CLI text of ``<output>`` elements (a ``<command format="text">`` reply)."""
    outputs = [o.text for o in root.iter("output") if clean(o.text)]
    return "\n".join(outputs) if outputs else None


def entries_from_tree(root, spec, text_reader=None):
    """Records of a reply tree; errors say what is missing.

    ``<output>`` CLI text is read by ``text_reader(text)`` when one is given (the
    controller-side filters), else it is an error: the module asks for XML.
    """
    entries = list(root.iter(spec["entry"]))
    if entries:
        return [spec["from_entry"](entry) for entry in entries]
    text = output_text(root)
    if text is not None:
        if text_reader is None:
            raise SrxStateError(f"the reply of {spec['command']} is CLI text, not XML")
        return text_reader(text)
    if next(root.iter(spec["root"], "multi-routing-engine-item"), None) is not None:
        return []
    errors = error_messages(root)
    if not errors and next(root.iter("output"), None) is not None:
        return []  # `show ...` with nothing to show prints nothing: an empty <output>
    if errors:
        raise SrxStateError(f"the device answered with an error: {'; '.join(errors)}")
    raise SrxStateError(f"the reply has no <{spec['root']}> (is it the reply of {spec['command']}?)")


def parse(data, spec):
    """Records of one XML reply or a list of them."""
    return [record for root in xml_trees(data) for record in entries_from_tree(root, spec)]
