"""Commit-time checks Junos makes on the stanzas this product writes.

Each finding carries the edit path, the offending statement and the message, which the
device turns into an ``<rpc-error>`` the way Junos reports a failed commit check.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import config as C
from . import messages as M


@dataclass
class Finding:
    path: list[str]
    statement: str
    message: str

    @property
    def edit_path(self) -> str:
        return "[edit" + "".join(" " + w for w in self.path) + "]"


def split_ifl(name: str) -> tuple[str, str]:
    """`ge-0/0/0.0` -> ('ge-0/0/0', '0'); a name without unit means unit 0."""
    ifd, _, unit = name.partition(".")
    return ifd, unit or "0"


def interface_unit_exists(tree: C.Node, name: str) -> bool:
    ifd, unit = split_ifl(name)
    return isinstance(tree.get("interfaces", "interface", ifd, "unit", unit), C.Node)


def commit_check(tree: C.Node) -> list[Finding]:
    cfg = C.active_view(tree)
    found: list[Finding] = []
    for rule in (_ike, _ipsec, _zones, _bgp, _policy_refs):
        found.extend(rule(cfg))
    return found


def _names(cfg: C.Node, *path: str) -> set[str]:
    return {key for key, _ in cfg.entries(*path)}


def _ike(cfg: C.Node) -> list[Finding]:
    out = []
    proposals = _names(cfg, "security", "ike", "proposal")
    policies = _names(cfg, "security", "ike", "policy")
    for name, pol in cfg.entries("security", "ike", "policy"):
        path = ["security", "ike", "policy", name]
        for prop in pol.get("proposals") or []:
            if prop not in proposals:
                out.append(Finding(path, f"proposals {prop}", M.IKE_PROPOSAL_UNDEFINED.format(name=prop)))
        if pol.get("pre-shared-key") is None:
            out.append(Finding(path, "pre-shared-key", M.IKE_POLICY_NO_PSK.format(name=name)))
    for name, gw in cfg.entries("security", "ike", "gateway"):
        path = ["security", "ike", "gateway", name]
        policy = gw.get("ike-policy")
        if policy is None:  # a missing mandatory statement is reported one level up, as mgd does
            out.append(Finding(["security", "ike"], f"gateway {name}",
                               M.MGD_PREFIX + M.MISSING_MANDATORY_FMT.format(statement="ike-policy")))
        elif policy not in policies:
            out.append(Finding(path, f"ike-policy {policy}", M.IKE_POLICY_UNDEFINED.format(name=policy)))
        if gw.get("address") is None and gw.get("dynamic") is None:
            out.append(Finding(path, "address", M.IKE_GATEWAY_NO_ADDRESS.format(name=name)))
        ext = gw.get("external-interface")
        if ext is None:
            out.append(Finding(path, "external-interface", M.IKE_GATEWAY_NO_EXTERNAL.format(name=name)))
        elif not interface_unit_exists(cfg, ext):
            out.append(Finding(path, f"external-interface {ext}", M.EXTERNAL_INTERFACE_UNDEFINED.format(ifl=ext)))
    return out


def _ipsec(cfg: C.Node) -> list[Finding]:
    out = []
    proposals = _names(cfg, "security", "ipsec", "proposal")
    policies = _names(cfg, "security", "ipsec", "policy")
    gateways = _names(cfg, "security", "ike", "gateway")
    for name, pol in cfg.entries("security", "ipsec", "policy"):
        for prop in pol.get("proposals") or []:
            if prop not in proposals:
                out.append(Finding(["security", "ipsec", "policy", name], f"proposals {prop}",
                                   M.IPSEC_PROPOSAL_UNDEFINED.format(name=prop)))
    for name, vpn in cfg.entries("security", "ipsec", "vpn"):
        path = ["security", "ipsec", "vpn", name]
        gateway = vpn.get("ike", "gateway")
        if gateway is None:
            out.append(Finding(path + ["ike"], "gateway", M.IPSEC_VPN_NO_GATEWAY.format(name=name)))
        elif gateway not in gateways:
            out.append(Finding(path + ["ike"], f"gateway {gateway}", M.IKE_GATEWAY_UNDEFINED.format(name=gateway)))
        policy = vpn.get("ike", "ipsec-policy")
        if policy is not None and policy not in policies:
            out.append(Finding(path + ["ike"], f"ipsec-policy {policy}", M.IPSEC_POLICY_UNDEFINED.format(name=policy)))
        selectors = [ts for ts, _ in vpn.entries("traffic-selector")]
        if selectors and isinstance(vpn.get("ike", "proxy-identity"), C.Node):
            out.append(Finding(path, f"traffic-selector {selectors[0]}",
                               M.TRAFFIC_SELECTOR_WITH_PROXY_ID.format(name=name)))
        bind = vpn.get("bind-interface")
        if bind is not None and not interface_unit_exists(cfg, bind):
            out.append(Finding(path, f"bind-interface {bind}", M.BIND_INTERFACE_UNDEFINED.format(ifl=bind)))
    return out


def _zones(cfg: C.Node) -> list[Finding]:
    out = []
    seen: dict[str, str] = {}
    for zone, node in cfg.entries("security", "zones", "security-zone"):
        for ifl, _ in node.entries("interfaces"):
            path = ["security", "zones", "security-zone", zone]
            if not interface_unit_exists(cfg, ifl):
                out.append(Finding(path, f"interfaces {ifl}", M.ZONE_INTERFACE_UNDEFINED.format(ifl=ifl, zone=zone)))
            if ifl in seen and seen[ifl] != zone:
                out.append(Finding(path, f"interfaces {ifl}", M.ZONE_INTERFACE_TWICE.format(ifl=ifl)))
            seen[ifl] = zone
    return out


def _bgp(cfg: C.Node) -> list[Finding]:
    out = []
    for group, node in cfg.entries("protocols", "bgp", "group"):
        external = node.get("type") == "external"
        for peer, nbr in node.entries("neighbor"):
            if external and nbr.get("peer-as") is None and node.get("peer-as") is None:
                out.append(Finding(["protocols"], "bgp", M.BGP_NEIGHBOR_ERROR_FMT.format(
                    neighbor=peer, group=group, reason=M.BGP_PEER_AS_REQUIRED)))
        if node.get("type") is None and any(True for _ in node.entries("neighbor")):
            out.append(Finding(["protocols", "bgp", "group", group], "type", M.BGP_NO_TYPE.format(group=group)))
    if cfg.get("protocols", "bgp", "group") and cfg.get("routing-options", "autonomous-system") is None:
        out.append(Finding(["routing-options"], "autonomous-system", M.BGP_NO_LOCAL_AS))
    return out


def _policy_refs(cfg: C.Node) -> list[Finding]:
    out = []
    defined = _names(cfg, "policy-options", "policy-statement")
    for group, node in cfg.entries("protocols", "bgp", "group"):
        refs = [(["protocols", "bgp", "group", group], node)]
        refs += [(["protocols", "bgp", "group", group, "neighbor", p], n) for p, n in node.entries("neighbor")]
        for path, holder in refs:
            for kind in ("import", "export"):
                for pol in holder.get(kind) or []:
                    if pol not in defined:
                        out.append(Finding(path, f"{kind} {pol}", M.POLICY_UNDEFINED.format(name=pol)))
    return out
