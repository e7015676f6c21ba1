"""strongSwan charon and BIRD 2 for one device, inside its network namespace.

Each charon runs in a private mount namespace whose /run is the device's own directory
(charon's pid file lives there), with its own ``STRONGSWAN_CONF``, ``SWANCTL_DIR`` and vici
socket, and the ``kernel-libipsec`` plugin: ESP in userspace over a TUN device, since this
kernel has no XFRM. Each BIRD has its own control socket.
"""
from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time

import vici

from ..cli import stop_process

log = logging.getLogger("srxlab.real.daemons")

CHARON_CANDIDATES = ("/usr/lib/ipsec/charon", "/usr/libexec/ipsec/charon", "/usr/lib/strongswan/charon")
SOCKET_PATH_MAX = 107       # sun_path holds 108 bytes with the terminating NUL
START_TIMEOUT = 60.0   # a loaded 2-core CI machine has seen charon take over 15 s
CMD_TIMEOUT = 20
VICI_TIMEOUT = 10.0
CHARON_PLUGINS = ("random nonce openssl pem pkcs1 x509 pubkey aes sha1 sha2 md5 hmac gmp gcm kdf "
                  "kernel-libipsec kernel-netlink socket-default vici")


class DaemonError(RuntimeError):
    pass


def charon_path() -> str:
    for path in CHARON_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    raise DaemonError("strongSwan charon not found (install strongswan-charon, strongswan-swanctl, "
                      "libcharon-extra-plugins and bird2: scripts/install-real-backend)")


def require_tools() -> None:
    charon_path()
    for tool in ("swanctl", "bird", "birdc", "ip", "unshare", "ping"):
        if shutil.which(tool) is None:
            raise DaemonError(f"{tool} not found (scripts/install-real-backend installs the real backend's tools)")


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        stop_process(proc)


def _wait_for(path: pathlib.Path, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not path.exists():
        if proc.poll() is not None:
            raise DaemonError(f"{what} exited with status {proc.returncode}")
        if time.monotonic() > deadline:
            raise DaemonError(f"{what} did not open {path} within {START_TIMEOUT:.0f} s")
        time.sleep(0.05)


def kill_stale(workdir: pathlib.Path) -> list[int]:
    """Stop the daemons a lab process that died without cleaning up left under ``workdir``
    (their pid files; a pid is only signalled while its command line or environment still
    names ``workdir``). Returns the pids signalled."""
    marker = str(workdir).encode()
    killed = []
    for pidfile in [*workdir.glob("*/run/charon.pid"), *workdir.glob("*/bird.pid")]:
        try:
            pid = int(pidfile.read_text().split()[0])
            proc = pathlib.Path(f"/proc/{pid}")
            if marker not in (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes():
                continue
            os.kill(pid, signal.SIGTERM)
            killed.append(pid)
        except (OSError, ValueError, IndexError):
            continue
    deadline = time.monotonic() + 5
    while killed and time.monotonic() < deadline and any(pathlib.Path(f"/proc/{p}").exists() for p in killed):
        time.sleep(0.05)
    return killed


class _Daemon:
    """One daemon in a device's namespace, reached through its control socket."""

    name = "daemon"

    def __init__(self, ns: str, workdir: pathlib.Path, socket: str, log_file: str):
        self.ns = ns
        self.dir = workdir
        self.socket = workdir / socket
        self.log = workdir / log_file
        self.proc: subprocess.Popen | None = None

    def _spawn(self, argv: list[str], **popen) -> None:
        """Start ``argv`` and wait until its control socket exists."""
        if len(os.fsencode(self.socket)) > SOCKET_PATH_MAX:
            raise DaemonError(f"{self.name} in {self.ns}: the control socket path {self.socket} is longer than "
                              f"{SOCKET_PATH_MAX} bytes (a Unix socket limit): use a shorter --state-dir")
        self.socket.unlink(missing_ok=True)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True, **popen)
        _wait_for(self.socket, self.proc, f"{self.name} in {self.ns}")
        log.info("%s in %s: pid %d", self.name, self.ns, self.proc.pid)

    def stop(self) -> None:
        _stop(self.proc)
        self.socket.unlink(missing_ok=True)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None


class Charon(_Daemon):
    name = "charon"

    def __init__(self, ns: str, workdir: pathlib.Path):
        super().__init__(ns, workdir, "charon.vici", "charon.log")
        self.run_dir = workdir / "run"
        self.swanctl_dir = workdir / "swanctl"
        self.conf = workdir / "strongswan.conf"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "STRONGSWAN_CONF": str(self.conf), "SWANCTL_DIR": str(self.swanctl_dir)}

    def write_conf(self) -> None:
        self.conf.write_text(
            "# generated by srxlab: one charon per emulated device\n"
            "charon {\n"
            f"  load = {CHARON_PLUGINS}\n"
            "  install_virtual_ip = no\n"
            "  retransmit_tries = 3\n"
            "  retransmit_timeout = 2.0\n"
            "  i_dont_care_about_security_and_use_aggressive_mode_psk = yes\n"
            "  filelog {\n"
            "    device {\n"
            f"      path = {self.log}\n"
            "      time_format = %Y-%m-%d %H:%M:%S\n"
            "      ike_name = yes\n"
            "      flush_line = yes\n"
            "      default = 1\n"
            "    }\n"
            "  }\n"
            f"  plugins {{\n    vici {{\n      socket = unix://{self.socket}\n    }}\n  }}\n"
            "}\n"
            "swanctl {\n"
            "  load = pem pkcs1 x509 pubkey random openssl\n"
            f"  socket = unix://{self.socket}\n"
            "}\n")

    def start(self) -> None:
        for d in (self.run_dir, self.swanctl_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.write_conf()
        self._spawn(["ip", "netns", "exec", self.ns, "unshare", "--mount", "--propagation", "private",
                     "sh", "-c", 'mount --bind "$1" /run && exec "$2"', "sh", str(self.run_dir), charon_path()],
                    env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def load(self, conf_text: str) -> None:
        """Write swanctl.conf (mode 0600: it holds the keys) and load it (connections and
        secrets not in it any more are unloaded)."""
        path = self.swanctl_dir / "swanctl.conf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(conf_text)
        proc = subprocess.run(["swanctl", "--load-all", "--noprompt", "--file", str(path),
                               "--uri", f"unix://{self.socket}"],
                              env=self.env, check=False, capture_output=True, text=True, timeout=CMD_TIMEOUT)
        failed = [ln for ln in proc.stdout.splitlines() if "failed" in ln and "opening directory" not in ln]
        if proc.returncode != 0 or failed:
            raise DaemonError(f"swanctl --load-all in {self.ns}: " + "; ".join(failed or [proc.stderr.strip()]))

    def session(self) -> vici.Session:
        sock = socket.socket(socket.AF_UNIX)
        sock.settimeout(VICI_TIMEOUT)
        sock.connect(str(self.socket))
        return vici.Session(sock)

    def list_sas(self) -> list[dict]:
        """``[{connection: {...}}]`` as vici list-sas streams them."""
        session = self.session()
        try:
            return list(session.list_sas())
        finally:
            session.transport.socket.close()

    def terminate(self, ike_id: int) -> None:
        session = self.session()
        try:
            for _ in session.terminate({"ike-id": str(ike_id), "timeout": "2000"}):
                pass
        except vici.exception.CommandException as exc:
            log.info("terminate IKE SA %s in %s: %s", ike_id, self.ns, exc)
        finally:
            session.transport.socket.close()

    def initiate(self, conn: str, child: str) -> None:
        """Start negotiating ``child`` of ``conn`` and return at once."""
        session = self.session()
        try:
            for _ in session.initiate({"ike": conn, "child": child, "timeout": "-1"}):
                pass
        except vici.exception.CommandException as exc:
            log.info("initiate %s/%s in %s: %s", conn, child, self.ns, exc)
        finally:
            session.transport.socket.close()

    def errors(self, conn: str) -> list[str]:
        """Notify errors and authentication failures logged for the connection, oldest first."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []
        tag = f"<{conn}|"
        out = []
        for line in lines:
            if tag not in line:
                continue
            for marker in ("AUTHENTICATION_FAILED", "NO_PROPOSAL_CHOSEN", "TS_UNACCEPTABLE",
                           "INVALID_KE_PAYLOAD", "giving up after", "peer not responding"):
                if marker in line:
                    out.append(marker)
        return out


class Bird(_Daemon):
    name = "bird"

    def __init__(self, ns: str, workdir: pathlib.Path):
        super().__init__(ns, workdir, "bird.ctl", "bird.log")
        self.conf = workdir / "bird.conf"
        self.pidfile = workdir / "bird.pid"

    def start(self, conf_text: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(conf_text)
        with open(self.log, "ab") as out:
            self._spawn(["ip", "netns", "exec", self.ns, "bird", "-f", "-c", str(self.conf), "-s", str(self.socket),
                         "-P", str(self.pidfile)], stdout=out, stderr=subprocess.STDOUT)

    def birdc(self, *args: str) -> str:
        proc = subprocess.run(["birdc", "-s", str(self.socket), *args], check=False, capture_output=True, text=True,
                              timeout=CMD_TIMEOUT)
        if proc.returncode != 0:
            raise DaemonError(f"birdc {' '.join(args)} in {self.ns}: {proc.stdout.strip()} {proc.stderr.strip()}")
        return proc.stdout

    def configure(self, conf_text: str) -> None:
        self.conf.write_text(conf_text)
        out = self.birdc("configure")
        if "Reconfigur" not in out and "Reconfigured" not in out:
            raise DaemonError(f"birdc configure in {self.ns}: {out.strip()}")
