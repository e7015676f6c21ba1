"""NETCONF-over-SSH server of the lab, driven by real clients (ncclient, junos-eznc)
and by a raw asyncssh client for the protocol corner cases."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator

import asyncssh
import pytest
from jnpr.junos import Device as PyEZDevice
from jnpr.junos import exception as pyez_errors
from labfakes import TIMEOUT, FakeDevice, LoopThread, wait_for
from lxml import etree
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.transport import AuthenticationError, SSHError, TransportError
from ncclient.transport.session import NetconfBase
from srxlab import netconf

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
CLIENT_HELLO_10 = (f'<hello xmlns="{NC}"><capabilities>'
                   f"<capability>{netconf.BASE_1_0}</capability></capabilities></hello>")
CLIENT_HELLO_11 = (f'<hello xmlns="{NC}"><capabilities>'
                   f"<capability>{netconf.BASE_1_0}</capability>"
                   f"<capability>{netconf.BASE_1_1}</capability></capabilities></hello>")


@pytest.fixture(scope="module")
def host_key(tmp_path_factory: pytest.TempPathFactory) -> asyncssh.SSHKey:
    return netconf.load_or_create_host_key(tmp_path_factory.mktemp("key") / "host_key")


@pytest.fixture
def serve(loop_thread: LoopThread, host_key: asyncssh.SSHKey
          ) -> Iterator[Callable[..., netconf.DeviceServer]]:
    """Start a server for a device (a fresh FakeDevice by default); stopped afterwards."""
    servers: list[netconf.DeviceServer] = []

    def start(device: FakeDevice | None = None, **kwargs: bool) -> netconf.DeviceServer:
        server = loop_thread.run(netconf.start_device_server(
            device or FakeDevice(), "127.0.0.1", 0, host_key, **kwargs))
        servers.append(server)
        return server

    yield start
    for server in servers:
        loop_thread.run(server.stop())


def connect(server: netconf.DeviceServer, **kwargs: object) -> manager.Manager:
    """ncclient the way ansible.netcommon's netconf connection does it."""
    options = {"username": "root", "password": "lab123", "look_for_keys": False,
               "allow_agent": False, "timeout": TIMEOUT, **kwargs}
    return manager.connect(host="127.0.0.1", port=server.port, hostkey_verify=False,
                           device_params={"name": "junos"}, **options)


def software_information(m: manager.Manager) -> etree._Element:
    """<software-information> from the reply (ncclient's junos handler strips namespaces)."""
    return m.rpc(etree.Element("get-software-information")).xpath("/rpc-reply/*")[0]


# -- raw client ------------------------------------------------------------------
class RawClient:
    """A NETCONF client over asyncssh that shows the exact bytes on the wire."""

    def __init__(self, conn: asyncssh.SSHClientConnection, writer: asyncssh.SSHWriter,
                 reader: asyncssh.SSHReader, server_hello: bytes):
        self.conn, self.writer, self.reader = conn, writer, reader
        self.server_hello = server_hello
        self.chunked = False

    @classmethod
    async def open(cls, port: int, hello: str | None = CLIENT_HELLO_11) -> RawClient:
        conn = await asyncssh.connect("127.0.0.1", port, username="root", password="lab123",
                                      known_hosts=None, client_keys=None)
        writer, reader, _ = await conn.open_session(subsystem="netconf", encoding=None)
        server_hello = await asyncio.wait_for(reader.readuntil(netconf.EOM), TIMEOUT)
        client = cls(conn, writer, reader, server_hello[:-len(netconf.EOM)])
        if hello is not None:
            writer.write(hello.encode() + netconf.EOM)
            client.chunked = netconf.BASE_1_1 in hello and netconf.BASE_1_1.encode() in server_hello
        return client

    def frame(self, message: bytes) -> bytes:
        return b"\n#%d\n%s\n##\n" % (len(message), message) if self.chunked \
            else message + netconf.EOM

    async def recv(self) -> bytes:
        if not self.chunked:
            data = await asyncio.wait_for(self.reader.readuntil(netconf.EOM), TIMEOUT)
            return data[:-len(netconf.EOM)]
        parts = []
        while True:
            header = await asyncio.wait_for(self.reader.readuntil(b"\n", 2), TIMEOUT)
            header += await asyncio.wait_for(self.reader.readuntil(b"\n"), TIMEOUT)
            if header == b"\n##\n":
                return b"".join(parts)
            size = int(re.fullmatch(rb"\n#(\d+)\n", header).group(1))
            parts.append(await asyncio.wait_for(self.reader.readexactly(size), TIMEOUT))

    async def call(self, message: str | bytes) -> etree._Element:
        self.writer.write(self.frame(message.encode() if isinstance(message, str) else message))
        return etree.fromstring(await self.recv())

    async def close(self) -> None:
        self.conn.close()
        await asyncio.wait_for(self.conn.wait_closed(), TIMEOUT)


def rpc(body: str, message_id: str = "1", extra: str = "") -> str:
    return f'<rpc xmlns="{NC}" message-id="{message_id}"{extra}>{body}</rpc>'


def error_tag(reply: etree._Element) -> str | None:
    return reply.findtext(f"{{{NC}}}rpc-error/{{{NC}}}error-tag")


# -- real clients ----------------------------------------------------------------
def test_ncclient_negotiates_base11_chunked_framing(serve):
    device = FakeDevice()
    server = serve(device)
    with connect(server) as m:
        assert m._session._base == NetconfBase.BASE_11
        assert ":candidate" in m.server_capabilities
        assert "http://xml.juniper.net/netconf/junos/1.0" in m.server_capabilities
        assert m.session_id == str(device.opened[0])
        assert software_information(m).findtext("host-name") == "srx-a"
        assert m.lock("candidate").xpath("/rpc-reply/ok")
        assert m.unlock("candidate").xpath("/rpc-reply/ok")
    assert device.calls == ["get-software-information", "lock", "unlock"]
    assert wait_for(lambda: device.closed == device.opened)


def test_ncclient_base10_framing_when_server_omits_base11(serve):
    server = serve(base11=False)
    with connect(server) as m:
        assert m._session._base == NetconfBase.BASE_10
        assert netconf.BASE_1_1 not in m.server_capabilities
        for _ in range(3):
            assert software_information(m).findtext("junos-version") == "23.4R1.9"


def test_pyez_open_rpc_close(serve):
    device = FakeDevice("srx-b")
    server = serve(device)
    dev = PyEZDevice(host="127.0.0.1", port=server.port, user="root", passwd="lab123",
                     gather_facts=False)
    dev.open()
    try:
        info = dev.rpc.get_software_information()
        assert info.findtext("host-name") == "srx-b"
        assert info.findtext("product-model") == "vsrx"
    finally:
        dev.close()
    assert wait_for(lambda: device.closed == [1])


def test_wrong_password_is_refused(serve):
    server = serve()
    with pytest.raises(AuthenticationError):
        connect(server, password="wrong")
    dev = PyEZDevice(host="127.0.0.1", port=server.port, user="root", passwd="wrong",
                     gather_facts=False)
    with pytest.raises(pyez_errors.ConnectAuthError):
        dev.open()


def test_public_key_auth(serve, tmp_path):
    authorized = asyncssh.generate_private_key("ssh-ed25519")
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    authorized.write_private_key(tmp_path / "id_ok")
    stranger.write_private_key(tmp_path / "id_other")
    device = FakeDevice(keys=[authorized.export_public_key().decode().strip()])
    server = serve(device)
    with connect(server, password=None, key_filename=str(tmp_path / "id_ok")) as m:
        assert software_information(m).findtext("host-name") == "srx-a"
    with pytest.raises(AuthenticationError):
        connect(server, password=None, key_filename=str(tmp_path / "id_other"))


def test_many_sequential_sessions(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)
    for _ in range(8):
        with connect(server) as m:
            software_information(m)

    async def raw_sessions() -> None:
        for i in range(40):
            client = await RawClient.open(server.port, CLIENT_HELLO_11 if i % 2 else CLIENT_HELLO_10)
            await client.call(rpc("<get-software-information/>"))
            await client.call(rpc("<close-session/>"))
            await client.close()

    loop_thread.run(raw_sessions(), timeout=60)
    assert device.opened == list(range(1, 49))
    assert wait_for(lambda: sorted(device.closed) == device.opened)


def test_dispatch_exception_becomes_rpc_error_and_session_survives(serve):
    server = serve()
    with connect(server) as m:
        with pytest.raises(RPCError, match="kaboom") as info:
            m.rpc(etree.Element("explode"))
        assert info.value.tag == "operation-failed"
        assert info.value.type == "application"
        assert info.value.severity == "error"
        assert software_information(m).findtext("host-name") == "srx-a"


def test_device_rpc_error_is_passed_through(serve):
    server = serve()
    with connect(server) as m, pytest.raises(RPCError, match="no rpc get-nothing"):
        m.rpc(etree.Element("get-nothing"))


def test_stop_drops_sessions_and_start_reuses_the_port(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)
    port = server.port
    m = connect(server)
    loop_thread.run(server.stop())
    assert device.closed == device.opened == [1]
    assert wait_for(lambda: not m.connected)
    with pytest.raises(SSHError, match="Could not open socket"):
        connect(server)
    loop_thread.run(server.start())
    assert server.port == port
    with connect(server) as m2:
        assert software_information(m2).findtext("host-name") == "srx-a"


def test_stopped_device_refuses_new_connections(serve):
    device = FakeDevice()
    server = serve(device)
    device.running = False
    with pytest.raises(SSHError):
        connect(server)
    assert device.opened == []


# -- wire level ------------------------------------------------------------------
def test_hello_advertises_capabilities_and_session_id(serve, loop_thread):
    server = serve()
    server10 = serve(base11=False)

    async def hellos() -> tuple[bytes, bytes]:
        clients = [await RawClient.open(s.port) for s in (server, server10)]
        for client in clients:
            await client.close()
        return clients[0].server_hello, clients[1].server_hello

    hello11, hello10 = loop_thread.run(hellos())
    caps = etree.fromstring(hello11).xpath("//*[local-name()='capability']/text()")
    assert caps[:2] == [netconf.BASE_1_0, netconf.BASE_1_1]
    assert caps.count(netconf.BASE_1_0) == 1
    assert "urn:ietf:params:netconf:capability:validate:1.0" in caps
    assert etree.fromstring(hello11).findtext(f"{{{NC}}}session-id") == "1"
    assert netconf.BASE_1_1.encode() not in hello10


@pytest.mark.parametrize("hello", [CLIENT_HELLO_10, CLIENT_HELLO_11], ids=["1.0", "1.1"])
def test_reply_copies_rpc_attributes_and_says_ok(serve, loop_thread, hello):
    server = serve()

    async def exchange() -> etree._Element:
        client = await RawClient.open(server.port, hello)
        reply = await client.call(rpc("<lock><target><candidate/></target></lock>", "42",
                                      ' xmlns:x="urn:x" x:tag="t" foo="bar"'))
        await client.close()
        return reply

    reply = loop_thread.run(exchange())
    assert reply.tag == f"{{{NC}}}rpc-reply"
    assert reply.nsmap[None] == NC
    assert reply.nsmap["junos"] == netconf.JUNOS_NS
    assert reply.get("message-id") == "42"
    assert reply.get("foo") == "bar"
    assert reply.get("{urn:x}tag") == "t"
    assert [child.tag for child in reply] == [f"{{{NC}}}ok"]


@pytest.mark.parametrize("hello", [CLIENT_HELLO_10, CLIENT_HELLO_11], ids=["1.0", "1.1"])
def test_malformed_xml_is_answered_and_session_continues(serve, loop_thread, hello):
    device = FakeDevice()
    server = serve(device)

    async def exchange() -> list[etree._Element]:
        client = await RawClient.open(server.port, hello)
        replies = [
            await client.call('<rpc message-id="7"><get-software-information></rpc>'),
            await client.call("<rpc><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"),
            await client.call(f'<hello xmlns="{NC}"/>'),
            await client.call(rpc("", "8")),
            await client.call(rpc("<a/><b/>", "9")),
            await client.call(rpc("<get-software-information/>", "10")),
        ]
        await client.close()
        return replies

    replies = loop_thread.run(exchange())
    assert [error_tag(r) for r in replies[:5]] == ["malformed-message"] * 5
    assert replies[0].get("message-id") == "7"
    assert [r.get("message-id") for r in replies[3:]] == ["8", "9", "10"]
    assert replies[5].findtext(f"{{{NC}}}software-information/{{{NC}}}host-name") == "srx-a"
    assert device.calls == ["get-software-information"]


def test_document_type_declarations_are_refused(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)
    doc = ("<!DOCTYPE rpc [<!ENTITY xxe SYSTEM 'file:///etc/hostname'>]>"
           + rpc("<echo>&xxe;</echo>", "3"))

    async def exchange() -> etree._Element:
        client = await RawClient.open(server.port)
        reply = await client.call(doc)
        await client.close()
        return reply

    reply = loop_thread.run(exchange())
    assert error_tag(reply) == "malformed-message"
    assert reply.get("message-id") == "3"
    assert device.calls == []


def test_chunked_messages_split_and_batched(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def exchange() -> list[bytes]:
        client = await RawClient.open(server.port)
        first = client.frame(rpc("<get-software-information/>", "1").encode())
        # the same message split into two chunks, then two messages in one write
        body = rpc("<lock/>", "2").encode()
        second = b"\n#5\n%s\n#%d\n%s\n##\n" % (body[:5], len(body) - 5, body[5:])
        third = client.frame(rpc("<unlock/>", "3").encode())
        for i in range(len(first)):
            client.writer.write(first[i:i + 1])
            await asyncio.sleep(0)
        client.writer.write(second + third)
        replies = [await client.recv() for _ in range(3)]
        await client.close()
        return replies

    replies = loop_thread.run(exchange())
    ids = [etree.fromstring(r).get("message-id") for r in replies]
    assert ids == ["1", "2", "3"]
    assert device.calls == ["get-software-information", "lock", "unlock"]


def test_utf8_payload_round_trips(serve, loop_thread):
    server = serve()

    async def exchange() -> etree._Element:
        client = await RawClient.open(server.port)
        reply = await client.call(rpc("<echo>münchen — ok</echo>", "5"))
        await client.close()
        return reply

    assert loop_thread.run(exchange()).findtext(f"{{{NC}}}echo") == "münchen — ok"


def test_framing_error_closes_the_session(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def exchange() -> bytes:
        client = await RawClient.open(server.port)
        client.writer.write(b"<rpc>not chunked at all</rpc>\n")
        rest = await asyncio.wait_for(client.reader.read(), TIMEOUT)
        await client.close()
        return rest

    assert loop_thread.run(exchange()) == b""
    assert wait_for(lambda: device.closed == [1])


def test_close_session_replies_ok_then_ends_channel(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def exchange() -> tuple[etree._Element, bytes]:
        client = await RawClient.open(server.port)
        reply = await client.call(rpc("<close-session/>", "11"))
        rest = await asyncio.wait_for(client.reader.read(), TIMEOUT)
        await client.close()
        return reply, rest

    reply, rest = loop_thread.run(exchange())
    assert reply.get("message-id") == "11"
    assert reply.find(f"{{{NC}}}ok") is not None
    assert rest == b""
    assert device.closed == [1]
    assert "close-session" not in device.calls


def test_abrupt_disconnect_closes_the_session(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def exchange() -> None:
        client = await RawClient.open(server.port)
        await client.call(rpc("<lock/>"))
        await client.close()

    loop_thread.run(exchange())
    assert wait_for(lambda: device.closed == [1])


def test_asynchronous_operation_keeps_replies_in_order(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def exchange() -> list[str]:
        client = await RawClient.open(server.port)
        client.writer.write(client.frame(rpc("<slow>0.3</slow>", "1").encode())
                            + client.frame(rpc("<get-software-information/>", "2").encode()))
        replies = [etree.fromstring(await client.recv()) for _ in range(2)]
        await client.close()
        return [r.get("message-id") + ":" + etree.QName(r[0]).localname for r in replies]

    assert loop_thread.run(exchange()) == ["1:slow-done", "2:software-information"]
    assert device.calls == ["slow", "slow-done", "get-software-information"]


def test_asynchronous_failure_becomes_rpc_error(serve):
    server = serve()
    with connect(server) as m:
        with pytest.raises(RPCError, match="late kaboom"):
            m.rpc(etree.Element("slow-explode"))
        assert software_information(m).findtext("host-name") == "srx-a"


@pytest.mark.parametrize("operation", ["drop", "slow-drop"])
def test_drop_session_cuts_the_connection_without_reply(serve, operation):
    device = FakeDevice()
    server = serve(device)
    m = connect(server, timeout=5)
    with pytest.raises(TransportError):
        m.rpc(etree.Element(operation))
    assert wait_for(lambda: device.closed == [1])
    assert wait_for(lambda: not m.connected)


def test_disconnect_during_an_operation_closes_the_session_after_it(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def fire_and_leave() -> None:
        client = await RawClient.open(server.port)
        client.writer.write(client.frame(rpc("<slow>0.3</slow>").encode()))
        await asyncio.sleep(0.05)
        await client.close()

    loop_thread.run(fire_and_leave())
    assert device.closed == []
    assert wait_for(lambda: device.closed == [1])
    assert device.calls == ["slow", "slow-done"]


def test_stop_cancels_operations_in_flight(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def fire_and_stop() -> None:
        client = await RawClient.open(server.port)
        client.writer.write(client.frame(rpc("<slow>5</slow>").encode()))
        await asyncio.sleep(0.1)
        await server.stop()

    loop_thread.run(fire_and_stop())
    assert device.closed == [1]
    assert device.calls == ["slow"]


def test_only_the_netconf_subsystem_is_served(serve, loop_thread):
    device = FakeDevice()
    server = serve(device)

    async def attempts() -> list[str]:
        outcomes = []
        async with asyncssh.connect("127.0.0.1", server.port, username="root",
                                    password="lab123", known_hosts=None,
                                    client_keys=None) as conn:
            for kwargs in ({"command": "xml-mode netconf need-trailer"}, {"subsystem": "sftp"},
                           {}):
                try:
                    await conn.create_session(asyncssh.SSHClientSession, **kwargs)
                    outcomes.append("accepted")
                except asyncssh.ChannelOpenError:
                    outcomes.append("refused")
        return outcomes

    assert loop_thread.run(attempts()) == ["refused"] * 3
    assert device.opened == []


def test_host_key_is_generated_once_and_reused(tmp_path):
    first = netconf.load_or_create_host_key(tmp_path / "state" / "key")
    second = netconf.load_or_create_host_key(tmp_path / "state" / "key")
    assert first.export_public_key() == second.export_public_key()
    assert (tmp_path / "state" / "key").stat().st_mode & 0o077 == 0
