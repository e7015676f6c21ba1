"""Test doubles for the lab transport tests: a fake device/lab and a loop in a thread.

The fakes follow the duck-typed contract of ``srxlab.device.Device`` and
``srxlab.lab.Lab`` so the NETCONF server and the daemon can be tested without the
Junos model.  Real clients (ncclient, junos-eznc) are synchronous, so servers run
on a loop in a background thread and the tests talk to them from the main thread.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from lxml import etree
from srxlab.device import DropSession

TIMEOUT = 20.0


class FakeSession:
    """Echo-ish session: software information, echo, lock/unlock (ok), ``explode`` (raises),
    ``drop`` (DropSession), ``slow*`` (awaitable results), anything else an rpc-error."""

    def __init__(self, device: FakeDevice, session_id: int, username: str):
        self.device = device
        self.session_id = session_id
        self.username = username

    def dispatch(self, operation: etree._Element) -> list[etree._Element]:
        name = etree.QName(operation).localname
        self.device.calls.append(name)
        if name == "get-software-information":
            info = etree.Element("software-information")
            for tag, text in (("host-name", self.device.name), ("product-model", "vsrx"),
                              ("junos-version", "23.4R1.9")):
                etree.SubElement(info, tag).text = text
            return [info]
        if name == "explode":
            raise RuntimeError("kaboom")
        if name == "drop":
            raise DropSession()
        if name.startswith("slow"):
            return self._slow(name, float(operation.text or 0.2))
        if name == "echo":
            return [operation]
        if name in ("lock", "unlock", "lock-configuration", "unlock-configuration"):
            return []
        error = etree.Element("rpc-error")
        for tag, text in (("error-type", "protocol"), ("error-tag", "operation-not-supported"),
                          ("error-severity", "error"), ("error-message", f"no rpc {name}")):
            etree.SubElement(error, tag).text = text
        return [error]

    async def _slow(self, name: str, seconds: float) -> list[etree._Element]:
        """An operation that takes lab time; ``slow-drop``/``slow-explode`` then fail."""
        await asyncio.sleep(seconds)
        self.device.calls.append(f"{name}-done")
        if name == "slow-drop":
            raise DropSession()
        if name == "slow-explode":
            raise RuntimeError("late kaboom")
        return [etree.Element("slow-done")]

    def close(self) -> None:
        self.device.closed.append(self.session_id)


class FakeDevice:
    """Credentials root/lab123 (and optional authorized keys), numbered sessions."""

    def __init__(self, name: str = "srx-a", keys: list[str] | None = None):
        self.name = name
        self.running = True
        self.keys = keys or []
        self.calls: list[str] = []
        self.opened: list[int] = []
        self.closed: list[int] = []
        self._ids = itertools.count(1)

    def check_password(self, username: str, password: str) -> bool:
        return (username, password) == ("root", "lab123")

    def authorized_keys(self, username: str) -> list[str]:
        return self.keys if username == "root" else []

    def new_session(self, username: str) -> FakeSession:
        session = FakeSession(self, next(self._ids), username)
        self.opened.append(session.session_id)
        return session

    def stop(self) -> None:
        self.running = False

    def start(self) -> None:
        self.running = True

    def capabilities(self) -> list[str]:
        return ["urn:ietf:params:netconf:base:1.0",
                "urn:ietf:params:netconf:capability:candidate:1.0",
                "urn:ietf:params:netconf:capability:confirmed-commit:1.0",
                "urn:ietf:params:netconf:capability:validate:1.0",
                "http://xml.juniper.net/netconf/junos/1.0"]


class FakeLab:
    """The ``Lab`` contract: devices, control(), shutdown()."""

    def __init__(self, names: tuple[str, ...] = ("srx-a", "srx-b")):
        self.devices = {name: FakeDevice(name) for name in names}
        self.requests: list[dict[str, Any]] = []
        self.shut_down = False

    def control(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        op = request["op"]
        if op == "settled":
            return {"ok": True, "settled": True}
        if op == "explode":
            raise RuntimeError("lab bug")
        return {"ok": False, "error": f"unknown op {op}"}

    def shutdown(self) -> None:
        self.shut_down = True


class LoopThread:
    """An asyncio loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = TIMEOUT) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, func: Any, *args: Any) -> Any:
        async def wrapper() -> Any:
            return func(*args)
        return self.run(wrapper())

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(TIMEOUT)
        self.loop.close()


def wait_for(predicate: Callable[[], Any], timeout: float = TIMEOUT) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes; True if it became true."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True
