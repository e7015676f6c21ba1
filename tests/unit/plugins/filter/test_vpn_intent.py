"""The deploy filters' adapter (plugins/filter/vpn_intent.py): each filter is the one Ansible
calls by name, hands its input to plugin_utils, and turns a refusal into an AnsibleFilterError
that names the filter and every problem; a legacy opt-in in use is a play warning."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display
from ansible_collections.netops.srx_vpn.plugins.filter.vpn_intent import FilterModule
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import stanzas
from intent_cases import base

FILTERS = FilterModule().filters()


def _hostvars(data):
    return {name: {"srx_vpn_device": spec, **data["host_vars"].get(name, {})}
            for name, spec in data["devices"].items()}


def _plans(data, **kw):
    return FILTERS["vpn_plans"](_hostvars(data), sorted(data["devices"]), data["tunnels"], data["psks"],
                                data["profiles"], **kw)


def test_every_documented_filter_is_served():
    documented = {"vpn_plans", "vpn_candidate", "vpn_tunnel_list", "mask_secrets", "junos_word", "junos_quote",
                  "psk_placeholder"}
    assert documented <= set(FILTERS)


def test_vpn_plans_and_the_tunnel_list():
    plans = _plans(base())
    assert sorted(plans) == ["srx-a", "srx-b", "srx-c"]
    assert FILTERS["vpn_tunnel_list"](plans) == [{"name": "a-b", "ends": ["srx-a", "srx-b"]},
                                                 {"name": "a-c", "ends": ["srx-a", "srx-c"]}]


def test_vpn_plans_names_every_problem_and_never_the_key():
    data = base()
    data["devices"]["srx-b"]["asn"] = "two hundred"
    data["psks"]["a-b"] = "Zq9-key"
    with pytest.raises(AnsibleFilterError) as err:
        _plans(data)
    text = str(err.value)
    assert text.startswith("netops.srx_vpn.vpn_plans: the intent has 2 problem(s):"), text
    assert "srx-b" in text and "asn" in text and "a-b" in text
    assert "Zq9-key" not in text


def test_an_offline_render_needs_no_key():
    data = base()
    data["psks"] = {}
    with pytest.raises(AnsibleFilterError, match="pre-shared key"):
        _plans(data)
    assert sorted(_plans(data, require_psks=False)) == ["srx-a", "srx-b", "srx-c"]


def test_a_legacy_opt_in_in_use_is_a_play_warning(monkeypatch):
    warned = []
    monkeypatch.setattr(Display, "warning", lambda self, msg, *a, **k: warned.append(msg))
    data = base()
    data["tunnels"][0]["legacy"] = {"short_psk": True}
    data["psks"]["a-b"] = "short7!"
    _plans(data)
    assert warned and all(w.startswith("netops.srx_vpn: ") for w in warned), warned
    assert any("a-b" in w for w in warned) and not any("short7!" in w for w in warned), warned


def test_render_guards_and_placeholder_wrap_their_errors():
    assert FILTERS["junos_word"]("IKE-GW-A") == "IKE-GW-A"
    assert FILTERS["junos_quote"]('say "hi"') == '"say \\"hi\\""'
    with pytest.raises(AnsibleFilterError, match=r"^netops\.srx_vpn\.junos_word: "):
        FILTERS["junos_word"]("two words")
    with pytest.raises(AnsibleFilterError, match=r"^netops\.srx_vpn\.junos_quote: "):
        FILTERS["junos_quote"]("line\nset system root-authentication")
    assert FILTERS["psk_placeholder"]("a-b") == stanzas.psk_placeholder("a-b")
    with pytest.raises(AnsibleFilterError, match=r"^netops\.srx_vpn\.psk_placeholder: "):
        FILTERS["psk_placeholder"]('a"b')


def test_vpn_candidate_wraps_a_refusal():
    plans = _plans(base())
    with pytest.raises(AnsibleFilterError, match=r"^netops\.srx_vpn\.vpn_candidate: "):
        FILTERS["vpn_candidate"](f"set security ike policy P pre-shared-key ascii-text "
                                 f"\"{stanzas.psk_placeholder('zz')}\"\n", "", plans["srx-a"], {})
