"""The configuration tree: statements, lists and leaves; CLI words resolved against the schema;
set / delete / (de)activate / rename edits; display order and quoting; the active view.

Data model: a :class:`Node` is a container or a list entry; its ``children`` map a
statement name to a child :class:`Node` (container), a dict ``key -> Node`` (keyed list)
or a :class:`Leaf` (leaf, leaf-list, flag). Display order follows the schema; list entries
keep the order in which they were configured, as Junos does.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterator

from netutils.password import encrypt_juniper_type9

from ..addresses import valid_ipv4
from ..schema import FLAG, GENERIC, GENERIC_NODE, LEAF, LEAFLIST, LIST, ROOT, SchemaNode
from ..secret9 import is_secret9


class ConfigError(Exception):
    """A statement that cannot be applied; ``path`` and ``statement`` as Junos reports them."""

    def __init__(self, message: str, path: list[str] | None = None, statement: str | None = None,
                 severity: str = "error"):
        super().__init__(message)
        self.message = message
        self.path = path or []
        self.statement = statement
        self.severity = severity

    @property
    def edit_path(self) -> str:
        return "[edit" + "".join(" " + w for w in self.path) + "]"


class Leaf:
    """A leaf value (str), leaf-list values (list of str) or a flag (value None)."""

    __slots__ = ("inactive", "value")

    def __init__(self, value, inactive: bool = False):
        self.value = value
        self.inactive = inactive

    def __eq__(self, other):
        return isinstance(other, Leaf) and self.value == other.value and self.inactive == other.inactive

    def __deepcopy__(self, memo):
        value = list(self.value) if isinstance(self.value, list) else self.value
        return Leaf(value, self.inactive)


class Node:
    """A container or a list entry."""

    __slots__ = ("children", "inactive", "schema")

    def __init__(self, schema: SchemaNode = ROOT):
        self.schema = schema
        self.children: dict = {}
        self.inactive = False

    def __eq__(self, other):
        return (isinstance(other, Node) and self.inactive == other.inactive
                and self.children == other.children)

    def __deepcopy__(self, memo):
        new = Node(self.schema)
        new.inactive = self.inactive
        for name, child in self.children.items():
            if isinstance(child, dict):
                new.children[name] = {k: v.__deepcopy__(memo) for k, v in child.items()}
            else:
                new.children[name] = child.__deepcopy__(memo)
        return new

    def copy(self) -> Node:
        return copy.deepcopy(self)

    # -- navigation ---------------------------------------------------------------------
    def get(self, *path: str):
        """Follow statement names and list keys: ``get('security', 'ike', 'gateway', 'GW')``.

        Returns the Node, the Leaf's value (True for a flag), or None when absent. A list name not followed by
        a key returns the ``{key: Node}`` dict. Keys of composite lists are tuples.
        """
        cur = self
        i = 0
        while i < len(path):
            if not isinstance(cur, Node):
                return None
            child = cur.children.get(path[i])
            i += 1
            if child is None:
                return None
            if isinstance(child, dict):
                if i == len(path):
                    return child
                key = path[i]
                i += 1
                cur = child.get(key if isinstance(key, tuple) else (key,))
            elif isinstance(child, Leaf):
                if i != len(path):
                    return None
                return True if child.value is None else child.value  # a flag reads as True
            else:
                cur = child
        return cur

    def entries(self, *path: str) -> Iterator[tuple[str, Node]]:
        """Active entries of the list at ``path`` as (key, node); composite keys joined by space."""
        lst = self.get(*path)
        if isinstance(lst, dict):
            for key, node in lst.items():
                if not node.inactive:
                    yield " ".join(key), node

    def is_empty(self) -> bool:
        return not self.children


class Target:
    """Where a sequence of CLI words lands."""

    __slots__ = ("key", "name", "parent", "path", "rest", "schema", "values")

    def __init__(self, parent: Node, schema: SchemaNode, name: str, key=None, values=None, path=None,
                 rest=None):
        self.rest = rest or []  # words of further sibling statements on the same line
        self.parent = parent
        self.schema = schema
        self.name = name
        self.key = key          # tuple for list entries, None for others
        self.values = values    # list of words given after a leaf / leaf-list name
        self.path = path or []  # words up to (not including) this statement


def _list_key(schema: SchemaNode, words: list[str], i: int, path: list[str]) -> tuple[tuple | None, int]:
    """Read the key of list ``schema`` at words[i] (for composite keys words[i] is the
    first key keyword); return (key or None when absent, next index)."""
    if len(schema.keys) == 1:
        if i >= len(words):
            return None, i
        return (words[i],), i + 1
    key = []
    for _tag, keyword in schema.keys:
        if i + 1 >= len(words) or words[i] != keyword:
            raise ConfigError(f"syntax error, expecting {keyword}", path, " ".join(words[i:]) or keyword)
        key.append(words[i + 1])
        i += 2
    return tuple(key), i


def resolve(root: Node, words: list[str], create: bool, base_path: list[str] | None = None) -> Target:
    """Walk CLI ``words`` from ``root`` to the statement they name.

    Containers and entries on the way are created when ``create``; otherwise a missing
    one raises ConfigError('statement not found'). A bad keyword sequence raises a
    syntax error.
    """
    node = root
    path = list(base_path or [])
    if not words:
        raise ConfigError("syntax error", path, "")
    i = 0
    while True:
        word = words[i]
        key = None
        nxt = i + 1
        sch = None if node.schema.kind == GENERIC else node.schema.cli_child(word)
        if sch is not None:
            name = sch.name
            if sch.kind == LIST:
                start = i if len(sch.keys) > 1 else i + 1
                key, nxt = _list_key(sch, words, start, path + [word])
        elif node is root and not base_path and word in _TOP_LEVEL:
            sch, name = GENERIC_NODE, word
        elif node.schema.kind != GENERIC and node.schema.nokw_child is not None:
            sch = node.schema.nokw_child
            unit = _IFL_NAME.match(word) if path == ["interfaces"] else None
            if unit:  # `set interfaces fe-0/0/2.10 vlan-id 10`: Junos reads NAME.UNIT as NAME unit UNIT
                words = [*words[:i], unit.group(1), "unit", unit.group(2), *words[i + 1:]]
                word = words[i]
            name, key = sch.name, (word,)
        elif _open(node.schema):
            sch, name = GENERIC_NODE, word
        else:
            raise ConfigError("syntax error", path, word)

        if sch.kind in (LEAF, LEAFLIST, FLAG):
            values, rest = _leaf_values(node.schema, sch, words[nxt:])
            return Target(node, sch, name, values=values, path=path, rest=rest)
        if (sch.kind == LIST and key is None) or nxt >= len(words):
            return Target(node, sch, name, key=key, path=path)
        child = _child_node(node, sch, name, key, create)
        if child is None:
            raise ConfigError("statement not found", path, " ".join(words[:nxt]), "warning")
        path = path + ([] if sch.nokw else [name]) + (_key_words(sch, key) if key else [])
        pos = child.schema.positional_child if sch.kind == LIST else None
        if pos is not None and child.schema.cli_child(words[nxt]) is None:
            return Target(child, pos, pos.name, values=words[nxt:nxt + 1], path=path)
        node = child
        i = nxt


_IFL_NAME = re.compile(r"^([a-z][a-z0-9]*(?:-\d+/\d+/\d+(?::\d+)?|\d+))\.(\d+)$")

# Top-level Junos statements the schema does not model; accepted as opaque statements.
_TOP_LEVEL = {"access", "accounting-options", "applications", "chassis", "class-of-service",
              "event-options", "firewall", "forwarding-options", "groups", "poe",
              "routing-instances", "services", "snmp", "switch-options", "vlans", "apply-groups"}


def _open(schema: SchemaNode) -> bool:
    """Statements unknown to the schema are accepted below generic or unmodelled
    containers (no children in the schema); elsewhere they are syntax errors."""
    return schema.kind == GENERIC or not schema.children or schema.open


def _leaf_values(parent: SchemaNode, sch: SchemaNode, words: list[str]) -> tuple[list[str], list[str]]:
    """Split the words after a leaf name into its values and further sibling statements
    (`match source-address any destination-address any`)."""
    if sch.kind == FLAG:
        return [], words
    if sch.kind == LEAF:
        return words[:1], words[1:]
    if words[:1] == ["["]:
        end = words.index("]") if "]" in words else len(words)
        return words[1:end], words[end + 1:]
    values = []
    for i, w in enumerate(words):
        if values and parent.cli_child(w) is not None:
            return values, words[i:]
        values.append(w)
    return values, []


def _key_words(schema: SchemaNode, key: tuple) -> list[str]:
    if len(schema.keys) == 1:
        return [key[0]]
    out = []
    for (_tag, keyword), value in zip(schema.keys, key, strict=False):
        out += [keyword, value]
    return out


def _child_node(node: Node, sch: SchemaNode, name: str, key, create: bool) -> Node | None:
    if sch.kind == LIST:
        lst = node.children.get(name)
        if lst is None:
            if not create:
                return None
            lst = node.children[name] = {}
        entry = lst.get(key)
        if entry is None and create:
            entry = lst[key] = Node(sch)
        return entry
    child = node.children.get(name)
    if child is None and create:
        child = node.children[name] = Node(sch)
    return child if isinstance(child, Node) else None


def _norm_value(schema: SchemaNode, value: str) -> str:
    if schema.secret and schema.name in _SECRET_TEXT and not is_secret9(value):
        return encrypt_juniper_type9(value)
    return value


_SECRET_TEXT = ("ascii-text", "authentication-key", "hexadecimal")


def apply_set(root: Node, words: list[str], base_path: list[str] | None = None) -> None:
    t = resolve(root, words, create=True, base_path=base_path)
    _set_target(t)
    while t.rest:
        if t.parent.schema.cli_child(t.rest[0]) is None:
            raise ConfigError("syntax error", t.path, t.rest[0])
        t = resolve(t.parent, t.rest, create=True, base_path=t.path)
        _set_target(t)


def _set_target(t: Target) -> None:
    if t.schema.kind == LEAF:
        if not t.values:
            raise ConfigError("syntax error, expecting <data>", t.path + [t.name], t.name)
        _validate_value(t)
        old = t.parent.children.get(t.name)
        inactive = old.inactive if isinstance(old, Leaf) else False
        t.parent.children[t.name] = Leaf(_norm_value(t.schema, t.values[0]), inactive)
    elif t.schema.kind == LEAFLIST:
        if not t.values:
            raise ConfigError("syntax error, expecting <data>", t.path + [t.name], t.name)
        _validate_value(t)
        leaf = t.parent.children.get(t.name)
        if not isinstance(leaf, Leaf):
            leaf = t.parent.children[t.name] = Leaf([])
        for v in t.values:
            if v not in leaf.value:
                leaf.value.append(v)
    elif t.schema.kind == FLAG:
        if not isinstance(t.parent.children.get(t.name), Leaf):
            t.parent.children[t.name] = Leaf(None)
    elif t.schema.kind == LIST and t.key is None:
        raise ConfigError("syntax error, expecting <name>", t.path + [t.name], t.name)
    else:
        if t.schema.kind == LIST and t.key is not None:
            _validate_key(t)
        _child_node(t.parent, t.schema, t.name, t.key, create=True)


_ADDRESS_LEAVES = {"router-id", "local-address", "address", "inet", "next-hop", "destination-ip"}


def _validate_value(t: Target) -> None:
    """Value checks Junos makes when a statement is entered (invalid addresses)."""
    if t.name not in _ADDRESS_LEAVES or t.schema.kind == GENERIC:
        return
    if t.name == "inet" and not (t.path and t.path[-1].endswith("identity")):
        return
    for value in t.values:
        if not valid_ipv4(value) and ":" not in value:
            raise ConfigError(f"invalid ip address or hostname: {value}", t.path + [t.name], value)


def _validate_key(t: Target) -> None:
    if t.name == "address" and t.path[-2:] == ["family", "inet"] and not valid_ipv4(t.key[0]):
        raise ConfigError(f"invalid prefix: {t.key[0]}", t.path + [t.name], t.key[0])
    if t.name == "neighbor" and t.path[:2] == ["protocols", "bgp"] and not valid_ipv4(t.key[0], prefix=False):
        raise ConfigError(f"invalid ip address: {t.key[0]}", t.path + [t.name], t.key[0])
    if t.name == "unit" and not t.key[0].isdigit():
        raise ConfigError("invalid unit number", t.path + [t.name], t.key[0])


def apply_delete(root: Node, words: list[str]) -> None:
    t = resolve(root, words, create=False)
    parent = t.parent
    if t.schema.kind == LIST:
        lst = parent.children.get(t.name)
        if lst is None or (t.key is not None and t.key not in lst):
            raise ConfigError("statement not found", t.path, " ".join(_target_path_words(t)), "warning")
        if t.key is None:
            del parent.children[t.name]
        else:
            del lst[t.key]
            if not lst:
                del parent.children[t.name]
    elif t.schema.kind == LEAFLIST and t.values:
        leaf = parent.children.get(t.name)
        missing = [v for v in t.values if not isinstance(leaf, Leaf) or v not in leaf.value]
        if missing:
            raise ConfigError("statement not found", t.path + [t.name], missing[0], "warning")
        leaf.value = [v for v in leaf.value if v not in t.values]
        if not leaf.value:
            del parent.children[t.name]
    else:
        if t.name not in parent.children:
            raise ConfigError("statement not found", t.path, t.name, "warning")
        del parent.children[t.name]


def _target_obj(t: Target):
    if t.schema.kind == LIST:
        lst = t.parent.children.get(t.name)
        return None if lst is None or t.key is None else lst.get(t.key)
    return t.parent.children.get(t.name)


def apply_active(root: Node, words: list[str], inactive: bool) -> None:
    t = resolve(root, words, create=False)
    obj = _target_obj(t)
    if obj is None or isinstance(obj, dict):
        raise ConfigError("statement not found", t.path, words[-1], "warning")
    obj.inactive = inactive


def apply_rename(root: Node, words: list[str]) -> None:
    if "to" not in words:
        raise ConfigError("syntax error, expecting to", [], words[-1] if words else "")
    cut = words.index("to")
    t = resolve(root, words[:cut], create=False)
    new = words[cut + 1:]
    if t.schema.kind != LIST or t.key is None or not new:
        raise ConfigError("syntax error", t.path, " ".join(words))
    lst = t.parent.children.get(t.name)
    if lst is None or t.key not in lst:
        raise ConfigError("statement not found", t.path, " ".join(words[:cut]), "warning")
    newkey = (new[-1],)
    items = [(newkey if k == t.key else k, v) for k, v in lst.items()]
    lst.clear()
    lst.update(items)


def _target_path_words(t: Target) -> list[str]:
    words = [] if (t.schema.kind == LIST and t.schema.nokw) else [t.name]
    if t.key is not None:
        words += _key_words(t.schema, t.key)
    return words


def target_node(t: Target) -> Node:
    obj = _target_obj(t)
    if not isinstance(obj, Node):
        obj = _child_node(t.parent, t.schema, t.name, t.key, create=True)
    return obj


def _ordered(node: Node) -> list[tuple[str, object]]:
    order = node.schema.order
    items = list(node.children.items())
    big = len(order)
    return sorted(items, key=lambda kv: order.get(kv[0], big))


_NEEDS_QUOTES = re.compile(r'[\s;{}\[\]#"\'()]|^$')


def quote(value: str) -> str:
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _entry_header(sch: SchemaNode, name: str, key: tuple) -> str:
    words = _key_words(sch, key)
    words = [quote(w) for w in words]
    return " ".join(words if sch.nokw else [name] + words)


def active_view(node: Node) -> Node:
    """A copy without inactive statements: what a commit actually applies."""
    out = Node(node.schema)
    for name, child in node.children.items():
        if isinstance(child, Leaf):
            if not child.inactive:
                out.children[name] = copy.deepcopy(child)
        elif isinstance(child, dict):
            kept = {k: active_view(v) for k, v in child.items() if not v.inactive}
            if kept:
                out.children[name] = kept
        elif not child.inactive:
            out.children[name] = active_view(child)
    return out
