"""The protocol plane: IKE, IPsec, BGP and ping state computed from both ends' committed
configs and the lab wiring.

Layout: :mod:`.views` (what a device's committed config means for the protocols),
:mod:`.policy` (BGP export policies), :mod:`.reach` (address indexes, wiring, NAT, ping),
:mod:`.ike` (responder matching, phase 1 and 2, IKE/IPsec SAs), :mod:`.bgp` (sessions),
:mod:`.relations` (tunnels, sessions, protocol delays) and :mod:`.plane` (the
:class:`Protocols` orchestrator a lab creates).
"""
from __future__ import annotations

from .ike import ESP_AUTH, ESP_ENC, IKE_AUTH, IKE_ENC, ike_algorithms
from .plane import Protocols
from .relations import BGP_DELAY, IKE_DELAY, IPSEC_DELAY, BgpRel, Child, Refusal, Tunnel
from .views import (
    DEFAULT_DPD,
    DEFAULT_IKE_MODE,
    DEFAULT_IKE_VERSION,
    IKE_PROPOSAL_SETS,
    IPSEC_PROPOSAL_SETS,
    DeviceView,
    GatewayView,
    NeighborView,
    VpnView,
    build_view,
)

__all__ = [
    "BGP_DELAY", "DEFAULT_DPD", "DEFAULT_IKE_MODE", "DEFAULT_IKE_VERSION", "ESP_AUTH", "ESP_ENC", "IKE_AUTH",
    "IKE_DELAY", "IKE_ENC", "IKE_PROPOSAL_SETS", "IPSEC_DELAY", "IPSEC_PROPOSAL_SETS", "BgpRel", "Child",
    "DeviceView", "GatewayView", "NeighborView", "Protocols", "Refusal", "Tunnel", "VpnView", "build_view",
    "ike_algorithms",
]
