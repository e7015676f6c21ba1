"""A Junos configuration tree: parse and render set / curly-text / XML / JSON, edit, diff.

Data model: a :class:`Node` is a container or a list entry; its ``children`` map a
statement name to a child :class:`Node` (container), a dict ``key -> Node`` (keyed list)
or a :class:`Leaf` (leaf, leaf-list, flag). Display order follows the schema; list entries
keep the order in which they were configured, as Junos does.
"""
from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Iterator

from lxml import etree

from . import junos_secret
from .schema import FLAG, GENERIC, GENERIC_NODE, LEAF, LEAFLIST, LIST, ROOT, SchemaNode


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


# ---------------------------------------------------------------------------------------
# CLI words -> target
# ---------------------------------------------------------------------------------------
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
    for (_tag, keyword), value in zip(schema.keys, key):
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


# ---------------------------------------------------------------------------------------
# Edits
# ---------------------------------------------------------------------------------------
def _norm_value(schema: SchemaNode, value: str) -> str:
    if schema.secret and schema.name in _SECRET_TEXT and not junos_secret.is_encrypted(value):
        return junos_secret.encrypt(value)
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
        t.parent.children[t.name] = Leaf(_norm_value(t.schema, t.values[0]), old.inactive if isinstance(old, Leaf) else False)
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


def valid_ipv4(text: str, prefix: bool | None = None) -> bool:
    """An IPv4 address (``prefix=False``), prefix (``True``) or either (``None``)."""
    if prefix is not None and ("/" in text) != prefix:
        return False
    try:
        ipaddress.IPv4Interface(text)
    except ValueError:
        return False
    return True


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


def load_set(root: Node, text: str) -> list[ConfigError]:
    """Apply `set`/`delete`/`deactivate`/`activate`/`rename` lines; return the errors met.

    Lines without errors are applied, as Junos does for `load set`.
    """
    errors: list[ConfigError] = []
    for line in text.splitlines():
        words = tokenize_line(line)
        if not words:
            continue
        verb, rest = words[0], words[1:]
        try:
            if verb == "set":
                apply_set(Node(), rest)  # dry run: a bad line must leave nothing behind
                apply_set(root, rest)
            elif verb == "delete":
                if not rest:
                    root.children.clear()
                else:
                    apply_delete(root, rest)
            elif verb in ("deactivate", "activate"):
                apply_active(root, rest, verb == "deactivate")
            elif verb == "rename":
                apply_rename(root, rest)
            else:
                raise ConfigError(f"syntax error, expecting <command>: {verb}", [], verb)
        except ConfigError as exc:
            exc.statement = exc.statement if exc.statement is not None else line.strip()
            errors.append(exc)
    return errors


# ---------------------------------------------------------------------------------------
# Tokenizing
# ---------------------------------------------------------------------------------------
_TOKEN_RE = re.compile(r'"((?:[^"\\]|\\.)*)"|(/\*.*?\*/)|(##?[^\n]*)|([{};\[\]])|([^\s{};\[\]"]+)', re.DOTALL)


def _tokens(text: str) -> Iterator[str | tuple]:
    """Yield words (quoted strings unquoted) and punctuation as ('p', char)."""
    for m in _TOKEN_RE.finditer(text):
        quoted, comment, hashc, punct, word = m.groups()
        if comment is not None or hashc is not None:
            continue
        if punct is not None:
            yield ("p", punct)
        elif quoted is not None:
            yield re.sub(r"\\(.)", r"\1", quoted)
        else:
            yield word


def tokenize_line(line: str) -> list[str]:
    line = line.strip()
    if not line or line.startswith("#"):
        return []
    return [t[1] if isinstance(t, tuple) else t for t in _tokens(line)]


# ---------------------------------------------------------------------------------------
# Curly-brace text
# ---------------------------------------------------------------------------------------
def parse_text(text: str, into: Node | None = None, mode: str = "merge") -> Node:
    """Parse Junos curly text into ``into`` (a new tree by default).

    ``replace:``, ``delete:``, ``inactive:`` / ``active:`` tags are honoured; with
    ``mode='merge'`` a ``replace:`` tag is treated as a merge, as Junos does for load merge.
    """
    root = into if into is not None else Node()
    toks = list(_tokens(text))
    pos = 0

    def parse_block(node: Node, path: list[str], depth: int, lead: tuple = ()) -> None:
        """Statements of one block; ``lead`` = the list name of a grouped list's block
        (`interfaces { st0.0; }`), put before each statement's words."""
        nonlocal pos
        words: list[str] = []
        tag = None
        while pos < len(toks):
            tok = toks[pos]
            pos += 1
            if isinstance(tok, tuple):
                p = tok[1]
                if p in ("[", "]"):
                    continue
                if p == "}":
                    if words:
                        raise ConfigError("syntax error", path, " ".join(words))
                    if depth == 0:
                        raise ConfigError("syntax error", path, "}")
                    return
                if not words:
                    if p == ";":
                        continue
                    raise ConfigError("syntax error", path, p)
                full = [*lead, *words]
                if p == ";":
                    _text_statement(node, full, tag, path, mode)
                elif node.schema.kind != GENERIC and len(full) == 1 and _grouped_list(node, full[0]):
                    parse_block(node, path, depth + 1, (full[0],))  # `interfaces {` of a grouped list
                else:  # "{"
                    target = _text_statement(node, full, tag, path, mode, block=True)
                    sub_path = path + _target_path_words(target)
                    parse_block(target_node(target), sub_path, depth + 1)
                words, tag = [], None
            elif not words and tok in ("replace:", "delete:", "inactive:", "active:", "protect:", "unprotect:"):
                tag = tok
            else:
                words.append(tok)
        if depth:
            raise ConfigError("syntax error, missing }", path, "")
        if words:
            raise ConfigError("syntax error, missing ;", path, " ".join(words))

    parse_block(root, [], 0)
    return root


def _grouped_list(node: Node, word: str) -> bool:
    sch = node.schema.cli_child(word)
    return sch is not None and sch.kind == LIST and sch.grouped


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


def _text_statement(node: Node, words: list[str], tag, path, mode, block: bool = False):
    t = resolve(node, words, create=True, base_path=path)
    if tag == "delete:":
        if t.parent.children.get(t.name) is not None:
            apply_delete(node, words)
        return t
    if tag == "replace:" and mode == "replace":
        obj = _target_obj(t)
        if obj is not None:
            if t.schema.kind == LIST:
                t.parent.children[t.name][t.key] = Node(t.schema)
            elif isinstance(obj, Node):
                t.parent.children[t.name] = Node(t.schema)
            else:
                del t.parent.children[t.name]
    if t.schema.kind in (LEAF, LEAFLIST, FLAG):
        if block:
            raise ConfigError("syntax error", path, " ".join(words))
        if t.schema.kind == LEAF and t.values:
            t.parent.children[t.name] = Leaf(_norm_value(t.schema, t.values[0]))
        elif t.schema.kind == LEAFLIST:
            leaf = t.parent.children.get(t.name)
            if not isinstance(leaf, Leaf) or tag == "replace:":
                leaf = t.parent.children[t.name] = Leaf([])
            for v in t.values:
                if v not in leaf.value:
                    leaf.value.append(v)
        elif t.schema.kind == FLAG:
            t.parent.children[t.name] = Leaf(None)
        else:
            raise ConfigError("syntax error, expecting <data>", path, " ".join(words))
        obj = t.parent.children[t.name]
    else:
        obj = target_node(t)
    if tag in ("inactive:", "active:"):
        obj.inactive = tag == "inactive:"
    return t


# ---------------------------------------------------------------------------------------
# Ordering helpers
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# Rendering: curly text
# ---------------------------------------------------------------------------------------
def _leaf_text(sch: SchemaNode, name: str, leaf: Leaf) -> str:
    pre = "inactive: " if leaf.inactive else ""
    if sch.kind == FLAG or leaf.value is None:
        return f"{pre}{name};"
    if isinstance(leaf.value, list):
        vals = [quote(v) for v in leaf.value]
        body = vals[0] if len(vals) == 1 else "[ " + " ".join(vals) + " ]"
        return f"{pre}{name} {body};"
    if sch.secret:
        return f'{pre}{name} "{leaf.value}"; ## SECRET-DATA'
    return f"{pre}{name} {quote(leaf.value)};"


def text_lines(node: Node, indent: int = 0, prefix: str = "") -> list[str]:
    """Junos curly text of ``node``'s children. ``prefix`` carries the names of `inline`
    containers (`family inet {`, `pre-shared-key ascii-text "..."`)."""
    out: list[str] = []
    pad = "    " * indent
    for name, child in _ordered(node):
        sch = node.schema.child(name)
        label = prefix + name
        if isinstance(child, Leaf):
            out.append(pad + _leaf_text(sch, label, child))
        elif isinstance(child, dict) and sch.grouped:
            inner = [line for key, entry in child.items()
                     for line in _node_text(entry, " ".join(quote(k) for k in key), indent + 1)]
            out += [f"{pad}{label} {{", *inner, pad + "}"]
        elif isinstance(child, dict):
            for key, entry in child.items():
                out.extend(_node_text(entry, prefix + _entry_header(sch, name, key), indent))
        elif sch.inline and child.children and not child.inactive:
            out.extend(text_lines(child, indent, label + " "))
        else:
            out.extend(_node_text(child, label, indent))
    return out


def _node_text(node: Node, header: str, indent: int) -> list[str]:
    pad = "    " * indent
    pre = "inactive: " if node.inactive else ""
    sch = node.schema
    children = node.children
    pos = sch.positional_child
    if pos is not None and isinstance(children.get(pos.name), Leaf):
        header = f"{header} {quote(children[pos.name].value)}"
        children = {k: v for k, v in children.items() if k != pos.name}
        if not children:
            return [f"{pad}{pre}{header};"]
        node = _shallow(node, children)
    if not children:
        return [f"{pad}{pre}{header};"]
    # generic chains of single statements print on one line, e.g. `any notice;`
    if sch.kind == "generic" and len(children) == 1:
        (cname, cval), = children.items()
        if isinstance(cval, Node) and not cval.children and not cval.inactive:
            return [f"{pad}{pre}{header} {cname};"]
    return [f"{pad}{pre}{header} {{", *text_lines(node, indent + 1), pad + "}"]


def _shallow(node: Node, children: dict) -> Node:
    n = Node(node.schema)
    n.children = children
    return n


def to_text(node: Node) -> str:
    lines = text_lines(node)
    return "\n".join(lines) + ("\n" if lines else "")


# ---------------------------------------------------------------------------------------
# Rendering: set commands
# ---------------------------------------------------------------------------------------
def set_lines(node: Node, prefix: list[str] | None = None) -> list[str]:
    out: list[str] = []
    deact: list[str] = []
    _set_walk(node, prefix or [], out, deact)
    return out + deact


def _set_walk(node: Node, prefix: list[str], out: list[str], deact: list[str]) -> None:
    for name, child in _ordered(node):
        sch = node.schema.child(name)
        if isinstance(child, Leaf):
            base = prefix + [name]
            if child.value is None:
                out.append("set " + " ".join(base))
            elif isinstance(child.value, list):
                for v in child.value:
                    out.append("set " + " ".join(base + [quote(v)]))
            else:
                val = f'"{child.value}"' if sch.secret else quote(child.value)
                out.append("set " + " ".join(base + [val]))
            if child.inactive:
                deact.append("deactivate " + " ".join(base))
        elif isinstance(child, dict):
            for key, entry in child.items():
                words = [quote(w) for w in _key_words(sch, key)]
                base = prefix + (words if sch.nokw else [name] + words)
                _set_node(entry, base, out, deact)
        else:
            _set_node(child, prefix + [name], out, deact)


def _set_node(node: Node, base: list[str], out: list[str], deact: list[str]) -> None:
    if not node.children:
        out.append("set " + " ".join(base))
    else:
        pos = node.schema.positional_child
        if pos is not None and isinstance(node.children.get(pos.name), Leaf) and len(node.children) == 1:
            out.append("set " + " ".join(base + [quote(node.children[pos.name].value)]))
        else:
            _set_walk(node, base, out, deact)
    if node.inactive:
        deact.append("deactivate " + " ".join(base))


def to_set(node: Node) -> str:
    lines = set_lines(node)
    return "\n".join(lines) + ("\n" if lines else "")


# ---------------------------------------------------------------------------------------
# XML
# ---------------------------------------------------------------------------------------
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
                for (ktag, _kw), kval in zip(sch.keys, key):
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


# ---------------------------------------------------------------------------------------
# JSON (Junos shape)
# ---------------------------------------------------------------------------------------
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
                item = {ktag: kval for (ktag, _), kval in zip(sch.keys, key)}
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


# ---------------------------------------------------------------------------------------
# Subtree filter
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# Diff ("show | compare", get-configuration compare="rollback")
# ---------------------------------------------------------------------------------------
def diff(old: Node, new: Node) -> str:
    """Junos-style diff of ``new`` against ``old`` in configuration order; '' when equal."""
    out: list[str] = []
    _diff_node(old, new, [], out, [None])
    return "\n".join(out) + ("\n" if out else "")


def _item_text(parent: Node, name: str, obj, key=None) -> list[str]:
    """Text of one statement of ``parent`` as it prints there (inline/grouped aware)."""
    one = Node(parent.schema)
    one.children[name] = {key: obj} if key is not None else obj
    return text_lines(one)


def _diff_node(old: Node, new: Node, path: list[str], out: list[str], last: list) -> None:
    header = "[edit" + "".join(" " + w for w in path) + "]"

    def emit(sign: str, lines: list[str]) -> None:
        if last[0] != header:
            out.append(header)
            last[0] = header
        out.extend(f"{sign}   {line}" for line in lines)

    names = list(dict.fromkeys([*old.children, *new.children]))
    order = new.schema.order
    names.sort(key=lambda n: order.get(n, len(order)))
    for name in names:
        sch = new.schema.child(name)
        a = old.children.get(name)
        b = new.children.get(name)
        if isinstance(a, dict) or isinstance(b, dict):
            a = a if isinstance(a, dict) else {}
            b = b if isinstance(b, dict) else {}
            for key in a:
                if key not in b:
                    emit("-", _item_text(old, name, a[key], key))
            for key in b:
                if key not in a:
                    emit("+", _item_text(new, name, b[key], key))
                elif a[key] != b[key]:
                    if a[key].inactive != b[key].inactive:
                        emit("!", [("inactive: " if b[key].inactive else "active: ") + _entry_header(sch, name, key)])
                    kw = [] if sch.nokw else [name]
                    _diff_node(a[key], b[key], path + kw + _key_words(sch, key), out, last)
        elif isinstance(a, Node) and isinstance(b, Node):
            if a != b:
                if a.inactive != b.inactive:
                    emit("!", [("inactive: " if b.inactive else "active: ") + name])
                _diff_node(a, b, path + [name], out, last)
        elif a != b:
            if a is not None:
                emit("-", _item_text(old, name, a))
            if b is not None:
                emit("+", _item_text(new, name, b))


# ---------------------------------------------------------------------------------------
# Effective configuration
# ---------------------------------------------------------------------------------------
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
