"""Traffic selectors and proxy-identity in the protocol plane: one IPsec SA pair per agreed
selector pair, IKEv2 narrowing, TS_UNACCEPTABLE, traffic into st0 only inside an SA's
selectors, the SA outputs (XML, JSON, text) read back by the product's parsers, and the
commit check refusing traffic selectors next to proxy-identity."""
from __future__ import annotations

import argparse
import json

import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import state_inputs as S
from lxml import etree
from srxlab import cli
from srxlab import messages as M
from test_device import commit, errors, load_set, rpc
from test_protocols import HEALTHY, NO_IPSEC, deploy, push, settle, state

VPN = "set security ipsec vpn IPSEC-VPN "
GW = "set security ike gateway IKE-GATEWAY "
MISMATCH = "traffic selector mismatch (TS_UNACCEPTABLE)"


def ts(name, local, remote):
    return f"{VPN}traffic-selector {name} local-ip {local}\n{VPN}traffic-selector {name} remote-ip {remote}\n"


def mirrored(*pairs):
    """Traffic selectors for srx-a and the mirrored ones for srx-b: TS-1, TS-2, ..."""
    a = "".join(ts(f"TS-{i}", local, remote) for i, (local, remote) in enumerate(pairs, 1))
    b = "".join(ts(f"TS-{i}", remote, local) for i, (local, remote) in enumerate(pairs, 1))
    return a, b


TUNNEL_AND_LOOPBACKS = (("10.0.1.0/24", "10.0.1.0/24"), ("192.168.1.1/32", "192.168.2.2/32"))


def children(lab):
    return [c for item in lab.protocols.explain() if "tunnel" in item for c in item["children"]]


def pairs(lab, device):
    """(tunnel id, traffic selector, local, remote) of each SA pair (inbound rows)."""
    return [(sa.tunnel_id, sa.traffic_selector, sa.local_identity, sa.remote_identity)
            for sa in lab.protocols.ipsec_sas(device) if sa.direction == "inbound"]


def ping(lab, device, target, source=None):
    p = lab.protocols
    p.ping(device, target, source, 1)   # an on-traffic tunnel would start here
    settle(lab)
    return p.ping(device, target, source, 3).received


def test_several_selectors_are_several_sa_pairs(tmp_path):
    a, b = mirrored(*TUNNEL_AND_LOOPBACKS)
    lab = deploy(tmp_path, a, b)
    assert state(lab) == {d: (1, 4, ["Established"]) for d in ("srx-a", "srx-b")}
    assert pairs(lab, "srx-a") == [(131073, "TS-1", "10.0.1.0/24", "10.0.1.0/24"),
                                   (131074, "TS-2", "192.168.1.1/32", "192.168.2.2/32")]
    assert pairs(lab, "srx-b") == [(131073, "TS-1", "10.0.1.0/24", "10.0.1.0/24"),
                                   (131074, "TS-2", "192.168.2.2/32", "192.168.1.1/32")]
    # each pair has its own SPIs, one side's inbound being the other's outbound
    a_sas, b_sas = lab.protocols.ipsec_sas("srx-a"), lab.protocols.ipsec_sas("srx-b")
    assert len({sa.spi for sa in a_sas}) == 4
    assert [(sa.tunnel_id, sa.direction, sa.spi) for sa in a_sas] == [
        (sb.tunnel_id, "inbound" if sb.direction == "outbound" else "outbound", sb.spi)
        for sb in sorted(b_sas, key=lambda s: (s.tunnel_id, s.direction == "inbound"))]


def test_ping_passes_only_inside_an_sa_selector_pair(tmp_path):
    a, b = mirrored(*TUNNEL_AND_LOOPBACKS)
    lab = deploy(tmp_path, a, b)
    assert ping(lab, "srx-a", "10.0.1.2") == 3                      # st0 -> st0: TS-1
    assert ping(lab, "srx-a", "192.168.2.2", "192.168.1.1") == 3    # loopbacks: TS-2
    assert ping(lab, "srx-a", "192.168.2.2") == 0                   # from st0.0 to a loopback: none
    assert ping(lab, "srx-a", "10.0.1.2", "not-an-address") == 0
    assert ping(lab, "srx-b", "192.168.1.1", "192.168.2.2") == 3


def test_without_selectors_everything_passes(tmp_path):
    lab = deploy(tmp_path)
    assert state(lab) == HEALTHY
    assert pairs(lab, "srx-a") == [(131073, None, "0.0.0.0/0", "0.0.0.0/0")]
    assert ping(lab, "srx-a", "192.168.2.2") == 3


def test_ikev2_responder_narrows_to_a_proposal_inside_its_selector(tmp_path):
    # srx-a establishes immediately: it proposes, srx-b holds the proposal in a wider selector
    lab = deploy(tmp_path, ts("TS-1", "10.0.1.0/24", "10.0.1.0/24"), ts("WIDE", "10.0.0.0/16", "10.0.0.0/16"))
    assert state(lab) == {d: (1, 2, ["Established"]) for d in ("srx-a", "srx-b")}
    assert pairs(lab, "srx-a") == [(131073, "TS-1", "10.0.1.0/24", "10.0.1.0/24")]
    assert pairs(lab, "srx-b") == [(131073, "WIDE", "10.0.1.0/24", "10.0.1.0/24")]


def test_a_proposal_wider_than_the_responder_selector_is_refused(tmp_path):
    lab = deploy(tmp_path, ts("WIDE", "10.0.0.0/16", "10.0.0.0/16"), ts("TS-1", "10.0.1.0/24", "10.0.1.0/24"))
    assert state(lab) == NO_IPSEC
    assert [c["reason"] for c in children(lab)] == [MISMATCH]


def test_ikev1_needs_the_exact_mirror(tmp_path):
    v1 = GW + "version v1-only\n"
    lab = deploy(tmp_path, v1 + ts("TS-1", "10.0.1.0/24", "10.0.1.0/24"),
                 v1 + ts("WIDE", "10.0.0.0/16", "10.0.0.0/16"))
    assert state(lab) == NO_IPSEC
    assert [c["reason"] for c in children(lab)] == [MISMATCH]
    lab.shutdown()
    a, b = mirrored(("10.0.1.0/24", "10.0.1.0/24"))
    lab = deploy(tmp_path / "exact", v1 + a, v1 + b)
    assert state(lab) == {d: (1, 2, ["Established"]) for d in ("srx-a", "srx-b")}


def test_mismatch_has_no_ipsec_sa_and_explain_says_why(tmp_path, monkeypatch, capsys):
    lab = deploy(tmp_path, ts("TS-1", "10.0.1.0/24", "10.0.1.0/24"), ts("TS-1", "10.0.1.0/24", "10.9.0.0/16"))
    assert state(lab) == NO_IPSEC
    tunnel = next(item for item in lab.protocols.explain() if "tunnel" in item)
    assert tunnel["ok"] and tunnel["children"][0]["reason"] == MISMATCH
    assert ping(lab, "srx-a", "10.0.1.2") == 0
    # `srxlab explain` prints what the running lab's control API answers
    monkeypatch.setattr(cli, "control_request", lambda _state_dir, request: lab.control(request))
    assert cli.cmd_explain(argparse.Namespace(state_dir=tmp_path)) == 0
    assert f"  ipsec srx-a:IPSEC-VPN <-> srx-b:IPSEC-VPN: DOWN: {MISMATCH}" in capsys.readouterr().out.splitlines()


def test_one_side_only_with_selectors(tmp_path):
    # srx-a proposes its selector, srx-b (0.0.0.0/0 both ways) holds it
    lab = deploy(tmp_path, ts("TS-1", "10.0.1.0/24", "10.0.1.0/24"))
    assert state(lab) == {d: (1, 2, ["Established"]) for d in ("srx-a", "srx-b")}
    assert pairs(lab, "srx-b") == [(131073, None, "10.0.1.0/24", "10.0.1.0/24")]
    assert ping(lab, "srx-b", "10.0.1.1") == 3
    assert ping(lab, "srx-b", "192.168.1.1") == 0   # st0.0 -> srx-a's loopback: outside the SA


def test_bgp_needs_a_selector_holding_the_session(tmp_path):
    a, b = mirrored(("192.168.1.1/32", "192.168.2.2/32"))
    lab = deploy(tmp_path, a, b)
    assert state(lab) == {d: (1, 2, ["Active"]) for d in ("srx-a", "srx-b")}
    reasons = {tuple(item["bgp"]): item["reason"] for item in lab.protocols.explain() if "bgp" in item}
    assert reasons[("srx-a", "10.0.1.2")] == "no traffic selector of IPSEC-VPN holds 10.0.1.1 -> 10.0.1.2"


def test_proxy_identity_mirrored_comes_up(tmp_path):
    proxy = "set security ipsec vpn IPSEC-VPN ike proxy-identity "
    lab = deploy(tmp_path, f"{proxy}local 10.0.1.0/24\n{proxy}remote 10.0.1.0/24\n",
                 f"{proxy}local 10.0.1.0/24\n{proxy}remote 10.0.1.0/24\n")
    assert state(lab) == HEALTHY
    assert pairs(lab, "srx-a") == [(131073, None, "10.0.1.0/24", "10.0.1.0/24")]
    assert ping(lab, "srx-a", "10.0.1.2") == 3
    assert ping(lab, "srx-a", "192.168.2.2", "192.168.1.1") == 0


def test_proxy_identity_is_an_exact_match_even_with_ikev2(tmp_path):
    proxy = "set security ipsec vpn IPSEC-VPN ike proxy-identity "
    lab = deploy(tmp_path, f"{proxy}local 10.0.1.0/24\n{proxy}remote 10.0.1.0/24\n",
                 f"{proxy}local 10.0.0.0/16\n{proxy}remote 10.0.0.0/16\n")
    assert state(lab) == NO_IPSEC
    assert [c["reason"] for c in children(lab)] == [MISMATCH]


def test_changing_a_selector_renegotiates(tmp_path):
    a, b = mirrored(("10.0.1.0/24", "10.0.1.0/24"))
    lab = deploy(tmp_path, a, b)
    assert state(lab)["srx-a"] == (1, 2, ["Established"])
    push(lab, "srx-b", ts("TS-1", "10.0.1.0/24", "10.9.0.0/16"))
    settle(lab)
    assert state(lab)["srx-a"][1] == 0
    push(lab, "srx-b", ts("TS-1", "10.0.1.0/24", "10.0.1.0/24"))
    settle(lab)
    assert state(lab)["srx-a"] == (1, 2, ["Established"])


# -- operational output ------------------------------------------------------------------------

def show(lab, device, fmt, detail=True):
    s = lab.devices[device].new_session("root")
    body = "<detail/>" if detail else ""
    reply = rpc(s, f"<get-security-associations-information format='{fmt}'>{body}"
                   "</get-security-associations-information>")[0]
    s.close()
    if fmt == "json":
        return json.loads(reply)
    if fmt == "text":
        return reply.text
    return etree.tostring(reply, encoding="unicode")


@pytest.fixture
def two_selectors(tmp_path):
    a, b = mirrored(*TUNNEL_AND_LOOPBACKS)
    return deploy(tmp_path, a, b)


def test_detail_output_shows_each_selector_pair(two_selectors):
    text = show(two_selectors, "srx-a", "text")
    assert "  Total active tunnels" not in text
    blocks = text.split("  ID: ")[1:]
    assert len(blocks) == 2
    assert blocks[1].splitlines()[:5] == [
        "131074 Virtual-system: root, VPN Name: IPSEC-VPN",
        "  Local Gateway: 1.1.1.1, Remote Gateway: 1.1.1.2",
        "  Traffic Selector Name: TS-2",
        "  Local Identity: ipv4_subnet(any:0,[0..7]=192.168.1.1/32)",
        "  Remote Identity: ipv4_subnet(any:0,[0..7]=192.168.2.2/32)",
    ]
    xml = etree.fromstring(show(two_selectors, "srx-a", "xml"))
    block = xml.findall("ipsec-security-associations-block")[0]
    assert [block.findtext(t) for t in ("sa-traffic-selector-name", "sa-local-identity", "sa-remote-identity")] \
        == ["TS-1", "ipv4_subnet(any:0,[0..7]=10.0.1.0/24)", "ipv4_subnet(any:0,[0..7]=10.0.1.0/24)"]
    brief = show(two_selectors, "srx-a", "text", detail=False)
    assert "Total active tunnels: 2     Total Ipsec sas: 2" in brief


@pytest.mark.parametrize("fmt", ["xml", "json", "text"])
def test_product_parsers_read_the_selectors(two_selectors, fmt):
    records = S.parse_ipsec_sas(show(two_selectors, "srx-b", fmt))
    assert [(r["tunnel_id"], r["direction"], r["traffic_selector"], r["local_identity"], r["remote_identity"])
            for r in records] == [
        (131073, "inbound", "TS-1", "10.0.1.0/24", "10.0.1.0/24"),
        (131073, "outbound", "TS-1", "10.0.1.0/24", "10.0.1.0/24"),
        (131074, "inbound", "TS-2", "192.168.2.2/32", "192.168.1.1/32"),
        (131074, "outbound", "TS-2", "192.168.2.2/32", "192.168.1.1/32"),
    ]
    brief = S.parse_ipsec_sas(show(two_selectors, "srx-b", fmt, detail=False))
    assert {(r["traffic_selector"], r["local_identity"]) for r in brief} == {(None, None)}


# -- commit check ----------------------------------------------------------------------------

def test_commit_refuses_traffic_selector_with_proxy_identity(tmp_path):
    lab = deploy(tmp_path)
    s = lab.devices["srx-a"].new_session("root")
    reply = load_set(s, ts("TS-1", "10.0.1.0/24", "10.0.1.0/24")
                     + "set security ipsec vpn IPSEC-VPN ike proxy-identity local 10.0.1.0/24\n")
    assert reply[0].find("ok") is not None
    found = errors(commit(s))
    assert ("error", "[edit security ipsec vpn IPSEC-VPN]",
            M.TRAFFIC_SELECTOR_WITH_PROXY_ID.format(name="IPSEC-VPN")) in found
    assert ("error", None, M.CHECKOUT_FAILED) in found
    # either alone commits
    rpc(s, "<discard-changes/>")
    load_set(s, ts("TS-1", "10.0.1.0/24", "10.0.1.0/24"))
    assert commit(s)[0].find("routing-engine/commit-success") is not None
    s.close()
