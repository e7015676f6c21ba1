"""IKE responder gateway matching: a device answers an IKE initiation only with a gateway
that matches the initiator (by address for a static peer, by IKE identity for a dynamic
one), and both ends accept the identity the other presents; `explain` says why not."""
from __future__ import annotations

import pytest
from test_protocols import (
    GW,
    HEALTHY,
    NAT_B,
    NAT_B_ID,
    NO_IKE,
    deploy,
    push,
    settle,
    state,
)

DEL_B_ADDRESS = "delete security ike gateway IKE-GATEWAY address\n"
# srx-b answers srx-a by the host name srx-a presents instead of by its address
DYNAMIC_B = DEL_B_ADDRESS + GW + "dynamic hostname srx-a.example.net"
A_AS_HOST = GW + "local-identity hostname srx-a.example.net"
NO_BGP = "delete protocols"
ON_TRAFFIC = "delete security ipsec vpn IPSEC-VPN establish-tunnels"


def tunnels(lab):
    return [e for e in lab.protocols.explain() if "tunnel" in e]


def reasons(lab):
    return {tuple(":".join(end) for end in e["tunnel"]): e["reason"] for e in tunnels(lab) if not e["ok"]}


def roles(lab):
    return {d: [sa.role for sa in lab.protocols.ike_sas(d)] for d in ("srx-a", "srx-b")}


def test_static_peer_address_mismatch_no_responder(tmp_path):
    lab = deploy(tmp_path, b_extra="\n" + DEL_B_ADDRESS + GW + "address 1.1.1.3")
    assert state(lab) == NO_IKE
    assert lab.protocols.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 0
    assert reasons(lab) == {
        ("srx-a:IKE-GATEWAY", "srx-b"):
            "srx-b has no IKE gateway matching srx-a: none has address 1.1.1.1 or a dynamic identity inet 1.1.1.1",
        ("srx-b:IKE-GATEWAY", "1.1.1.3"): "peer unreachable: no device has 1.1.1.3",
    }


def test_backup_address_is_answered(tmp_path):
    """`address` is the primary peer then backups: srx-b initiates to its primary (nobody
    there), but answers srx-a, which its list names."""
    lab = deploy(tmp_path, b_extra="\n" + DEL_B_ADDRESS + GW + "address 1.1.1.3\n" + GW + "address 1.1.1.1")
    assert state(lab) == HEALTHY
    assert roles(lab) == {"srx-a": ["Initiator"], "srx-b": ["Responder"]}
    assert not reasons(lab)  # srx-b's unanswered primary is not reported: its gateway is in a tunnel


def test_responder_gateway_on_another_external_interface(tmp_path):
    lab = deploy(tmp_path, b_extra="\nset interfaces ge-0/0/1 unit 0 family inet address 1.1.2.2/24\n"
                 + GW + "external-interface ge-0/0/1.0")
    assert state(lab) == NO_IKE
    assert reasons(lab)[("srx-a:IKE-GATEWAY", "srx-b")] == (
        "srx-b has no IKE gateway for 1.1.1.1 on ge-0/0/0.0: IKE-GATEWAY has another external-interface "
        "or local-address")


def test_dynamic_gateway_on_another_external_interface(tmp_path):
    lab = deploy(tmp_path, "\n" + A_AS_HOST, "\nset interfaces ge-0/0/1 unit 0 family inet address 1.1.2.2/24\n"
                 + DYNAMIC_B + "\n" + GW + "external-interface ge-0/0/1.0")
    assert state(lab) == NO_IKE
    assert reasons(lab) == {("srx-a:IKE-GATEWAY", "srx-b"):
                            "srx-b has no IKE gateway for 1.1.1.1 on ge-0/0/0.0: IKE-GATEWAY has another "
                            "external-interface or local-address"}


def test_initiator_local_address_not_named_by_responder(tmp_path):
    """srx-a sources IKE from a second address; srx-b's gateway names the first one."""
    a = "\nset interfaces ge-0/0/0 unit 0 family inet address 1.1.1.11/24\n" + GW + "local-address 1.1.1.11"
    lab = deploy(tmp_path, a)
    assert state(lab) == NO_IKE
    assert "none has address 1.1.1.11" in reasons(lab)[("srx-a:IKE-GATEWAY", "srx-b")]
    # naming that address on srx-b (as identity too: srx-a presents it) brings the tunnel up
    lab = deploy(tmp_path / "fixed", a, "\n" + DEL_B_ADDRESS + GW + "address 1.1.1.11")
    assert state(lab) == HEALTHY


def test_dynamic_hostname_match(tmp_path):
    lab = deploy(tmp_path, "\n" + A_AS_HOST, "\n" + DYNAMIC_B)
    assert state(lab) == HEALTHY
    assert roles(lab) == {"srx-a": ["Initiator"], "srx-b": ["Responder"]}
    assert lab.protocols.ike_sas("srx-b")[0].remote_address == "1.1.1.1"


def test_dynamic_hostname_mismatch(tmp_path):
    lab = deploy(tmp_path, "\n" + GW + "local-identity hostname other.example.net", "\n" + DYNAMIC_B)
    assert state(lab) == NO_IKE
    assert reasons(lab) == {("srx-a:IKE-GATEWAY", "srx-b"):
                            "srx-b has no IKE gateway matching srx-a: none has address 1.1.1.1 "
                            "or a dynamic identity hostname other.example.net"}


@pytest.mark.parametrize("kind,value", [("user-at-hostname", "vpn@srx-a.example.net"), ("inet", "1.1.1.1")])
def test_dynamic_user_at_hostname_and_inet(tmp_path, kind, value):
    a = f"\n{GW}local-identity {kind} {value}" if kind != "inet" else ""  # inet: the default identity
    lab = deploy(tmp_path, a, f"\n{DEL_B_ADDRESS}{GW}dynamic {kind} {value}")
    assert state(lab) == HEALTHY


def test_dynamic_gateway_never_initiates(tmp_path):
    """On-traffic tunnel: srx-b's traffic cannot start it (its gateway has no peer address),
    srx-a's does."""
    lab = deploy(tmp_path, f"\n{A_AS_HOST}\n{NO_BGP}\n{ON_TRAFFIC}", f"\n{DYNAMIC_B}\n{NO_BGP}\n"
                 "set security ipsec vpn IPSEC-VPN establish-tunnels immediately")
    p = lab.protocols
    assert state(lab) == {"srx-a": (0, 0, []), "srx-b": (0, 0, [])}  # `immediately` on a responder only
    assert p.ping("srx-b", "10.0.1.1", "10.0.1.2", 3).received == 0
    settle(lab)
    assert state(lab) == {"srx-a": (0, 0, []), "srx-b": (0, 0, [])}
    assert p.ping("srx-a", "10.0.1.2", "10.0.1.1", 3).received == 0  # starts the negotiation, is lost
    settle(lab)
    assert state(lab) == {"srx-a": (1, 2, []), "srx-b": (1, 2, [])}
    assert roles(lab) == {"srx-a": ["Initiator"], "srx-b": ["Responder"]}


def test_dynamic_gateway_ikev1_needs_aggressive_mode(tmp_path):
    v1 = GW + "version v1-only"
    lab = deploy(tmp_path, f"\n{A_AS_HOST}\n{v1}", f"\n{DYNAMIC_B}\n{v1}")
    assert state(lab) == NO_IKE
    assert reasons(lab)[("srx-a:IKE-GATEWAY", "srx-b:IKE-GATEWAY")].startswith(
        "srx-b: a dynamic gateway with a pre-shared key needs IKEv1 aggressive mode")
    aggressive = "set security ike policy IKE-POLICY mode aggressive"
    lab = deploy(tmp_path / "aggressive", f"\n{A_AS_HOST}\n{v1}\n{aggressive}", f"\n{DYNAMIC_B}\n{v1}\n{aggressive}")
    assert state(lab) == HEALTHY


def test_local_identity_mismatch(tmp_path):
    """srx-a presents an identity srx-b's gateway does not expect (by default: the address it names)."""
    lab = deploy(tmp_path, "\n" + GW + "local-identity inet 9.9.9.9")
    assert state(lab) == NO_IKE
    assert reasons(lab) == {("srx-a:IKE-GATEWAY", "srx-b:IKE-GATEWAY"):
                            "IKE identity mismatch (AUTHENTICATION_FAILED): srx-b IKE-GATEWAY expects inet 1.1.1.1, "
                            "srx-a presents inet 9.9.9.9"}
    # srx-b told what to expect (or told to accept any identity): up
    lab = deploy(tmp_path / "expected", "\n" + GW + "local-identity inet 9.9.9.9",
                 "\n" + GW + "remote-identity inet 9.9.9.9")
    assert state(lab) == HEALTHY
    lab = deploy(tmp_path / "general", "\n" + GW + "local-identity inet 9.9.9.9", "\n" + GW + "general-ikeid")
    assert state(lab) == HEALTHY


def test_remote_identity_mismatch(tmp_path):
    """srx-a requires a host name srx-b does not present; srx-b presenting it fixes it."""
    want = "\n" + GW + "remote-identity hostname srx-b.example.net"
    lab = deploy(tmp_path, want)
    assert state(lab) == NO_IKE
    assert reasons(lab)[("srx-a:IKE-GATEWAY", "srx-b:IKE-GATEWAY")] == (
        "IKE identity mismatch (AUTHENTICATION_FAILED): srx-a IKE-GATEWAY expects hostname srx-b.example.net, "
        "srx-b presents inet 1.1.1.2")
    lab = deploy(tmp_path / "fixed", want, "\n" + GW + "local-identity hostname srx-b.example.net")
    assert state(lab) == HEALTHY


def test_identity_kind_matters(tmp_path):
    lab = deploy(tmp_path, "\n" + GW + "remote-identity hostname 1.1.1.2")
    assert state(lab) == NO_IKE


def test_nat_peer_must_present_its_public_address(tmp_path):
    """Behind a NAT, srx-b's default identity is its inside address, not the address srx-a names."""
    lab = deploy(tmp_path, topology="seed-pair-nat", b_base=NAT_B)
    assert state(lab) == NO_IKE
    assert reasons(lab)[("srx-a:IKE-GATEWAY", "srx-b:IKE-GATEWAY")] == (
        "IKE identity mismatch (AUTHENTICATION_FAILED): srx-a IKE-GATEWAY expects inet 1.1.1.2, "
        "srx-b presents inet 192.168.100.2")
    lab = deploy(tmp_path / "fixed", "", NAT_B_ID, topology="seed-pair-nat", b_base=NAT_B)
    assert state(lab) == HEALTHY


def test_nat_inside_address_is_not_a_peer_address(tmp_path):
    """srx-a names srx-b's inside address: unreachable from the internet, and srx-b's
    initiations arrive from the public address srx-a does not name."""
    a = "\n" + "delete security ike gateway IKE-GATEWAY address\n" + GW + "address 192.168.100.2"
    lab = deploy(tmp_path, a, topology="seed-pair-nat", b_base=NAT_B)
    assert state(lab) == NO_IKE
    why = reasons(lab)
    assert why[("srx-a:IKE-GATEWAY", "srx-b")].startswith(
        "peer unreachable: 192.168.100.2 is srx-b's address behind a NAT")
    assert why[("srx-b:IKE-GATEWAY", "srx-a")] == (
        "srx-a has no IKE gateway matching srx-b: none has address 1.1.1.2 or a dynamic identity inet 192.168.100.2")


def test_responder_change_alone_brings_the_tunnel_up(tmp_path):
    """The responder's later commit re-evaluates the initiator's refused initiation."""
    lab = deploy(tmp_path, "\n" + A_AS_HOST, "\n" + DEL_B_ADDRESS + GW + "dynamic hostname wrong.example.net")
    assert state(lab) == NO_IKE
    push(lab, "srx-b", GW + "dynamic hostname srx-a.example.net")
    settle(lab)
    assert state(lab) == HEALTHY
    assert not reasons(lab)
