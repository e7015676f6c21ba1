"""The protocol plane: IKE, IPsec, BGP and ping state computed from both ends' committed
configs and the lab wiring.

The model is lazy and change-driven. A *view* of each device (what its committed, active
config means for the protocols) is rebuilt only when that device commits. After a commit,
a link change or a device stop/start, the relations (IKE gateway pairs, BGP sessions) that
involve the changed device are re-evaluated; each remembers whether it can come up, why not,
and from which moment it is up (now + a protocol delay, scaled by lab time). Reading state is
then a pure function of the clock, so callers must poll, as on a real SRX, and no timers run.
Unrelated devices are never looked at: an address index finds the peers of a device.
"""
from __future__ import annotations

import ipaddress
import random
import time
from dataclasses import dataclass, field

from . import config as C
from . import junos_secret
from .commit_check import split_ifl
from .opstate import (
    BgpPeer,
    IkeSa,
    IpsecSa,
    LogicalInterface,
    PhysicalInterface,
    PingResult,
)

# Protocol delays in lab seconds (multiplied by the lab's time_scale).
IKE_DELAY = 1.0
IPSEC_DELAY = 0.3
BGP_DELAY = 3.0
DEFAULT_DPD = (10, 5)  # Junos default interval, threshold when dead-peer-detection is set

# Junos defaults when a statement is absent.
DEFAULT_IKE_VERSION = "v1-only"
DEFAULT_IKE_MODE = "main"

# Predefined proposal sets (Junos `proposal-set standard` etc.), reduced to what matters.
IKE_PROPOSAL_SETS = {
    "standard": [("pre-shared-keys", "group2", "sha1", "aes-128-cbc"),
                 ("pre-shared-keys", "group2", "sha1", "3des-cbc")],
    "compatible": [("pre-shared-keys", "group2", "sha1", "3des-cbc"),
                   ("pre-shared-keys", "group2", "md5", "3des-cbc")],
    "basic": [("pre-shared-keys", "group1", "sha1", "des-cbc")],
}
IPSEC_PROPOSAL_SETS = {
    "standard": [("esp", "aes-128-cbc", "hmac-sha1-96"), ("esp", "3des-cbc", "hmac-sha1-96")],
    "compatible": [("esp", "3des-cbc", "hmac-sha1-96"), ("esp", "3des-cbc", "hmac-md5-96")],
    "basic": [("esp", "des-cbc", "hmac-sha1-96")],
}
# config names -> the short forms Junos prints in SA outputs
ESP_ENC = {"aes-128-cbc": "aes-cbc-128", "aes-192-cbc": "aes-cbc-192", "aes-256-cbc": "aes-cbc-256",
           "aes-128-gcm": "aes-gcm-128", "aes-256-gcm": "aes-gcm-256", "3des-cbc": "3des-cbc",
           "des-cbc": "des-cbc"}
ESP_AUTH = {"hmac-sha-256-128": "sha256", "hmac-sha1-96": "sha1", "hmac-md5-96": "md5",
            "hmac-sha-384-192": "sha384", "hmac-sha-512-256": "sha512", None: "none"}
IKE_ENC = {"aes-128-cbc": "aes128-cbc", "aes-192-cbc": "aes192-cbc", "aes-256-cbc": "aes256-cbc",
           "aes-128-gcm": "aes128-gcm", "aes-256-gcm": "aes256-gcm", "3des-cbc": "3des-cbc", "des-cbc": "des-cbc"}
IKE_AUTH = {"sha-256": "hmac-sha256-128", "sha-384": "hmac-sha384-192", "sha1": "hmac-sha1-96",
            "md5": "hmac-md5-96", None: "none"}


def _net(text: str):
    return ipaddress.ip_interface(text)


# ---------------------------------------------------------------------------------------
# Views: what one device's committed config means for the protocols
# ---------------------------------------------------------------------------------------
@dataclass
class GatewayView:
    name: str
    addresses: list[str]
    external: str            # external-interface ifl
    local_address: str | None
    version: str
    mode: str
    proposals: list[tuple]   # (auth-method, dh-group, auth-alg, enc-alg)
    psk: str | None
    local_id: str | None
    remote_id: str | None
    nat_traversal: bool
    dpd: tuple[int, int] | None


@dataclass
class VpnView:
    name: str
    gateway: str
    proposals: list[tuple]   # (protocol, enc, auth)
    pfs: str | None
    proxy_local: str | None
    proxy_remote: str | None
    bind: str | None
    immediately: bool
    lifetime: int


@dataclass
class NeighborView:
    address: str
    group: str
    peer_type: str          # external | internal
    peer_as: int | None
    local_as: int | None
    export: list[str]
    multihop: bool


@dataclass
class DeviceView:
    name: str
    addresses: dict[str, list] = field(default_factory=dict)  # ifl -> [IPv4Interface]
    zone_of: dict[str, str] = field(default_factory=dict)      # ifl -> zone
    zone_services: dict[str, set] = field(default_factory=dict)   # zone -> host-inbound names
    ifl_services: dict[str, set] = field(default_factory=dict)    # ifl -> host-inbound names
    gateways: dict[str, GatewayView] = field(default_factory=dict)
    vpns: dict[str, VpnView] = field(default_factory=dict)
    neighbors: dict[str, NeighborView] = field(default_factory=dict)
    local_as: int | None = None
    router_id: str | None = None
    advertised: dict[str, list[str]] = field(default_factory=dict)  # neighbor -> prefixes
    direct: list = field(default_factory=list)   # connected networks
    policies: list[tuple] = field(default_factory=list)  # (from, to, permit)

    def ext_address(self, gw: GatewayView) -> str | None:
        if gw.local_address:
            return gw.local_address
        addrs = self.addresses.get(gw.external) or []
        return str(addrs[0].ip) if addrs else None

    def allows(self, ifl: str, service: str) -> bool:
        """host-inbound-traffic on the interface (or, when the interface has none, its zone)."""
        zone = self.zone_of.get(ifl)
        if zone is None:
            return False
        names = self.ifl_services.get(ifl)
        if names is None:
            names = self.zone_services.get(zone, set())
        return service in names or "all" in names

    def owner_ifl(self, address: str) -> str | None:
        ip = ipaddress.ip_address(address)
        for ifl, addrs in self.addresses.items():
            if any(a.ip == ip for a in addrs):
                return ifl
        return None

    def route_ifl(self, address: str) -> str | None:
        """The local interface whose subnet holds ``address`` (a connected route)."""
        ip = ipaddress.ip_address(address)
        for ifl, addrs in self.addresses.items():
            if any(ip in a.network for a in addrs):
                return ifl
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def build_view(name: str, committed: C.Node) -> DeviceView:
    cfg = C.active_view(committed)
    v = DeviceView(name)
    for ifd, node in cfg.entries("interfaces", "interface"):
        if node.get("disable") is not None:
            continue
        for unit, un in node.entries("unit"):
            addrs = [_net(a) for a, _ in un.entries("family", "inet", "address")]
            v.addresses[f"{ifd}.{unit}"] = addrs
            v.direct += [a.network for a in addrs]
    for zone, zn in cfg.entries("security", "zones", "security-zone"):
        v.zone_services[zone] = _services(zn.get("host-inbound-traffic"))
        for ifl, iz in zn.entries("interfaces"):
            ifd, unit = split_ifl(ifl)
            key = f"{ifd}.{unit}"
            v.zone_of[key] = zone
            if iz.get("host-inbound-traffic") is not None:
                v.ifl_services[key] = _services(iz.get("host-inbound-traffic"))
    for (frm, to), pn in ((tuple(k.split(" ")), n) for k, n in cfg.entries("security", "policies", "policy")):
        for _pol, p in pn.entries("policy"):
            v.policies.append((frm, to, p.get("then", "permit") is not None))
    ike_props = {n: (p.get("authentication-method"), p.get("dh-group"), p.get("authentication-algorithm"),
                     p.get("encryption-algorithm")) for n, p in cfg.entries("security", "ike", "proposal")}
    ike_pols = dict(cfg.entries("security", "ike", "policy"))
    for gname, g in cfg.entries("security", "ike", "gateway"):
        pol = ike_pols.get(g.get("ike-policy") or "")
        props, psk, mode = [], None, DEFAULT_IKE_MODE
        if pol is not None:
            props = [ike_props[p] for p in pol.get("proposals") or [] if p in ike_props]
            props += IKE_PROPOSAL_SETS.get(pol.get("proposal-set") or "", [])
            raw = pol.get("pre-shared-key", "ascii-text") or pol.get("pre-shared-key", "hexadecimal")
            psk = junos_secret.decrypt(raw) if raw and junos_secret.is_encrypted(raw) else raw
            mode = pol.get("mode") or DEFAULT_IKE_MODE
        dpd = None
        if isinstance(g.get("dead-peer-detection"), C.Node):
            dpd = (_int(g.get("dead-peer-detection", "interval")) or DEFAULT_DPD[0],
                   _int(g.get("dead-peer-detection", "threshold")) or DEFAULT_DPD[1])
        ext_ifd, ext_unit = split_ifl(g.get("external-interface") or "")
        v.gateways[gname] = GatewayView(
            name=gname, addresses=list(g.get("address") or []), external=f"{ext_ifd}.{ext_unit}",
            local_address=g.get("local-address"), version=g.get("version") or DEFAULT_IKE_VERSION,
            mode=mode, proposals=props, psk=psk,
            local_id=_identity(g.get("local-identity")), remote_id=_identity(g.get("remote-identity")),
            nat_traversal=g.get("no-nat-traversal") is None, dpd=dpd)
    ipsec_props = {n: (p.get("protocol"), p.get("encryption-algorithm"), p.get("authentication-algorithm"),
                       _int(p.get("lifetime-seconds")) or 3600)
                   for n, p in cfg.entries("security", "ipsec", "proposal")}
    ipsec_pols = dict(cfg.entries("security", "ipsec", "policy"))
    for vname, vn in cfg.entries("security", "ipsec", "vpn"):
        pol = ipsec_pols.get(vn.get("ike", "ipsec-policy") or "")
        props, pfs = [], None
        if pol is not None:
            props = [ipsec_props[p] for p in pol.get("proposals") or [] if p in ipsec_props]
            props += [(*p, 3600) for p in IPSEC_PROPOSAL_SETS.get(pol.get("proposal-set") or "", [])]
            pfs = pol.get("perfect-forward-secrecy", "keys")
        bind = vn.get("bind-interface")
        if bind:
            ifd, unit = split_ifl(bind)
            bind = f"{ifd}.{unit}"
        v.vpns[vname] = VpnView(
            name=vname, gateway=vn.get("ike", "gateway") or "", proposals=[p[:3] for p in props], pfs=pfs,
            proxy_local=vn.get("ike", "proxy-identity", "local"), proxy_remote=vn.get("ike", "proxy-identity", "remote"),
            bind=bind, immediately=vn.get("establish-tunnels") == "immediately",
            lifetime=min([p[3] for p in props] or [3600]))
    v.local_as = _int(cfg.get("routing-options", "autonomous-system"))
    v.router_id = cfg.get("routing-options", "router-id")
    if v.router_id is None:
        lo = v.addresses.get("lo0.0") or []
        v.router_id = str(lo[0].ip) if lo else None
    policies = dict(cfg.entries("policy-options", "policy-statement"))
    prefix_lists = {n: [k for k, _ in pl.entries("prefix-list-item")]
                    for n, pl in cfg.entries("policy-options", "prefix-list")}
    statics = [k for k, _ in cfg.entries("routing-options", "static", "route")]
    for gname, gn in cfg.entries("protocols", "bgp", "group"):
        for addr, nn in gn.entries("neighbor"):
            export = list(nn.get("export") or gn.get("export") or [])
            v.neighbors[addr] = NeighborView(
                address=addr, group=gname, peer_type=gn.get("type") or "internal",
                peer_as=_int(nn.get("peer-as") or gn.get("peer-as")),
                local_as=_int(nn.get("local-as") or gn.get("local-as")), export=export,
                multihop=nn.get("multihop") is not None or gn.get("multihop") is not None)
            v.advertised[addr] = _exported(v, export, policies, prefix_lists, statics)
    return v


def _services(hit) -> set:
    names: set = set()
    if isinstance(hit, C.Node):
        for kind in ("system-services", "protocols"):
            for name, node in hit.entries(kind):
                if node.get("except") is None:
                    names.add(name)
    return names


def _identity(node) -> str | None:
    if not isinstance(node, C.Node):
        return None
    for kind in ("inet", "hostname", "user-at-hostname"):
        if node.get(kind):
            return node.get(kind)
    return None


def _exported(v: DeviceView, export: list[str], policies: dict, prefix_lists: dict, statics: list) -> list[str]:
    """Prefixes an export policy chain advertises from direct and static routes."""
    routes = [(str(net), "direct", ifl) for ifl, addrs in v.addresses.items() for net in {a.network for a in addrs}]
    routes += [(r, "static", None) for r in statics]
    out: list[str] = []
    for prefix, proto, ifl in routes:
        for pname in export:
            verdict = _policy_verdict(policies.get(pname), prefix, proto, ifl, prefix_lists)
            if verdict is not None:
                if verdict:
                    out.append(prefix)
                break
    return sorted(set(out), key=lambda p: ipaddress.ip_network(p))


def _policy_verdict(pol, prefix, proto, ifl, prefix_lists) -> bool | None:
    if pol is None:
        return None
    terms = [n for _, n in pol.entries("term")] or [pol]
    for term in terms:
        frm = term.get("from")
        if isinstance(frm, C.Node) and not _term_matches(frm, prefix, proto, ifl, prefix_lists):
            continue
        if term.get("then", "accept") is not None:
            return True
        if term.get("then", "reject") is not None:
            return False
    return None


def _term_matches(frm: C.Node, prefix: str, proto: str, ifl: str | None, prefix_lists: dict) -> bool:
    net = ipaddress.ip_network(prefix)
    if frm.get("protocol") and proto not in frm.get("protocol"):
        return False
    if frm.get("interface"):
        wanted = {"{}.{}".format(*split_ifl(i)) for i in frm.get("interface")}
        if ifl not in wanted:
            return False
    lists = [k for k, _ in frm.entries("prefix-list")]
    if lists and not any(prefix in prefix_lists.get(pl, []) for pl in lists):
        return False
    filters = list(frm.entries("route-filter"))
    if filters:
        ok = False
        for flt, fn in filters:
            fnet = ipaddress.ip_network(flt, strict=False)
            if fn.get("exact") is not None:
                ok |= net == fnet
            elif fn.get("orlonger") is not None:
                ok |= net.subnet_of(fnet)
            elif fn.get("longer") is not None:
                ok |= net.subnet_of(fnet) and net != fnet
            else:
                ok |= net == fnet
        if not ok:
            return False
    return True


# ---------------------------------------------------------------------------------------
# Relations
# ---------------------------------------------------------------------------------------
@dataclass
class Child:
    """An IPsec SA pair (phase 2) between a VPN on each side of a tunnel."""
    vpns: dict[str, str]                 # device -> its VPN name
    ok: bool
    reason: str
    blackhole: bool = False              # SAs up but ESP dropped (NAT without NAT-T)
    spis: dict[str, tuple[str, str]] = field(default_factory=dict)  # device -> (inbound, outbound)
    tunnel_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class Tunnel:
    """An IKE gateway pair (phase 1) and its children."""
    ends: tuple[tuple[str, str], tuple[str, str]]   # ((device, gateway), (device, gateway))
    ok: bool
    reason: str
    sig: tuple
    nat: bool
    immediate: bool
    since: float                     # when the current negotiation could start
    triggered_at: float | None       # first traffic (on-traffic tunnels)
    up_until: float | None = None    # visible teardown (DPD) once it can no longer be up
    children: list[Child] = field(default_factory=list)
    cookies: tuple[str, str] = ("", "")
    index: dict[str, int] = field(default_factory=dict)
    generation: int = 0              # renegotiations after having been up (BGP flaps)

    def up_from(self, scale: float) -> float | None:
        if not self.ok and self.up_until is None:
            return None
        start = self.since if self.immediate else self.triggered_at
        if start is None:
            return None
        return max(start, self.since) + IKE_DELAY * scale

    def visible(self, now: float, scale: float) -> bool:
        start = self.up_from(scale)
        if start is None or now < start:
            return False
        return self.up_until is None or now < self.up_until

    def side(self, device: str) -> tuple[str, str]:
        return self.ends[0] if self.ends[0][0] == device else self.ends[1]

    def other(self, device: str) -> tuple[str, str]:
        return self.ends[1] if self.ends[0][0] == device else self.ends[0]


@dataclass
class BgpRel:
    device: str
    neighbor: str
    since: float
    problem: tuple[str, str, str] | None   # (state, last error, reason) when it cannot come up
    peer: str | None = None
    local_address: str | None = None
    ifl: str | None = None
    tunnel: tuple | None = None            # key of the carrying tunnel
    vpn: str | None = None
    flaps: int = 0
    generation: int = 0                    # carrying tunnel's generation when this was set up


class Protocols:
    """IKE / IPsec / BGP / ping state of every device of a lab."""

    def __init__(self, lab):
        self.lab = lab
        self.rng = random.Random()
        self.views: dict[str, DeviceView] = {}
        self.owner: dict[str, tuple[str, str]] = {}         # reachable address -> (device, ifl)
        self.owned: dict[str, set[str]] = {}                 # device -> addresses it owns in `owner`
        self.public: dict[tuple[str, str], str] = {}        # (device, ifl) -> address others see (NAT)
        self.nat_inside: set[tuple[str, str]] = set()       # (device, port) behind a NAT
        self.segments: dict[tuple[str, str], set[str]] = {} # (device, port) -> segment names
        self.targets: dict[str, set[str]] = {}               # address -> devices whose gateways target it
        self.bgp_targets: dict[str, set[str]] = {}           # address -> devices with that neighbour
        self.tunnels: dict[frozenset, Tunnel] = {}
        self.by_device: dict[str, set[frozenset]] = {}
        self.bgp: dict[tuple[str, str], BgpRel] = {}
        self.bgp_keys: dict[str, set[tuple[str, str]]] = {}  # device -> its keys in `bgp`
        self.started: dict[str, float] = {}
        self.counters: dict[str, dict[str, int]] = {}
        self.stats = {"evaluations": 0}
        for name, ports in lab.topology.get("segments", {}).items():
            for item in ports:
                dev, port = item.split(":", 1)
                self.segments.setdefault((dev, port), set()).add(name)
        for entry in lab.topology.get("nat", []):
            key = (entry["device"], entry["port"])
            self.nat_inside.add(key)
            self.segments.setdefault(key, set()).add(entry["segment"])
        for name, dev in lab.devices.items():
            self.started[name] = time.time()
            self.counters[name] = {"ike": 3544400, "tunnel": 131073}
            dev.listeners.append(self.device_changed)
        for name in lab.devices:
            self._index(name, build_view(name, lab.devices[name].db.committed))
        for name in lab.devices:
            self._recompute({name})

    @property
    def scale(self) -> float:
        return self.lab.time_scale

    # -- indexes -------------------------------------------------------------------------
    def _index(self, name: str, view: DeviceView) -> set[str]:
        """Replace the device's entries in the address indexes; return devices touched."""
        touched = {name}
        old = self.views.get(name)
        if old is not None:
            for addr in self.owned.pop(name, set()):
                if self.owner.get(addr, ("",))[0] == name:
                    del self.owner[addr]
                touched |= self.targets.get(addr, set()) | self.bgp_targets.get(addr, set())
            for gw in old.gateways.values():
                for addr in gw.addresses:
                    self.targets.get(addr, set()).discard(name)
                    touched |= {self.owner[addr][0]} if addr in self.owner else set()
            for addr in old.neighbors:
                self.bgp_targets.get(addr, set()).discard(name)
                touched |= {self.owner[addr][0]} if addr in self.owner else set()
            self.public = {k: v for k, v in self.public.items() if k[0] != name}
        self.views[name] = view
        nat = {(e["device"], e["port"]): e for e in self.lab.topology.get("nat", [])}
        for ifl, addrs in view.addresses.items():
            port = ifl.split(".")[0]
            for a in addrs:
                self.owner[str(a.ip)] = (name, ifl)
                self.owned.setdefault(name, set()).add(str(a.ip))
                entry = nat.get((name, port))
                if entry and str(a.ip) == entry.get("inside"):
                    self.owner[entry["public"]] = (name, ifl)
                    self.owned[name].add(entry["public"])
                    self.public[(name, ifl)] = entry["public"]
                touched |= self.targets.get(str(a.ip), set()) | self.bgp_targets.get(str(a.ip), set())
        for gw in view.gateways.values():
            for addr in gw.addresses:
                self.targets.setdefault(addr, set()).add(name)
                if addr in self.owner:
                    touched.add(self.owner[addr][0])
        for addr in view.neighbors:
            self.bgp_targets.setdefault(addr, set()).add(name)
            if addr in self.owner:
                touched.add(self.owner[addr][0])
        return touched

    # -- change entry points ----------------------------------------------------------------
    def device_changed(self, device) -> None:
        name = device.name
        touched = self._index(name, build_view(name, device.db.committed))
        self._recompute(touched)

    def topology_changed(self, name: str) -> None:
        """A link of ``name`` went up/down or the device stopped/started."""
        dev = self.lab.devices[name]
        if dev.running and self.started.get(name, 0) < 0:
            self.started[name] = time.time()
        elif not dev.running:
            self.started[name] = -1
        touched = {name} | {d for addr in self.owned.get(name, set())
                            for d in self.targets.get(addr, set()) | self.bgp_targets.get(addr, set())}
        for gw in self.views[name].gateways.values():
            for addr in gw.addresses:
                if addr in self.owner:
                    touched.add(self.owner[addr][0])
        self._recompute(touched)

    # -- underlay --------------------------------------------------------------------------
    def running(self, name: str) -> bool:
        dev = self.lab.devices.get(name)
        return dev is not None and dev.running

    def link_up(self, name: str, port: str) -> bool:
        return self.lab.links.get((name, port), True)

    def reaches(self, a: str, a_ifl: str, b: str, b_ifl: str) -> bool:
        if not (self.running(a) and self.running(b)):
            return False
        pa, pb = a_ifl.split(".")[0], b_ifl.split(".")[0]
        if not (self.link_up(a, pa) and self.link_up(b, pb)):
            return False
        return bool(self.segments.get((a, pa), set()) & self.segments.get((b, pb), set()))

    def natted(self, a: str, a_ifl: str, b: str, b_ifl: str) -> bool:
        return (a, a_ifl.split(".")[0]) in self.nat_inside or (b, b_ifl.split(".")[0]) in self.nat_inside

    def seen_as(self, name: str, ifl: str, address: str) -> str:
        return self.public.get((name, ifl), address)

    # -- recomputation --------------------------------------------------------------------
    def _recompute(self, devices: set[str]) -> None:
        now = time.time()
        for name in devices:
            self._recompute_tunnels(name, now)
        for name in devices:
            self._recompute_bgp(name, now)

    def _peer_gateway(self, name: str, gw: GatewayView):
        """The (device, gateway) at the address ``gw`` points to, if it points back at us."""
        view = self.views[name]
        local = view.ext_address(gw)
        if not gw.addresses or local is None:
            return None
        owner = self.owner.get(gw.addresses[0])
        if owner is None or owner[0] == name:
            return None
        peer, peer_ifl = owner
        me = self.seen_as(name, gw.external, local)
        candidates = [g for g in self.views[peer].gateways.values() if me in g.addresses]
        if not candidates:
            return None
        return peer, next((g for g in candidates if g.external == peer_ifl), candidates[0])

    def _recompute_tunnels(self, name: str, now: float) -> None:
        view = self.views[name]
        seen: set[frozenset] = set()
        for gw in view.gateways.values():
            found = self._peer_gateway(name, gw)
            if found is None:
                continue
            peer, pgw = found
            key = frozenset({(name, gw.name), (peer, pgw.name)})
            seen.add(key)
            self._evaluate(key, (name, gw), (peer, pgw), now)
        for key in list(self.by_device.get(name, set())):
            if key not in seen and key in self.tunnels:
                tun = self.tunnels[key]
                other = tun.other(name)
                # the pair disappeared from this side; re-check from the other side
                still = self._peer_gateway(other[0], self.views[other[0]].gateways.get(other[1])) \
                    if other[1] in self.views[other[0]].gateways else None
                if still is None or frozenset({other, (still[0], still[1].name)}) != key:
                    self._drop(key, now)

    def _drop(self, key: frozenset, now: float) -> None:
        tun = self.tunnels.pop(key)
        for dev, _gw in tun.ends:
            self.by_device.get(dev, set()).discard(key)

    def _evaluate(self, key, a, b, now: float) -> None:
        self.stats["evaluations"] += 1
        if (a[0], a[1].name) > (b[0], b[1].name):
            a, b = b, a  # one canonical order, whichever side triggered the evaluation
        (an, agw), (bn, bgw) = a, b
        av, bv = self.views[an], self.views[bn]
        ok, reason, nat = self._phase1(an, agw, bn, bgw)
        children = self._phase2(an, agw, bn, bgw, nat)
        sig = (repr(agw), repr(bgw), repr([(c.vpns, c.ok, c.reason) for c in children]),
               repr([av.vpns[c.vpns[an]] for c in children]), repr([bv.vpns[c.vpns[bn]] for c in children]),
               self.started.get(an), self.started.get(bn))
        immediate = any(av.vpns[v].immediately for v in av.vpns if av.vpns[v].gateway == agw.name) or \
            any(bv.vpns[v].immediately for v in bv.vpns if bv.vpns[v].gateway == bgw.name)
        prev = self.tunnels.get(key)
        if prev is not None and prev.sig == sig and prev.ok == ok:
            return
        if prev is not None and not ok and reason == "peer unreachable" and prev.visible(now, self.scale):
            dpd = [d for d in (agw.dpd, bgw.dpd) if d]
            prev.ok = False
            prev.reason = reason
            prev.sig = sig
            prev.up_until = now + min(i * t for i, t in dpd) * self.scale if dpd else None
            return
        tun = Tunnel(ends=((an, agw.name), (bn, bgw.name)), ok=ok, reason=reason, sig=sig, nat=nat,
                     immediate=immediate, since=now,
                     triggered_at=prev.triggered_at if prev is not None and not immediate else None,
                     children=children)
        tun.cookies = (f"{self.rng.getrandbits(64):016x}", f"{self.rng.getrandbits(64):016x}")
        for child in children:
            a_in, b_in = (f"{self.rng.getrandbits(32):08x}" for _ in range(2))
            child.spis = {an: (a_in, b_in), bn: (b_in, a_in)}  # one side's inbound is the other's outbound
        for dev in (an, bn):
            self.counters[dev]["ike"] += 1
            tun.index[dev] = self.counters[dev]["ike"]
            for child in children:
                child.tunnel_ids[dev] = self._tunnel_id(dev, child.vpns[dev])
        if prev is not None:
            was_up = prev.up_from(self.scale) is not None and prev.up_from(self.scale) <= now
            tun.generation = prev.generation + (1 if was_up else 0)
        self.tunnels[key] = tun
        for dev in (an, bn):
            self.by_device.setdefault(dev, set()).add(key)

    def _tunnel_id(self, dev: str, vpn: str) -> int:
        ids = self.counters[dev].setdefault("ids", {})
        if vpn not in ids:
            ids[vpn] = self.counters[dev]["tunnel"]
            self.counters[dev]["tunnel"] += 1
        return ids[vpn]

    def _phase1(self, an, agw: GatewayView, bn, bgw: GatewayView) -> tuple[bool, str, bool]:
        av, bv = self.views[an], self.views[bn]
        a_local, b_local = av.ext_address(agw), bv.ext_address(bgw)
        if a_local is None or b_local is None:
            return False, "external interface has no address", False
        a_to = self.owner.get(agw.addresses[0])
        b_to = self.owner.get(bgw.addresses[0])
        if a_to is None or b_to is None or a_to[0] != bn or b_to[0] != an:
            return False, "peer unreachable", False
        if not (self.reaches(an, agw.external, bn, a_to[1]) and self.reaches(bn, bgw.external, an, b_to[1])):
            return False, "peer unreachable", False
        nat = self.natted(an, agw.external, bn, bgw.external)
        for side, view, gw in ((an, av, agw), (bn, bv, bgw)):
            if not view.allows(gw.external, "ike"):
                return False, f"{side}: host-inbound-traffic does not allow ike on {gw.external}", nat
        if agw.version != bgw.version:
            return False, f"IKE version mismatch ({agw.version} vs {bgw.version})", nat
        if agw.version == "v1-only" and agw.mode != bgw.mode:
            return False, f"IKEv1 mode mismatch ({agw.mode} vs {bgw.mode})", nat
        if not set(agw.proposals) & set(bgw.proposals):
            return False, "no matching IKE proposal (NO_PROPOSAL_CHOSEN)", nat
        if agw.psk is None or agw.psk != bgw.psk:
            return False, "pre-shared key mismatch (AUTHENTICATION_FAILED)", nat
        a_addr = self.seen_as(an, agw.external, av.ext_address(agw))
        b_addr = self.seen_as(bn, bgw.external, bv.ext_address(bgw))
        for want, gw_local, actual in ((agw.remote_id, bgw.local_id, b_addr), (bgw.remote_id, agw.local_id, a_addr)):
            if want is not None and want != (gw_local or actual):
                return False, f"IKE identity mismatch (expected {want})", nat
        if nat and not (agw.nat_traversal and bgw.nat_traversal):
            return True, "NAT in path with NAT traversal disabled", nat
        return True, "", nat

    def _phase2(self, an, agw, bn, bgw, nat: bool) -> list[Child]:
        av, bv = self.views[an], self.views[bn]
        a_vpns = [v for v in av.vpns.values() if v.gateway == agw.name]
        b_vpns = [v for v in bv.vpns.values() if v.gateway == bgw.name]
        children = []
        used: set[str] = set()
        for va in a_vpns:
            vb = next((v for v in b_vpns if v.name not in used and v.proxy_local == va.proxy_remote
                       and v.proxy_remote == va.proxy_local), None)
            if vb is None:
                vb = next((v for v in b_vpns if v.name not in used), None)
            if vb is None:
                continue
            used.add(vb.name)
            ok, reason = True, ""
            if not set(va.proposals) & set(vb.proposals):
                ok, reason = False, "no matching IPsec proposal"
            elif va.pfs != vb.pfs:
                ok, reason = False, f"PFS mismatch ({va.pfs or 'none'} vs {vb.pfs or 'none'})"
            elif (va.proxy_local, va.proxy_remote) != (vb.proxy_remote, vb.proxy_local):
                ok, reason = False, "proxy-identity / traffic selector mismatch (TS_UNACCEPTABLE)"
            else:
                for side, view, vpn in ((an, av, va), (bn, bv, vb)):
                    if not vpn.bind or vpn.bind not in view.addresses:
                        ok, reason = False, f"{side}: {vpn.name} is not bound to a configured st0 unit"
                    elif vpn.bind not in view.zone_of:
                        ok, reason = False, f"{side}: {vpn.bind} is not in a security zone"
            blackhole = nat and not (agw.nat_traversal and bgw.nat_traversal)
            children.append(Child(vpns={an: va.name, bn: vb.name}, ok=ok, reason=reason, blackhole=blackhole))
        return children

    # -- BGP ------------------------------------------------------------------------------
    def _recompute_bgp(self, name: str, now: float) -> None:
        view = self.views[name]
        keys = self.bgp_keys.setdefault(name, set())
        for key in [k for k in keys if k[1] not in view.neighbors]:
            del self.bgp[key]
            keys.discard(key)
        for addr, nb in view.neighbors.items():
            rel = self._bgp_relation(name, nb, now)
            prev = self.bgp.get((name, addr))
            if prev is not None and self._bgp_sig(prev) == self._bgp_sig(rel):
                continue
            if prev is not None:
                rel.flaps = self._flaps(prev) + (1 if self.bgp_state(prev, now) == "Established" else 0)
            self.bgp[(name, addr)] = rel
            keys.add((name, addr))

    @staticmethod
    def _bgp_sig(rel: BgpRel) -> tuple:
        return (rel.problem, rel.peer, rel.local_address, rel.ifl, rel.tunnel, rel.vpn)

    def _bgp_relation(self, name: str, nb: NeighborView, now: float) -> BgpRel:
        view = self.views[name]
        rel = BgpRel(device=name, neighbor=nb.address, since=now, problem=None)
        local_as = nb.local_as or view.local_as
        ifl = view.route_ifl(nb.address)
        if ifl is None or not ifl.startswith("st0"):
            rel.problem = ("Active", "None", f"no route to {nb.address} over a tunnel")
            return rel
        rel.ifl = ifl
        rel.local_address = next(str(a.ip) for a in view.addresses[ifl] if ipaddress.ip_address(nb.address) in a.network)
        vpn = next((v for v in view.vpns.values() if v.bind == ifl), None)
        tkey = self._tunnel_of(name, vpn)
        if vpn is None or tkey is None:
            rel.problem = ("Active", "None", f"no IPsec VPN carries {ifl}")
            return rel
        rel.vpn, rel.tunnel = vpn.name, tkey
        tun = self.tunnels[tkey]
        rel.generation = tun.generation
        if not tun.immediate and tun.triggered_at is None:
            tun.triggered_at = now  # BGP's first SYN into st0 is the traffic that starts the tunnel
        owner = self.owner.get(nb.address)
        peer = tun.other(name)[0]
        if owner is None or owner[0] != peer:
            rel.problem = ("Active", "None", f"{nb.address} is not the far end of {ifl}")
            return rel
        rel.peer = peer
        pview = self.views[peer]
        pnb = pview.neighbors.get(rel.local_address)
        if pnb is None:
            rel.problem = ("Active", "None", f"{peer} has no BGP neighbor {rel.local_address}")
            return rel
        if not pview.allows(owner[1], "bgp"):
            rel.problem = ("Connect", "None", f"{peer}: host-inbound-traffic does not allow bgp on {owner[1]}")
            return rel
        if not view.allows(ifl, "bgp"):
            rel.problem = ("Active", "None", f"host-inbound-traffic does not allow bgp on {ifl}")
            return rel
        peer_as = pnb.local_as or pview.local_as
        if nb.peer_as != peer_as or pnb.peer_as != local_as:
            why = (f"peer AS mismatch: {name} expects {nb.peer_as}, {peer} is {peer_as}; "
                   f"{peer} expects {pnb.peer_as}, {name} is {local_as}")
            rel.problem = ("Active", "Open Message Error", why)
            return rel
        if (nb.peer_type == "external") == (peer_as == local_as) or nb.peer_type != pnb.peer_type:
            rel.problem = ("Active", "Open Message Error", "BGP type does not match the AS numbers")
        return rel

    def _flaps(self, rel: BgpRel) -> int:
        """Flaps so far: set at configuration changes, plus every renegotiation of the
        carrying tunnel since (each one took an established session down)."""
        tun = self.tunnels.get(rel.tunnel) if rel.tunnel else None
        return rel.flaps + (max(0, tun.generation - rel.generation) if tun is not None else 0)

    def _tunnel_of(self, name: str, vpn: VpnView | None):
        if vpn is None:
            return None
        for key in self.by_device.get(name, set()):
            tun = self.tunnels[key]
            if tun.side(name)[1] == vpn.gateway and any(c.vpns.get(name) == vpn.name for c in tun.children):
                return key
        return None

    # -- state at a moment ----------------------------------------------------------------
    def child_up(self, tun: Tunnel, child: Child, now: float) -> bool:
        start = tun.up_from(self.scale)
        return (child.ok and tun.visible(now, self.scale) and start is not None
                and now >= start + IPSEC_DELAY * self.scale)

    def _carrier(self, rel: BgpRel) -> tuple[Tunnel, Child] | None:
        tun = self.tunnels.get(rel.tunnel) if rel.tunnel else None
        if tun is None:
            return None
        child = next((c for c in tun.children if c.vpns.get(rel.device) == rel.vpn), None)
        return (tun, child) if child is not None else None

    def bgp_state(self, rel: BgpRel, now: float) -> str:
        carrier = self._carrier(rel)
        if carrier is None:
            return rel.problem[0] if rel.problem else "Active"
        tun, child = carrier
        if not self.child_up(tun, child, now) or child.blackhole:
            return "Active"  # no path: whatever else is wrong, the session cannot get further
        if rel.problem is not None:
            return rel.problem[0]
        up = max(tun.up_from(self.scale) + IPSEC_DELAY * self.scale, rel.since) + BGP_DELAY * self.scale
        return "Established" if now >= up else "OpenSent" if now >= up - 0.5 * self.scale else "Active"

    def _established_since(self, rel: BgpRel) -> float:
        tun, _child = self._carrier(rel)
        return max(tun.up_from(self.scale) + IPSEC_DELAY * self.scale, rel.since) + BGP_DELAY * self.scale

    def ike_sas(self, name: str, now: float | None = None) -> list[IkeSa]:
        now = time.time() if now is None else now
        out = []
        for key in sorted(self.by_device.get(name, set()), key=lambda k: sorted(k)):
            tun = self.tunnels[key]
            if not tun.visible(now, self.scale):
                continue
            me, other = tun.side(name), tun.other(name)
            gw = self.views[name].gateways.get(me[1])
            if gw is None:
                continue
            ogw = self.views[other[0]].gateways[other[1]]
            up = tun.up_from(self.scale)
            port = 4500 if tun.nat and gw.nat_traversal and ogw.nat_traversal else 500
            remote = self.seen_as(other[0], ogw.external, self.views[other[0]].ext_address(ogw))
            initiator = tun.ends[0][0] == name
            enc, auth = _ike_algs(gw, ogw)
            out.append(IkeSa(
                index=tun.index[name], gateway=gw.name, remote_address=remote,
                local_address=self.views[name].ext_address(gw), state="UP",
                initiator_cookie=tun.cookies[0], responder_cookie=tun.cookies[1],
                exchange_type="IKEv2" if gw.version == "v2-only" else gw.mode.capitalize(),
                role="Initiator" if initiator else "Responder", port=port, remote_port=port,
                version=2 if gw.version == "v2-only" else 1, encryption=enc[0], integrity=enc[1],
                prf=auth, dh_group=enc[2], lifetime_seconds=max(0, 28800 - int(now - up)),
                established_epoch=up, nat_detected=tun.nat))
        return out

    def ipsec_sas(self, name: str, now: float | None = None) -> list[IpsecSa]:
        now = time.time() if now is None else now
        out = []
        view = self.views[name]
        for key in self.by_device.get(name, set()):
            tun = self.tunnels[key]
            me, other = tun.side(name), tun.other(name)
            for child in tun.children:
                if not self.child_up(tun, child, now):
                    continue
                vpn = view.vpns.get(child.vpns[name])
                gw = view.gateways.get(me[1])
                if vpn is None or gw is None:
                    continue
                ogw = self.views[other[0]].gateways[other[1]]
                prop = next(p for p in vpn.proposals if p in self.views[other[0]].vpns[child.vpns[other[0]]].proposals)
                up = tun.up_from(self.scale) + IPSEC_DELAY * self.scale
                nat_t = tun.nat and gw.nat_traversal and ogw.nat_traversal
                remote = self.seen_as(other[0], ogw.external, self.views[other[0]].ext_address(ogw))
                for direction, spi in zip(("inbound", "outbound"), child.spis[name]):
                    out.append(IpsecSa(
                        tunnel_id=child.tunnel_ids[name], vpn=vpn.name, gateway=gw.name,
                        remote_gateway=remote, local_gateway=view.ext_address(gw), direction=direction,
                        spi=spi, protocol=(prop[0] or "esp").upper(),
                        encryption=ESP_ENC.get(prop[1], prop[1] or "none"),
                        integrity=ESP_AUTH.get(prop[2], prop[2]),
                        lifetime_seconds=max(0, vpn.lifetime - int(now - up)), port=4500 if nat_t else 500,
                        bind_interface=vpn.bind or "", pfs_group=vpn.pfs, established_epoch=up))
        out.sort(key=lambda sa: (sa.tunnel_id, sa.direction != "inbound"))
        return out

    def bgp_peers(self, name: str, now: float | None = None) -> list[BgpPeer]:
        now = time.time() if now is None else now
        view = self.views[name]
        out = []
        for addr, nb in sorted(view.neighbors.items(), key=lambda kv: ipaddress.ip_address(kv[0])):
            rel = self.bgp.get((name, addr))
            if rel is None:
                continue
            state = self.bgp_state(rel, now)
            peer = BgpPeer(
                peer_address=addr, local_address=rel.local_address or "", group=nb.group,
                peer_as=nb.peer_as or 0, local_as=nb.local_as or view.local_as or 0, state=state,
                peer_type="External" if nb.peer_type == "external" else "Internal",
                local_id=view.router_id or "0.0.0.0", local_interface=rel.ifl, flaps=self._flaps(rel),
                last_error=rel.problem[1] if rel.problem else "None")
            if state == "Established":
                since = self._established_since(rel)
                pview = self.views[rel.peer]
                received = pview.advertised.get(rel.local_address, [])
                own = {str(n) for n in view.direct}
                peer.peer_port, peer.local_port = 179, 50000 + (sum(map(ord, name + addr)) % 10000)
                peer.peer_id = pview.router_id
                peer.last_state, peer.last_event = "OpenConfirm", "RecvKeepAlive"
                peer.elapsed_seconds = int(now - since)
                keepalives = peer.elapsed_seconds // 30
                peer.received_routes = list(received)
                peer.advertised_routes = list(view.advertised.get(addr, []))
                peer.received_prefixes = peer.accepted_prefixes = len(received)
                peer.active_prefixes = len([p for p in received if p not in own])
                peer.advertised_prefixes = len(peer.advertised_routes)
                peer.input_messages = 2 + keepalives + (1 if received else 0) + 1
                peer.output_messages = 2 + keepalives + (1 if peer.advertised_routes else 0) + 1
            else:
                peer.last_state = "Idle" if state == "Active" else "Active"
                peer.last_event = "ConnectRetry"
                peer.elapsed_seconds = int(now - rel.since)
            out.append(peer)
        return out

    def interfaces(self, name: str, now: float | None = None) -> list[PhysicalInterface]:
        now = time.time() if now is None else now
        view = self.views[name]
        st0_up = {sa.bind_interface for sa in self.ipsec_sas(name, now)}
        ifds: dict[str, PhysicalInterface] = {}
        for ifl, addrs in view.addresses.items():
            ifd = ifl.split(".")[0]
            link = self.link_up(name, ifd) if not ifd.startswith(("st0", "lo0")) else "up"
            phys = ifds.setdefault(ifd, PhysicalInterface(ifd, link="up" if link else "down"))
            unit_link = ("up" if ifl in st0_up else "down") if ifd == "st0" else phys.link
            phys.units.append(LogicalInterface(ifl, link=unit_link, addresses=[str(a) for a in addrs]))
        return list(ifds.values())

    def ping(self, name: str, target: str, source: str | None, count: int) -> PingResult:
        now = time.time()
        result = PingResult(target=target, source=source, count=count)
        device = self.lab.devices.get(name) if hasattr(self.lab, "devices") else None
        dropped = device is not None and device.faults.get("drop-ping")   # `srxlab fault DEV drop-ping`
        if not dropped and self._ping_ok(name, target, now):
            result.rtts_ms = [round(self.rng.uniform(0.4, 0.9), 3) for _ in range(count)]
        return result

    def _ping_ok(self, name: str, target: str, now: float) -> bool:
        view = self.views[name]
        if view.owner_ifl(target):
            return True
        ifl = view.route_ifl(target)
        via_bgp = None
        if ifl is None:
            for rel in (self.bgp[k] for k in self.bgp_keys.get(name, ())):
                if self.bgp_state(rel, now) == "Established":
                    received = self.views[rel.peer].advertised.get(rel.local_address, [])
                    if any(ipaddress.ip_address(target) in ipaddress.ip_network(p) for p in received):
                        ifl, via_bgp = rel.ifl, rel
                        break
        if ifl is None:
            return False
        owner = self.owner.get(target)
        if ifl.startswith("st0"):
            vpn = next((v for v in view.vpns.values() if v.bind == ifl), None)
            key = self._tunnel_of(name, vpn)
            if key is None:
                return False
            tun = self.tunnels[key]
            if not tun.immediate and tun.triggered_at is None:
                tun.triggered_at = now  # this first packet starts the negotiation and is lost
                self._recompute_bgp(name, now)
                return False
            child = next(c for c in tun.children if c.vpns.get(name) == vpn.name)
            if not self.child_up(tun, child, now) or child.blackhole:
                return False
            peer = tun.other(name)[0]
            if owner is None or owner[0] != peer:
                return False
            pview = self.views[peer]
            ingress = pview.vpns[child.vpns[peer]].bind
            if via_bgp is None or owner[1] == ingress:
                return pview.allows(ingress, "ping")
            return self._transit_permitted(pview, ingress, owner[1])
        if owner is None:
            return False
        return self.reaches(name, ifl, owner[0], owner[1]) and self.views[owner[0]].allows(owner[1], "ping")

    @staticmethod
    def _transit_permitted(view: DeviceView, ingress: str, egress: str) -> bool:
        """Traffic to an address behind the peer (not on its st0) is host-bound on lo0 or
        transit to a LAN: it needs host-inbound ping or a permitting policy between zones."""
        if egress.startswith("lo0"):
            return view.allows(ingress, "ping")
        frm, to = view.zone_of.get(ingress), view.zone_of.get(egress)
        return any(p[0] == frm and p[1] == to and p[2] for p in view.policies)

    def explain(self) -> list[dict]:
        """Why each tunnel and BGP session is (not) up: for `srxlab explain` and tests."""
        out = []
        for tun in self.tunnels.values():
            out.append({"tunnel": [list(e) for e in tun.ends], "ok": tun.ok, "reason": tun.reason,
                        "children": [{"vpns": c.vpns, "ok": c.ok, "reason": c.reason,
                                      "blackhole": c.blackhole} for c in tun.children]})
        for (dev, addr), rel in self.bgp.items():
            out.append({"bgp": [dev, addr], "ok": rel.problem is None,
                        "reason": rel.problem[2] if rel.problem else ""})
        return out

    def settled(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        for tun in self.tunnels.values():
            start = tun.up_from(self.scale)
            if start is not None and now < start + IPSEC_DELAY * self.scale:
                return False
            if tun.up_until is not None and now < tun.up_until:
                return False
        for rel in self.bgp.values():
            if rel.problem is None and self._carrier(rel) is not None:
                tun, child = self._carrier(rel)
                if self.child_up(tun, child, now) and not child.blackhole and self.bgp_state(rel, now) != "Established":
                    return False
        return True


def _ike_algs(gw: GatewayView, ogw: GatewayView) -> tuple[tuple[str, str, str], str]:
    common = [p for p in gw.proposals if p in ogw.proposals]
    _method, dh, auth, enc = common[0] if common else (None, None, None, None)
    dh_text = f"DH-group-{dh[5:]}" if dh and dh.startswith("group") else str(dh)
    return (IKE_ENC.get(enc, enc or "none"), IKE_AUTH.get(auth, auth or "none"), dh_text), \
        IKE_AUTH.get(auth, "none").replace("-128", "").replace("-192", "").replace("-96", "")
