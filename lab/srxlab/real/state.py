"""The real daemons' state -> the lab's operational records (:mod:`srxlab.opstate`).

Pure functions: a vici ``list-sas`` entry (strongSwan) or ``birdc show protocols all`` text
(BIRD 2) in, ``IkeSa`` / ``IpsecSa`` / ``BgpPeer`` out, in the names Junos prints.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ..opstate import BgpPeer, IkeSa, IpsecSa

IKE_SA_INDEX_BASE = 3544400          # Junos-like ike-sa-index numbers
TUNNEL_INDEX_BASE = 131073           # sa-tunnel-index of the first VPN

DH_GROUP_NUMBERS = {"MODP_768": 1, "MODP_1024": 2, "MODP_1536": 5, "MODP_2048": 14, "MODP_3072": 15,
                    "MODP_4096": 16, "ECP_256": 19, "ECP_384": 20, "ECP_521": 21, "MODP_2048_256": 24}
CIPHERS = {"AES_CBC": "aes{bits}-cbc", "AES_GCM_16": "aes{bits}-gcm", "3DES_CBC": "3des-cbc", "DES_CBC": "des-cbc"}
ESP_CIPHERS = {"AES_CBC": "aes-cbc-{bits}", "AES_GCM_16": "aes-gcm-{bits}", "3DES_CBC": "3des-cbc",
               "DES_CBC": "des-cbc"}
IKE_INTEG = {"HMAC_SHA2_256_128": "hmac-sha256-128", "HMAC_SHA2_384_192": "hmac-sha384-192",
             "HMAC_SHA2_512_256": "hmac-sha512-256", "HMAC_SHA1_96": "hmac-sha1-96", "HMAC_MD5_96": "hmac-md5-96"}
ESP_INTEG = {"HMAC_SHA2_256_128": "sha256", "HMAC_SHA2_384_192": "sha384", "HMAC_SHA2_512_256": "sha512",
             "HMAC_SHA1_96": "sha1", "HMAC_MD5_96": "md5"}
PRFS = {"PRF_HMAC_SHA2_256": "hmac-sha256", "PRF_HMAC_SHA2_384": "hmac-sha384",
        "PRF_HMAC_SHA2_512": "hmac-sha512", "PRF_HMAC_SHA1": "hmac-sha1", "PRF_HMAC_MD5": "hmac-md5"}


def text(value) -> str:
    """vici values are bytes (or lists of bytes)."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return "" if value is None else str(value)


def as_int(value, default: int = 0) -> int:
    try:
        return int(text(value))
    except ValueError:
        return default


def _cipher(table: dict, sa: dict) -> str:
    name = text(sa.get("encr-alg"))
    fmt = table.get(name)
    return fmt.format(bits=as_int(sa.get("encr-keysize"))) if fmt else name.lower() or "none"


def dh_group(name: str) -> str | None:
    number = DH_GROUP_NUMBERS.get(name)
    return f"group{number}" if number else None


def ike_sa(name: str, sa: dict, now: float, exchange: str) -> IkeSa | None:
    """An established IKE SA of vici ``list-sas`` (``name`` is the connection = gateway)."""
    if text(sa.get("state")) != "ESTABLISHED":
        return None
    version = as_int(sa.get("version"), 2)
    group = dh_group(text(sa.get("dh-group")))
    return IkeSa(
        index=IKE_SA_INDEX_BASE + as_int(sa.get("uniqueid")), gateway=name,
        remote_address=text(sa.get("remote-host")), local_address=text(sa.get("local-host")), state="UP",
        initiator_cookie=text(sa.get("initiator-spi")).rjust(16, "0"),
        responder_cookie=text(sa.get("responder-spi")).rjust(16, "0"),
        exchange_type="IKEv2" if version == 2 else exchange,
        role="Initiator" if text(sa.get("initiator")) == "yes" else "Responder",
        port=as_int(sa.get("local-port"), 500), remote_port=as_int(sa.get("remote-port"), 500), version=version,
        encryption=_cipher(CIPHERS, sa), integrity=IKE_INTEG.get(text(sa.get("integ-alg")), "none"),
        prf=PRFS.get(text(sa.get("prf-alg")), text(sa.get("prf-alg")).lower()),
        dh_group=f"DH-group-{group[5:]}" if group else text(sa.get("dh-group")),
        lifetime_seconds=as_int(sa.get("rekey-time"), 0), established_epoch=now - as_int(sa.get("established")),
        # only our own side's detection: libipsec makes every charon fake a NAT on its side
        nat_detected=text(sa.get("nat-local")) == "yes")


def ipsec_sas(name: str, sa: dict, now: float, tunnel_id, bind: dict[str, str],
              pfs: dict[str, str | None] | None = None) -> list[IpsecSa]:
    """The inbound and outbound SAs of every installed child of an established IKE SA.

    ``tunnel_id(vpn)`` numbers the VPNs, ``bind`` maps a VPN to its st0 unit, ``pfs`` to its
    configured PFS group (shown while the SA reports none: an IKEv2 SA created with the IKE
    SA uses no DH exchange of its own, the group applies from the first rekey)."""
    if text(sa.get("state")) != "ESTABLISHED":
        return []
    out = []
    for child in (sa.get("child-sas") or {}).values():
        if text(child.get("state")) != "INSTALLED":
            continue
        vpn = text(child.get("name"))
        installed = as_int(child.get("install-time"))
        for direction, key in (("inbound", "spi-in"), ("outbound", "spi-out")):
            out.append(IpsecSa(
                tunnel_id=tunnel_id(vpn), vpn=vpn, gateway=name, remote_gateway=text(sa.get("remote-host")),
                local_gateway=text(sa.get("local-host")), direction=direction,
                spi=text(child.get(key)).rjust(8, "0"), protocol=text(child.get("protocol")) or "ESP",
                encryption=_cipher(ESP_CIPHERS, child), integrity=ESP_INTEG.get(text(child.get("integ-alg")), "none"),
                lifetime_seconds=as_int(child.get("life-time"), 0),
                port=as_int(sa.get("remote-port"), 500), bind_interface=bind.get(vpn, ""),
                pfs_group=dh_group(text(child.get("dh-group"))) or (pfs or {}).get(vpn),
                established_epoch=now - installed))
    return out


# ---------------------------------------------------------------------------------------
# BIRD
# ---------------------------------------------------------------------------------------
@dataclass
class BirdBgp:
    """One BGP protocol of ``birdc show protocols all``."""
    name: str
    proto_state: str                 # up | start | down ...
    since: datetime.datetime | None
    info: str
    fields: dict[str, str] = field(default_factory=dict)
    imported: int = 0
    exported: int = 0

    @property
    def state(self) -> str:
        return self.fields.get("BGP state", "Idle" if self.proto_state == "down" else "Active")


_HEADER = re.compile(r"^(?P<name>\S+)\s+(?P<proto>\S+)\s+(?P<table>\S+)\s+(?P<state>\S+)\s+"
                     r"(?P<since>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?|\S+)\s*(?P<info>.*)$")
_ROUTES = re.compile(r"(\d+) imported(?:, (\d+) filtered)?, (\d+) exported")


def parse_protocols(output: str) -> dict[str, BirdBgp]:
    """BGP protocols of ``birdc show protocols all`` by protocol name."""
    out: dict[str, BirdBgp] = {}
    cur: BirdBgp | None = None
    for line in output.splitlines():
        if not line.strip() or line.startswith(("BIRD ", "Name ")):
            continue
        m = _HEADER.match(line) if not line[0].isspace() else None
        if m:
            cur = None
            if m["proto"] == "BGP":
                since = None
                try:
                    since = datetime.datetime.fromisoformat(m["since"])
                except ValueError:
                    pass
                cur = out[m["name"]] = BirdBgp(m["name"], m["state"], since, m["info"].strip())
            continue
        if cur is None:
            continue
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        if key == "Routes":
            r = _ROUTES.search(value)
            if r:
                cur.imported, cur.exported = int(r[1]), int(r[3])
        elif key not in cur.fields:
            cur.fields[key] = value.strip()
    return out


def parse_routes(output: str) -> list[str]:
    """Prefixes of ``birdc show route ...``."""
    nets = []
    for line in output.splitlines():
        m = re.match(r"^(\d+\.\d+\.\d+\.\d+/\d+)\s", line)
        if m:
            nets.append(m[1])
    return nets


def bgp_peer(nb, proto: BirdBgp | None, now: datetime.datetime, local_id: str, ifl: str | None,
             received: list[str], advertised: list[str], flaps: int) -> BgpPeer:
    """A Junos BGP peer record from a neighbour of the translation and its BIRD protocol."""
    state = proto.state if proto is not None else "Idle"
    peer = BgpPeer(
        peer_address=nb.address, local_address=nb.local_address or "", peer_as=nb.peer_as or 0,
        local_as=nb.local_as or 0, group=nb.group, state=state,
        peer_type="Internal" if nb.internal else "External", local_id=local_id, local_interface=ifl,
        flaps=flaps)
    if proto is None:
        return peer
    error = proto.fields.get("Last error")
    if error:
        peer.last_error = error
    if proto.since is not None:
        peer.elapsed_seconds = max(0, int((now - proto.since).total_seconds()))
    if state == "Established":
        peer.peer_id = proto.fields.get("Neighbor ID")
        peer.peer_port = 179
        peer.last_state, peer.last_event = "OpenConfirm", "RecvKeepAlive"
        peer.received_routes, peer.advertised_routes = received, advertised
        peer.received_prefixes = peer.accepted_prefixes = len(received)
        peer.active_prefixes = proto.imported
        peer.advertised_prefixes = len(advertised)
    else:
        peer.last_state, peer.last_event = "Idle", "ConnectRetry"
    return peer
