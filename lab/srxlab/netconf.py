"""NETCONF over SSH (RFC 6241 / RFC 6242) front end of an emulated SRX device.

One :class:`DeviceServer` per device listens on its own TCP port and speaks the
``netconf`` SSH subsystem only (shells, exec requests and port forwarding are
refused).  Authentication is delegated to the device (``check_password`` and
``authorized_keys``).  Each SSH channel that starts the subsystem gets its own
device ``Session``; the server owns the wire protocol:

* hello exchange: the server advertises ``base:1.0`` (and ``base:1.1`` unless
  disabled), the device's capabilities and the session id;
* framing: end-of-message ``]]>]]>`` until both hellos carry ``base:1.1``, then
  RFC 6242 chunked framing in both directions;
* each ``<rpc>`` is parsed with a hardened lxml parser, its single operation
  element is passed to ``Session.dispatch`` and the results are wrapped in an
  ``<rpc-reply>`` that carries the attributes of the ``<rpc>`` (``message-id``);
* ``<close-session/>`` is answered here and ends the channel; malformed
  messages and exceptions raised by the device become ``<rpc-error>`` replies;
* ``dispatch`` may return an awaitable (an operation that takes lab time): its
  result is the reply, and later messages of the session wait for it;
* ``dispatch`` (or its awaitable) raising ``srxlab.device.DropSession`` cuts the
  SSH connection without a reply, as a network failure would.

``Session.close`` is called exactly once when the channel ends, whatever the
reason (client close, disconnect, drop, device stop, server shutdown); an
operation in flight completes first, unless the server is stopping.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import logging
import pathlib
import re
from collections.abc import Awaitable, Mapping
from typing import Any
from xml.sax.saxutils import escape

import asyncssh
from lxml import etree

from srxlab.device import DropSession

log = logging.getLogger(__name__)

BASE_1_0 = "urn:ietf:params:netconf:base:1.0"
BASE_1_1 = "urn:ietf:params:netconf:base:1.1"
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
JUNOS_NS = "http://xml.juniper.net/junos/23.4R1/junos"

EOM = b"]]>]]>"
MAX_MESSAGE = 64 * 1024 * 1024          # bytes; a longer message ends the session
LOGIN_TIMEOUT = 30                      # seconds to authenticate
STOP_TIMEOUT = 5.0                      # seconds to wait for connections to close

_REPLY_NSMAP = {None: NC_NS, "junos": JUNOS_NS}
_REPLY_TAG = f"{{{NC_NS}}}rpc-reply"
_OK = "<ok/>"
_CHUNK_HEADER = re.compile(rb"\n#([1-9][0-9]{0,9})\n")
_END_OF_CHUNKS = b"\n##\n"
_MESSAGE_ID = re.compile(rb"<(?:[\w.-]+:)?rpc\b[^>]*?\bmessage-id\s*=\s*([\"'])(.*?)\1", re.DOTALL)


def _xml_parser() -> etree.XMLParser:
    """A parser that never resolves entities, reaches the network or builds huge trees.

    lxml parsers must not be shared between threads: each channel makes its own.
    """
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False)


def load_or_create_host_key(path: pathlib.Path) -> asyncssh.SSHKey:
    """Return the lab's SSH host key stored at ``path``, generating it on first use."""
    path = pathlib.Path(path)
    if path.exists():
        return asyncssh.read_private_key(path)
    key = asyncssh.generate_private_key("ssh-ed25519")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    key.write_private_key(tmp)
    tmp.chmod(0o600)
    tmp.replace(path)
    return key


def _rpc_error(message: str, *, error_type: str = "application",
              tag: str = "operation-failed", severity: str = "error") -> str:
    """Serialize one ``<rpc-error>`` element (it inherits the reply's base namespace)."""
    return ("<rpc-error>"
            f"<error-type>{error_type}</error-type>"
            f"<error-tag>{tag}</error-tag>"
            f"<error-severity>{severity}</error-severity>"
            f"<error-message>{escape(message)}</error-message>"
            "</rpc-error>")


def _reply(attrib: Mapping[str, str], body: str) -> bytes:
    """Wrap serialized ``body`` in an ``<rpc-reply>`` carrying ``attrib``."""
    root = etree.Element(_REPLY_TAG, nsmap=_REPLY_NSMAP)
    for name, value in attrib.items():
        root.set(name, value)
    head = etree.tostring(root, encoding="unicode")     # "<rpc-reply .../>"
    return f"{head[:-2]}>{body}</rpc-reply>".encode()


def _local(tag: Any) -> str:
    """Local name of an element tag ('' for comments and processing instructions)."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


class _MalformedRPC(Exception):
    """A message that is not a well-formed ``<rpc>`` with exactly one operation."""

    def __init__(self, problem: str, attrib: Mapping[str, str] | None = None):
        super().__init__(problem)
        self.attrib = dict(attrib or {})


class _FramingError(Exception):
    """The peer broke RFC 6242 framing; the session cannot continue."""


def _parse_rpc(message: bytes, parser: etree.XMLParser
               ) -> tuple[dict[str, str], etree._Element]:
    """The attributes and the single operation element of an ``<rpc>`` message."""
    try:
        rpc = etree.fromstring(message, parser)
    except etree.XMLSyntaxError as exc:
        match = _MESSAGE_ID.search(message, 0, 4096)
        attrib = {"message-id": match.group(2).decode(errors="replace")} if match else {}
        raise _MalformedRPC(f"malformed message: {exc}", attrib) from None
    if _local(rpc.tag) != "rpc":
        raise _MalformedRPC(f"expected <rpc>, got <{_local(rpc.tag)}>")
    if rpc.getroottree().docinfo.doctype:
        raise _MalformedRPC("document type declarations are not allowed", rpc.attrib)
    operations = [child for child in rpc if isinstance(child.tag, str)]
    if len(operations) != 1:
        raise _MalformedRPC(f"<rpc> must contain exactly one operation, found {len(operations)}",
                            rpc.attrib)
    return dict(rpc.attrib), operations[0]


# Replies whose leaf values Junos writes between newlines (`<name>\nlo0\n</name>`), as the
# interface and routing daemons answer; clients strip them (PyEZ `normalize`, jxmlease).
# The device model builds plain values; the wire form is made here.
NEWLINE_WRAPPED = frozenset({"interface-information", "route-information"})


def _wire_form(el: etree._Element) -> etree._Element:
    if _local(el.tag) not in NEWLINE_WRAPPED:
        return el
    el = copy.deepcopy(el)
    for leaf in el.iter():
        if isinstance(leaf.tag, str) and len(leaf) == 0 and leaf.text and leaf.text.strip():
            leaf.text = f"\n{leaf.text.strip()}\n"
    return el


def _results_reply(attrib: Mapping[str, str], results: Any) -> bytes:
    """The ``<rpc-reply>`` for what ``Session.dispatch`` returned (``<ok/>`` if nothing)."""
    if not results:
        return _reply(attrib, _OK)
    return _reply(attrib, "".join(escape(el) if isinstance(el, str)  # JSON answers are reply text
                                  else etree.tostring(_wire_form(el), encoding="unicode", with_tail=False)
                                  for el in results))


def _failure_reply(attrib: Mapping[str, str], exc: Exception) -> bytes:
    return _reply(attrib, _rpc_error(f"{type(exc).__name__}: {exc}"))


class _NetconfChannel(asyncssh.SSHServerSession):
    """One SSH channel running the netconf subsystem for one device session.

    Messages are handled strictly in order.  When ``dispatch`` returns an awaitable
    (an operation that takes lab time, e.g. a delayed commit), later messages wait in
    the buffer until it completes; if the client goes away meanwhile, the operation
    still completes and ``Session.close`` follows it.
    """

    def __init__(self, server: DeviceServer, conn: asyncssh.SSHServerConnection, username: str):
        self._server = server
        self._device = server.device
        self._conn = conn
        self._username = username
        self._chan: asyncssh.SSHServerChannel | None = None
        self._session: Any = None
        self._buf = bytearray()
        self._scan = 0                  # EOM mode: where the delimiter search resumes
        self._parts: list[bytes] = []   # chunked mode: chunks of the current message
        self._chunked = False
        self._hello_done = False
        self._closing = False           # no more input is handled, no more output sent
        self._lost = False              # the channel is gone
        self._pending: asyncio.Future[Any] | None = None
        self._parser = _xml_parser()

    # -- asyncssh callbacks -------------------------------------------------
    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan

    def shell_requested(self) -> bool:
        return False

    def exec_requested(self, command: str) -> bool:
        log.info("%s: refused exec request %r", self._device.name, command)
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        if subsystem != "netconf":
            log.info("%s: refused subsystem %r", self._device.name, subsystem)
            return False
        return True

    def session_started(self) -> None:
        try:
            self._session = self._device.new_session(self._username)
        except Exception:
            log.exception("%s: new_session failed", self._device.name)
            self._close()
            return
        log.info("%s: netconf session %s opened by %s", self._device.name,
                 self._session.session_id, self._username)
        self._session.on_kill = self._killed
        self._write(self._hello())

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        if self._closing or self._session is None:
            return
        if not self._device.running:
            self._close()
            return
        self._buf += data
        if len(self._buf) > MAX_MESSAGE:
            log.warning("%s: message larger than %d bytes, closing session",
                        self._device.name, MAX_MESSAGE)
            self._close()
            return
        self._process()

    def eof_received(self) -> bool:
        return False        # close the channel

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = self._lost = True
        if self._pending is None:
            self._end_session()

    # -- framing ------------------------------------------------------------
    def _process(self) -> None:
        """Handle the complete messages in the buffer, unless an operation is pending."""
        try:
            while not self._closing and self._pending is None:
                message = self._next_chunked() if self._chunked else self._next_eom()
                if message is None:
                    return
                if self._hello_done:
                    self._handle_rpc(message)
                else:
                    self._handle_hello(message)
        except _FramingError as exc:
            log.warning("%s: framing error (%s), closing session", self._device.name, exc)
            self._close()

    def _next_eom(self) -> bytes | None:
        index = self._buf.find(EOM, self._scan)
        if index < 0:
            self._scan = max(0, len(self._buf) - len(EOM) + 1)
            return None
        message = bytes(self._buf[:index])
        del self._buf[:index + len(EOM)]
        self._scan = 0
        return message

    def _next_chunked(self) -> bytes | None:
        buf = self._buf
        pos = 0
        while len(buf) - pos >= len(_END_OF_CHUNKS):
            if buf.startswith(_END_OF_CHUNKS, pos):
                if not self._parts:
                    raise _FramingError("end-of-chunks without a chunk")
                del buf[:pos + len(_END_OF_CHUNKS)]
                message, self._parts = b"".join(self._parts), []
                return message
            match = _CHUNK_HEADER.match(buf, pos)
            if match is None:
                if len(buf) - pos >= 13 or b"\n" in buf[pos + 1:]:
                    raise _FramingError(f"bad chunk header {bytes(buf[pos:pos + 13])!r}")
                break
            start = match.end()
            size = int(match.group(1))
            if len(buf) - start < size:
                break
            self._parts.append(bytes(buf[start:start + size]))
            pos = start + size
        del buf[:pos]
        if sum(map(len, self._parts)) > MAX_MESSAGE:
            raise _FramingError("message too large")
        return None

    def _write(self, payload: bytes) -> None:
        if self._chan is None or self._closing:
            return
        if self._chunked:
            self._chan.write(b"\n#%d\n%s\n##\n" % (len(payload), payload))
        else:
            self._chan.write(payload + EOM)

    def _close(self) -> None:
        """End the channel (the session is closed from ``connection_lost``)."""
        if not self._closing and self._chan is not None:
            self._closing = True
            self._chan.close()

    def _end_session(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        log.info("%s: netconf session %s closed", self._device.name, session.session_id)
        try:
            session.close()
        except Exception:
            log.exception("%s: Session.close failed", self._device.name)

    # -- protocol -----------------------------------------------------------
    def _hello(self) -> bytes:
        caps = [BASE_1_0] + ([BASE_1_1] if self._server.base11 else [])
        caps += [c for c in self._device.capabilities() if c not in (BASE_1_0, BASE_1_1)]
        body = "".join(f"<capability>{escape(c)}</capability>" for c in caps)
        return (f'<hello xmlns="{NC_NS}"><capabilities>{body}</capabilities>'
                f"<session-id>{self._session.session_id}</session-id></hello>").encode()

    def _handle_hello(self, message: bytes) -> None:
        try:
            root = etree.fromstring(message, self._parser)
        except etree.XMLSyntaxError as exc:
            log.warning("%s: malformed client hello (%s), closing session",
                        self._device.name, exc)
            self._close()
            return
        if _local(root.tag) != "hello":
            log.warning("%s: expected <hello>, got <%s>; closing session",
                        self._device.name, _local(root.tag))
            self._close()
            return
        caps = {(el.text or "").strip() for el in root.iter() if _local(el.tag) == "capability"}
        self._hello_done = True
        self._chunked = self._server.base11 and BASE_1_1 in caps

    def _handle_rpc(self, message: bytes) -> None:
        """Answer one ``<rpc>``: now, or when the operation's awaitable completes."""
        try:
            attrib, operation = _parse_rpc(message, self._parser)
        except _MalformedRPC as exc:
            self._write(_reply(exc.attrib, _rpc_error(str(exc), error_type="rpc",
                                                     tag="malformed-message")))
            return
        name = _local(operation.tag)
        if name == "close-session":
            self._write(_reply(attrib, _OK))
            self._close()
            return
        try:
            results = self._session.dispatch(operation)
        except DropSession:
            self._drop(name)
            return
        except Exception as exc:
            log.exception("%s: <%s> failed", self._device.name, name)
            self._write(_failure_reply(attrib, exc))
            return
        if inspect.isawaitable(results):
            self._pending = asyncio.ensure_future(self._complete(results, attrib, name))
            self._server.track(self._pending)
        else:
            self._write(_results_reply(attrib, results))

    async def _complete(self, pending: Awaitable[Any], attrib: dict[str, str], name: str) -> None:
        """Reply to an asynchronous operation, then go on with the buffered messages."""
        reply = None
        try:
            reply = _results_reply(attrib, await pending)
        except DropSession:
            self._drop(name)
        except Exception as exc:
            log.exception("%s: <%s> failed", self._device.name, name)
            reply = _failure_reply(attrib, exc)
        finally:
            self._pending = None
            if self._lost:
                self._end_session()
        if reply is not None:
            self._write(reply)
            self._process()

    def _killed(self) -> None:
        """Another session's <kill-session> ended this one: cut the connection."""
        log.info("%s: netconf session killed", self._device.name)
        self._closing = True
        self._conn.abort()

    def _drop(self, name: str) -> None:
        """The device asked to drop the session: cut the connection without a reply."""
        log.info("%s: dropping the connection during <%s>", self._device.name, name)
        self._closing = True
        self._conn.abort()


class _SSHServer(asyncssh.SSHServer):
    """Per-connection SSH callbacks: authentication against the device, channel factory."""

    def __init__(self, server: DeviceServer):
        self._server = server
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._server.connections.add(conn)
        if not self._server.device.running:
            conn.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        device = self._server.device
        keys = device.authorized_keys(username)
        if keys:
            try:
                self._conn.set_authorized_keys(asyncssh.import_authorized_keys("\n".join(keys)))
            except (ValueError, asyncssh.KeyImportError) as exc:
                log.warning("%s: bad authorized key for %s: %s", device.name, username, exc)
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        ok = self._server.device.running and self._server.device.check_password(username, password)
        if not ok:
            log.info("%s: password refused for %s", self._server.device.name, username)
        return ok

    def session_requested(self) -> _NetconfChannel:
        return _NetconfChannel(self._server, self._conn, self._conn.get_extra_info("username"))


class DeviceServer:
    """The NETCONF-over-SSH listener of one device and its live connections."""

    def __init__(self, device: Any, host: str, port: int, host_key: asyncssh.SSHKey,
                 *, base11: bool = True):
        self.device = device
        self.host = host
        self.port = port            # the bound port once started; kept across stop/start
        self.host_key = host_key
        self.base11 = base11
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self._operations: set[asyncio.Future[Any]] = set()   # asynchronous rpcs in flight
        self._acceptor: asyncssh.SSHAcceptor | None = None

    @property
    def listening(self) -> bool:
        return self._acceptor is not None

    def track(self, operation: asyncio.Future[Any]) -> None:
        """Remember an asynchronous rpc until it completes (``stop`` cancels it)."""
        self._operations.add(operation)
        operation.add_done_callback(self._operations.discard)

    async def start(self) -> None:
        """Listen on ``host:port`` (a free port the first time if ``port`` is 0)."""
        if self._acceptor is not None:
            return
        self._acceptor = await asyncssh.create_server(
            lambda: _SSHServer(self), self.host, self.port,
            server_host_keys=[self.host_key], encoding=None,
            login_timeout=LOGIN_TIMEOUT, agent_forwarding=False,
            x11_forwarding=False, allow_scp=False, keepalive_interval=0)
        self.port = self._acceptor.get_port()

    async def stop(self) -> None:
        """Stop listening, drop every connection and cancel the rpcs in flight.

        Every session is closed before this returns (bounded by ``STOP_TIMEOUT``).
        """
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None:
            acceptor.close()
        connections = list(self.connections)
        for conn in connections:
            conn.close()
        operations = list(self._operations)
        for operation in operations:
            operation.cancel()
        waits: list[Awaitable[Any]] = [conn.wait_closed() for conn in connections]
        waits += operations
        if acceptor is not None:
            waits.append(acceptor.wait_closed())
        if waits:
            try:
                await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True),
                                       STOP_TIMEOUT)
            except TimeoutError:
                log.warning("%s: connections still closing after %.0f s",
                            self.device.name, STOP_TIMEOUT)


async def start_device_server(device: Any, host: str, port: int, host_key: asyncssh.SSHKey,
                              *, base11: bool = True) -> DeviceServer:
    """Start serving ``device`` on ``host:port`` (0 = any free port; see ``.port``)."""
    server = DeviceServer(device, host, port, host_key, base11=base11)
    await server.start()
    return server
