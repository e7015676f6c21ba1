# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netops.srx_vpn.vpn_state, the verify role and playbooks/validate_vpn.yml against the lab.

Two labs of their own (``srxlab up`` in temporary state directories), started once for this
module: a fast one (``SRXLAB_TIME_SCALE=0.05``: the reference pair converges in ~0.2 s) for the
healthy pair, the misconfigurations of the emulator's failure table and the reports, and a slow
one (scale 1.0: IKE 1 s, IPsec +0.3 s, BGP +3 s) to show that vpn_state polls through a real
convergence without a fixed sleep. Every ansible-playbook run is bounded in time; results are
read from the JSON the playbook saves, not from its output.

``SRX_VPN_UPDATE_EXAMPLES=1`` rewrites docs/examples/vpn_status-reference-pair.{md,json} from
the reference pair; otherwise the committed example is compared with a fresh report, volatile
values (SPIs, times, timestamps) masked.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import pytest
import yaml
from ansible_collections.netops.srx_vpn.plugins.filter.srx_state import FilterModule
from ansible_collections.netops.srx_vpn.plugins.module_utils import vpn_checks
from helpers import BIN, REPO, Lab
from lxml import etree
from ncclient.operations import RPCError
from srxlab import protocols as lab_protocols

FAST_SCALE = 0.05
SLOW_SCALE = 1.0
CONVERGENCE_LAB_SECONDS = lab_protocols.IKE_DELAY + lab_protocols.IPSEC_DELAY + lab_protocols.BGP_DELAY
REFERENCE = REPO / "tests" / "lab" / "fixtures"
PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "vpn_state_check.yml"
VALIDATE = REPO / "playbooks" / "validate_vpn.yml"
EXAMPLES = REPO / "docs" / "examples"
PLAYBOOK_TIMEOUT = 90
COLLECTIONS = BIN.parent / "collections"  # the venv's, where netops/srx_vpn links to this repository
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

EXPECT = {
    "srx-a": {
        "tunnels": [{"name": "a-b", "remote_address": "1.1.1.2", "vpn": "IPSEC-VPN", "st0": "st0.0"}],
        "bgp_peers": [{"peer_address": "10.0.1.2", "peer_as": 200, "tunnel": "a-b", "min_received_prefixes": 1}],
        "pings": [{"target": "10.0.1.2", "source": "10.0.1.1", "count": 3, "max_loss_percent": 0, "tunnel": "a-b"}],
    },
    "srx-b": {
        "tunnels": [{"name": "a-b", "remote_address": "1.1.1.1", "vpn": "IPSEC-VPN", "st0": "st0.0"}],
        "bgp_peers": [{"peer_address": "10.0.1.1", "peer_as": 100, "tunnel": "a-b", "min_received_prefixes": 1}],
        "pings": [{"target": "10.0.1.1", "source": "10.0.1.2", "count": 3, "max_loss_percent": 0, "tunnel": "a-b"}],
    },
}
TUNNELS = [{"name": "a-b", "ends": ["srx-a", "srx-b"]}]


def reference(device: str) -> list[str]:
    text = (REFERENCE / f"{device}-reference.set").read_text()
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


class VpnLab(Lab):
    """A seed-pair :class:`helpers.Lab` at a given time scale, with the helpers here."""

    def __init__(self, work_dir: pathlib.Path, scale: float):
        super().__init__("seed-pair", "vpn", work_dir=work_dir, time_scale=scale)
        self.configured: str | None = None

    def configure(self, extra: dict[str, str] | None = None, again: bool = True,
                  devices: tuple[str, ...] = ("srx-a", "srx-b")) -> float:
        """``devices``: factory config + the reference pair + ``extra`` set/delete lines, one
        commit each, in order. The others: factory config only. Returns the time the last
        commit returned. ``again=False``: nothing to do when the lab already has this."""
        key = json.dumps([extra or {}, devices], sort_keys=True)
        if not again and key == self.configured:
            return time.time()
        self.configured = None
        for name in sorted(set(EXPECT) - set(devices)) + list(devices):
            lines = reference(name) + [ln for ln in (extra or {}).get(name, "").splitlines() if ln.strip()] \
                if name in devices else []
            self.commit(name, lines)
        self.configured = key
        return time.time()

    def commit(self, name: str, lines: list[str]) -> None:
        """Factory configuration plus ``lines``, one commit."""
        with self.connect(name) as nc:
            nc.lock()
            try:
                nc.load_configuration(action="override", format="text", config=self.factory_text[name])
                if lines:
                    nc.load_configuration(action="set", config=lines)
                nc.commit(comment=f"vpn_state test {time.time():.3f}")
            finally:
                with contextlib.suppress(RPCError):
                    nc.unlock()

    def settle(self) -> None:
        self.srxlab("wait-settled", "--timeout", "20", timeout=30)

    def inventory_with(self, host_vars: dict[str, dict]) -> pathlib.Path:
        hosts = {}
        for name in self.status():
            d = self.device(name)
            hosts[name] = {"ansible_host": d.host, "ansible_port": d.port, "ansible_user": d.username,
                           "ansible_password": d.password, **host_vars.get(name, {})}
        inventory = {"all": {"children": {"srx": {"hosts": hosts, "vars": {
            "ansible_connection": "ansible.netcommon.netconf",
            "ansible_network_os": "junipernetworks.junos.junos",
            "ansible_python_interpreter": sys.executable}}}}}
        path = self.work_dir / f"inventory-{time.monotonic_ns()}.yml"
        path.write_text(yaml.safe_dump(inventory, sort_keys=False))
        return path

    def _command(self, playbook: pathlib.Path, args, extra_vars, host_vars):
        cmd = [str(BIN / "ansible-playbook"), "-i", str(self.inventory_with(host_vars or {})), str(playbook),
               *args]
        if extra_vars:
            cmd += ["--extra-vars", json.dumps(extra_vars)]
        env = dict(self.env, ANSIBLE_CONFIG=str(self.work_dir / "ansible.cfg"), ANSIBLE_FORKS="5",
                   ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="False",
                   ANSIBLE_LOCAL_TEMP=str(self.work_dir / "ansible-tmp"),
                   ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(self.work_dir / "pc"),
                   ANSIBLE_DEPRECATION_WARNINGS="False", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        return cmd, env

    def playbook(self, playbook: pathlib.Path, *args: str, extra_vars: dict | None = None,
                 host_vars: dict | None = None) -> subprocess.CompletedProcess[str]:
        cmd, env = self._command(playbook, args, extra_vars, host_vars)
        try:
            return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT,
                                  cwd=self.work_dir, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"{playbook.name} timed out after {PLAYBOOK_TIMEOUT} s\n{self.log_tail()}") from exc

    def _vpn_state_vars(self, timeout, interval, expect):
        out = pathlib.Path(tempfile.mkdtemp(dir=self.work_dir, prefix="out."))
        return out, {"vpn_expect": expect or EXPECT, "vpn_timeout": timeout, "vpn_interval": interval,
                     "out_dir": str(out)}

    def _vpn_state_results(self, out: pathlib.Path, rc: int, stdout: str, stderr: str) -> dict[str, dict]:
        results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
        assert rc == 0 and sorted(results) == ["srx-a", "srx-b"], \
            f"rc={rc}\n{stdout}\n{stderr}\n{self.log_tail()}"
        return results

    def vpn_state(self, *args: str, timeout: float = 2.0, interval: float = 0.5,
                  expect: dict | None = None) -> dict[str, dict]:
        """Run vpn_state on both devices; return {device: result}."""
        out, extra_vars = self._vpn_state_vars(timeout, interval, expect)
        proc = self.playbook(PLAYBOOK, *args, extra_vars=extra_vars)
        return self._vpn_state_results(out, proc.returncode, proc.stdout, proc.stderr)

    @contextlib.contextmanager
    def vpn_state_running(self, timeout: float, interval: float = 0.5):
        """Start vpn_state on both devices in the background; yield a dict filled with
        {device: result} when the block ends (the playbook is waited for, bounded)."""
        out, extra_vars = self._vpn_state_vars(timeout, interval, None)
        cmd, env = self._command(PLAYBOOK, (), extra_vars, None)
        results: dict[str, dict] = {}
        with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=self.work_dir) as proc:
            try:
                yield results
                stdout, stderr = proc.communicate(timeout=PLAYBOOK_TIMEOUT)
            except BaseException:
                proc.kill()
                proc.communicate()
                raise
        results.update(self._vpn_state_results(out, proc.returncode, stdout, stderr))

    def sessions_opened(self) -> int:
        """NETCONF sessions opened so far, from the lab log."""
        try:
            text = (self.state_dir / "srxlab.log").read_text(errors="replace")
        except OSError:
            return 0
        return len(re.findall(r": netconf session \d+ opened by ", text))

    def explain(self) -> str:
        return self.srxlab("explain").stdout


def start_lab(tmp_path_factory: pytest.TempPathFactory, scale: float):
    work = tmp_path_factory.mktemp(f"vpnlab-{scale}")
    (work / "ansible.cfg").write_text(
        "[defaults]\nhost_key_checking = False\nretry_files_enabled = False\n"
        "interpreter_python = auto_silent\nstdout_callback = default\n"
        "[persistent_connection]\nconnect_timeout = 30\ncommand_timeout = 60\n")
    lab = VpnLab(work, scale)
    lab.up(factory=True)
    return lab


@contextlib.contextmanager
def running(lab: VpnLab):
    try:
        yield lab
    finally:
        lab.down()


@pytest.fixture(scope="module")
def vlab(tmp_path_factory):
    with running(start_lab(tmp_path_factory, FAST_SCALE)) as lab:
        yield lab


@pytest.fixture(scope="module")
def slow_lab(tmp_path_factory):
    with running(start_lab(tmp_path_factory, SLOW_SCALE)) as lab:
        yield lab


@pytest.fixture(scope="module")
def healthy(vlab):
    """The fast lab with the reference pair, converged."""
    def setup():
        vlab.configure(again=False)
        vlab.settle()
        return vlab
    return setup


def kinds(result: dict) -> list[tuple[str, str]]:
    return [(p["type"], p["kind"]) for p in result["problems"]]


def local_time(text: str) -> float:
    return datetime.datetime.strptime(text, TIME_FORMAT).timestamp()


# -- healthy pair -------------------------------------------------------------------------------

def test_healthy_pair_one_round_no_problems(healthy):
    lab = healthy()
    results = lab.vpn_state()
    for name, result in results.items():
        assert result["ok"] and not result.get("failed"), result["msg"]
        assert result["problems"] == [] and result["changed"] is False
        # one round: IKE SAs, IPsec SAs, BGP summary + the one ping, returned in well under a second
        assert (result["rounds"], result["rpc_count"]) == (1, 4), name
        assert result["elapsed"] < 1.0, result["elapsed"]
        print(f"{name}: {result['rounds']} round, {result['rpc_count']} RPCs, {result['elapsed']} s")
        tunnel, peer, ping = result["tunnels"][0], result["bgp_peers"][0], result["pings"][0]
        assert (tunnel["state"], tunnel["ike"]["state"], tunnel["ike"]["exchange_type"]) == ("up", "UP", "IKEv2")
        assert (tunnel["ipsec"]["encryption"], tunnel["ipsec"]["integrity"], tunnel["ipsec"]["tunnel_id"]) == \
            ("aes-cbc-256", "sha256", 131073)
        assert re.fullmatch(r"[0-9a-f]{8}", tunnel["ipsec"]["spi_in"]) and tunnel["ipsec"]["spi_out"]
        assert (peer["state"], peer["received_prefixes"], peer["uptime_seconds"] is not None) == \
            ("Established", 1, True)
        assert (ping["status"], ping["sent"], ping["received"], ping["loss_percent"]) == ("ok", 3, 3, 0)
    assert results["srx-a"]["tunnels"][0]["remote_address"] == "1.1.1.2"
    assert results["srx-b"]["bgp_peers"][0]["observed_peer_as"] == 100


def test_check_mode_is_the_same_read_only_run(healthy):
    lab = healthy()
    before = {name: len(lab.commits(name)) for name in ("srx-a", "srx-b")}
    results = lab.vpn_state("--check")
    assert all(r["ok"] and r["rounds"] == 1 and r["rpc_count"] == 4 for r in results.values())
    assert {name: len(lab.commits(name)) for name in ("srx-a", "srx-b")} == before


# -- misconfigurations of the emulator's failure table (tests/lab/test_protocols.py) ----------

IPROP = "set security ipsec proposal IPSEC-PROPOSAL "
NO_IKE = [("tunnel", "no_ike_sa"), ("bgp", "bgp_tunnel_down")]
NO_IPSEC = [("tunnel", "no_ipsec_sa"), ("bgp", "bgp_tunnel_down")]
NO_IKE_CAUSE = "Junos cannot tell these apart from one side"
PHASE2_CAUSE = "phase-2 (IPsec) proposal or PFS group mismatch between the ends"

CASES = [
    ("psk mismatch", {"srx-b": 'set security ike policy IKE-POLICY pre-shared-key ascii-text "another-key-42"'},
     {"srx-a": NO_IKE, "srx-b": NO_IKE}, NO_IKE_CAUSE),
    ("missing host-inbound ike",
     {"srx-b": "delete security zones security-zone UNTRUST interfaces ge-0/0/0.0 host-inbound-traffic "
               "system-services ike"},
     {"srx-a": NO_IKE, "srx-b": NO_IKE}, NO_IKE_CAUSE),
    ("ipsec encryption mismatch", {"srx-b": IPROP + "encryption-algorithm aes-128-cbc"},
     {"srx-a": NO_IPSEC, "srx-b": NO_IPSEC}, PHASE2_CAUSE),
    # IKEv1: quick mode carries the PFS exchange (with IKEv2 the first IPsec SA has none, RFC 7296)
    ("pfs group mismatch (IKEv1)",
     {"srx-a": "set security ike gateway IKE-GATEWAY version v1-only",
      "srx-b": "set security ike gateway IKE-GATEWAY version v1-only\n"
               "set security ipsec policy IPSEC-POLICY perfect-forward-secrecy keys group19"},
     {"srx-a": NO_IPSEC, "srx-b": NO_IPSEC}, PHASE2_CAUSE),
    ("wrong peer-as", {"srx-a": "set protocols bgp group EBGP peer-as 300"},
     {"srx-a": [("bgp", "bgp_peer_as")], "srx-b": [("bgp", "bgp_open_error")]}, "Open Message Error"),
    ("missing host-inbound bgp",
     {"srx-b": "delete security zones security-zone VPN host-inbound-traffic protocols bgp"},
     {"srx-a": [("bgp", "bgp_connect")], "srx-b": [("bgp", "bgp_active")]}, "host-inbound-traffic protocols bgp"),
    ("no export policy", {"srx-b": "delete protocols bgp group EBGP export"},
     {"srx-a": [("bgp", "bgp_prefixes")], "srx-b": []}, "export policy"),
    ("no host-inbound ping on the peer's st0 zone",
     {"srx-b": "delete security zones security-zone VPN host-inbound-traffic system-services ping"},
     {"srx-a": [("ping", "ping_loss")], "srx-b": []}, "host-inbound-traffic system-services ping"),
]


@pytest.mark.parametrize("name,extra,expected,cause", CASES, ids=[c[0] for c in CASES])
def test_misconfiguration_gives_the_expected_problem_and_cause(vlab, name, extra, expected, cause):
    vlab.configure(extra)
    results = vlab.vpn_state(timeout=1.0, interval=0.4)
    explain = vlab.explain()
    for device, want in expected.items():
        result = results[device]
        assert kinds(result) == want, f"{device}: {result['msg']}\n{explain}"
        assert result["ok"] is (not want) and bool(result.get("failed")) is bool(want), result["msg"]
        if want:
            assert result["rounds"] > 1  # it kept polling until the deadline
            assert cause in result["problems"][0]["cause"], result["problems"][0]
            # the failure message: one outcome line, then one summary line per problem
            lines = result["msg"].splitlines()
            assert lines[0].startswith(f"{len(want)} problem(s): ")
            assert lines[1:] == [p["summary"] for p in result["problems"]]
    if name == "wrong peer-as":
        b_peer = results["srx-b"]["bgp_peers"][0]
        assert (b_peer["state"], b_peer["last_error"]) == ("Active", "Open Message Error")
        # rounds of 3 RPCs, plus one get-bgp-neighbor-information at the deadline for the down peer
        for result in results.values():
            assert result["rpc_count"] == 3 * result["rounds"] + 1
        assert results["srx-a"]["bgp_peers"][0]["last_error"] == "Open Message Error"


# -- one engine: the filters say what vpn_state says, on the lab's own replies ------------------

SAME_SENTENCE_CASES = ["ipsec encryption mismatch", "wrong peer-as", "no export policy",
                       "no host-inbound ping on the peer's st0 zone"]


def filter_sentences(lab: VpnLab, device: str, result: dict) -> dict[str, list[str]]:
    """What the problem filters say of the device's XML replies, read over ncclient after the
    vpn_state run: per problem type, for the types vpn_state judged without other context
    (BGP only over a tunnel that is up, a ping only when vpn_state ran it)."""
    filters = FilterModule().filters()
    exp = EXPECT[device]
    tunnel, peer, ping = exp["tunnels"][0], exp["bgp_peers"][0], exp["pings"][0]
    with lab.connect(device) as nc:
        def call(rpc: str) -> str:
            return str(nc.rpc(etree.fromstring(rpc)))

        ike, ipsec, bgp = call(vpn_checks.RPC_IKE), call(vpn_checks.RPC_IPSEC), call(vpn_checks.RPC_BGP)
        sentences = {"tunnel": filters["tunnel_problems"](ike, ipsec, tunnel)}
        if result["tunnels"][0]["state"] == "up":
            sentences["bgp"] = filters["bgp_problems"](
                bgp, {k: peer[k] for k in ("peer_address", "peer_as", "min_received_prefixes")})
        if result["pings"][0]["status"] != "not run":
            sentences["ping"] = filters["ping_problems"](call(vpn_checks.rpc_ping(
                {"target": ping["target"], "source": ping["source"], "count": ping["count"]})), ping)
    return sentences


@pytest.mark.parametrize("name,extra", [(c[0], c[1]) for c in CASES if c[0] in SAME_SENTENCE_CASES],
                         ids=SAME_SENTENCE_CASES)
def test_filters_and_vpn_state_give_the_same_sentence(vlab, name, extra):
    vlab.configure(extra)
    vlab.settle()
    result = vlab.vpn_state(timeout=1.0, interval=0.4)["srx-a"]
    assert result["problems"], result["msg"]
    through_filters = filter_sentences(vlab, "srx-a", result)
    for kind, sentences in through_filters.items():
        assert sentences == [p["text"] for p in result["problems"] if p["type"] == kind], (kind, result["msg"])
    assert sum(map(len, through_filters.values())) >= 1


# -- slow convergence: vpn_state polls, no fixed sleep ------------------------------------------

def test_slow_convergence_is_waited_for_by_polling(slow_lab):
    """vpn_state already polls both devices when srx-b gets its half of the VPN; it must wait
    through IKE (1 s), IPsec (0.3 s) and BGP (3 s) and return within a second of the end."""
    slow_lab.configure(devices=("srx-a",))  # srx-b at factory: nothing can come up
    opened = slow_lab.sessions_opened()
    with slow_lab.vpn_state_running(timeout=30, interval=0.5) as results:
        # both devices' NETCONF sessions of the playbook are open: vpn_state is polling
        deadline = time.monotonic() + 60
        while slow_lab.sessions_opened() < opened + 2:
            assert time.monotonic() < deadline, slow_lab.log_tail()
            time.sleep(0.05)
        before = time.time()
        slow_lab.commit("srx-b", reference("srx-b"))
        committed = time.time()
    # BGP is Established CONVERGENCE_LAB_SECONDS (4.3 s at scale 1) after srx-b's commit
    converged_by = committed + CONVERGENCE_LAB_SECONDS * SLOW_SCALE
    for name, result in results.items():
        assert result["ok"], f"{name}: {result['msg']}\n{slow_lab.explain()}"
        start, end = local_time(result["start"]), local_time(result["end"])
        assert start < before and result["rounds"] > 1, result["msg"]
        assert end >= before + CONVERGENCE_LAB_SECONDS * SLOW_SCALE
        print(f"{name}: {result['rounds']} rounds, {result['rpc_count']} RPCs, {result['elapsed']} s; "
              f"returned {end - converged_by:+.3f} s after the latest the lab can have converged")
        assert end - converged_by < 1.0, f"{name} returned {end - converged_by:.2f} s after convergence"
        assert result["rpc_count"] == 3 * result["rounds"] + 1  # the ping once, in the last round


# -- the verify role, validate_vpn.yml and the report -------------------------------------------

VOLATILE = {"generated_at", "spi_in", "spi_out", "elapsed", "uptime_seconds", "last_up_down_seconds", "flaps",
            "lifetime_remaining_seconds", "rtt_avg_ms", "index", "initiator_cookie", "responder_cookie",
            "problems"}


def masked_json(data):
    if isinstance(data, dict):
        return {k: (None if k in VOLATILE and not isinstance(v, list) else masked_json(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [masked_json(v) for v in data]
    return data


def differences(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for n, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{n}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def masked_markdown(text: str) -> str:
    text = re.sub(r"^Generated \S+ by", "Generated by", text, flags=re.MULTILINE)
    text = re.sub(r"`[0-9a-f]{8}`", "`SPI`", text)
    text = re.sub(r"Established [0-9:ds ]+,", "Established T,", text)
    text = re.sub(r"\| \d+ s \|", "| N s |", text)
    text = re.sub(r"\| \d+ s \|", "| N s |", text)
    return re.sub(r"\| \d+\.\d+ \|$", "| S |", text, flags=re.MULTILINE)


# The lab pair's intent (the devices' configs come from tests/lab/fixtures/*-reference.set):
# validate_vpn.yml derives what each device must show from it.
INTENT_DEVICES = {
    "srx-a": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.1/24", "asn": 100,
              "loopback": "192.168.1.1/32"},
    "srx-b": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.2/24", "asn": 200,
              "loopback": "192.168.2.2/32"},
}
INTENT_TUNNELS = [{"name": "a-b", "ends": [{"device": "srx-a", "st0_unit": 0, "address": "10.0.1.1/24"},
                                          {"device": "srx-b", "st0_unit": 0, "address": "10.0.1.2/24"}]}]


def validate(lab: VpnLab, report_dir: pathlib.Path, *args: str, **extra):
    host_vars = {name: {"srx_vpn_device": INTENT_DEVICES[name]} for name in INTENT_DEVICES}
    return lab.playbook(VALIDATE, *args, host_vars=host_vars, extra_vars={
        "srx_vpn_tunnels": INTENT_TUNNELS, "srx_vpn_psks": {"a-b": "not-used-by-an-audit"},
        "srx_vpn_reports_dir": str(report_dir), "verify_timeout": 2, **extra})


def test_validate_vpn_reference_pair_report(healthy, tmp_path):
    lab = healthy()
    proc = validate(lab, tmp_path)
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    md = (tmp_path / "vpn_status.md").read_text()
    data = json.loads((tmp_path / "vpn_status.json").read_text())
    assert data["summary"] == {"devices": 2, "tunnels": 1, "up": 1, "degraded": 0, "down": 0, "unknown": 0,
                               "problems": 0}
    assert '  n_srx_a ---|"a-b UP"| n_srx_b\n' in md and "### a-b: UP" in md
    assert "None: every tunnel, BGP session and ping holds." in md
    a, b = data["tunnels"][0]["ends"]["srx-a"], data["tunnels"][0]["ends"]["srx-b"]
    assert a["ipsec"]["spi_in"] and b["ipsec"]["spi_out"]
    assert md.count(data["generated_at"]) == 1
    examples = {"md": EXAMPLES / "vpn_status-reference-pair.md", "json": EXAMPLES / "vpn_status-reference-pair.json"}
    if os.environ.get("SRX_VPN_UPDATE_EXAMPLES") == "1":
        EXAMPLES.mkdir(parents=True, exist_ok=True)
        examples["md"].write_text(md)
        examples["json"].write_text((tmp_path / "vpn_status.json").read_text())
    assert masked_markdown(examples["md"].read_text()) == masked_markdown(md)
    assert not differences(masked_json(json.loads(examples["json"].read_text())), masked_json(data))


def test_validate_vpn_down_tunnel_writes_the_report_then_fails(vlab, tmp_path):
    vlab.configure({"srx-b": IPROP + "encryption-algorithm aes-128-cbc"})
    proc = validate(vlab, tmp_path)
    assert proc.returncode == 2, f"{proc.stdout}\n{proc.stderr}"
    assert "PHASE-2" not in proc.stdout and "phase-2 (IPsec) proposal or PFS group mismatch" in proc.stdout
    md = (tmp_path / "vpn_status.md").read_text()
    assert "### a-b: DOWN" in md and "linkStyle 0 stroke:#c62828" in md
    assert "- **srx-a** tunnel a-b: IKE SA with 1.1.1.2 is UP but there is no IPsec SA - likely cause: phase-2" in md
    assert "- **srx-b** tunnel a-b: IKE SA with 1.1.1.1 is UP but there is no IPsec SA" in md
    data = json.loads((tmp_path / "vpn_status.json").read_text())
    assert data["summary"]["down"] == 1 and data["summary"]["problems"] == 4


def test_validate_vpn_check_mode_writes_nothing(healthy, tmp_path):
    lab = healthy()
    proc = validate(lab, tmp_path / "reports", "--check")
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    assert not (tmp_path / "reports").exists()
