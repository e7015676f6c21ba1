"""BGP sessions over the tunnels: which neighbour is whose, why a session cannot come up,
its state at a moment and the routes it carries."""
from __future__ import annotations

from .. import addresses as A
from ..opstate import BgpPeer
from .relations import BGP_DELAY, IPSEC_DELAY, BgpRel, Child, Tunnel
from .views import NeighborView


class Bgp:
    def __init__(self, plane):
        self.plane = plane
        self.rels: dict[tuple[str, str], BgpRel] = {}
        self.keys: dict[str, set[tuple[str, str]]] = {}  # device -> its keys in `rels`

    def relations(self, name: str) -> list[BgpRel]:
        return [self.rels[k] for k in self.keys.get(name, ())]

    # -- recomputation --------------------------------------------------------------------
    def recompute(self, name: str, now: float) -> None:
        view = self.plane.views[name]
        keys = self.keys.setdefault(name, set())
        for key in [k for k in keys if k[1] not in view.neighbors]:
            del self.rels[key]
            keys.discard(key)
        for addr, nb in view.neighbors.items():
            rel = self.relation(name, nb, now)
            prev = self.rels.get((name, addr))
            if prev is not None and self.sig(prev) == self.sig(rel):
                continue
            if prev is not None:
                rel.flaps = self.flaps(prev) + (1 if self.state(prev, now) == "Established" else 0)
            self.rels[(name, addr)] = rel
            keys.add((name, addr))

    @staticmethod
    def sig(rel: BgpRel) -> tuple:
        return (rel.problem, rel.peer, rel.local_address, rel.ifl, rel.tunnel, rel.vpn)

    def relation(self, name: str, nb: NeighborView, now: float) -> BgpRel:
        plane = self.plane
        view = plane.views[name]
        rel = BgpRel(device=name, neighbor=nb.address, since=now, problem=None)
        local_as = nb.local_as or view.local_as
        ifl = view.route_ifl(nb.address)
        if ifl is None or not ifl.startswith("st0"):
            rel.problem = ("Active", "None", f"no route to {nb.address} over a tunnel")
            return rel
        rel.ifl = ifl
        rel.local_address = next(A.host(a) for a in view.addresses[ifl] if A.contains(a, nb.address))
        vpn = next((v for v in view.vpns.values() if v.bind == ifl), None)
        tkey = plane.ike.tunnel_of(name, vpn)
        if vpn is None or tkey is None:
            rel.problem = ("Active", "None", f"no IPsec VPN carries {ifl}")
            return rel
        rel.vpn, rel.tunnel = vpn.name, tkey
        tun = plane.ike.tunnels[tkey]
        rel.generation = tun.generation
        tun.trigger(name, now)  # BGP's first SYN into st0 is the traffic that starts the tunnel
        peer = tun.other(name)[0]
        owner = plane.net.far_end(plane.views[peer], nb.address)
        if owner is None or owner[0] != peer:
            rel.problem = ("Active", "None", f"{nb.address} is not the far end of {ifl}")
            return rel
        rel.peer = peer
        agreed = [c for c in tun.children if c.vpns.get(name) == vpn.name and c.selectors]
        if agreed and not any(c.carries(name, rel.local_address, nb.address) for c in agreed):
            rel.problem = ("Active", "None", f"no traffic selector of {vpn.name} holds "
                                             f"{rel.local_address} -> {nb.address}")
            return rel
        pview = plane.views[peer]
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

    def flaps(self, rel: BgpRel) -> int:
        """Flaps so far: set at configuration changes, plus every renegotiation of the
        carrying tunnel since (each one took an established session down)."""
        tun = self.plane.ike.tunnels.get(rel.tunnel) if rel.tunnel else None
        return rel.flaps + (max(0, tun.generation - rel.generation) if tun is not None else 0)

    # -- state at a moment ----------------------------------------------------------------
    def carrier(self, rel: BgpRel) -> tuple[Tunnel, Child] | None:
        tun = self.plane.ike.tunnels.get(rel.tunnel) if rel.tunnel else None
        if tun is None:
            return None
        child = self.plane.ike.child_for(tun, rel.device, rel.vpn, rel.local_address, rel.neighbor)
        return (tun, child) if child is not None else None

    def state(self, rel: BgpRel, now: float) -> str:
        carrier = self.carrier(rel)
        if carrier is None:
            return rel.problem[0] if rel.problem else "Active"
        tun, child = carrier
        if not self.plane.ike.child_up(tun, child, now) or child.blackhole:
            return "Active"  # no path: whatever else is wrong, the session cannot get further
        if rel.problem is not None:
            return rel.problem[0]
        scale = self.plane.scale
        up = max(tun.up_from(scale) + IPSEC_DELAY * scale, rel.since) + BGP_DELAY * scale
        return "Established" if now >= up else "OpenSent" if now >= up - 0.5 * scale else "Active"

    def established_since(self, rel: BgpRel) -> float:
        tun, _child = self.carrier(rel)
        scale = self.plane.scale
        return max(tun.up_from(scale) + IPSEC_DELAY * scale, rel.since) + BGP_DELAY * scale

    def pending(self, now: float) -> bool:
        """A session that can come up and whose tunnel is up is not Established yet."""
        for rel in self.rels.values():
            carrier = self.carrier(rel) if rel.problem is None else None
            if carrier is not None:
                tun, child = carrier
                if self.plane.ike.child_up(tun, child, now) and not child.blackhole \
                        and self.state(rel, now) != "Established":
                    return True
        return False

    # -- operational state ---------------------------------------------------------------------
    def peers(self, name: str, now: float) -> list[BgpPeer]:
        plane = self.plane
        view = plane.views[name]
        out = []
        for addr, nb in sorted(view.neighbors.items(), key=lambda kv: A.address(kv[0])):
            rel = self.rels.get((name, addr))
            if rel is None:
                continue
            state = self.state(rel, now)
            peer = BgpPeer(
                peer_address=addr, local_address=rel.local_address or "", group=nb.group,
                peer_as=nb.peer_as or 0, local_as=nb.local_as or view.local_as or 0, state=state,
                peer_type="External" if nb.peer_type == "external" else "Internal",
                local_id=view.router_id or "0.0.0.0", local_interface=rel.ifl, flaps=self.flaps(rel),
                last_error=rel.problem[1] if rel.problem else "None")
            if state == "Established":
                since = self.established_since(rel)
                pview = plane.views[rel.peer]
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
