"""Operational state records of one emulated device, as the protocol model computes them.

`oprender` turns these into Junos XML, JSON and CLI text; `protocols` fills them in.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IkeSa:
    index: int                      # ike-sa-index, unique per device
    gateway: str                    # IKE gateway name on this device
    remote_address: str             # peer's address as seen (after NAT)
    local_address: str
    state: str                      # "UP" | "DOWN"
    initiator_cookie: str           # 16 hex digits
    responder_cookie: str
    exchange_type: str              # "Main" | "Aggressive" | "IKEv2"
    role: str                       # "Initiator" | "Responder"
    port: int = 500                 # 4500 when NAT-T is in use
    remote_port: int = 500
    version: int = 2                # 1 | 2
    authentication_method: str = "Pre-shared-keys"
    encryption: str = "aes256-cbc"  # as Junos prints in detail: e.g. aes256-cbc
    integrity: str = "hmac-sha256-128"
    prf: str = "hmac-sha256"
    dh_group: str = "DH-group-14"
    lifetime_seconds: int = 28800   # remaining
    established_epoch: float = 0.0
    nat_detected: bool = False


@dataclass
class IpsecSa:
    tunnel_id: int                  # sa-tunnel-index, 131073 and up
    vpn: str                        # IPsec VPN name
    gateway: str                    # IKE gateway name
    remote_gateway: str             # peer address
    local_gateway: str
    direction: str                  # "inbound" | "outbound"
    spi: str                        # 8 lower-case hex digits
    protocol: str = "ESP"
    encryption: str = "aes-cbc-256"  # Junos brief form: aes-cbc-256, aes-gcm-256, 3des-cbc
    integrity: str = "sha256"       # Junos brief form: sha256, sha1, md5, none
    lifetime_seconds: int = 3600    # remaining
    lifetime_kb: int | None = None  # None = unlimited
    port: int = 500                 # 4500 with NAT-T
    vpn_monitoring: str = "-"       # "-" | "U" | "D"
    vsys: str = "root"
    bind_interface: str = "st0.0"
    pfs_group: str | None = None    # e.g. "group14"
    established_epoch: float = 0.0
    traffic_selector: str | None = None   # the VPN's traffic-selector name this SA pair is for
    local_identity: str = "0.0.0.0/0"     # the agreed local selector (proxy ID) prefix
    remote_identity: str = "0.0.0.0/0"


@dataclass
class BgpPeer:
    peer_address: str
    local_address: str
    peer_as: int
    local_as: int
    group: str
    state: str                      # Established | Active | Connect | Idle | OpenSent | OpenConfirm
    peer_type: str = "External"     # External | Internal
    peer_port: int | None = None    # set once a TCP session exists
    local_port: int | None = None
    last_state: str = "Idle"
    last_event: str = "Start"
    last_error: str = "None"
    flaps: int = 0
    input_messages: int = 0
    output_messages: int = 0
    elapsed_seconds: int = 0        # time in the current state
    peer_id: str | None = None      # router-id of the peer once established
    local_id: str = "0.0.0.0"
    local_interface: str | None = None  # e.g. st0.0
    holdtime: int = 90
    rib: str = "inet.0"
    active_prefixes: int = 0
    received_prefixes: int = 0
    accepted_prefixes: int = 0
    advertised_prefixes: int = 0
    received_routes: list[str] = field(default_factory=list)    # prefixes learned
    advertised_routes: list[str] = field(default_factory=list)  # prefixes sent


@dataclass
class PingResult:
    target: str
    source: str | None
    count: int
    size: int = 56
    rtts_ms: list[float] = field(default_factory=list)  # one per answered probe
    ttl: int = 64

    @property
    def received(self) -> int:
        return len(self.rtts_ms)


@dataclass
class LogicalInterface:
    name: str                       # e.g. st0.0
    admin: str = "up"
    link: str = "up"                # "up" | "down"
    family: str | None = "inet"
    addresses: list[str] = field(default_factory=list)  # e.g. ["10.0.1.1/24"]


@dataclass
class PhysicalInterface:
    name: str                       # e.g. st0
    admin: str = "up"
    link: str = "up"
    units: list[LogicalInterface] = field(default_factory=list)
