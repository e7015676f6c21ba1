"""Golden files of the rendered configuration, and the reference pair against the guide.

Two inventories are rendered offline with ``playbooks/render_vpn.yml`` (no device contact),
each from a copy in a temporary folder (without any ``vault.yml``: the test keys are extra
vars):

* ``reference-pair``: the lab inventory (``inventories/lab``, the reference guide's pair
  srx-a / srx-b). Its ``srxlab.yml`` is pointed at a lab state directory that does not exist
  and at the absolute path of ``lab/topologies/seed-pair.yml``, so the hosts come from the
  topology whether or not a lab runs in ``.lab/default``;
* ``example``: the production-shaped fleet of ``inventories/example`` (two hubs, three spokes).

Each device's five stanza files, concatenated in push order, must equal
``tests/golden/<inventory>/<device>.set`` byte for byte. After an intended change of the
rendering, rewrite the golden files and review their diff before committing them::

    SRX_VPN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/roles/test_golden.py

The reference pair is also compared with the guide's own configuration
(``tests/golden/guide/<device>.set``, the guide's statements with the PDF's line-wraps
repaired). :func:`guide_to_product` maps the guide's lines to the product's, one step per
difference: a *deliberate* difference names its row of the table "Differences from the
reference guide's configuration" in docs/intent.md, a *mistake* of the guide says why the
guide is wrong. Both sides are then reduced to Junos' ``display set`` form (a statement whose
path is a prefix of another's is implied by it: ``set ... interfaces ge-0/0/0.0`` by
``set ... interfaces ge-0/0/0.0 host-inbound-traffic ...``) and compared as sets: any line
that no step explains fails the test, listed.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import stanzas

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden"
PLAYBOOK = ROOT / "playbooks" / "render_vpn.yml"
SEED_PAIR = ROOT / "lab" / "topologies" / "seed-pair.yml"
INTENT_DOC = ROOT / "docs" / "intent.md"
STANZAS = tuple(stanzas.FILE_NAMES[name] for name in stanzas.STANZAS)   # the files, in push order
UPDATE_ENV = "SRX_VPN_UPDATE_GOLDEN"
UPDATE = os.environ.get(UPDATE_ENV, "") not in ("", "0")
RENDER_TIMEOUT = 300  # seconds for one ansible-playbook run

INVENTORIES = {
    "reference-pair": {"source": "inventories/lab", "hosts": ("srx-a", "srx-b"), "tunnels": ("a-b",)},
    "example": {"source": "inventories/example",
                "hosts": ("hub-1", "hub-2", "spoke-1", "spoke-2", "spoke-3"),
                "tunnels": (*(f"hub{h}-spoke{s}" for h in (1, 2) for s in (1, 2, 3)), "hub1-spoke2-isp2")},
}
CASES = [(inv, host) for inv, spec in INVENTORIES.items() for host in spec["hosts"]]


def psk_of(tunnel: str) -> str:
    """The test key of a tunnel: long enough for the pre-flight check, easy to grep."""
    return f"golden-test-psk-{tunnel}-Zq7Vx2"


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------
@dataclass
class Rendering:
    inventory: str
    output: Path                 # the srx_vpn_output_dir of the run
    devices: dict[str, bytes]    # device -> its stanza files concatenated in push order
    files: dict[str, list[str]]  # device -> names of the files rendered for it
    log: str                     # ansible-playbook's stdout and stderr
    psks: dict[str, str]         # tunnel -> test key given as extra vars


def _ansible_playbook() -> str:
    beside = Path(sys.executable).parent / "ansible-playbook"   # the venv running pytest
    found = str(beside) if beside.exists() else shutil.which("ansible-playbook")
    if not found:
        pytest.fail("ansible-playbook not found: run the tests with .venv/bin/python (make venv)")
    return found


def _copy_inventory(name: str, tmp: Path) -> Path:
    """A copy of the inventory that depends on nothing outside itself (no vault, no lab)."""
    target = tmp / "inventory"
    shutil.copytree(ROOT / INVENTORIES[name]["source"], target,
                    ignore=shutil.ignore_patterns("vault.yml"), dirs_exist_ok=True)
    config = target / "srxlab.yml"
    if config.exists():
        spec = yaml.safe_load(config.read_text())
        spec["state_dir"] = str(tmp / "no-lab-here")   # never created: no lab.json to read
        spec["topology"] = str(SEED_PAIR)
        config.write_text(yaml.safe_dump(spec, sort_keys=False))
    return target


def render(name: str, tmp: Path, with_keys: bool = True) -> Rendering:
    """Render inventory ``name`` offline; ``with_keys=False``: as on a fresh clone, no key at all
    (no vault, no ``srx_vpn_psks``)."""
    inventory = _copy_inventory(name, tmp)
    output = tmp / "output"
    psks = {t: psk_of(t) for t in INVENTORIES[name]["tunnels"]} if with_keys else {}
    command = [_ansible_playbook(), str(PLAYBOOK), "-i", str(inventory),
               "-e", json.dumps({"srx_vpn_output_dir": str(output)})]
    if with_keys:
        command += ["-e", json.dumps({"srx_vpn_psks": psks})]
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0"}
    try:
        proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=RENDER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{name}: render_vpn.yml did not finish within {RENDER_TIMEOUT} s\n"
                    f"{(exc.stdout or '')[-4000:]}", pytrace=False)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"{name}: render_vpn.yml failed (exit {proc.returncode}):\n{log[-6000:]}", pytrace=False)
    devices, files = {}, {}
    for folder in sorted(p for p in output.iterdir() if p.is_dir()) if output.is_dir() else []:
        files[folder.name] = sorted(p.name for p in folder.iterdir())
        devices[folder.name] = b"".join((folder / s).read_bytes() for s in STANZAS if (folder / s).exists())
    return Rendering(name, output, devices, files, log, psks)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """``rendered(inventory)``: the inventory rendered once per test module."""
    cache: dict[str, Rendering] = {}

    def get(name: str) -> Rendering:
        if name not in cache:
            cache[name] = render(name, tmp_path_factory.mktemp(name))
        return cache[name]

    return get


# ---------------------------------------------------------------------------------------
# Golden files
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("inventory", INVENTORIES)
def test_every_device_gets_its_five_stanzas(rendered, inventory):
    result = rendered(inventory)
    assert sorted(result.files) == sorted(INVENTORIES[inventory]["hosts"]), result.log[-3000:]
    for device, names in result.files.items():
        assert names == list(STANZAS), f"{inventory}/{device}: rendered {names}, expected {list(STANZAS)}"


@pytest.mark.parametrize(("inventory", "device"), CASES, ids=[f"{i}/{d}" for i, d in CASES])
def test_rendering_matches_golden_file(rendered, inventory, device):
    actual = rendered(inventory).devices.get(device)
    assert actual is not None, f"{inventory}: nothing rendered for {device}"
    golden = GOLDEN / inventory / f"{device}.set"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        if not golden.exists() or golden.read_bytes() != actual:
            golden.write_bytes(actual)
        return
    if not golden.exists():
        pytest.fail(f"{golden.relative_to(ROOT)} is missing: create it with {UPDATE_ENV}=1 and review it",
                    pytrace=False)
    expected = golden.read_bytes()
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.decode(errors="replace").splitlines(keepends=True),
            actual.decode(errors="replace").splitlines(keepends=True),
            fromfile=str(golden.relative_to(ROOT)), tofile=f"rendered {inventory}/{device}"))
        pytest.fail(f"{inventory}/{device}: the rendering differs from its golden file "
                    f"(if the change is intended: {UPDATE_ENV}=1, then review the diff):\n"
                    f"{diff or '(only line endings or trailing bytes differ)'}", pytrace=False)


@pytest.mark.parametrize("inventory", INVENTORIES)
def test_no_stale_golden_files(inventory):
    folder = GOLDEN / inventory
    expected = {f"{d}.set" for d in INVENTORIES[inventory]["hosts"]}
    present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    stale = sorted(present - expected)
    if UPDATE:
        for name in stale:
            (folder / name).unlink()
        return
    assert not stale, f"tests/golden/{inventory}: files of no rendered device: {stale}"


@pytest.mark.parametrize("inventory", INVENTORIES)
def test_no_clear_text_key_on_disk_or_in_the_log(rendered, inventory):
    """Keys never reach a file: the rendered stanzas carry a placeholder per tunnel, which
    the deploy step replaces in memory with a Junos $9$ secret."""
    result = rendered(inventory)
    leaks = []
    for path in sorted(p for p in result.output.rglob("*") if p.is_file()):
        data = path.read_bytes()
        leaks += [f"{path.relative_to(result.output)}: key of {t}" for t, k in result.psks.items()
                  if k.encode() in data]
        if b"$9$" in data:
            leaks.append(f"{path.relative_to(result.output)}: a $9$ secret")
    leaks += [f"ansible-playbook output: key of {t}" for t, k in result.psks.items() if k in result.log]
    assert not leaks, "clear-text keys found:\n  " + "\n  ".join(leaks)
    everything = b"".join(result.devices.values())
    for tunnel in result.psks:
        placeholder = f'pre-shared-key ascii-text "{stanzas.psk_placeholder(tunnel)}"'.encode()
        assert everything.count(placeholder) == 2, f"{inventory}: tunnel {tunnel}: expected its key " \
                                                   f"placeholder once on each end"


def test_offline_render_needs_no_key(tmp_path):
    """A fresh clone: no vault, no srx_vpn_psks. render_vpn.yml still validates and renders,
    every key a placeholder - the same bytes as with the keys given (the golden files)."""
    result = render("reference-pair", tmp_path, with_keys=False)
    assert "no pre-shared key" not in result.log
    assert sorted(result.files) == sorted(INVENTORIES["reference-pair"]["hosts"]), result.log[-3000:]
    for device, data in result.devices.items():
        assert data == (GOLDEN / "reference-pair" / f"{device}.set").read_bytes(), device
        assert data.count(f'"{stanzas.psk_placeholder("a-b")}"'.encode()) == 1, device
    assert not [p for p in result.output.rglob("*") if p.is_file() and b"$9$" in p.read_bytes()]
    # nothing changes when it runs again
    again = render("reference-pair", tmp_path, with_keys=False)
    recap = re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", again.log, re.MULTILINE)
    assert sorted(host for host, _ in recap) == ["srx-a", "srx-b"], again.log[-2000:]
    assert all(changed == "0" for _, changed in recap), again.log[-2000:]


def test_offline_render_still_checks_a_given_key(tmp_path):
    """Keys are optional offline, but a key that is given is validated (never shown)."""
    inventory = _copy_inventory("reference-pair", tmp_path)
    weak = "short-Zq7Vx2"
    proc = subprocess.run([_ansible_playbook(), str(PLAYBOOK), "-i", str(inventory),
                           "-e", json.dumps({"srx_vpn_output_dir": str(tmp_path / "output")}),
                           "-e", json.dumps({"srx_vpn_psks": {"a-b": weak}})],
                          cwd=ROOT, capture_output=True, text=True, timeout=RENDER_TIMEOUT, check=False,
                          env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"})
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "tunnel 'a-b': psk: pre-shared key is shorter than 16 characters" in log, log[-3000:]
    assert weak not in log


# ---------------------------------------------------------------------------------------
# The reference pair against the guide's configuration
# ---------------------------------------------------------------------------------------
DELIBERATE, MISTAKE, UNDOCUMENTED = "deliberate", "mistake of the guide", "NOT in docs/intent.md"

# First cells of the rows of docs/intent.md's table "Differences from the reference
# guide's configuration" (each deliberate step names one).
ROW_NAMES = "`IKE-PROPOSAL`, `IKE-POLICY`, `IKE-GATEWAY`, `IPSEC-*` names"
ROW_IKEV2 = "`version v1-only`, `mode main`"
ROW_PSK = '`pre-shared-key ascii-text "Juniper"`'
ROW_VPN_ZONE = "st0.0 in the UNTRUST zone"
ROW_ESTABLISH = "`establish-tunnels immediately` on SRX-A only"
ROW_BGP = "BGP group `EBGp` with no export policy"
ROW_INTERFACE = "SRX-B address on ge-0/0/1, zone and gateway on ge-0/0/0.0"
ROW_ROUTER_ID = "no router-id"
ROW_ADDED = "(none)"
ROW_PEER_AS = "`group EBGp peer-as 200`"

# The pair's facts (inventories/lab) that the steps below need.
PAIR = {
    "srx-a": {"peer": "srx-b", "peer_st0": "10.0.1.2", "peer_as": "200", "loopback": "192.168.1.1"},
    "srx-b": {"peer": "srx-a", "peer_st0": "10.0.1.1", "peer_as": "100", "loopback": "192.168.2.2"},
}


@dataclass(frozen=True)
class Step:
    """One difference: rename whole words, then remove lines, then add lines. Each part must
    apply (a word to rename, a line to remove is present, a line to add is not), so a stale
    step fails instead of silently passing."""
    kind: str                 # DELIBERATE | MISTAKE | UNDOCUMENTED
    ref: str                  # DELIBERATE: its table row; otherwise why
    rename: tuple[tuple[str, str], ...] = ()
    remove: tuple[str, ...] = ()
    add: tuple[str, ...] = ()

    def apply(self, lines: set[str], where: str) -> set[str]:
        out = set(lines)
        for old, new in self.rename:
            renamed = {" ".join(new if w == old else w for w in line.split(" ")) for line in out}
            if renamed == out:
                raise AssertionError(f"{where}: step [{self.ref}]: no word {old!r} to rename")
            out = renamed
        for line in self.remove:
            if line not in out:
                raise AssertionError(f"{where}: step [{self.ref}]: line to remove not found: {line}")
            out.discard(line)
        for line in self.add:
            if line in out:
                raise AssertionError(f"{where}: step [{self.ref}]: line to add already there: {line}")
            out.add(line)
        return out


def guide_to_product(device: str) -> list[Step]:
    """The steps that turn the guide's configuration of ``device`` into the product's."""
    f = PAIR[device]
    zone = "set security zones security-zone"
    bgp = "set protocols bgp group SRXVPN-EBGP"
    steps = [
        Step(DELIBERATE, ROW_NAMES, rename=(
            ("IKE-PROPOSAL", "IKE-PROP-DEFAULT"), ("IKE-POLICY", "IKE-POL-A-B"), ("IKE-GATEWAY", "IKE-GW-A-B"),
            ("IPSEC-PROPOSAL", "IPSEC-PROP-DEFAULT"), ("IPSEC-POLICY", "IPSEC-POL-A-B"),
            ("IPSEC-VPN", "IPSEC-VPN-A-B"))),
        Step(MISTAKE, "perfect-forward-secrecy belongs to the IPsec policy ([edit security ipsec policy]); "
                      "Junos has no such statement under [edit security ipsec vpn]",
             remove=("set security ipsec vpn IPSEC-VPN-A-B perfect-forward-secrecy keys group14",),
             add=("set security ipsec policy IPSEC-POL-A-B perfect-forward-secrecy keys group14",)),
        Step(DELIBERATE, ROW_IKEV2,
             remove=("set security ike policy IKE-POL-A-B mode main",
                     "set security ike gateway IKE-GW-A-B version v1-only"),
             add=("set security ike gateway IKE-GW-A-B version v2-only",)),
        Step(DELIBERATE, ROW_PSK,   # the placeholder the deploy step replaces with a $9$ of the vaulted key
             remove=('set security ike policy IKE-POL-A-B pre-shared-key ascii-text "Juniper"',),
             add=("set security ike policy IKE-POL-A-B pre-shared-key ascii-text "
                  f'"{stanzas.psk_placeholder("a-b")}"',)),
        Step(DELIBERATE, ROW_VPN_ZONE,
             remove=(f"{zone} UNTRUST interfaces st0.0",
                     f"{zone} UNTRUST interfaces st0.0 host-inbound-traffic system-services ping",
                     f"{zone} UNTRUST interfaces st0.0 host-inbound-traffic protocols bgp"),
             add=(f"{zone} VPN interfaces st0.0",
                  f"{zone} VPN host-inbound-traffic system-services ping",
                  f"{zone} VPN host-inbound-traffic protocols bgp")),
    ]
    if device == "srx-b":
        steps += [
            Step(DELIBERATE, ROW_ESTABLISH,
                 add=("set security ipsec vpn IPSEC-VPN-A-B establish-tunnels immediately",)),
            Step(DELIBERATE, ROW_INTERFACE,
                 remove=("set interfaces ge-0/0/1 unit 0 family inet address 1.1.1.2/24",),
                 add=("set interfaces ge-0/0/0 unit 0 family inet address 1.1.1.2/24",)),
        ]
    steps += [
        Step(DELIBERATE, ROW_BGP, rename=(("EBGp", "SRXVPN-EBGP"),), add=(
            f"{bgp} export SRXVPN-EXPORT",
            f"set policy-options prefix-list SRXVPN-ADVERTISE {f['loopback']}/32",
            "set policy-options policy-statement SRXVPN-EXPORT term advertise from prefix-list SRXVPN-ADVERTISE",
            "set policy-options policy-statement SRXVPN-EXPORT term advertise then accept",
            "set policy-options policy-statement SRXVPN-EXPORT term reject-rest then reject")),
        Step(DELIBERATE, ROW_PEER_AS,
             remove=(f"{bgp} peer-as {f['peer_as']}",),
             add=(f"{bgp} neighbor {f['peer_st0']} peer-as {f['peer_as']}",)),
        Step(DELIBERATE, ROW_ADDED,
             add=(f'{bgp} neighbor {f["peer_st0"]} description "{f["peer"]} over a-b"',)),
        Step(DELIBERATE, ROW_ROUTER_ID, add=(f"set routing-options router-id {f['loopback']}",)),
        Step(DELIBERATE, ROW_ADDED, add=(
            "set security ike proposal IKE-PROP-DEFAULT lifetime-seconds 28800",
            "set security ipsec proposal IPSEC-PROP-DEFAULT lifetime-seconds 3600",
            f'set interfaces st0 unit 0 description "srx_vpn tunnel a-b to {f["peer"]}"')),
    ]
    return steps


def statements(text: str) -> set[str]:
    """The `set` statements of a text (comments and blank lines dropped, blanks collapsed)."""
    return {" ".join(line.split()) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")}


def display_set(lines: set[str]) -> set[str]:
    """Junos' `display set` form: drop a statement implied by a longer one it prefixes."""
    return {line for line in lines if not any(other.startswith(line + " ") for other in lines)}


def documented_rows() -> list[str]:
    """First cells of docs/intent.md's table "Differences from the reference guide's configuration"."""
    text = INTENT_DOC.read_text()
    start = text.index("## Differences from the reference guide's configuration")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            rows.append(line.strip().strip("|").split("|")[0].strip())
    return rows[2:]  # without the header row and the |---| line


def test_guide_steps_cover_exactly_the_documented_rows():
    rows = documented_rows()
    used = {s.ref for d in PAIR for s in guide_to_product(d) if s.kind == DELIBERATE}
    assert not used - set(rows), f"steps name rows that docs/intent.md does not have: {sorted(used - set(rows))}"
    assert not set(rows) - used, f"docs/intent.md rows with no step here: {sorted(set(rows) - used)}"


@pytest.mark.parametrize("device", PAIR)
def test_reference_pair_is_the_guide_with_its_mistakes_fixed(rendered, device):
    guide_file = GOLDEN / "guide" / f"{device}.set"
    lines = statements(guide_file.read_text())
    for step in guide_to_product(device):
        lines = step.apply(lines, f"{device}")
    expected = display_set(lines)
    actual = display_set(statements(rendered("reference-pair").devices[device].decode()))
    if expected == actual:
        return
    only_guide = "\n".join(f"  - {line}" for line in sorted(expected - actual)) or "  (none)"
    only_rendered = "\n".join(f"  + {line}" for line in sorted(actual - expected)) or "  (none)"
    pytest.fail(
        f"{device}: the rendered reference pair is not the guide's configuration "
        f"({guide_file.relative_to(ROOT)}) with the mapped differences; no step explains:\n"
        f"in the guide (after the steps), not rendered:\n{only_guide}\n"
        f"rendered, not in the guide (after the steps):\n{only_rendered}\n"
        "Either the rendering changed by mistake, or it is a new deliberate difference: list it in "
        "docs/intent.md's table and add its step to guide_to_product().", pytrace=False)


UNDOCUMENTED_STEPS = sorted({s.ref for d in PAIR for s in guide_to_product(d) if s.kind == UNDOCUMENTED})


def test_every_difference_from_the_guide_is_documented():
    assert not UNDOCUMENTED_STEPS, "differences from the guide not in docs/intent.md's table: " \
        + "; ".join(UNDOCUMENTED_STEPS)
