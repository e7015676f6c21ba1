"""The relations the protocol plane keeps between devices, and the protocol delays.

A :class:`Tunnel` is an IKE gateway pair (phase 1) with its IPsec children (phase 2); a
:class:`BgpRel` is one configured BGP neighbour. Each remembers whether it can come up,
why not, and from which moment it is up; reading state is then a function of the clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import addresses as A

# Protocol delays in lab seconds (multiplied by the lab's time_scale).
IKE_DELAY = 1.0
IPSEC_DELAY = 0.3
BGP_DELAY = 3.0


@dataclass
class Child:
    """An IPsec SA pair (phase 2) between a VPN on each side of a tunnel."""
    vpns: dict[str, str]                 # device -> its VPN name
    ok: bool
    reason: str
    blackhole: bool = False              # SAs up but ESP dropped (NAT without NAT-T)
    spis: dict[str, tuple[str, str]] = field(default_factory=dict)  # device -> (inbound, outbound)
    tunnel_ids: dict[str, int] = field(default_factory=dict)
    # device -> (its traffic-selector name or None, local prefix, remote prefix) agreed for this
    # SA pair; empty when phase 2 failed before the selectors were agreed
    selectors: dict[str, tuple[str | None, str, str]] = field(default_factory=dict)

    def carries(self, device: str, source: str, destination: str) -> bool:
        """Traffic from ``source`` to ``destination`` sent by ``device`` fits this SA pair."""
        sel = self.selectors.get(device)
        if sel is None:
            return False
        try:
            return A.contains(sel[1], source) and A.contains(sel[2], destination)
        except ValueError:   # not an IPv4 address (a ping source as typed)
            return False


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
    initiators: tuple[str, ...] = ()  # devices whose gateway the other end answers
    initiator: str | None = None     # the device that started the current negotiation

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

    def trigger(self, device: str, now: float) -> bool:
        """First traffic from ``device`` into the tunnel: start an on-traffic negotiation when
        that device can initiate. True when this call started it."""
        if self.immediate or self.triggered_at is not None or device not in self.initiators:
            return False
        self.triggered_at, self.initiator = now, device
        return True


@dataclass
class Refusal:
    """A gateway whose IKE initiation gets no IKE SA: nobody answers at its address, or the
    device there has no gateway that matches it."""
    device: str
    gateway: str
    target: str                      # the peer address it initiates to
    peer: str | None                 # device owning that address
    reason: str


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
