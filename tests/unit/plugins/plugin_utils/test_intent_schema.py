"""The intent schema (plugins/plugin_utils/intent_schema.py) and what is generated from it:
docs/intent.md's field tables and schemas/srx_vpn_intent.schema.json must be exactly what the
schema gives (regenerate with `.venv/bin/python scripts/gen-intent-schema`), the editor
schema must accept every shipped inventory, and the schema itself must follow its rules."""
from __future__ import annotations

import json
import pathlib

import pytest
import yaml
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    intent,
    intent_schema,
    schema_engine,
)

ROOT = pathlib.Path(__file__).resolve().parents[4]
DOC = ROOT / "docs" / "intent.md"
JSON_SCHEMA = ROOT / "schemas" / "srx_vpn_intent.schema.json"
REGENERATE = "regenerate with: .venv/bin/python scripts/gen-intent-schema"


def test_docs_tables_are_generated_from_the_schema():
    text = DOC.read_text()
    expected = schema_engine.render_doc(text, {"fleet-rules": intent.rules_table()})
    assert text == expected, f"docs/intent.md's tables differ from the schema ({REGENERATE})"


def test_docs_have_a_table_for_every_object_of_the_schema():
    blocks = schema_engine.doc_blocks(DOC.read_text())
    tables = [*schema_engine.doc_tables(), "fleet-rules"]
    assert sorted(blocks) == sorted(tables), (blocks, tables)


def test_editor_schema_is_generated_from_the_schema():
    assert JSON_SCHEMA.read_text() == schema_engine.json_schema_text(), \
        f"{JSON_SCHEMA.relative_to(ROOT)} differs from the schema ({REGENERATE})"


def _vars_files():
    for pattern in ("inventories/*/host_vars/*.yml", "inventories/*/group_vars/**/*.yml",
                    "extensions/molecule/*/intent/**/*.yml", "tests/integration/fleet/**/*.yml"):
        for path in sorted(ROOT.glob(pattern)):
            if path.name != "vault.yml":
                yield path


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")  # test-only: the product does not use it
    schema = json.loads(JSON_SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("path", list(_vars_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_editor_schema_accepts_the_shipped_vars_files(validator, path):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(yaml.safe_load(path.read_text()) or {})]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("doc", [
    {"srx_vpn_tunnels": "a-b"},
    {"srx_vpn_tunnels": [{"name": "a b", "ends": []}]},
    {"srx_vpn_tunnels": [{"name": "a-b", "bgp": {"enabled": "false"}, "ends": [
        {"device": "x", "st0_unit": 0, "address": "10.0.0.1/30"}, {"device": "y", "st0_unit": 0,
                                                                   "address": "10.0.0.2/30"}]}]},
    {"srx_vpn_device": {"external_interface": "ge-0/0/0.0\n", "external_address": "1.1.1.1/24", "asn": 1}},
    {"srx_vpn_device": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.1/24", "asn": 1,
                        "asnumber": 2}},
    {"srx_vpn_psks": ["k"]},
    {"srx_vpn_psks": {"a-b": {"k": 1}}},
    {"srx_vpn_confirm_minutes": 0},
    {"srx_vpn_tunnel": []},
    {"srx_vpn_tunnels": [{"name": "a-b", "ike": {"profile": "default", "proposal": {}},
                          "ends": [{"device": "x", "st0_unit": 0, "address": "10.0.0.1/30"},
                                   {"device": "y", "st0_unit": 0, "address": "10.0.0.2/30"}]}]},
], ids=lambda d: json.dumps(d)[:60])
def test_editor_schema_refuses_bad_documents(validator, doc):
    assert list(validator.iter_errors(doc)), doc


def test_editor_schema_allows_a_vault_expression_for_the_keys(validator):
    assert not list(validator.iter_errors({"srx_vpn_psks": "{{ vault_srx_vpn_psks }}"}))


# -- the schema follows its own rules -----------------------------------------------------------
def _walk(node, path=""):
    yield path, node
    for name, sub in node.get("fields", {}).items():
        yield from _walk(sub, f"{path}.{name}")
    for key in ("items", "values", "keys"):
        if key in node:
            yield from _walk(node[key], f"{path}[{key}]")


ALL = [(f"{name}{p}", n) for name, node in intent_schema.VARIABLES.items() for p, n in _walk(node)]
# Strings that are not rendered into a set line as a word (paths on the controller, the key,
# the description, which is quoted).
NOT_A_WORD = ("srx_vpn_output_dir", "srx_vpn_reports_dir", "srx_vpn_psks[values]", "srx_vpn_tunnels[items].description")


@pytest.mark.parametrize(("path", "node"), [x for x in ALL if x[1]["type"] == "string"], ids=lambda x: str(x)[:60])
def test_every_string_has_a_junos_syntax(path, node):
    """Every string that can reach a set line is an enum or matches a pattern of safe
    characters with a bounded length."""
    if path in NOT_A_WORD:
        return
    assert "enum" in node or ("pattern" in node and ("maxLength" in node or node.get("format"))), path
    for bad in ("a b", "a\nb", "a;b", 'a"b', "a\x00b", "a\u2028b", "a#b", "a{b"):
        assert "enum" in node or not schema_engine.re.fullmatch(node["pattern"], bad), (path, bad)


@pytest.mark.parametrize(("path", "node"), ALL, ids=lambda x: str(x)[:60])
def test_every_node_is_documented_and_typed(path, node):
    assert node["type"] in ("string", "integer", "number", "boolean", "object", "array", "map"), path
    assert node.get("doc"), f"{path}: no doc"
    if node["type"] == "object":
        assert node.get("fields"), path


def test_derived_junos_names_stay_within_the_junos_limit():
    longest = "t" * intent_schema.NAME_MAX
    names = intent.object_names(longest, "custom", "custom") | intent.object_names(longest, longest, longest)
    assert max(len(n) for n in names.values()) == intent_schema.OBJECT_NAME_MAX


# -- the engine ----------------------------------------------------------------------------------
def check(node, value):
    ck = schema_engine.Checker()
    out = ck.check(node, value, "here", ["field"])
    return out, ck.problems


@pytest.mark.parametrize(("node", "value", "message"), [
    (intent_schema.boolean("b"), "false", "here: field: must be true or false, got 'false' (a string)"),
    (intent_schema.boolean("b"), 0, "here: field: must be true or false, got 0"),
    (intent_schema.integer("i", 1, 5), True, "here: field: must be an integer from 1 to 5, got true (a boolean)"),
    (intent_schema.integer("i", 1, 5), "3", "here: field: must be an integer from 1 to 5, got '3' (a string)"),
    (intent_schema.integer("i", 1, 5), 3.0, "here: field: must be an integer from 1 to 5, got 3.0"),
    (intent_schema.choice("c", ["main", "aggressive"]), "mian", "did you mean 'main'?"),
    (intent_schema.IKE_PROPOSAL, {"dh_grup": "group14"},
     "here: field.dh_grup: unknown field (did you mean 'dh_group'?)"),
])
def test_strict_types_and_did_you_mean(node, value, message):
    _out, problems = check(node, value)
    assert any(message in p for p in problems), problems


def test_a_cli_digit_string_is_an_integer_for_run_options_only():
    node = intent_schema.VARIABLES["srx_vpn_confirm_minutes"]
    assert check(node, "10") == (10, [])
    assert check(node, "10%")[1]
    assert check(intent_schema.VARIABLES["srx_vpn_serial"], "25%") == ("25%", [])


def test_a_secret_is_described_by_its_kind_only():
    node = intent_schema.VARIABLES["srx_vpn_psks"]
    for value in ("hunter2-hunter2-hunter2", ["hunter2-hunter2"], {"a-b": ["hunter2-hunter2"]},
                  {"a-b": "hunter2-hunter2\n"}, {"a-b": 12345678901234567}):
        _, problems = check(node, value)
        assert problems and not any("hunter2" in p or "12345678901234567" in p for p in problems), problems


def test_invalid_values_are_marked_for_the_fleet_rules():
    out, problems = check(intent_schema.DEVICE, {"external_interface": "ge-0/0/0.0", "external_address": "x",
                                                 "asn": 5})
    assert out["external_address"] is schema_engine.INVALID and out["asn"] == 5 and len(problems) == 1
