# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One NETCONF session to one Junos device, with ncclient, for the fleet transaction.

The RPCs are the ones ``junipernetworks.junos.junos_config`` sends (lock, load set,
compare rollback 0, commit confirmed, confirm, rollback, unlock) plus
``get-commit-information``. Errors become :class:`DeviceError` with Junos's own messages,
keys masked. ncclient's own loggers are kept at WARNING: at INFO they print every RPC,
``$9$`` keys included, into ``ANSIBLE_LOG_PATH``.
"""
from __future__ import annotations

import contextlib
import logging
import re
from xml.sax.saxutils import escape

from .candidate import mask_secrets

try:
    from lxml import etree
    from ncclient import manager
    from ncclient.operations import RaiseMode, RPCError
    from ncclient.transport.errors import TransportError
except ImportError as _exc:  # reported when a session is opened
    IMPORT_ERROR: ImportError | None = _exc
else:
    IMPORT_ERROR = None

logging.getLogger("ncclient").setLevel(logging.WARNING)

PENDING_RE = re.compile(r"commit confirmed, rollback in (\d+) ?mins?")


class DeviceError(Exception):
    """A device could not do what was asked; the message is Junos's own, keys masked."""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text_of(root, name: str) -> str | None:
    for el in root.iter():
        if _local(el.tag) == name:
            return el.text or ""
    return None


def error_text(exc: BaseException) -> str:
    """Junos's error messages (lock holder, commit check...) of an exception, keys masked."""
    errors = getattr(exc, "errors", None) or [exc]
    parts = []
    for err in errors:
        message = " ".join(str(getattr(err, "message", None) or err).split())
        path = getattr(err, "path", None)
        info = getattr(err, "info", None) or ""
        statement = re.search(r"<bad-element>(.*?)</bad-element>", str(info))
        where = f" [{' '.join(str(path).split())}]" if path else ""
        what = f" ({statement.group(1).strip()})" if statement else ""
        parts.append(f"{message}{where}{what}")
    text = "; ".join(p for p in parts if p) or exc.__class__.__name__
    return mask_secrets(text)


class JunosSession:
    """One NETCONF session: ``s = JunosSession(name, params).open(); s.lock(); ...; s.close()``."""

    def __init__(self, name: str, params: dict, timeout: float = 60):
        self.name = name
        self.params = params
        self.timeout = timeout
        self.m = None
        self.locked = False
        self.rpcs = 0

    # -- session ---------------------------------------------------------------------
    def open(self) -> JunosSession:
        if IMPORT_ERROR is not None:
            raise DeviceError(f"ncclient and lxml are needed on the controller: {IMPORT_ERROR}")
        p = self.params
        try:
            self.m = manager.connect(
                host=p["host"], port=int(p.get("port") or 830), username=p.get("username"),
                password=p.get("password"), key_filename=p.get("key_filename"),
                hostkey_verify=bool(p.get("hostkey_verify", False)), look_for_keys=bool(p.get("key_filename")),
                # No password and no key given: the SSH agent's keys, as ssh itself would (AWX
                # loads a Machine credential's key into an agent).
                allow_agent=not (p.get("password") or p.get("key_filename")),
                device_params={"name": "junos"}, timeout=self.timeout)
        except Exception as exc:  # socket, SSH, authentication: all mean "cannot reach"
            raise DeviceError(f"cannot open a NETCONF session to {p['host']}:{p.get('port')}: "
                              f"{error_text(exc)}") from exc
        self.m.raise_mode = RaiseMode.ERRORS
        self.m.timeout = self.timeout
        return self

    def close(self) -> None:
        if self.m is None:
            return
        # Best effort: Junos discards the candidate and releases the lock when the session ends.
        with contextlib.suppress(DeviceError):
            if self.locked and self.m.connected:
                self.unlock()
        with contextlib.suppress(Exception):  # ncclient raises several kinds here
            if self.m.connected:
                self.m.close_session()
        self.m = None

    @property
    def connected(self) -> bool:
        return self.m is not None and self.m.connected

    # -- RPCs --------------------------------------------------------------------------
    def rpc(self, xml: str):
        """Send one RPC (XML text); return the reply's root element (namespaces kept)."""
        if not self.connected:
            raise DeviceError("the NETCONF session is closed")
        self.rpcs += 1
        try:
            reply = self.m.dispatch(etree.fromstring(xml))
        except RPCError as exc:
            raise DeviceError(error_text(exc)) from exc
        except TransportError as exc:
            raise DeviceError(f"the NETCONF session dropped: {error_text(exc) or 'closed by the device'}") from exc
        except Exception as exc:  # TimeoutExpiredError and the like
            raise DeviceError(f"{exc.__class__.__name__}: {error_text(exc)}") from exc
        root = getattr(reply, "_root", None)
        if root is None:
            root = etree.fromstring(str(reply).encode())
        return root

    def lock(self) -> None:
        self.rpc("<lock><target><candidate/></target></lock>")
        self.locked = True

    def unlock(self) -> None:
        self.locked = False
        self.rpc("<unlock><target><candidate/></target></unlock>")

    def config_set(self) -> str:
        root = self.rpc('<get-configuration format="set" database="committed"/>')
        text = _text_of(root, "configuration-set")
        if text is None:
            text = _text_of(root, "configuration-output") or ""
        return text

    def load_set(self, lines: list[str]) -> None:
        body = escape("\n".join(lines))
        self.rpc(f'<load-configuration action="set" format="text"><configuration-set>{body}'
                 "</configuration-set></load-configuration>")

    def compare(self, rollback: int = 0) -> str:
        """The candidate's Junos diff against ``rollback`` (``""``: no change)."""
        root = self.rpc(f'<get-configuration compare="rollback" rollback="{int(rollback)}" format="text"/>')
        return (_text_of(root, "configuration-output") or "").strip("\n")

    def discard(self) -> None:
        self.rpc("<discard-changes/>")

    def commit(self, comment: str, confirm_minutes: int = 0) -> None:
        confirmed = (f"<confirmed/><confirm-timeout>{int(confirm_minutes)}</confirm-timeout>"
                     if confirm_minutes else "")
        self.rpc(f"<commit-configuration>{confirmed}<log>{escape(comment)}</log></commit-configuration>")

    def load_rollback(self, n: int) -> None:
        self.rpc(f'<load-configuration rollback="{int(n)}"/>')

    def history(self) -> list[dict]:
        """``get-commit-information``: newest first, ``{sequence, user, client, date, comment, log}``."""
        root = self.rpc("<get-commit-information/>")
        out = []
        for item in root.iter():
            if _local(item.tag) != "commit-history":
                continue
            entry = {}
            for child in item:
                key = {"sequence-number": "sequence", "date-time": "date"}.get(_local(child.tag), _local(child.tag))
                entry[key] = " ".join((child.text or "").split())
            out.append(entry)
        return out


def pending_minutes(history: list[dict]) -> int | None:
    """Minutes left of a commit confirmed still waiting (``None``: nothing pending)."""
    if not history:
        return None
    m = PENDING_RE.search(history[0].get("comment", ""))
    return int(m.group(1)) if m else None
