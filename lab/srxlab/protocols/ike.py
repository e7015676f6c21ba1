"""IKE (phase 1) and IPsec (phase 2): who answers whom, what they negotiate, and the SAs.

An IKE gateway with a peer ``address`` initiates to its first (primary) address; with backup
peers (more addresses) to the one in use while it gets an IKE SA, else the first that does
(:meth:`Ike.initiate`; after the DPD detection time when its tunnel was up, :meth:`Ike.leave`).
The device that owns that address (seen through NAT when a topology `nat` entry is in between) answers
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

from dataclasses import dataclass, field

from .. import addresses as A
from ..opstate import IkeSa, IpsecSa
from .reach import monitor_state
from .relations import IPSEC_DELAY, Child, Refusal, Tunnel
from .views import ANY, GatewayView, VpnView

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
    target: str                 # the peer address initiated to (primary or backup `address`)
    source: str                 # the initiator's address as the responder sees it (after NAT)
    peer: str | None            # device owning ``target``
    peer_ifl: str | None        # its interface owning ``target``
    answer: GatewayView | None  # the responder's gateway that matches, if any
    by_identity: bool = False   # matched a dynamic gateway by IKE identity
    reason: str = ""            # why nobody answers
    # every address of the gateway's list tried, with why it gets no IKE SA ("" when it does)
    tried: list[tuple[str, str]] = field(default_factory=list)


class Ike:
    """The tunnels of a lab: IKE gateway pairs, their IPsec children and the SAs they show."""

    def __init__(self, plane):
        self.plane = plane
        self.tunnels: dict[frozenset, Tunnel] = {}
        self.by_device: dict[str, set[frozenset]] = {}
        self.refusals: dict[tuple[str, str], Refusal] = {}   # (device, gateway) -> why unanswered
        # gateways with backup peers: (device, gateway) -> the peer address in use, and the
        # moment a move to another address may start (the old peer's DPD teardown)
        self.using: dict[tuple[str, str], str] = {}
        self.holds: dict[tuple[str, str], float] = {}
        self.touched: set[str] = set()   # devices whose tunnels changed in this recomputation

    # -- responder matching ------------------------------------------------------------------
    def initiate(self, name: str, gw: GatewayView | None) -> Initiation | None:
        """``name``'s initiation through ``gw``; None when the gateway cannot initiate (no
        peer address, no local address, or its peer addresses are its own).

        With backup peers (`address` primary backup...), as Junos: the address in use while
        it still gets an IKE SA (no pre-emption back to the primary), else the first of the
        list that does, else the primary (whose failure then says why)."""
        if gw is None or not gw.static:
            return None
        local = self.plane.views[name].ext_address(gw)
        if local is None:
            return None
        attempts = [att for att in (self.attempt(name, gw, target, local) for target in gw.addresses)
                    if att is not None]
        if len(attempts) < 2:
            return attempts[0] if attempts else None
        for att in attempts:
            att.tried = [(other.target, self.refused(other)) for other in attempts]
        answering = [att for att in attempts if not dict(att.tried)[att.target]]
        current = self.using.get((name, gw.name))
        return next((att for att in answering if att.target == current), None) \
            or (answering[0] if answering else attempts[0])

    def refused(self, att: Initiation) -> str:
        """Why an initiation gets no IKE SA, in a few words ("" when it gets one)."""
        if att.answer is None:
            return "unreachable" if att.reason.startswith("peer unreachable") else f"not answered ({att.reason})"
        ok, reason, _nat = self.phase1(att.device, att.gateway, att.peer, att.answer, [att])
        if ok:
            return ""
        return "unreachable" if reason == "peer unreachable" else f"refused ({reason})"

    def accepts(self, name: str, gw: GatewayView, source: str) -> bool:
        """A gateway with backup peers answers only the peer address it uses, once it uses
        one: one IKE SA per gateway, and no pre-emption by the primary coming back."""
        current = self.using.get((name, gw.name))
        return current is None or current == source or current not in gw.addresses

    def attempt(self, name: str, gw: GatewayView, target: str, local: str) -> Initiation | None:
        """What ``name``'s initiation through ``gw`` to ``target`` meets (None: its own address)."""
        plane, net = self.plane, self.plane.net
        view = plane.views[name]
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
        held = [g for g in static if not self.accepts(att.peer, g, source)]
        static = [g for g in static if g not in held]
        if static:
            att.answer = static[0]
            return att
        if held:
            att.reason = (f"{att.peer} {held[0].name} is up with its peer "
                          f"{self.using[(att.peer, held[0].name)]} and stays there (no pre-emption)")
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
        for key in [k for k in self.using if k[0] == name and k[1] not in view.gateways]:
            del self.using[key]
        for gw in view.gateways.values():
            att = self.initiate(name, gw)
            if att is None:
                continue
            if att.tried:   # backup peers: remember the address in use (none when none answers)
                if dict(att.tried)[att.target]:
                    self.using.pop((name, gw.name), None)
                else:
                    self.using[(name, gw.name)] = att.target
            if att.answer is None:
                self.refusals[(name, gw.name)] = Refusal(name, gw.name, att.target, att.peer, att.reason)
                continue
            key = frozenset({(name, gw.name), (att.peer, att.answer.name)})
            seen.add(key)
            self.leave(name, gw, key, now)
            self.evaluate(key, (name, gw), (att.peer, att.answer), now)
        for key in list(self.by_device.get(name, set())):
            if key not in seen and key in self.tunnels:
                # the pair no longer starts from this side; it stands if the other end's
                # initiation is still answered by this end's gateway
                other = self.tunnels[key].other(name)
                att = self.initiate(other[0], self.plane.views[other[0]].gateways.get(other[1]))
                if att is None or att.answer is None or frozenset({other, (att.peer, att.answer.name)}) != key:
                    if not self.tearing_down(key, now):
                        self.drop(key)

    def leave(self, name: str, gw: GatewayView, key: frozenset, now: float) -> None:
        """``name``'s ``gw`` initiates into ``key``: its tunnels with other peers end. One
        that was up is seen up until DPD declares its peer dead; the new one starts then."""
        end, scale = (name, gw.name), self.plane.scale
        for old in [k for k in self.by_device.get(name, set()) if end in k and k != key]:
            tun = self.tunnels[old]
            other = tun.other(name)
            ogw = self.plane.views[other[0]].gateways.get(other[1])
            if ogw is None:
                self.drop(old)
                continue
            was_up = tun.visible(now, scale)
            self.evaluate(old, (name, gw), (other[0], ogw), now)
            if was_up and self.tearing_down(old, now):
                self.holds[end] = max(self.holds.get(end, now), self.tunnels[old].up_until)

    def tearing_down(self, key: frozenset, now: float) -> bool:
        """The tunnel can no longer come up but is still seen up (DPD detection time)."""
        tun = self.tunnels.get(key)
        return tun is not None and tun.up_until is not None and tun.visible(now, self.plane.scale)

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
        sig = (repr(agw), repr(bgw), repr([(c.vpns, c.ok, c.reason, c.selectors) for c in children]),
               repr([av.vpns[c.vpns[an]] for c in children]), repr([bv.vpns[c.vpns[bn]] for c in children]),
               plane.started.get(an), plane.started.get(bn), initiators)
        eager = [n for n, view, gw in ((an, av, agw), (bn, bv, bgw))
                 if n in initiators and any(v.immediately for v in view.vpns.values() if v.gateway == gw.name)]
        prev = self.tunnels.get(key)
        if prev is not None and prev.sig == sig and prev.ok == ok and prev.reason == reason:
            return
        self.touched.update((an, bn))
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
                     immediate=bool(eager),
                     since=max([now] + [self.holds.get(end, now) for end in ((an, agw.name), (bn, bgw.name))]),
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
                child.tunnel_ids[dev] = self.tunnel_id(dev, child_key(child, dev))
        if prev is not None:
            was_up = prev.up_from(plane.scale) is not None and prev.up_from(plane.scale) <= now
            tun.generation = prev.generation + (1 if was_up else 0)
        self.tunnels[key] = tun
        for dev in (an, bn):
            self.by_device.setdefault(dev, set()).add(key)

    def tunnel_id(self, dev: str, vpn) -> int:
        """The tunnel index of a VPN (or of one selector pair of it: see :func:`child_key`)."""
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
        """The IPsec SA pairs of a gateway pair: each VPN pairs with one on the peer's gateway,
        then one :class:`Child` per selector pair of the initiating side's VPN that the
        other VPN accepts (see :func:`negotiate`); a single failed child when none is."""
        av, bv = self.plane.views[an], self.plane.views[bn]
        a_vpns = [v for v in av.vpns.values() if v.gateway == agw.name]
        b_vpns = [v for v in bv.vpns.values() if v.gateway == bgw.name]
        # who proposes matters only when a VPN narrows what it protects
        narrowed = any(v.selectors or v.proxy_identity for v in a_vpns + b_vpns)
        lead = self.lead(an, agw, bn, bgw) if narrowed else an
        exact = agw.version != "v2-only"

        def agreed(va: VpnView, vb: VpnView) -> list[tuple[tuple, tuple]]:
            """[(a's selector, b's selector)] of the pairs the two VPNs agree on."""
            strict = exact or va.proxy_identity or vb.proxy_identity
            if lead == an:
                return negotiate(va, vb, strict)
            return [(sa, sb) for sb, sa in negotiate(vb, va, strict)]

        children = []
        used: set[str] = set()
        for va in a_vpns:
            vb = next((v for v in b_vpns if v.name not in used and agreed(va, v)), None)
            if vb is None:
                vb = next((v for v in b_vpns if v.name not in used), None)
            if vb is None:
                continue
            used.add(vb.name)
            ok, reason = True, ""
            pairs = agreed(va, vb)
            if not set(va.proposals) & set(vb.proposals):
                ok, reason = False, "no matching IPsec proposal"
            elif va.pfs != vb.pfs and agw.version != "v2-only":
                # IKEv1 quick mode carries the KE payload of PFS, so both ends must agree on
                # it; IKEv2 derives the first child SA's keys in IKE_AUTH without a DH
                # exchange (RFC 7296 1.2), PFS only applies to CREATE_CHILD_SA (rekeys)
                ok, reason = False, f"PFS mismatch ({va.pfs or 'none'} vs {vb.pfs or 'none'})"
            elif not pairs:
                ok, reason = False, "traffic selector mismatch (TS_UNACCEPTABLE)"
            else:
                for side, view, vpn in ((an, av, va), (bn, bv, vb)):
                    if not vpn.bind or vpn.bind not in view.addresses:
                        ok, reason = False, f"{side}: {vpn.name} is not bound to a configured st0 unit"
                    elif vpn.bind not in view.zone_of:
                        ok, reason = False, f"{side}: {vpn.bind} is not in a security zone"
            blackhole = nat and not (agw.nat_traversal and bgw.nat_traversal)
            if not ok:
                children.append(Child(vpns={an: va.name, bn: vb.name}, ok=ok, reason=reason, blackhole=blackhole))
                continue
            for sel_a, sel_b in pairs:
                children.append(Child(vpns={an: va.name, bn: vb.name}, ok=True, reason="", blackhole=blackhole,
                                      selectors={an: sel_a, bn: sel_b}))
        return children

    def lead(self, an, agw: GatewayView, bn, bgw: GatewayView) -> str:
        """The device whose VPNs propose the traffic selectors: the end whose answered
        initiation establishes immediately, else the first end whose initiation is answered."""
        views = self.plane.views
        sides = []
        for (xn, xgw), (yn, ygw) in (((an, agw), (bn, bgw)), ((bn, bgw), (an, agw))):
            att = self.initiate(xn, xgw)
            if att is not None and att.peer == yn and att.answer is not None and att.answer.name == ygw.name:
                sides.append((xn, xgw))
        eager = [n for n, gw in sides if any(v.immediately for v in views[n].vpns.values() if v.gateway == gw.name)]
        return (eager or [n for n, _gw in sides] or [an])[0]

    # -- lookups ----------------------------------------------------------------------------
    def tunnel_of(self, name: str, vpn: VpnView | None):
        if vpn is None:
            return None
        found = [key for key in self.by_device.get(name, set())
                 if self.tunnels[key].side(name)[1] == vpn.gateway
                 and any(c.vpns.get(name) == vpn.name for c in self.tunnels[key].children)]
        if len(found) > 1:  # a gateway leaving a peer for a backup one: the tunnel with the peer in use
            owner = self.plane.net.owner.get(self.using.get((name, vpn.gateway), ""))
            found.sort(key=lambda k: (owner is None or self.tunnels[k].other(name)[0] != owner[0], sorted(k)))
        return found[0] if found else None

    @staticmethod
    def child_for(tun: Tunnel, name: str, vpn: str, source: str | None = None,
                  destination: str | None = None) -> Child | None:
        """The SA pair of ``name``'s ``vpn`` in ``tun`` that carries traffic from ``source`` to
        ``destination`` (the first whose selectors hold both, as Junos picks the first
        matching traffic selector), else a failed one (no selectors agreed: no SA at all);
        without addresses, the VPN's first child."""
        children = [c for c in tun.children if c.vpns.get(name) == vpn]
        if source is None or destination is None:
            return children[0] if children else None
        return next((c for c in children if c.carries(name, source, destination)),
                    next((c for c in children if not c.selectors), None))

    def child_up(self, tun: Tunnel, child: Child, now: float) -> bool:
        scale = self.plane.scale
        start = tun.up_from(scale)
        return (child.ok and tun.visible(now, scale) and start is not None
                and now >= start + IPSEC_DELAY * scale)

    def refusals_of(self, name: str) -> list[Refusal]:
        """Unanswered initiations of ``name``'s gateways that take part in no tunnel."""
        in_tunnel = {end for key in self.by_device.get(name, set()) for end in key}
        return [r for r in self.refusals.values() if r.device == name and (name, r.gateway) not in in_tunnel]

    def peer_choice(self, name: str, gw: GatewayView) -> tuple[bool, str] | None:
        """For a gateway with backup peers: (an address gets an IKE SA, which one it uses and
        why), e.g. "primary 3.3.3.3 unreachable, using backup 3.3.3.4". None otherwise."""
        att = self.initiate(name, gw)
        if att is None or not att.tried:
            return None
        why = dict(att.tried)
        primary = gw.addresses[0]
        label = {a: "primary" if a == primary else "backup" for a in gw.addresses}
        if why[att.target]:
            return False, "no peer address answers: " + "; ".join(
                f"{label[a]} {a} {w}" for a, w in att.tried)
        if att.target == primary:
            return True, f"using primary {primary}"
        if why.get(primary):
            return True, f"primary {primary} {why[primary]}, using backup {att.target}"
        if primary not in why:
            return True, f"primary {primary} is its own address, using backup {att.target}"
        return True, (f"using backup {att.target}: primary {primary} answers again, "
                      "no pre-emption while the backup works")

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
                sel = child.selectors.get(name) or (None, ANY, ANY)
                for direction, spi in zip(("inbound", "outbound"), child.spis[name], strict=True):
                    out.append(IpsecSa(
                        tunnel_id=child.tunnel_ids[name], vpn=vpn.name, gateway=gw.name,
                        remote_gateway=remote, local_gateway=view.ext_address(gw), direction=direction,
                        spi=spi, protocol=(prop[0] or "esp").upper(),
                        encryption=ESP_ENC.get(prop[1], prop[1] or "none"),
                        integrity=ESP_AUTH.get(prop[2], prop[2]),
                        lifetime_seconds=max(0, vpn.lifetime - int(now - up)), port=4500 if nat_t else 500,
                        bind_interface=vpn.bind or "", pfs_group=vpn.pfs, established_epoch=up,
                        vpn_monitoring=monitor_state(plane, name, tun, vpn, gw, remote, now),
                        traffic_selector=sel[0], local_identity=sel[1], remote_identity=sel[2]))
        out.sort(key=lambda sa: (sa.tunnel_id, sa.direction != "inbound"))
        return out


def negotiate(init: VpnView, resp: VpnView, exact: bool) -> list[tuple[tuple, tuple]]:
    """The selector pairs two VPNs agree on, ``init`` proposing: for each of its pairs
    (name, local, remote), the responder accepts it when one of its own pairs is the mirror
    (remote, local) -- or, unless ``exact`` (IKEv1, proxy-identity), holds it (IKEv2
    narrowing: the proposal lies inside the responder's local and remote prefixes).

    Returns [(initiator's (name, local, remote), responder's (name, local, remote))]."""
    out = []
    for name, local, remote in init.proposed():
        for rname, rlocal, rremote in resp.proposed():
            if (rlocal, rremote) == (remote, local) or (
                    not exact and _inside(remote, rlocal) and _inside(local, rremote)):
                out.append(((name, local, remote), (rname, remote, local)))
                break
    return out


def _inside(prefix: str, container: str) -> bool:
    try:
        return A.network(prefix) in A.network(container)
    except ValueError:
        return prefix == container


def child_key(child: Child, dev: str):
    """What a tunnel index is allocated to: the VPN, or the VPN and the selector pair when
    the SA pair is one of several a VPN may have (traffic selectors, proxy-identity)."""
    sel = child.selectors.get(dev)
    if sel is None or sel == (None, ANY, ANY):
        return child.vpns[dev]
    return (child.vpns[dev], *sel)


def ike_algorithms(gw: GatewayView, ogw: GatewayView) -> tuple[tuple[str, str, str], str]:
    """The proposal both ends choose (the first of ``gw``'s the peer also has), as Junos
    prints it: ((encryption, integrity, DH group), PRF)."""
    common = [p for p in gw.proposals if p in ogw.proposals]
    _method, dh, auth, enc = common[0] if common else (None, None, None, None)
    dh_text = f"DH-group-{dh[5:]}" if dh and dh.startswith("group") else str(dh)
    return (IKE_ENC.get(enc, enc or "none"), IKE_AUTH.get(auth, auth or "none"), dh_text), \
        IKE_AUTH.get(auth, "none").replace("-128", "").replace("-192", "").replace("-96", "")

