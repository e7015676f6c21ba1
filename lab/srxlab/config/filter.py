"""Subtree filters: a <configuration> filter element, or CLI words (`show configuration X`)."""
from __future__ import annotations

import copy

from lxml import etree

from ..schema import LIST
from .tree import ConfigError, Leaf, Node, _target_obj, resolve
from .xml import _local


def filter_tree(root: Node, flt) -> Node:
    """Keep only the parts of ``root`` named by the subtree filter element ``flt``
    (a <configuration> element whose children select statements; a list element holding
    only its key selects that entry)."""
    out = Node(root.schema)
    _filter_into(root, flt, out)
    return out


def _filter_into(src: Node, flt, dst: Node) -> None:
    for fchild in flt:
        name = _local(fchild.tag)
        if not name or name not in src.children:
            continue
        sch = src.schema.child(name)
        child = src.children[name]
        if isinstance(child, Leaf):
            dst.children[name] = copy.deepcopy(child)
        elif isinstance(child, dict):
            keytags = [k for k, _ in sch.keys]
            want = tuple((next((c for c in fchild if _local(c.tag) == k), None)) for k in keytags)
            if all(w is not None and (w.text or "").strip() for w in want):
                key = tuple(w.text.strip() for w in want)
                if key in child:
                    rest = [c for c in fchild if _local(c.tag) not in keytags]
                    entry = child[key]
                    if rest:
                        new = Node(entry.schema)
                        new.inactive = entry.inactive
                        holder = etree.Element("x")
                        holder.extend(copy.deepcopy(rest))
                        _filter_into(entry, holder, new)
                        dst.children.setdefault(name, {})[key] = new
                    else:
                        dst.children.setdefault(name, {})[key] = copy.deepcopy(entry)
            else:
                dst.children[name] = copy.deepcopy(child)
        else:
            if len(fchild):
                new = dst.children.get(name) or Node(child.schema)
                new.inactive = child.inactive
                _filter_into(child, fchild, new)
                dst.children[name] = new
            else:
                dst.children[name] = copy.deepcopy(child)


def filter_by_path(root: Node, words: list[str]) -> tuple[Node, object]:
    """The subtree at CLI ``words`` (``show configuration security ike``).

    Returns (a tree holding only that statement and its ancestors, the statement itself).
    """
    if not words:
        return root, root
    t = resolve(root, words, create=False)
    obj = _target_obj(t)
    if obj is None:
        raise ConfigError("statement not found", t.path, words[-1], "warning")
    out = Node(root.schema)
    tt = resolve(out, words, create=True)
    if tt.schema.kind == LIST and tt.key is not None:
        tt.parent.children.setdefault(tt.name, {})[tt.key] = copy.deepcopy(obj)
    else:
        tt.parent.children[tt.name] = copy.deepcopy(obj)
    return out, obj
