"""Junos committed configuration -> strongSwan swanctl.conf, BIRD 2 bird.conf and the Linux
addresses of a device's network namespace.

Pure functions: a configuration tree (:class:`srxlab.config.Node`) in, text or plain data
out. Nothing here touches the system; :mod:`.backend` writes the files and reloads the
daemons.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from netutils.password import decrypt_juniper_type9

from .. import addresses as A
from .. import config as C

# Junos defaults when a statement is absent.
DEFAULT_IKE_VERSION = "v1-only"
DEFAULT_IKE_LIFETIME = 28800
DEFAULT_IPSEC_LIFETIME = 3600
DEFAULT_DPD = (10, 5)
DEFAULT_HOLD_TIME = 90
FALLBACK_ROUTER_ID = "192.0.2.1"

# Junos algorithm names -> strongSwan proposal keywords.
ENCRYPTION = {"aes-128-cbc": "aes128", "aes-192-cbc": "aes192", "aes-256-cbc": "aes256",
              "aes-128-gcm": "aes128gcm16", "aes-192-gcm": "aes192gcm16", "aes-256-gcm": "aes256gcm16",
              "3des-cbc": "3des", "des-cbc": "des"}
IKE_INTEGRITY = {"sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512", "sha1": "sha1", "md5": "md5"}
ESP_INTEGRITY = {"hmac-sha-256-128": "sha256", "hmac-sha-384-192": "sha384", "hmac-sha-512-256": "sha512",
                 "hmac-sha1-96": "sha1", "hmac-md5-96": "md5"}
DH_GROUPS = {"group1": "modp768", "group2": "modp1024", "group5": "modp1536", "group14": "modp2048",
             "group15": "modp3072", "group16": "modp4096", "group19": "ecp256", "group20": "ecp384",
             "group21": "ecp521", "group24": "modp2048s256"}
# Junos predefined proposal sets as (dh-group, authentication, encryption) / (encryption, authentication).
IKE_PROPOSAL_SETS = {
    "standard": [("group2", "sha1", "aes-128-cbc"), ("group2", "sha1", "3des-cbc")],
    "compatible": [("group2", "sha1", "3des-cbc"), ("group2", "md5", "3des-cbc")],
    "basic": [("group1", "sha1", "des-cbc")],
}
IPSEC_PROPOSAL_SETS = {
    "standard": [("aes-128-cbc", "hmac-sha1-96"), ("3des-cbc", "hmac-sha1-96")],
    "compatible": [("3des-cbc", "hmac-sha1-96"), ("3des-cbc", "hmac-md5-96")],
    "basic": [("des-cbc", "hmac-sha1-96")],
}


class TranslationError(ValueError):
    """A committed statement the real backend cannot express."""


# ---------------------------------------------------------------------------------------
# interfaces
# ---------------------------------------------------------------------------------------
def linux_ifname(ifl: str) -> str:
    """The Linux interface that carries a Junos logical interface in the device's namespace.

    ``ge-0/0/0.0`` -> ``ge-0-0-0`` (every unit of a port shares the port's interface),
    ``st0.3`` -> ``st0.3`` (one interface per tunnel unit), ``lo0.0`` -> ``lo0``.
    """
    ifd, _, unit = ifl.partition(".")
    if ifd == "st0":
        return f"st0.{unit or 0}"
    name = ifd.replace("/", "-").replace(":", "-")
    if len(name) > 15:
        raise TranslationError(f"interface {ifd} has no Linux name of at most 15 characters")
    return name


def _ifl(text: str) -> str:
    return text if "." in text else f"{text}.0"


def addresses(committed: C.Node) -> dict[str, list[str]]:
    """Junos logical interface -> its IPv4 addresses (``a.b.c.d/len``), disabled ports left out."""
    cfg = C.active_view(committed)
    out: dict[str, list[str]] = {}
    for ifd, node in cfg.entries("interfaces", "interface"):
        if node.get("disable") is not None:
            continue
        for unit, un in node.entries("unit"):
            if un.get("disable") is not None:
                continue
            out[f"{ifd}.{unit}"] = [a for a, _ in un.entries("family", "inet", "address")]
    return out


def linux_addresses(committed: C.Node) -> dict[str, list[str]]:
    """Linux interface -> the addresses to configure on it (sorted, de-duplicated)."""
    out: dict[str, list[str]] = {}
    for ifl, addrs in addresses(committed).items():
        out.setdefault(linux_ifname(ifl), [])
        out[linux_ifname(ifl)] += addrs
    return {k: sorted(set(v), key=A.interface_key) for k, v in sorted(out.items())}


# ---------------------------------------------------------------------------------------
# IKE / IPsec -> swanctl.conf
# ---------------------------------------------------------------------------------------
@dataclass
class Child:
    name: str
    esp_proposals: list[str]
    local_ts: list[str]
    remote_ts: list[str]
    start_action: str
    rekey_time: int
    bind: str | None
    pfs: str | None


@dataclass
class Connection:
    name: str
    version: int
    aggressive: bool
    local_addrs: str
    remote_addrs: list[str]
    local_id: str
    remote_id: str
    proposals: list[str]
    rekey_time: int
    psk: str | None
    dpd: tuple[int, int] | None
    encap: bool
    children: list[Child] = field(default_factory=list)


def decode_psk(value: str | None) -> str | None:
    """The clear text of a committed pre-shared key (``$9$`` or, as loaded in tests, clear)."""
    if value is None:
        return None
    return decrypt_juniper_type9(value) if value.startswith("$9$") else value


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def ike_proposal(dh: str | None, auth: str | None, enc: str | None) -> str:
    """One strongSwan IKE proposal from a Junos proposal's dh-group, authentication and
    encryption algorithms (AEAD ciphers take a PRF instead of an integrity algorithm)."""
    if enc not in ENCRYPTION or dh not in DH_GROUPS:
        raise TranslationError(f"IKE proposal ({enc}, {auth}, {dh}) has no strongSwan equivalent")
    cipher = ENCRYPTION[enc]
    integ = IKE_INTEGRITY.get(auth or "sha-256")
    if integ is None:
        raise TranslationError(f"IKE authentication-algorithm {auth} has no strongSwan equivalent")
    middle = f"prf{integ}" if "gcm" in cipher else integ
    return f"{cipher}-{middle}-{DH_GROUPS[dh]}"


def esp_proposal(enc: str | None, auth: str | None, pfs: str | None) -> str:
    if enc not in ENCRYPTION:
        raise TranslationError(f"IPsec encryption-algorithm {enc} has no strongSwan equivalent")
    parts = [ENCRYPTION[enc]]
    if "gcm" not in parts[0]:
        if auth not in ESP_INTEGRITY:
            raise TranslationError(f"IPsec authentication-algorithm {auth} has no strongSwan equivalent")
        parts.append(ESP_INTEGRITY[auth])
    if pfs:
        if pfs not in DH_GROUPS:
            raise TranslationError(f"perfect-forward-secrecy keys {pfs} has no strongSwan equivalent")
        parts.append(DH_GROUPS[pfs])
    return "-".join(parts)


def _identity(node) -> str | None:
    if not isinstance(node, C.Node):
        return None
    if node.get("inet"):
        return node.get("inet")
    for kind in ("hostname", "user-at-hostname"):
        if node.get(kind):
            return "@" + node.get(kind) if kind == "hostname" else node.get(kind)
    return None


def _st0_subnet(addrs: dict[str, list[str]], bind: str | None) -> list[str]:
    if not bind:
        return []
    return sorted({A.network_text(a) for a in addrs.get(bind, [])})


def own_prefixes(committed: C.Node, external: set[str]) -> list[str]:
    """The device's networks that may sit behind its tunnels: connected subnets of every
    interface but the st0 units and the IKE external interfaces, and static routes."""
    nets = {A.network_text(a) for ifl, addrs in addresses(committed).items()
            if not ifl.startswith("st0.") and ifl not in external for a in addrs}
    nets |= {A.network_text(r) for r in static_routes(committed) if A.valid_ipv4(r)}
    return sorted(nets, key=A.sort_key)


def traffic_selectors(version: int, subnet: list[str], own: list[str]) -> tuple[list[str], list[str]]:
    """(local_ts, remote_ts) of a route-based VPN without proxy-identity.

    IKEv2: the st0 subnet and the device's own networks, against anything (``0.0.0.0/0``,
    which the peer narrows to its own list): the peer's loopbacks and LANs learned over BGP
    are then reachable through the tunnel. IKEv1 carries one selector pair: the st0 subnet."""
    if not subnet:
        return ["dynamic"], ["dynamic"]
    if version == 2:
        return sorted(set(subnet) | set(own), key=A.sort_key), ["0.0.0.0/0"]
    return subnet, subnet


def configured_selectors(vpn: C.Node) -> tuple[list[str], list[str]] | None:
    """(local_ts, remote_ts) of a VPN's `traffic-selector`s, None without any.

    One strongSwan child per VPN, with the selectors' local and remote prefixes as lists
    (each prefix once, in configuration order), not one child per traffic selector: a list
    pair covers every local/remote combination, which is what the product renders (one
    selector per (local, remote) pair of both ends' prefixes), and the child keeps the
    VPN's name, which the state reader, the tunnel index and the st0 binding are keyed by.
    Junos negotiates one SA pair per selector instead: the daemons show one pair for the
    VPN where Junos (and the model) show one per selector. IKEv1 carries a single selector
    pair per quick mode, so there only the first local and remote prefixes are used."""
    local: list[str] = []
    remote: list[str] = []
    for _ts, tn in vpn.entries("traffic-selector"):
        lip, rip = tn.get("local-ip"), tn.get("remote-ip")
        if not (A.valid_ipv4(lip or "") and A.valid_ipv4(rip or "")):
            continue
        for prefix, into in ((A.network_text(lip), local), (A.network_text(rip), remote)):
            if prefix not in into:
                into.append(prefix)
    return (local, remote) if local else None


def connections(committed: C.Node) -> list[Connection]:
    """The IKE gateways of a committed configuration, with their IPsec VPNs as children."""
    cfg = C.active_view(committed)
    addrs = addresses(committed)
    ike_props = dict(cfg.entries("security", "ike", "proposal"))
    ike_pols = dict(cfg.entries("security", "ike", "policy"))
    ipsec_props = dict(cfg.entries("security", "ipsec", "proposal"))
    ipsec_pols = dict(cfg.entries("security", "ipsec", "policy"))
    out: dict[str, Connection] = {}
    for gname, g in cfg.entries("security", "ike", "gateway"):
        pol = ike_pols.get(g.get("ike-policy") or "")
        if pol is None or not g.get("address"):
            continue
        proposals, lifetime = [], DEFAULT_IKE_LIFETIME
        for pname in pol.get("proposals") or []:
            p = ike_props.get(pname)
            if p is None:
                continue
            proposals.append(ike_proposal(p.get("dh-group"), p.get("authentication-algorithm"),
                                          p.get("encryption-algorithm")))
            lifetime = _int(p.get("lifetime-seconds"), lifetime)
        proposals += [ike_proposal(*p) for p in IKE_PROPOSAL_SETS.get(pol.get("proposal-set") or "", [])]
        ext = _ifl(g.get("external-interface") or "")
        local = g.get("local-address") or next(
            (A.host(a) for a in addrs.get(ext, [])), None)
        if local is None or not proposals:
            continue
        psk = decode_psk(pol.get("pre-shared-key", "ascii-text"))
        if psk is None and pol.get("pre-shared-key", "hexadecimal"):
            psk = "0x" + decode_psk(pol.get("pre-shared-key", "hexadecimal"))
        dpd = None
        if isinstance(g.get("dead-peer-detection"), C.Node) or g.get("dead-peer-detection") is True:
            dpd = (_int(g.get("dead-peer-detection", "interval"), DEFAULT_DPD[0]),
                   _int(g.get("dead-peer-detection", "threshold"), DEFAULT_DPD[1]))
        remote = list(g.get("address"))
        version = g.get("version") or DEFAULT_IKE_VERSION
        out[gname] = Connection(
            name=gname, version=2 if version == "v2-only" else 1,
            aggressive=(pol.get("mode") or "main") == "aggressive",
            local_addrs=local, remote_addrs=remote,
            local_id=_identity(g.get("local-identity")) or local,
            remote_id=_identity(g.get("remote-identity")) or remote[0],
            proposals=proposals, rekey_time=lifetime, psk=psk, dpd=dpd,
            encap=g.get("no-nat-traversal") is None)
    external = {_ifl(g.get("external-interface") or "") for _, g in cfg.entries("security", "ike", "gateway")}
    for vname, vn in cfg.entries("security", "ipsec", "vpn"):
        conn = out.get(vn.get("ike", "gateway") or "")
        pol = ipsec_pols.get(vn.get("ike", "ipsec-policy") or "")
        if conn is None or pol is None:
            continue
        pfs = pol.get("perfect-forward-secrecy", "keys")
        pairs, lifetime = [], DEFAULT_IPSEC_LIFETIME
        for pname in pol.get("proposals") or []:
            p = ipsec_props.get(pname)
            if p is None:
                continue
            pairs.append((p.get("encryption-algorithm"), p.get("authentication-algorithm")))
            lifetime = min(lifetime, _int(p.get("lifetime-seconds"), DEFAULT_IPSEC_LIFETIME))
        pairs += IPSEC_PROPOSAL_SETS.get(pol.get("proposal-set") or "", [])
        if not pairs:
            continue
        bind = _ifl(vn.get("bind-interface")) if vn.get("bind-interface") else None
        proxy_local = vn.get("ike", "proxy-identity", "local")
        proxy_remote = vn.get("ike", "proxy-identity", "remote")
        local_ts, remote_ts = traffic_selectors(
            conn.version, _st0_subnet(addrs, bind), own_prefixes(committed, external))
        if proxy_local or proxy_remote:
            local_ts, remote_ts = [proxy_local or "0.0.0.0/0"], [proxy_remote or "0.0.0.0/0"]
        configured = configured_selectors(vn)
        if configured:
            local_ts, remote_ts = configured
            if conn.version == 1:
                local_ts, remote_ts = local_ts[:1], remote_ts[:1]
        conn.children.append(Child(
            name=vname, esp_proposals=[esp_proposal(e, a, pfs) for e, a in pairs],
            local_ts=local_ts, remote_ts=remote_ts,
            # on-traffic VPNs: libipsec raises no acquire for trap policies, so the backend
            # initiates them when traffic would (a ping into the st0 unit, a BGP session over it)
            start_action="start" if vn.get("establish-tunnels") == "immediately" else "none",
            rekey_time=lifetime, bind=bind, pfs=pfs))
    return [out[k] for k in sorted(out)]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def swanctl_conf(committed: C.Node) -> str:
    """swanctl.conf for the device: one connection per IKE gateway (named as the gateway),
    one child per IPsec VPN (named as the VPN), one IKE secret per gateway."""
    lines = ["# generated by srxlab from the committed Junos configuration", "connections {"]
    secrets = []
    for conn in connections(committed):
        lines += [f"  {conn.name} {{",
                  f"    version = {conn.version}",
                  f"    local_addrs = {conn.local_addrs}",
                  f"    remote_addrs = {','.join(conn.remote_addrs)}",
                  f"    proposals = {','.join(conn.proposals)}",
                  f"    rekey_time = {conn.rekey_time}s",
                  "    reauth_time = 0",
                  "    keyingtries = 0",
                  "    encap = yes"]
        if conn.aggressive:
            lines.append("    aggressive = yes")
        if conn.dpd:
            lines.append(f"    dpd_delay = {conn.dpd[0]}s")
            if conn.version == 1:
                lines.append(f"    dpd_timeout = {conn.dpd[0] * conn.dpd[1]}s")
        lines += ["    local {", "      auth = psk", f"      id = {conn.local_id}", "    }",
                  "    remote {", "      auth = psk", f"      id = {conn.remote_id}", "    }",
                  "    children {"]
        for child in conn.children:
            immediate = child.start_action == "start"
            lines += [f"      {child.name} {{",
                      f"        local_ts = {','.join(child.local_ts)}",
                      f"        remote_ts = {','.join(child.remote_ts)}",
                      f"        esp_proposals = {','.join(child.esp_proposals)}",
                      f"        rekey_time = {child.rekey_time}s",
                      f"        start_action = {child.start_action}",
                      "        close_action = none"]   # the backend's tick restarts it
            if conn.dpd:
                lines.append(f"        dpd_action = {'restart' if immediate else 'clear'}")
            lines.append("      }")
        lines += ["    }", "  }"]
        if conn.psk is not None:
            secrets += [f"  ike-{conn.name} {{",
                        f"    id-1 = {conn.remote_id}"]
            secrets += [f"    id-{i + 2} = {a}" for i, a in enumerate(conn.remote_addrs) if a != conn.remote_id]
            secret = conn.psk if conn.psk.startswith("0x") else _quote(conn.psk)
            secrets += [f"    secret = {secret}", "  }"]
    lines += ["}", "secrets {", *secrets, "}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# routing -> bird.conf
# ---------------------------------------------------------------------------------------
@dataclass
class Neighbor:
    address: str
    group: str
    protocol: str            # BIRD protocol name
    peer_as: int | None
    local_as: int | None
    local_address: str | None
    internal: bool
    export: list[str]


def bird_protocol_name(address: str) -> str:
    return "bgp_" + address.replace(".", "_")


def router_id(committed: C.Node) -> str:
    cfg = C.active_view(committed)
    if cfg.get("routing-options", "router-id"):
        return cfg.get("routing-options", "router-id")
    addrs = addresses(committed)
    for ifl in ["lo0.0", *sorted(addrs)]:
        for a in addrs.get(ifl, []):
            return A.host(a)
    return FALLBACK_ROUTER_ID


def neighbors(committed: C.Node) -> list[Neighbor]:
    cfg = C.active_view(committed)
    addrs = addresses(committed)
    system_as = _int(cfg.get("routing-options", "autonomous-system"), 0) or None
    out = []
    for gname, gn in cfg.entries("protocols", "bgp", "group"):
        for addr, nn in gn.entries("neighbor"):
            local = nn.get("local-address") or gn.get("local-address")
            if local is None:
                local = next((A.host(a) for a_list in addrs.values() for a in a_list if A.contains(a, addr)), None)
            out.append(Neighbor(
                address=addr, group=gname, protocol=bird_protocol_name(addr),
                peer_as=_int(nn.get("peer-as") or gn.get("peer-as"), 0) or None,
                local_as=_int(nn.get("local-as") or gn.get("local-as"), 0) or system_as,
                local_address=local, internal=(gn.get("type") or "internal") == "internal",
                export=list(nn.get("export") or gn.get("export") or [])))
    return sorted(out, key=lambda n: A.address(n.address))


def _term_condition(frm, prefix_lists: dict[str, list[str]]) -> str:
    """A BIRD boolean expression for a Junos policy term's `from`."""
    if not isinstance(frm, C.Node):
        return "true"
    conds = []
    protocols = frm.get("protocol")
    if protocols:
        sources = {"direct": "RTS_DEVICE", "static": "RTS_STATIC", "bgp": "RTS_BGP"}
        conds.append("(" + " || ".join(f"source = {sources[p]}" for p in protocols if p in sources) + ")"
                     if any(p in sources for p in protocols) else "false")
    if frm.get("interface"):
        names = sorted({linux_ifname(_ifl(i)) for i in frm.get("interface")})
        conds.append("(" + " || ".join(f'ifname = "{n}"' for n in names) + ")")
    lists = [k for k, _ in frm.entries("prefix-list")]
    if lists:
        items = sorted({p for pl in lists for p in prefix_lists.get(pl, [])})
        conds.append(f"net ~ [ {', '.join(items)} ]" if items else "false")
    filters = []
    for flt, fn in frm.entries("route-filter"):
        if not A.valid_ipv4(flt):
            continue   # an IPv6 filter matches nothing in the ipv4 channel
        net = A.network(flt)
        if fn.get("orlonger") is not None:
            filters.append(f"{net}+")
        elif fn.get("longer") is not None:
            filters.append(f"{net}{{{net.prefixlen + 1},32}}" if net.prefixlen < 32 else None)
        else:
            filters.append(str(net))
    filters = [f for f in filters if f]
    if list(frm.entries("route-filter")):
        conds.append(f"net ~ [ {', '.join(filters)} ]" if filters else "false")
    return " && ".join(conds) or "true"


def export_filter(name: str, chain: list[str], committed: C.Node) -> list[str]:
    """A BIRD filter for a Junos export policy chain: the first policy with a verdict wins;
    without one, BGP routes are exported and direct/static routes are not (the BGP default)."""
    cfg = C.active_view(committed)
    policies = dict(cfg.entries("policy-options", "policy-statement"))
    prefix_lists = {n: [k for k, _ in pl.entries("prefix-list-item")]
                    for n, pl in cfg.entries("policy-options", "prefix-list")}
    lines = [f"filter {name} {{"]
    for pname in chain:
        pol = policies.get(pname)
        if pol is None:
            continue
        terms = [n for _, n in pol.entries("term")] or [pol]
        for term in terms:
            if term.get("then", "accept") is not None:
                action = "accept"
            elif term.get("then", "reject") is not None:
                action = "reject"
            else:
                continue
            lines.append(f"  if {_term_condition(term.get('from'), prefix_lists)} then {action};")
    lines += ["  if source = RTS_BGP then accept;", "  reject;", "}"]
    return lines


def static_routes(committed: C.Node) -> list[str]:
    cfg = C.active_view(committed)
    return [k for k, _ in cfg.entries("routing-options", "static", "route")]


def bird_conf(committed: C.Node) -> str:
    """bird.conf for the device: router id, direct routes of its interfaces, static routes
    (blackhole: the lab carries no transit traffic), one BGP protocol per neighbour."""
    interfaces = sorted(linux_addresses(committed))
    lines = ["# generated by srxlab from the committed Junos configuration",
             f"router id {router_id(committed)};",
             "timeformat protocol iso long;",
             "protocol device { scan time 2; }"]
    if interfaces:
        patterns = ", ".join(f'"{n}"' for n in interfaces)
        lines.append(f"protocol direct {{ ipv4; interface {patterns}; }}")
    statics = static_routes(committed)
    if statics:
        lines.append("protocol static {")
        lines.append("  ipv4;")
        lines += [f"  route {r} blackhole;" for r in statics]
        lines.append("}")
    filters: dict[tuple, str] = {}
    for nb in neighbors(committed):
        if nb.peer_as is None or nb.local_as is None or nb.local_address is None:
            continue
        key = tuple(nb.export)
        if key not in filters:
            filters[key] = f"export_{len(filters)}"
            lines += export_filter(filters[key], nb.export, committed)
        lines += [f"protocol bgp {nb.protocol} {{",
                  f"  description \"group {nb.group}\";",
                  f"  local {nb.local_address} as {nb.local_as};",
                  f"  neighbor {nb.address} as {nb.peer_as};",
                  "  multihop;",
                  f"  hold time {DEFAULT_HOLD_TIME};",
                  "  connect delay time 1;",
                  "  connect retry time 3;",
                  "  error wait time 1, 10;",
                  f"  ipv4 {{ import all; export filter {filters[key]}; }};",
                  "}"]
    return "\n".join(lines) + "\n"
