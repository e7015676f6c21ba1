"""Junos message texts and ``<rpc-error>`` shapes used by the srxlab emulator.

Every text below carries a comment that says where it was seen: a public
capture of a real device, a public test fixture built from one, or Juniper
documentation.  Where nothing public was found the comment says
``not found publicly; modelled on <closest real message>``; treat those as
plausible stand-ins, not as what a real SRX prints.

Shape of a commit-check failure as Junos sends it over NETCONF
--------------------------------------------------------------

The reply to ``<commit-configuration><check/></commit-configuration>`` (or to a
plain commit) wraps one ``<rpc-error>`` per problem, then one closing error,
in ``<commit-results>``.  Field order as seen on real devices (GlobalNOC/OESS
Perl test fixture of a Junos 15.1F6 reply; Juniper/py-junos-eznc
tests/unit/test_exception.py, Junos 12.1X46)::

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

* ``<source-daemon>`` names the daemon that rejected the statement (``dcd``
  for interfaces in both real samples); errors raised by mgd itself carry no
  ``<source-daemon>`` and, in later releases, prefix the text with ``mgd: ``
  instead (Juniper/go-netconf netconf/rpc_test.go, Junos 15.1F4:
  ``<error-type>application</error-type><error-tag>invalid-value</error-tag>``,
  ``<error-path>[edit]</error-path>``,
  ``mgd: Missing mandatory statement: 'root-authentication'``,
  ``<bad-element>system</bad-element>``, then
  ``configuration check-out failed: (missing mandatory statements)``).
* ``<error-path>`` is the CLI banner of the parent level; ``<bad-element>`` is
  the offending statement as the CLI would print it (keyword and name).
* Real replies put whitespace/newlines around ``<error-message>`` text; clients
  (ncclient, PyEZ) strip it.

The same failure in the CLI (``commit check``), e.g. from a public SRX capture
(dynamic-VPN notes on GitHub) and the peering-manager/peering-manager#16 issue::

    [edit security ike gateway dyn-vpn-local-gw]
      'aaa'
        Missing xauth access profile for IKE gateway dyn-vpn-local-gw for ipsec_vpn dyn-vpn
    error: configuration check-out failed

    [edit protocols]
      'bgp'
        Error in neighbor 1.1.1.1 of group ipv4-nyiix-test:
    must define local autonomous system when enabling BGP
    error: configuration check-out failed

>>> err = undefined_ike_proposal("IKE-POL", "IKE-PROP")
>>> print(err.to_cli())
[edit security ike policy IKE-POL]
  'proposals IKE-PROP'
    IKE proposal 'IKE-PROP' is not defined
>>> print(rpc_error_xml(CHECKOUT_FAILED))
<rpc-error>
<error-type>protocol</error-type>
<error-tag>operation-failed</error-tag>
<error-severity>error</error-severity>
<error-message>configuration check-out failed</error-message>
</rpc-error>
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

# ---------------------------------------------------------------------------
# <rpc-error> field values
# ---------------------------------------------------------------------------

# Juniper/py-junos-eznc tests (test_exception.py, utils/test_config.py) and the
# vSRX 15.1X49 capture in newswangerd/ansible_concurrent_ci_runner results/junos.log.
ERROR_TYPE_PROTOCOL = "protocol"
# Juniper/go-netconf netconf/rpc_test.go (mgd "Missing mandatory statement", 15.1F4).
ERROR_TYPE_APPLICATION = "application"
ERROR_TAG_OPERATION_FAILED = "operation-failed"
# vSRX 15.1X49 lock failure, newswangerd/ansible_concurrent_ci_runner results/report_card.md.
ERROR_TAG_LOCK_DENIED = "lock-denied"
# Juniper/go-netconf netconf/rpc_test.go.
ERROR_TAG_INVALID_VALUE = "invalid-value"
SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"

# <source-daemon> for interface statements: py-junos-eznc test_exception.py (12.1X46)
# and GlobalNOC/OESS Juniper MX lock test (15.1F6) both show "dcd".
DAEMON_DCD = "dcd"

# ---------------------------------------------------------------------------
# Commit / commit check
# ---------------------------------------------------------------------------

# Closing error of every failed commit check: py-junos-eznc
# tests/unit/rpc-reply/get-rpc-error.xml; GlobalNOC/OESS 15.1F6 fixture.
CHECKOUT_FAILED = "configuration check-out failed"
# When the failures are missing mandatory statements: Juniper/go-netconf
# netconf/rpc_test.go (commit-results, Junos 15.1F4).
CHECKOUT_FAILED_MANDATORY = "configuration check-out failed: (missing mandatory statements)"
# CLI "commit" (not "commit check") with missing mandatory statements:
# rayka-co.com "Junos commit and rollback commands" lesson, as cited by the
# sources list of a public CLI-lab simulator on GitHub.  (The CLI "commit check"
# form, real cJunosEvolved 26.2R1.7: "[edit]" / "  'system'" /
# "    Missing mandatory statement: 'root-authentication'" /
# "error: configuration check-out failed: (missing mandatory statements)".)
COMMIT_FAILED_MANDATORY = "commit failed: (missing mandatory statements)"
# Juniper/go-netconf netconf/rpc_test.go: "mgd: Missing mandatory statement: 'root-authentication'";
# ansible-collections/junipernetworks.junos tests/integration/targets/junos_config/
# tests/cli_config/cli_basic.yaml asserts "'Missing mandatory statement' in result.msg".
MISSING_MANDATORY_FMT = "Missing mandatory statement: '{statement}'"
MGD_PREFIX = "mgd: "

# CLI prefix for errors printed after the [edit ...] blocks ("error: configuration
# check-out failed"): py-junos-eznc issue #843, napalm issue #1445, many CLI captures.
CLI_ERROR_PREFIX = "error: "
CLI_WARNING_PREFIX = "warning: "

# CLI success lines: ktbyers/netmiko juniper driver commit markers
# ("commit complete", "configuration check succeeds"); Juniper CLI guide.
COMMIT_COMPLETE = "commit complete"
CHECK_SUCCEEDS = "configuration check succeeds"

# CLI "commit confirmed N": dummies.com "How to confirm your Junos configuration
# before you commit" (10 and 1 minute examples); netmiko juniper driver marker
# "commit confirmed will be automatically rolled back in"; a public vQFX transcript
# ("commit confirmed 2" -> "... in 2 minutes unless confirmed" then "commit complete").
COMMIT_CONFIRMED_FMT = (
    "commit confirmed will be automatically rolled back in {minutes} minutes unless confirmed"
)
# Banner the CLI shows above the prompt while the timer runs (public vQFX transcript
# on GitHub: "# commit confirmed will be rolled back in 2 minutes").
COMMIT_CONFIRMED_BANNER_FMT = "# commit confirmed will be rolled back in {minutes} minutes"
# Broadcast when the timer expires: dummies.com page above.
COMMIT_NOT_CONFIRMED_BROADCAST = "Commit was not confirmed; automatic rollback complete."
# Default <confirm-timeout>: Juniper JUNOScript/NETCONF guide "Committing the candidate
# configuration only after confirmation" (10 minutes by default).
COMMIT_CONFIRMED_DEFAULT_MINUTES = 10

# NETCONF success replies (Juniper JUNOScript guide, "commit-configuration" and
# "Committing the Candidate Configuration Only After Confirmation"; Juniper/go-netconf
# rpc_test.go shows <routing-engine junos:style="normal"> with <commit-check-success/>).
COMMIT_SUCCESS_XML_FMT = (
    "<commit-results>\n"
    '<routing-engine junos:style="normal">\n'
    "<name>{re}</name>\n"
    "<commit-success/>\n"
    "</routing-engine>\n"
    "</commit-results>"
)
COMMIT_CHECK_SUCCESS_XML_FMT = (
    "<commit-results>\n"
    '<routing-engine junos:style="normal">\n'
    "<name>{re}</name>\n"
    "<commit-check-success/>\n"
    "</routing-engine>\n"
    "</commit-results>"
)

# ---------------------------------------------------------------------------
# Commit history: "show system commit" / <get-commit-information>
# ---------------------------------------------------------------------------

# Real capture ("mist@myQFX> show system commit", public Mist/QFX notes on GitHub):
#   0   2024-05-06 06:38:48 UTC by mist via netconf
#       oc-script
#   2   2024-04-02 03:35:34 UTC by mist via netconf commit confirmed, rollback in 10mins
#   10  2018-10-15 19:23:42 UTC by lab via cli
#   rescue  2019-12-10 16:33:58 UTC by root via cli
# Index left-aligned in a 4-wide column; the commit comment is on the next line,
# indented four spaces.  Clients seen: cli, netconf, junoscript, other, autoinstall.
# Same format on cJunosEvolved 26.2R1.7 ("0   2026-09-20 23:16:51 UTC by admin via cli
# commit confirmed, rollback in 2mins"), see SHOW_SYSTEM_COMMIT_PENDING below.
SHOW_SYSTEM_COMMIT_LINE_FMT = "{sequence:<4}{date_time} by {user} via {client}{suffix}"
SHOW_SYSTEM_COMMIT_COMMENT_FMT = "    {comment}"
SHOW_SYSTEM_COMMIT_RESCUE_FMT = "rescue  {date_time} by {user} via {client}"
# Same capture, and napalm-automation/napalm napalm/junos/junos.py
# ("Msg from Jnpr: 'commit confirmed, rollback in 5mins'").
COMMIT_CONFIRMED_SUFFIX_FMT = " commit confirmed, rollback in {minutes}mins"
# Date format: Juniper docs for <database-status>/<start-time>, "YYYY-MM-DD hh:mm:ss TZ".
JUNOS_DATE_TIME_FMT = "%Y-%m-%d %H:%M:%S %Z"

# <commit-history> entry of <get-commit-information>: element names from public
# fixtures (e.g. a 20.4R0 reply "<sequence-number>49</sequence-number><user>gslv</user>
# <client>cli</client><date-time junos:seconds=\"1625483477\">2021-07-05 14:11:17 MSK
# </date-time>"; a 24.2R2 reply with <log> and <comment>).  The commit-confirmed text
# sits in <comment> (napalm junos.py reads it from <comment> of
# get-commit-revision-information); a user "commit comment" goes to <log>.
COMMIT_HISTORY_XML_FMT = (
    "<commit-history>\n"
    "<sequence-number>{sequence}</sequence-number>\n"
    "<user>{user}</user>\n"
    "<client>{client}</client>\n"
    '<date-time junos:seconds="{seconds}">{date_time}</date-time>\n'
    "{extra}"
    "</commit-history>"
)
COMMIT_HISTORY_COMMENT_FMT = "<comment>commit confirmed, rollback in {minutes}mins</comment>\n"
COMMIT_HISTORY_LOG_FMT = "<log>{log}</log>\n"

# ---------------------------------------------------------------------------
# Locking
# ---------------------------------------------------------------------------

# Real vSRX 15.1X49 NETCONF <lock> reply (newswangerd/ansible_concurrent_ci_runner
# results/report_card.md and results/junos.log):
#   <error-type>protocol</error-type><error-tag>lock-denied</error-tag>
#   <error-severity>error</error-severity>
#   <error-message>
#   configuration database locked by:
#     ansible terminal  (pid 50198) on since 2017-07-27 01:21:33 UTC, idle 01:00:51
#         exclusive
#   </error-message>
#   <error-info><session-id>50198</session-id></error-info>
# A NETCONF holder has no terminal (two spaces before "(pid") and no edit path
# ("exclusive " with a trailing space; same in napalm issue #1445 and
# py-junos-eznc issue #843).  A CLI holder shows its tty and banner, e.g.
# "root terminal p3 (pid 1088) on since 2000-10-30 19:47:58 EDT, idle 00:00:44" /
# "exclusive [edit interfaces so-3/0/0 unit 0 family inet]" (Juniper CLI guide
# "Using the configure exclusive Command"); Juniper docs "Terminate a NETCONF
# Session" give the template "user terminal (pid PID) on since YYYY-MM-DD
# hh:mm:ss TZ, idle hh:mm:ss / exclusive".  The CLI prints it after "error: ".
LOCKED_BY_HEADER = "configuration database locked by:"
LOCKED_BY_HOLDER_FMT = "  {user} terminal {terminal} (pid {pid}) on since {since}, idle {idle}"
LOCKED_BY_MODE_FMT = "      exclusive {edit_path}"

# Candidate has uncommitted changes when a lock / "configure exclusive" is asked:
# fake-switches (internap/fake-switches fake_switches/netconf/__init__.py,
# CannotLockUncleanCandidate) and a public JTAC-style QFX note
# ("root@...> configure exclusive" -> "error: configuration database modified").
DATABASE_MODIFIED = "configuration database modified"
# <unlock-configuration/>/<close-configuration/> without an open database: vSRX 15.1X49
# (newswangerd/ansible_concurrent_ci_runner) and Juniper/ansible-junos-stdlib issue #578
# (20.2R0), both protocol / operation-failed / error.
DATABASE_NOT_OPEN = "Configuration database is not open"
# open-configuration twice: internap/fake-switches (AlreadyLocked).
DATABASE_ALREADY_OPEN = "Configuration database is already open"
# Warning returned with <ok/>-equivalent success by <lock-configuration/> on 15.1F6
# (GlobalNOC/OESS Juniper MX lock test); the CLI prints it on "configure exclusive"
# (Juniper CLI guide "Using the configure exclusive Command").
UNCOMMITTED_DISCARDED_WARNING = "uncommitted changes will be discarded on exit"
# "configure" while someone else edits (Juniper CLI guide, same page).
USERS_EDITING_HEADER = "Users currently editing the configuration:"

# ---------------------------------------------------------------------------
# Loading configuration (load-configuration / edit-config / CLI set & delete)
# ---------------------------------------------------------------------------

# Unknown keyword in a statement: <error-message>syntax error</error-message> with
# <bad-element> = the unknown word (py-junos-eznc tests/unit/rpc-reply/
# load-configuration-error.xml: bad-element "system1"; test_decorators.py: "protcols").
SYNTAX_ERROR = "syntax error"
# Second error Junos adds after a syntax error in a text load (same fixture, bad-element "}").
ERROR_RECOVERY = "error recovery ignores input until this point"
# CLI forms, with a caret under the bad word on the line above
# (pklimai/junos_hidden_commands README, vSRX captures).
CLI_SYNTAX_ERROR = "syntax error."
CLI_SYNTAX_ERROR_EXPECTING_COMMAND = "syntax error, expecting <command>."
CLI_AMBIGUOUS_FMT = "'{word}' is ambiguous."
# Unknown first word of a "set"-format line (e.g. "invalid system foo") in
# <load-configuration action="set">: real vSRX 15.1X49 reply, protocol /
# operation-failed / error, <bad-element>invalid</bad-element>
# (newswangerd/ansible_concurrent_ci_runner results/junos.log).
UNKNOWN_COMMAND = "unknown command"
# Delete of a statement that is not there: severity *warning*, load still succeeds
# (py-junos-eznc tests/unit/test_exception.py multi_warning_xml, Junos 16.1;
# utils/test_config.py with <bad-element>bgp</bad-element>).  Some releases append
# ": <statement>" (internap/fake-switches tests: "statement not found: 802.3ad";
# vSRX 15.1X49 log line "statement not found: user test_user").  CLI prints
# "warning: statement not found".
STATEMENT_NOT_FOUND = "statement not found"
STATEMENT_NOT_FOUND_DETAIL_FMT = "statement not found: {statement}"
# Invalid IPv4 address/prefix value in a set command.
# not found publicly; modelled on the Junos value errors reproduced by
# internap/fake-switches ("Invalid numeric value: '{}'").
INVALID_IP_ADDRESS_FMT = "Invalid IP address value: '{value}'"

# ---------------------------------------------------------------------------
# RPCs
# ---------------------------------------------------------------------------

# Unknown RPC name (e.g. <show-interface-information/>): real vSRX 15.1X49 reply
# protocol / operation-failed / error, "syntax error", <bad-element> = the RPC name
# (newswangerd/ansible_concurrent_ci_runner results/junos.log; same shape in
# py-junos-eznc tests/unit/utils/test_sw.py for "request-package-check-pendings-install").
UNKNOWN_RPC = SYNTAX_ERROR
# Bad CLI text inside <command>: "syntax error, expecting <command>" with the bad word
# in <bad-element> (vSRX 15.1X49 "show foo" in the same log; py-junos-eznc
# tests/unit/facts/test_ethernet_mac_table.py).
COMMAND_RPC_SYNTAX_ERROR = "syntax error, expecting <command>"
# RPC the user may not run: py-junos-eznc tests/unit/rpc-reply/get-permission-denied.xml.
PERMISSION_DENIED = "permission denied"

# Rollback index outside 0..49 (<load-configuration rollback="N"/>, CLI "rollback N").
# not found publicly; modelled on the Junos range error reproduced by
# internap/fake-switches ("Value {} is not within range (256..{})").
ROLLBACK_OUT_OF_RANGE_FMT = "Value {number} is not within range (0..49)"
# Rollback index inside 0..49 but older than the stored history.
# not found publicly; modelled on "Configuration database is not open" (terse, capitalised).
ROLLBACK_NOT_AVAILABLE_FMT = "Rollback configuration {number} does not exist"
ROLLBACK_MAX = 49  # Juniper docs: "rollback index ... from 0 through 49"

# ---------------------------------------------------------------------------
# Commit-check semantics (SRX VPN) -- text of <error-message>
# ---------------------------------------------------------------------------

# Undefined references.  not found publicly; modelled on the real mgd reference
# error "interface-range 'axp' is not defined" (py-junos-eznc
# tests/unit/transport/rpc-reply/commit-configuration.xml, 15.2D0) and on the kmd
# wording "... for IKE gateway <gw> for ipsec_vpn <vpn>" seen in a public SRX capture.
UNDEFINED_IKE_PROPOSAL_FMT = "IKE proposal '{name}' is not defined"
UNDEFINED_IKE_POLICY_FMT = "IKE policy '{name}' is not defined"
UNDEFINED_IKE_GATEWAY_FMT = "IKE gateway '{name}' is not defined"
UNDEFINED_IPSEC_PROPOSAL_FMT = "IPsec proposal '{name}' is not defined"
UNDEFINED_IPSEC_POLICY_FMT = "IPsec policy '{name}' is not defined"

# Logical interface named in the config but not configured under [edit interfaces]:
# "Interface <ifl> must be configured under interfaces" -- security-zone form cited
# from petenetlive KB 0000999 by a public CLI-lab's source list, and observed for a
# VPN still bound to a removed st0 unit ("Interface st0.0 must be configured under
# interfaces", comment in a public SRX/IOS tunnel-management project on GitHub).
INTERFACE_NOT_CONFIGURED_FMT = "Interface {interface} must be configured under interfaces"

# IKE gateway without address/dynamic.  not found publicly; modelled on the real kmd
# commit error "Missing xauth access profile for IKE gateway <gw> for ipsec_vpn <vpn>".
IKE_GATEWAY_NO_ADDRESS_FMT = "Missing address or dynamic for IKE gateway {gateway}"

# BGP neighbor in an external group without peer-as.  rpd two-line form
# "Error in neighbor <n> of group <g>:\n<reason>" from peering-manager/peering-manager
# issue #16 and a public MX80 lab note ("peer cannot have both inet6 unicast ...");
# the reason text as Batfish mirrors it (batfish/batfish JuniperConfiguration.java:
# "Error in neighbor %s of group %s. Peer AS number must be configured for an
# external peer.").  Path [edit protocols], bad-element "bgp".
BGP_NEIGHBOR_ERROR_FMT = "Error in neighbor {neighbor} of group {group}:\n{reason}"
BGP_PEER_AS_REQUIRED = "peer AS number must be configured for an external peer"
# Same sources: the other common rpd reason (peering-manager issue #16).
BGP_LOCAL_AS_REQUIRED = "must define local autonomous system when enabling BGP"


# Second zone claiming an interface: "Interface <ifl> already assigned to another zone"
# (petenetlive KB 0000999 and Juniper KB "configuration check-out failed ... zone", as
# cited by a public CLI-lab's source list on GitHub).
ZONE_INTERFACE_TWICE_FMT = "Interface {ifl} already assigned to another zone"
# IKE policy with neither pre-shared-key nor certificate.
# not found publicly; modelled on the kmd wording "Missing xauth access profile for
# IKE gateway <gw> for ipsec_vpn <vpn>".
IKE_POLICY_NO_AUTH_FMT = "Missing pre-shared-key or certificate for IKE policy {name}"
# IKE gateway without external-interface.
# not found publicly; modelled on the same kmd wording.
IKE_GATEWAY_NO_EXTERNAL_FMT = "Missing external-interface for IKE gateway {name}"
# BGP import/export naming a policy-statement that does not exist.
# not found publicly (in the searched material); modelled on the rpd
# "Error in ... :" family above -- the wording is the one Junos operators quote
# for this case.
POLICY_UNDEFINED_FMT = "Policy error: Policy {name} referenced but not defined"
# BGP group without "type".
# not found publicly; modelled on the rpd reason lines above.
BGP_NO_TYPE_FMT = "Error in group {group}:\ntype must be configured"

# ---------------------------------------------------------------------------
# More session / load / commit texts
# ---------------------------------------------------------------------------

# "configure private" (and <open-configuration><private/>) while the shared candidate
# holds someone's uncommitted edit: real cJunosEvolved 26.2R1.7 capture
# ("configure private" -> "error: shared configuration database modified"), public
# live-verification note "cJunosEvolved 26.2R1.7-EVO -- live facts for restore_junos.py".
SHARED_DATABASE_MODIFIED = "shared configuration database modified"
# Same note, "configure exclusive" with another session's uncommitted edit: the CLI
# lists "Users currently editing the configuration:" /
# "  admin terminal pts/0 (pid 31745) on since 2026-09-20 23:25:28 UTC" / "      [edit]"
# and then "error: configuration database modified".  Its "show system commit" while
# a confirmed commit waits shows "    rollback pending" under entry 0, and the
# automatic rollback is logged "by root via other".
SHOW_SYSTEM_COMMIT_PENDING = "    rollback pending"
AUTO_ROLLBACK_USER = "root"
AUTO_ROLLBACK_CLIENT = "other"
# <load-configuration> without any configuration data.
# not found publicly; modelled on "Configuration database is not open".
LOAD_NO_DATA = "No configuration data supplied"
# <lock> on a target other than the candidate.
# not found publicly; modelled on internap/fake-switches
# "Operation %s not found amongst current capabilities" (operation-not-supported).
LOCK_TARGET_UNSUPPORTED = "Operation lock not supported on this target"
# confirm-timeout outside 1..65535 minutes (range: Juniper "commit" command reference).
# not found publicly; modelled on the range error in internap/fake-switches
# ("Value {} is not within range (256..{})").
BAD_CONFIRM_TIMEOUT = "Value is not within range (1..65535)"

# ---------------------------------------------------------------------------
# Names used by srxlab.commit_check / srxlab.device (same texts, their keywords)
# ---------------------------------------------------------------------------
# A CLI user's lock as the netmiko-based networking-generic-switch test quotes it
# ("user terminal p0 (pid 1234) on since 2017-1-1 00:00:00 UTC" / "exclusive ...",
# no idle part); for the full real NETCONF form use locked_by_message().
LOCKED_BY = LOCKED_BY_HEADER + "\n  {user} terminal  (pid {session_id}) on since {since}\n      exclusive "
NOT_LOCKED = DATABASE_NOT_OPEN
BAD_ROLLBACK = "Rollback configuration {n} does not exist"  # see ROLLBACK_NOT_AVAILABLE_FMT
CONFIRMED_OUTPUT = COMMIT_CONFIRMED_FMT
IKE_PROPOSAL_UNDEFINED = UNDEFINED_IKE_PROPOSAL_FMT
IKE_POLICY_UNDEFINED = UNDEFINED_IKE_POLICY_FMT
IKE_GATEWAY_UNDEFINED = UNDEFINED_IKE_GATEWAY_FMT
IPSEC_PROPOSAL_UNDEFINED = UNDEFINED_IPSEC_PROPOSAL_FMT
IPSEC_POLICY_UNDEFINED = UNDEFINED_IPSEC_POLICY_FMT
IKE_POLICY_NO_PSK = IKE_POLICY_NO_AUTH_FMT
IKE_GATEWAY_NO_POLICY = MISSING_MANDATORY_FMT.format(statement="ike-policy")
IKE_GATEWAY_NO_ADDRESS = "Missing address or dynamic for IKE gateway {name}"
IKE_GATEWAY_NO_EXTERNAL = IKE_GATEWAY_NO_EXTERNAL_FMT
IPSEC_VPN_NO_GATEWAY = MISSING_MANDATORY_FMT.format(statement="gateway")
EXTERNAL_INTERFACE_UNDEFINED = "Interface {ifl} must be configured under interfaces"
BIND_INTERFACE_UNDEFINED = EXTERNAL_INTERFACE_UNDEFINED
ZONE_INTERFACE_UNDEFINED = EXTERNAL_INTERFACE_UNDEFINED
ZONE_INTERFACE_TWICE = ZONE_INTERFACE_TWICE_FMT
# The real text is the two-line BGP_NEIGHBOR_ERROR_FMT, which also needs the group.
BGP_NO_PEER_AS = BGP_PEER_AS_REQUIRED
BGP_NO_TYPE = BGP_NO_TYPE_FMT
BGP_NO_LOCAL_AS = BGP_LOCAL_AS_REQUIRED
POLICY_UNDEFINED = POLICY_UNDEFINED_FMT


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JunosError:
    """One ``<rpc-error>`` (or one CLI ``[edit ...]`` block) of a Junos reply."""

    message: str
    path: str | None = None
    bad_element: str | None = None
    source_daemon: str | None = None
    severity: str = SEVERITY_ERROR
    error_type: str = ERROR_TYPE_PROTOCOL
    error_tag: str = ERROR_TAG_OPERATION_FAILED
    session_id: str | None = None

    def to_xml(self) -> str:
        """The ``<rpc-error>`` element, fields in the order real devices send them."""
        return rpc_error_xml(
            self.message,
            error_type=self.error_type,
            error_tag=self.error_tag,
            severity=self.severity,
            source_daemon=self.source_daemon,
            path=self.path,
            bad_element=self.bad_element,
            session_id=self.session_id,
        )

    def to_cli(self) -> str:
        """The CLI rendering: ``[edit ...]`` / ``  'statement'`` / ``    message``."""
        if self.path is None:
            prefix = CLI_WARNING_PREFIX if self.severity == SEVERITY_WARNING else CLI_ERROR_PREFIX
            return prefix + self.message
        return cli_error_block(self.path, self.bad_element, self.message)


def edit_path(*words: str) -> str:
    """``edit_path("security", "ike", "gateway", "GW")`` -> ``[edit security ike gateway GW]``."""
    return "[edit" + "".join(" " + w for w in words) + "]"


def cli_error_block(path: str, statement: str | None, message: str) -> str:
    """A CLI commit-check block: path line, quoted statement, indented message."""
    lines = [path]
    if statement is not None:
        lines.append(f"  '{statement}'")
    lines.append("    " + message)
    return "\n".join(lines)


def rpc_error_xml(
    message: str,
    *,
    error_type: str = ERROR_TYPE_PROTOCOL,
    error_tag: str = ERROR_TAG_OPERATION_FAILED,
    severity: str = SEVERITY_ERROR,
    source_daemon: str | None = None,
    path: str | None = None,
    bad_element: str | None = None,
    session_id: str | None = None,
) -> str:
    """Serialise one ``<rpc-error>`` (unqualified; the reply sets the default namespace).

    Commit-check errors (path/bad-element) follow the order of the real 15.1F6
    sample in the module docstring; lock errors put ``<error-info><session-id>``
    after the message, as the real 15.1X49 lock reply does.
    """
    parts = [
        "<rpc-error>",
        f"<error-type>{escape(error_type)}</error-type>",
        f"<error-tag>{escape(error_tag)}</error-tag>",
        f"<error-severity>{escape(severity)}</error-severity>",
    ]
    if source_daemon is not None:
        parts.append(f"<source-daemon>{escape(source_daemon)}</source-daemon>")
    if path is not None:
        parts.append(f"<error-path>{escape(path)}</error-path>")
    if bad_element is not None:
        parts.append(f"<error-info>\n<bad-element>{escape(bad_element)}</bad-element>\n</error-info>")
    parts.append(f"<error-message>{escape(message)}</error-message>")
    if session_id is not None:
        parts.append(f"<error-info>\n<session-id>{escape(str(session_id))}</session-id>\n</error-info>")
    parts.append("</rpc-error>")
    return "\n".join(parts)


def locked_by_message(
    user: str,
    pid: int | str,
    since: str,
    idle: str,
    terminal: str = "",
    edit_path_banner: str = "",
) -> str:
    """Text of the "configuration database locked by" error.

    ``terminal`` and ``edit_path_banner`` are empty for a NETCONF holder, which
    reproduces the real ``terminal  (pid ...)`` and ``exclusive `` spacing.

    >>> locked_by_message("ansible", 50198, "2017-07-27 01:21:33 UTC", "01:00:51").splitlines()
    ['configuration database locked by:', \
'  ansible terminal  (pid 50198) on since 2017-07-27 01:21:33 UTC, idle 01:00:51', \
'      exclusive ']
    """
    return "\n".join(
        [
            LOCKED_BY_HEADER,
            LOCKED_BY_HOLDER_FMT.format(
                user=user, terminal=terminal, pid=pid, since=since, idle=idle
            ),
            LOCKED_BY_MODE_FMT.format(edit_path=edit_path_banner),
        ]
    )


def lock_denied(user: str, pid: int | str, since: str, idle: str, **kw: str) -> JunosError:
    """The NETCONF ``<lock>`` / ``<lock-configuration/>`` refusal (vSRX 15.1X49 shape)."""
    return JunosError(
        message=locked_by_message(user, pid, since, idle, **kw),
        error_tag=ERROR_TAG_LOCK_DENIED,
        session_id=str(pid),
    )


def show_system_commit_line(
    sequence: int | str,
    date_time: str,
    user: str,
    client: str,
    confirmed_minutes: int | None = None,
    comment: str | None = None,
) -> str:
    """One ``show system commit`` entry (plus its comment line, if any).

    >>> print(show_system_commit_line(0, "2025-08-12 10:11:12 UTC", "root", "netconf", 5))
    0   2025-08-12 10:11:12 UTC by root via netconf commit confirmed, rollback in 5mins
    """
    suffix = "" if confirmed_minutes is None else COMMIT_CONFIRMED_SUFFIX_FMT.format(
        minutes=confirmed_minutes
    )
    line = SHOW_SYSTEM_COMMIT_LINE_FMT.format(
        sequence=sequence, date_time=date_time, user=user, client=client, suffix=suffix
    )
    if comment:
        line += "\n" + SHOW_SYSTEM_COMMIT_COMMENT_FMT.format(comment=comment)
    return line


# --- commit-check errors the emulator raises (SRX VPN scope) ----------------


def undefined_ike_proposal(policy: str, proposal: str) -> JunosError:
    return JunosError(
        UNDEFINED_IKE_PROPOSAL_FMT.format(name=proposal),
        path=edit_path("security", "ike", "policy", policy),
        bad_element=f"proposals {proposal}",
    )


def undefined_ike_policy(gateway: str, policy: str) -> JunosError:
    return JunosError(
        UNDEFINED_IKE_POLICY_FMT.format(name=policy),
        path=edit_path("security", "ike", "gateway", gateway),
        bad_element=f"ike-policy {policy}",
    )


def undefined_ike_gateway(vpn: str, gateway: str) -> JunosError:
    return JunosError(
        UNDEFINED_IKE_GATEWAY_FMT.format(name=gateway),
        path=edit_path("security", "ipsec", "vpn", vpn, "ike"),
        bad_element=f"gateway {gateway}",
    )


def undefined_ipsec_proposal(policy: str, proposal: str) -> JunosError:
    return JunosError(
        UNDEFINED_IPSEC_PROPOSAL_FMT.format(name=proposal),
        path=edit_path("security", "ipsec", "policy", policy),
        bad_element=f"proposals {proposal}",
    )


def undefined_ipsec_policy(vpn: str, policy: str) -> JunosError:
    return JunosError(
        UNDEFINED_IPSEC_POLICY_FMT.format(name=policy),
        path=edit_path("security", "ipsec", "vpn", vpn, "ike"),
        bad_element=f"ipsec-policy {policy}",
    )


def bind_interface_not_configured(vpn: str, interface: str) -> JunosError:
    return JunosError(
        INTERFACE_NOT_CONFIGURED_FMT.format(interface=interface),
        path=edit_path("security", "ipsec", "vpn", vpn),
        bad_element=f"bind-interface {interface}",
    )


def ike_gateway_missing_ike_policy(gateway: str) -> JunosError:
    # Mandatory-statement shape: Juniper/go-netconf rpc_test.go (application /
    # invalid-value, "mgd: " prefix, path = parent level, bad-element = container).
    return JunosError(
        MGD_PREFIX + MISSING_MANDATORY_FMT.format(statement="ike-policy"),
        path=edit_path("security", "ike"),
        bad_element=f"gateway {gateway}",
        error_type=ERROR_TYPE_APPLICATION,
        error_tag=ERROR_TAG_INVALID_VALUE,
    )


def ike_gateway_missing_address(gateway: str) -> JunosError:
    return JunosError(
        IKE_GATEWAY_NO_ADDRESS_FMT.format(gateway=gateway),
        path=edit_path("security", "ike", "gateway", gateway),
        bad_element="address",
    )


def external_interface_not_configured(gateway: str, interface: str) -> JunosError:
    # not found publicly; modelled on the zone / bind-interface message above.
    return JunosError(
        INTERFACE_NOT_CONFIGURED_FMT.format(interface=interface),
        path=edit_path("security", "ike", "gateway", gateway),
        bad_element=f"external-interface {interface}",
    )


def zone_interface_not_configured(zone: str, interface: str) -> JunosError:
    return JunosError(
        INTERFACE_NOT_CONFIGURED_FMT.format(interface=interface),
        path=edit_path("security", "zones", "security-zone", zone, "interfaces"),
        bad_element=interface,
    )


def bgp_neighbor_without_peer_as(group: str, neighbor: str) -> JunosError:
    return JunosError(
        BGP_NEIGHBOR_ERROR_FMT.format(neighbor=neighbor, group=group, reason=BGP_PEER_AS_REQUIRED),
        path=edit_path("protocols"),
        bad_element="bgp",
    )


def invalid_ip_address(value: str) -> JunosError:
    return JunosError(INVALID_IP_ADDRESS_FMT.format(value=value), bad_element=value)


def syntax_error(bad_element: str) -> JunosError:
    return JunosError(SYNTAX_ERROR, bad_element=bad_element)


def unknown_command(first_word: str) -> JunosError:
    return JunosError(UNKNOWN_COMMAND, bad_element=first_word)


def unknown_rpc(rpc_name: str) -> JunosError:
    return JunosError(UNKNOWN_RPC, bad_element=rpc_name)


def statement_not_found(statement: str | None = None) -> JunosError:
    return JunosError(STATEMENT_NOT_FOUND, bad_element=statement, severity=SEVERITY_WARNING)


def database_modified() -> JunosError:
    # XML type/tag not found publicly; modelled on "Configuration database is not
    # open" (protocol / operation-failed, vSRX 15.1X49).
    return JunosError(DATABASE_MODIFIED)


def bad_rollback(number: int) -> JunosError:
    """Error for a rollback index outside 0..49 or beyond the stored history."""
    if not 0 <= number <= ROLLBACK_MAX:
        return JunosError(ROLLBACK_OUT_OF_RANGE_FMT.format(number=number))
    return JunosError(ROLLBACK_NOT_AVAILABLE_FMT.format(number=number))


def checkout_failed(mandatory: bool = False) -> JunosError:
    return JunosError(CHECKOUT_FAILED_MANDATORY if mandatory else CHECKOUT_FAILED)
