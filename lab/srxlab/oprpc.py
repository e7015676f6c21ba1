"""Operational RPCs and `show` commands of the emulated SRX (IKE, IPsec, BGP, ping,
interfaces), answering from the lab's protocol model in XML, JSON or CLI text."""
from __future__ import annotations

import json
import re

from lxml import etree

from . import oprender
from .xmlutil import E, child_text, rpc_error


def _reply(result, fmt: str):
    """Wrap a renderer's result for <rpc-reply>: an element, JSON text or <output> text."""
    if fmt == "json":
        return json.dumps(result, indent=4)
    if fmt == "text":
        return E("output", "\n" + result)
    return result


class OperationalRpcs:
    """Mixed into Session: every handler reads state for ``self.device`` at this moment."""

    @property
    def _proto(self):
        return self.device.lab.protocols

    def _fmt(self, rpc) -> str:
        fmt = rpc.get("format", "xml") if rpc is not None else "xml"
        return {"ascii": "text"}.get(fmt, fmt)

    def rpc_get_ike_security_associations_information(self, rpc, fmt=None, detail=None):
        fmt = fmt or self._fmt(rpc)
        detail = detail if detail is not None else (rpc is not None and rpc.find("{*}detail") is not None
                                                    or rpc is not None and rpc.find("detail") is not None)
        sas = self._proto.ike_sas(self.device.name)
        ipsec = self._proto.ipsec_sas(self.device.name) if detail else ()
        return _reply(oprender.ike_sas(sas, fmt, detail=detail, ipsec=ipsec), fmt)

    def rpc_get_security_associations_information(self, rpc, fmt=None, detail=None):
        fmt = fmt or self._fmt(rpc)
        detail = detail if detail is not None else (rpc is not None and any(
            etree.QName(c).localname == "detail" for c in rpc if isinstance(c.tag, str)))
        sas = self._proto.ipsec_sas(self.device.name)
        ike = self._proto.ike_sas(self.device.name) if detail else ()
        return _reply(oprender.ipsec_sas(sas, fmt, detail=detail, ike=ike), fmt)

    def _peers(self, neighbor: str | None = None):
        peers = self._proto.bgp_peers(self.device.name)
        if neighbor:
            peers = [p for p in peers if p.peer_address == neighbor]
        return peers

    def rpc_get_bgp_summary_information(self, rpc, fmt=None):
        fmt = fmt or self._fmt(rpc)
        peers = self._peers()
        groups = len({p.group for p in peers})
        return _reply(oprender.bgp_summary(peers, fmt, groups=groups), fmt)

    def rpc_get_bgp_neighbor_information(self, rpc, fmt=None, neighbor=None):
        fmt = fmt or self._fmt(rpc)
        if neighbor is None and rpc is not None:
            neighbor = child_text(rpc, "neighbor-address")
        return _reply(oprender.bgp_neighbor(self._peers(neighbor), fmt), fmt)

    def rpc_get_interface_information(self, rpc, fmt=None, name=None):
        fmt = fmt or self._fmt(rpc)
        if name is None and rpc is not None:
            name = child_text(rpc, "interface-name")
        ifds = self._proto.interfaces(self.device.name)
        if name:
            base = name.split(".")[0]
            ifds = [i for i in ifds if i.name == base]
            if "." in name:
                for ifd in ifds:
                    ifd.units = [u for u in ifd.units if u.name == name]
        return _reply(oprender.interfaces_terse(ifds, fmt), fmt)

    def rpc_ping(self, rpc, fmt=None, host=None, source=None, count=None):
        fmt = fmt or self._fmt(rpc)
        if rpc is not None:
            host = host or child_text(rpc, "host")
            source = source or child_text(rpc, "source")
            count = count or child_text(rpc, "count")
        if not host:
            return rpc_error("syntax error, expecting <host>", bad_element="ping")
        try:
            n = int(count or 5)
        except ValueError:
            return rpc_error(f"invalid value: {count}", bad_element="count")
        result = self._proto.ping(self.device.name, host, source, n)
        return _reply(oprender.ping(result, fmt), fmt)

    # -- CLI forms ----------------------------------------------------------------------
    def cmd_show_ike(self, m, fmt):
        return self.rpc_get_ike_security_associations_information(None, fmt, detail=bool(m.group("detail")))

    def cmd_show_ipsec(self, m, fmt):
        return self.rpc_get_security_associations_information(None, fmt, detail=bool(m.group("detail")))

    def cmd_show_bgp_summary(self, m, fmt):
        return self.rpc_get_bgp_summary_information(None, fmt)

    def cmd_show_bgp_neighbor(self, m, fmt):
        return self.rpc_get_bgp_neighbor_information(None, fmt, neighbor=m.group("addr") or "")

    def cmd_show_interfaces_terse(self, m, fmt):
        return self.rpc_get_interface_information(None, fmt, name=m.group("name") or m.group("name2") or "")

    def cmd_ping(self, m, fmt):
        return self.rpc_ping(None, fmt, host=m.group("host"), source=m.group("source"),
                             count=m.group("count") or "5")


OPERATIONAL_COMMANDS = [
    (r"^show security ike security-associations(?P<detail>\s+detail)?\s*$", "cmd_show_ike"),
    (r"^show security ipsec security-associations(?P<detail>\s+detail)?\s*$", "cmd_show_ipsec"),
    (r"^show bgp summary\s*$", "cmd_show_bgp_summary"),
    (r"^show bgp neighbor(?:\s+(?P<addr>\S+))?\s*$", "cmd_show_bgp_neighbor"),
    (r"^show interfaces(?:\s+(?P<name>[a-z]+[-\d/.:]*))?\s+terse(?:\s+(?P<name2>\S+))?\s*$", "cmd_show_interfaces_terse"),
    (r"^ping\s+(?P<host>[\d.]+)(?:\s+source\s+(?P<source>[\d.]+)|\s+count\s+(?P<count>\d+)|\s+rapid)*\s*$",
     "cmd_ping"),
]
OPERATIONAL_COMMANDS = [(re.compile(p), m) for p, m in OPERATIONAL_COMMANDS]
