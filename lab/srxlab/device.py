"""One emulated SRX: its configuration database, NETCONF sessions, locks, commits and RPCs.

Every RPC handler is a ``rpc_<name>`` method of :class:`Session` that returns the elements
to put inside ``<rpc-reply>``. Junos errors are returned as ``<rpc-error>`` elements built
by :func:`rpc_error`; ``severity="warning"`` ones accompany a successful reply.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable

from lxml import etree

from . import config as C
from . import messages as M
from .commit_check import commit_check
from .configdb import ConfigDB, junos_time
from .oprender import to_json
from .oprpc import OPERATIONAL_COMMANDS, OperationalRpcs
from .xmlutil import E, child_text, find_child, local_name, rpc_error

JUNOS_VERSION = "23.4R1.10"
JUNOS_NS = "http://xml.juniper.net/junos/23.4R1/junos"
CAPABILITIES = [
    "urn:ietf:params:netconf:base:1.0",
    "urn:ietf:params:netconf:capability:candidate:1.0",
    "urn:ietf:params:netconf:capability:confirmed-commit:1.0",
    "urn:ietf:params:netconf:capability:validate:1.0",
    "urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file",
    "urn:ietf:params:xml:ns:netconf:base:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:candidate:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:validate:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:url:1.0?scheme=http,ftp,file",
    "http://xml.juniper.net/netconf/junos/1.0",
    "http://xml.juniper.net/dmi/system/1.0",
]
_session_ids = itertools.count(1000)


class DropSession(Exception):
    """Raised by an RPC to make the transport drop the SSH session without a reply."""


def _config_error(exc: C.ConfigError) -> etree._Element:
    return rpc_error(exc.message, exc.severity, exc.edit_path, exc.statement)


class Device:
    """An emulated SRX of the lab."""

    def __init__(self, name: str, spec: dict, lab):
        self.name = name
        self.spec = spec
        self.lab = lab
        self.running = True
        self.model = spec.get("model", "vsrx")
        self.db = ConfigDB(lab.state_dir / "devices" / name, spec.get("factory_config", ""), name,
                           JUNOS_VERSION)
        self.sessions: dict[int, Session] = {}
        self.lock_holder: Session | None = None
        self.candidate_owner: Session | None = None  # who changed the shared candidate
        self.faults: dict[str, object] = {}
        self._confirm_timer = None
        self.confirm_deadline: float | None = None
        self._confirm_base: C.Node | None = None  # config to restore if not confirmed
        self.confirm_session: int | None = None  # session id that issued the pending commit confirmed
        self.listeners: list[Callable[[Device], None]] = []  # called after every commit

    # -- contract with the transport ----------------------------------------------------
    def check_password(self, username: str, password: str) -> bool:
        return username == self.spec.get("username", "root") and password == self.spec.get("password")

    def authorized_keys(self, username: str) -> list[str]:
        if username != self.spec.get("username", "root"):
            return []
        keys = []
        for path in ("system", "root-authentication"), ("system", "login", "user", username, "authentication"):
            node = self.db.committed.get(*path)
            if isinstance(node, C.Node):
                for kind in ("ssh-rsa", "ssh-ed25519"):
                    keys += [" ".join(k) for k, _ in (node.children.get(kind) or {}).items()]
        return keys + list(self.spec.get("authorized_keys", []))

    def capabilities(self) -> list[str]:
        return list(CAPABILITIES)

    def new_session(self, username: str) -> Session:
        session = Session(self, username)
        self.sessions[session.session_id] = session
        return session

    # -- facts ----------------------------------------------------------------------------
    @property
    def host_name(self) -> str:
        return self.db.committed.get("system", "host-name") or self.name

    # -- commit machinery -----------------------------------------------------------------
    def commit(self, tree: C.Node, user: str, comment: str, confirm_minutes: int = 0,
               session_id: int | None = None) -> None:
        tree = tree.copy()
        tree.children["version"] = C.Leaf(JUNOS_VERSION)  # Junos stamps its release on commit
        if confirm_minutes:
            if self._confirm_base is None:
                self._confirm_base = self.db.committed.copy()
            self._arm_confirm(confirm_minutes)
            self.confirm_session = session_id
        else:
            self._disarm_confirm()
        self.db.commit(tree, user, "netconf", comment, confirm_minutes)
        self._committed()

    def _arm_confirm(self, minutes: int) -> None:
        if self._confirm_timer is not None:
            self._confirm_timer.cancel()
        delay = minutes * 60 * self.lab.time_scale
        self.confirm_deadline = time.time() + delay
        self._confirm_timer = self.lab.call_later(delay, self._auto_rollback)

    def _disarm_confirm(self) -> None:
        if self._confirm_timer is not None:
            self._confirm_timer.cancel()
        self._confirm_timer = None
        self.confirm_deadline = None
        self._confirm_base = None
        self.confirm_session = None

    def _auto_rollback(self, comment: str = "automatic rollback: commit confirmed was not confirmed") -> None:
        base = self._confirm_base
        self._disarm_confirm()
        if base is None:
            return
        self.db.commit(base, "root", "other", comment, kind="rollback")
        self._committed()

    def _committed(self) -> None:
        if self.candidate_owner is None or self.lock_holder is None:
            self.db.candidate = self.db.committed.copy()
            self.candidate_owner = None
        for listener in list(self.listeners):
            listener(self)

    def pending_confirm_minutes(self) -> int | None:
        if self.confirm_deadline is None:
            return None
        return max(0, round((self.confirm_deadline - time.time()) / (60 * self.lab.time_scale)))

    def shutdown(self) -> None:
        if self._confirm_timer is not None:
            self._confirm_timer.cancel()
        for session in list(self.sessions.values()):
            session.close()

    def stop(self) -> None:
        """`srxlab stop DEVICE`: sessions dropped, peers lose it (DPD)."""
        self.running = False
        for session in list(self.sessions.values()):
            session.close()
        self.lab.protocols.topology_changed(self.name)

    def start(self) -> None:
        self.running = True
        self.lab.protocols.topology_changed(self.name)


class Session(OperationalRpcs):
    """One NETCONF session on a device."""

    def __init__(self, device: Device, username: str):
        self.device = device
        self.username = username
        self.session_id = next(_session_ids)
        self.private: C.Node | None = None
        self.started = time.time()
        self.closed = False
        self.on_kill: Callable[[], None] | None = None  # set by the transport: cut the connection

    # -- plumbing -------------------------------------------------------------------------
    @property
    def db(self) -> ConfigDB:
        return self.device.db

    def dispatch(self, rpc: etree._Element):
        name = local_name(rpc.tag)
        handler = getattr(self, "rpc_" + name.replace("-", "_"), None)
        if handler is None:
            return [rpc_error(M.UNKNOWN_RPC.format(rpc=name), bad_element=name)]
        result = handler(rpc)
        if result is None:
            return []
        if asyncio.iscoroutine(result):
            return result
        result = result if isinstance(result, list) else [result]
        if rpc.get("format") == "json" and result and not isinstance(result[0], str) \
                and result[0].tag != "rpc-error":
            return [json.dumps(to_json(result[0]), indent=4)]  # Junos answers JSON as reply text
        return result

    def close(self) -> None:
        """The session ends (close-session, dropped connection, kill-session, device stop).

        As on Junos: the changes of a session that holds the lock are discarded with it,
        a private candidate goes away, and changes made to the shared candidate WITHOUT a
        lock stay there (the shared database keeps them until someone commits or discards
        them; meanwhile a lock is refused with "configuration database modified"). A
        pending commit confirmed keeps running: only its timer or a confirmation ends it.
        """
        if self.closed:
            return
        self.closed = True
        dev = self.device
        if dev.lock_holder is self:
            dev.lock_holder = None
            self._discard_shared()
        self.private = None
        dev.sessions.pop(self.session_id, None)

    def kill(self) -> None:
        """Ended by another session's <kill-session>: its uncommitted changes are rolled back
        and, when the commit confirmed still pending is its own, the configuration returns
        at once to what it was before that commit (Junos "Terminate a NETCONF Session")."""
        dev = self.device
        if dev.confirm_session == self.session_id:
            dev._auto_rollback("rollback: session that issued commit confirmed was killed")
        if dev.candidate_owner is self and dev.lock_holder in (None, self):
            self._discard_shared()
        self.close()
        if self.on_kill is not None:
            self.on_kill()

    def _discard_shared(self) -> None:
        dev = self.device
        dev.db.candidate = dev.db.committed.copy()
        dev.candidate_owner = None

    # -- candidate access ---------------------------------------------------------------
    @property
    def candidate(self) -> C.Node:
        return self.private if self.private is not None else self.db.candidate

    def _locked_by_other(self) -> etree._Element | None:
        holder = self.device.lock_holder
        if holder is not None and holder is not self:
            return rpc_error(M.LOCKED_BY.format(user=holder.username, session_id=holder.session_id,
                                                since=junos_time(holder.started)),
                             tag="lock-denied")
        return None

    def _modified_by_other(self) -> bool:
        """The shared candidate holds another session's uncommitted changes (that session may
        have ended: the shared database keeps them). A candidate brought back to the committed
        configuration (rollback 0, a load that undoes the change) is not modified."""
        dev = self.device
        owner = dev.candidate_owner
        if owner is None or owner is self:
            return False
        if dev.db.candidate == dev.db.committed:
            dev.candidate_owner = None
            return False
        return True

    def _writable(self) -> etree._Element | None:
        if self.private is not None:
            return None
        return self._locked_by_other()

    # -- locking ---------------------------------------------------------------------------
    def rpc_lock(self, rpc):
        target = find_child(rpc, "target")
        if target is not None and find_child(target, "candidate") is None:
            return rpc_error(M.LOCK_TARGET_UNSUPPORTED, tag="operation-not-supported")
        return self._lock()

    rpc_lock_configuration = rpc_lock

    def _lock(self):
        err = self._locked_by_other()
        if err is not None:
            return err
        if self._modified_by_other():
            return rpc_error(M.DATABASE_MODIFIED, tag="lock-denied")
        self.device.lock_holder = self
        return []

    def rpc_unlock(self, rpc):
        dev = self.device
        if dev.lock_holder is not self:
            return rpc_error(M.NOT_LOCKED, tag="operation-failed")
        dev.lock_holder = None
        if dev.candidate_owner in (self, None) and self.db.candidate != self.db.committed:
            self._discard_shared()
        return []

    rpc_unlock_configuration = rpc_unlock

    def rpc_open_configuration(self, rpc):
        if find_child(rpc, "private") is not None:
            err = self._locked_by_other()
            if err is not None:
                return err
            if self._modified_by_other():
                return rpc_error(M.SHARED_DATABASE_MODIFIED)
            self.private = self.db.committed.copy()
            return []
        if find_child(rpc, "exclusive") is not None:
            return self._lock()
        return []  # shared

    def rpc_close_configuration(self, rpc):
        self.private = None
        if self.device.lock_holder is self:
            return self.rpc_unlock(rpc)
        return []

    def rpc_kill_session(self, rpc):
        """<kill-session><session-id>N</session-id></kill-session> (RFC 6241 7.9)."""
        sid = (child_text(rpc, "session-id", "") or "").strip()
        target = self.device.sessions.get(int(sid)) if sid.isdigit() else None
        if sid == str(self.session_id):
            return rpc_error(M.KILL_OWN_SESSION, tag="invalid-value", bad_element=sid)
        if target is None:
            return rpc_error(M.KILL_NO_SESSION.format(session_id=sid), tag="invalid-value", bad_element=sid)
        target.kill()
        return []

    # -- load ------------------------------------------------------------------------------
    def _drop_at(self, stage: str) -> None:
        """The ``drop-session STAGE`` fault: drop this session, once, at ``stage``."""
        faults = self.device.faults
        if faults.get("drop-session") == stage:
            faults.pop("drop-session")
            raise DropSession()

    def rpc_load_configuration(self, rpc):
        self._drop_at("load")
        err = self._writable()
        if err is not None:
            return err
        action = rpc.get("action", "merge")
        fmt = rpc.get("format", "xml")
        rollback = rpc.get("rollback")
        if rollback is not None:
            try:
                tree = self.db.rollback(int(rollback)).copy()
            except (ValueError, IndexError):
                return rpc_error(M.BAD_ROLLBACK.format(n=rollback), bad_element=rollback)
            self._replace_candidate(tree)
            return E("load-configuration-results", None, E("ok"))
        work = self.candidate.copy()
        errors: list[C.ConfigError] = []
        try:
            if action == "set" or find_child(rpc, "configuration-set") is not None:
                body = find_child(rpc, "configuration-set")
                errors = C.load_set(work, (body.text or "") if body is not None else (rpc.text or ""))
            elif fmt == "text" or find_child(rpc, "configuration-text") is not None:
                body = find_child(rpc, "configuration-text")
                text = body.text if body is not None else rpc.text
                work = self._load_tree(work, action, lambda into, mode: C.parse_text(text or "", into, mode))
            elif fmt == "json" or find_child(rpc, "configuration-json") is not None:
                body = find_child(rpc, "configuration-json")
                text = body.text if body is not None else rpc.text
                work = self._load_tree(work, action,
                                       lambda into, mode: C.parse_json(json.loads(text or "{}"), into, mode))
            else:
                body = find_child(rpc, "configuration")
                if body is None:
                    return rpc_error(M.LOAD_NO_DATA)
                work = self._load_tree(work, action, lambda into, mode: C.parse_xml(body, into, mode))
        except C.ConfigError as exc:
            errors = [exc]
        except (ValueError, json.JSONDecodeError) as exc:
            errors = [C.ConfigError(f"syntax error: {exc}")]
        hard = [e for e in errors if e.severity == "error"]
        if hard:
            return E("load-configuration-results", None, *[_config_error(e) for e in errors],
                     E("load-error-count", str(len(hard))))
        self._replace_candidate(work)
        return E("load-configuration-results", None, *[_config_error(e) for e in errors], E("ok"))

    @staticmethod
    def _load_tree(work: C.Node, action: str, parse) -> C.Node:
        if action in ("override", "update"):
            return parse(C.Node(), "merge")
        return parse(work, action)

    def _replace_candidate(self, tree: C.Node) -> None:
        if self.private is not None:
            self.private = tree
            return
        dev = self.device
        if tree != dev.db.candidate:
            dev.db.candidate = tree
            dev.candidate_owner = self

    def rpc_edit_config(self, rpc):
        self._drop_at("load")
        config = find_child(rpc, "config")
        body = find_child(config, "configuration") if config is not None else None
        if body is None:
            return rpc_error(M.LOAD_NO_DATA)
        op = child_text(rpc, "default-operation", "merge")
        err = self._writable()
        if err is not None:
            return err
        try:
            work = self._load_tree(self.candidate.copy(), "override" if op == "replace" else "merge",
                                   lambda into, mode: C.parse_xml(body, into, mode))
        except C.ConfigError as exc:
            return _config_error(exc)
        self._replace_candidate(work)
        return []

    def rpc_discard_changes(self, rpc):
        if self.private is not None:
            self.private = self.db.committed.copy()
            return []
        err = self._locked_by_other()
        if err is not None:
            return err
        self._discard_shared()
        return []

    # -- read ------------------------------------------------------------------------------
    def rpc_get_configuration(self, rpc):
        database = rpc.get("database", "candidate")
        tree = self.db.committed if database == "committed" else self.candidate
        fmt = rpc.get("format", "xml")
        if rpc.get("compare") == "rollback":
            try:
                old = self.db.rollback(int(rpc.get("rollback", "0")))
            except (ValueError, IndexError):
                return rpc_error(M.BAD_ROLLBACK.format(n=rpc.get("rollback")))
            text = C.diff(old, tree) or "\n"
            return E("configuration-information", None, E("configuration-output", text))
        flt = find_child(rpc, "configuration")
        if flt is not None and len(flt):
            tree = C.filter_tree(tree, flt)
        return self._render_config(tree, fmt)

    def _render_config(self, tree: C.Node, fmt: str):
        last = self.db.history[0]
        if fmt == "text":
            head = f"## Last commit: {junos_time(last.epoch)} by {last.user}\n"
            return E("configuration-text", head + C.to_text(tree))
        if fmt == "set":
            return E("configuration-set", C.to_set(tree))
        if fmt == "json":
            return json.dumps(C.to_json(tree), indent=4)
        el = C.to_xml(tree)
        el.set(f"{{{JUNOS_NS}}}commit-seconds", str(int(last.epoch)))
        el.set(f"{{{JUNOS_NS}}}commit-localtime", junos_time(last.epoch))
        el.set(f"{{{JUNOS_NS}}}commit-user", last.user)
        return el

    def rpc_get_config(self, rpc):
        source = find_child(rpc, "source")
        running = source is not None and find_child(source, "running") is not None
        tree = self.db.committed if running else self.candidate
        flt = find_child(rpc, "filter")
        cfg = find_child(flt, "configuration") if flt is not None else None
        if cfg is not None and len(cfg):
            tree = C.filter_tree(tree, cfg)
        return E("data", None, C.to_xml(tree))

    def rpc_get_software_information(self, rpc):
        return E("software-information", None,
                 E("host-name", self.device.host_name),
                 E("product-model", self.device.model),
                 E("product-name", self.device.model),
                 E("junos-version", JUNOS_VERSION),
                 E("package-information", None, E("name", "junos"),
                   E("comment", f"JUNOS Software Release [{JUNOS_VERSION}]")))

    def rpc_get_commit_information(self, rpc):
        out = E("commit-information")
        pending = self.device.pending_confirm_minutes()
        for i, rec in enumerate(self.db.history):
            item = E("commit-history", None,
                     E("sequence-number", str(i)), E("user", rec.user), E("client", rec.client),
                     E("date-time", junos_time(rec.epoch), **{f"{{{JUNOS_NS}}}seconds": str(int(rec.epoch))}))
            if i == 0 and pending is not None:
                item.append(E("comment", f"commit confirmed, rollback in {pending}mins"))
            if rec.comment:
                item.append(E("log", rec.comment))
            out.append(item)
        return out

    def rpc_get_chassis_inventory(self, rpc):
        serial = f"SRXLAB{abs(hash(self.device.name)) % 10**8:08d}"
        return E("chassis-inventory", None, E("chassis", None, E("name", "Chassis"),
                 E("serial-number", serial), E("description", self.device.model.upper())))

    def rpc_get_system_uptime_information(self, rpc):
        return E("system-uptime-information", None, E("current-time", None,
                 E("date-time", junos_time(time.time()))))

    # -- validate / commit -----------------------------------------------------------------
    def _check(self, tree: C.Node) -> list[etree._Element]:
        return [rpc_error(f.message, path=f.edit_path, bad_element=f.statement, error_type="application",
                          tag="invalid-value") for f in commit_check(tree)]

    def rpc_validate(self, rpc):
        errors = self._check(self.candidate)
        if errors:
            return [*errors, rpc_error(M.CHECKOUT_FAILED, error_type="application")]
        return []

    def rpc_commit_configuration(self, rpc):
        err = self._writable()
        if err is not None:
            return E("commit-results", None, err)
        errors = self._check(self.candidate)
        if errors:
            return E("commit-results", None, *errors, rpc_error(M.CHECKOUT_FAILED, error_type="application"))
        if find_child(rpc, "check") is not None:
            return E("commit-results", None, E("routing-engine", None, E("name", "re0"), E("commit-check-success")))
        minutes = 0
        if find_child(rpc, "confirmed") is not None:
            try:
                minutes = int(child_text(rpc, "confirm-timeout", "10") or "10")
            except ValueError:
                minutes = 0
            if not 1 <= minutes <= 65535:
                return rpc_error(M.BAD_CONFIRM_TIMEOUT, bad_element=child_text(rpc, "confirm-timeout"))
        comment = child_text(rpc, "log", "") or ""
        return self._commit(minutes, comment)

    def rpc_commit(self, rpc):
        """NETCONF base <commit/> (confirm-timeout in seconds, as RFC 6241 says)."""
        err = self._writable()
        if err is not None:
            return err
        errors = self._check(self.candidate)
        if errors:
            return [*errors, rpc_error(M.CHECKOUT_FAILED, error_type="application")]
        minutes = 0
        if find_child(rpc, "confirmed") is not None:
            minutes = max(1, round(int(child_text(rpc, "confirm-timeout", "600") or "600") / 60))
        result = self._commit(minutes, "")
        return result if asyncio.iscoroutine(result) else []

    def _commit(self, minutes: int, comment: str):
        faults = self.device.faults
        self._drop_at("commit")
        if faults.get("fail-commit"):
            message = faults.pop("fail-commit")
            return E("commit-results", None, rpc_error(message, error_type="application"),
                     rpc_error(M.CHECKOUT_FAILED, error_type="application"))
        delay = float(faults.get("delay-commit") or 0)
        if delay:
            return self._commit_later(delay * self.device.lab.time_scale, minutes, comment)
        return self._do_commit(minutes, comment)

    async def _commit_later(self, delay: float, minutes: int, comment: str):
        await asyncio.sleep(delay)
        return [self._do_commit(minutes, comment)]

    def _do_commit(self, minutes: int, comment: str):
        dev = self.device
        tree = self.candidate
        dev.commit(tree, self.username, comment, minutes, session_id=self.session_id)
        if self.private is not None:
            self.private = dev.db.committed.copy()
        elif dev.candidate_owner is self or dev.candidate_owner is None:
            dev.db.candidate = dev.db.committed.copy()
            dev.candidate_owner = None
        re0 = E("routing-engine", None, E("name", "re0"), E("commit-success"))
        if minutes:
            return E("commit-results", None, re0, E("output", M.CONFIRMED_OUTPUT.format(minutes=minutes)))
        return E("commit-results", None, re0)

    # -- CLI commands ----------------------------------------------------------------------
    def rpc_command(self, rpc):
        line = (rpc.text or "").strip()
        fmt = rpc.get("format", "xml")
        for pattern, method in COMMANDS:
            m = pattern.match(line)
            if m:
                return getattr(self, method)(m, fmt)
        return rpc_error(M.UNKNOWN_COMMAND.format(command=line), bad_element=line.split()[0] if line else "")

    def cmd_show_configuration(self, m, fmt):
        words = C.tokenize_line(m.group("path") or "")
        display = (m.group("display") or "").strip()
        try:
            sub, obj = C.filter_by_path(self.db.committed, words)
        except C.ConfigError as exc:
            if exc.severity == "error":      # not a statement of the hierarchy: syntax error
                return _config_error(exc)
            sub, obj = C.Node(), None         # a valid statement that is not configured: empty output
        if obj is None:
            if display == "set" or fmt == "set":
                return E("output", "\n") if fmt == "text" else E("configuration-set", "\n")
            if display in ("xml", "json") or fmt in ("xml", "json"):
                return self._render_config(sub, display or fmt)
            return E("configuration-information", None, E("configuration-output", "\n"))
        if display == "set" or fmt == "set":
            text = C.to_set(sub)
            return E("output", text) if fmt == "text" else E("configuration-set", text)
        if display == "xml" or (fmt == "xml" and not display):
            return self._render_config(sub, "xml")
        if display == "json" or fmt == "json":
            return self._render_config(sub, "json")
        if not words:
            text = self._render_config(sub, "text").text
        elif isinstance(obj, C.Node):
            text = "\n".join(C.text_lines(obj)) + "\n"
        else:  # one statement: shown alone, `host-name srx-a;`
            t = C.resolve(sub, words, create=False)
            one = C.Node(t.parent.schema)
            one.children[t.name] = obj
            text = C.to_text(one)
        return E("configuration-information", None, E("configuration-output", text))

    def cmd_show_system_commit(self, m, fmt):
        if fmt != "text":
            return self.rpc_get_commit_information(None)
        lines = []
        pending = self.device.pending_confirm_minutes()
        for i, rec in enumerate(self.db.history):
            extra = f" commit confirmed, rollback in {pending}mins" if i == 0 and pending is not None else ""
            lines.append(f"{i:<4}{junos_time(rec.epoch)} by {rec.user} via {rec.client}{extra}")
            if rec.comment:
                lines.append(f"    {rec.comment}")
        return E("output", "\n".join(lines) + "\n")

    def cmd_show_version(self, m, fmt):
        if fmt != "text":
            return self.rpc_get_software_information(None)
        dev = self.device
        return E("output", f"Hostname: {dev.host_name}\nModel: {dev.model}\nJunos: {JUNOS_VERSION}\n"
                           f"JUNOS Software Release [{JUNOS_VERSION}]\n")


COMMANDS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^show configuration(?P<path>(?:\s+(?!\|)\S+)*)\s*(?:\|\s*display\s+(?P<display>set|xml|json))?\s*$"),
     "cmd_show_configuration"),
    (re.compile(r"^show system commit\s*$"), "cmd_show_system_commit"),
    (re.compile(r"^show version\s*$"), "cmd_show_version"),
    *OPERATIONAL_COMMANDS,
]
