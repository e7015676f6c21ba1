"""`set` lines: loading set/delete/deactivate/activate/rename lines and rendering `display set`."""
from __future__ import annotations

from .text import tokenize_line
from .tree import (
    ConfigError,
    Leaf,
    Node,
    _key_words,
    _ordered,
    apply_active,
    apply_delete,
    apply_rename,
    apply_set,
    quote,
)


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
