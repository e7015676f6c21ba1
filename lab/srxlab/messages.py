"""Junos message texts used by the srxlab emulator (``from . import messages as M``).

Each text carries a comment saying where it was seen: a public capture of a
real device, a public test fixture built from one, or Juniper documentation.
Where nothing public was found the comment says ``not found publicly; modelled
on <closest real message>``; treat those as plausible stand-ins, not as what a
real SRX prints.

A failed commit check wraps one ``<rpc-error>`` per problem, then a closing
"configuration check-out failed" error, in ``<commit-results>``.  Field order as
seen on real devices (GlobalNOC/OESS Perl test fixture of a Junos 15.1F6 reply;
Juniper/py-junos-eznc tests/unit/test_exception.py, Junos 12.1X46)::

    <rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"
               xmlns:junos="http://xml.juniper.net/junos/15.1F6/junos">
    <commit-results>
    <rpc-error>
    <error-type>protocol</error-type>
    <error-tag>operation-failed</error-tag>
    <error-severity>error</error-severity>
    <source-daemon>dcd</source-daemon>
    <error-path>[edit interfaces ge-0/0/2]</error-path>
    <error-info>
    <bad-element>unit 2000</bad-element>
    </error-info>
    <error-message>logical unit is not allowed on aggregated links</error-message>
    </rpc-error>
    <rpc-error>
    <error-type>protocol</error-type>
    <error-tag>operation-failed</error-tag>
    <error-severity>error</error-severity>
    <error-message>configuration check-out failed</error-message>
    </rpc-error>
    </commit-results>
    </rpc-reply>

``<error-path>`` is the CLI banner of the parent level and ``<bad-element>`` the
offending statement as the CLI prints it.  Errors raised by mgd itself carry no
``<source-daemon>`` and, in later releases, prefix the text with ``mgd: ``
(Juniper/go-netconf netconf/rpc_test.go, Junos 15.1F4).
"""

# ---------------------------------------------------------------------------
# Locking / configuration database
# ---------------------------------------------------------------------------

# Real vSRX 15.1X49 NETCONF <lock> reply (newswangerd/ansible_concurrent_ci_runner
# results/report_card.md and results/junos.log), protocol / lock-denied / error:
#   configuration database locked by:
#     ansible terminal  (pid 50198) on since 2017-07-27 01:21:33 UTC, idle 01:00:51
#         exclusive
# A NETCONF holder has no terminal (two spaces before "(pid") and no edit path
# ("exclusive " with a trailing space; same in napalm issue #1445 and
# py-junos-eznc issue #843).  This form drops the idle part, as the netmiko-based
# networking-generic-switch test quotes it ("user terminal p0 (pid 1234) on since
# 2017-1-1 00:00:00 UTC" / "exclusive ...").
LOCKED_BY = (
    "configuration database locked by:\n"
    "  {user} terminal  (pid {session_id}) on since {since}\n"
    "      exclusive "
)
# <unlock-configuration/>/<close-configuration/> without an open database: vSRX 15.1X49
# (newswangerd/ansible_concurrent_ci_runner) and Juniper/ansible-junos-stdlib issue #578
# (20.2R0), both protocol / operation-failed / error.
NOT_LOCKED = "Configuration database is not open"
# Candidate has uncommitted changes when a lock / "configure exclusive" is asked:
# fake-switches (internap/fake-switches fake_switches/netconf/__init__.py,
# CannotLockUncleanCandidate) and a public JTAC-style QFX note
# ("root@...> configure exclusive" -> "error: configuration database modified").
DATABASE_MODIFIED = "configuration database modified"
# "configure private" (and <open-configuration><private/>) while the shared candidate
# holds someone's uncommitted edit: real cJunosEvolved 26.2R1.7 capture
# ("configure private" -> "error: shared configuration database modified"), public
# live-verification note "cJunosEvolved 26.2R1.7-EVO -- live facts for restore_junos.py".
SHARED_DATABASE_MODIFIED = "shared configuration database modified"
# <lock> on a target other than the candidate.
# not found publicly; modelled on internap/fake-switches
# "Operation %s not found amongst current capabilities" (operation-not-supported).
LOCK_TARGET_UNSUPPORTED = "Operation lock not supported on this target"
# <kill-session> naming the caller's own session or a session that does not exist:
# RFC 6241 7.9 asks for an invalid-value error; Junos wording not found publicly.
KILL_OWN_SESSION = "cannot kill own session"
KILL_NO_SESSION = "session {session_id} does not exist"

# ---------------------------------------------------------------------------
# Loading configuration, RPCs and commands
# ---------------------------------------------------------------------------

# <load-configuration> without any configuration data.
# not found publicly; modelled on "Configuration database is not open".
LOAD_NO_DATA = "No configuration data supplied"
# Rollback index older than the stored history (or out of range).
# not found publicly; modelled on "Configuration database is not open" (terse, capitalised).
BAD_ROLLBACK = "Rollback configuration {n} does not exist"
# Unknown first word of a "set"-format line (e.g. "invalid system foo") in
# <load-configuration action="set">: real vSRX 15.1X49 reply, protocol /
# operation-failed / error, <bad-element>invalid</bad-element>
# (newswangerd/ansible_concurrent_ci_runner results/junos.log).
UNKNOWN_COMMAND = "unknown command"
# Unknown RPC name (e.g. <show-interface-information/>): real vSRX 15.1X49 reply
# protocol / operation-failed / error, "syntax error", <bad-element> = the RPC name
# (newswangerd/ansible_concurrent_ci_runner results/junos.log; same shape in
# py-junos-eznc tests/unit/utils/test_sw.py for "request-package-check-pendings-install").
UNKNOWN_RPC = "syntax error"

# ---------------------------------------------------------------------------
# Commit check: IKE
# ---------------------------------------------------------------------------

# Undefined references (this and the IKE/IPsec "is not defined" texts below).
# not found publicly; modelled on the real mgd reference error "interface-range 'axp'
# is not defined" (py-junos-eznc tests/unit/transport/rpc-reply/commit-configuration.xml,
# 15.2D0) and on the kmd wording "... for IKE gateway <gw> for ipsec_vpn <vpn>" seen
# in a public SRX capture.
IKE_PROPOSAL_UNDEFINED = "IKE proposal '{name}' is not defined"
IKE_POLICY_UNDEFINED = "IKE policy '{name}' is not defined"
IKE_GATEWAY_UNDEFINED = "IKE gateway '{name}' is not defined"
# IKE policy with neither pre-shared-key nor certificate.
# not found publicly; modelled on the kmd wording "Missing xauth access profile for
# IKE gateway <gw> for ipsec_vpn <vpn>".
IKE_POLICY_NO_PSK = "Missing pre-shared-key or certificate for IKE policy {name}"
# IKE gateway without address/dynamic.
# not found publicly; modelled on the same kmd wording.
IKE_GATEWAY_NO_ADDRESS = "Missing address or dynamic for IKE gateway {name}"
# IKE gateway without external-interface.
# not found publicly; modelled on the same kmd wording.
IKE_GATEWAY_NO_EXTERNAL = "Missing external-interface for IKE gateway {name}"
# external-interface naming an unconfigured logical interface.
# not found publicly; modelled on the zone / bind-interface message
# (ZONE_INTERFACE_UNDEFINED, BIND_INTERFACE_UNDEFINED).
EXTERNAL_INTERFACE_UNDEFINED = "Interface {ifl} must be configured under interfaces"

# ---------------------------------------------------------------------------
# Commit check: IPsec
# ---------------------------------------------------------------------------

# not found publicly; modelled as the IKE "is not defined" texts above.
IPSEC_PROPOSAL_UNDEFINED = "IPsec proposal '{name}' is not defined"
IPSEC_POLICY_UNDEFINED = "IPsec policy '{name}' is not defined"
# ipsec vpn "ike" without "gateway": the mgd mandatory-statement text (sources at
# MISSING_MANDATORY_FMT); this particular case not found publicly.
IPSEC_VPN_NO_GATEWAY = "Missing mandatory statement: 'gateway'"
# VPN bound to a removed st0 unit: "Interface st0.0 must be configured under
# interfaces" (comment in a public SRX/IOS tunnel-management project on GitHub).
BIND_INTERFACE_UNDEFINED = "Interface {ifl} must be configured under interfaces"
# A VPN with both `traffic-selector` and `ike proxy-identity`: Junos documents the two as
# exclusive (a route-based VPN negotiates either its traffic selectors or one proxy ID; the
# traffic-selector topic of the Junos VPN guide) and the commit fails.
# not found publicly; modelled on the kmd wording "... for IKE gateway <gw> for ipsec_vpn <vpn>".
TRAFFIC_SELECTOR_WITH_PROXY_ID = (
    "Traffic selector and proxy-identity cannot be configured together for ipsec_vpn {name}"
)

# ---------------------------------------------------------------------------
# Commit check: security zones
# ---------------------------------------------------------------------------

# Zone interface not configured under [edit interfaces]: security-zone form cited from
# petenetlive KB 0000999 by a public CLI-lab's source list on GitHub.
ZONE_INTERFACE_UNDEFINED = "Interface {ifl} must be configured under interfaces"
# Second zone claiming an interface: petenetlive KB 0000999 and Juniper KB
# "configuration check-out failed ... zone", as cited by a public CLI-lab's source
# list on GitHub.
ZONE_INTERFACE_TWICE = "Interface {ifl} already assigned to another zone"

# ---------------------------------------------------------------------------
# Commit check: BGP and routing policy
# ---------------------------------------------------------------------------

# BGP neighbor in an external group without peer-as.  rpd two-line form
# "Error in neighbor <n> of group <g>:\n<reason>" from peering-manager/peering-manager
# issue #16 and a public MX80 lab note ("peer cannot have both inet6 unicast ...");
# the reason text as Batfish mirrors it (batfish/batfish JuniperConfiguration.java:
# "Error in neighbor %s of group %s. Peer AS number must be configured for an
# external peer.").  Path [edit protocols], bad-element "bgp".
BGP_NEIGHBOR_ERROR_FMT = "Error in neighbor {neighbor} of group {group}:\n{reason}"
BGP_PEER_AS_REQUIRED = "peer AS number must be configured for an external peer"
# The other common rpd reason: peering-manager/peering-manager issue #16
# ("Error in neighbor 1.1.1.1 of group ipv4-nyiix-test:" /
# "must define local autonomous system when enabling BGP").
BGP_NO_LOCAL_AS = "must define local autonomous system when enabling BGP"
# BGP group without "type".
# not found publicly; modelled on the rpd reason lines above.
BGP_NO_TYPE = "Error in group {group}:\ntype must be configured"
# BGP import/export naming a policy-statement that does not exist.
# not found publicly (in the searched material); modelled on the rpd
# "Error in ... :" family above -- the wording is the one Junos operators quote
# for this case.
POLICY_UNDEFINED = "Policy error: Policy {name} referenced but not defined"

# ---------------------------------------------------------------------------
# Commit output
# ---------------------------------------------------------------------------

# Closing error of every failed commit check: py-junos-eznc
# tests/unit/rpc-reply/get-rpc-error.xml; GlobalNOC/OESS 15.1F6 fixture.
CHECKOUT_FAILED = "configuration check-out failed"
# Juniper/go-netconf netconf/rpc_test.go (Junos 15.1F4, application / invalid-value,
# <error-path>[edit]</error-path>, <bad-element>system</bad-element>):
# "mgd: Missing mandatory statement: 'root-authentication'";
# ansible-collections/junipernetworks.junos tests/integration/targets/junos_config/
# tests/cli_config/cli_basic.yaml asserts "'Missing mandatory statement' in result.msg".
MISSING_MANDATORY_FMT = "Missing mandatory statement: '{statement}'"
MGD_PREFIX = "mgd: "
# CLI "commit confirmed N": dummies.com "How to confirm your Junos configuration
# before you commit" (10 and 1 minute examples); netmiko juniper driver marker
# "commit confirmed will be automatically rolled back in"; a public vQFX transcript
# ("commit confirmed 2" -> "... in 2 minutes unless confirmed" then "commit complete").
CONFIRMED_OUTPUT = (
    "commit confirmed will be automatically rolled back in {minutes} minutes unless confirmed"
)
# confirm-timeout outside 1..65535 minutes (range: Juniper "commit" command reference).
# not found publicly; modelled on the range error in internap/fake-switches
# ("Value {} is not within range (256..{})").
BAD_CONFIRM_TIMEOUT = "Value is not within range (1..65535)"
