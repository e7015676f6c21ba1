# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared cases of the state-check tests (module_utils/vpn_checks.py, the report, the report
action): replies as an SRX sends them, the expectations of both ends of tunnel a-b, a fake
device and a fake clock driving ``vpn_checks.poll``, and a healthy pair's results."""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import (
    RPC_BGP,
    RPC_IKE,
    RPC_IPSEC,
    normalise_expectations,
    poll,
)

# -- replies as an SRX sends them ------------------------------------------------------------


def ike_reply(*sas):
    """sas: (remote, state)"""
    rows = "".join(
        "<ike-security-associations>"
        f"<ike-sa-remote-address>{remote}</ike-sa-remote-address><ike-sa-index>{3544401 + n}</ike-sa-index>"
        f"<ike-sa-state>{state}</ike-sa-state><ike-sa-initiator-cookie>1946907e20fb9b73</ike-sa-initiator-cookie>"
        "<ike-sa-responder-cookie>88e4b8815dff2bb6</ike-sa-responder-cookie>"
        "<ike-sa-exchange-type>IKEv2</ike-sa-exchange-type></ike-security-associations>"
        for n, (remote, state) in enumerate(sas))
    return ('<rpc-reply><ike-security-associations-information style="brief">'
            f"{rows}</ike-security-associations-information></rpc-reply>")


def ipsec_reply(*sas, enc="aes-cbc-256/", auth="sha256"):
    """sas: (tunnel index, direction < or >, spi, remote gateway)"""
    rows = "".join(
        "<ipsec-security-associations>"
        f"<sa-direction>{'&lt;' if d == '<' else '&gt;'}</sa-direction><sa-tunnel-index>{tid}</sa-tunnel-index>"
        f"<sa-spi>{spi}</sa-spi><sa-aux-spi>0</sa-aux-spi><sa-remote-gateway>{gw}</sa-remote-gateway>"
        "<sa-port>500</sa-port><sa-vpn-monitoring-state>-</sa-vpn-monitoring-state><sa-protocol>ESP:</sa-protocol>"
        f"<sa-esp-encryption-algorithm>{enc}</sa-esp-encryption-algorithm><sa-hmac-algorithm>{auth}</sa-hmac-algorithm>"
        "<sa-hard-lifetime>3599</sa-hard-lifetime><sa-lifesize-remaining>unlim</sa-lifesize-remaining>"
        "<sa-virtual-system>root</sa-virtual-system></ipsec-security-associations>"
        for tid, d, spi, gw in sas)
    block = ("<ipsec-security-associations-block><sa-block-state>up</sa-block-state>"
             f"{rows}</ipsec-security-associations-block>") if sas else ""
    return ("<rpc-reply><ipsec-security-associations-information style=\"brief\">"
            f"<total-active-tunnels>{len(sas) // 2}</total-active-tunnels>{block}"
            "</ipsec-security-associations-information></rpc-reply>")


def bgp_reply(*peers):
    """peers: (address, peer AS, state, received prefixes or None)"""
    rows = []
    for address, peer_as, state, received in peers:
        rib = ("" if received is None else
               f"<bgp-rib><name>inet.0</name><active-prefix-count>{received}</active-prefix-count>"
               f"<received-prefix-count>{received}</received-prefix-count>"
               f"<accepted-prefix-count>{received}</accepted-prefix-count></bgp-rib>")
        rows.append(f"<bgp-peer><peer-address>{address}</peer-address><peer-as>{peer_as}</peer-as>"
                    "<input-messages>4</input-messages><output-messages>4</output-messages>"
                    f"<flap-count>0</flap-count><elapsed-time seconds=\"61\">1:01</elapsed-time>"
                    f"<peer-state>{state}</peer-state>{rib}</bgp-peer>")
    return (f"<rpc-reply><bgp-information><peer-count>{len(peers)}</peer-count>"
            f"{''.join(rows)}</bgp-information></rpc-reply>")


def neighbor_reply(address, state, last_error):
    return ("<rpc-reply><bgp-information><bgp-peer style=\"detail\">"
            f"<peer-address>{address}</peer-address><peer-as>200</peer-as><peer-state>{state}</peer-state>"
            f"<last-state>Idle</last-state><last-event>ConnectRetry</last-event><last-error>{last_error}</last-error>"
            "</bgp-peer></bgp-information></rpc-reply>")


def ping_reply(sent, received):
    loss = (sent - received) * 100 // sent
    rtt = ("<rtt-minimum>654</rtt-minimum><rtt-maximum>877</rtt-maximum>"
           "<rtt-average>752</rtt-average>") if received else ""
    tail = "<ping-success/>" if received else "<ping-failure>no response</ping-failure>"
    return (f"<rpc-reply><ping-results><target-host>10.0.1.2</target-host><probe-results-summary>"
            f"<probes-sent>{sent}</probes-sent><responses-received>{received}</responses-received>"
            f"<packet-loss>{loss}</packet-loss>{rtt}</probe-results-summary>{tail}</ping-results></rpc-reply>")


A_TUNNEL = {"name": "a-b", "remote_address": "1.1.1.2", "vpn": "IPSEC-VPN", "st0": "st0.0"}
A_PEER = {"peer_address": "10.0.1.2", "peer_as": 200, "tunnel": "a-b", "min_received_prefixes": 1}
A_PING = {"target": "10.0.1.2", "source": "10.0.1.1", "count": 3, "max_loss_percent": 0, "tunnel": "a-b"}
EXPECT = normalise_expectations([A_TUNNEL], [A_PEER], [A_PING])

IKE_UP = ike_reply(("1.1.1.2", "UP"))
IKE_NONE = ike_reply()
IPSEC_UP = ipsec_reply((131073, "<", "c78a8a5a", "1.1.1.2"), (131073, ">", "5e79cbc0", "1.1.1.2"))
IPSEC_NONE = ipsec_reply()
BGP_UP = bgp_reply(("10.0.1.2", 200, "Established", 1))
BGP_ACTIVE = bgp_reply(("10.0.1.2", 200, "Active", None))
PING_OK = ping_reply(3, 3)


class FakeDevice:
    """Answers RPCs from a script of states; ``states[i]`` serves round i (the last repeats).
    A state maps the RPC name to its reply (a string or an exception to raise)."""

    def __init__(self, *states, neighbor=None, ping=PING_OK):
        self.states = list(states)
        self.neighbor = neighbor
        self.ping = ping
        self.calls = []
        self.round = 0

    def state(self):
        return self.states[min(self.round, len(self.states) - 1)]

    def __call__(self, xml):
        self.calls.append(xml)
        if xml == RPC_IKE and len(self.calls) > 1:
            self.round += 1
        reply = (self.state().get(xml) if xml in (RPC_IKE, RPC_IPSEC, RPC_BGP)
                 else self.neighbor if xml.startswith("<get-bgp-neighbor") else self.ping)
        if isinstance(reply, Exception):
            raise reply
        return reply


HEALTHY = {RPC_IKE: IKE_UP, RPC_IPSEC: IPSEC_UP, RPC_BGP: BGP_UP}


class FakeClock:
    def __init__(self, rpc_cost=0.1):
        self.now = 1000.0
        self.sleeps = []
        self.rpc_cost = rpc_cost

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds

    def device(self, device):
        def call(xml):
            self.now += self.rpc_cost
            return device(xml)
        return call


def run(device, expect=EXPECT, timeout=10.0, interval=0.5, clock=None):
    clock = clock or FakeClock()
    result = poll(expect, clock.device(device), timeout, interval, clock=clock.clock, sleep=clock.sleep)
    return result, clock


def kinds(result):
    return [(p["type"], p["name"], p["kind"]) for p in result["problems"]]


# -- a healthy pair's results (srx-a, srx-b) ---------------------------------------------------
WHEN = "2026-01-01T00:00:00+00:00"
B_EXPECT = normalise_expectations(
    [{"name": "a-b", "remote_address": "1.1.1.1", "vpn": "IPSEC-VPN", "st0": "st0.0"}],
    [{"peer_address": "10.0.1.1", "peer_as": 100, "tunnel": "a-b", "min_received_prefixes": 1}],
    [{"target": "10.0.1.1", "source": "10.0.1.2", "tunnel": "a-b"}])
B_HEALTHY = {
    RPC_IKE: ike_reply(("1.1.1.1", "UP")),
    RPC_IPSEC: ipsec_reply((131073, "<", "5e79cbc0", "1.1.1.1"), (131073, ">", "c78a8a5a", "1.1.1.1")),
    RPC_BGP: bgp_reply(("10.0.1.1", 100, "Established", 1)),
}


def result(expect, state, timeout=0):
    return run(FakeDevice(state), expect=expect, timeout=timeout)[0]


def healthy_pair():
    return {"srx-b": result(B_EXPECT, B_HEALTHY), "srx-a": result(EXPECT, HEALTHY)}
