# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet intent: validation (pre-flight, no device contact) and the per-device plan.

The intent describes each tunnel ONCE with both ends; each device carries its own facts.
``build_plans`` checks everything in two layers and derives, for every device, the structure
the roles render (``interfaces``, ``zones``, ``ike``, ``ipsec``, ``bgp``) and the state
``verify`` expects:

1. the schema (``intent_schema.py``, interpreted by ``schema_engine.py``): types, closed
   mappings, ranges, Junos name rules, case-insensitive name uniqueness - field by field;
2. the fleet rules below (:data:`RULES`): what needs several fields or the whole fleet -
   address overlaps, duplicates across devices, zones that cannot be made safe, AS pairs,
   weak crypto, key strength. One small function each, yielding ``(where, field, message)``.

Every problem of both layers is reported at once (``IntentError``). Pre-shared keys are
checked but never copied into a plan, and no message shows a key: the plan names the key by
tunnel and the deploy step fills it in, in memory, at push time.

The input shapes are documented for users in docs/intent.md (tables generated from the schema).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# netaddr, through the collection's one address helper; a missing netaddr is reported by
# build_plans(), so that loading the plugins never fails
from ansible_collections.netops.srx_vpn.plugins.module_utils.addresses import (
    NETADDR_IMPORT_ERROR,
    IPAddress,
    IPNetwork,
)

from . import intent_schema as S
from .schema_engine import (
    INVALID,
    Checker,
    ip_address,
    network,
    suggest,
    valid,
    validate,
)

# Key strength: the product's minimum (Junos itself accepts 1-255 characters, the schema's bound).
MIN_PSK_LENGTH = 16
MAX_PSK_LENGTH = S.PSK_MAX
WEAK = {
    "encryption_algorithm": {"des-cbc", "3des-cbc"},
    "authentication_algorithm": {"md5", "sha1", "hmac-md5-96", "hmac-sha1-96"},
    "dh_group": {"group1", "group2", "group5"},
    "pfs_group": {"group1", "group2", "group5"},
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
CUSTOM = "custom"   # the profile of a tunnel with its own `proposal:` (objects named after the tunnel)
RESERVED_PROFILE_NAMES = (*BUILTIN_PROFILES, CUSTOM)
DEFAULT_ZONES = {"untrust": "UNTRUST", "vpn": "VPN"}
ZONE_ROLES = ("untrust", "vpn", "trust")  # trust: optional LAN zone for transit policies
IKE_PROPOSAL_FIELDS = tuple(S.IKE_PROPOSAL["fields"])
IPSEC_PROPOSAL_FIELDS = tuple(S.IPSEC_PROPOSAL["fields"])


def _default(node: dict, name: str):
    return node["fields"][name].get("default")


class IntentError(ValueError):
    """Every problem of the intent, one per line, each naming the device or tunnel and field."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------
# The fleet model (what the schema let through; None where a value is missing or invalid)
# ---------------------------------------------------------------------------------------
@dataclass
class Uplink:
    """One external interface of a device: the primary (external_interface) or one of ``uplinks``."""
    name: str
    source: str           # where the intent gives it: external_interface or uplinks[N]
    ifl: str | None
    ext: IPNetwork | None
    public: IPAddress | None
    public_given: bool


@dataclass
class Device:
    name: str
    ifl: str | None
    ext: IPNetwork | None
    public: IPAddress | None
    public_given: bool
    asn: int | None
    loopback: IPNetwork | None
    router_id: IPAddress | None
    router_id_given: bool
    advertise: list
    lans: list            # [(index, IPNetwork)]
    zones: dict           # role -> name (None when invalid)
    vpn_shared_given: bool | None = None   # zones.vpn_shared as given (None: not given)
    extra_uplinks: list = field(default_factory=list)   # [Uplink] of srx_vpn_device.uplinks

    @property
    def uplinks(self) -> dict[str, Uplink]:
        """Every uplink by name, the primary (external_interface) first."""
        primary = Uplink(S.PRIMARY_UPLINK, "external_interface", self.ifl, self.ext, self.public, self.public_given)
        return {primary.name: primary, **{u.name: u for u in self.extra_uplinks if u.name is not None}}

    @property
    def vpn_shared(self) -> bool:
        """The VPN zone is shared (the product owns only its st0 units in it): as given, else
        when it is the external zone."""
        if self.vpn_shared_given is not None:
            return self.vpn_shared_given
        return self.zones.get("vpn") is not None and self.zones.get("vpn") == self.zones.get("untrust")

    @property
    def complete(self) -> bool:
        return self.ifl is not None and self.ext is not None and self.asn is not None


@dataclass
class Peer:
    """A tunnel end outside the inventory (configured out of band)."""
    name: str | None
    gateway: IPAddress | None
    backups: list            # [(index, IPAddress)]
    identity: tuple | None   # (Junos kind, value): ("hostname", "vpn.example.net")
    asn: int | None
    prefixes: list           # [IPNetwork]
    ike_proposals: list | None     # as given (cleaned), None when not given
    ipsec_proposals: list | None


@dataclass
class End:
    index: int
    device_name: object   # as given (str, INVALID or None)
    device: Device | None
    st0_unit: int | None
    net: IPNetwork | None
    remote_gateway: IPAddress | None
    peer: Peer | None = None          # an external end
    uplink: str | None = S.PRIMARY_UPLINK
    given: dict = field(default_factory=dict)   # the cleaned end as the schema returned it
    selectors: list | None = None     # [IPNetwork] protected at this end, None when not given

    @property
    def external(self) -> bool:
        return self.peer is not None

    @property
    def label(self) -> str | None:
        """The device name, or the external peer's name."""
        if self.peer is not None:
            return self.peer.name
        return self.device_name if isinstance(self.device_name, str) else None

    def public_address(self) -> IPAddress | None:
        """Where the other end's IKE gateway reaches this end (primary address)."""
        if self.peer is not None:
            return self.peer.gateway
        if self.device is None:
            return None
        up = self.device.uplinks.get(self.uplink)
        return up.public if up is not None else None


@dataclass
class Tunnel:
    where: str
    name: str | None
    state: str | None
    ends: list[End]
    description: str | None
    weak_ok: bool        # legacy.weak_crypto (or allow_weak_crypto)
    short_psk_ok: bool   # legacy.short_psk
    bgp: dict
    ike: dict            # version, mode, mode_given, profile, proposal, dpd, nat_keepalive, nat_traversal
    ipsec: dict          # profile, proposal, pfs_group, establish_tunnels, proxy_identity, vpn_monitor
    given: dict = field(default_factory=dict)   # the cleaned entry as the schema returned it
    given_cache: dict = field(default_factory=dict)   # values derived once (the subnet)

    @property
    def present(self) -> bool:
        return self.state == "present"


@dataclass
class Fleet:
    devices: dict         # name -> Device (None: srx_vpn_device missing or not a mapping)
    tunnels: list         # [Tunnel]
    psks: dict            # tunnel name -> key (INVALID when the schema refused it)
    profiles: dict        # name -> profile (built-in and custom; INVALID when refused)
    custom_profiles: dict  # srx_vpn_profiles as cleaned
    psks_given: bool = True  # srx_vpn_psks is a mapping (otherwise already reported)
    psks_required: bool = True  # False: an offline render or an audit, no key needed


def _v(value):
    """A cleaned value, or None when invalid."""
    return None if value is INVALID else value


def _device(name: str, spec: dict | None) -> Device | None:
    if not isinstance(spec, dict):
        return None
    ext = network(spec["external_address"]) if valid(spec.get("external_address")) else None
    public = ip_address(spec["public_address"]) if valid(spec.get("public_address")) else None
    loopback = network(spec["loopback"]) if valid(spec.get("loopback")) else None
    router_id = ip_address(spec["router_id"]) if valid(spec.get("router_id")) else None
    advertise = [network(p) for p in _v(spec.get("advertise")) or [] if valid(p)]
    lans = [(i, network(p)) for i, p in enumerate(_v(spec.get("lan_prefixes")) or []) if valid(p)]
    zones = dict(DEFAULT_ZONES)
    given_zones = spec.get("zones")
    shared = None
    if given_zones is INVALID:
        zones = dict.fromkeys(ZONE_ROLES)
    elif given_zones:
        zones.update({role: _v(value) for role, value in given_zones.items() if role in ZONE_ROLES})
        shared = given_zones.get("vpn_shared") if isinstance(given_zones.get("vpn_shared"), bool) else None
    extra = []
    for i, u in enumerate(_v(spec.get("uplinks")) or []):
        if not isinstance(u, dict):
            continue
        u_ext = network(u["address"]) if valid(u.get("address")) else None
        u_public = ip_address(u["public_address"]) if valid(u.get("public_address")) else None
        extra.append(Uplink(_v(u.get("name")), f"uplinks[{i}]", _v(u.get("interface")), u_ext,
                            u_public if u_public is not None else (u_ext.ip if u_ext is not None else None),
                            u.get("public_address") is not None))
    return Device(
        extra_uplinks=extra,
        name=name, ifl=_v(spec.get("external_interface")), ext=ext,
        public=public if public is not None else (ext.ip if ext is not None else None),
        public_given=spec.get("public_address") is not None, asn=_v(spec.get("asn")), loopback=loopback,
        router_id=router_id if router_id is not None else (loopback.ip if loopback is not None else None),
        router_id_given=spec.get("router_id") is not None,
        advertise=advertise if spec.get("advertise") is not None else
        ([network(f"{loopback.ip}/32")] if loopback is not None else []),
        lans=lans, zones=zones, vpn_shared_given=shared)


def _proposal(source: dict | None, fields: tuple[str, ...], defaults: dict) -> dict | None:
    if not isinstance(source, dict):
        return None
    out = {k: source[k] for k in fields if source.get(k) is not None and source[k] is not INVALID}
    for key, value in defaults.items():
        out.setdefault(key, value)
    return out


def _crypto(section: str, spec: dict, profiles: dict) -> tuple[str | None, dict | None, object]:
    """(profile name or CUSTOM, proposal, the profile itself) of the ``ike``/``ipsec`` section."""
    node = {"ike": S.IKE_PROPOSAL, "ipsec": S.IPSEC_PROPOSAL}[section]
    defaults = {k: v["default"] for k, v in node["fields"].items() if "default" in v}
    fields = tuple(node["fields"])
    if spec.get("proposal") is not None:
        return CUSTOM, _proposal(spec["proposal"], fields, defaults), None
    name = spec.get("profile", "default")
    profile = profiles.get(name) if isinstance(name, str) else None
    if not isinstance(profile, dict):
        return _v(name), None, None
    return name, _proposal(profile.get(section), fields, defaults), profile


IDENTITY_KINDS = {"inet": "inet", "hostname": "hostname", "user_at_hostname": "user-at-hostname"}


def _peer(spec) -> Peer | None:
    """The external peer of an end (None for a device end)."""
    if not isinstance(spec, dict):
        return None
    ident = spec.get("identity")
    identity = None
    if isinstance(ident, dict):
        identity = next(((IDENTITY_KINDS[k], v) for k, v in ident.items() if k in IDENTITY_KINDS and valid(v)),
                        None)
    gateway = spec.get("gateway")
    return Peer(
        name=_v(spec.get("name")), gateway=ip_address(gateway) if valid(gateway) else None,
        backups=[(i, ip_address(a)) for i, a in enumerate(_v(spec.get("backup_gateways")) or []) if valid(a)],
        identity=identity, asn=_v(spec.get("asn")),
        prefixes=[network(p) for p in _v(spec.get("prefixes")) or [] if valid(p)],
        ike_proposals=_v(spec.get("ike_proposals")), ipsec_proposals=_v(spec.get("ipsec_proposals")))


def _vpn_monitor(spec) -> dict | None:
    """{optimized} when VPN monitoring is on, else None."""
    if not isinstance(spec, dict) or spec.get("enabled", True) is False:
        return None
    return {"optimized": spec.get("optimized") is True}


def _tunnel(where: str, raw, devices: dict, profiles: dict) -> Tunnel | None:
    if not isinstance(raw, dict):
        return None
    ends = []
    for i, e in enumerate(_v(raw.get("ends")) or []):
        if not isinstance(e, dict):
            ends.append(End(i, None, None, None, None, None))
            continue
        dev = e.get("device")
        selectors = e.get("selectors")
        ends.append(End(i, dev, devices.get(dev) if isinstance(dev, str) else None, _v(e.get("st0_unit")),
                        network(e["address"]) if valid(e.get("address")) else None,
                        ip_address(e["remote_gateway"]) if valid(e.get("remote_gateway")) else None,
                        peer=_peer(e.get("peer")), uplink=_v(e.get("uplink", S.PRIMARY_UPLINK)), given=e,
                        selectors=[network(p) for p in selectors if valid(p)] if isinstance(selectors, list)
                        else None))
    ike_spec = raw.get("ike") if isinstance(raw.get("ike"), dict) else {}
    ipsec_spec = raw.get("ipsec") if isinstance(raw.get("ipsec"), dict) else {}
    ike_profile, ike_proposal, _ike_source = _crypto("ike", ike_spec, profiles)
    ipsec_profile, ipsec_proposal, ipsec_source = _crypto("ipsec", ipsec_spec, profiles)
    dpd = ike_spec.get("dpd") if isinstance(ike_spec.get("dpd"), dict) else {}
    pfs = ipsec_spec.get("pfs_group")
    if pfs is None:
        pfs = ipsec_source.get("pfs_group", "group14") if isinstance(ipsec_source, dict) else "group14"
    bgp = raw.get("bgp") if isinstance(raw.get("bgp"), dict) else {}
    version = ike_spec.get("version", _default(S.IKE, "version"))
    legacy = raw.get("legacy") if isinstance(raw.get("legacy"), dict) else {}
    return Tunnel(
        where=where, name=_v(raw.get("name")), state=_v(raw.get("state", _default(S.TUNNEL, "state"))),
        ends=ends, description=_v(raw.get("description")),
        weak_ok=raw.get("allow_weak_crypto") is True or legacy.get("weak_crypto") is True,
        short_psk_ok=legacy.get("short_psk") is True,
        bgp={"enabled": bgp.get("enabled", True) is not False, "bfd": bgp.get("bfd") is True},
        ike={"version": _v(version), "mode": _v(ike_spec.get("mode", _default(S.IKE, "mode"))),
             "mode_given": ike_spec.get("mode") is not None, "profile": ike_profile, "proposal": ike_proposal,
             "dpd": {"interval": _v(dpd.get("interval", _default(S.IKE["fields"]["dpd"], "interval"))),
                     "threshold": _v(dpd.get("threshold", _default(S.IKE["fields"]["dpd"], "threshold")))},
             "nat_keepalive": _v(ike_spec.get("nat_keepalive")),
             "nat_traversal": ike_spec.get("nat_traversal", True) is not False},
        ipsec={"profile": ipsec_profile, "proposal": ipsec_proposal, "pfs_group": _v(pfs),
               "establish_tunnels": _v(ipsec_spec.get("establish_tunnels",
                                                      _default(S.IPSEC, "establish_tunnels"))),
               "proxy_identity": ipsec_spec.get("proxy_identity") is True,
               "vpn_monitor": _vpn_monitor(ipsec_spec.get("vpn_monitor"))},
        given=raw)


def parse_fleet(devices: dict, tunnels, psks=None, profiles=None, host_vars=None,
                problems: list[str] | None = None) -> Fleet:
    """Run the schema (problems appended to ``problems``) and build the fleet model."""
    clean, _problems = validate(devices or {}, tunnels, psks, profiles, host_vars, problems)
    facts = {name: _device(name, spec) for name, spec in sorted(clean["devices"].items())}
    custom = clean["profiles"] if isinstance(clean["profiles"], dict) else {}
    all_profiles = {**BUILTIN_PROFILES, **{k: v for k, v in custom.items()
                                           if k.lower() not in RESERVED_PROFILE_NAMES}}
    parsed = []
    raw_tunnels = list(tunnels) if isinstance(tunnels, (list, tuple)) else []
    node = S.VARIABLES["srx_vpn_tunnels"]
    for index, raw in enumerate(clean["tunnels"] if isinstance(clean["tunnels"], list) else []):
        where, _path = Checker.item_label(node, raw_tunnels[index], index, "srx_vpn_tunnels", [])
        t = _tunnel(where, raw, facts, all_profiles)
        if t is not None:
            parsed.append(t)
    return Fleet(facts, parsed, clean["psks"] if isinstance(clean["psks"], dict) else {}, all_profiles, custom,
                 psks_given=isinstance(clean["psks"], dict))


# ---------------------------------------------------------------------------------------
# The fleet rules: one small function each, yielding (where, field, message)
# ---------------------------------------------------------------------------------------
Problem = tuple[str, str, str]


def _devices(fleet: Fleet) -> list[Device]:
    return [d for d in fleet.devices.values() if d is not None]


def _dw(d: Device) -> str:
    return f"device {d.name!r}"


def rule_external_address_is_a_host(fleet: Fleet) -> Iterator[Problem]:
    """The external address is not its subnet's network or broadcast address."""
    for d in _devices(fleet):
        if d.ext is not None and d.ext.prefixlen < 31 and d.ext.ip in (d.ext.network, d.ext.broadcast):
            kind = "network" if d.ext.ip == d.ext.network else "broadcast"
            yield _dw(d), "external_address", f"{d.ext} is the {kind} address of its subnet, not a host address"


def rule_loopback_is_a_host_route(fleet: Fleet) -> Iterator[Problem]:
    """The loopback (lo0.0, router-id, advertised prefix) is a /32."""
    for d in _devices(fleet):
        if d.loopback is not None and d.loopback.prefixlen != 32:
            yield _dw(d), "loopback", f"must be a /32 (one host address on lo0.0), got {d.loopback}"


def rule_zones_are_distinct(fleet: Fleet) -> Iterator[Problem]:
    """The VPN zone is not the LAN zone, and the LAN zone is not the external zone (transit
    policies would open it). A VPN zone that is the external zone is shared (zones.vpn_shared,
    derived true): it cannot be declared the product's own, since the product deletes and
    re-creates its own zone whole."""
    for d in _devices(fleet):
        z = d.zones
        if z.get("vpn") is not None and z.get("vpn") == z.get("trust"):
            yield (_dw(d), "zones.vpn", (f"{z['vpn']!r} is also zones.trust: the transit policies run between "
                   "the LAN zone and the VPN zone, so they must be two zones"))
        if z.get("vpn") is not None and z.get("vpn") == z.get("untrust") and d.vpn_shared_given is False:
            yield (_dw(d), "zones.vpn_shared",
                   f"{z['vpn']!r} is also zones.untrust, which holds the external interface: the product "
                   "cannot own it whole (delete and re-create it); leave vpn_shared out or set it true")
        if z.get("trust") is not None and z.get("trust") == z.get("untrust"):
            yield (_dw(d), "zones.trust", (f"{z['trust']!r} is also zones.untrust: the transit policies would "
                   "permit traffic from the external zone"))


def rule_no_transit_policies_in_a_shared_zone(fleet: Fleet) -> Iterator[Problem]:
    """No LAN zone (transit policies) with a shared VPN zone: the policies match the zone, not
    the interface, so they would also admit traffic arriving on the zone's other interfaces (the
    internet, when the VPN zone is the external zone)."""
    for d in _devices(fleet):
        if d.vpn_shared and d.zones.get("trust") is not None and d.zones.get("vpn") != d.zones.get("trust"):
            yield (_dw(d), "zones.trust", (f"transit policies between {d.zones['trust']!r} and the shared VPN "
                   f"zone {d.zones.get('vpn')!r} would also admit traffic from the zone's other interfaces; "
                   "give the st0 units a zone of their own (zones.vpn, vpn_shared: false) or leave trust out"))


def rule_device_addresses_disjoint(fleet: Fleet) -> Iterator[Problem]:
    """On one device: no LAN prefix overlaps another or the external subnet; the loopback is
    not in the external subnet."""
    for d in _devices(fleet):
        ext = d.ext.cidr if d.ext is not None else None
        if ext is not None and d.loopback is not None and d.loopback.ip in ext:
            yield _dw(d), "loopback", f"{d.loopback.ip} is inside the external subnet {ext}"
        for n, (i, lan) in enumerate(d.lans):
            if ext is not None and (lan in ext or ext in lan):
                yield _dw(d), f"lan_prefixes[{i}]", f"{lan} overlaps the external subnet {ext}"
            for j, other in d.lans[:n]:
                if lan in other or other in lan:
                    yield _dw(d), f"lan_prefixes[{i}]", f"{lan} overlaps lan_prefixes[{j}] ({other})"


def _duplicates(fleet: Fleet, value_of) -> Iterator[tuple[Device, Device, object]]:
    """(device, first device with the same value, value) for every repeated value."""
    seen: dict = {}
    for d in _devices(fleet):
        value = value_of(d)
        if value is None:
            continue
        if value in seen:
            yield d, seen[value], value
        else:
            seen[value] = d


def rule_unique_external_address(fleet: Fleet) -> Iterator[Problem]:
    """No two devices have the same external address."""
    for d, first, ip in _duplicates(fleet, lambda d: d.ext.ip if d.ext is not None else None):
        yield _dw(d), "external_address", f"{ip} is also the external address of device {first.name!r}"


def rule_unique_public_address(fleet: Fleet) -> Iterator[Problem]:
    """No two devices are reached at the same public address (a given public_address included)."""
    for d, first, ip in _duplicates(fleet, lambda d: d.public):
        if d.public_given or first.public_given:
            yield _dw(d), "public_address", f"{ip} is also the public address of device {first.name!r}"


def rule_unique_loopback(fleet: Fleet) -> Iterator[Problem]:
    """No two devices have the same loopback address."""
    for d, first, ip in _duplicates(fleet, lambda d: d.loopback.ip if d.loopback is not None else None):
        yield _dw(d), "loopback", f"{ip} is also the loopback of device {first.name!r}"


def rule_unique_router_id(fleet: Fleet) -> Iterator[Problem]:
    """No two devices have the same BGP router-id (a given router_id included)."""
    for d, first, ip in _duplicates(fleet, lambda d: d.router_id):
        if d.router_id_given or first.router_id_given:
            yield _dw(d), "router_id", f"{ip} is also the router-id of device {first.name!r}"


def _overlapping(items: list[tuple[object, object]]) -> Iterator[tuple[object, object]]:
    """Every pair (earlier, later) of ``items`` - (IPNetwork, payload) in a meaningful order -
    whose networks overlap: a sort and a sweep over integer ranges, not a test of every pair
    (a fleet of hundreds of devices)."""
    ranges = sorted(((int(net.first), int(net.last), n, payload) for n, (net, payload) in enumerate(items)),
                    key=lambda r: (r[0], -r[1]))
    active: list[tuple[int, int, int, object]] = []
    for first, last, n, payload in ranges:
        active = [a for a in active if a[1] >= first]
        for _first, _last, m, other in active:
            yield (other, payload) if m < n else (payload, other)
        active.append((first, last, n, payload))


def rule_lan_prefixes_disjoint_across_devices(fleet: Fleet) -> Iterator[Problem]:
    """No LAN prefix of a device overlaps one of another device."""
    items = [(lan, (d, i, lan)) for d in _devices(fleet) for i, lan in d.lans]
    found = []
    for (other, j, theirs), (d, i, lan) in _overlapping(items):
        if d is not other:
            found.append((_dw(d), f"lan_prefixes[{i}]",
                          f"{lan} overlaps lan_prefixes[{j}] of device {other.name!r} ({theirs})"))
    yield from sorted(found)


def rule_tunnel_ends_are_known_devices(fleet: Fleet) -> Iterator[Problem]:
    """Each end names a device of the fleet (the inventory group)."""
    for t in fleet.tunnels:
        for e in t.ends:
            name = e.device_name
            if isinstance(name, str) and name not in fleet.devices:
                yield t.where, f"ends[{e.index}].device", f"unknown device {name!r}{suggest(name, fleet.devices)}"


def _ends(t: Tunnel) -> tuple[End, End] | None:
    """Both ends when both have a usable device and address."""
    if len(t.ends) != 2 or not all(e.device is not None and e.net is not None for e in t.ends):
        return None
    return t.ends[0], t.ends[1]


def rule_tunnel_ends_on_two_devices(fleet: Fleet) -> Iterator[Problem]:
    """The two ends are on two different devices."""
    for t in fleet.tunnels:
        names = [e.device_name for e in t.ends]
        if len(names) == 2 and isinstance(names[0], str) and names[0] == names[1]:
            yield t.where, "ends", "both ends are on the same device"


def rule_tunnel_ends_in_one_subnet(fleet: Fleet) -> Iterator[Problem]:
    """Both end addresses are host addresses of one subnet, and different."""
    for t in fleet.tunnels:
        if len(t.ends) != 2 or t.ends[0].net is None or t.ends[1].net is None:
            continue
        a, b = t.ends[0].net, t.ends[1].net
        if a.cidr != b.cidr:
            yield t.where, "ends[1].address", f"{b} is not in the subnet of ends[0].address {a}"
        elif a.ip == b.ip:
            yield t.where, "ends[1].address", "both ends have the same address"
        elif a.prefixlen < 31 and (a.ip in (a.network, a.broadcast) or b.ip in (b.network, b.broadcast)):
            yield t.where, "ends", "a tunnel address is the subnet's network or broadcast address"


def rule_st0_units_unique(fleet: Fleet) -> Iterator[Problem]:
    """A present tunnel's st0 unit is not used by another present tunnel on the same device."""
    used: dict[tuple[str, int], str] = {}
    for t in fleet.tunnels:
        if not t.present:
            continue
        for e in t.ends:
            if not isinstance(e.device_name, str) or e.st0_unit is None:
                continue
            key = (e.device_name, e.st0_unit)
            if key in used:
                yield (t.where, f"ends[{e.index}].st0_unit",
                       f"st0.{e.st0_unit} on {e.device_name} is already used by tunnel {used[key]!r}")
            used.setdefault(key, t.name)


def _subnet(t: Tunnel):
    """The tunnel's subnet (None unless both ends have an address in one subnet)."""
    if "subnet" not in t.given_cache:
        a, b = (t.ends[0].net, t.ends[1].net) if len(t.ends) == 2 else (None, None)
        t.given_cache["subnet"] = a.cidr if a is not None and b is not None and a.cidr == b.cidr else None
    return t.given_cache["subnet"]


def rule_tunnel_subnets_disjoint(fleet: Fleet) -> Iterator[Problem]:
    """No two present tunnels' subnets overlap."""
    items = [(_subnet(t), (n, t)) for n, t in enumerate(fleet.tunnels) if t.present and _subnet(t) is not None]
    found = []
    for (_m, first), (n, later) in _overlapping(items):
        found.append((n, (later.where, "ends[0].address",
                          f"tunnel subnet {_subnet(later)} overlaps tunnel {first.name!r} ({_subnet(first)})")))
    yield from (problem for _n, problem in sorted(found, key=lambda x: x[0]))


def rule_tunnel_subnet_clear_of_device_addresses(fleet: Fleet) -> Iterator[Problem]:
    """A present tunnel's subnet overlaps no device's external subnet or LAN prefix and holds no
    device's loopback (an st0 address equal to a loopback included)."""
    items = []
    for n, t in enumerate(fleet.tunnels):
        if t.present and _subnet(t) is not None:
            items.append((_subnet(t), ("tunnel", n, t)))
    for d in _devices(fleet):
        if d.ext is not None:
            items.append((d.ext.cidr, ("external", d, f"the external subnet of device {d.name!r} ({d.ext.cidr})")))
        for u in d.extra_uplinks:
            if u.ext is not None:
                items.append((u.ext.cidr, ("external", d, f"the subnet of uplink {u.name!r} of device {d.name!r} "
                                                          f"({u.ext.cidr})")))
        if d.loopback is not None:
            items.append((network(f"{d.loopback.ip}/32"),
                          ("loopback", d, f"the loopback of device {d.name!r} ({d.loopback.ip})")))
        for i, lan in d.lans:
            items.append((lan, ("lan", d, f"lan_prefixes[{i}] of device {d.name!r} ({lan})")))
    found = []
    for a, b in _overlapping(items):
        tunnel, other = (a, b) if a[0] == "tunnel" else (b, a)
        if tunnel[0] != "tunnel" or other[0] == "tunnel":
            continue
        t = tunnel[2]
        verb = "holds" if other[0] == "loopback" else "overlaps"
        found.append((tunnel[1], (t.where, "ends[0].address", f"tunnel subnet {_subnet(t)} {verb} {other[2]}")))
    yield from (problem for _n, problem in sorted(found, key=lambda x: x[0]))


def rule_remote_gateway_is_the_peer(fleet: Fleet) -> Iterator[Problem]:
    """A given remote_gateway is the public address of the other end (of the uplink it uses, or the
    external peer's gateway)."""
    for t in fleet.tunnels:
        if len(t.ends) != 2:
            continue
        for me, peer in ((t.ends[0], t.ends[1]), (t.ends[1], t.ends[0])):
            gw, public = me.remote_gateway, peer.public_address()
            if gw is not None and public is not None and gw != public and not me.external:
                yield (t.where, f"ends[{me.index}].remote_gateway",
                       f"{gw} is not the public address of {peer.label} ({public})")


def rule_ebgp_peers_differ_in_as(fleet: Fleet) -> Iterator[Problem]:
    """With BGP on the tunnel, the two ends are in different AS (eBGP); an external peer's AS
    (peer.asn) is then required."""
    for t in fleet.tunnels:
        if not t.bgp["enabled"] or len(t.ends) != 2:
            continue
        for e in t.ends:
            if e.external and e.peer.asn is None and "asn" not in (e.given.get("peer") or {}):
                yield (t.where, f"ends[{e.index}].peer.asn",
                       "missing: BGP runs over the tunnel (set the peer's AS, or bgp: {enabled: false})")
        asns = [(e.peer.asn if e.external else e.device.asn if e.device is not None else None, e.label)
                for e in t.ends]
        (a_as, a), (b_as, b) = asns
        if a_as is not None and a_as == b_as and a != b:
            yield t.where, "bgp", f"eBGP needs different AS numbers; {a} and {b} are both AS {a_as}"


def rule_psk_given(fleet: Fleet) -> Iterator[Problem]:
    """A present tunnel has a key in srx_vpn_psks."""
    for t in fleet.tunnels:
        if fleet.psks_required and fleet.psks_given and t.present and t.name is not None \
                and t.name not in fleet.psks:
            hint = suggest(t.name, fleet.psks).replace("did you mean", "srx_vpn_psks has")
            yield t.where, "psk", f"no pre-shared key in srx_vpn_psks[{t.name!r}] (put it in the vault){hint}"


def _short_psk(fleet: Fleet, t: Tunnel) -> bool:
    """A present tunnel's given key is shorter than MIN_PSK_LENGTH (the key is never shown)."""
    key = fleet.psks.get(t.name) if t.present and t.name is not None else None
    return isinstance(key, str) and len(key) < MIN_PSK_LENGTH


def rule_psk_strength(fleet: Fleet) -> Iterator[Problem]:
    """A present tunnel's key has at least 16 characters (MIN_PSK_LENGTH), unless the tunnel sets
    legacy.short_psk; the key is never shown."""
    for t in fleet.tunnels:
        if _short_psk(fleet, t) and not t.short_psk_ok:
            yield t.where, "psk", (f"pre-shared key is shorter than {MIN_PSK_LENGTH} characters (for a legacy peer "
                                   "that needs it: legacy: {short_psk: true} on this tunnel)")


def rule_crypto_profile_known(fleet: Fleet) -> Iterator[Problem]:
    """A tunnel's ike/ipsec profile is a built-in one or one of srx_vpn_profiles."""
    for t in fleet.tunnels:
        for section in ("ike", "ipsec"):
            spec = t.ike if section == "ike" else t.ipsec
            name = spec["profile"]
            if isinstance(name, str) and name != CUSTOM and name not in fleet.profiles \
                    and name not in fleet.custom_profiles:
                known = [n for n in fleet.profiles if n != CUSTOM]
                yield (t.where, f"{section}.profile", (f"unknown crypto profile {name!r}{suggest(name, known)} "
                       f"(known: {', '.join(sorted(known))})"))


def _proposal_field(t: Tunnel, section: str) -> str:
    profile = t.ike["profile"] if section == "ike" else t.ipsec["profile"]
    return f"{section}.proposal" if profile == CUSTOM else f"profile {profile}: {section}"


def _weak_algorithms(t: Tunnel) -> Iterator[tuple[str, str]]:
    """(field, value) of every weak algorithm or group a tunnel uses (WEAK)."""
    for section in ("ike", "ipsec"):
        proposal = (t.ike if section == "ike" else t.ipsec)["proposal"] or {}
        for key, value in proposal.items():
            if value in WEAK.get(key, ()):
                yield f"{_proposal_field(t, section)}.{key}", value
    if t.ipsec["pfs_group"] in WEAK["pfs_group"]:
        yield "ipsec.pfs_group", t.ipsec["pfs_group"]


def _aggressive(t: Tunnel) -> bool:
    return t.ike["version"] == "v1" and t.ike["mode"] == "aggressive"


def rule_weak_crypto(fleet: Fleet) -> Iterator[Problem]:
    """DES, 3DES, MD5, SHA-1 and DH/PFS groups 1, 2, 5 only with legacy.weak_crypto (or
    allow_weak_crypto): true."""
    for t in fleet.tunnels:
        if t.weak_ok:
            continue
        for fld, value in _weak_algorithms(t):
            yield (t.where, fld, (f"{value} is weak crypto; for a legacy peer that needs it set legacy: "
                   "{weak_crypto: true} on this tunnel"))


def _integrity(proposal: dict, section: str) -> Iterator[tuple[str, str]]:
    gcm = "gcm" in str(proposal.get("encryption_algorithm", ""))
    has_auth = "authentication_algorithm" in proposal
    if not gcm and not has_auth:
        yield "authentication_algorithm", "missing (required unless encryption is GCM)"
    if gcm and has_auth and section == "ipsec":
        yield "authentication_algorithm", "must not be given with GCM encryption (GCM authenticates itself)"


def rule_proposal_integrity(fleet: Fleet) -> Iterator[Problem]:
    """A proposal without GCM names an integrity algorithm; an IPsec proposal with GCM names none.
    Checked once per custom profile and once per tunnel with its own proposal."""
    for name, profile in fleet.custom_profiles.items():
        if isinstance(profile, dict) and name.lower() not in RESERVED_PROFILE_NAMES:
            for section in ("ike", "ipsec"):
                if isinstance(profile.get(section), dict):
                    for key, message in _integrity(profile[section], section):
                        yield f"srx_vpn_profiles[{name!r}]", f"{section}.{key}", message
    for t in fleet.tunnels:
        for section in ("ike", "ipsec"):
            spec = (t.ike if section == "ike" else t.ipsec)
            if spec["profile"] == CUSTOM and spec["proposal"] is not None:
                for key, message in _integrity(spec["proposal"], section):
                    yield t.where, f"{section}.proposal.{key}", message


def rule_ike_gcm_needs_ikev2(fleet: Fleet) -> Iterator[Problem]:
    """GCM encryption of IKE is IKEv2 only on SRX."""
    for t in fleet.tunnels:
        proposal = t.ike["proposal"] or {}
        if t.ike["version"] == "v1" and "gcm" in str(proposal.get("encryption_algorithm", "")):
            yield (t.where, f"{_proposal_field(t, 'ike')}.encryption_algorithm",
                   f"{proposal['encryption_algorithm']} needs IKEv2 (ike.version: v2)")


def rule_ike_mode_is_ikev1_only(fleet: Fleet) -> Iterator[Problem]:
    """ike.mode is given only with IKEv1."""
    for t in fleet.tunnels:
        if t.ike["version"] == "v2" and t.ike["mode_given"]:
            yield t.where, "ike.mode", "applies to IKEv1 only"


def rule_no_aggressive_mode_with_psk(fleet: Fleet) -> Iterator[Problem]:
    """IKEv1 aggressive mode with a pre-shared key sends a hash an eavesdropper can attack
    offline: weak crypto, refused unless legacy.weak_crypto (or allow_weak_crypto): true."""
    for t in fleet.tunnels:
        if _aggressive(t) and not t.weak_ok:
            yield (t.where, "ike.mode",
                   "aggressive mode with a pre-shared key exposes a hash of the key to offline guessing "
                   "(weak crypto); use main mode or IKEv2, or for a legacy peer set legacy: {weak_crypto: true}")


def rule_nat_keepalive_needs_nat_traversal(fleet: Fleet) -> Iterator[Problem]:
    """nat_keepalive means nothing with nat_traversal: false."""
    for t in fleet.tunnels:
        if t.ike["nat_keepalive"] is not None and not t.ike["nat_traversal"]:
            yield t.where, "ike.nat_keepalive", "needs NAT traversal, but nat_traversal is false"


def rule_profile_names_not_reserved(fleet: Fleet) -> Iterator[Problem]:
    """A custom profile does not take the name of a built-in one (or of `custom`)."""
    for name in fleet.custom_profiles:
        if name.lower() in RESERVED_PROFILE_NAMES:
            yield (f"srx_vpn_profiles[{name!r}]", "name", (f"{name!r} is reserved (built-in profiles: "
                   f"{', '.join(BUILTIN_PROFILES)}; {CUSTOM!r} names a tunnel's own proposal); choose another name"))


def rule_custom_proposal_names_free(fleet: Fleet) -> Iterator[Problem]:
    """A tunnel with its own proposal names it after itself (IKE-PROP-<TUNNEL>): no profile may
    have the tunnel's name, ignoring case."""
    profiles = {n.lower(): n for n in (*BUILTIN_PROFILES, *fleet.custom_profiles)}
    for t in fleet.tunnels:
        if t.name is None or t.name.lower() not in profiles:
            continue
        for section in ("ike", "ipsec"):
            if (t.ike if section == "ike" else t.ipsec)["profile"] == CUSTOM:
                prefix = "IKE-PROP-" if section == "ike" else "IPSEC-PROP-"
                yield (t.where, f"{section}.proposal", (f"the tunnel's own proposal is named {prefix}{t.name.upper()}, "
                       f"like the proposal of profile {profiles[t.name.lower()]!r}; rename the tunnel or the profile"))


# -- uplinks, external peers, selectors -------------------------------------------------------
def rule_uplinks_distinct(fleet: Fleet) -> Iterator[Problem]:
    """An uplink (srx_vpn_device.uplinks) has a host address, an interface and a subnet of its own
    on the device (not the external interface's or another uplink's, no LAN prefix or loopback
    in it), and an address and public address no other device uses."""
    owners: dict = {}
    for d in _devices(fleet):
        for u in d.uplinks.values():
            for ip in {u.ext.ip if u.ext is not None else None, u.public} - {None}:
                owners.setdefault(ip, []).append((d, u))
    for d in _devices(fleet):
        seen = [d.uplinks[S.PRIMARY_UPLINK]]
        for u in d.extra_uplinks:
            where = _dw(d)
            if u.name is not None and u.name.lower() == S.PRIMARY_UPLINK:
                yield where, f"{u.source}.name", (f"{S.PRIMARY_UPLINK!r} is the external_interface's uplink; "
                                                  "give this one another name")
            if u.ext is not None and u.ext.prefixlen < 31 and u.ext.ip in (u.ext.network, u.ext.broadcast):
                yield where, f"{u.source}.address", f"{u.ext} is not a host address of its subnet"
            for other in seen:
                if u.ifl is not None and u.ifl == other.ifl:
                    yield where, f"{u.source}.interface", f"{u.ifl} is also the interface of {other.source}"
                elif u.ext is not None and other.ext is not None and (
                        u.ext.ip in other.ext.cidr or other.ext.ip in u.ext.cidr):
                    yield where, f"{u.source}.address", f"{u.ext} overlaps the subnet of {other.source} ({other.ext})"
            seen.append(u)
            if u.ext is not None:
                if d.loopback is not None and d.loopback.ip in u.ext.cidr:
                    yield where, "loopback", f"{d.loopback.ip} is inside the subnet of {u.source} ({u.ext.cidr})"
                for i, lan in d.lans:
                    if lan in u.ext.cidr or u.ext.cidr in lan:
                        yield where, f"lan_prefixes[{i}]", f"{lan} overlaps the subnet of {u.source} ({u.ext.cidr})"
            for ip in [u.ext.ip if u.ext is not None else None, u.public if u.public_given else None]:
                others = [o for o in owners.get(ip, []) if o[0] is not d] if ip is not None else []
                if others:
                    fld = "address" if u.ext is not None and ip == u.ext.ip else "public_address"
                    yield where, f"{u.source}.{fld}", f"{ip} is also an address of device {others[0][0].name!r}"


def rule_end_kind_fields(fleet: Fleet) -> Iterator[Problem]:
    """A device end has an st0_unit; an external end (peer) has none, nor an uplink or a
    remote_gateway (the peer's side is configured out of band). At least one end is a device."""
    for t in fleet.tunnels:
        for e in t.ends:
            if e.external:
                for key in ("st0_unit", "uplink", "remote_gateway"):
                    if e.given.get(key) is not None:
                        yield (t.where, f"ends[{e.index}].{key}",
                               "applies to a device end only: the external peer is configured out of band")
            elif isinstance(e.device_name, str) and e.given.get("st0_unit") is None:
                yield t.where, f"ends[{e.index}].st0_unit", "missing (the st0 unit of this device's end)"
        if len(t.ends) == 2 and all(e.external for e in t.ends):
            yield t.where, "ends", "both ends are external peers: one end must be a device of the fleet"


def rule_uplink_known(fleet: Fleet) -> Iterator[Problem]:
    """A device end's uplink is primary or one of its device's uplinks."""
    for t in fleet.tunnels:
        for e in t.ends:
            if e.device is None or e.uplink is None or e.external:
                continue
            names = e.device.uplinks
            if e.uplink not in names:
                yield (t.where, f"ends[{e.index}].uplink", (f"device {e.device.name!r} has no uplink {e.uplink!r}"
                       f"{suggest(e.uplink, names)} (it has: {', '.join(names)})"))


def rule_external_peer_addresses(fleet: Fleet) -> Iterator[Problem]:
    """An external peer's gateway and backup gateways are distinct and are no address of a device
    of the fleet (a device of the fleet is an end with `device:`)."""
    fleet_ips = {}
    for d in _devices(fleet):
        for u in d.uplinks.values():
            for ip in (u.ext.ip if u.ext is not None else None, u.public):
                if ip is not None:
                    fleet_ips.setdefault(ip, d.name)
    for t in fleet.tunnels:
        for e in t.ends:
            if not e.external:
                continue
            addresses = ([("gateway", e.peer.gateway)] if e.peer.gateway is not None else []) + \
                [(f"backup_gateways[{i}]", ip) for i, ip in e.peer.backups]
            seen: dict = {}
            for fld, ip in addresses:
                path = f"ends[{e.index}].peer.{fld}"
                if ip in fleet_ips:
                    yield (t.where, path, f"{ip} is an address of device {fleet_ips[ip]!r}: an end on a device of "
                           "the fleet is written with device:, not peer:")
                elif ip in seen:
                    yield t.where, path, f"{ip} is also peer.{seen[ip]}"
                seen.setdefault(ip, fld)


def _same_proposal(ours: dict, theirs: dict, keys: tuple[str, ...]) -> bool:
    return all(ours.get(k) == theirs.get(k) for k in keys)


def rule_external_peer_proposals(fleet: Fleet) -> Iterator[Problem]:
    """When an external peer lists the proposals it is configured with, the tunnel's IKE and
    IPsec proposals are among them (method, DH group, algorithms; lifetimes are not negotiated
    alike by every vendor and are not compared)."""
    checks = (("ike", "ike_proposals", ("authentication_method", "dh_group", "authentication_algorithm",
                                        "encryption_algorithm")),
              ("ipsec", "ipsec_proposals", ("protocol", "encryption_algorithm", "authentication_algorithm")))
    for t in fleet.tunnels:
        for e in t.ends:
            if not e.external:
                continue
            for section, key, fields in checks:
                theirs = getattr(e.peer, key)
                ours = (t.ike if section == "ike" else t.ipsec)["proposal"]
                if not isinstance(theirs, list) or not ours:
                    continue
                defaults = {k: v["default"] for k, v in
                            (S.IKE_PROPOSAL if section == "ike" else S.IPSEC_PROPOSAL)["fields"].items()
                            if "default" in v}
                theirs = [{**defaults, **p} for p in theirs if isinstance(p, dict)]
                if not any(_same_proposal(ours, p, fields) for p in theirs):
                    mine = ", ".join(str(ours.get(k)) for k in fields if ours.get(k) is not None)
                    yield (t.where, f"ends[{e.index}].peer.{key}",
                           f"the tunnel's {section} proposal ({mine}) is not one the peer is configured with: "
                           f"negotiation would fail (NO_PROPOSAL_CHOSEN); change {section}.profile/proposal")


def rule_selectors_on_both_ends(fleet: Fleet) -> Iterator[Problem]:
    """Traffic selectors are given on both ends or on none (each end lists the prefixes it protects)."""
    for t in fleet.tunnels:
        if len(t.ends) != 2:
            continue
        given = [e.given.get("selectors") is not None for e in t.ends]
        if given[0] != given[1]:
            missing = t.ends[given.index(False)]
            yield (t.where, f"ends[{missing.index}].selectors",
                   f"missing: ends[{1 - missing.index}] lists selectors, so this end must list the prefixes it "
                   "protects (its own side of the traffic selectors)")


def _pairs(t: Tunnel, me: End, peer: End) -> list[tuple]:
    return [(local, remote) for local in me.selectors or [] for remote in peer.selectors or []]


def rule_selectors_disjoint(fleet: Fleet) -> Iterator[Problem]:
    """An end's selectors do not overlap each other nor the other end's (a prefix on both sides of
    a tunnel cannot be routed into it)."""
    for t in fleet.tunnels:
        for e in t.ends:
            for n, net in enumerate(e.selectors or []):
                for m, other in enumerate((e.selectors or [])[:n]):
                    if net in other or other in net:
                        yield t.where, f"ends[{e.index}].selectors[{n}]", f"{net} overlaps selectors[{m}] ({other})"
        if len(t.ends) == 2 and t.ends[0].selectors and t.ends[1].selectors:
            for n, net in enumerate(t.ends[1].selectors):
                for m, other in enumerate(t.ends[0].selectors):
                    if net in other or other in net:
                        yield (t.where, f"ends[1].selectors[{n}]",
                               f"{net} overlaps ends[0].selectors[{m}] ({other}): a prefix is protected on one "
                               "side only")


def _covers_tunnel(t: Tunnel) -> bool:
    """The selectors carry the traffic between the two tunnel addresses."""
    a, b = t.ends
    if a.net is None or b.net is None:
        return True
    return any(a.net.ip in la for la in a.selectors or []) and any(b.net.ip in lb for lb in b.selectors or [])


MAX_TRAFFIC_SELECTORS = 200   # Junos: traffic selectors per VPN


def rule_selectors_junos_limits(fleet: Fleet) -> Iterator[Problem]:
    """With selectors, what Junos does not support with them is refused: a dynamic routing protocol
    on the st0 unit (BGP), VPN monitoring, a remote selector of 0.0.0.0/0 (site-to-site), more than
    200 traffic selectors per VPN (the pairs of the two ends' selectors)."""
    for t in fleet.tunnels:
        if len(t.ends) != 2 or not (t.ends[0].selectors and t.ends[1].selectors):
            continue
        if t.bgp["enabled"]:
            yield (t.where, "bgp", "Junos runs no dynamic routing protocol on an st0 unit with traffic selectors: "
                   "set bgp: {enabled: false} (the selectors route the prefixes), or leave the selectors out")
        if t.ipsec["vpn_monitor"] is not None:
            yield t.where, "ipsec.vpn_monitor", "Junos does not support VPN monitoring with traffic selectors"
        for e in t.ends:
            for n, net in enumerate(e.selectors):
                if net.prefixlen == 0:
                    yield (t.where, f"ends[{e.index}].selectors[{n}]",
                           f"{net}: Junos refuses 0.0.0.0/0 as a site-to-site traffic selector; list the prefixes")
        count = len(t.ends[0].selectors) * len(t.ends[1].selectors)
        if count > MAX_TRAFFIC_SELECTORS and not t.ipsec["proxy_identity"]:
            yield (t.where, "ends", f"{count} traffic selectors (one per pair of the two ends' selectors); Junos "
                   f"accepts at most {MAX_TRAFFIC_SELECTORS} per VPN")


def rule_proxy_identity_one_pair(fleet: Fleet) -> Iterator[Problem]:
    """ipsec.proxy_identity needs exactly one selector on each end (a proxy-identity is one local
    and one remote prefix)."""
    for t in fleet.tunnels:
        if not t.ipsec["proxy_identity"]:
            continue
        for e in t.ends:
            count = len(e.given.get("selectors") or [])
            if count != 1:
                yield (t.where, f"ends[{e.index}].selectors",
                       f"ipsec.proxy_identity needs exactly one selector on each end, got {count}")


def rule_remote_selectors_disjoint_on_device(fleet: Fleet) -> Iterator[Problem]:
    """On one device, no two present tunnels protect overlapping remote prefixes (the other end's
    selectors): traffic to them could not be routed into one tunnel."""
    seen: dict = {}
    for t in fleet.tunnels:
        if not t.present or len(t.ends) != 2:
            continue
        for me, peer in ((t.ends[0], t.ends[1]), (t.ends[1], t.ends[0])):
            if me.external or not isinstance(me.device_name, str):
                continue
            for n, net in enumerate(peer.selectors or []):
                for other_t, other in seen.get(me.device_name, []):
                    if other_t is not t and (net in other or other in net):
                        yield (t.where, f"ends[{peer.index}].selectors[{n}]",
                               f"{net} overlaps {other}, which tunnel {other_t.name!r} also carries to "
                               f"device {me.device_name!r}")
                seen.setdefault(me.device_name, []).append((t, net))


RULES = [
    rule_external_address_is_a_host, rule_loopback_is_a_host_route, rule_zones_are_distinct,
    rule_no_transit_policies_in_a_shared_zone,
    rule_device_addresses_disjoint, rule_unique_external_address, rule_unique_public_address,
    rule_unique_loopback, rule_unique_router_id, rule_lan_prefixes_disjoint_across_devices,
    rule_tunnel_ends_are_known_devices, rule_tunnel_ends_on_two_devices, rule_tunnel_ends_in_one_subnet,
    rule_st0_units_unique, rule_tunnel_subnets_disjoint, rule_tunnel_subnet_clear_of_device_addresses,
    rule_remote_gateway_is_the_peer, rule_ebgp_peers_differ_in_as, rule_psk_given, rule_psk_strength,
    rule_crypto_profile_known, rule_weak_crypto, rule_proposal_integrity, rule_ike_gcm_needs_ikev2,
    rule_ike_mode_is_ikev1_only, rule_no_aggressive_mode_with_psk, rule_nat_keepalive_needs_nat_traversal,
    rule_profile_names_not_reserved, rule_custom_proposal_names_free,
    rule_uplinks_distinct, rule_end_kind_fields, rule_uplink_known, rule_external_peer_addresses,
    rule_external_peer_proposals, rule_selectors_on_both_ends, rule_selectors_disjoint,
    rule_selectors_junos_limits, rule_proxy_identity_one_pair, rule_remote_selectors_disjoint_on_device,
]


def legacy_warning(fleet: Fleet, t: Tunnel) -> str | None:
    """The warning of a present tunnel that uses its legacy opt-in (None when it uses none):
    names the tunnel and every weak setting in use, never the key."""
    if not t.present or t.name is None:
        return None
    weak = []
    if t.short_psk_ok and _short_psk(fleet, t):
        weak.append(f"pre-shared key shorter than {MIN_PSK_LENGTH} characters (legacy.short_psk)")
    if t.weak_ok:
        opt = "legacy.weak_crypto" if t.given.get("allow_weak_crypto") is not True else "allow_weak_crypto"
        weak += [f"{fld} {value} ({opt})" for fld, value in _weak_algorithms(t)]
        if _aggressive(t):
            weak.append(f"IKEv1 aggressive mode with a pre-shared key ({opt})")
    if not weak:
        return None
    return f"tunnel {t.name!r} uses legacy (weak) settings: " + "; ".join(weak)


def plan_warnings(plans: dict) -> list[str]:
    """The warnings of every device's plan, each once, in order."""
    return list(dict.fromkeys(w for plan in plans.values() for w in plan.get("warnings", ())))


def rules_table() -> str:
    """The Markdown table of the fleet rules (docs/intent.md), from their docstrings."""
    rows = ["| rule | what it refuses |", "|---|---|"]
    for rule in RULES:
        text = " ".join((rule.__doc__ or "").split()).replace("|", "\\|")
        rows.append(f"| `{rule.__name__[len('rule_'):]}` | {text} |")
    return "\n".join(rows)


def check_fleet(fleet: Fleet) -> list[str]:
    """The problems every rule finds, in rule order."""
    return [f"{where}: {fld}: {message}" for rule in RULES for where, fld, message in rule(fleet)]


def build_plans(devices: dict, tunnels: list, psks: dict | None = None, profiles: dict | None = None,
                host_vars: dict | None = None, require_psks: bool = True) -> dict:
    """Validate the intent and return ``{device: plan}``; raise IntentError with every problem.

    ``require_psks=False`` (an offline render, an audit: no key is pushed) accepts a present
    tunnel without a key; a key that is given is still checked.

    ``devices``: {inventory host: its srx_vpn_device}; ``host_vars``: {host: {srx_vpn_* variable:
    value}} for the run options and unknown variables (optional)."""
    if NETADDR_IMPORT_ERROR is not None:
        raise ImportError("the Python library netaddr is required on the controller "
                          "(pip install netaddr)") from NETADDR_IMPORT_ERROR
    problems: list[str] = []
    fleet = parse_fleet(devices, tunnels, psks, profiles, host_vars, problems)
    fleet.psks_required = require_psks
    for problem in check_fleet(fleet):
        if problem not in problems:
            problems.append(problem)
    if problems:
        raise IntentError(problems)
    by_device: dict[str, list[Tunnel]] = {}
    for t in fleet.tunnels:   # one pass: a fleet of hundreds of devices and tunnels
        for name in dict.fromkeys(e.device_name for e in t.ends if isinstance(e.device_name, str)):
            by_device.setdefault(name, []).append(t)
    return {d.name: _plan(d, by_device.get(d.name, []), fleet) for d in _devices(fleet)}


# ---------------------------------------------------------------------------------------
# The per-device plan
# ---------------------------------------------------------------------------------------
def object_names(tunnel: str, ike_profile: str, ipsec_profile: str) -> dict:
    """Junos object names of one tunnel (upper-case, prefixed, stable)."""
    t = tunnel.upper()
    return {"ike_proposal": f"IKE-PROP-{ike_profile.upper()}" if ike_profile != CUSTOM else f"IKE-PROP-{t}",
            "ike_policy": f"IKE-POL-{t}", "gateway": f"IKE-GW-{t}",
            "ipsec_proposal": f"IPSEC-PROP-{ipsec_profile.upper()}" if ipsec_profile != CUSTOM else f"IPSEC-PROP-{t}",
            "ipsec_policy": f"IPSEC-POL-{t}", "vpn": f"IPSEC-VPN-{t}"}


BGP_GROUP = "SRXVPN-EBGP"
EXPORT_POLICY = "SRXVPN-EXPORT"
ADVERTISE_LIST = "SRXVPN-ADVERTISE"
MANAGED_PREFIXES = ("IKE-PROP-", "IKE-POL-", "IKE-GW-", "IPSEC-PROP-", "IPSEC-POL-", "IPSEC-VPN-")
ST0_DESCRIPTION = "srx_vpn tunnel {tunnel} to {peer}"   # the ownership mark (candidate.ST0_MARK)


def st0_description(tunnel: str, peer: str, extra: str | None = None) -> str:
    """The st0 unit's description: the ownership mark, then the tunnel's own description."""
    text = ST0_DESCRIPTION.format(tunnel=tunnel, peer=peer)
    return f"{text}: {extra}" if extra else text


def _plan(d: Device, tunnels: list[Tunnel], fleet: Fleet) -> dict:
    ext_ifd, ext_unit = d.ifl.split(".")
    plan = {
        "device": d.name,
        "asn": d.asn,
        "router_id": str(d.router_id) if d.router_id is not None else None,
        "external": {"ifl": d.ifl, "interface": ext_ifd, "unit": ext_unit,
                     "address": str(d.ext), "public_address": str(d.public)},
        "loopback": str(d.loopback) if d.loopback is not None else None,
        "zones": {role: name for role, name in d.zones.items() if name is not None},
        "advertise": [str(p) for p in d.advertise],
        "lan_prefixes": [str(p) for _index, p in d.lans],
        "remote_lan_prefixes": [],
        "tunnels": [], "absent": [], "ike_proposals": {}, "ipsec_proposals": {},
        "bgp": {"group": BGP_GROUP, "export_policy": EXPORT_POLICY, "prefix_list": ADVERTISE_LIST,
                "neighbors": []},
        "expect": {"tunnels": [], "bgp_peers": [], "pings": []},
        "peers": [],
        "vpn_zone_shared": d.vpn_shared,
        "warnings": [],
    }
    for t in sorted(tunnels, key=lambda t: t.name):
        me, peer = (t.ends[0], t.ends[1]) if t.ends[0].device_name == d.name else (t.ends[1], t.ends[0])
        pf = peer.device
        names = object_names(t.name, t.ike["profile"], t.ipsec["profile"])
        st0 = f"st0.{me.st0_unit}"
        uplink = d.uplinks[me.uplink]
        ike = {"version": t.ike["version"], "mode": t.ike["mode"] if t.ike["version"] == "v1" else None,
               "profile": t.ike["profile"], "dpd": dict(t.ike["dpd"]), "nat_keepalive": t.ike["nat_keepalive"],
               "nat_traversal": t.ike["nat_traversal"],
               "external": {"uplink": uplink.name, "ifl": uplink.ifl,
                            # behind NAT the peer sees the public address: present it as the identity
                            "local_identity": str(uplink.public) if uplink.public != uplink.ext.ip else None}}
        pfs = t.ipsec["pfs_group"]
        pairs = [{"name": f"TS-{n}", "local": str(local), "remote": str(remote)}
                 for n, (local, remote) in enumerate(_pairs(t, me, peer), start=1)]
        ipsec = {"profile": t.ipsec["profile"], "pfs_group": None if pfs == "none" else pfs,
                 "establish_tunnels": t.ipsec["establish_tunnels"],
                 "traffic_selectors": [] if t.ipsec["proxy_identity"] else pairs,
                 "proxy_identity": pairs[0] if t.ipsec["proxy_identity"] and pairs else None,
                 "vpn_monitor": dict(t.ipsec["vpn_monitor"]) if t.ipsec["vpn_monitor"] is not None else None}
        if peer.external:
            p = peer.peer
            peer_entry = {"device": None, "name": p.name, "external": True, "address": str(peer.net.ip),
                          "asn": p.asn, "public_address": str(p.gateway),
                          "backup_addresses": [str(ip) for _i, ip in p.backups],
                          "identity": {"kind": p.identity[0], "value": p.identity[1]} if p.identity else None,
                          "prefixes": [str(x) for x in p.prefixes]}
        else:
            peer_entry = {"device": pf.name, "name": pf.name, "external": False, "address": str(peer.net.ip),
                          "asn": pf.asn, "public_address": str(peer.public_address()), "backup_addresses": [],
                          "identity": None, "prefixes": [str(x) for x in pf.advertise]}
        entry = {"name": t.name, "st0_unit": me.st0_unit, "st0": st0, "address": str(me.net),
                 "description": st0_description(t.name, peer_entry["name"], t.description),
                 "peer": peer_entry, "names": names, "psk_ref": t.name, "ike": ike, "ipsec": ipsec,
                 "bgp": dict(t.bgp)}
        if not t.present:
            plan["absent"].append(entry)
            continue
        plan["tunnels"].append(entry)
        if not peer.external:
            plan["peers"].append(pf.name)
        warning = legacy_warning(fleet, t)
        if warning:
            plan["warnings"].append(warning)
        plan["ike_proposals"][names["ike_proposal"]] = dict(t.ike["proposal"])
        plan["ipsec_proposals"][names["ipsec_proposal"]] = dict(t.ipsec["proposal"])
        expect = {"name": t.name, "remote_address": peer_entry["public_address"], "vpn": names["vpn"],
                  "st0": st0}
        if peer_entry["backup_addresses"]:
            expect["backup_addresses"] = list(peer_entry["backup_addresses"])
        if pairs:
            expect["selectors"] = [{"local": x["local"], "remote": x["remote"]} for x in pairs]
        if ipsec["vpn_monitor"] is not None:
            expect["vpn_monitor"] = True
        plan["expect"]["tunnels"].append(expect)
        carried = not pairs or _covers_tunnel(t)
        if carried:
            plan["expect"]["pings"].append({"target": str(peer.net.ip), "source": str(me.net.ip),
                                            "count": 3, "max_loss_percent": 0, "tunnel": t.name})
        if t.bgp["enabled"]:
            plan["bgp"]["neighbors"].append({"address": str(peer.net.ip), "peer_as": peer_entry["asn"],
                                             "tunnel": t.name, "bfd": t.bgp["bfd"],
                                             "description": f"{peer_entry['name']} over {t.name}"})
            plan["expect"]["bgp_peers"].append({"peer_address": str(peer.net.ip), "peer_as": peer_entry["asn"],
                                                "tunnel": t.name,
                                                "min_received_prefixes": len(peer_entry["prefixes"])})
    plan["peers"] = sorted(set(plan["peers"]))
    plan["bgp"]["neighbors"].sort(key=lambda n: IPAddress(n["address"]))
    plan["uplinks"] = [{"name": u.name, "ifl": u.ifl, "interface": u.ifl.split(".")[0], "unit": u.ifl.split(".")[1],
                        "address": str(u.ext)} for u in d.extra_uplinks]
    remote = {str(p) for peer in plan["peers"] for _index, p in fleet.devices[peer].lans}
    # an external peer's networks: what it advertises and what its selectors protect (not the tunnel)
    remote |= {p for t in plan["tunnels"] if t["peer"]["external"] for p in t["peer"]["prefixes"]}
    remote |= {x["remote"] for t in plan["tunnels"] if t["peer"]["external"] for x in t["ipsec"]["traffic_selectors"]
               if IPNetwork(x["remote"]) not in IPNetwork(t["address"]).cidr}
    plan["remote_lan_prefixes"] = sorted(remote, key=IPNetwork)
    return plan


def tunnel_list(plans: dict) -> list[dict]:
    """Every tunnel of the fleet with its ends on devices of the fleet: ``[{name, ends: [device,
    ...]}]`` (one device for a tunnel to an external peer)."""
    ends: dict[str, set[str]] = {}
    for device, plan in plans.items():
        for t in plan["tunnels"]:
            ends.setdefault(t["name"], set()).update({device, t["peer"]["device"]} - {None})
    return [{"name": name, "ends": sorted(devices)} for name, devices in sorted(ends.items())]
