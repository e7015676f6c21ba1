"""IKE (phase 1) and IPsec (phase 2): who answers whom, what they negotiate, and the SAs.

An IKE gateway with a peer ``address`` initiates to its first (primary) address. The device
that owns that address (seen through NAT when a topology `nat` entry is in between) answers
only when one of its gateways matches the initiator, as a Junos responder does:

* a static gateway whose `address` list holds the initiator's address as seen on the wire
  (its `local-address`, or its external interface's address, after NAT), whose
  `external-interface` is the interface the packet arrives on (or whose `local-address` is
  the address it arrives at);
* otherwise a dynamic gateway (`dynamic hostname|user-at-hostname|inet X`) on that
  interface whose identity is the one the initiator presents (its `local-identity`, by
  default the IPv4 address of its external interface).

A matched pair is a :class:`Tunnel`; an initiation nobody answers is a :class:`Refusal`.
Phase 1 then checks reachability, host-inbound `ike`, version, mode, proposals, the
pre-shared key and both IKE identities; phase 2 pairs the VPNs of the two gateways (a PFS
mismatch stops the IPsec SA with IKEv1 only: IKEv2 negotiates the first one without PFS).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..opstate import IkeSa, IpsecSa
from .relations import IPSEC_DELAY, Child, Refusal, Tunnel
from .views import GatewayView, VpnView

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


def id_text(ident: tuple[str, str] | None) -> str:
    return f"{ident[0]} {ident[1]}".strip() if ident else "none"


@dataclass
class Initiation:
    """What one gateway's IKE initiation meets at the peer address it names."""
    device: str
    gateway: GatewayView
    target: str                 # the peer address initiated to (the primary `address`)
    source: str                 # the initiator's address as the responder sees it (after NAT)
    peer: str | None            # device owning ``target``
    peer_ifl: str | None        # its interface owning ``target``
    answer: GatewayView | None  # the responder's gateway that matches, if any
    by_identity: bool = False   # matched a dynamic gateway by IKE identity
    reason: str = ""            # why nobody answers


class Ike:
    """The tunnels of a lab: IKE gateway pairs, their IPsec children and the SAs they show."""

    def __init__(self, plane):
        self.plane = plane
        self.tunnels: dict[frozenset, Tunnel] = {}
        self.by_device: dict[str, set[frozenset]] = {}
        self.refusals: dict[tuple[str, str], Refusal] = {}   # (device, gateway) -> why unanswered

    # -- responder matching ------------------------------------------------------------------
    def initiate(self, name: str, gw: GatewayView | None) -> Initiation | None:
        """``name``'s initiation through ``gw``; None when the gateway cannot initiate (no
        peer address, no local address, or its peer address is one of its own)."""
        plane, net = self.plane, self.plane.net
        if gw is None or not gw.static:
            return None
        view = plane.views[name]
        local = view.ext_address(gw)
        if local is None:
            return None
        target = gw.addresses[0]
        owner = net.owner.get(target)
        if owner is not None and owner[0] == name:
            return None
        source = net.seen_as(name, gw.external, local)
        att = Initiation(name, gw, target, source, owner[0] if owner else None, owner[1] if owner else None, None)
        if owner is None:
            att.reason = f"peer unreachable: no device has {target}"
            return att
        if net.behind_nat(name, gw.external, target):
            att.reason = (f"peer unreachable: {target} is {att.peer}'s address behind a NAT, "
                          f"reached from {name} only at its public address")
            return att
        pview = plane.views[att.peer]
        arrives = net.delivered_to(target)
        on_ifl = [g for g in pview.gateways.values()
                  if (g.local_address == arrives if g.local_address else g.external == att.peer_ifl)]
        static = [g for g in on_ifl if source in g.addresses]
        if static:
            att.answer = static[0]
            return att
        presented = view.presented_id(gw)
        dynamic = [g for g in on_ifl if not g.static and g.dynamic is not None and g.dynamic == presented]
        if dynamic:
            att.answer, att.by_identity = dynamic[0], True
            return att
        elsewhere = sorted(g.name for g in pview.gateways.values()
                           if source in g.addresses or (not g.static and g.dynamic == presented))
        if elsewhere:
            att.reason = (f"{att.peer} has no IKE gateway for {source} on {att.peer_ifl}: "
                          f"{', '.join(elsewhere)} has another external-interface or local-address")
        else:
            att.reason = (f"{att.peer} has no IKE gateway matching {name}: none has address {source} "
                          f"or a dynamic identity {id_text(presented)}")
        return att

    # -- recomputation --------------------------------------------------------------------
    def recompute(self, name: str, now: float) -> None:
        view = self.plane.views[name]
        seen: set[frozenset] = set()
        for key in [k for k in self.refusals if k[0] == name]:
            del self.refusals[key]
        for gw in view.gateways.values():
            att = self.initiate(name, gw)
            if att is None:
                continue
            if att.answer is None:
                self.refusals[(name, gw.name)] = Refusal(name, gw.name, att.target, att.peer, att.reason)
                continue
            key = frozenset({(name, gw.name), (att.peer, att.answer.name)})
            seen.add(key)
            self.evaluate(key, (name, gw), (att.peer, att.answer), now)
        for key in list(self.by_device.get(name, set())):
            if key not in seen and key in self.tunnels:
                # the pair no longer starts from this side; it stands if the other end's
                # initiation is still answered by this end's gateway
                other = self.tunnels[key].other(name)
                att = self.initiate(other[0], self.plane.views[other[0]].gateways.get(other[1]))
                if att is None or att.answer is None or frozenset({other, (att.peer, att.answer.name)}) != key:
                    self.drop(key)

    def drop(self, key: frozenset) -> None:
        tun = self.tunnels.pop(key)
        for dev, _gw in tun.ends:
            self.by_device.get(dev, set()).discard(key)

    def evaluate(self, key, a, b, now: float) -> None:
        plane = self.plane
        plane.stats["evaluations"] += 1
        if (a[0], a[1].name) > (b[0], b[1].name):
            a, b = b, a  # one canonical order, whichever side triggered the evaluation
        (an, agw), (bn, bgw) = a, b
        av, bv = plane.views[an], plane.views[bn]
        answered = []
        for (xn, xgw), (yn, ygw) in ((a, b), (b, a)):
            att = self.initiate(xn, xgw)
            if att is not None and att.peer == yn and att.answer is not None and att.answer.name == ygw.name:
                answered.append(att)
        ok, reason, nat = self.phase1(an, agw, bn, bgw, answered)
        children = self.phase2(an, agw, bn, bgw, nat)
        initiators = tuple(att.device for att in answered)
        sig = (repr(agw), repr(bgw), repr([(c.vpns, c.ok, c.reason) for c in children]),
               repr([av.vpns[c.vpns[an]] for c in children]), repr([bv.vpns[c.vpns[bn]] for c in children]),
               plane.started.get(an), plane.started.get(bn), initiators)
        eager = [n for n, view, gw in ((an, av, agw), (bn, bv, bgw))
                 if n in initiators and any(v.immediately for v in view.vpns.values() if v.gateway == gw.name)]
        prev = self.tunnels.get(key)
        if prev is not None and prev.sig == sig and prev.ok == ok and prev.reason == reason:
            return
        if prev is not None and not ok and reason == "peer unreachable" and prev.visible(now, plane.scale):
            dpd = [d for d in (agw.dpd, bgw.dpd) if d]
            prev.ok = False
            prev.reason = reason
            prev.sig = sig
            prev.up_until = now + min(i * t for i, t in dpd) * plane.scale if dpd else None
            return
        keep_trigger = prev is not None and not eager and prev.triggered_at is not None \
            and prev.initiator in initiators
        tun = Tunnel(ends=((an, agw.name), (bn, bgw.name)), ok=ok, reason=reason, sig=sig, nat=nat,
                     immediate=bool(eager), since=now,
                     triggered_at=prev.triggered_at if keep_trigger else None,
                     children=children, initiators=initiators,
                     initiator=eager[0] if eager else prev.initiator if keep_trigger else None)
        rng, counters = plane.rng, plane.counters
        tun.cookies = (f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(64):016x}")
        for child in children:
            a_in, b_in = (f"{rng.getrandbits(32):08x}" for _ in range(2))
            child.spis = {an: (a_in, b_in), bn: (b_in, a_in)}  # one side's inbound is the other's outbound
        for dev in (an, bn):
            counters[dev]["ike"] += 1
            tun.index[dev] = counters[dev]["ike"]
            for child in children:
                child.tunnel_ids[dev] = self.tunnel_id(dev, child.vpns[dev])
        if prev is not None:
            was_up = prev.up_from(plane.scale) is not None and prev.up_from(plane.scale) <= now
            tun.generation = prev.generation + (1 if was_up else 0)
        self.tunnels[key] = tun
        for dev in (an, bn):
            self.by_device.setdefault(dev, set()).add(key)

    def tunnel_id(self, dev: str, vpn: str) -> int:
        counters = self.plane.counters[dev]
        ids = counters.setdefault("ids", {})
        if vpn not in ids:
            ids[vpn] = counters["tunnel"]
            counters["tunnel"] += 1
        return ids[vpn]

    # -- phase 1 / phase 2 -------------------------------------------------------------------
    def phase1(self, an, agw: GatewayView, bn, bgw: GatewayView,
               answered: list[Initiation]) -> tuple[bool, str, bool]:
        plane, net = self.plane, self.plane.net
        av, bv = plane.views[an], plane.views[bn]
        if av.ext_address(agw) is None or bv.ext_address(bgw) is None:
            return False, "external interface has no address", False
        if not any(net.reaches(att.device, att.gateway.external, att.peer, att.peer_ifl) for att in answered):
            return False, "peer unreachable", False
        nat = net.natted(an, agw.external, bn, bgw.external)
        for side, view, gw in ((an, av, agw), (bn, bv, bgw)):
            if not view.allows(gw.external, "ike"):
                return False, f"{side}: host-inbound-traffic does not allow ike on {gw.external}", nat
        if agw.version != bgw.version:
            return False, f"IKE version mismatch ({agw.version} vs {bgw.version})", nat
        if agw.version == "v1-only" and agw.mode != bgw.mode:
            return False, f"IKEv1 mode mismatch ({agw.mode} vs {bgw.mode})", nat
        if not set(agw.proposals) & set(bgw.proposals):
            return False, "no matching IKE proposal (NO_PROPOSAL_CHOSEN)", nat
        if agw.version == "v1-only" and agw.mode == "main" and all(att.by_identity for att in answered):
            dyn = next(att.peer for att in answered)
            return False, (f"{dyn}: a dynamic gateway with a pre-shared key needs IKEv1 aggressive mode "
                           "(or IKEv2): main mode hides the identity it is chosen by"), nat
        if agw.psk is None or agw.psk != bgw.psk:
            return False, "pre-shared key mismatch (AUTHENTICATION_FAILED)", nat
        for (xn, xgw), (yn, yv, ygw) in (((an, agw), (bn, bv, bgw)), ((bn, bgw), (an, av, agw))):
            problem = self.identity_problem(xn, xgw, yn, yv.presented_id(ygw))
            if problem:
                return False, problem, nat
        if nat and not (agw.nat_traversal and bgw.nat_traversal):
            return True, "NAT in path with NAT traversal disabled", nat
        return True, "", nat

    @staticmethod
    def identity_problem(name: str, gw: GatewayView, peer: str, presented: tuple[str, str] | None) -> str:
        """Why ``name``'s ``gw`` refuses the identity ``peer`` presents ("" when it accepts it).

        Expected: the gateway's `remote-identity`; else, for a dynamic gateway, its dynamic
        identity; else the IPv4 address(es) of its `address`. `general-ikeid` accepts any."""
        if gw.general_ikeid:
            return ""
        if gw.remote_id is not None:
            expected = [gw.remote_id]
        elif gw.dynamic is not None:
            expected = [gw.dynamic]
        else:
            expected = [("inet", a) for a in gw.addresses]
        if presented in expected:
            return ""
        return (f"IKE identity mismatch (AUTHENTICATION_FAILED): {name} {gw.name} expects "
                f"{' or '.join(id_text(e) for e in expected)}, {peer} presents {id_text(presented)}")

    def phase2(self, an, agw, bn, bgw, nat: bool) -> list[Child]:
        av, bv = self.plane.views[an], self.plane.views[bn]
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
            elif va.pfs != vb.pfs and agw.version != "v2-only":
                # IKEv1 quick mode carries the KE payload of PFS, so both ends must agree on
                # it; IKEv2 derives the first child SA's keys in IKE_AUTH without a DH
                # exchange (RFC 7296 1.2), PFS only applies to CREATE_CHILD_SA (rekeys)
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

    # -- lookups ----------------------------------------------------------------------------
    def tunnel_of(self, name: str, vpn: VpnView | None):
        if vpn is None:
            return None
        for key in self.by_device.get(name, set()):
            tun = self.tunnels[key]
            if tun.side(name)[1] == vpn.gateway and any(c.vpns.get(name) == vpn.name for c in tun.children):
                return key
        return None

    def child_up(self, tun: Tunnel, child: Child, now: float) -> bool:
        scale = self.plane.scale
        start = tun.up_from(scale)
        return (child.ok and tun.visible(now, scale) and start is not None
                and now >= start + IPSEC_DELAY * scale)

    def refusals_of(self, name: str) -> list[Refusal]:
        """Unanswered initiations of ``name``'s gateways that take part in no tunnel."""
        in_tunnel = {end for key in self.by_device.get(name, set()) for end in key}
        return [r for r in self.refusals.values() if r.device == name and (name, r.gateway) not in in_tunnel]

    # -- operational state ---------------------------------------------------------------------
    def ike_sas(self, name: str, now: float) -> list[IkeSa]:
        plane, scale = self.plane, self.plane.scale
        out = []
        for key in sorted(self.by_device.get(name, set()), key=lambda k: sorted(k)):
            tun = self.tunnels[key]
            if not tun.visible(now, scale):
                continue
            me, other = tun.side(name), tun.other(name)
            view = plane.views[name]
            gw = view.gateways.get(me[1])
            if gw is None:
                continue
            oview = plane.views[other[0]]
            ogw = oview.gateways[other[1]]
            up = tun.up_from(scale)
            port = 4500 if tun.nat and gw.nat_traversal and ogw.nat_traversal else 500
            remote = plane.net.seen_as(other[0], ogw.external, oview.ext_address(ogw))
            initiator = (tun.initiator or tun.ends[0][0]) == name
            enc, auth = ike_algorithms(gw, ogw)
            out.append(IkeSa(
                index=tun.index[name], gateway=gw.name, remote_address=remote,
                local_address=view.ext_address(gw), state="UP",
                initiator_cookie=tun.cookies[0], responder_cookie=tun.cookies[1],
                exchange_type="IKEv2" if gw.version == "v2-only" else gw.mode.capitalize(),
                role="Initiator" if initiator else "Responder", port=port, remote_port=port,
                version=2 if gw.version == "v2-only" else 1, encryption=enc[0], integrity=enc[1],
                prf=auth, dh_group=enc[2], lifetime_seconds=max(0, 28800 - int(now - up)),
                established_epoch=up, nat_detected=tun.nat))
        return out

    def ipsec_sas(self, name: str, now: float) -> list[IpsecSa]:
        plane, scale = self.plane, self.plane.scale
        out = []
        view = plane.views[name]
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
                oview = plane.views[other[0]]
                ogw = oview.gateways[other[1]]
                prop = next(p for p in vpn.proposals if p in oview.vpns[child.vpns[other[0]]].proposals)
                up = tun.up_from(scale) + IPSEC_DELAY * scale
                nat_t = tun.nat and gw.nat_traversal and ogw.nat_traversal
                remote = plane.net.seen_as(other[0], ogw.external, oview.ext_address(ogw))
                for direction, spi in zip(("inbound", "outbound"), child.spis[name], strict=True):
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


def ike_algorithms(gw: GatewayView, ogw: GatewayView) -> tuple[tuple[str, str, str], str]:
    """The proposal both ends choose (the first of ``gw``'s the peer also has), as Junos
    prints it: ((encryption, integrity, DH group), PRF)."""
    common = [p for p in gw.proposals if p in ogw.proposals]
    _method, dh, auth, enc = common[0] if common else (None, None, None, None)
    dh_text = f"DH-group-{dh[5:]}" if dh and dh.startswith("group") else str(dh)
    return (IKE_ENC.get(enc, enc or "none"), IKE_AUTH.get(auth, auth or "none"), dh_text), \
        IKE_AUTH.get(auth, "none").replace("-128", "").replace("-192", "").replace("-96", "")

