"""Operational RPCs and `show` commands of the emulated SRX (IKE, IPsec, BGP, ping,
interfaces), answering from the lab's protocol model in XML, JSON or CLI text."""
from __future__ import annotations

import json
import re

from lxml import etree

from . import addresses as A
from . import oprender
from .opstate import PhysicalInterface
from .xmlutil import E, child_text, rpc_error

_PORT_PREFIXES = ("ge-", "xe-", "et-", "fe-")


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

    def _interfaces(self, name: str | None = None) -> list[PhysicalInterface]:
        """Interfaces as the device shows them: the protocol plane's view of configured
        units, plus the physical ports of the device and lo0, which exist on an SRX
        whether configured or not; `disable`d ones are administratively down."""
        dev = self.device
        ifds = {i.name: i for i in self._proto.interfaces(dev.name)}
        net = getattr(self._proto, "net", None)
        for port in [*dev.spec.get("ports", []), "lo0"]:
            if port not in ifds:
                up = port == "lo0" or net is None or bool(net.link_up(dev.name, port))
                ifds[port] = PhysicalInterface(port, link="up" if up else "down")
        committed = dev.db.committed
        for ifd in ifds.values():
            if committed.get("interfaces", "interface", ifd.name, "disable"):
                ifd.admin = ifd.link = "down"
            for ifl in ifd.units:
                unit = ifl.name.partition(".")[2]
                if committed.get("interfaces", "interface", ifd.name, "unit", unit, "disable"):
                    ifl.admin = ifl.link = "down"
        out = sorted(ifds.values(), key=lambda i: (not i.name.startswith(_PORT_PREFIXES), i.name))
        if name:
            base = name.split(".")[0]
            out = [i for i in out if i.name == base]
            if "." in name:
                for ifd in out:
                    ifd.units = [u for u in ifd.units if u.name == name]
        return out

    def rpc_get_interface_information(self, rpc, fmt=None, name=None, terse=None):
        fmt = fmt or self._fmt(rpc)
        if rpc is not None:
            name = name or child_text(rpc, "interface-name")
            terse = any(etree.QName(c).localname == "terse" for c in rpc if isinstance(c.tag, str))
        ifds = self._interfaces(name)
        if name and not ifds:
            return rpc_error(f"device {name.split('.')[0]} not found", bad_element=name)
        render = oprender.interfaces_terse if terse else oprender.interfaces
        return _reply(render(ifds, fmt), fmt)

    def _routes(self) -> list[dict]:
        """inet.0 as the committed configuration makes it: Direct and Local routes of the
        addresses of interfaces that are up, then static routes (preference 5)."""
        routes: dict[str, dict] = {}
        for ifd in self._interfaces():
            for ifl in ifd.units:
                if ifl.link != "up" or ifl.family != "inet":
                    continue
                for address in ifl.addresses:
                    iface = A.interface(address)
                    subnet, local = str(A.subnet(iface)), f"{A.host(iface)}/32"
                    if iface.prefixlen < 32:
                        routes.setdefault(subnet, {
                            "destination": subnet, "protocol": "Direct", "preference": 0, "via": ifl.name})
                    routes.setdefault(local, {
                        "destination": local, "protocol": "Local", "preference": 0, "via": ifl.name})
        for key, entry in self.device.db.committed.entries("routing-options", "static", "route"):
            hop = entry.get("next-hop")
            hop = hop[0] if isinstance(hop, list) else hop
            if not (isinstance(hop, str) and A.valid_ipv4(hop, prefix=False) and A.valid_ipv4(key)):
                continue   # an IPv6 or unresolvable next hop: no inet.0 route
            via = next((r["via"] for r in routes.values()
                        if r["protocol"] == "Direct" and A.contains(r["destination"], hop)), None)
            if key not in routes and via:
                routes[key] = {"destination": key, "protocol": "Static", "preference": 5, "to": hop, "via": via}
        return sorted(routes.values(), key=lambda r: A.sort_key(r["destination"]))

    def rpc_get_route_information(self, rpc, fmt=None):
        fmt = fmt or self._fmt(rpc)
        return _reply(oprender.routes(self._routes(), fmt), fmt)

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
        return self.rpc_get_interface_information(None, fmt, name=m.group("name") or m.group("name2") or "",
                                                  terse=True)

    def cmd_show_interfaces(self, m, fmt):
        return self.rpc_get_interface_information(None, fmt, name=m.group("name") or "", terse=False)

    def cmd_show_route(self, m, fmt):
        return self.rpc_get_route_information(None, fmt)

    def cmd_ping(self, m, fmt):
        return self.rpc_ping(None, fmt, host=m.group("host"), source=m.group("source"),
                             count=m.group("count") or "5")


OPERATIONAL_COMMANDS = [
    (r"^show security ike security-associations(?P<detail>\s+detail)?\s*$", "cmd_show_ike"),
    (r"^show security ipsec security-associations(?P<detail>\s+detail)?\s*$", "cmd_show_ipsec"),
    (r"^show bgp summary\s*$", "cmd_show_bgp_summary"),
    (r"^show bgp neighbor(?:\s+(?P<addr>\S+))?\s*$", "cmd_show_bgp_neighbor"),
    (r"^show interfaces(?:\s+(?P<name>[a-z]+[-\d/.:]*))?\s+terse(?:\s+(?P<name2>\S+))?\s*$",
     "cmd_show_interfaces_terse"),
    (r"^show interfaces(?:\s+(?P<name>[a-z]+[-\d/.:]*))?\s*$", "cmd_show_interfaces"),
    (r"^show route\s*$", "cmd_show_route"),
    (r"^ping\s+(?P<host>[\d.]+)(?:\s+source\s+(?P<source>[\d.]+)|\s+count\s+(?P<count>\d+)|\s+rapid)*\s*$",
     "cmd_ping"),
]
OPERATIONAL_COMMANDS = [(re.compile(p), m) for p, m in OPERATIONAL_COMMANDS]
