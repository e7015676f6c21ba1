# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_state
short_description: Wait until the IPsec tunnels, BGP sessions and pings of an SRX hold, or say why not
version_added: "0.1.0"
author: netops.srx_vpn maintainers (!UNKNOWN)
description:
  - Polls the operational state of one Junos SRX over its existing NETCONF connection (no second
    login) until every expected tunnel, BGP peer and ping holds, or the deadline passes.
  - "A polling round reads C(get-ike-security-associations-information) and
    C(get-security-associations-information) (when O(tunnels) are expected) and
    C(get-bgp-summary-information) (when O(bgp_peers) are expected): three RPCs for a tunnel with
    BGP over it. A ping with O(pings[].tunnel) runs in a round where that tunnel and its BGP peers
    hold, a ping without one in a round where every tunnel and BGP expectation holds, one C(ping)
    RPC each. A healthy device therefore answers in one round."
  - "A tunnel holds when there is an IKE SA in state UP with its O(tunnels[].remote_address) and
    one inbound and one outbound IPsec SA whose remote gateway is that address (and, when given,
    the expected O(tunnels[].encryption) and O(tunnels[].integrity)). A BGP peer holds when it is
    configured with the expected peer AS, is Established and has received at least
    O(bgp_peers[].min_received_prefixes). A ping holds when its loss is at most
    O(pings[].max_loss_percent)."
  - Returns per tunnel and per peer the observed state, SPIs, algorithms, uptime and prefixes,
    and the C(problems), each with a likely cause where the evidence points to one.
  - "Likely causes: no IKE SA at all - the gateway is unreachable, host-inbound-traffic
    system-services ike is missing, or the IKE proposal or pre-shared key does not match (Junos
    cannot tell these apart from one side, and the cause says so); IKE up but no IPsec SA - a
    phase-2 proposal or PFS group mismatch; tunnel up but BGP not Established - host-inbound-traffic
    protocols bgp missing or a peer AS mismatch (at the deadline, one
    C(get-bgp-neighbor-information) per such peer reads its last error: C(Open Message Error)
    means the AS numbers disagree); BGP peer down over a tunnel that is down - the tunnel."
  - Fails when the expectations do not hold at the deadline, with one summary line per problem in
    C(msg); the results are returned all the same.
  - Read-only; check mode runs the same RPCs.
requirements:
  - ncclient
  - lxml
  - netaddr
notes:
  - Needs C(ansible_connection=ansible.netcommon.netconf) and C(ansible_network_os=junipernetworks.junos.junos);
    the RPCs go through that persistent connection.
  - The brief SA outputs of Junos carry no tunnel uptime; the IPsec result gives the seconds left
    of the SA lifetime, and each BGP peer its uptime.
  - Pings use C(rapid), so a ping of N probes takes about N round-trip times, not N seconds.
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The module only reads state; check mode makes no difference.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: junos
options:
  tunnels:
    description:
      - The tunnel ends on this device, as the deploy step derives them from the intent.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Tunnel name from the intent; labels results and problems.
        type: str
        required: true
      remote_address:
        description:
          - Public address of the peer; the remote address of the IKE SA and the remote gateway
            of the IPsec SAs of this tunnel.
          - Several tunnels to one gateway take its IPsec SA pairs in order of tunnel index.
        type: str
        required: true
      vpn:
        description: Name of the C([security ipsec vpn]); informational (the brief SA outputs do not show it).
        type: str
      st0:
        description: The st0 unit the VPN is bound to; informational.
        type: str
      encryption:
        description:
          - Expected ESP encryption of the IPsec SA, as configured (V(aes-256-cbc)) or as Junos prints
            it (V(aes-cbc-256)). A different negotiated algorithm is a problem.
        type: str
      integrity:
        description:
          - Expected ESP integrity algorithm, as configured (V(hmac-sha-256-128)) or printed (V(sha256)).
        type: str
      backup_addresses:
        description:
          - Backup gateway addresses of the peer (the IKE gateway's addresses after the first). The
            tunnel holds when it is up with O(tunnels[].remote_address) or, failing that, with one of these.
        type: list
        elements: str
        default: []
      selectors:
        description:
          - Traffic selectors of the tunnel, as this device sees them. Each needs its own IPsec SA pair,
            matched by the SA's local and remote identities when the output shows them.
        type: list
        elements: dict
        default: []
        suboptions:
          local:
            description: Local prefix (C(10.1.0.0/24)).
            type: str
            required: true
          remote:
            description: Remote prefix.
            type: str
            required: true
      vpn_monitor:
        description: VPN monitoring is configured on the VPN; its state in the IPsec SA must be up.
        type: bool
        default: false
  bgp_peers:
    description:
      - The BGP sessions of this device that must be Established.
    type: list
    elements: dict
    default: []
    suboptions:
      peer_address:
        description: Neighbor address (the far end of the tunnel interface for BGP over IPsec).
        type: str
        required: true
      peer_as:
        description: AS the peer is expected to have; a different configured peer AS is a problem.
        type: int
      tunnel:
        description:
          - Name of the tunnel (in O(tunnels)) that carries the session, so that a session that is
            down can be blamed on the tunnel, or the tunnel ruled out.
        type: str
      min_received_prefixes:
        description: Fewest prefixes the peer must have sent.
        type: int
  pings:
    description:
      - Pings to run once every tunnel and BGP expectation holds (for example across the tunnel,
        from the local st0 address to the remote one).
    type: list
    elements: dict
    default: []
    suboptions:
      target:
        description: Address to ping.
        type: str
        required: true
      source:
        description: Source address.
        type: str
      count:
        description: Number of probes.
        type: int
        default: 3
      max_loss_percent:
        description: Highest acceptable packet loss in percent.
        type: float
        default: 0
      tunnel:
        description: Tunnel (in O(tunnels)) the ping crosses; groups the ping with it in reports.
        type: str
  timeout:
    description:
      - Seconds to wait for every expectation to hold. V(0) takes one snapshot.
    type: float
    default: 60
  interval:
    description:
      - Seconds between the starts of two polling rounds. A change of state is seen at most one
        interval and one round (three RPCs) after it happens.
    type: float
    default: 0.5
seealso:
  - module: junipernetworks.junos.junos_rpc
  - plugin: netops.srx_vpn.tunnel_problems
    plugin_type: filter
  - module: netops.srx_vpn.vpn_report
"""

EXAMPLES = r"""
- name: Wait up to a minute for the tunnel to SRX-B and BGP over it
  netops.srx_vpn.vpn_state:
    tunnels:
      - name: a-b
        remote_address: 1.1.1.2
        vpn: IPSEC-VPN
        st0: st0.0
    bgp_peers:
      - peer_address: 10.0.1.2
        peer_as: 200
        tunnel: a-b
        min_received_prefixes: 1
    pings:
      - target: 10.0.1.2
        source: 10.0.1.1
        count: 3
        max_loss_percent: 0
        tunnel: a-b
    timeout: 60
    interval: 0.5
  register: vpn

- name: Audit now (one snapshot), keep going when something is down
  netops.srx_vpn.vpn_state:
    tunnels: "{{ verify_expectations.tunnels }}"
    bgp_peers: "{{ verify_expectations.bgp_peers }}"
    timeout: 0
  register: snapshot
  failed_when: false

- name: Show what is wrong
  ansible.builtin.debug:
    msg: "{{ snapshot.problems | map(attribute='summary') | list }}"
  when: not snapshot.ok
"""

RETURN = r"""
ok:
  description: Whether every expectation held when the module returned.
  returned: always
  type: bool
  sample: true
msg:
  description: One line of outcome; when failed, followed by one summary line per problem.
  returned: always
  type: str
  sample: "1/1 tunnels up, 1/1 BGP peers Established, 1/1 pings ok after 1 round(s), 4 RPCs, 0.031 s"
tunnels:
  description: One result per expected tunnel, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: Tunnel name., type: str, returned: always, sample: a-b}
    remote_address: {description: Expected peer gateway., type: str, returned: always, sample: 1.1.1.2}
    vpn: {description: VPN name as given., type: str, returned: always, sample: IPSEC-VPN}
    st0: {description: st0 unit as given., type: str, returned: always, sample: st0.0}
    state:
      description: V(up) when the IKE SA is UP and both IPsec SAs exist, else V(down).
      type: str
      returned: always
      sample: up
    holds: {description: Whether the tunnel meets every expectation., type: bool, returned: always}
    ike:
      description: The IKE SA with the remote address (the UP one if any); null when there is none.
      type: dict
      returned: always
      contains:
        state: {description: UP or DOWN., type: str, returned: success, sample: UP}
        index: {description: IKE SA index., type: int, returned: success, sample: 3544401}
        exchange_type: {description: "IKEv2, Main or Aggressive.", type: str, returned: success, sample: IKEv2}
        initiator_cookie: {description: Initiator SPI/cookie., type: str, returned: success}
        responder_cookie: {description: Responder SPI/cookie., type: str, returned: success}
        local_address: {description: Local gateway address when the reply shows it., type: str, returned: success}
        remote_address: {description: Remote gateway address., type: str, returned: success}
    ipsec:
      description: The IPsec SA pair with the remote gateway; null when there is none.
      type: dict
      returned: always
      contains:
        tunnel_id: {description: Tunnel index., type: int, returned: success, sample: 131073}
        spi_in: {description: "SPI of the inbound SA (hex, lower case).", type: str, returned: success, sample: c78a8a5a}
        spi_out: {description: SPI of the outbound SA., type: str, returned: success, sample: 5e79cbc0}
        protocol: {description: ESP or AH., type: str, returned: success, sample: ESP}
        encryption: {description: Negotiated encryption., type: str, returned: success, sample: aes-cbc-256}
        integrity: {description: Negotiated integrity algorithm., type: str, returned: success, sample: sha256}
        port: {description: "500, or 4500 with NAT traversal.", type: int, returned: success, sample: 500}
        lifetime_remaining_seconds: {description: Seconds left of the SA lifetime., type: int, returned: success, sample: 3599}
        vpn_monitoring: {description: "UP/DOWN, null when VPN monitoring is off.", type: str, returned: success}
    problems: {description: Problems of this tunnel (see RV(problems))., type: list, elements: dict, returned: always}
bgp_peers:
  description: One result per expected BGP peer, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    peer_address: {description: Neighbor address., type: str, returned: always, sample: 10.0.1.2}
    peer_as: {description: Expected peer AS., type: int, returned: always, sample: 200}
    observed_peer_as: {description: Peer AS configured on the device., type: int, returned: always, sample: 200}
    tunnel: {description: Carrying tunnel as given., type: str, returned: always, sample: a-b}
    state: {description: "BGP state (Established, Active, Connect, ...); null when not configured.", type: str, returned: always}
    holds: {description: Whether the peer meets every expectation., type: bool, returned: always}
    uptime_seconds: {description: Seconds Established; null when not Established., type: int, returned: always, sample: 61}
    last_up_down_seconds: {description: Seconds since the last state change (Junos Last Up/Dwn)., type: int, returned: always}
    flaps: {description: Flap count., type: int, returned: always, sample: 0}
    received_prefixes: {description: Prefixes received (null when the session is down)., type: int, returned: always, sample: 1}
    accepted_prefixes: {description: Prefixes accepted., type: int, returned: always, sample: 1}
    active_prefixes: {description: Prefixes active., type: int, returned: always, sample: 1}
    advertised_prefixes: {description: "Prefixes advertised (the summary does not show it, null).", type: int, returned: always}
    min_received_prefixes: {description: Expected minimum as given., type: int, returned: always}
    last_error: {description: "Last error from show bgp neighbor (read only at the deadline, for peers down over an up tunnel).", type: str, returned: always}
    problems: {description: Problems of this peer., type: list, elements: dict, returned: always}
pings:
  description: One result per expected ping.
  returned: always
  type: list
  elements: dict
  contains:
    target: {description: Target address., type: str, returned: always}
    source: {description: Source address., type: str, returned: always}
    count: {description: Probes requested., type: int, returned: always}
    max_loss_percent: {description: Highest acceptable loss., type: float, returned: always}
    tunnel: {description: Tunnel as given., type: str, returned: always}
    status: {description: "V(ok), V(failed), V(error) or V(not run) (tunnel or BGP expectations unmet).", type: str, returned: always}
    sent: {description: Probes sent., type: int, returned: always}
    received: {description: Answers received., type: int, returned: always}
    loss_percent: {description: Packet loss in percent., type: float, returned: always}
    rtt_avg_ms: {description: Average round-trip time in ms., type: float, returned: always}
    error: {description: Error text when the ping could not run., type: str, returned: always}
    holds: {description: Whether the ping met its expectation., type: bool, returned: always}
    problems: {description: Problems of this ping., type: list, elements: dict, returned: always}
problems:
  description: Every problem, tunnels first, then BGP peers, then pings.
  returned: always
  type: list
  elements: dict
  contains:
    type: {description: "V(tunnel), V(bgp) or V(ping).", type: str, returned: always, sample: tunnel}
    name: {description: "Tunnel name, peer address or ping target.", type: str, returned: always, sample: a-b}
    kind:
      description:
        - What is wrong; one of V(no_ike_sa), V(ike_not_up), V(no_ipsec_sa), V(half_ipsec_sa),
          V(ipsec_algorithm), V(bgp_not_configured), V(bgp_peer_as), V(bgp_tunnel_down), V(bgp_open_error),
          V(bgp_connect), V(bgp_active), V(bgp_down), V(bgp_prefixes), V(ping_loss), V(ping_error).
      type: str
      returned: always
      sample: no_ipsec_sa
    message: {description: What was observed., type: str, returned: always, sample: IKE SA with 1.1.1.2 is UP but there is no IPsec SA}
    text:
      description:
        - "Subject and message: the sentence the filters P(netops.srx_vpn.tunnel_problems#filter),
          P(netops.srx_vpn.bgp_problems#filter) and P(netops.srx_vpn.ping_problems#filter) return
          for the same fault."
      type: str
      returned: always
      sample: "tunnel a-b: IKE SA with 1.1.1.2 is UP but there is no IPsec SA"
    cause: {description: Likely cause., type: str, returned: always}
    summary: {description: "One line: subject, message and likely cause.", type: str, returned: always}
state_holds:
  description: Whether every tunnel and BGP expectation held (pings aside).
  returned: always
  type: bool
rounds:
  description: Polling rounds made.
  returned: always
  type: int
  sample: 1
rpc_count:
  description: RPCs sent (state, pings and the diagnostics at the deadline).
  returned: always
  type: int
  sample: 4
elapsed:
  description: Seconds from the start of the module to its result.
  returned: always
  type: float
  sample: 0.031
start:
  description: Local time the polling started.
  returned: always
  type: str
  sample: "2026-01-01 12:00:00.000000"
end:
  description: Local time the module finished.
  returned: always
  type: str
  sample: "2026-01-01 12:00:00.031000"
"""

import datetime
import re

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.connection import ConnectionError as AnsibleConnectionError
from ansible_collections.ansible.netcommon.plugins.module_utils.network.common.netconf import (
    NetconfConnection,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.addresses import (
    NETADDR_IMPORT_ERROR,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.reply import (
    LXML_IMPORT_ERROR,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.vpn_checks import (
    DEFAULT_INTERVAL,
    DEFAULT_PING_COUNT,
    DEFAULT_TIMEOUT,
    RpcFailed,
    VpnCheckError,
    normalise_expectations,
    outcome_message,
    poll,
)

FQCN = "netops.srx_vpn.vpn_state"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

ARGUMENT_SPEC = {
    "tunnels": {"type": "list", "elements": "dict", "default": [], "options": {
        "name": {"type": "str", "required": True},
        "remote_address": {"type": "str", "required": True},
        "vpn": {"type": "str"},
        "st0": {"type": "str"},
        "encryption": {"type": "str"},
        "integrity": {"type": "str"},
        "backup_addresses": {"type": "list", "elements": "str", "default": []},
        "selectors": {"type": "list", "elements": "dict", "default": [], "options": {
            "local": {"type": "str", "required": True},
            "remote": {"type": "str", "required": True},
        }},
        "vpn_monitor": {"type": "bool", "default": False},
    }},
    "bgp_peers": {"type": "list", "elements": "dict", "default": [], "options": {
        "peer_address": {"type": "str", "required": True},
        "peer_as": {"type": "int"},
        "tunnel": {"type": "str"},
        "min_received_prefixes": {"type": "int"},
    }},
    "pings": {"type": "list", "elements": "dict", "default": [], "options": {
        "target": {"type": "str", "required": True},
        "source": {"type": "str"},
        "count": {"type": "int", "default": DEFAULT_PING_COUNT},
        "max_loss_percent": {"type": "float", "default": 0},
        "tunnel": {"type": "str"},
    }},
    "timeout": {"type": "float", "default": DEFAULT_TIMEOUT},
    "interval": {"type": "float", "default": DEFAULT_INTERVAL},
}


def _error_text(exc):
    """The error-message(s) of an rpc-error carried by a ConnectionError, else its text."""
    text = str(exc)
    messages = [" ".join(m.split()) for m in re.findall(r"<error-message>(.*?)</error-message>", text, re.DOTALL)]
    return "; ".join(messages) if messages else " ".join(text.split())


def _rpc_caller(socket_path):
    connection = NetconfConnection(socket_path)

    def call(xml):
        try:
            reply = connection.execute_rpc(xml)
        except AnsibleConnectionError as exc:
            raise RpcFailed(_error_text(exc)) from exc
        if isinstance(reply, list):  # only warnings came back, the data with them is lost
            raise RpcFailed("; ".join(str(w) for w in reply) or "empty reply")
        return reply

    return call


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    for library, error in (("netaddr", NETADDR_IMPORT_ERROR), ("lxml", LXML_IMPORT_ERROR)):
        if error is not None:
            module.fail_json(msg=f"{FQCN}: {missing_required_lib(library)}", exception=str(error))
    params = module.params
    try:
        expect = normalise_expectations(params["tunnels"], params["bgp_peers"], params["pings"])
    except VpnCheckError as exc:
        module.fail_json(msg=f"{FQCN}: {exc}")
    if params["timeout"] < 0 or params["interval"] <= 0:
        module.fail_json(msg=f"{FQCN}: timeout must be >= 0 and interval > 0")
    if not module._socket_path:
        module.fail_json(msg=f"{FQCN}: needs a persistent NETCONF connection "
                             "(ansible_connection: ansible.netcommon.netconf)")
    start = datetime.datetime.now()
    try:
        result = poll(expect, _rpc_caller(module._socket_path), params["timeout"], params["interval"])
    except RpcFailed as exc:
        module.fail_json(msg=f"{FQCN}: an RPC failed: {exc}")
    except SrxStateError as exc:
        module.fail_json(msg=f"{FQCN}: cannot read the device's reply: {exc}")
    result["msg"] = outcome_message(result)
    result["start"] = start.strftime(TIME_FORMAT)
    result["end"] = datetime.datetime.now().strftime(TIME_FORMAT)
    result["changed"] = False
    if not result["ok"]:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
