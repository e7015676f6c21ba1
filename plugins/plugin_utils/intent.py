# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet intent: validation (pre-flight, no device contact) and the per-device plan.

The intent describes each tunnel ONCE with both ends; each device carries its own facts.
``build_plans`` checks everything and derives, for every device, the structure the roles
render (``interfaces``, ``zones``, ``ike``, ``ipsec``, ``bgp``) and the state ``verify``
expects. Pre-shared keys are checked here but never copied into a plan: the plan names
the key by tunnel and the deploy step fills it in, in memory, at push time.

Input shapes (documented for users in docs/intent.md)::

    devices:  {name: {external_interface, external_address, public_address?, asn,
                      loopback?, router_id?, advertise?, lan_prefixes?, zones?}}
    tunnels:  [{name, state?, ends: [{device, st0_unit, address, remote_gateway?}] x2,
                ike?: {version, mode, profile | proposal, dpd: {interval, threshold},
                       nat_keepalive, nat_traversal},
                ipsec?: {profile | proposal, pfs_group, establish_tunnels},
                bgp?: {enabled, bfd}, allow_weak_crypto?}]
    psks:     {tunnel name: key}
    profiles: {name: {ike: {...}, ipsec: {...}, pfs_group}}   (merged over BUILTIN_PROFILES)
"""
from __future__ import annotations

import re

try:
    from netaddr import AddrFormatError, IPAddress, IPNetwork
except ImportError as _exc:  # reported by build_plans(), so that loading the plugins never fails
    NETADDR_IMPORT_ERROR: ImportError | None = _exc
else:
    NETADDR_IMPORT_ERROR = None

MIN_PSK_LENGTH = 16
WEAK = {
    "encryption_algorithm": {"des-cbc", "3des-cbc"},
    "authentication_algorithm": {"md5", "sha1", "hmac-md5-96", "hmac-sha1-96"},
    "dh_group": {"group1", "group2", "group5"},
    "pfs_group": {"group1", "group2", "group5"},
}
IKE_FIELDS = {
    "authentication_method": {"pre-shared-keys"},
    "dh_group": {"group1", "group2", "group5", "group14", "group15", "group16", "group19", "group20",
                 "group21", "group24"},
    "authentication_algorithm": {"md5", "sha1", "sha-256", "sha-384", "sha-512"},
    "encryption_algorithm": {"des-cbc", "3des-cbc", "aes-128-cbc", "aes-192-cbc", "aes-256-cbc",
                             "aes-128-gcm", "aes-256-gcm"},
}
IPSEC_FIELDS = {
    "protocol": {"esp"},
    "encryption_algorithm": {"des-cbc", "3des-cbc", "aes-128-cbc", "aes-192-cbc", "aes-256-cbc",
                             "aes-128-gcm", "aes-192-gcm", "aes-256-gcm"},
    "authentication_algorithm": {"hmac-md5-96", "hmac-sha1-96", "hmac-sha-256-128", "hmac-sha-384-192",
                                 "hmac-sha-512-256"},
}
BUILTIN_PROFILES = {
    # The reference guide's suite: AES-256-CBC, SHA-256, DH group 14, ESP HMAC-SHA-256-128, PFS 14.
    "default": {
        "ike": {"authentication_method": "pre-shared-keys", "dh_group": "group14",
                "authentication_algorithm": "sha-256", "encryption_algorithm": "aes-256-cbc",
                "lifetime_seconds": 28800},
        "ipsec": {"protocol": "esp", "encryption_algorithm": "aes-256-cbc",
                  "authentication_algorithm": "hmac-sha-256-128", "lifetime_seconds": 3600},
        "pfs_group": "group14",
    },
    # Suite B style: AES-256-GCM, ECDH P-384.
    "gcm-256": {
        "ike": {"authentication_method": "pre-shared-keys", "dh_group": "group20",
                "authentication_algorithm": "sha-384", "encryption_algorithm": "aes-256-gcm",
                "lifetime_seconds": 28800},
        "ipsec": {"protocol": "esp", "encryption_algorithm": "aes-256-gcm", "lifetime_seconds": 3600},
        "pfs_group": "group20",
    },
}
DEFAULT_ZONES = {"untrust": "UNTRUST", "vpn": "VPN"}
ZONE_ROLES = ("untrust", "vpn", "trust")  # trust: optional LAN zone for transit policies
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")
IFL_RE = re.compile(r"^[a-z]{2,4}-\d+/\d+/\d+\.\d+$|^(ae|reth)\d+\.\d+$")


class IntentError(ValueError):
    """Every problem of the intent, one per line, each naming the device or tunnel and field."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Checker:
    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, field: str, message: str) -> None:
        self.problems.append(f"{where}: {field}: {message}")

    def require(self, obj: dict, where: str, field: str, kind, default=None, required=True):
        if not isinstance(obj, dict):
            return default
        if field not in obj or obj[field] is None:
            if required:
                self.fail(where, field, "missing")
            return default
        value = obj[field]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            if isinstance(value, str) and value.isdigit():
                return int(value)
            self.fail(where, field, f"must be an integer, got {value!r}")
            return default
        if kind is str and not isinstance(value, str):
            self.fail(where, field, f"must be a string, got {type(value).__name__}")
            return default
        if kind in (list, dict) and not isinstance(value, kind):
            self.fail(where, field, f"must be a {kind.__name__}")
            return default
        if kind is bool and not isinstance(value, bool):
            self.fail(where, field, f"must be true or false, got {value!r}")
            return default
        return value

    def unknown(self, obj: dict, where: str, allowed: set[str]) -> None:
        if isinstance(obj, dict):
            for key in obj:
                if key not in allowed:
                    self.fail(where, key, f"unknown field (expected one of {', '.join(sorted(allowed))})")

    def interface(self, value, where: str, field: str):
        if value is None:
            return None
        try:
            net = IPNetwork(value)
        except (AddrFormatError, ValueError, TypeError):
            self.fail(where, field, f"invalid address {value!r} (expected A.B.C.D/LEN)")
            return None
        if "/" not in str(value) or net.version != 4:
            self.fail(where, field, f"invalid address {value!r} (expected A.B.C.D/LEN)")
            return None
        return net

    def address(self, value, where: str, field: str):
        if value is None:
            return None
        try:
            addr = IPAddress(value)
        except (AddrFormatError, ValueError, TypeError):
            self.fail(where, field, f"invalid IPv4 address {value!r}")
            return None
        if addr.version != 4 or "/" in str(value):
            self.fail(where, field, f"invalid IPv4 address {value!r}")
            return None
        return addr

    def prefix(self, value, where: str, field: str):
        try:
            net = IPNetwork(value)
        except (AddrFormatError, ValueError, TypeError):
            self.fail(where, field, f"invalid prefix {value!r}")
            return None
        if net.version != 4 or net.network != net.ip:
            self.fail(where, field, f"invalid prefix {value!r} (host bits set or not IPv4)")
            return None
        return net


DEVICE_FIELDS = {"external_interface", "external_address", "public_address", "asn", "loopback", "router_id",
                 "advertise", "lan_prefixes", "zones"}
TUNNEL_FIELDS = {"name", "state", "ends", "ike", "ipsec", "bgp", "allow_weak_crypto", "description"}
END_FIELDS = {"device", "st0_unit", "address", "remote_gateway"}
IKE_INTENT_FIELDS = {"version", "mode", "profile", "proposal", "dpd", "nat_keepalive", "nat_traversal"}
IPSEC_INTENT_FIELDS = {"profile", "proposal", "pfs_group", "establish_tunnels"}


def build_plans(devices: dict, tunnels: list, psks: dict | None = None, profiles: dict | None = None) -> dict:
    """Validate the intent and return ``{device: plan}``; raise IntentError with every problem."""
    if NETADDR_IMPORT_ERROR is not None:
        raise ImportError("the Python library netaddr is required on the controller "
                          "(pip install netaddr)") from NETADDR_IMPORT_ERROR
    ck = _Checker()
    psks = psks or {}
    all_profiles = {**BUILTIN_PROFILES, **(profiles or {})}
    facts = {name: _device_facts(ck, name, spec) for name, spec in sorted((devices or {}).items())}
    if not isinstance(tunnels, list):
        ck.fail("srx_vpn_tunnels", "-", "must be a list of tunnels")
        tunnels = []
    seen_names: set[str] = set()
    st0_used: dict[tuple[str, int], str] = {}
    subnets: list[tuple[IPNetwork, str]] = []
    parsed = []
    for index, raw in enumerate(tunnels):
        name = raw.get("name") if isinstance(raw, dict) else None
        where = f"tunnel {name!r}" if isinstance(name, str) else f"srx_vpn_tunnels[{index}]"
        t = _tunnel(ck, where, raw, facts, all_profiles, psks)
        if t is None:
            continue
        if t["name"] in seen_names:
            ck.fail(where, "name", "used by another tunnel")
        seen_names.add(t["name"])
        for i, end in enumerate(t["ends"]):
            key = (end["device"], end["st0_unit"])
            if key in st0_used and t["state"] == "present":
                ck.fail(where, f"ends[{i}].st0_unit",
                        f"st0.{end['st0_unit']} on {end['device']} is already used by tunnel {st0_used[key]!r}")
            st0_used.setdefault(key, t["name"])
        if t["state"] == "present":
            net = t["ends"][0]["net"].cidr
            for other_net, other in subnets:
                if net in other_net or other_net in net:
                    ck.fail(where, "ends[0].address", f"tunnel subnet {net} overlaps tunnel {other!r} ({other_net})")
            subnets.append((net, t["name"]))
        parsed.append(t)
    if ck.problems:
        raise IntentError(ck.problems)
    return {name: _plan(name, f, [t for t in parsed if name in (e["device"] for e in t["ends"])], facts)
            for name, f in facts.items() if f is not None}


def _device_facts(ck: _Checker, name: str, spec) -> dict | None:
    where = f"device {name!r}"
    if not isinstance(spec, dict):
        ck.fail(where, "srx_vpn_device", "missing or not a mapping")
        return None
    ck.unknown(spec, where, DEVICE_FIELDS)
    ext = ck.require(spec, where, "external_interface", str)
    if ext is not None and not IFL_RE.match(ext):
        ck.fail(where, "external_interface", f"{ext!r} is not a logical interface like ge-0/0/0.0")
    ext_net = ck.interface(ck.require(spec, where, "external_address", str), where, "external_address")
    public = ck.address(spec.get("public_address"), where, "public_address") if spec.get("public_address") else None
    asn = ck.require(spec, where, "asn", int)
    if asn is not None and not 1 <= asn <= 4294967295:
        ck.fail(where, "asn", f"{asn} is out of range 1-4294967295")
    loopback = ck.interface(spec.get("loopback"), where, "loopback") if spec.get("loopback") else None
    router_id = ck.address(spec.get("router_id"), where, "router_id") if spec.get("router_id") else None
    advertise = []
    for i, p in enumerate(ck.require(spec, where, "advertise", list, [], required=False)):
        net = ck.prefix(p, where, f"advertise[{i}]")
        if net is not None:
            advertise.append(net)
    lans = []
    for i, p in enumerate(ck.require(spec, where, "lan_prefixes", list, [], required=False)):
        net = ck.prefix(p, where, f"lan_prefixes[{i}]")
        if net is not None:
            lans.append(net)
    zones = {**DEFAULT_ZONES, **(ck.require(spec, where, "zones", dict, {}, required=False))}
    for role, zone in zones.items():
        if role not in ZONE_ROLES:
            ck.fail(where, f"zones.{role}", f"unknown zone role (expected {', '.join(ZONE_ROLES)})")
        elif not isinstance(zone, str) or not NAME_RE.match(zone):
            ck.fail(where, f"zones.{role}", f"invalid zone name {zone!r}")
    if router_id is None and loopback is not None:
        router_id = loopback.ip
    if not advertise and loopback is not None:
        advertise = [IPNetwork(f"{loopback.ip}/32")]
    if ext_net is None or asn is None or ext is None:
        return None
    return {"external_interface": ext, "external_address": ext_net, "public_address": public or ext_net.ip,
            "asn": asn, "loopback": loopback, "router_id": router_id, "advertise": advertise,
            "lan_prefixes": lans, "zones": zones}


def _tunnel(ck: _Checker, where: str, raw, facts: dict, profiles: dict, psks: dict) -> dict | None:
    if not isinstance(raw, dict):
        ck.fail(where, "-", "must be a mapping")
        return None
    ck.unknown(raw, where, TUNNEL_FIELDS)
    name = ck.require(raw, where, "name", str)
    if name is not None and not NAME_RE.match(name):
        ck.fail(where, "name", "use letters, digits, '-', '_' or '.' (at most 41 characters)")
        name = None
    state = ck.require(raw, where, "state", str, "present", required=False)
    if state not in ("present", "absent"):
        ck.fail(where, "state", f"must be present or absent, got {state!r}")
    ends_raw = ck.require(raw, where, "ends", list, [])
    if len(ends_raw) != 2:
        ck.fail(where, "ends", f"a tunnel has exactly two ends, got {len(ends_raw)}")
        return None
    ends = []
    for i, end in enumerate(ends_raw):
        ew = f"ends[{i}]"
        if not isinstance(end, dict):
            ck.fail(where, ew, "must be a mapping")
            return None
        for key in end:
            if key not in END_FIELDS:
                ck.fail(where, f"{ew}.{key}", f"unknown field (expected one of {', '.join(sorted(END_FIELDS))})")
        device = end.get("device")
        if device not in facts:
            ck.fail(where, f"{ew}.device", f"unknown device {device!r}")
            device = None
        elif facts[device] is None:
            device = None
        unit = ck.require(end, where, "st0_unit", int)
        if unit is not None and not 0 <= unit <= 16385:
            ck.fail(where, f"{ew}.st0_unit", f"{unit} is out of range 0-16385")
        net = ck.interface(ck.require(end, where, "address", str), where, f"{ew}.address")
        ends.append({"device": device, "st0_unit": unit, "net": net, "remote_gateway": end.get("remote_gateway")})
    if any(e["device"] is None or e["st0_unit"] is None or e["net"] is None for e in ends):
        return None
    a, b = ends
    if a["device"] == b["device"]:
        ck.fail(where, "ends", "both ends are on the same device")
    if a["net"].cidr != b["net"].cidr:
        ck.fail(where, "ends[1].address", f"{b['net']} is not in the subnet of ends[0].address {a['net']}")
    elif a["net"].ip == b["net"].ip:
        ck.fail(where, "ends[1].address", "both ends have the same address")
    elif a["net"].prefixlen < 31 and (a["net"].ip in (a["net"].network, a["net"].broadcast)
                                      or b["net"].ip in (b["net"].network, b["net"].broadcast)):
        ck.fail(where, "ends", "a tunnel address is the subnet's network or broadcast address")
    for i, (me, peer) in enumerate(((a, b), (b, a))):
        gw = me["remote_gateway"]
        peer_public = facts[peer["device"]]["public_address"]
        if gw is not None:
            addr = ck.address(gw, where, f"ends[{i}].remote_gateway")
            if addr is not None and addr != peer_public:
                ck.fail(where, f"ends[{i}].remote_gateway",
                        f"{gw} is not the public address of {peer['device']} ({peer_public})")
    fa, fb = facts[a["device"]], facts[b["device"]]
    bgp = ck.require(raw, where, "bgp", dict, {"enabled": True}, required=False)
    bgp_enabled = bgp.get("enabled", True) is not False
    if bgp_enabled and fa["asn"] == fb["asn"]:
        ck.fail(where, "bgp", f"eBGP needs different AS numbers; {a['device']} and {b['device']} are both AS {fa['asn']}")
    weak_ok = ck.require(raw, where, "allow_weak_crypto", bool, False, required=False)
    ike = _ike(ck, where, ck.require(raw, where, "ike", dict, {}, required=False), profiles, weak_ok)
    ipsec = _ipsec(ck, where, ck.require(raw, where, "ipsec", dict, {}, required=False), profiles, weak_ok)
    state_ok = state == "present"
    if state_ok and name is not None:
        psk = psks.get(name)
        if psk is None or str(psk) == "":
            ck.fail(where, "psk", f"no pre-shared key in srx_vpn_psks[{name!r}] (put it in the vault)")
        elif len(str(psk)) < MIN_PSK_LENGTH:
            ck.fail(where, "psk", f"pre-shared key is shorter than {MIN_PSK_LENGTH} characters")
    if name is None or ike is None or ipsec is None:
        return None
    return {"name": name, "state": state, "ends": ends, "ike": ike, "ipsec": ipsec,
            "bgp": {"enabled": bgp_enabled, "bfd": bool(bgp.get("bfd", False))},
            "description": raw.get("description")}


def _proposal(ck: _Checker, where: str, field: str, spec: dict, fields: dict, weak_ok: bool) -> dict:
    out = {}
    for key, allowed in fields.items():
        value = spec.get(key)
        if value is None:
            continue
        if value not in allowed:
            ck.fail(where, f"{field}.{key}", f"{value!r} is not one of {', '.join(sorted(allowed))}")
        elif value in WEAK.get(key, ()) and not weak_ok:
            ck.fail(where, f"{field}.{key}", f"{value} is weak crypto; set allow_weak_crypto: true on this tunnel to use it")
        out[key] = value
    lifetime = spec.get("lifetime_seconds")
    if lifetime is not None:
        if not isinstance(lifetime, int) or not 180 <= lifetime <= 86400:
            ck.fail(where, f"{field}.lifetime_seconds", f"{lifetime!r} is out of range 180-86400")
        out["lifetime_seconds"] = lifetime
    return out


def _profile(ck, where, section: str, spec: dict, profiles: dict):
    if "proposal" in spec and "profile" in spec:
        ck.fail(where, f"{section}.profile", "give either profile or proposal, not both")
    if "proposal" in spec:
        prop = spec["proposal"]
        if not isinstance(prop, dict):
            ck.fail(where, f"{section}.proposal", "must be a mapping")
            return None, None
        return prop, "custom"
    pname = spec.get("profile", "default")
    if pname not in profiles:
        ck.fail(where, f"{section}.profile", f"unknown crypto profile {pname!r} (known: {', '.join(sorted(profiles))})")
        return None, None
    return profiles[pname], pname


def _ike(ck: _Checker, where: str, spec: dict, profiles: dict, weak_ok: bool) -> dict | None:
    ck.unknown(spec, f"{where}: ike", IKE_INTENT_FIELDS)
    version = spec.get("version", "v2")
    if version not in ("v1", "v2"):
        ck.fail(where, "ike.version", f"must be v1 or v2, got {version!r}")
    mode = spec.get("mode", "main")
    if mode not in ("main", "aggressive"):
        ck.fail(where, "ike.mode", f"must be main or aggressive, got {mode!r}")
    if version == "v2" and "mode" in spec:
        ck.fail(where, "ike.mode", "applies to IKEv1 only")
    source, pname = _profile(ck, where, "ike", spec, profiles)
    if source is None:
        return None
    ike_source = source.get("ike", source) if pname != "custom" else source
    proposal = _proposal(ck, where, "ike.proposal" if pname == "custom" else f"profile {pname}: ike",
                         ike_source, IKE_FIELDS, weak_ok)
    proposal.setdefault("authentication_method", "pre-shared-keys")
    for key in ("dh_group", "encryption_algorithm"):
        if key not in proposal:
            ck.fail(where, f"ike.proposal.{key}", "missing")
    if "gcm" not in proposal.get("encryption_algorithm", "") and "authentication_algorithm" not in proposal:
        ck.fail(where, "ike.proposal.authentication_algorithm", "missing (required unless encryption is GCM)")
    dpd = spec.get("dpd", {"interval": 10, "threshold": 3})
    if dpd is not None:
        if not isinstance(dpd, dict):
            ck.fail(where, "ike.dpd", "must be a mapping with interval and threshold")
            dpd = None
        else:
            for key, lo, hi in (("interval", 2, 60), ("threshold", 1, 5)):
                v = dpd.get(key)
                if not isinstance(v, int) or not lo <= v <= hi:
                    ck.fail(where, f"ike.dpd.{key}", f"must be an integer {lo}-{hi}, got {v!r}")
    keepalive = spec.get("nat_keepalive")
    if keepalive is not None and (not isinstance(keepalive, int) or not 1 <= keepalive <= 300):
        ck.fail(where, "ike.nat_keepalive", f"must be an integer 1-300, got {keepalive!r}")
    return {"version": version, "mode": mode if version == "v1" else None, "proposal": proposal,
            "profile": pname, "dpd": dpd, "nat_keepalive": keepalive,
            "nat_traversal": spec.get("nat_traversal", True) is not False}


def _ipsec(ck: _Checker, where: str, spec: dict, profiles: dict, weak_ok: bool) -> dict | None:
    ck.unknown(spec, f"{where}: ipsec", IPSEC_INTENT_FIELDS)
    source, pname = _profile(ck, where, "ipsec", spec, profiles)
    if source is None:
        return None
    ipsec_source = source.get("ipsec", source) if pname != "custom" else source
    proposal = _proposal(ck, where, "ipsec.proposal" if pname == "custom" else f"profile {pname}: ipsec",
                         ipsec_source, IPSEC_FIELDS, weak_ok)
    proposal.setdefault("protocol", "esp")
    if "encryption_algorithm" not in proposal:
        ck.fail(where, "ipsec.proposal.encryption_algorithm", "missing")
    elif "gcm" not in proposal["encryption_algorithm"] and "authentication_algorithm" not in proposal:
        ck.fail(where, "ipsec.proposal.authentication_algorithm", "missing (required unless encryption is GCM)")
    pfs = spec.get("pfs_group", source.get("pfs_group", "group14") if pname != "custom" else "group14")
    if pfs not in (None, "none") and pfs not in IKE_FIELDS["dh_group"]:
        ck.fail(where, "ipsec.pfs_group", f"{pfs!r} is not a DH group (or none)")
    elif pfs in WEAK["pfs_group"] and not weak_ok:
        ck.fail(where, "ipsec.pfs_group", f"{pfs} is weak crypto; set allow_weak_crypto: true on this tunnel to use it")
    establish = spec.get("establish_tunnels", "immediately")
    if establish not in ("immediately", "on-traffic"):
        ck.fail(where, "ipsec.establish_tunnels", f"must be immediately or on-traffic, got {establish!r}")
    return {"proposal": proposal, "profile": pname, "pfs_group": None if pfs in (None, "none") else pfs,
            "establish_tunnels": establish}


# ---------------------------------------------------------------------------------------
# The per-device plan
# ---------------------------------------------------------------------------------------
def object_names(tunnel: str, ike_profile: str, ipsec_profile: str) -> dict:
    """Junos object names of one tunnel (upper-case, prefixed, stable)."""
    t = tunnel.upper()
    return {"ike_proposal": f"IKE-PROP-{ike_profile.upper()}" if ike_profile != "custom" else f"IKE-PROP-{t}",
            "ike_policy": f"IKE-POL-{t}", "gateway": f"IKE-GW-{t}",
            "ipsec_proposal": f"IPSEC-PROP-{ipsec_profile.upper()}" if ipsec_profile != "custom" else f"IPSEC-PROP-{t}",
            "ipsec_policy": f"IPSEC-POL-{t}", "vpn": f"IPSEC-VPN-{t}"}


BGP_GROUP = "SRXVPN-EBGP"
EXPORT_POLICY = "SRXVPN-EXPORT"
ADVERTISE_LIST = "SRXVPN-ADVERTISE"
MANAGED_PREFIXES = ("IKE-PROP-", "IKE-POL-", "IKE-GW-", "IPSEC-PROP-", "IPSEC-POL-", "IPSEC-VPN-")


def _plan(name: str, f: dict, tunnels: list[dict], facts: dict) -> dict:
    ext_ifd, ext_unit = f["external_interface"].split(".")
    plan = {
        "device": name,
        "asn": f["asn"],
        "router_id": str(f["router_id"]) if f["router_id"] is not None else None,
        "external": {"ifl": f["external_interface"], "interface": ext_ifd, "unit": ext_unit,
                     "address": str(f["external_address"]), "public_address": str(f["public_address"])},
        "loopback": str(f["loopback"]) if f["loopback"] is not None else None,
        "zones": dict(f["zones"]),
        "advertise": [str(p) for p in f["advertise"]],
        "lan_prefixes": [str(p) for p in f["lan_prefixes"]],
        "remote_lan_prefixes": [],
        "tunnels": [], "absent": [], "ike_proposals": {}, "ipsec_proposals": {},
        "bgp": {"group": BGP_GROUP, "export_policy": EXPORT_POLICY, "prefix_list": ADVERTISE_LIST,
                "neighbors": []},
        "expect": {"tunnels": [], "bgp_peers": [], "pings": []},
        "peers": [],
    }
    for t in sorted(tunnels, key=lambda t: t["name"]):
        me, peer = (t["ends"][0], t["ends"][1]) if t["ends"][0]["device"] == name else (t["ends"][1], t["ends"][0])
        pf = facts[peer["device"]]
        names = object_names(t["name"], t["ike"]["profile"], t["ipsec"]["profile"])
        st0 = f"st0.{me['st0_unit']}"
        entry = {"name": t["name"], "st0_unit": me["st0_unit"], "st0": st0, "address": str(me["net"]),
                 "description": t["description"] or f"srx_vpn tunnel {t['name']} to {peer['device']}",
                 "peer": {"device": peer["device"], "address": str(peer["net"].ip), "asn": pf["asn"],
                          "public_address": str(pf["public_address"])},
                 "names": names, "psk_ref": t["name"],
                 "ike": {k: v for k, v in t["ike"].items() if k != "proposal"},
                 "ipsec": {k: v for k, v in t["ipsec"].items() if k != "proposal"},
                 "bgp": t["bgp"]}
        if t["state"] == "absent":
            plan["absent"].append(entry)
            continue
        plan["tunnels"].append(entry)
        plan["peers"].append(peer["device"])
        plan["ike_proposals"][names["ike_proposal"]] = t["ike"]["proposal"]
        plan["ipsec_proposals"][names["ipsec_proposal"]] = t["ipsec"]["proposal"]
        plan["expect"]["tunnels"].append({"name": t["name"], "remote_address": str(pf["public_address"]),
                                          "vpn": names["vpn"], "st0": st0})
        plan["expect"]["pings"].append({"target": str(peer["net"].ip), "source": str(me["net"].ip),
                                        "count": 3, "max_loss_percent": 0, "tunnel": t["name"]})
        if t["bgp"]["enabled"]:
            plan["bgp"]["neighbors"].append({"address": str(peer["net"].ip), "peer_as": pf["asn"],
                                             "tunnel": t["name"], "bfd": t["bgp"]["bfd"],
                                             "description": f"{peer['device']} over {t['name']}"})
            plan["expect"]["bgp_peers"].append({"peer_address": str(peer["net"].ip), "peer_as": pf["asn"],
                                                "tunnel": t["name"],
                                                "min_received_prefixes": len(pf["advertise"])})
    plan["peers"] = sorted(set(plan["peers"]))
    plan["bgp"]["neighbors"].sort(key=lambda n: IPAddress(n["address"]))
    remote = {str(p) for peer in plan["peers"] for p in facts[peer]["lan_prefixes"]}
    plan["remote_lan_prefixes"] = sorted(remote, key=IPNetwork)
    return plan


def tunnel_list(plans: dict) -> list[dict]:
    """Every tunnel of the fleet with its two ends: ``[{name, ends: [device, device]}]``."""
    ends: dict[str, set[str]] = {}
    for device, plan in plans.items():
        for t in plan["tunnels"]:
            ends.setdefault(t["name"], set()).update({device, t["peer"]["device"]})
    return [{"name": name, "ends": sorted(devices)} for name, devices in sorted(ends.items())]
