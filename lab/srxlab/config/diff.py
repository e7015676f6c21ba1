"""The Junos configuration diff (`show | compare`, get-configuration compare="rollback")."""
from __future__ import annotations

from .text import text_lines
from .tree import Node, _entry_header, _key_words


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
        # Junos: a one-line statement prints as `+  host-name x;`, a block as `+   ntp {` with
        # its inner lines indented by 4 more (`+       server ...;`)
        pad = "  " if len(lines) == 1 and sign in "+-" else "   "
        out.extend(f"{sign}{pad}{line}" for line in lines)

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
