"""The legacy interop opt-in (a tunnel's ``legacy``): what it accepts, the warning of every run
that uses it (plans, the ``vpn_plans`` filter, the report), and the reference guide's own pair
written as an intent (``tests/integration/fixtures/guide-intent.yml``) rendering the guide's
IKE, IPsec and zone statements."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from ansible_collections.netops.srx_vpn.plugins.filter import vpn_intent
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    intent,
    render,
    stanzas,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import report as R

ROOT = Path(__file__).resolve().parents[4]
GUIDE_INTENT = ROOT / "tests" / "integration" / "fixtures" / "guide-intent.yml"
GUIDE = ROOT / "tests" / "golden" / "guide"
SHORT = "Jn7pr-x"   # a 7-character key, like the guide's
LONG = "a-long-enough-lab-key"

DEVICES = {
    "srx-a": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.1/24", "asn": 100},
    "srx-b": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.2/24", "asn": 200},
}


def tunnel(**extra):
    return {"name": "a-b", "ends": [{"device": "srx-a", "st0_unit": 0, "address": "10.0.1.1/24"},
                                    {"device": "srx-b", "st0_unit": 0, "address": "10.0.1.2/24"}], **extra}


def build(tunnels, psks, profiles=None):
    return intent.build_plans(copy.deepcopy(DEVICES), tunnels, psks, profiles)


def refused(tunnels, psks) -> list[str]:
    with pytest.raises(intent.IntentError) as info:
        build(tunnels, psks)
    return info.value.problems


# -- the opt-in -------------------------------------------------------------------------------
def test_a_short_key_needs_the_tunnels_own_opt_in():
    assert [p for p in refused([tunnel()], {"a-b": SHORT}) if p.startswith("tunnel 'a-b': psk:")]
    # the opt-in of another tunnel does not help
    other = tunnel(name="a-b2", legacy={"short_psk": True})
    other["ends"] = [{"device": "srx-a", "st0_unit": 1, "address": "10.0.2.1/24"},
                     {"device": "srx-b", "st0_unit": 1, "address": "10.0.2.2/24"}]
    problems = refused([tunnel(), other], {"a-b": SHORT, "a-b2": SHORT})
    assert [p for p in problems if p.startswith("tunnel 'a-b': psk: pre-shared key is shorter")]
    assert not [p for p in problems if p.startswith("tunnel 'a-b2'")]
    plans = build([tunnel(legacy={"short_psk": True})], {"a-b": SHORT})
    assert plans["srx-a"]["tunnels"][0]["psk_ref"] == "a-b"
    assert SHORT not in repr(plans)


def test_a_short_key_is_still_a_key():
    """The opt-in lowers the length only: the key's characters are checked as any other key's."""
    problems = refused([tunnel(legacy={"short_psk": True})], {"a-b": " x"})
    assert problems == [("srx_vpn_psks['a-b']: the key starts or ends with a space (printable ASCII characters, "
                        "no leading or trailing space)")]


def test_every_use_is_a_warning_naming_the_tunnel_and_what_is_weak():
    plans = build([tunnel(legacy={"short_psk": True})], {"a-b": SHORT})
    warning = "tunnel 'a-b' uses legacy (weak) settings: pre-shared key shorter than 16 characters " \
              "(legacy.short_psk)"
    assert plans["srx-a"]["warnings"] == plans["srx-b"]["warnings"] == [warning]
    assert intent.plan_warnings(plans) == [warning]   # once for the fleet
    assert SHORT not in warning


def test_weak_crypto_warning_lists_every_weak_setting():
    t = tunnel(legacy={"weak_crypto": True},
               ike={"version": "v1", "mode": "aggressive",
                    "proposal": {"dh_group": "group2", "authentication_algorithm": "sha1",
                                 "encryption_algorithm": "3des-cbc"}},
               ipsec={"proposal": {"encryption_algorithm": "aes-128-cbc", "authentication_algorithm": "hmac-md5-96"},
                      "pfs_group": "group5"})
    [warning] = intent.plan_warnings(build([t], {"a-b": LONG}))
    assert warning.startswith("tunnel 'a-b' uses legacy (weak) settings: ")
    for part in ("ike.proposal.dh_group group2 (legacy.weak_crypto)", "ike.proposal.authentication_algorithm sha1",
                 "ike.proposal.encryption_algorithm 3des-cbc", "ipsec.proposal.authentication_algorithm hmac-md5-96",
                 "ipsec.pfs_group group5", "IKEv1 aggressive mode with a pre-shared key (legacy.weak_crypto)"):
        assert part in warning, (part, warning)
    assert "short" not in warning
    # without the opt-in every one of them is refused
    t.pop("legacy")
    fields = {p.split(": ")[1] for p in refused([t], {"a-b": LONG})}
    assert {"ike.proposal.dh_group", "ike.proposal.authentication_algorithm", "ike.proposal.encryption_algorithm",
            "ipsec.proposal.authentication_algorithm", "ipsec.pfs_group", "ike.mode"} <= fields


def test_allow_weak_crypto_still_works_and_warns_by_its_name():
    t = tunnel(allow_weak_crypto=True, ipsec={"pfs_group": "group2"})
    assert intent.plan_warnings(build([t], {"a-b": LONG})) == [
        "tunnel 'a-b' uses legacy (weak) settings: ipsec.pfs_group group2 (allow_weak_crypto)"]
    # allow_weak_crypto is weak crypto only, not a short key
    assert [p for p in refused([t], {"a-b": SHORT}) if p.startswith("tunnel 'a-b': psk:")]


def test_an_unused_or_absent_opt_in_warns_nothing():
    assert intent.plan_warnings(build([tunnel(legacy={"short_psk": True, "weak_crypto": True})], {"a-b": LONG})) == []
    plans = build([tunnel(state="absent", legacy={"short_psk": True})], {"a-b": SHORT})
    assert intent.plan_warnings(plans) == []
    # an offline render without keys: nothing known to be short
    assert intent.plan_warnings(intent.build_plans(copy.deepcopy(DEVICES), [tunnel(legacy={"short_psk": True})],
                                                   {}, require_psks=False)) == []


def test_the_plans_filter_shows_the_warning_in_the_play(monkeypatch):
    shown = []
    monkeypatch.setattr(vpn_intent.display, "warning", lambda msg, *a, **kw: shown.append(msg))
    hostvars = {name: {"srx_vpn_device": spec} for name, spec in DEVICES.items()}
    plans = vpn_intent.vpn_plans(hostvars, list(DEVICES), [tunnel(legacy={"short_psk": True})], {"a-b": SHORT})
    assert shown == [("netops.srx_vpn: tunnel 'a-b' uses legacy (weak) settings: pre-shared key shorter than 16 "
                     "characters (legacy.short_psk)")]
    assert sorted(plans) == ["srx-a", "srx-b"]
    shown.clear()
    vpn_intent.vpn_plans(hostvars, list(DEVICES), [tunnel()], {"a-b": LONG})
    assert shown == []


def test_the_report_records_the_warnings():
    warning = "netops.srx_vpn: tunnel 'a-b' uses legacy (weak) settings: pre-shared key shorter than 16 characters"
    model = R.build_report({}, [{"name": "a-b", "ends": ["srx-a", "srx-b"]}], generated_at="2026-01-01T00:00:00+00:00",
                           warnings=[warning, warning])
    assert model["warnings"] == [warning]
    assert f"## Warnings\n\n- {warning}\n" in R.render_markdown(model)
    assert '"warnings": [' in R.render_json(model)
    assert R.build_report({}, [], generated_at="2026-01-01T00:00:00+00:00")["warnings"] == []
    assert "## Warnings" not in R.render_markdown(R.build_report({}, [], generated_at="2026-01-01T00:00:00+00:00"))


# -- the guide's own pair ---------------------------------------------------------------------
def guide_intent() -> dict:
    return yaml.safe_load(GUIDE_INTENT.read_text())


def statements(text: str, prefixes: tuple[str, ...]) -> set[str]:
    return {" ".join(line.split()) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#") and line.startswith(prefixes)}


def display_set(lines: set[str]) -> set[str]:
    """Junos' `display set` form: a statement implied by a longer one is dropped."""
    return {line for line in lines if not any(other.startswith(line + " ") for other in lines)}


def guide_as_product(device: str) -> set[str]:
    """The guide's IKE, IPsec and zone statements of ``device`` under the product's object names,
    with the guide's one mistake fixed and the product's explicit additions."""
    renames = {"IKE-PROPOSAL": "IKE-PROP-DEFAULT", "IKE-POLICY": "IKE-POL-A-B", "IKE-GATEWAY": "IKE-GW-A-B",
               "IPSEC-PROPOSAL": "IPSEC-PROP-DEFAULT", "IPSEC-POLICY": "IPSEC-POL-A-B", "IPSEC-VPN": "IPSEC-VPN-A-B"}
    lines = statements((GUIDE / f"{device}.set").read_text(),
                       ("set security ike ", "set security ipsec ", "set security zones "))
    out = {" ".join(renames.get(w, w) for w in line.split(" ")) for line in lines}
    # the guide's mistake: perfect-forward-secrecy belongs to the IPsec policy, not the VPN
    mistake = "set security ipsec vpn IPSEC-VPN-A-B perfect-forward-secrecy keys group14"
    if mistake in out:
        out = (out - {mistake}) | {"set security ipsec policy IPSEC-POL-A-B perfect-forward-secrecy keys group14"}
    # the key: a vaulted one, rendered as the placeholder the deploy fills with its $9$ form
    out.remove('set security ike policy IKE-POL-A-B pre-shared-key ascii-text "Juniper"')
    out.add(f'set security ike policy IKE-POL-A-B pre-shared-key ascii-text "{stanzas.psk_placeholder("a-b")}"')
    # the product's additions: explicit lifetimes, establish-tunnels on both ends
    out |= {"set security ike proposal IKE-PROP-DEFAULT lifetime-seconds 28800",
            "set security ipsec proposal IPSEC-PROP-DEFAULT lifetime-seconds 3600",
            "set security ipsec vpn IPSEC-VPN-A-B establish-tunnels immediately"}
    return display_set(out)


@pytest.mark.parametrize("device", ["srx-a", "srx-b"])
def test_the_guide_intent_renders_the_guides_ike_ipsec_and_zones(device):
    data = guide_intent()
    plans = intent.build_plans(data["devices"], data["srx_vpn_tunnels"], {"a-b": SHORT})
    assert intent.plan_warnings(plans) == [("tunnel 'a-b' uses legacy (weak) settings: pre-shared key shorter "
                                           "than 16 characters (legacy.short_psk)")]
    plan = plans[device]
    assert plan["vpn_zone_shared"] is True
    rendered = display_set(statements(render.render_device(plan, ("zones", "ike", "ipsec")),
                                      ("set security ike ", "set security ipsec ", "set security zones ")))
    expected = guide_as_product(device)
    assert rendered == expected, (f"only rendered: {sorted(rendered - expected)}\n"
                                  f"only in the guide: {sorted(expected - rendered)}")
    assert "set security ike gateway IKE-GW-A-B version v1-only" in rendered
    assert "set security ike policy IKE-POL-A-B mode main" in rendered


def test_the_guide_intent_without_its_opt_in_is_refused():
    data = guide_intent()
    data["srx_vpn_tunnels"][0].pop("legacy")
    with pytest.raises(intent.IntentError) as info:
        intent.build_plans(data["devices"], data["srx_vpn_tunnels"], {"a-b": SHORT})
    assert info.value.problems[0].startswith("tunnel 'a-b': psk: pre-shared key is shorter than 16 characters")
