"""The README's commands as a new user types them, in a copy of the checkout.

`make deploy` sets up the lab and its secrets and runs the main job; then the user runs the
same job by hand: `ansible-playbook deploy_vpn.yml`, with the venv's tools on PATH and no
other flag or variable. It must find the lab's vault through ansible.cfg and change nothing.

The copy holds the files git would hand a fresh clone; it reuses this venv (`VENV=`, and
`make -o` so the shared venv is never reinstalled). Its lab runs in the copy's `.lab/default`
and is stopped at the end. Both lab backends: the model, and real strongSwan and BIRD daemons
(`make deploy LAB_BACKEND=real`; `make test` installs their packages).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest
from helpers import parse_recap

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV = pathlib.Path(sys.prefix)
TIMEOUT = 600   # make deploy on the real backend starts four daemons first


def _user_env() -> dict[str, str]:
    """A shell as a user has it: the venv's bin on PATH, no Ansible variable set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "SRXLAB_"))}
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(cmd: list[str], cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=_user_env(), capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


@pytest.fixture
def checkout():
    # A short folder: the real backend's daemons have control sockets under .lab/default, and a
    # socket path has at most 107 bytes (pytest's tmp_path under xdist is too long for it).
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="srxvpn-"))
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    copy = tmp_path / "srx_vpn"
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file() and not src.is_symlink():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / rel)
    # The copy's ansible.cfg reads collections from ./.venv/collections.
    (copy / ".venv").symlink_to(VENV)
    try:
        yield copy
    finally:
        _run(["make", "lab-down", f"VENV={VENV}", "-o", f"{VENV}/.installed"], copy)
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("backend", ["model", "real"])
def test_make_deploy_then_plain_ansible_playbook_changes_nothing(checkout: pathlib.Path, backend: str):
    make = _run(["make", "deploy", f"VENV={VENV}", "-o", f"{VENV}/.installed", f"LAB_BACKEND={backend}"], checkout)
    assert make.returncode == 0, make.stdout[-3000:] + make.stderr[-3000:]
    assert f"{backend} backend" in make.stdout or backend == "model", make.stdout[-3000:]
    first = parse_recap(make.stdout)
    assert first and all(c["failed"] == 0 and c["unreachable"] == 0 for c in first.values()), make.stdout[-3000:]

    again = _run(["ansible-playbook", "deploy_vpn.yml"], checkout)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "no vault secrets" not in again.stdout + again.stderr
    recap = parse_recap(again.stdout)
    assert recap, again.stdout[-3000:]
    assert all(c["changed"] == 0 and c["failed"] == 0 for c in recap.values()), again.stdout[-3000:]
