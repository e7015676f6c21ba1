"""Bad intents through the real playbooks (``playbooks/render_vpn.yml`` and ``deploy_vpn.yml``)
against a running seed pair: each is refused by the pre-flight with a message naming the tunnel
or device, the field and the user's variable (never a role's internal ``plan_*`` one), a
non-zero exit, no NETCONF session opened on any device (the lab logs every session), no commit,
no file rendered, and no key in the output. The bulk of the bad intents is tested at unit level
(tests/unit/plugins/plugin_utils/test_bad_intents.py); these are the shapes that used to fail late and the
values that used to become configuration lines."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

import pytest
from helpers import PAIR, Inventory, Lab, lab_inventory_copy, new_commits, new_psk, secrets_in

pytestmark = pytest.mark.xdist_group("intent-preflight")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Inventory]]:
    with Lab("seed-pair", "preflight") as lab:
        yield lab, lab_inventory_copy(lab, tmp_path_factory.mktemp("preflight"), new_psk())


def tunnel(edit: Callable[[dict], None]) -> Callable[[Inventory], dict | None]:
    def apply(var: Inventory) -> None:
        tunnels = copy.deepcopy(var.tunnels)
        edit(tunnels[0])
        var.set_tunnels(tunnels)
    return apply


def tunnels_var(value) -> Callable[[Inventory], None]:
    def apply(var: Inventory) -> None:
        var.set_tunnels(value)
    return apply


def extra(**values) -> Callable[[Inventory], dict]:
    def apply(var: Inventory) -> dict:
        return values
    return apply


GOLD = {"ike": {"dh_group": "group19", "authentication_algorithm": "sha-256", "encryption_algorithm": "aes-256-cbc"},
        "ipsec": {"encryption_algorithm": "aes-256-gcm"}}
INJECT = 'x"\nset system login message "INJECTED"'

CASES = {
    # render_vpn.yml
    "render-description-injection": ("render", tunnel(lambda t: t.update(description=INJECT)),
                                     ["tunnel 'a-b': description: invalid value"]),
    "render-profile-name-newline": ("render", extra(srx_vpn_profiles={"gold\nDELETE SECURITY": GOLD}),
                                    ["srx_vpn_profiles['gold\\nDELETE SECURITY']: name: invalid value"]),
    "render-profile-name-space": ("render", extra(srx_vpn_profiles={"MY PROF": GOLD}),
                                  ["srx_vpn_profiles['MY PROF']: name: invalid value"]),
    "render-tunnels-not-a-list": ("render", tunnels_var("a-b"), ["srx_vpn_tunnels: must be a list of tunnels"]),
    "render-tunnel-entry-a-string": ("render", tunnels_var(["a-b"]), ["srx_vpn_tunnels[0]: must be a mapping"]),
    "render-psks-not-a-mapping": ("render", extra(srx_vpn_psks=["a-b"]), ["srx_vpn_psks: must be a mapping"]),
    "render-dpd-threshold-true": ("render", tunnel(lambda t: t["ike"]["dpd"].update(threshold=True)),
                                  ["tunnel 'a-b': ike.dpd.threshold: must be an integer"]),
    "render-zone-trailing-newline": ("render", lambda var: var.set_device("srx-a", zones={"vpn": "VPN\n"}),
                                     ["device 'srx-a': zones.vpn: invalid value"]),
    # deploy_vpn.yml
    "deploy-psk-a-mapping": ("deploy", extra(srx_vpn_psks={"a-b": {"key": "x" * 20}}),
                             ["srx_vpn_psks['a-b']: must be a string, got a mapping"]),
    "deploy-tunnels-not-a-list": ("deploy", tunnels_var({"a-b": {}}), ["srx_vpn_tunnels: must be a list of tunnels"]),
    "deploy-nat-traversal-string": ("deploy", tunnel(lambda t: t["ike"].update(nat_traversal="false")),
                                    ["tunnel 'a-b': ike.nat_traversal: must be true or false"]),
    "deploy-bgp-enabled-string": ("deploy", tunnel(lambda t: t["bgp"].update(enabled="false")),
                                  ["tunnel 'a-b': bgp.enabled: must be true or false"]),
    "deploy-own-vpn-zone-is-untrust": ("deploy", lambda var: var.set_device("srx-b", zones={
                                           "vpn": "UNTRUST", "vpn_shared": False}),
                                       ["device 'srx-b': zones.vpn_shared:", "also zones.untrust"]),
    "deploy-same-loopback": ("deploy", lambda var: var.set_device("srx-b", loopback="192.168.1.1/32"),
                             ["device 'srx-b': loopback:", "also the loopback of device 'srx-a'"]),
    "deploy-unknown-key-typo": ("deploy", tunnel(lambda t: t["bgp"].update(bdf=True)),
                                ["tunnel 'a-b': bgp.bdf: unknown field", "did you mean 'bfd'"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_intent_is_refused_before_any_connection(pair, case):
    lab, inv = pair
    playbook, edit, words = CASES[case]
    var = inv.variant(case)
    extra_vars = edit(var)
    before = lab.snapshots(PAIR)
    sessions = lab.netconf_sessions()
    run = var.run(playbook, extra=extra_vars or None)
    opened = lab.netconf_sessions()[len(sessions):]
    after = lab.snapshots(PAIR)
    assert run.rc != 0, run.describe()
    missing = [w for w in words if w not in run.stdout]
    assert not missing, f"the error does not say {missing}\n{run.describe()}"
    assert "netops.srx_vpn.vpn_plans: the intent has" in run.stdout, run.describe()
    # the messages (Ansible also quotes the task's source line, which is code, not a message)
    messages = "\n".join(line for line in run.text.splitlines() if line.startswith(("fatal:", "ERROR", "  - ")))
    assert messages, run.describe()
    for internal in ("plan_tunnels", "plan_psks", "plan_profiles", "argument spec", "argument_spec"):
        assert internal not in messages, f"a role's internal name {internal!r} in the messages\n{run.describe()}"
    assert "Traceback" not in run.text, run.describe()
    assert not opened, "NETCONF sessions opened by a run refused at pre-flight:\n" + "\n".join(opened)
    for n in PAIR:
        assert not new_commits(before[n], after[n]), f"{n}: commit after a pre-flight error"
    rendered = [p for p in var.out_dir.rglob("*") if p.is_file()]
    assert not rendered, f"files rendered despite the pre-flight error: {rendered}"
    assert not secrets_in(run.text, [inv.psks["a-b"], "x" * 20], "output")
