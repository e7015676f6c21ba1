"""The one stanza definition (``plugin_utils/stanzas.py``) and everything that reads it.

The stanza list, the rendered files and the key placeholder are defined once in Python; the
roles get them through the ``netops.srx_vpn.stanzas`` lookup and the
``netops.srx_vpn.psk_placeholder`` filter, the candidate and the renderer import them. These
tests hold the other places to it: the roles on disk, the deploy role's default (evaluated by
Ansible's own templar), the placeholder the templates write and the one build_candidate fills.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import intent_cases as C
import pytest
import yaml
from ansible.errors import AnsibleError
from ansible_collections.netops.srx_vpn.plugins.filter import vpn_intent
from ansible_collections.netops.srx_vpn.plugins.lookup.stanzas import LookupModule
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    candidate,
    intent,
    render,
    stanzas,
)
from netutils.password import decrypt_juniper_type9

ROOT = Path(__file__).resolve().parents[4]
ROLES = ROOT / "roles"


def _plans():
    return C.build(intent, C.base())


PSKS = C.base()["psks"]


def _query(*terms, **kwargs):
    """The lookup as Ansible's plugin loader sets it up (its documented options registered)."""
    from ansible import constants
    from ansible_collections.netops.srx_vpn.plugins.lookup import stanzas as plugin

    name = "netops.srx_vpn.stanzas"
    constants.config.initialize_plugin_configuration_definitions(
        "lookup", name, yaml.safe_load(plugin.DOCUMENTATION)["options"])
    lookup = LookupModule()
    lookup._load_name = name
    return lookup.run(list(terms), {}, **kwargs)


# -- the definition -------------------------------------------------------------------------------
def test_definition_order_files_templates():
    assert stanzas.STANZAS == ("interfaces", "zones", "ike", "ipsec", "bgp")
    assert [s.file for s in stanzas.STANZA_DEFS] == sorted(s.file for s in stanzas.STANZA_DEFS), \
        "the file names must sort in push order"
    for s in stanzas.STANZA_DEFS:
        assert re.fullmatch(rf"\d\d-{s.name}\.set", s.file)
        assert Path(s.template).is_file(), s.template
        assert Path(s.template).resolve() == ROLES / s.name / "templates" / f"{s.name}.set.j2"


def test_every_stanza_role_exists_and_no_other_renders():
    rendering_roles = {p.parent.parent.name for p in ROLES.glob("*/templates/*.set.j2")}
    assert rendering_roles == set(stanzas.STANZAS)


def test_get_and_names_accept_names_and_files_only():
    assert stanzas.get("ike") is stanzas.get("30-ike.set") is stanzas.BY_NAME["ike"]
    assert stanzas.names(["50-bgp.set", "ike", "ike"]) == ("ike", "bgp")
    assert stanzas.names(None) == stanzas.STANZAS
    assert stanzas.names([]) == ()
    for bad in ("30-ike", "ike.set", "99-ike.set", "IKE", "security"):
        with pytest.raises(stanzas.StanzaError, match="unknown stanza"):
            stanzas.get(bad)


@pytest.mark.parametrize(("path", "stanza"), [
    ("interfaces st0 unit 0", "interfaces"),
    ("security zones security-zone VPN", "zones"),
    ("security address-book global address SRXVPN-LOCAL-1", "zones"),
    ("security policies from-zone trust to-zone VPN policy SRXVPN-OUT", "zones"),
    ("security ike policy IKE-POL-A-B", "ike"),
    ("security ipsec vpn IPSEC-VPN-A-B", "ipsec"),
    ("routing-options autonomous-system", "bgp"),
    ("policy-options policy-statement SRXVPN-EXPORT", "bgp"),
    ("protocols bgp group SRXVPN-EBGP", "bgp"),
    ("protocols ospf area 0", None),
    ("system host-name x", None),
])
def test_stanza_of_a_configuration_path(path, stanza):
    assert stanzas.stanza_of(path.split()) == stanza


def test_every_owned_object_belongs_to_exactly_the_stanza_that_renders_it():
    """Each object the product deletes before a push is one a stanza renders, and a stanza
    pushed alone deletes exactly the owned objects its own template renders."""
    plan = _plans()["srx-a"]
    rendered = {name: render.render_stanza(name, plan) for name in stanzas.STANZAS}
    current = "\n".join(rendered.values())
    every = set(candidate.owned_objects(current, plan))
    assert every
    union = set()
    for name in stanzas.STANZAS:
        own = set(candidate.owned_objects(current, plan, (name,)))
        union |= own
        for path in own:
            words = " ".join(shlex.split(path))
            assert any(line.startswith(f"set {words} ") for line in rendered[name].splitlines()), (name, path)
    assert union == every


# -- the placeholder ------------------------------------------------------------------------------
def test_placeholder_in_rendered_output_is_exactly_the_one_build_candidate_fills():
    plans = _plans()
    psks = PSKS
    for device, plan in plans.items():
        text = render.render_stanza("ike", plan)
        refs = {t["psk_ref"] for t in plan["tunnels"]}
        for ref in refs:
            assert f'pre-shared-key ascii-text "{stanzas.psk_placeholder(ref)}"' in text
        found = stanzas.PSK_PLACEHOLDER_RE.findall(text)
        assert sorted(found) == sorted(refs), device
        lines = candidate.build_candidate(render.render_device(plan), "", plan, psks)
        joined = "\n".join(lines)
        assert stanzas.PSK_PLACEHOLDER_PREFIX not in joined, device
        secrets = re.findall(r'pre-shared-key ascii-text "(\$9\$[^"]+)"', joined)
        assert sorted(decrypt_juniper_type9(s) for s in secrets) == sorted(psks[r] for r in refs)


def test_a_placeholder_in_any_other_form_is_never_pushed():
    plan = _plans()["srx-a"]
    ref = plan["tunnels"][0]["psk_ref"]
    for line in (f"set security ike policy P pre-shared-key ascii-text {stanzas.psk_placeholder(ref)}",
                 f'set security ike policy P pre-shared-key ascii-text "x{stanzas.psk_placeholder(ref)}"'):
        with pytest.raises(ValueError, match="placeholder"):
            candidate.build_candidate(line + "\n", "", plan, PSKS)


@pytest.mark.parametrize("bad", ["", "a@b", 'a"b', "a\\b", "a\nb"])
def test_placeholder_refuses_what_is_no_tunnel_name(bad):
    with pytest.raises(stanzas.StanzaError):
        stanzas.psk_placeholder(bad)
    with pytest.raises(AnsibleError, match="netops.srx_vpn.psk_placeholder"):
        vpn_intent.psk_placeholder(bad)


def test_the_placeholder_is_no_role_knob():
    for path in [*ROLES.rglob("*.yml"), *ROLES.rglob("*.j2"), *ROLES.rglob("*.md"), ROOT / "README.md",
                 *(ROOT / "docs").rglob("*.md")]:
        assert "ike_psk_placeholder" not in path.read_text(), path
    assert "ike_psk_placeholder" not in render.TEMPLATE_DEFAULTS
    # the old knob, set anyway, changes nothing: the placeholder is fixed
    plan = _plans()["srx-a"]
    assert render.render_stanza("ike", plan, ike_psk_placeholder="PUSHED-AS-KEY:%s") \
        == render.render_stanza("ike", plan)


# -- the lookup and the roles -----------------------------------------------------------------------
def test_lookup_returns_the_definition():
    assert _query(field="name") == list(stanzas.STANZAS)
    assert _query(field="file") == [stanzas.FILE_NAMES[n] for n in stanzas.STANZAS]
    assert _query("bgp", ["30-ike.set"], field="name") == ["ike", "bgp"]
    assert _query([], field="name") == []
    ike = _query("ike")[0]
    assert ike == {"name": "ike", "order": 30, "file": "30-ike.set", "template": stanzas.BY_NAME["ike"].template,
                   "hierarchies": ["security ike"]}
    with pytest.raises(AnsibleError, match="netops.srx_vpn.stanzas: unknown stanza 'ospf'"):
        _query("ospf")


def test_deploy_defaults_equal_the_python_list(tmp_path):
    """roles/deploy/defaults/main.yml's deploy_stanzas, as ansible-playbook evaluates it, and
    the files candidate.j2 reads for it."""
    playbook = tmp_path / "defaults.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False,
        "vars_files": [str(ROLES / "deploy" / "defaults" / "main.yml")],
        "tasks": [{"ansible.builtin.debug": {"msg": "STANZAS={{ deploy_stanzas | join(',') }} FILES="
                   "{{ query('netops.srx_vpn.stanzas', deploy_stanzas, field='file') | join(',') }};"}}]}]))
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), str(playbook), "-i", "localhost,",
                           "-c", "local"], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
                          env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = re.search(r"STANZAS=(\S+) FILES=(\S+);", proc.stdout)
    assert found, proc.stdout
    assert found.group(1).split(",") == list(stanzas.STANZAS)
    assert found.group(2).split(",") == [stanzas.FILE_NAMES[n] for n in stanzas.STANZAS]


def test_no_stanza_list_or_file_name_regex_left_in_the_roles():
    for path in ROLES.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text()
        assert "regex_replace', '^\\\\d+-" not in text, path
        listed = [s.file for s in stanzas.STANZA_DEFS if s.file in text]
        assert len(listed) <= 1, f"{path} lists stanza files {listed}: read them from netops.srx_vpn.stanzas"


@pytest.mark.parametrize("name", stanzas.STANZAS)
def test_each_stanza_role_is_the_common_tasks_with_its_own_variables(name):
    tasks = yaml.safe_load((ROLES / name / "tasks" / "main.yml").read_text())
    assert len(tasks) == 1
    include = tasks[0]["ansible.builtin.include_role"]
    assert include == {"name": "netops.srx_vpn.deploy", "tasks_from": "stanza"}
    assert tasks[0]["vars"] == {"deploy_stanza": name, "deploy_output_dir": f"{{{{ {name}_output_dir }}}}",
                                "deploy_plan": f"{{{{ {name}_plan }}}}", "deploy_stanza_push": f"{{{{ {name}_push }}}}"}
    # the role's documented file is the definition's
    spec = (ROLES / name / "meta" / "argument_specs.yml").read_text()
    readme = (ROLES / name / "README.md").read_text()
    assert stanzas.BY_NAME[name].file in spec and stanzas.BY_NAME[name].file in readme
    options = yaml.safe_load(spec)["argument_specs"]["main"]["options"]
    assert {f"{name}_plan", f"{name}_output_dir", f"{name}_push"} <= set(options)
