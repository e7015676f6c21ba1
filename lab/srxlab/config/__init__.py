"""A Junos configuration tree: parse and render set / curly-text / XML / JSON, edit, filter, diff.

The package is split along its formats: :mod:`.tree` (nodes, leaves, CLI words resolved
against the schema, edits), :mod:`.text` (curly text), :mod:`.setfmt` (set lines),
:mod:`.xml`, :mod:`.json`, :mod:`.filter` (subtree filters) and :mod:`.diff`. Users
import from the package: ``from . import config as C``.
"""
from __future__ import annotations

from .diff import diff
from .filter import filter_by_path, filter_tree
from .json import parse_json, to_json
from .setfmt import load_set, set_lines, to_set
from .text import parse_text, text_lines, to_text, tokenize_line
from .tree import (
    ConfigError,
    Leaf,
    Node,
    Target,
    active_view,
    apply_active,
    apply_delete,
    apply_rename,
    apply_set,
    quote,
    resolve,
    target_node,
)
from .xml import parse_xml, to_xml

__all__ = [
    "ConfigError", "Leaf", "Node", "Target", "active_view", "apply_active", "apply_delete", "apply_rename",
    "apply_set", "diff", "filter_by_path", "filter_tree", "load_set", "parse_json", "parse_text", "parse_xml",
    "quote", "resolve", "set_lines", "target_node", "text_lines", "to_json", "to_set", "to_text", "to_xml",
    "tokenize_line",
]
