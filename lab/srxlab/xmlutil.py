"""Small lxml helpers shared by the device and its operational RPCs."""
from __future__ import annotations

from lxml import etree


def E(tag: str, text: str | None = None, *children, **attrib) -> etree._Element:
    el = etree.Element(tag, {k.replace("_", "-"): v for k, v in attrib.items()})
    if text is not None:
        el.text = text
    el.extend(children)
    return el


def rpc_error(message: str, severity: str = "error", path: str | None = None,
              bad_element: str | None = None, error_type: str = "protocol",
              tag: str = "operation-failed") -> etree._Element:
    """An ``<rpc-error>`` as Junos sends it (elements inherit the NETCONF base namespace)."""
    err = E("rpc-error", None, E("error-type", error_type), E("error-tag", tag),
            E("error-severity", severity))
    if path:
        err.append(E("error-path", path))
    if bad_element is not None:
        err.append(E("error-info", None, E("bad-element", bad_element)))
    err.append(E("error-message", message))
    return err


def local_name(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def find_child(elem, name: str):
    for child in elem:
        if local_name(child.tag) == name:
            return child
    return None


def child_text(elem, name: str, default: str | None = None) -> str | None:
    child = find_child(elem, name)
    if child is None:
        return default
    return (child.text or "").strip()


