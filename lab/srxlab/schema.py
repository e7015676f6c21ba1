"""Load the Junos configuration schema subset from ``schema.txt``.

The schema tells the config tree what each CLI word is (container, keyed list, leaf, leaf
list, flag), which is what turns ``set security ike proposal P dh-group group14`` into the
right hierarchy and lets every format (set, curly text, XML, JSON) round-trip.
"""
from __future__ import annotations

from importlib import resources

CONTAINER, LIST, LEAF, LEAFLIST, FLAG, GENERIC = "container", "list", "leaf", "leaflist", "flag", "generic"


class SchemaNode:
    """One statement of the schema; ``children`` keeps the Junos display order."""

    __slots__ = (
        "aliases",
        "children",
        "grouped",
        "inline",
        "keys",
        "kind",
        "name",
        "nokw",
        "nokw_child",
        "open",
        "order",
        "positional",
        "positional_child",
        "secret",
        "valuetag",
    )

    def __init__(self, name: str, kind: str):
        self.name = name
        self.kind = kind
        self.children: dict[str, SchemaNode] = {}
        self.order: dict[str, int] = {}
        self.keys: list[tuple[str, str | None]] = []  # (xml tag, cli keyword or None)
        self.nokw = False
        self.positional = False
        self.secret = False
        self.valuetag: str | None = None
        self.nokw_child: SchemaNode | None = None
        self.positional_child: SchemaNode | None = None
        self.aliases: dict[str, SchemaNode] = {}  # first key keyword -> composite-key list
        self.inline = False   # container shown as a prefix of its children: `family inet {`
        self.grouped = False  # list shown as `name { key1; key2 { ... } }`
        self.open = False     # accepts statements the schema does not list

    def child(self, name: str) -> SchemaNode:
        """Schema of child ``name``; unknown statements are generic."""
        return self.children.get(name) or GENERIC_NODE

    def cli_child(self, word: str) -> SchemaNode | None:
        """Schema child matched by a CLI keyword (keyword-less lists never match)."""
        node = self.children.get(word)
        if node is None or node.nokw:
            return self.aliases.get(word)
        return node

    def add(self, node: SchemaNode) -> None:
        self.order[node.name] = len(self.order)
        self.children[node.name] = node
        if len(node.keys) > 1:
            self.aliases[node.keys[0][1]] = node
        elif node.nokw:
            self.nokw_child = node
        if node.positional:
            self.positional_child = node

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"SchemaNode({self.name!r}, {self.kind})"


GENERIC_NODE = SchemaNode("*", GENERIC)


def _parse_line(text: str) -> SchemaNode:
    words = text.split()
    name = words[0]
    kind = CONTAINER
    node = SchemaNode(name, kind)
    for word in words[1:]:
        if word in (LIST, LEAF, LEAFLIST, FLAG):
            node.kind = word
            if word == LIST:
                node.keys = [("name", None)]
        elif word == "nokw":
            node.nokw = True
        elif word == "positional":
            node.positional = True
        elif word == "secret":
            node.secret = True
        elif word in ("inline", "grouped", "open"):
            setattr(node, word, True)
        elif word.startswith("valuetag="):
            node.valuetag = word.split("=", 1)[1]
        elif node.kind == LIST:
            if ":" in word:
                node.keys = [tuple(part.split(":", 1)) for part in word.split(",")]
                node.nokw = True  # `from-zone A to-zone B`: the key words are the keywords
            else:
                node.keys = [(word, None)]
        else:
            raise ValueError(f"schema.txt: cannot read {text!r}")
    return node


def load_schema(text: str) -> SchemaNode:
    root = SchemaNode("configuration", CONTAINER)
    stack: list[tuple[int, SchemaNode]] = [(-1, root)]
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        node = _parse_line(raw.strip())
        while stack[-1][0] >= indent:
            stack.pop()
        stack[-1][1].add(node)
        stack.append((indent, node))
    return root


ROOT = load_schema(resources.files(__package__).joinpath("schema.txt").read_text())
