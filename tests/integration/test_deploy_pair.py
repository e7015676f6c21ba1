"""The deploy pipeline (``deploy_vpn.yml``) on the seed pair, end to end.

One lab per module (``lab/topologies/seed-pair.yml``, ``SRXLAB_TIME_SCALE=0.05``) and an
inventory built like ``inventories/lab`` (the shipped host_vars and intent, a generated
vault). The first deploy runs once for the module at ``-vvv``; every later test starts from
the configuration it committed (``baseline``: restored with a test-side ``load override``
only when an earlier test left the devices elsewhere), so the tests do not depend on their
order or on which xdist worker runs them.

Device state is read through ncclient: commit history (``get-commit-information``),
committed configuration (``get-configuration``), IKE/IPsec SAs, BGP neighbours and pings; the
report JSON is checked too. Never only a return code.
"""
from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from helpers import (
    AUTO_ROLLBACK,
    LAB_CONFIRM_MINUTES,
    PAIR,
    TUNNEL,
    Inventory,
    Lab,
    Run,
    Snapshot,
    folder_secrets,
    lab_inventory_copy,
    new_commits,
    new_psk,
    psk_on_device,
    secrets_in,
    tunnel_problems,
    unified,
    wait_tunnel,
)

# One xdist group: with `--dist loadgroup` the module's tests share one worker (one lab, one
# first deploy); with the default `--dist load` they stay correct wherever they run.
pytestmark = pytest.mark.xdist_group("deploy-pair")


@dataclass(repr=False)          # no configuration (keys as $9$) in tracebacks
class Pair:
    lab: Lab
    inv: Inventory
    factory: dict[str, Snapshot]
    first: Run | None = None
    deployed: dict[str, Snapshot] | None = None
    baseline_text: dict[str, str] | None = None


@pytest.fixture(scope="module")
def pair_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The running seed pair at its factory configuration and its inventory (not deployed)."""
    with Lab("seed-pair", "pair") as lab:
        inv = lab_inventory_copy(lab, tmp_path_factory.mktemp("deploy-pair"), new_psk())
        yield Pair(lab, inv, lab.snapshots(PAIR))


@pytest.fixture(scope="module")
def pair(pair_lab: Pair) -> Pair:
    """The pair after the first deploy, run once for the module at -vvv."""
    p = pair_lab
    p.first = p.inv.deploy("-vvv")
    p.deployed = p.lab.snapshots(PAIR)
    p.baseline_text = {n: p.lab.config_text(n) for n in PAIR}
    return p


@pytest.fixture
def baseline(pair: Pair) -> dict[str, Snapshot]:
    """Both devices at the configuration of the first deploy, no commit pending, tunnel up.

    A test that found a product bug may leave a device elsewhere; this puts it back (test-side
    ``load override`` + commit, visible in the history as ``test reset``) so that the next
    test measures its own scenario only."""
    lab = pair.lab
    snaps = lab.snapshots(PAIR)
    touched = False
    for n in PAIR:
        if snaps[n].config != pair.deployed[n].config or snaps[n].pending:
            lab.restore(n, pair.baseline_text[n])
            touched = True
    if touched:
        wait_tunnel(lab, pair.inv, TUNNEL, timeout=30)
        snaps = lab.snapshots(PAIR)
    return snaps


def fatal_text(run: Run, host: str) -> str:
    """The failure message(s) Ansible printed for ``host``."""
    out = []
    for m in re.finditer(rf"^fatal: \[{re.escape(host)}(?: -> \S+)?\].*?(?=^\S|\Z)", run.stdout,
                         re.MULTILINE | re.DOTALL):
        out.append(m.group(0))
    return "\n".join(out)


def assert_no_leak(run: Run, keys: list[str]) -> None:
    found = secrets_in(run.text, keys)
    assert not found, f"secrets in the output of {' '.join(run.cmd[-4:])}:\n" + "\n".join(found)


# ---------------------------------------------------------------------------------------------
def test_first_deploy_brings_up_ike_ipsec_bgp_and_ping(pair: Pair) -> None:
    lab, inv, run = pair.lab, pair.inv, pair.first
    assert run.rc == 0, run.describe()
    assert run.changed("srx-a") == 1, f"the deploy task (run once) did not report changed\n{run.describe()}"
    report = run.report()
    assert report is not None, f"no report in {run.reports_dir}"
    run_id = report["run"]["run_id"]
    assert report["run"]["outcomes"][TUNNEL]["outcome"] == "changed-verified", report["run"]
    for n in PAIR:
        assert run.failed(n) == 0, f"{n}: recap {run.recap.get(n)}\n{run.describe()}"
        assert report["run"]["actions"][n]["action"] == "confirmed", report["run"]
        new = new_commits(pair.factory[n], pair.deployed[n])
        logs = [c.get("log", "") for c in new]
        # exactly one commit confirmed and its confirm, both carrying the run id
        assert logs == [f"netops.srx_vpn run {run_id}: confirmed",
                        f"netops.srx_vpn run {run_id}: commit confirmed"], \
            f"{n}: commits of the run: {new}\n{lab.show_commits(n)}"
        assert not any(AUTO_ROLLBACK in log for log in logs), \
            f"{n}: the commit confirmed was rolled back by its timer:\n{lab.show_commits(n)}"
        assert not pair.deployed[n].pending, f"{n}: a commit confirmed is still pending:\n{lab.show_commits(n)}"
        assert psk_on_device(pair.deployed[n], TUNNEL) == inv.psks[TUNNEL], \
            f"{n}: the committed pre-shared key is not the vaulted one"

    # IKE UP, both IPsec SAs, BGP Established (peer AS, peer router-id = its loopback, one
    # prefix received), ping over the tunnel and to the peer's loopback.
    problems = tunnel_problems(lab, inv, TUNNEL)
    assert not problems, "\n".join(problems) + "\n" + lab.explain()
    # The received prefix is the peer's loopback: each end exports exactly its loopback, the
    # session carries one prefix, the peer's loopback answers (a route learned only over BGP:
    # the lab routes nothing else there) and an address nobody advertises does not.
    for me, peer, lo in (("srx-a", "srx-b", "192.168.2.2/32"), ("srx-b", "srx-a", "192.168.1.1/32")):
        advertise = [ln for ln in pair.deployed[peer].config if "prefix-list SRXVPN-ADVERTISE" in ln
                     and ln.startswith("set policy-options prefix-list")]
        assert advertise == [f"set policy-options prefix-list SRXVPN-ADVERTISE {lo}"], advertise
        received = [p["received"] for p in lab.bgp_peers(me).values()]
        assert received == [1], f"{me}: received prefixes {received}"
    assert lab.ping("srx-a", "192.168.99.99", "192.168.1.1")[1] == 0, "negative control: unadvertised address answers"

    states = {t["name"]: t["state"] for t in report["tunnels"]}
    assert states == {TUNNEL: "UP"}, report
    assert report["summary"]["problems"] == 0 and report["summary"]["up"] == 1, report["summary"]


def test_second_run_changes_nothing(pair: Pair, baseline: dict[str, Snapshot]) -> None:
    lab, inv = pair.lab, pair.inv
    run = inv.deploy()
    after = lab.snapshots(PAIR)
    assert run.rc == 0, run.describe()
    for n in PAIR:
        assert run.changed(n) == 0, f"{n}: changed={run.changed(n)} on the second run\n{run.describe()}"
        assert not new_commits(baseline[n], after[n]), f"{n}: new commit on the second run:\n{lab.show_commits(n)}"
        assert after[n].config == baseline[n].config, unified(baseline[n].config, after[n].config)
    report = run.report()
    assert report["run"]["outcomes"][TUNNEL]["outcome"] == "unchanged", report["run"]
    assert report["run"]["outcomes"][TUNNEL]["up_before"] is True, report["run"]
    assert {a["action"] for a in report["run"]["actions"].values()} == {"unchanged"}, report["run"]
    assert not tunnel_problems(lab, inv, TUNNEL)
    assert_no_leak(run, [inv.psks[TUNNEL]])


def test_vvv_never_shows_a_key(pair: Pair) -> None:
    """The first deploy ran at -vvv: neither the vaulted key nor any `$9$` string (the device
    holds the key as one) in stdout/stderr, the rendered files or the reports."""
    run, inv = pair.first, pair.inv
    assert "-vvv" in run.cmd and "ansible.cfg as config file" in run.stdout, "not a verbose run"
    on_device = sorted({m for n in PAIR for ln in pair.deployed[n].config
                        for m in re.findall(r'"(\$9\$[^"]+)"', ln)})
    assert on_device, "the devices hold no $9$ key: nothing was deployed"
    assert_no_leak(run, [inv.psks[TUNNEL], *on_device])
    # the deploy renders in memory: no per-device file unless render_vpn.yml is asked for them
    rendered = sorted(p.relative_to(run.out_dir).as_posix() for p in run.out_dir.rglob("*.set"))
    assert rendered == [], f"rendered files: {rendered}"
    assert (run.reports_dir / "vpn_status.json").is_file() and (run.reports_dir / "vpn_status.md").is_file()
    found = folder_secrets([run.out_dir, run.reports_dir], [inv.psks[TUNNEL], *on_device])
    assert not found, "\n".join(found)


def test_check_diff_shows_masked_diff_and_commits_nothing(pair: Pair, baseline: dict[str, Snapshot]) -> None:
    lab, inv = pair.lab, pair.inv
    var = inv.variant("check-diff")
    tunnels = copy.deepcopy(var.tunnels)
    tunnels[0]["ike"]["profile"] = "gcm-256"
    tunnels[0]["ipsec"]["profile"] = "gcm-256"
    tunnels[0]["ipsec"].pop("pfs_group", None)
    var.set_tunnels(tunnels)
    var.set_psks({TUNNEL: new_psk()})
    # the output folder of the previous deploys, as a user running --check after them has it
    shutil.copytree(inv.out_dir, var.out_dir, dirs_exist_ok=True)
    run = var.deploy("--check", "--diff")
    after = lab.snapshots(PAIR)
    for n in PAIR:
        assert not new_commits(baseline[n], after[n]), f"{n}: --check committed:\n{lab.show_commits(n)}"
        assert after[n].config == baseline[n].config, unified(baseline[n].config, after[n].config)
        assert not after[n].pending, f"{n}: --check left a commit pending"
    assert_no_leak(run, [inv.psks[TUNNEL], var.psks[TUNNEL]])
    assert run.rc == 0, run.describe()
    assert run.report() is None, "check mode wrote a report"
    parts = dict(re.findall(r"^\[(srx-[ab])\]\n(.*?)(?=^\[srx-[ab]\]\n|^changed: |\Z)", run.stdout,
                            re.MULTILINE | re.DOTALL))
    for n in PAIR:
        assert n in parts, f"no diff shown for {n}:\n{run.stdout[-3000:]}"
        assert "GCM-256" in parts[n] and "pre-shared-key" in parts[n], f"{n}: diff incomplete:\n{parts[n]}"


def _bad_change(pair: Pair, baseline: dict[str, Snapshot], var: Inventory, words: list[str],
                *args: str, timer_may_fire: bool = False, **kw) -> Run:
    """Deploy ``var`` to srx-a only; it must fail verify and leave both ends as they were
    (rolled back by the pipeline; with ``timer_may_fire``, possibly by the commit-confirmed
    timer first)."""
    lab = pair.lab
    run = var.deploy(*args, limit="srx-a", **kw)
    after = lab.snapshots(PAIR)
    problems = []
    if run.rc == 0 or run.failed("srx-a") != 1:
        problems.append(f"the play did not fail on srx-a (rc={run.rc}, recap={run.recap})")
    msg = fatal_text(run, "srx-a")
    missing = [w for w in words if w not in msg]
    if missing:
        problems.append(f"the failure does not name {missing}: {msg[:3000]!r}")
    if "srx-b" in run.recap:
        problems.append(f"--limit srx-a ran on srx-b: {run.recap}")
    for n in PAIR:
        if after[n].config != baseline[n].config:
            problems.append(f"{n}: committed config differs from before the run:\n"
                            f"{unified(baseline[n].config, after[n].config)}")
        if after[n].pending:
            problems.append(f"{n}: a commit confirmed is still pending")
    new_b = new_commits(baseline["srx-b"], after["srx-b"])
    if new_b:
        problems.append(f"srx-b: commits {new_b}")
    logs = [c.get("log", "") for c in new_commits(baseline["srx-a"], after["srx-a"])]
    if not timer_may_fire:
        if not any("rolled back" in log for log in logs):
            problems.append(f"srx-a: no rollback commit by the pipeline: {logs}")
        if any(AUTO_ROLLBACK in log for log in logs):
            problems.append(f"srx-a: the commit-confirmed timer fired before the pipeline decided: {logs}")
    if problems:
        problems.append(f"srx-a commit history:\n{lab.show_commits('srx-a')}")
    # the old tunnel is still (or again) up
    still = wait_tunnel(lab, pair.inv, TUNNEL, timeout=20)
    if still:
        problems.append("the previous tunnel is not up after the run:\n" + "\n".join(still) + "\n" + lab.explain())
    assert not problems, "\n".join(problems) + f"\n\n{run.describe(40)}"
    return run


def test_psk_mismatch_fails_verify_and_both_ends_keep_their_config(pair: Pair, baseline: dict[str, Snapshot]) -> None:
    var = pair.inv.variant("psk-mismatch")
    var.set_psks({TUNNEL: new_psk()})           # only srx-a (--limit) gets the new key
    run = _bad_change(pair, baseline, var, [TUNNEL, "IKE", "rolled back"], "-vvv")
    assert_no_leak(run, [pair.inv.psks[TUNNEL], var.psks[TUNNEL]])
    after = pair.lab.snapshot("srx-a")
    assert psk_on_device(after, TUNNEL) == pair.inv.psks[TUNNEL]


def test_wrong_peer_as_fails_verify_and_both_ends_keep_their_config(pair: Pair, baseline: dict[str, Snapshot]) -> None:
    var = pair.inv.variant("wrong-as")
    var.set_device("srx-b", asn=300)           # srx-a (--limit) would expect AS 300 from srx-b
    run = _bad_change(pair, baseline, var, ["10.0.1.2", "AS", "rolled back"], "-vvv")
    assert_no_leak(run, [pair.inv.psks[TUNNEL]])
    assert "set protocols bgp group SRXVPN-EBGP neighbor 10.0.1.2 peer-as 200" in pair.lab.snapshot("srx-a").config


# -- a commit-confirmed window shorter than the pipeline's own run ------------------------------
def test_bad_change_with_the_lab_commit_confirmed_window_is_still_undone(pair: Pair,
                                                                         baseline: dict[str, Snapshot]) -> None:
    """The lab inventory's window (5 lab minutes = 15 s here) is no longer than the verify
    timeout: the timer rolls srx-a back while verify still waits. The pipeline must still end
    with the previous configuration on both ends and fail the play - never leave the bad
    change committed."""
    var = pair.inv.variant("wrong-as-lab-window")
    var.set_device("srx-b", asn=300)
    _bad_change(pair, baseline, var, ["10.0.1.2", "AS"], timer_may_fire=True,
                extra={"srx_vpn_confirm_minutes": LAB_CONFIRM_MINUTES})


def test_good_change_confirmed_after_the_commit_confirmed_window_is_not_a_silent_success(
        pair: Pair, baseline: dict[str, Snapshot]) -> None:
    """A 1-minute window (3 s here) expires before the pipeline confirms. Whatever the
    pipeline does, it must not report success while the devices do not hold the change, nor
    leave the two ends with different keys."""
    lab = pair.lab
    var = pair.inv.variant("rotate-short-window")
    var.set_psks({TUNNEL: new_psk()})
    run = var.deploy(extra={"srx_vpn_confirm_minutes": 1})
    after = lab.snapshots(PAIR)
    assert_no_leak(run, [pair.inv.psks[TUNNEL], var.psks[TUNNEL]])
    keys = {n: ("new" if psk_on_device(after[n], TUNNEL) == var.psks[TUNNEL] else
                "old" if psk_on_device(after[n], TUNNEL) == pair.inv.psks[TUNNEL] else "other") for n in PAIR}
    history = "\n".join(f"{n}:\n{lab.show_commits(n)}" for n in PAIR)
    if run.rc == 0:
        assert keys == dict.fromkeys(PAIR, "new"), \
            f"the run reported success but the devices hold keys {keys}\n{history}\n{run.describe(30)}"
    else:
        assert len(set(keys.values())) == 1, f"the run failed and left the ends with keys {keys}\n{history}"
    assert not any(after[n].pending for n in PAIR), history
    still = wait_tunnel(lab, pair.inv, TUNNEL, timeout=20)
    assert not still, "\n".join(still)


# -- pre-flight: the intent is refused before any device is contacted ------------------------
def _tunnel_edit(edit: Callable[[dict], None]) -> Callable[[Inventory], None]:
    def apply(var: Inventory) -> None:
        tunnels = copy.deepcopy(var.tunnels)
        edit(tunnels[0])
        var.set_tunnels(tunnels)
    return apply


def _weak_ike(tunnel: dict) -> None:
    tunnel["ike"].pop("profile", None)
    tunnel["ike"]["proposal"] = {"dh_group": "group14", "authentication_algorithm": "sha-256",
                                 "encryption_algorithm": "3des-cbc"}


def _group_var(name: str, value) -> Callable[[Inventory], None]:
    def apply(var: Inventory) -> None:
        var.group_vars[name] = value
        var.set_tunnels(var.tunnels)      # rewrites group_vars/all/srx_vpn.yml
    return apply


PREFLIGHT: dict[str, tuple[Callable[[Inventory], None], list[str]]] = {
    # the commit-confirmed window: 0 would be a plain commit with no safety net
    "confirm-zero": (_group_var("srx_vpn_confirm_minutes", 0), ["srx_vpn_confirm_minutes", "from 1 to 65535"]),
    "confirm-text": (_group_var("srx_vpn_confirm_minutes", "five"), ["srx_vpn_confirm_minutes", "'five'"]),
    # 1 minute cannot hold a 15 s verify with its margin
    "confirm-shorter-than-verify": (_group_var("srx_vpn_confirm_minutes", 1),
                                    ["srx_vpn_confirm_minutes", "srx_vpn_verify_timeout (15 s)"]),
    "bad-address": (_tunnel_edit(lambda t: t["ends"][1].update(address="10.0.1.300/24")),
                    ["tunnel 'a-b'", "ends[1].address", "10.0.1.300/24"]),
    "unknown-device": (_tunnel_edit(lambda t: t["ends"][1].update(device="srx-z")),
                       ["tunnel 'a-b'", "ends[1].device", "srx-z"]),
    "weak-crypto": (_tunnel_edit(_weak_ike),
                    ["tunnel 'a-b'", "ike.proposal.encryption_algorithm", "3des-cbc", "weak"]),
    "missing-psk": (lambda var: var.set_psks({"some-other-tunnel": new_psk()}),
                    ["tunnel 'a-b'", "psk", "srx_vpn_psks"]),
    "bad-device-address": (lambda var: var.set_device("srx-b", external_address="1.1.1.2/33"),
                           ["device 'srx-b'", "external_address", "1.1.1.2/33"]),
}


@pytest.mark.parametrize("case", list(PREFLIGHT))
def test_preflight_error_fails_before_any_connection(pair_lab: Pair, case: str) -> None:
    lab = pair_lab.lab
    edit, words = PREFLIGHT[case]
    var = pair_lab.inv.variant(f"preflight-{case}")
    edit(var)
    before = lab.snapshots(PAIR)
    sessions = lab.netconf_sessions()
    run = var.deploy()
    opened = lab.netconf_sessions()[len(sessions):]
    after = lab.snapshots(PAIR)
    assert run.rc != 0, run.describe()
    missing = [w for w in words if w not in run.stdout]
    assert not missing, f"the error does not name {missing}\n{run.describe()}"
    assert not opened, "NETCONF sessions opened by a run refused at pre-flight:\n" + "\n".join(opened)
    for n in PAIR:
        assert not new_commits(before[n], after[n]), f"{n}: commit after a pre-flight error"
        assert run.recap.get(n, {}).get("unreachable", 0) == 0, run.describe()
    rendered = [p for p in var.out_dir.rglob("*") if p.is_file()]
    assert not rendered, f"files rendered despite the pre-flight error: {rendered}"


def test_preflight_error_with_the_lab_down_is_the_intent_error(tmp_path) -> None:
    """No lab running (the inventory falls back to the topology, no address or port): the run
    still fails with the intent error, not with a connection error."""
    lab = Lab("seed-pair", "down")          # never started
    try:
        inv = lab_inventory_copy(lab, tmp_path, new_psk())
        edit, words = PREFLIGHT["weak-crypto"]
        edit(inv)
        run = inv.deploy()
        assert run.rc != 0, run.describe()
        missing = [w for w in words if w not in run.stdout]
        assert not missing, f"the error does not name {missing}\n{run.describe()}"
        assert "UNREACHABLE" not in run.stdout and "unreachable=1" not in run.stdout, run.describe()
        assert not lab.netconf_sessions()
    finally:
        lab.down()
