"""Perfect forward secrecy in the protocol plane: with IKEv1 the quick mode carries the KE
payload, so a PFS mismatch stops the IPsec SA; with IKEv2 the first IPsec SA is negotiated
inside IKE_AUTH from the IKE SA's keys (RFC 7296), so a PFS mismatch does not stop it."""
from __future__ import annotations

import pytest
from test_protocols import GW, HEALTHY, NO_IPSEC, deploy, state

NO_PFS = "delete security ipsec policy IPSEC-POLICY perfect-forward-secrecy"
OTHER_GROUP = "set security ipsec policy IPSEC-POLICY perfect-forward-secrecy keys group19"
IKEV1 = GW + "version v1-only"


def child_reasons(lab) -> list[str]:
    return [c["reason"] for e in lab.protocols.explain() if "tunnel" in e for c in e["children"]]


@pytest.mark.parametrize("b_extra", [NO_PFS, OTHER_GROUP], ids=["pfs-one-side", "pfs-group-differs"])
def test_ikev2_pfs_mismatch_keeps_the_first_ipsec_sa(tmp_path, b_extra):
    lab = deploy(tmp_path, "", "\n" + b_extra)
    assert state(lab) == HEALTHY, lab.protocols.explain()
    assert child_reasons(lab) == [""]
    assert lab.protocols.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 3
    # each end shows the PFS group of its own policy
    assert [sa.pfs_group for sa in lab.protocols.ipsec_sas("srx-a")] == ["group14", "group14"]


@pytest.mark.parametrize("b_extra,reason", [(NO_PFS, "PFS mismatch (group14 vs none)"),
                                            (OTHER_GROUP, "PFS mismatch (group14 vs group19)")],
                         ids=["pfs-one-side", "pfs-group-differs"])
def test_ikev1_pfs_mismatch_stops_the_ipsec_sa(tmp_path, b_extra, reason):
    lab = deploy(tmp_path, "\n" + IKEV1, f"\n{IKEV1}\n{b_extra}")
    assert state(lab) == NO_IPSEC, lab.protocols.explain()
    assert child_reasons(lab) == [reason]
    assert lab.protocols.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 0


def test_ikev1_same_pfs_comes_up(tmp_path):
    lab = deploy(tmp_path, "\n" + IKEV1, "\n" + IKEV1)
    assert state(lab) == HEALTHY, lab.protocols.explain()
