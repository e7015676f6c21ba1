"""The reference guide's own pair, deployed through its legacy opt-in.

``tests/integration/fixtures/guide-intent.yml`` is the guide's pair as an intent: IKEv1 main
mode, the guide's proposals, st0.0 in the UNTRUST zone (shared with the external interface)
and a 7-character pre-shared key that only the tunnel's ``legacy: {short_psk: true}`` lets
through. Deployed to its own seed-pair lab with the real pipeline (``deploy_vpn.yml``, a
generated vault), it must come up - the deploy's verify checks IKE, IPsec, BGP and pings, and
so does the test through ncclient - and the run must warn, in the play output and in the
report, naming the tunnel and the short key, without ever showing the key.
"""
from __future__ import annotations

import pathlib
import re
import secrets

import pytest
import yaml
from helpers import (
    PAIR,
    TUNNEL,
    Inventory,
    Lab,
    folder_secrets,
    psk_on_device,
    secrets_in,
    tunnel_problems,
)

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "guide-intent.yml"
WARNING = ("netops.srx_vpn: tunnel 'a-b' uses legacy (weak) settings: pre-shared key shorter than 16 "
           "characters (legacy.short_psk)")
pytestmark = pytest.mark.xdist_group("legacy-ikev1")


def one_line(text: str) -> str:
    """Ansible wraps long warnings: compare with every run of blanks as one space."""
    return " ".join(text.split())


def test_the_guides_pair_comes_up_with_its_short_key_and_warns(tmp_path_factory: pytest.TempPathFactory) -> None:
    intent = yaml.safe_load(FIXTURE.read_text())
    key = "Jn" + secrets.token_hex(8)[:5]          # 7 characters, like the guide's "Juniper"
    assert len(key) < 16
    with Lab("seed-pair", "legacy") as lab:
        inv = Inventory(lab, tmp_path_factory.mktemp("legacy-ikev1"))
        inv.write(intent["devices"], intent["srx_vpn_tunnels"], {TUNNEL: key})
        run = inv.deploy()
        assert run.rc == 0, run.describe()

        # the play output carries the warning (Ansible's [WARNING]), the report records it
        assert f"[WARNING]: {WARNING}" in one_line(run.stdout + run.stderr), run.describe()
        report = run.report()
        assert report is not None, f"no report in {run.reports_dir}"
        assert report["warnings"] == [WARNING], report.get("warnings")
        assert report["run"]["outcomes"][TUNNEL]["outcome"] == "changed-verified", report["run"]
        md = (run.reports_dir / "vpn_status.md").read_text()
        assert "## Warnings" in md and one_line(WARNING) in one_line(md)

        # the key is nowhere: not in the output, the rendered files or the reports (not even as $9$)
        found = secrets_in(run.text, [key]) + folder_secrets([run.out_dir, run.reports_dir], [key])
        assert not found, "\n".join(found)

        snaps = lab.snapshots(PAIR)
        for name in PAIR:
            config = set(snaps[name].config)
            assert psk_on_device(snaps[name], TUNNEL) == key, f"{name}: the committed key is not the vaulted one"
            for line in ("set security ike policy IKE-POL-A-B mode main",
                         "set security ike gateway IKE-GW-A-B version v1-only",
                         "set security ike proposal IKE-PROP-DEFAULT dh-group group14",
                         "set security ipsec policy IPSEC-POL-A-B perfect-forward-secrecy keys group14",
                         ("set security zones security-zone UNTRUST interfaces st0.0 host-inbound-traffic "
                         "protocols bgp")):
                assert line in config, f"{name}: missing {line!r}"
            assert not [x for x in config if re.match(r"set security zones security-zone VPN\b", x)], name

        # IKE UP, both IPsec SAs, BGP Established with a prefix, pings over the tunnel
        problems = tunnel_problems(lab, inv, TUNNEL)
        assert not problems, "\n".join(problems)
