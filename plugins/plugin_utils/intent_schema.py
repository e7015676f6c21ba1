# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""THE schema of the fleet intent: one data structure, nothing else.

Everything the user writes for ``netops.srx_vpn`` is described here once: the device facts
(``srx_vpn_device`` in host_vars), the tunnels (``srx_vpn_tunnels``), the crypto profiles
(``srx_vpn_profiles``), the pre-shared keys (``srx_vpn_psks``) and the run options. From
this structure:

* ``schema_engine.validate`` checks an intent (strict types, closed mappings with a
  did-you-mean, ranges, Junos name rules, case-insensitive uniqueness) - called by
  ``intent.build_plans`` before the fleet-wide rules of ``intent.py``;
* ``schema_engine.doc_tables`` writes the field tables of ``docs/intent.md``;
* ``schema_engine.json_schema`` writes ``schemas/srx_vpn_intent.schema.json``, the editor
  schema for the YAML language server.

``scripts/gen-intent-schema`` regenerates both files; ``tests/unit/plugins/plugin_utils/test_intent_schema.py``
fails when either differs from this structure.

Why a Python structure and not a YAML or JSON file: it is imported by the filter and action
plugins with no file lookup at run time (it ships inside ``plugin_utils`` and works from an
installed tarball, a checkout or ``ansible-test``), the regular expressions are written once
as Python raw strings, and ``ansible-test sanity`` checks it like the rest of the code. The
nodes are plain dictionaries, so the structure serialises as it is.

Node keys (the engine's vocabulary):

``type``       string | integer | number | boolean | object | array | map
``doc``        one line for the docs table and the editor's hover text
``required``   (object fields) the field must be given
``default``    value used when the field is absent (or ``null``); ``defaultDoc`` says it in
               words when it is derived from other fields
``enum``       the allowed values (strings)
``pattern``    regular expression the whole string must match (Python and ECMAScript syntax)
``rule``       the pattern in words, for error messages and the docs
``minLength`` ``maxLength`` ``minimum`` ``maximum``  bounds
``format``     ipv4-address | ipv4-interface (A.B.C.D/LEN) | ipv4-prefix (no host bits):
               checked with netaddr after ``pattern``
``secret``     a value never shown in a message
``cli``        (run options) a string of digits is accepted, as ``-e name=5`` gives one
``percent``    (run options) ``"10%"`` is accepted too
``fields``     (object) the closed set of fields
``exclusive``  (object) groups of fields of which at most one may be given
``items`` ``minItems`` ``maxItems`` ``countMessage``   (array)
``uniqueIgnoreCase``  (array) an item field whose values must differ ignoring case;
                      (map) the keys must differ ignoring case
``keys`` ``values``   (map) the node of every key and of every value
``label``      how a problem names an array item or a map value: a format string with
               ``{key}`` (map key or the item's ``labelField``) or ``{index}``
``labelField`` ``labelFallback``  (array) the item field used in ``label``, and the label
               when the item has none
``selfName``   how a problem names the value itself when it is of the wrong type
``docTable``   name of the docs/intent.md table generated from this object
``scope``      (top-level variables) where the variable is set: host | group | run
"""
from __future__ import annotations

# ---------------------------------------------------------------------------------------
# Junos name and value rules (lengths and characters)
# ---------------------------------------------------------------------------------------
# Junos object names are derived from tunnel and profile names: IKE-PROP-<PROFILE>,
# IKE-POL-<TUNNEL>, IKE-GW-<TUNNEL>, IPSEC-PROP-<PROFILE or TUNNEL>, IPSEC-POL-<TUNNEL>,
# IPSEC-VPN-<TUNNEL>, in upper case. The Junos IKE/IPsec object names are documented as up to
# 32 characters; the longest prefix, IPSEC-PROP-, is 11: names of at most 21 characters keep
# every derived name within 32. Upper-casing makes names that differ only in case collide.
OBJECT_NAME_MAX = 32
DERIVED_PREFIX_MAX = len("IPSEC-PROP-")
NAME_MAX = OBJECT_NAME_MAX - DERIVED_PREFIX_MAX
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
NAME_RULE = "letters, digits, '-', '_' or '.', starting with a letter or digit"
# Security zone names: up to 63 characters; names starting with junos- are reserved by Junos.
ZONE_PATTERN = r"^(?!junos-)[A-Za-z0-9][A-Za-z0-9_.-]*$"
ZONE_RULE = NAME_RULE + ", not starting with junos- (reserved)"
ZONE_MAX = 63
# Inventory host names: they reach descriptions (quoted) and messages.
DEVICE_PATTERN = NAME_PATTERN
DEVICE_MAX = 63
# A logical interface: ge-0/0/0.0, xe-1/2/3.100, ae0.0, reth1.0 (no st0 or lo0).
IFL_PATTERN = r"^([a-z]{2,4}-[0-9]{1,2}/[0-9]{1,2}/[0-9]{1,3}|(ae|reth)[0-9]{1,3})\.[0-9]{1,5}$"
IFL_RULE = "a logical interface like ge-0/0/0.0, ae0.0 or reth0.0"
# Descriptions are rendered quoted; printable ASCII without a double quote or a backslash,
# so no value can end the quoted string or the line.
DESCRIPTION_PATTERN = r"^[\x20\x21\x23-\x5b\x5d-\x7e]*$"
DESCRIPTION_RULE = "printable ASCII characters, without '\"' or '\\'"
DESCRIPTION_MAX = 128
# Pre-shared keys: printable ASCII, no leading or trailing space (so not whitespace-only).
# Junos accepts 1-255 characters for `pre-shared-key ascii-text`; the product also wants at
# least MIN_PSK_LENGTH (intent.py, a fleet rule on key strength: the key is validated by tunnel
# name, and only a tunnel with legacy.short_psk accepts a shorter one).
PSK_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"
PSK_RULE = "printable ASCII characters, no leading or trailing space"
PSK_MAX = 255
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4_PATTERN = rf"^({_OCTET}\.){{3}}{_OCTET}$"
IPV4_LEN_PATTERN = rf"^({_OCTET}\.){{3}}{_OCTET}/([0-9]|[12][0-9]|3[0-2])$"

DH_GROUPS = ["group1", "group2", "group5", "group14", "group15", "group16", "group19", "group20", "group21",
             "group24"]
IKE_ENCRYPTION = ["des-cbc", "3des-cbc", "aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "aes-128-gcm",
                  "aes-256-gcm"]
IKE_AUTHENTICATION = ["md5", "sha1", "sha-256", "sha-384", "sha-512"]
IPSEC_ENCRYPTION = ["des-cbc", "3des-cbc", "aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "aes-128-gcm",
                    "aes-192-gcm", "aes-256-gcm"]
IPSEC_AUTHENTICATION = ["hmac-md5-96", "hmac-sha1-96", "hmac-sha-256-128", "hmac-sha-384-192",
                        "hmac-sha-512-256"]


# ---------------------------------------------------------------------------------------
# Leaf constructors (each returns a plain dict node)
# ---------------------------------------------------------------------------------------
def _node(kind: str, doc: str, **kw) -> dict:
    return {"type": kind, "doc": doc, **kw}


def name_node(doc: str, **kw) -> dict:
    return _node("string", doc, pattern=NAME_PATTERN, rule=NAME_RULE, minLength=1, maxLength=NAME_MAX, **kw)


def address(doc: str, **kw) -> dict:
    return _node("string", doc, format="ipv4-address", pattern=IPV4_PATTERN, rule="an IPv4 address A.B.C.D", **kw)


def interface_address(doc: str, **kw) -> dict:
    return _node("string", doc, format="ipv4-interface", pattern=IPV4_LEN_PATTERN,
                 rule="an IPv4 address with its prefix length, A.B.C.D/LEN", **kw)


def prefix(doc: str, **kw) -> dict:
    return _node("string", doc, format="ipv4-prefix", pattern=IPV4_LEN_PATTERN,
                 rule="an IPv4 prefix A.B.C.D/LEN with no host bits", **kw)


def zone(doc: str, **kw) -> dict:
    return _node("string", doc, pattern=ZONE_PATTERN, rule=ZONE_RULE, minLength=1, maxLength=ZONE_MAX, **kw)


def integer(doc: str, minimum: int, maximum: int | None = None, **kw) -> dict:
    bounds = {"minimum": minimum} if maximum is None else {"minimum": minimum, "maximum": maximum}
    return _node("integer", doc, **bounds, **kw)


def boolean(doc: str, **kw) -> dict:
    return _node("boolean", doc, **kw)


def choice(doc: str, values: list[str], **kw) -> dict:
    return _node("string", doc, enum=list(values), **kw)


def obj(doc: str, fields: dict, **kw) -> dict:
    return _node("object", doc, fields=fields, **kw)


# ---------------------------------------------------------------------------------------
# The intent
# ---------------------------------------------------------------------------------------
LIFETIME = {"minimum": 180, "maximum": 86400}

IKE_PROPOSAL = obj("A custom IKE proposal (Junos leaf names with underscores).", {
    "authentication_method": choice("How peers authenticate.", ["pre-shared-keys"], default="pre-shared-keys"),
    "dh_group": choice("Diffie-Hellman group.", DH_GROUPS, required=True),
    "authentication_algorithm": choice("Integrity/PRF algorithm (needed unless the encryption is GCM).",
                                       IKE_AUTHENTICATION),
    "encryption_algorithm": choice("Encryption algorithm (GCM needs IKEv2).", IKE_ENCRYPTION, required=True),
    "lifetime_seconds": integer("IKE SA lifetime in seconds.", **LIFETIME),
}, docTable="ike-proposal")

IPSEC_PROPOSAL = obj("A custom IPsec proposal (Junos leaf names with underscores).", {
    "protocol": choice("IPsec protocol.", ["esp"], default="esp"),
    "encryption_algorithm": choice("Encryption algorithm.", IPSEC_ENCRYPTION, required=True),
    "authentication_algorithm": choice("Integrity algorithm (needed unless the encryption is GCM, "
                                       "refused with GCM).", IPSEC_AUTHENTICATION),
    "lifetime_seconds": integer("IPsec SA lifetime in seconds.", **LIFETIME),
}, docTable="ipsec-proposal")

PFS_GROUPS = [*DH_GROUPS, "none"]

ZONES = obj("Security zone names.", {
    "untrust": zone("Zone of the external interface (IKE, ping allowed in).", default="UNTRUST"),
    "vpn": zone("Zone of the st0 units. The product's own zone (created, deleted and set whole) unless "
                "vpn_shared; never the trust zone.", default="VPN"),
    "vpn_shared": boolean("The VPN zone is an existing zone shared with other interfaces (like the external "
                          "zone): the product adds and removes only its st0 units, each with its own "
                          "host-inbound ping/bgp (bfd), and leaves the rest of the zone alone. No transit "
                          "policies in a shared zone.", defaultDoc="true when vpn is the untrust zone"),
    "trust": zone("Optional LAN zone: enables the transit policies between it and the VPN zone."),
}, docTable="zones")

PRIMARY_UPLINK = "primary"   # the uplink name of a device's external_interface

UPLINK = obj("One more external interface of the device.", {
    "name": name_node("The uplink's name, unique on the device (not primary: that is the external_interface).",
                      required=True),
    "interface": _node("string", "The logical interface of this uplink.", required=True, pattern=IFL_PATTERN,
                       rule=IFL_RULE, maxLength=32, example="ge-0/0/2.0"),
    "address": interface_address("Its address, rendered on that unit; unique in the fleet.", required=True,
                                 example="2.2.2.1/24"),
    "public_address": address("How peers reach it when it is behind NAT.", defaultDoc="the uplink's address"),
}, docTable="uplink")

DEVICE = obj("The facts of one SRX (host_vars/<device>.yml).", {
    "external_interface": _node("string", "The logical interface facing the internet.", required=True,
                                pattern=IFL_PATTERN, rule=IFL_RULE, maxLength=32, example="ge-0/0/0.0"),
    "external_address": interface_address("Its address, rendered on that unit; not the subnet's network "
                                          "or broadcast address; unique in the fleet.", required=True,
                                          example="1.1.1.1/24"),
    "public_address": address("How peers reach it when it is behind NAT; unique in the fleet.",
                              defaultDoc="the external address"),
    "asn": integer("BGP AS number (different from each eBGP peer's).", 1, 4294967295, required=True),
    "loopback": interface_address("lo0.0 as a /32, unique in the fleet; default router-id and advertised "
                                  "prefix.", example="192.168.1.1/32"),
    "router_id": address("BGP router-id, unique in the fleet.", defaultDoc="the loopback address"),
    "advertise": _node("array", "Prefixes exported to every BGP peer.", defaultDoc="the loopback /32",
                       items=prefix("A prefix to advertise.")),
    "lan_prefixes": _node("array", "Prefixes behind this SRX; the transit policies allow only these. They may "
                          "not overlap each other, another device's or any tunnel subnet.",
                          items=prefix("A LAN prefix.")),
    "zones": ZONES,
    "uplinks": _node("array", "More external interfaces (a second ISP): each in the untrust zone with IKE and ping "
                     "allowed in; a tunnel end names the one it uses (uplink). The external_interface is the "
                     "uplink named primary.", items=UPLINK, uniqueIgnoreCase="name", maxItems=7,
                     countMessage="at most 7 more uplinks, got {count}"),
}, docTable="device", selfName="srx_vpn_device")

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOSTNAME_PATTERN = rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$"
HOSTNAME_RULE = "a host name like vpn.example.net"
USER_AT_HOSTNAME_PATTERN = rf"^[A-Za-z0-9._+-]{{1,64}}@{_LABEL}(\.{_LABEL})*$"
USER_AT_HOSTNAME_RULE = "an e-mail style identity like vpn@example.net"
MAX_BACKUP_GATEWAYS = 4   # Junos: an IKE gateway address list holds a primary and up to four backups

IDENTITY_FIELDS = ["inet", "hostname", "user_at_hostname"]
IDENTITY = obj("The IKE identity the peer presents (rendered as the gateway's remote-identity).", {
    "inet": address("An IPv4 address identity."),
    "hostname": _node("string", "A host name (FQDN) identity.", pattern=HOSTNAME_PATTERN, rule=HOSTNAME_RULE,
                      maxLength=253),
    "user_at_hostname": _node("string", "An e-mail style identity.", pattern=USER_AT_HOSTNAME_PATTERN,
                              rule=USER_AT_HOSTNAME_RULE, maxLength=255),
}, docTable="identity", exclusive=[IDENTITY_FIELDS], requireOne=[IDENTITY_FIELDS])

PEER_DOC = ("A tunnel end that is not in the inventory (a cloud VPN gateway, another vendor's firewall, an SRX "
            "someone else runs): the product configures the other end only, and checks and verifies from it.")
PEER = obj(PEER_DOC, {
    "name": name_node("A name for the peer (descriptions, the report); not an inventory host.", required=True),
    "gateway": address("Its public IKE address (the gateway address the SRX initiates to).", required=True),
    "backup_gateways": _node("array", "Other addresses of the peer, tried in order when the gateway does not "
                             "answer (Junos backup peers; dead peer detection finds the failure).",
                             items=address("A backup gateway address."), maxItems=MAX_BACKUP_GATEWAYS,
                             countMessage=f"at most {MAX_BACKUP_GATEWAYS} backup gateways (Junos: a primary and "
                                          f"up to {MAX_BACKUP_GATEWAYS} backups), got {{count}}"),
    "identity": IDENTITY,
    "asn": integer("Its BGP AS number (needed when BGP runs over the tunnel).", 1, 4294967295),
    "prefixes": _node("array", "Prefixes it advertises over BGP (verified as received after the commit).",
                      items=prefix("A prefix.")),
    "ike_proposals": _node("array", "The IKE proposals the peer is configured with: the tunnel's must be one "
                           "of them (checked before any device is touched).", items=IKE_PROPOSAL, minItems=1),
    "ipsec_proposals": _node("array", "The IPsec proposals the peer is configured with: the tunnel's must be "
                             "one of them.", items=IPSEC_PROPOSAL, minItems=1),
}, docTable="peer")

END = obj("One end of a tunnel: a device of the fleet, or a peer outside it.", {
    "device": _node("string", "The inventory host of this end (a device of the fleet).",
                    pattern=DEVICE_PATTERN, rule=NAME_RULE, minLength=1, maxLength=DEVICE_MAX),
    "peer": PEER,
    "st0_unit": integer("The st0 unit, unique on the device (a device end only, required there).", 0, 16385),
    "address": interface_address("The tunnel address (st0 on a device); both ends in one subnet, which overlaps "
                                 "no other tunnel, external subnet, loopback or LAN prefix.", required=True),
    "remote_gateway": address("Optional check: must be the peer's public address."),
    "uplink": name_node("The device's uplink this tunnel's IKE gateway uses (a device end only).",
                        default=PRIMARY_UPLINK),
    "selectors": _node("array", "Prefixes protected at this end (traffic selectors). Both ends or none; an "
                       "IPsec SA pair is negotiated for each pair of this end's and the other end's selectors. "
                       "Junos runs no BGP and no VPN monitoring with them.",
                       items=prefix("A protected prefix."), minItems=1, maxItems=16,
                       countMessage="between 1 and 16 selectors, got {count}"),
}, docTable="end", exclusive=[["device", "peer"]], requireOne=[["device", "peer"]])

DPD = obj("Dead peer detection.", {
    "interval": integer("Seconds between probes.", 2, 60, default=10),
    "threshold": integer("Probes lost before the peer is declared dead.", 1, 5, default=3),
}, docTable="dpd")

IKE = obj("IKE (phase 1) of the tunnel.", {
    "version": choice("IKE version.", ["v1", "v2"], default="v2"),
    "mode": choice("IKEv1 only. Aggressive mode with a pre-shared key is weak crypto.", ["main", "aggressive"],
                   default="main"),
    "profile": name_node("A crypto profile (built-in default or gcm-256, or one of srx_vpn_profiles).",
                         default="default"),
    "proposal": IKE_PROPOSAL,
    "dpd": DPD,
    "nat_keepalive": integer("NAT-T keepalive interval in seconds (needs nat_traversal).", 1, 300),
    "nat_traversal": boolean("false renders no-nat-traversal.", default=True),
}, docTable="ike", exclusive=[["profile", "proposal"]])

VPN_MONITOR_DOC = ("VPN monitoring: ICMP through the tunnel to the peer's tunnel address; the SA is renegotiated "
                   "when it fails (not with selectors).")
VPN_MONITOR = obj(VPN_MONITOR_DOC, {
    "enabled": boolean("Monitor the tunnel.", default=True),
    "optimized": boolean("Probe only when there is no traffic.", default=False),
}, docTable="vpn-monitor")

IPSEC = obj("IPsec (phase 2) of the tunnel.", {
    "profile": name_node("A crypto profile.", default="default"),
    "proposal": IPSEC_PROPOSAL,
    "pfs_group": choice("Perfect forward secrecy group, or none.", PFS_GROUPS, defaultDoc="the profile's (group14)"),
    "establish_tunnels": choice("When the SA comes up.", ["immediately", "on-traffic"], default="immediately"),
    "proxy_identity": boolean("Negotiate the selectors as a proxy-identity (one local and one remote prefix, for "
                              "peers that need it) instead of traffic selectors.", default=False),
    "vpn_monitor": VPN_MONITOR,
}, docTable="ipsec", exclusive=[["profile", "proposal"]])

BGP = obj("eBGP over the tunnel.", {
    "enabled": boolean("A BGP session between the two st0 addresses.", default=True),
    "bfd": boolean("BFD on that session.", default=False),
}, docTable="bgp")

LEGACY = obj(
    "Legacy interop opt-in: what the defaults refuse, for a peer that needs it (e.g. an old IKEv1 device). "
    "Every run that uses it warns, naming the tunnel and what is weak, and the report records it.",
    {
        "short_psk": boolean("Accept a pre-shared key shorter than 16 characters (Junos accepts 1-255).",
                             default=False),
        "weak_crypto": boolean("Accept DES/3DES/MD5/SHA-1, DH and PFS groups 1, 2, 5 and IKEv1 aggressive mode.",
                               default=False),
    }, docTable="legacy")

TUNNEL = obj("One tunnel, described once with both ends.", {
    "name": name_node("Unique ignoring case; names the Junos objects (IKE-GW-<NAME>, ...).", required=True),
    "description": _node("string", "Free text appended to the st0 description (rendered quoted).",
                         pattern=DESCRIPTION_PATTERN, rule=DESCRIPTION_RULE, minLength=1, maxLength=DESCRIPTION_MAX),
    "state": choice("absent removes exactly this tunnel's configuration on both ends.", ["present", "absent"],
                    default="present"),
    "ends": _node("array", "The two ends.", required=True, minItems=2, maxItems=2,
                  countMessage="a tunnel has exactly two ends, got {count}", items=END,
                  label="ends[{index}]"),
    "ike": IKE,
    "ipsec": IPSEC,
    "bgp": BGP,
    "legacy": LEGACY,
    "allow_weak_crypto": boolean("Older spelling of legacy: {weak_crypto: true} (not with legacy).", default=False),
}, docTable="tunnel", exclusive=[["legacy", "allow_weak_crypto"]])

PROFILE = obj("A named crypto profile (srx_vpn_profiles).", {
    "ike": {**IKE_PROPOSAL, "required": True, "doc": "The IKE proposal (fields as a custom IKE proposal)."},
    "ipsec": {**IPSEC_PROPOSAL, "required": True, "doc": "The IPsec proposal (fields as a custom IPsec proposal)."},
    "pfs_group": choice("PFS group of tunnels using the profile.", PFS_GROUPS, default="group14"),
}, docTable="profile")

# ---------------------------------------------------------------------------------------
# The variables
# ---------------------------------------------------------------------------------------
VARIABLES = {
    "srx_vpn_device": {**DEVICE, "scope": "host"},
    "srx_vpn_tunnels": _node("array", "The tunnels of the fleet.", scope="group", items=TUNNEL,
                             uniqueIgnoreCase="name", label="tunnel {key!r}", labelField="name",
                             labelFallback="srx_vpn_tunnels[{index}]", selfName="srx_vpn_tunnels",
                             itemName="tunnel"),
    "srx_vpn_profiles": _node("map", "Extra crypto profiles by name.", scope="group", uniqueIgnoreCase=True,
                              keys=name_node("A profile name (not default, gcm-256 or custom)."), values=PROFILE,
                              label="srx_vpn_profiles[{key!r}]", selfName="srx_vpn_profiles"),
    "srx_vpn_psks": _node("map", "Pre-shared key of each tunnel, by tunnel name (from a vault).", scope="group",
                          keys=name_node("A tunnel name."),
                          values=_node("string", "The key: at least 16 characters, unless its tunnel sets "
                                       "legacy.short_psk.", secret=True, pattern=PSK_PATTERN, rule=PSK_RULE,
                                       minLength=1, maxLength=PSK_MAX),
                          label="srx_vpn_psks[{key!r}]", selfName="srx_vpn_psks", template=True, secret=True),
    # run options (the deploy action checks the commit-confirmed window against the verify timeout)
    "srx_vpn_group": _node("string", "Inventory group of the SRX devices.", scope="run", default="srx",
                           pattern=NAME_PATTERN, rule=NAME_RULE, maxLength=64),
    "srx_vpn_confirm_minutes": integer("Commit-confirmed window (the Junos range); must exceed the verify "
                                       "timeout by 60 s.", 1, 65535, scope="run", default=5, cli=True),
    "srx_vpn_verify_timeout": _node("number", "Seconds to wait for both ends of every changed tunnel.",
                                    scope="run", minimum=0, default=60, cli=True),
    "srx_vpn_command_timeout": _node("number", "Seconds for one NETCONF RPC.", scope="run", minimum=1, default=60,
                                     cli=True),
    "srx_vpn_workers": integer("Devices handled in parallel.", 1, scope="run", default=64, cli=True),
    "srx_vpn_serial": integer("Changed devices per batch (0: all at once), or a percentage like \"25%\".", 0,
                              scope="run", default=0, cli=True, percent=True),
    "srx_vpn_output_dir": _node("string", "Folder of the rendered files (render_vpn.yml).", scope="run",
                                minLength=1, defaultDoc="<playbook_dir>/output"),
    "srx_vpn_reports_dir": _node("string", "Folder of vpn_status.md and .json.", scope="run", minLength=1,
                                 defaultDoc="<playbook_dir>/../reports"),
}
# Variables the product sets itself (facts): allowed, never validated.
PRODUCT_FACTS = ("srx_vpn_plans", "srx_vpn_run_id")
# Variables with this prefix must be one of VARIABLES or PRODUCT_FACTS (a typo is an error).
VARIABLE_PREFIX = "srx_vpn_"
RUN_OPTIONS = tuple(name for name, node in VARIABLES.items() if node["scope"] == "run")
