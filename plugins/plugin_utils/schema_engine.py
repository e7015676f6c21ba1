# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Interpret the intent schema (``intent_schema.py``): validate, and generate its documents.

* :func:`validate` checks every variable of the intent against its node and returns the
  problems (one line each: ``<where>: <field path>: <message>``, where is ``device 'x'``,
  ``tunnel 'y'``, ``srx_vpn_psks['y']``, a variable name ...) and a *cleaned* copy of the
  intent: the given fields only (no defaults applied), every invalid value replaced by
  :data:`INVALID` so that the fleet rules of ``intent.py`` can skip what they cannot judge.
  A ``secret`` value never appears in a message.
* :func:`json_schema` gives the editor schema (JSON Schema draft-07, for the YAML language
  server), :func:`doc_tables` the Markdown field tables of ``docs/intent.md`` and
  :func:`render_doc` puts those tables into the document between its markers.

Standard library only (no jsonschema: the messages name the device or tunnel and the field
the way the rest of the pre-flight does, with a did-you-mean), plus netaddr for addresses.
"""
from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping

# Addresses: the collection's one helper (netaddr, parsed once per text, shared by the schema
# and the fleet rules; intent.py imports network/ip_address from here).
from ansible_collections.netops.srx_vpn.plugins.module_utils.addresses import (
    AddrFormatError,
    ip_address,
    network,
)

from . import intent_schema as S


class _Invalid:
    """A value that failed its schema check (already reported)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "INVALID"

    def __bool__(self):
        return False


INVALID = _Invalid()
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")


def valid(*values) -> bool:
    """None of ``values`` is :data:`INVALID` or ``None``."""
    return all(v is not INVALID and v is not None for v in values)


def suggest(word, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    if not isinstance(word, str):
        return ""
    names = [c for c in choices if isinstance(c, str)]
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if not close and len(word) >= 3:
        close = [c for c in names if len(c) >= 3 and (c.startswith(word) or word.startswith(c))][:1]
    if not close:
        lowered = {c.lower(): c for c in choices if isinstance(c, str)}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(value, secret: bool = False) -> str:
    """A value as a message shows it (a secret: its kind only)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if secret:
        if isinstance(value, str):
            return f"a string of {len(value)} characters"
        return f"a value of type {type(value).__name__}"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        looks_typed = re.fullmatch(r"\s*(true|false|yes|no|[0-9]+)\s*", value, re.IGNORECASE)
        return repr(str(text)) + (" (a string)" if looks_typed else "")
    if isinstance(value, (int, float)):
        return repr(value)
    return f"a value of type {type(value).__name__}"


def join_path(path: list[str]) -> str:
    out = ""
    for seg in path:
        out += seg if seg.startswith("[") or not out else "." + seg
    return out


class Checker:
    """Walks one value against one node, collecting problems."""

    def __init__(self, problems: list[str] | None = None):
        self.problems = problems if problems is not None else []

    def fail(self, where: str, path: list[str], message: str) -> _Invalid:
        field = join_path(path)
        self.problems.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")
        return INVALID

    # -- dispatch ---------------------------------------------------------------------------
    def check(self, node: dict, value, where: str, path: list[str]):
        kind = node["type"]
        return getattr(self, f"_{kind}")(node, value, where, path)

    def _self_path(self, node: dict, path: list[str]) -> list[str]:
        return path or ([node["selfName"]] if node.get("selfName") and not node.get("label") else [])

    # -- scalars ----------------------------------------------------------------------------
    def _string(self, node, value, where, path):
        secret = node.get("secret", False)
        if "enum" in node:
            allowed = ", ".join(node["enum"])
            if not isinstance(value, str):
                return self.fail(where, path, f"must be one of {allowed}, got {describe(value)}")
            if value not in node["enum"]:
                return self.fail(where, path, f"{value!r} is not one of {allowed}{suggest(value, node['enum'])}")
            return value
        if not isinstance(value, str):
            return self.fail(where, path, f"must be a string, got {describe(value, secret)}")
        text = str(value)
        if secret:
            return self._secret(node, text, where, path)
        noun = "address" if node.get("format") else "value"
        if len(text) < node.get("minLength", 0):
            return self.fail(where, path, "must not be empty")
        if "maxLength" in node and len(text) > node["maxLength"]:
            return self.fail(where, path, f"{text!r} is longer than {node['maxLength']} characters")
        if "pattern" in node and not re.fullmatch(node["pattern"], text):
            return self.fail(where, path, f"invalid {noun} {text!r} (expected {node['rule']})")
        fmt = node.get("format")
        if fmt and not self._address_ok(fmt, text):
            why = " (host bits set)" if fmt == "ipv4-prefix" else ""
            return self.fail(where, path, f"invalid {noun} {text!r}{why} (expected {node['rule']})")
        return text

    @staticmethod
    def _address_ok(fmt: str, text: str) -> bool:
        try:
            if fmt == "ipv4-address":
                return ip_address(text).version == 4
            net = network(text)
            if net.version != 4:
                return False
            return fmt != "ipv4-prefix" or net.network == net.ip
        except (AddrFormatError, ValueError, TypeError):
            return False

    def _secret(self, node, text, where, path):
        """A key: checked like any string, but no message shows any part of it."""
        if not text.strip():
            return self.fail(where, path, "the key is empty or only whitespace")
        if len(text) > node["maxLength"]:
            return self.fail(where, path, f"the key has {len(text)} characters; Junos accepts at most "
                                          f"{node['maxLength']}")
        if not _PRINTABLE_ASCII.fullmatch(text):
            bad = next(i for i, c in enumerate(text) if not 0x20 <= ord(c) <= 0x7e)
            return self.fail(where, path, f"the key has a character that is not printable ASCII (a newline, "
                                          f"a control or a non-ASCII character) at position {bad + 1}")
        if not re.fullmatch(node["pattern"], text):
            return self.fail(where, path, f"the key starts or ends with a space ({node['rule']})")
        return text

    def _integer(self, node, value, where, path):
        lo, hi = node.get("minimum"), node.get("maximum")
        wanted = f"an integer from {lo} to {hi}" if hi is not None else f"an integer >= {lo}"
        if node.get("percent") and isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}%", value.strip()):
            return value.strip() if 0 < int(value.strip()[:-1]) <= 100 else \
                self.fail(where, path, f"must be {wanted} or a percentage 1%-100%, got {describe(value)}")
        if node.get("cli") and isinstance(value, str) and re.fullmatch(r"[0-9]{1,12}", value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            return self.fail(where, path, f"must be {wanted}, got {describe(value)}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return self.fail(where, path, f"must be {wanted}, got {value}")
        return int(value)

    def _number(self, node, value, where, path):
        lo = node.get("minimum")
        if node.get("cli") and isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,6})?", value.strip()):
            value = float(value) if "." in value else int(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            return self.fail(where, path, f"must be a number >= {lo}, got {describe(value)}")
        if lo is not None and value < lo:
            return self.fail(where, path, f"must be a number >= {lo}, got {value}")
        return value

    def _boolean(self, node, value, where, path):
        if not isinstance(value, bool):
            hint = " (write true or false without quotes)" if isinstance(value, str) else ""
            return self.fail(where, path, f"must be true or false, got {describe(value)}{hint}")
        return value

    # -- containers ---------------------------------------------------------------------------
    def _object(self, node, value, where, path):
        if not isinstance(value, Mapping):
            return self.fail(where, self._self_path(node, path), f"must be a mapping, got {describe(value)}")
        fields = node["fields"]
        out = {}
        for key in value:
            if key not in fields:
                known = ", ".join(fields)
                self.fail(where, [*path, str(key)],
                          f"unknown field{suggest(key, fields)} (expected one of {known})")
        for group in node.get("exclusive", ()):
            given = [f for f in group if value.get(f) is not None]
            if len(given) > 1:
                self.fail(where, [*path, given[0]], f"give either {' or '.join(group)}, not both")
        for group in node.get("requireOne", ()):
            if not any(value.get(f) is not None for f in group):
                self.fail(where, path, f"missing: give {' or '.join(group)}")
        for name, sub in fields.items():
            item = value.get(name)
            if item is None:
                if sub.get("required"):
                    self.fail(where, [*path, name], "missing")
                continue
            out[name] = self.check(sub, item, where, [*path, name])
        return out

    def _array(self, node, value, where, path):
        item_name = node.get("itemName")
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            what = f"a list of {item_name}s" if item_name else "a list"
            return self.fail(where, self._self_path(node, path), f"must be {what}, got {describe(value)}")
        count = len(value)
        if ("minItems" in node and count < node["minItems"]) or ("maxItems" in node and count > node["maxItems"]):
            return self.fail(where, path, node.get("countMessage", "wrong number of items, got {count}")
                             .format(count=count))
        out = []
        for index, item in enumerate(value):
            item_where, item_path = self.item_label(node, item, index, where, path)
            if item is None:
                out.append(self.fail(item_where, item_path,
                                     f"must be a mapping{f' (a {item_name})' if item_name else ''}, got null"))
                continue
            out.append(self.check(node["items"], item, item_where, item_path))
        unique = node.get("uniqueIgnoreCase")
        if unique:
            self._unique_items(node, value, unique, where, path)
        return out

    @staticmethod
    def item_label(node, item, index, where, path):
        """(where, path) of the problems of one array item."""
        field = node.get("labelField")
        if field is None:
            return where, [*path, f"[{index}]"]
        key = item.get(field) if isinstance(item, Mapping) else None
        if isinstance(key, str) and key:
            return node["label"].format(key=str(key), index=index), []
        return node["labelFallback"].format(index=index), []

    def _unique_items(self, node, items, field, where, path):
        seen: dict[str, str] = {}
        for index, item in enumerate(items):
            key = item.get(field) if isinstance(item, Mapping) else None
            if not isinstance(key, str):
                continue
            item_where, item_path = self.item_label(node, item, index, where, path)
            first = seen.get(key.lower())
            if first is None:
                seen[key.lower()] = key
            elif first == key:
                self.fail(item_where, [*item_path, field], f"used by another {node.get('itemName', 'item')}")
            else:
                self.fail(item_where, [*item_path, field],
                          f"collides with {node.get('itemName', 'item')} {first!r}: the Junos objects are "
                          f"named in upper case ({key.upper()}), so names must differ in more than case")

    def _map(self, node, value, where, path):
        if not isinstance(value, Mapping):
            return self.fail(where, self._self_path(node, path),
                             f"must be a mapping, got {describe(value, node.get('secret', False))}")
        out = {}
        seen: dict[str, str] = {}
        for key, item in value.items():
            item_where = node["label"].format(key=str(key))
            if not isinstance(key, str):
                self.fail(item_where, [], f"the name must be a string, got {describe(key)}")
                continue
            name = self.check(node["keys"], key, item_where, ["name"])
            if node.get("uniqueIgnoreCase") and name is not INVALID:
                first = seen.setdefault(key.lower(), key)
                if first != key:
                    self.fail(item_where, ["name"], f"collides with {first!r}: the Junos objects are named in "
                                                    f"upper case ({key.upper()})")
            checked = self.check(node["values"], item, item_where, []) if item is not None else \
                self.fail(item_where, [], "must not be null")
            out[str(key)] = INVALID if name is INVALID else checked
        return out


# ---------------------------------------------------------------------------------------
# The whole intent
# ---------------------------------------------------------------------------------------
def validate(devices: Mapping, tunnels, psks=None, profiles=None, host_vars: Mapping | None = None,
             problems: list[str] | None = None) -> tuple[dict, list[str]]:
    """Check the intent against the schema.

    ``devices``: {inventory host: its ``srx_vpn_device`` or None}; ``tunnels``, ``psks``,
    ``profiles``: the group variables; ``host_vars``: {host: {variable: value}} of the other
    variables named ``srx_vpn_*`` each host has (run options, typos). Returns the cleaned
    intent ``{"devices", "tunnels", "psks", "profiles", "options"}`` and the problems.
    """
    ck = Checker(problems)
    var = S.VARIABLES
    clean_devices = {}
    for host, spec in devices.items():
        where = f"device {host!r}"
        if not isinstance(host, str) or not re.fullmatch(S.DEVICE_PATTERN, host) or len(host) > S.DEVICE_MAX:
            ck.fail(where, ["inventory host name"],
                    f"invalid device name (expected {S.NAME_RULE}, at most {S.DEVICE_MAX} characters)")
            clean_devices[str(host)] = None
            continue
        if spec is None:
            ck.fail(where, ["srx_vpn_device"], f"missing (set it in host_vars/{host}.yml)")
            clean_devices[host] = None
            continue
        checked = ck.check(var["srx_vpn_device"], spec, where, [])
        clean_devices[host] = checked if checked is not INVALID else None
    clean = {
        "devices": clean_devices,
        "tunnels": ck.check(var["srx_vpn_tunnels"], tunnels if tunnels is not None else [], "srx_vpn_tunnels", []),
        "psks": ck.check(var["srx_vpn_psks"], psks if psks is not None else {}, "srx_vpn_psks", []),
        "profiles": ck.check(var["srx_vpn_profiles"], profiles if profiles is not None else {},
                             "srx_vpn_profiles", []),
        "options": _options(ck, host_vars or {}),
    }
    return clean, ck.problems


def _options(ck: Checker, host_vars: Mapping) -> dict:
    """Run options and unknown srx_vpn_* variables; a problem shared by every host is said once."""
    found: dict[tuple[str, str], list[str]] = {}
    values: dict[str, dict[str, object]] = {}
    hosts = list(host_vars)
    known = [*S.VARIABLES, *S.PRODUCT_FACTS]
    for host, variables in host_vars.items():
        for name, value in variables.items():
            if not str(name).startswith(S.VARIABLE_PREFIX) or name in S.PRODUCT_FACTS:
                continue
            local = Checker()
            if name not in S.VARIABLES:
                local.fail(str(name), [], f"unknown variable of netops.srx_vpn{suggest(name, known)}")
            elif name in S.RUN_OPTIONS and value is not None:
                values.setdefault(host, {})[name] = local.check(S.VARIABLES[name], value, name, [])
            for problem in local.problems:
                found.setdefault((name, problem), []).append(host)
    for (_name, problem), where in found.items():
        if len(where) == len(hosts) or len(hosts) <= 1:
            ck.problems.append(problem)
        else:
            ck.problems.extend(f"device {h!r}: {problem}" for h in where)
    return values


# ---------------------------------------------------------------------------------------
# The editor schema (JSON Schema draft-07)
# ---------------------------------------------------------------------------------------
SCHEMA_ID = "https://example.invalid/netops/srx_vpn/schemas/srx_vpn_intent.schema.json"
_JINJA = {"type": "string", "pattern": r"^\s*\{\{.*\}\}\s*$", "description": "A Jinja expression, e.g. a vault "
          "variable: \"{{ vault_srx_vpn_psks }}\"."}


def _json(node: dict) -> dict:
    kind = node["type"]
    out: dict = {}
    doc = node.get("doc")
    if doc:
        out["description"] = doc + (f" Default: {node['default']!r}." if "default" in node else
                                    f" Default: {node['defaultDoc']}." if "defaultDoc" in node else "")
    if "default" in node:
        out["default"] = node["default"]
    if kind == "string":
        out["type"] = "string"
        for key in ("enum", "pattern", "minLength", "maxLength"):
            if key in node:
                out[key] = node[key]
        if out.get("pattern", "").endswith("$"):
            # Python's `$` (the jsonschema library) also matches before a final newline
            out["pattern"] = out["pattern"][:-1] + r"(?!\n)$"
        if node.get("secret"):
            out["writeOnly"] = True
    elif kind in ("integer", "number"):
        out["type"] = kind
        for key in ("minimum", "maximum"):
            if key in node:
                out[key] = node[key]
        alternatives = []
        if node.get("cli"):
            alternatives.append({"type": "string", "pattern": r"^[0-9]+$" if kind == "integer"
                                 else r"^[0-9]+(\.[0-9]+)?$"})
        if node.get("percent"):
            alternatives.append({"type": "string", "pattern": r"^[0-9]{1,3}%$"})
        if alternatives:
            plain = {k: out.pop(k) for k in ("type", "minimum", "maximum") if k in out}
            out["anyOf"] = [plain, *alternatives]
    elif kind == "boolean":
        out["type"] = "boolean"
    elif kind == "object":
        out.update(type="object", additionalProperties=False,
                   properties={name: _json(sub) for name, sub in node["fields"].items()})
        required = [name for name, sub in node["fields"].items() if sub.get("required")]
        if required:
            out["required"] = required
        if node.get("exclusive"):
            out["allOf"] = [{"not": {"required": list(group)}} for group in node["exclusive"]]
        for group in node.get("requireOne", ()):
            out.setdefault("allOf", []).append({"anyOf": [{"required": [name]} for name in group]})
    elif kind == "array":
        out.update(type="array", items=_json(node["items"]))
        for key in ("minItems", "maxItems"):
            if key in node:
                out[key] = node[key]
    elif kind == "map":
        keys = {k: v for k, v in _json(node["keys"]).items() if k in ("pattern", "maxLength", "minLength")}
        out.update(type="object", propertyNames=keys, additionalProperties=_json(node["values"]))
        if node.get("template"):
            plain = {k: out.pop(k) for k in ("type", "propertyNames", "additionalProperties")}
            out["anyOf"] = [plain, _JINJA]
    return out


def json_schema() -> dict:
    """The JSON Schema of a vars file (host_vars, group_vars) of the intent."""
    known = "|".join(re.escape(n[len(S.VARIABLE_PREFIX):]) for n in (*S.VARIABLES, *S.PRODUCT_FACTS))
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "netops.srx_vpn intent (host_vars / group_vars)",
        "description": "Generated from plugins/plugin_utils/intent_schema.py by scripts/gen-intent-schema; "
                       "do not edit. Fleet-wide rules (address overlaps, duplicates, AS pairs, weak crypto, "
                       "key strength) are checked by the pre-flight only.",
        "type": "object",
        "properties": {name: _json(node) for name, node in S.VARIABLES.items()},
        "patternProperties": {f"^{S.VARIABLE_PREFIX}(?!({known})$)": False},
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"


# ---------------------------------------------------------------------------------------
# The docs tables
# ---------------------------------------------------------------------------------------
def _md(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|")


def _type_words(node: dict) -> str:
    kind = node["type"]
    if kind == "string":
        return {"ipv4-address": "IPv4 address", "ipv4-interface": "A.B.C.D/LEN",
                "ipv4-prefix": "IPv4 prefix"}.get(node.get("format"), "key" if node.get("secret") else "string")
    if kind == "array":
        item = _type_words(node["items"])
        return f"list of {item}" + ("" if node["items"]["type"] == "object" else "es" if item.endswith("x") else "s")
    if kind == "object":
        return f"mapping ({node['docTable']})" if node.get("docTable") else "mapping"
    if kind == "map":
        return f"mapping name -> {_type_words(node['values'])}"
    return kind + (" or digits" if node.get("cli") else "") + (" or N%" if node.get("percent") else "")


def _rules(node: dict) -> str:
    parts = []
    if "enum" in node:
        parts.append(" \\| ".join(f"`{v}`" for v in node["enum"]))
    if "minimum" in node or "maximum" in node:
        parts.append(f"{node.get('minimum')}-{node['maximum']}" if "maximum" in node else f">= {node['minimum']}")
    if "rule" in node and "enum" not in node and not node.get("format"):
        parts.append(_md(node["rule"]))
    if "maxLength" in node and not node.get("format"):
        parts.append(f"at most {node['maxLength']} characters")
    if node["type"] == "array" and "minItems" in node:
        parts.append(f"exactly {node['minItems']}" if node.get("maxItems") == node["minItems"]
                     else f"at least {node['minItems']}")
    if node["type"] == "array" and "maxItems" in node and node.get("maxItems") != node.get("minItems"):
        parts.append(f"at most {node['maxItems']}")
    if node.get("exclusive"):
        parts.append("; ".join(" or ".join(g) + ", not both" for g in node["exclusive"]))
    if node.get("requireOne"):
        parts.append("; ".join("one of " + " or ".join(g) for g in node["requireOne"]))
    return "; ".join(parts)


def _default(node: dict) -> str:
    if node.get("required"):
        return "**required**"
    if "default" in node:
        value = node["default"]
        return f"`{str(value).lower() if isinstance(value, bool) else value}`"
    return _md(node.get("defaultDoc", ""))


def _table(fields: dict, first: str = "field") -> list[str]:
    rows = [f"| {first} | type | default | rules | description |", "|---|---|---|---|---|"]
    for name, node in fields.items():
        rows.append(f"| `{name}` | {_type_words(node)} | {_default(node)} | {_rules(node)} | {_md(node['doc'])} |")
    return rows


def _object_tables(node: dict, out: dict) -> None:
    if node["type"] == "object":
        if node.get("docTable") and node["docTable"] not in out:
            out[node["docTable"]] = "\n".join(_table(node["fields"]))
        for sub in node["fields"].values():
            _object_tables(sub, out)
    elif node["type"] == "array":
        _object_tables(node["items"], out)
    elif node["type"] == "map":
        _object_tables(node["values"], out)


def doc_tables() -> dict[str, str]:
    """Markdown tables by name: ``variables`` and one per object with a ``docTable``."""
    out = {"variables": "\n".join(_table(
        {name: {**node, "doc": f"({node['scope']}) {node['doc']}"} for name, node in S.VARIABLES.items()},
        first="variable"))}
    for node in S.VARIABLES.values():
        _object_tables(node, out)
    return out


_BLOCK_RE = re.compile(r"(<!-- BEGIN schema-table (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- END schema-table "
                       r"(?P=name) -->)", re.DOTALL)


def render_doc(text: str, extra: dict[str, str] | None = None) -> str:
    """``text`` (docs/intent.md) with every schema-table block filled from the schema (and the
    ``extra`` tables, e.g. intent.py's fleet rules)."""
    tables = {**doc_tables(), **(extra or {})}

    def fill(match):
        name = match.group("name")
        if name not in tables:
            raise KeyError(f"docs: no schema table {name!r} (known: {', '.join(sorted(tables))})")
        return match.group(1) + tables[name] + "\n" + match.group(4)

    return _BLOCK_RE.sub(fill, text)


def doc_blocks(text: str) -> list[str]:
    """Names of the schema-table blocks present in ``text``."""
    return [m.group("name") for m in _BLOCK_RE.finditer(text)]
