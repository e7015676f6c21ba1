"""The case table of the differential test (model backend vs real backend).

Every case starts from the reference pair (tests/lab/fixtures/srx-*-reference.set) and adds
set/delete lines to one or both ends, committed once per device. ``steps`` are then run on
the lab, in order: ``srxlab`` commands (``("stop", "srx-b")``, ``("link", "down", "srx-a",
"ge-0/0/0")``) or ``(AWAIT_IKE_DOWN,)``, which waits until no running device shows an IKE SA
up (and fails the case if that does not happen). A stopped device is left out of the
comparison; what the steps change is undone after the case. ``diverges`` names a known
difference between the model and the daemons (the test expects it: xfail, strict).
Add a row to grow the table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

AWAIT_IKE_DOWN = "await-ike-down"
GW = "set security ike gateway IKE-GATEWAY "
IKEV1 = GW + "version v1-only"
UNTRUST_HOST_INBOUND = "delete security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic"
NO_PFS = "delete security ipsec policy IPSEC-POLICY perfect-forward-secrecy"
TS = "set security ipsec vpn IPSEC-VPN traffic-selector "
# a short dead peer detection (interval x threshold = 4 s) keeps the teardown cases short
FAST_DPD = [GW + "dead-peer-detection interval 2", GW + "dead-peer-detection threshold 2"]
NOT_FILTERED = ("the real backend does not filter host-inbound traffic (no nftables or iptables "
                "in the lab's namespaces), so the daemons negotiate anyway")


@dataclass(frozen=True)
class Case:
    name: str
    a: list[str] = field(default_factory=list)
    b: list[str] = field(default_factory=list)
    steps: list[tuple[str, ...]] = field(default_factory=list)
    diverges: str | None = None

    def stopped(self) -> set[str]:
        """Devices the steps leave powered off."""
        off: set[str] = set()
        for step in self.steps:
            if step[0] == "stop":
                off.add(step[1])
            elif step[0] == "start":
                off.discard(step[1])
        return off

    def undo(self) -> list[tuple[str, ...]]:
        """``srxlab`` commands that bring the lab back to all devices on, all links up."""
        out = []
        for step in reversed(self.steps):
            if step[0] == "stop":
                out.append(("start", step[1]))
            elif step[:2] == ("link", "down"):
                out.append(("link", "up", *step[2:]))
        return out


CASES = [
    Case("reference-pair-up"),
    # phase 1
    Case("psk-mismatch",
         b=["set security ike policy IKE-POLICY pre-shared-key ascii-text not-the-same-key"]),
    Case("ike-proposal-mismatch",
         b=["set security ike proposal IKE-PROPOSAL dh-group group19"]),
    Case("ike-version-mismatch",
         b=[IKEV1]),
    Case("both-ikev1-main-mode",
         a=[IKEV1], b=[IKEV1]),
    Case("both-ikev1-aggressive-mode",
         a=[IKEV1, "set security ike policy IKE-POLICY mode aggressive"],
         b=[IKEV1, "set security ike policy IKE-POLICY mode aggressive"]),
    Case("ikev1-mode-mismatch",
         a=[IKEV1, "set security ike policy IKE-POLICY mode aggressive"],
         b=[IKEV1]),
    Case("ike-lifetimes-differ",
         a=["set security ike proposal IKE-PROPOSAL lifetime-seconds 3600"]),
    Case("remote-identity-mismatch",
         a=[GW + "remote-identity hostname other.example.net"]),
    Case("responder-gateway-names-another-address",
         b=["delete security ike gateway IKE-GATEWAY address", GW + "address 1.1.1.3"]),
    Case("no-host-inbound-ike",
         b=[UNTRUST_HOST_INBOUND + " system-services ike"],
         diverges=NOT_FILTERED),
    # phase 2
    Case("ipsec-proposal-mismatch",
         b=["set security ipsec proposal IPSEC-PROPOSAL encryption-algorithm aes-128-cbc"]),
    Case("esp-aes-gcm-both-ends",
         a=["set security ipsec proposal IPSEC-PROPOSAL encryption-algorithm aes-256-gcm",
            "delete security ipsec proposal IPSEC-PROPOSAL authentication-algorithm"],
         b=["set security ipsec proposal IPSEC-PROPOSAL encryption-algorithm aes-256-gcm",
            "delete security ipsec proposal IPSEC-PROPOSAL authentication-algorithm"]),
    # IKEv2: the first IPsec SA is negotiated in IKE_AUTH without a DH exchange (RFC 7296)
    Case("pfs-mismatch-ikev2",
         b=[NO_PFS]),
    # IKEv1: quick mode carries the KE payload, both ends must agree
    Case("pfs-mismatch-ikev1",
         a=[IKEV1], b=[IKEV1, NO_PFS]),
    # traffic selectors: one per end, as the real backend's child carries the VPN's selectors
    # as lists (one SA pair) where Junos negotiates one SA pair per selector
    Case("traffic-selectors-match",
         a=[TS + "TS-1 local-ip 10.0.1.0/24", TS + "TS-1 remote-ip 10.0.1.0/24"],
         b=[TS + "TS-1 local-ip 10.0.1.0/24", TS + "TS-1 remote-ip 10.0.1.0/24"]),
    Case("traffic-selectors-mismatch",
         a=[TS + "TS-1 local-ip 10.0.1.0/24", TS + "TS-1 remote-ip 10.0.1.0/24"],
         b=[TS + "TS-1 local-ip 10.0.1.0/24", TS + "TS-1 remote-ip 10.9.0.0/16"]),
    Case("no-establish-tunnels-either-end",
         a=["delete security ipsec vpn IPSEC-VPN establish-tunnels"]),
    # BGP over the tunnel
    Case("bgp-peer-as-mismatch",
         a=["set protocols bgp group EBGP peer-as 300"]),
    Case("bgp-without-export-policy",
         a=["delete protocols bgp group EBGP export"],
         b=["delete protocols bgp group EBGP export"]),
    Case("st0-in-different-subnets",
         b=["delete interfaces st0 unit 0 family inet address 10.0.1.2/24",
            "set interfaces st0 unit 0 family inet address 10.0.2.2/24"],
         diverges="kernel-libipsec routes what the peer's traffic selectors cover (its st0 subnet) "
                  "into the tunnel, so srx-b still reaches 10.0.1.1; Junos (and the model) have no "
                  "route to it"),
    Case("no-host-inbound-bgp",
         b=["delete security zones security-zone VPN host-inbound-traffic protocols bgp"],
         diverges=NOT_FILTERED),
    # events after the commit
    Case("dpd-peer-stopped",
         a=FAST_DPD, b=FAST_DPD,
         steps=[("stop", "srx-b")]),
    Case("link-down-and-up",
         a=FAST_DPD, b=FAST_DPD,
         steps=[("link", "down", "srx-a", "ge-0/0/0"), (AWAIT_IKE_DOWN,), ("link", "up", "srx-a", "ge-0/0/0")]),
]
