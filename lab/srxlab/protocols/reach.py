"""The underlay: who owns which address, which ports share a wire, NAT, and ping.

:class:`Underlay` keeps the address indexes that let a change touch only the devices it
concerns (the owners of addresses, the devices whose IKE gateways or BGP neighbours target
them) and answers reachability between two interfaces, through the topology's segments,
links, running devices and NAT. :func:`ping_ok` decides whether a ping is answered.
"""
from __future__ import annotations

from .. import addresses as A
from .views import DeviceView


class Underlay:
    def __init__(self, lab):
        self.lab = lab
        self.owner: dict[str, tuple[str, str]] = {}         # reachable address -> (device, ifl)
        self.owned: dict[str, set[str]] = {}                 # device -> addresses it owns in `owner`
        self.public: dict[tuple[str, str], str] = {}        # (device, ifl) -> address others see (NAT)
        self.inside: dict[str, str] = {}                     # NAT public address -> inside address
        self.nat_inside: set[tuple[str, str]] = set()       # (device, port) behind a NAT
        self.segments: dict[tuple[str, str], set[str]] = {} # (device, port) -> segment names
        self.targets: dict[str, set[str]] = {}               # address -> devices whose gateways target it
        self.bgp_targets: dict[str, set[str]] = {}           # address -> devices with that neighbour
        self.nat = {(e["device"], e["port"]): e for e in lab.topology.get("nat", [])}
        self.hidden = {e["inside"]: (e["device"], e["port"]) for e in lab.topology.get("nat", [])}
        self.wired: dict[tuple[str, str], set[str]] = {}    # (device, port) -> segments, NAT aside
        for name, ports in lab.topology.get("segments", {}).items():
            for item in ports:
                dev, port = item.split(":", 1)
                self.segments.setdefault((dev, port), set()).add(name)
                self.wired.setdefault((dev, port), set()).add(name)
        for entry in lab.topology.get("nat", []):
            key = (entry["device"], entry["port"])
            self.nat_inside.add(key)
            self.segments.setdefault(key, set()).add(entry["segment"])

    # -- indexes -------------------------------------------------------------------------
    def index(self, name: str, old: DeviceView | None, view: DeviceView) -> set[str]:
        """Replace the device's entries in the address indexes; return devices touched."""
        touched = {name}
        if old is not None:
            for addr in self.owned.pop(name, set()):
                if self.owner.get(addr, ("",))[0] == name:
                    del self.owner[addr]
                    self.inside.pop(addr, None)
                touched |= self.targets.get(addr, set()) | self.bgp_targets.get(addr, set())
            for gw in old.gateways.values():
                for addr in gw.addresses:
                    self.targets.get(addr, set()).discard(name)
                    touched |= {self.owner[addr][0]} if addr in self.owner else set()
            for addr in old.neighbors:
                self.bgp_targets.get(addr, set()).discard(name)
                touched |= {self.owner[addr][0]} if addr in self.owner else set()
            self.public = {k: v for k, v in self.public.items() if k[0] != name}
        for ifl, addrs in view.addresses.items():
            port = ifl.split(".")[0]
            for a in addrs:
                ip = A.host(a)
                self.owner[ip] = (name, ifl)
                self.owned.setdefault(name, set()).add(ip)
                entry = self.nat.get((name, port))
                if entry and ip == entry.get("inside"):
                    self.owner[entry["public"]] = (name, ifl)
                    self.owned[name].add(entry["public"])
                    self.public[(name, ifl)] = entry["public"]
                    self.inside[entry["public"]] = ip
                touched |= self.targets.get(ip, set()) | self.bgp_targets.get(ip, set())
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

    def related(self, name: str, view: DeviceView) -> set[str]:
        """Devices whose relations with ``name`` a link or power change of ``name`` affects."""
        touched = {name} | {d for addr in self.owned.get(name, set())
                            for d in self.targets.get(addr, set()) | self.bgp_targets.get(addr, set())}
        for gw in view.gateways.values():
            for addr in gw.addresses:
                if addr in self.owner:
                    touched.add(self.owner[addr][0])
        return touched

    # -- reachability -----------------------------------------------------------------------
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

    def behind_nat(self, name: str, ifl: str, address: str) -> bool:
        """``address`` is the inside address of a NAT that ``name``'s ``ifl`` is not wired
        to directly: from there it can only be reached at its public address."""
        inside = self.hidden.get(address)
        if inside is None:
            return False
        return not self.wired.get((name, ifl.split(".")[0]), set()) & self.wired.get(inside, set())

    def natted(self, a: str, a_ifl: str, b: str, b_ifl: str) -> bool:
        return (a, a_ifl.split(".")[0]) in self.nat_inside or (b, b_ifl.split(".")[0]) in self.nat_inside

    def seen_as(self, name: str, ifl: str, address: str) -> str:
        """The source address others see for ``address`` of ``name``'s ``ifl`` (after NAT)."""
        return self.public.get((name, ifl), address)

    def far_end(self, peer: DeviceView, address: str) -> tuple[str, str] | None:
        """(device, ifl) owning ``address`` seen through a tunnel to ``peer``: the peer's own
        interface first, as tunnel addresses repeat (a primary and a backup peer both hold
        the far end of one st0 subnet); else the lab-wide owner."""
        ifl = peer.owner_ifl(address)
        return (peer.name, ifl) if ifl else self.owner.get(address)

    def delivered_to(self, address: str) -> str:
        """The device address a packet to ``address`` arrives at (NAT translates a public one)."""
        return self.inside.get(address, address)


def ping_ok(plane, name: str, target: str, now: float, source: str | None = None) -> bool:
    """Whether ``name`` gets an answer from ``target`` now (and start an on-traffic tunnel).

    Into an st0 unit the echo needs an up IPsec SA pair whose traffic selectors hold its
    source (``source``, by default the unit's own address) and ``target``."""
    view, net = plane.views[name], plane.net
    if view.owner_ifl(target):
        return True
    ifl = view.route_ifl(target)
    via_bgp = None
    if ifl is None:
        for rel in plane.bgp.relations(name):
            if plane.bgp.state(rel, now) == "Established":
                received = plane.views[rel.peer].advertised.get(rel.local_address, [])
                if any(A.contains(p, target) for p in received):
                    ifl, via_bgp = rel.ifl, rel
                    break
    if ifl is None:
        return False
    owner = net.owner.get(target)
    if ifl.startswith("st0"):
        vpn = next((v for v in view.vpns.values() if v.bind == ifl), None)
        key = plane.ike.tunnel_of(name, vpn)
        if key is None:
            return False
        tun = plane.ike.tunnels[key]
        if tun.trigger(name, now):
            plane.bgp.recompute(name, now)
            return False  # this first packet starts the negotiation and is lost
        src = source or next((A.host(a) for a in view.addresses.get(ifl, [])), None)
        child = plane.ike.child_for(tun, name, vpn.name, src, target) if src else None
        if child is None or not plane.ike.child_up(tun, child, now) or child.blackhole:
            return False
        peer = tun.other(name)[0]
        owner = net.far_end(plane.views[peer], target)
        if owner is None or owner[0] != peer:
            return False
        pview = plane.views[peer]
        ingress = pview.vpns[child.vpns[peer]].bind
        if via_bgp is None or owner[1] == ingress:
            return pview.allows(ingress, "ping")
        return transit_permitted(pview, ingress, owner[1])
    if owner is None or net.behind_nat(name, ifl, target):
        return False
    return net.reaches(name, ifl, owner[0], owner[1]) and plane.views[owner[0]].allows(owner[1], "ping")


def monitor_state(plane, name: str, tun, vpn, gw, remote: str, now: float) -> str:
    """`vpn-monitor` state of ``name``'s ``vpn`` SAs in ``tun``: "U" when its ICMP probes are
    answered, "D" when not, "-" without vpn-monitor.

    A probe goes from the address of `source-interface` (default: the external interface's)
    to `destination-ip` (default: ``remote``, the peer gateway address in use) into the SA
    pair whose selectors hold both; the peer answers when the destination is its own address
    and its end of the tunnel allows host-inbound ping."""
    monitor = vpn.monitor
    if monitor is None:
        return "-"
    view, net = plane.views[name], plane.net
    source = next((A.host(a) for a in view.addresses.get(monitor.source_interface or "", [])), None) \
        or view.ext_address(gw)
    destination = monitor.destination_ip or remote
    child = plane.ike.child_for(tun, name, vpn.name, source, destination)
    if child is None or not plane.ike.child_up(tun, child, now) or child.blackhole:
        return "D"
    peer = tun.other(name)[0]
    pview = plane.views[peer]
    if pview.owner_ifl(net.delivered_to(destination)) is None:
        return "D"
    return "U" if pview.allows(pview.vpns[child.vpns[peer]].bind, "ping") else "D"


def transit_permitted(view: DeviceView, ingress: str, egress: str) -> bool:
    """Traffic to an address behind the peer (not on its st0) is host-bound on lo0 or
    transit to a LAN: it needs host-inbound ping or a permitting policy between zones."""
    if egress.startswith("lo0"):
        return view.allows(ingress, "ping")
    frm, to = view.zone_of.get(ingress), view.zone_of.get(egress)
    return any(p[0] == frm and p[1] == to and p[2] for p in view.policies)
