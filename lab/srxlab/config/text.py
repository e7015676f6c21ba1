"""Junos curly-brace text: tokenizing, parsing (with replace:/delete:/inactive: tags) and rendering."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..schema import FLAG, GENERIC, LEAF, LEAFLIST, LIST, SchemaNode
from .tree import (
    ConfigError,
    Leaf,
    Node,
    _entry_header,
    _norm_value,
    _ordered,
    _target_obj,
    _target_path_words,
    apply_delete,
    quote,
    resolve,
    target_node,
)

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
