"""Views: what one device's committed, active configuration means for the protocols.

A :class:`DeviceView` is rebuilt by :func:`build_view` when its device commits; everything
else in the protocol plane reads views, never the configuration tree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from netutils.password import decrypt_juniper_type9

from .. import addresses as A
from .. import config as C
from ..commit_check import split_ifl
from ..secret9 import is_secret9
from .policy import exported

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

ANY = "0.0.0.0/0"  # the selector of a VPN without traffic-selector or proxy-identity

# IKE identity kinds (`local-identity`, `remote-identity`, `dynamic`), in lookup order.
IDENTITY_KINDS = ("inet", "hostname", "user-at-hostname", "distinguished-name")


@dataclass
class GatewayView:
    name: str
    addresses: list[str]     # `address`: the primary peer, then backups
    external: str            # external-interface ifl
    local_address: str | None
    version: str
    mode: str
    proposals: list[tuple]   # (auth-method, dh-group, auth-alg, enc-alg)
    psk: str | None
    local_id: tuple[str, str] | None    # (kind, value) this gateway presents, when configured
    remote_id: tuple[str, str] | None   # (kind, value) it requires of the peer, when configured
    nat_traversal: bool
    dpd: tuple[int, int] | None
    dynamic: tuple[str, str] | None = None  # `dynamic hostname|inet|user-at-hostname X`
    general_ikeid: bool = False             # accept any peer IKE identity

    @property
    def static(self) -> bool:
        """A gateway with a peer address: it can initiate, and it answers that address."""
        return bool(self.addresses)


@dataclass
class VpnMonitor:
    """`vpn-monitor` of a VPN: ICMP probes through the tunnel. Junos requires neither
    statement: without `destination-ip` it probes the peer gateway address, without
    `source-interface` it sources them from the external interface."""
    optimized: bool = False              # probe only when no traffic flows
    source_interface: str | None = None
    destination_ip: str | None = None


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
    selectors: list[tuple[str, str, str]] = field(default_factory=list)  # traffic-selector (name, local, remote)
    monitor: VpnMonitor | None = None   # `vpn-monitor`, when configured

    @property
    def proxy_identity(self) -> bool:
        return self.proxy_local is not None or self.proxy_remote is not None

    def proposed(self) -> list[tuple[str | None, str, str]]:
        """The selector pairs (traffic-selector name, local, remote) this VPN negotiates:
        its traffic selectors; else its proxy-identity (an absent side is 0.0.0.0/0); else
        0.0.0.0/0 <-> 0.0.0.0/0."""
        if self.selectors:
            return list(self.selectors)
        return [(None, _prefix(self.proxy_local), _prefix(self.proxy_remote))]


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
    addresses: dict[str, list] = field(default_factory=dict)  # ifl -> [interface addresses]
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
        return A.host(addrs[0]) if addrs else None

    def presented_id(self, gw: GatewayView) -> tuple[str, str] | None:
        """The IKE identity ``gw`` sends: its `local-identity`, else its local address."""
        if gw.local_id is not None:
            return gw.local_id
        local = self.ext_address(gw)
        return ("inet", local) if local else None

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
        ip = A.address(address)
        for ifl, addrs in self.addresses.items():
            if any(a.ip == ip for a in addrs):
                return ifl
        return None

    def route_ifl(self, address: str) -> str | None:
        """The local interface whose subnet holds ``address`` (a connected route)."""
        ip = A.address(address)
        for ifl, addrs in self.addresses.items():
            if any(ip in a for a in addrs):
                return ifl
        return None


def _prefix(value: str | None) -> str:
    """A proxy-identity prefix as a network (``10.1.0.1/24`` -> ``10.1.0.0/24``); absent = any."""
    if value is None:
        return ANY
    return A.network_text(value) if A.valid_ipv4(value) else value


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ifl(name: str) -> str:
    ifd, unit = split_ifl(name)
    return f"{ifd}.{unit}"


def build_view(name: str, committed: C.Node) -> DeviceView:
    cfg = C.active_view(committed)
    v = DeviceView(name)
    for ifd, node in cfg.entries("interfaces", "interface"):
        if node.get("disable") is not None:
            continue
        for unit, un in node.entries("unit"):
            addrs = [A.interface(a) for a, _ in un.entries("family", "inet", "address")]
            v.addresses[f"{ifd}.{unit}"] = addrs
            v.direct += [A.subnet(a) for a in addrs]
    for zone, zn in cfg.entries("security", "zones", "security-zone"):
        v.zone_services[zone] = _services(zn.get("host-inbound-traffic"))
        for ifl, iz in zn.entries("interfaces"):
            key = _ifl(ifl)
            v.zone_of[key] = zone
            if iz.get("host-inbound-traffic") is not None:
                v.ifl_services[key] = _services(iz.get("host-inbound-traffic"))
    for (frm, to), pn in ((tuple(k.split(" ")), n) for k, n in cfg.entries("security", "policies", "policy")):
        for _pol, p in pn.entries("policy"):
            v.policies.append((frm, to, p.get("then", "permit") is not None))
    _build_ike(v, cfg)
    _build_ipsec(v, cfg)
    _build_bgp(v, cfg)
    return v


def _build_ike(v: DeviceView, cfg: C.Node) -> None:
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
            psk = decrypt_juniper_type9(raw) if raw and is_secret9(raw) else raw
            mode = pol.get("mode") or DEFAULT_IKE_MODE
        dpd = None
        if isinstance(g.get("dead-peer-detection"), C.Node):
            dpd = (_int(g.get("dead-peer-detection", "interval")) or DEFAULT_DPD[0],
                   _int(g.get("dead-peer-detection", "threshold")) or DEFAULT_DPD[1])
        v.gateways[gname] = GatewayView(
            name=gname, addresses=list(g.get("address") or []), external=_ifl(g.get("external-interface") or ""),
            local_address=g.get("local-address"), version=g.get("version") or DEFAULT_IKE_VERSION,
            mode=mode, proposals=props, psk=psk,
            local_id=_identity(g.get("local-identity")), remote_id=_identity(g.get("remote-identity")),
            nat_traversal=g.get("no-nat-traversal") is None, dpd=dpd,
            dynamic=_identity(g.get("dynamic")), general_ikeid=g.get("general-ikeid") is not None)


def _build_ipsec(v: DeviceView, cfg: C.Node) -> None:
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
        v.vpns[vname] = VpnView(
            name=vname, gateway=vn.get("ike", "gateway") or "", proposals=[p[:3] for p in props], pfs=pfs,
            proxy_local=vn.get("ike", "proxy-identity", "local"),
            proxy_remote=vn.get("ike", "proxy-identity", "remote"),
            bind=_ifl(bind) if bind else bind, immediately=vn.get("establish-tunnels") == "immediately",
            lifetime=min([p[3] for p in props] or [3600]),
            selectors=[(ts, A.network_text(tn.get("local-ip")), A.network_text(tn.get("remote-ip")))
                       for ts, tn in vn.entries("traffic-selector")
                       if A.valid_ipv4(tn.get("local-ip")) and A.valid_ipv4(tn.get("remote-ip"))])
        monitor = vn.get("vpn-monitor")
        if isinstance(monitor, C.Node):
            source = monitor.get("source-interface")
            v.vpns[vname].monitor = VpnMonitor(optimized=monitor.get("optimized") is not None,
                                               source_interface=_ifl(source) if source else None,
                                               destination_ip=monitor.get("destination-ip"))


def _build_bgp(v: DeviceView, cfg: C.Node) -> None:
    v.local_as = _int(cfg.get("routing-options", "autonomous-system"))
    v.router_id = cfg.get("routing-options", "router-id")
    if v.router_id is None:
        lo = v.addresses.get("lo0.0") or []
        v.router_id = A.host(lo[0]) if lo else None
    policies = dict(cfg.entries("policy-options", "policy-statement"))
    prefix_lists = {n: [k for k, _ in pl.entries("prefix-list-item")]
                    for n, pl in cfg.entries("policy-options", "prefix-list")}
    statics = [k for k, _ in cfg.entries("routing-options", "static", "route")]
    routes = [(str(net), "direct", ifl) for ifl, addrs in v.addresses.items()
              for net in {A.subnet(a) for a in addrs}]
    routes += [(r, "static", None) for r in statics]
    for gname, gn in cfg.entries("protocols", "bgp", "group"):
        for addr, nn in gn.entries("neighbor"):
            export = list(nn.get("export") or gn.get("export") or [])
            v.neighbors[addr] = NeighborView(
                address=addr, group=gname, peer_type=gn.get("type") or "internal",
                peer_as=_int(nn.get("peer-as") or gn.get("peer-as")),
                local_as=_int(nn.get("local-as") or gn.get("local-as")), export=export,
                multihop=nn.get("multihop") is not None or gn.get("multihop") is not None)
            v.advertised[addr] = exported(routes, export, policies, prefix_lists)


def _services(hit) -> set:
    names: set = set()
    if isinstance(hit, C.Node):
        for kind in ("system-services", "protocols"):
            for name, node in hit.entries(kind):
                if node.get("except") is None:
                    names.add(name)
    return names


def _identity(node) -> tuple[str, str] | None:
    """(kind, value) of a `local-identity` / `remote-identity` / `dynamic` statement."""
    if not isinstance(node, C.Node):
        return None
    for kind in IDENTITY_KINDS:
        value = node.get(kind)
        if value is not None:
            return (kind, value if isinstance(value, str) else "")
    return None
