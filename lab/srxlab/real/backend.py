"""The real protocol backend: strongSwan and BIRD 2 in network namespaces behind the twin.

Offers the interface of the model (:class:`srxlab.protocols.Protocols`) that the lab,
the NETCONF operational RPCs and the control socket call, and fills the same
:mod:`srxlab.opstate` records, read from the daemons instead of computed:

* at start: the namespaces and wires (:mod:`.netns`), one charon and one BIRD per device;
* on every commit (``device_changed``): the device's committed configuration is translated
  (:mod:`.translate`), its addresses set, swanctl.conf loaded (IKE SAs of a changed
  configuration are torn down first) and bird.conf reconfigured;
* link cuts and device stop/start take the device's wires down;
* every few seconds, a VPN with ``establish-tunnels immediately``, or one whose st0 unit
  carries a configured BGP session (whose traffic would bring it up), that has no IKE SA
  is initiated again, as Junos keeps retrying; a ping into an st0 unit initiates its VPN
  (that first ping is lost). libipsec raises no acquire for trap policies, hence this;
* reads: vici ``list-sas``, ``birdc show protocols all`` / ``show route``, ``ping`` in
  the namespace.
"""
from __future__ import annotations

import datetime
import logging
import re
import subprocess
import time

from .. import addresses as A
from ..opstate import IkeSa, IpsecSa, LogicalInterface, PhysicalInterface, PingResult
from . import state, translate
from .daemons import Bird, Charon, DaemonError, kill_stale, require_tools
from .netns import NetnsError, Underlay, lab_prefix

log = logging.getLogger("srxlab.real")

TICK_INTERVAL = 3.0          # real seconds between checks of immediate tunnels
PING_INTERVAL = 0.2


class RealBackendError(RuntimeError):
    """The real backend cannot run this lab."""


def _port_ifname(port: str) -> str:
    return translate.linux_ifname(f"{port}.0")


class RealBackend:
    """IKE / IPsec / BGP / ping state of every device of a lab, from real daemons."""

    def __init__(self, lab):
        self.lab = lab
        if lab.topology.get("nat"):
            raise RealBackendError("the real backend does not support the topology's nat entries "
                                   "(use the model backend for NAT topologies)")
        try:
            require_tools()
        except DaemonError as exc:
            raise RealBackendError(str(exc)) from exc
        self.prefix = lab_prefix(lab.state_dir)
        self.workdir = lab.state_dir / "real"
        self.underlay = Underlay(self.prefix, lab.topology, _port_ifname)
        self.charons: dict[str, Charon] = {}
        self.birds: dict[str, Bird] = {}
        self.rendered: dict[str, tuple[str | None, str | None]] = {}
        self.conns: dict[str, dict[str, translate.Connection]] = {}
        self.nbrs: dict[str, list[translate.Neighbor]] = {}
        self.tunnel_ids: dict[str, dict[str, int]] = {}
        self.established: dict[tuple[str, str], tuple[datetime.datetime | None, int]] = {}
        self.closed = False
        self._timer = None
        try:
            stale = kill_stale(self.workdir)
            if stale:
                log.warning("stopped %d daemons left by an earlier lab in %s", len(stale), self.workdir)
            self.underlay.create()
            for name, device in lab.devices.items():
                ns = self.underlay.ns(name)
                workdir = self.workdir / name
                workdir.mkdir(parents=True, exist_ok=True)
                committed = device.db.committed
                self.underlay.sync_addresses(name, translate.linux_addresses(committed))
                self.charons[name] = Charon(ns, workdir)
                self.charons[name].start()
                self.birds[name] = Bird(ns, workdir)
                self.birds[name].start(translate.bird_conf(committed))
                self.rendered[name] = (None, translate.bird_conf(committed))
                self.device_changed(device)
                device.listeners.append(self.device_changed)
            for name in lab.devices:
                self.topology_changed(name)
        except Exception as exc:     # never leave namespaces or daemons behind a failed start
            self.shutdown()
            raise RealBackendError(str(exc)) from exc
        self._schedule()

    @property
    def scale(self) -> float:
        return self.lab.time_scale

    # -- changes -----------------------------------------------------------------------------
    def device_changed(self, device) -> None:
        try:
            self._apply(device.name)
        except (translate.TranslationError, NetnsError, DaemonError, OSError) as exc:
            log.error("%s: cannot apply the committed configuration to the daemons: %s", device.name, exc)

    def _apply(self, name: str) -> None:
        committed = self.lab.devices[name].db.committed
        self.underlay.sync_addresses(name, translate.linux_addresses(committed))
        self.conns[name] = {c.name: c for c in translate.connections(committed)}
        self.nbrs[name] = translate.neighbors(committed)
        ids = self.tunnel_ids.setdefault(name, {})
        for conn in self.conns[name].values():
            for child in conn.children:
                ids.setdefault(child.name, state.TUNNEL_INDEX_BASE + len(ids))
        swan, bird = translate.swanctl_conf(committed), translate.bird_conf(committed)
        old_swan, old_bird = self.rendered.get(name, (None, None))
        if swan != old_swan:
            # SAs negotiated under the old configuration go once the new one is loaded, so
            # that any renegotiation (ours or the peer's) meets the new keys and proposals
            stale = [state.as_int(sa.get("uniqueid")) for sa in self._sas(name)] if old_swan is not None else []
            self.charons[name].load(swan)
            for ike_id in stale:
                self.charons[name].terminate(ike_id)
            log.info("%s: swanctl.conf loaded (%d connections)", name, len(self.conns[name]))
        if bird != old_bird:
            self.birds[name].configure(bird)
            log.info("%s: bird.conf reconfigured (%d neighbours)", name, len(self.nbrs[name]))
        self.rendered[name] = (swan, bird)

    def topology_changed(self, name: str) -> None:
        """A link of ``name`` went up/down or the device stopped/started: its wires follow."""
        device = self.lab.devices[name]
        for port in device.spec.get("ports", []):
            up = bool(device.running) and self.lab.links.get((name, port), True)
            try:
                self.underlay.set_port(name, port, up)
            except NetnsError as exc:
                log.error("%s %s: %s", name, port, exc)

    def _schedule(self) -> None:
        if not self.closed:
            self._timer = self.lab.call_later(TICK_INTERVAL, self._tick)

    def _tick(self) -> None:
        """Initiate again the immediate VPNs that have no IKE SA (Junos keeps retrying)."""
        try:
            for name, device in self.lab.devices.items():
                if self.closed or not device.running:
                    continue
                raw = self._raw(name)
                self._drop_duplicates(name, raw)
                present = {conn for entry in raw for conn in entry}
                bgp_units = {self._ifl_of(name, nb.address) for nb in self.nbrs.get(name, [])}
                for conn in self.conns.get(name, {}).values():
                    if conn.name in present:
                        continue
                    for child in conn.children:
                        if child.start_action == "start" or child.bind in bgp_units:
                            self.charons[name].initiate(conn.name, child.name)
                            break
                self._reset_orphan_bgp(name)
        except (DaemonError, OSError) as exc:
            log.warning("tunnel keeper: %s", exc)
        finally:
            self._schedule()

    def _drop_duplicates(self, name: str, raw: list[dict]) -> None:
        """Both ends initiated at once (a link back, both retrying): charon keeps the two IKE
        SAs of the race, Junos one per gateway. Keep the one with the lowest SPIs, which both
        ends see alike and so agree on, and delete the others (the peer does not renegotiate
        them: children have no close action, the tick restarts a VPN left without SA)."""
        by_conn: dict[str, list[dict]] = {}
        for entry in raw:
            for conn, sa in entry.items():
                if state.text(sa.get("state")) == "ESTABLISHED":
                    by_conn.setdefault(conn, []).append(sa)
        for conn, sas in by_conn.items():
            if len(sas) < 2:
                continue
            sas.sort(key=lambda sa: (int(state.text(sa.get("initiator-spi")) or "0", 16),
                                     int(state.text(sa.get("responder-spi")) or "0", 16)))
            for sa in sas[1:]:
                log.info("%s: %s has %d IKE SAs (simultaneous initiation), deleting IKE SA %s",
                         name, conn, len(sas), state.text(sa.get("uniqueid")))
                self.charons[name].terminate(state.as_int(sa.get("uniqueid")))

    def _reset_orphan_bgp(self, name: str) -> None:
        """A BGP session over an st0 unit whose SAs are gone is reset, as Junos drops it when
        the st0 unit goes down (BIRD alone would wait for its hold timer)."""
        if not self.nbrs.get(name):
            return
        up_units = {sa.bind_interface for sa in self.ipsec_sas(name)}
        protocols = state.parse_protocols(self.birds[name].birdc("show", "protocols", "all"))
        for nb in self.nbrs[name]:
            ifl = self._ifl_of(name, nb.address)
            proto = protocols.get(nb.protocol)
            if (ifl and ifl.startswith("st0") and ifl not in up_units and proto is not None
                    and proto.state == "Established"):
                log.info("%s: %s lost its tunnel, BGP session to %s reset", name, ifl, nb.address)
                self.birds[name].birdc("restart", nb.protocol)

    # -- raw state ---------------------------------------------------------------------------
    def _raw(self, name: str) -> list[dict]:
        if self.closed or name not in self.charons:
            return []
        try:
            return self.charons[name].list_sas()
        except OSError as exc:
            log.warning("%s: vici list-sas: %s", name, exc)
            return []

    def _sas(self, name: str) -> list[dict]:
        return [sa for entry in self._raw(name) for sa in entry.values()]

    def _bind(self, name: str) -> dict[str, str]:
        return {child.name: child.bind or "" for conn in self.conns.get(name, {}).values()
                for child in conn.children}

    # -- reads -------------------------------------------------------------------------------
    def ike_sas(self, name: str) -> list[IkeSa]:
        now = time.time()
        out = []
        for entry in self._raw(name):
            for conn, sa in entry.items():
                cfg = self.conns.get(name, {}).get(conn)
                exchange = "Aggressive" if cfg is not None and cfg.aggressive else "Main"
                rec = state.ike_sa(conn, sa, now, exchange)
                if rec is not None:
                    out.append(rec)
        return sorted(out, key=lambda r: r.index)

    def ipsec_sas(self, name: str) -> list[IpsecSa]:
        now = time.time()
        ids = self.tunnel_ids.setdefault(name, {})
        bind = self._bind(name)
        pfs = {child.name: child.pfs for conn in self.conns.get(name, {}).values() for child in conn.children}

        def tunnel_id(vpn: str) -> int:
            return ids.setdefault(vpn, state.TUNNEL_INDEX_BASE + len(ids))

        out = []
        for entry in self._raw(name):
            for conn, sa in entry.items():
                out += state.ipsec_sas(conn, sa, now, tunnel_id, bind, pfs)
        return sorted(out, key=lambda sa: (sa.tunnel_id, sa.direction != "inbound"))

    def _ifl_of(self, name: str, address: str) -> str | None:
        """The unit whose subnet holds ``address``; None when none does or it is no IPv4 address."""
        if not A.valid_ipv4(address, prefix=False):
            return None
        for ifl, addrs in translate.addresses(self.lab.devices[name].db.committed).items():
            if any(A.contains(a, address) for a in addrs):
                return ifl
        return None

    def bgp_peers(self, name: str):
        if self.closed or not self.nbrs.get(name):
            return []
        bird = self.birds[name]
        try:
            protocols = state.parse_protocols(bird.birdc("show", "protocols", "all"))
        except (DaemonError, OSError) as exc:
            log.warning("%s: %s", name, exc)
            protocols = {}
        now = datetime.datetime.now()
        local_id = translate.router_id(self.lab.devices[name].db.committed)
        out = []
        for nb in self.nbrs[name]:
            proto = protocols.get(nb.protocol)
            received, advertised = [], []
            key = (name, nb.address)
            last_since, flaps = self.established.get(key, (None, 0))
            if proto is not None and proto.state == "Established":
                received = state.parse_routes(bird.birdc("show", "route", "protocol", nb.protocol))
                advertised = state.parse_routes(bird.birdc("show", "route", "export", nb.protocol))
                if proto.since != last_since:
                    flaps += 1 if last_since is not None else 0
                    self.established[key] = (proto.since, flaps)
            out.append(state.bgp_peer(nb, proto, now, local_id, self._ifl_of(name, nb.address),
                                      received, advertised, flaps))
        return out

    def interfaces(self, name: str) -> list[PhysicalInterface]:
        device = self.lab.devices[name]
        up_units = {sa.bind_interface for sa in self.ipsec_sas(name)}
        ifds: dict[str, PhysicalInterface] = {}
        for ifl, addrs in translate.addresses(device.db.committed).items():
            ifd = ifl.split(".")[0]
            if ifd.startswith(("st0", "lo0")):
                link = True
            else:
                link = bool(device.running) and self.lab.links.get((name, ifd), True)
            phys = ifds.setdefault(ifd, PhysicalInterface(ifd, link="up" if link else "down"))
            unit_link = ("up" if ifl in up_units else "down") if ifd == "st0" else phys.link
            phys.units.append(LogicalInterface(ifl, link=unit_link, addresses=list(addrs)))
        return list(ifds.values())

    def ping(self, name: str, target: str, source: str | None, count: int) -> PingResult:
        result = PingResult(target=target, source=source, count=count)
        device = self.lab.devices[name]
        if device.faults.get("drop-ping") or self.closed:
            return result
        cmd = ["ip", "netns", "exec", self.underlay.ns(name), "ping", "-n", "-c", str(count),
               "-i", str(PING_INTERVAL), "-W", "1", "-w", str(int(count * PING_INTERVAL) + 2)]
        if source:
            cmd += ["-I", source]
        self._trigger(name, target)
        try:
            proc = subprocess.run([*cmd, target], check=False, capture_output=True, text=True,
                                  timeout=count * PING_INTERVAL + 5)
        except subprocess.TimeoutExpired:
            return result
        result.rtts_ms = [float(m) for m in re.findall(r"time=([\d.]+) ms", proc.stdout)]
        ttl = re.search(r"ttl=(\d+)", proc.stdout)
        if ttl:
            result.ttl = int(ttl[1])
        return result

    def _trigger(self, name: str, target: str) -> None:
        """Traffic into an st0 unit whose VPN has no SA starts its negotiation."""
        ifl = self._ifl_of(name, target)
        if not ifl or not ifl.startswith("st0"):
            return
        present = {conn for entry in self._raw(name) for conn in entry}
        for conn in self.conns.get(name, {}).values():
            for child in conn.children:
                if child.bind == ifl and conn.name not in present:
                    self.charons[name].initiate(conn.name, child.name)
                    return

    # -- lab-wide ----------------------------------------------------------------------------
    def _pairs(self):
        """(device, gateway) pairs whose gateways point at each other's local address."""
        local = {(name, c.local_addrs): c for name, conns in self.conns.items() for c in conns.values()}
        seen = set()
        for name, conns in self.conns.items():
            for conn in conns.values():
                for (peer, addr), pconn in local.items():
                    if peer != name and addr in conn.remote_addrs and conn.local_addrs in pconn.remote_addrs:
                        key = frozenset({(name, conn.name), (peer, pconn.name)})
                        if key not in seen:
                            seen.add(key)
                            yield (name, conn), (peer, pconn)

    def explain(self) -> list[dict]:
        """What the daemons show: each tunnel and BGP session, up or why not (the last error
        charon logged for the gateway, or BIRD's last error)."""
        out = []
        established = {name: {conn: sa for entry in self._raw(name) for conn, sa in entry.items()
                              if state.text(sa.get("state")) == "ESTABLISHED"} for name in self.lab.devices}
        for (an, ac), (bn, bc) in sorted(self._pairs(), key=lambda p: (p[0][0], p[0][1].name)):
            ok = ac.name in established[an] and bc.name in established[bn]
            errors = self.charons[an].errors(ac.name)[-1:] + self.charons[bn].errors(bc.name)[-1:]
            reason = "" if ok else (", ".join(dict.fromkeys(errors)) or "IKE SA not established")
            children = []
            for i, child in enumerate(ac.children):
                peer_child = bc.children[i] if i < len(bc.children) else None
                installed = [any(state.text(c.get("name")) == v and state.text(c.get("state")) == "INSTALLED"
                                 for c in (established[d].get(g, {}).get("child-sas") or {}).values())
                             for d, g, v in ((an, ac.name, child.name),
                                             (bn, bc.name, peer_child.name if peer_child else ""))]
                children.append({"vpns": {an: child.name, bn: peer_child.name if peer_child else ""},
                                 "ok": all(installed), "reason": "" if all(installed) else "no IPsec SA installed",
                                 "blackhole": False})
            out.append({"tunnel": [[an, ac.name], [bn, bc.name]], "ok": ok, "reason": reason,
                        "children": children})
        for name in self.lab.devices:
            for peer in self.bgp_peers(name):
                ok = peer.state == "Established"
                out.append({"bgp": [name, peer.peer_address], "ok": ok,
                            "reason": "" if ok else f"{peer.state}: {peer.last_error}"})
        return out

    def settled(self) -> bool:
        """No IKE SA is negotiating, and every BGP session whose tunnel is up is Established."""
        for name, device in self.lab.devices.items():
            if not device.running:
                continue
            if any(state.text(sa.get("state")) not in ("ESTABLISHED",) for sa in self._sas(name)):
                return False
            up_units = {sa.bind_interface for sa in self.ipsec_sas(name)}
            for peer in self.bgp_peers(name):
                if peer.local_interface in up_units and peer.state != "Established":
                    return False
        return True

    def pids(self) -> list[int]:
        return [p for d in (*self.charons.values(), *self.birds.values()) if (p := d.pid) is not None]

    def shutdown(self) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
        for daemon in (*self.birds.values(), *self.charons.values()):
            try:
                daemon.stop()
            except OSError as exc:
                log.warning("stopping %s: %s", daemon.ns, exc)
        try:
            self.underlay.destroy()
        except NetnsError as exc:
            log.warning("deleting namespaces: %s", exc)
