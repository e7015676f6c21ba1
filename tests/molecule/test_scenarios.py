"""Every Molecule scenario of the collection (``extensions/molecule/<name>/molecule.yml``) as
one test: ``molecule test -s <name>`` from the repository root, bounded in time.

Each scenario starts and stops its own srxlab lab (free ports) in its own ephemeral directory,
which this wrapper makes unique per test (``MOLECULE_EPHEMERAL_DIRECTORY``), so the tests run
side by side::

    .venv/bin/python -m pytest tests/molecule -n 2 -q
    .venv/bin/python -m pytest tests/molecule -k psk_mismatch

The ``default`` scenario runs a second time on the real backend (``SRXVPN_MOLECULE_BACKEND=real``:
strongSwan and BIRD 2 behind each device, ``srxlab up --backend real``).

On a failure the end of Molecule's output is shown; the whole output is kept in the test's
temporary directory (``molecule.log``). A scenario that runs out of time is killed with its
process group and destroyed (``molecule destroy``), so that no lab is left running.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS_DIR = REPO / "extensions" / "molecule"
BIN = pathlib.Path(sys.executable).parent
MOLECULE = BIN / "molecule"
TIMEOUT = int(os.environ.get("SRXVPN_MOLECULE_TIMEOUT", "600"))   # seconds per scenario
DESTROY_TIMEOUT = 120
TAIL = 150

SCENARIOS = sorted(p.parent.name for p in SCENARIOS_DIR.glob("*/molecule.yml"))


def _env(ephemeral: pathlib.Path, backend: str = "model") -> dict[str, str]:
    env = dict(os.environ)
    env["SRXVPN_MOLECULE_BACKEND"] = backend
    # molecule calls ansible-config / ansible-playbook from PATH (TOOLCHAIN.md)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MOLECULE_EPHEMERAL_DIRECTORY"] = str(ephemeral)
    env["NO_COLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["ANSIBLE_NOCOLOR"] = "1"
    env.pop("SRXVPN_MOLECULE_TARGET", None)      # always the lab here
    return env


def _molecule(args: list[str], env: dict[str, str], log: pathlib.Path, timeout: int) -> int | None:
    """Run molecule from the repository root; its output goes to ``log``. None on timeout."""
    with log.open("ab") as out:
        proc = subprocess.Popen([str(MOLECULE), *args], cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return None


def _tail(log: pathlib.Path, lines: int = TAIL) -> str:
    text = log.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def test_scenarios_found() -> None:
    expected = {"default", "interfaces", "zones", "ike", "ipsec", "bgp", "hub_and_spoke",
                "psk_mismatch", "proposal_mismatch", "bad_intent", "external_peer"}
    assert expected <= set(SCENARIOS), f"missing scenarios: {sorted(expected - set(SCENARIOS))}"


@pytest.mark.skipif(not MOLECULE.exists(), reason=f"molecule not installed in {BIN}")
@pytest.mark.parametrize(("scenario", "backend"), [(s, "model") for s in SCENARIOS] + [("default", "real")],
                         ids=[*SCENARIOS, "default-real"])
def test_molecule_scenario(scenario: str, backend: str, tmp_path: pathlib.Path) -> None:
    # A short private directory: the lab's control socket lives in it (AF_UNIX path limit).
    ephemeral = pathlib.Path(tempfile.mkdtemp(prefix=f"mol-{scenario[:12]}-"))
    env = _env(ephemeral, backend)
    log = tmp_path / "molecule.log"
    try:
        rc = _molecule(["test", "-s", scenario], env, log, TIMEOUT)
        if rc is None:
            _molecule(["destroy", "-s", scenario], env, log, DESTROY_TIMEOUT)
            pytest.fail(f"molecule test -s {scenario}: no result after {TIMEOUT} s (killed, destroyed)\n"
                        f"{_tail(log)}")
        assert rc == 0, f"molecule test -s {scenario} failed (rc={rc}); full log: {log}\n{_tail(log)}"
        if backend != "model":     # create.yml shows `srxlab up`'s line: "... up in DIR (pid N, real backend)"
            assert f"{backend} backend" in log.read_text(errors="replace"), f"not on the {backend} backend: {log}"
    finally:
        shutil.rmtree(ephemeral, ignore_errors=True)
