"""Junos JSON configuration (`display json`, <configuration-json>) in and out."""
from __future__ import annotations

import json

from lxml import etree

from .tree import Leaf, Node, _ordered
from .xml import parse_xml


def to_json(node: Node) -> dict:
    return {"configuration": _json_obj(node)}


def _json_obj(node: Node) -> dict:
    obj: dict = {}
    if node.inactive:
        obj["@"] = {"inactive": True}
    for name, child in _ordered(node):
        sch = node.schema.child(name)
        if isinstance(child, Leaf):
            if child.value is None:
                obj[name] = [None]
            elif isinstance(child.value, list):
                obj[name] = list(child.value)
            elif sch.valuetag:
                obj[name] = {sch.valuetag: child.value}
            else:
                obj[name] = child.value
            if child.inactive:
                obj["@" + name] = {"inactive": True}
        elif isinstance(child, dict):
            items = []
            for key, entry in child.items():
                item = {ktag: kval for (ktag, _), kval in zip(sch.keys, key, strict=False)}
                item.update(_json_obj(entry))
                items.append(item)
            obj[name] = items
        else:
            obj[name] = _json_obj(child)
    return obj


def parse_json(data, into: Node | None = None, mode: str = "merge") -> Node:
    """Load Junos JSON configuration (``{"configuration": {...}}``) by way of XML."""
    if isinstance(data, str):
        data = json.loads(data)
    if "configuration" in data:
        data = data["configuration"]
    elem = etree.Element("configuration")
    _json_to_xml(elem, data)
    return parse_xml(elem, into, mode)


def _json_to_xml(elem, obj: dict) -> None:
    attrs = obj.get("@") or {}
    for attr, value in attrs.items():
        a = attr.split(":")[-1]
        if a == "inactive" and value:
            elem.set("inactive", "inactive")
        elif a in ("operation", "delete", "replace", "active") and value:
            elem.set(a, value if isinstance(value, str) else a)
    for name, value in obj.items():
        if name.startswith("@"):
            continue
        leaf_attrs = obj.get("@" + name) or {}
        values = value if isinstance(value, list) else [value]
        for v in values:
            e = etree.SubElement(elem, name)
            if isinstance(v, dict):
                _json_to_xml(e, v)
            elif v is not None:
                e.text = str(v)
            if leaf_attrs.get("inactive"):
                e.set("inactive", "inactive")
            if leaf_attrs.get("operation"):
                e.set("operation", leaf_attrs["operation"])
