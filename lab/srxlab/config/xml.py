"""Junos XML configuration in and out (operation/inactive attributes, namespaces ignored)."""
from __future__ import annotations

import copy

from lxml import etree

from ..schema import FLAG, GENERIC, GENERIC_NODE, LEAF, LEAFLIST, LIST
from .tree import ConfigError, Leaf, Node, _norm_value, _ordered


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def to_xml(node: Node, tag: str = "configuration") -> etree._Element:
    elem = etree.Element(tag)
    _xml_fill(elem, node)
    return elem


def _xml_fill(elem, node: Node) -> None:
    for name, child in _ordered(node):
        sch = node.schema.child(name)
        if isinstance(child, Leaf):
            values = child.value if isinstance(child.value, list) else [child.value]
            for v in values:
                e = etree.SubElement(elem, name)
                if v is not None:
                    if sch.valuetag:
                        etree.SubElement(e, sch.valuetag).text = v
                    else:
                        e.text = v
                if child.inactive:
                    e.set("inactive", "inactive")
        elif isinstance(child, dict):
            for key, entry in child.items():
                e = etree.SubElement(elem, name)
                for (ktag, _kw), kval in zip(sch.keys, key, strict=False):
                    etree.SubElement(e, ktag).text = kval
                if entry.inactive:
                    e.set("inactive", "inactive")
                _xml_fill(e, entry)
        else:
            e = etree.SubElement(elem, name)
            if child.inactive:
                e.set("inactive", "inactive")
            value = _generic_value(child)
            if value is not None:
                e.text = value
            else:
                _xml_fill(e, child)


def _generic_value(node: Node) -> str | None:
    """A statement unknown to the schema written `name value;` shows as <name>value</name>."""
    if node.schema.kind != GENERIC or len(node.children) != 1:
        return None
    (name, sub), = node.children.items()
    if isinstance(sub, Node) and not sub.children and not sub.inactive:
        return name
    return None


def _xml_op(elem) -> str | None:
    for attr, value in elem.attrib.items():
        a = _local(attr)
        if a == "operation" and value in ("delete", "remove", "replace", "create", "merge"):
            return {"remove": "delete"}.get(value, value)
        if a in ("delete", "replace") and value == a:
            return a
    return None


def _xml_active(elem) -> bool | None:
    for attr, value in elem.attrib.items():
        a = _local(attr)
        if a == "inactive" and value == "inactive":
            return True
        if a == "active" and value == "active":
            return False
    return None


def parse_xml(elem, into: Node | None = None, mode: str = "merge") -> Node:
    """Load a <configuration> element (namespaces ignored) into a tree."""
    root = into if into is not None else Node()
    _xml_load(root, elem, [], mode)
    return root


def _xml_load(node: Node, elem, path: list[str], mode: str) -> None:
    for child in elem:
        name = _local(child.tag)
        if not name:
            continue
        sch = node.schema.child(name) if node.schema.kind != GENERIC else node.schema
        op = _xml_op(child)
        active = _xml_active(child)
        if sch.kind == LIST:
            key = []
            for ktag, _kw in sch.keys:
                kel = next((c for c in child if _local(c.tag) == ktag), None)
                if kel is None or not (kel.text or "").strip():
                    raise ConfigError(f"syntax error: missing <{ktag}>", path + [name], name)
                key.append(kel.text.strip())
            key = tuple(key)
            lst = node.children.get(name)
            if op == "delete":
                if lst and key in lst:
                    del lst[key]
                    if not lst:
                        del node.children[name]
                continue
            if lst is None:
                lst = node.children[name] = {}
            if op == "replace" and mode == "replace" or key not in lst:
                lst[key] = Node(sch)
            entry = lst[key]
            if active is not None:
                entry.inactive = active
            keytags = {k for k, _ in sch.keys}
            sub = [c for c in child if _local(c.tag) not in keytags]
            holder = etree.Element("x")
            holder.extend(copy.deepcopy(sub))
            _xml_load(entry, holder, path + ([] if sch.nokw else [name]) + list(key), mode)
        elif sch.kind in (LEAF, LEAFLIST, FLAG):
            if op == "delete":
                if sch.kind == LEAFLIST and (child.text or "").strip():
                    leaf = node.children.get(name)
                    if isinstance(leaf, Leaf):
                        leaf.value = [v for v in leaf.value if v != child.text.strip()]
                        if not leaf.value:
                            del node.children[name]
                else:
                    node.children.pop(name, None)
                continue
            text = (child.text or "").strip()
            if sch.valuetag:
                vt = next((c for c in child if _local(c.tag) == sch.valuetag), None)
                text = (vt.text or "").strip() if vt is not None else text
            if sch.kind == FLAG:
                leaf = Leaf(None)
            elif sch.kind == LEAF:
                if not text:
                    raise ConfigError("syntax error, expecting <data>", path + [name], name)
                leaf = Leaf(_norm_value(sch, text))
            else:
                prev = node.children.get(name)
                fresh = op == "replace" and mode == "replace"
                values = [] if fresh or not isinstance(prev, Leaf) else list(prev.value)
                if text and text not in values:
                    values.append(text)
                leaf = Leaf(values)
            if active is not None:
                leaf.inactive = active
            node.children[name] = leaf
        else:  # container or generic
            if op == "delete":
                node.children.pop(name, None)
                continue
            sub = node.children.get(name)
            if not isinstance(sub, Node) or (op == "replace" and mode == "replace"):
                sub = node.children[name] = Node(sch)
            if active is not None:
                sub.inactive = active
            text = (child.text or "").strip()
            if sch.kind == GENERIC and len(child) == 0 and text:
                sub.children = {text: Node(GENERIC_NODE)}
            else:
                _xml_load(sub, child, path + [name], mode)
