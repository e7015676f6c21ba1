"""Helpers of the intent-safety integration tests (``test_intent_preflight.py``,
``test_key_leaks.py``): run any of the collection's playbooks (deploy, render, validate)
against an :class:`deploy_helpers.Inventory` with extra environment (``ANSIBLE_LOG_PATH``),
and find secrets - a clear key or any ``$9$`` string, each decoded with the tests' own
decoder - in texts and folders."""
from __future__ import annotations

import json
import pathlib
import re
import shutil
import time
from collections.abc import Iterable
from typing import Any

from deploy_helpers import (
    REPO,
    Inventory,
    Run,
    parse_recap,
)

from conftest import junos9_decrypt

PLAYBOOKS = {"deploy": REPO / "deploy_vpn.yml", "render": REPO / "playbooks" / "render_vpn.yml",
             "validate": REPO / "playbooks" / "validate_vpn.yml"}
SECRET9 = re.compile(r"\$9\$[^\s\"'<>\\,;}\]]*")


def run_playbook(inv: Inventory, playbook: str, *args: str, limit: str | None = None,
                 extra: dict[str, Any] | None = None, env: dict[str, str] | None = None,
                 timeout: float = 300) -> Run:
    """``ansible-playbook <playbook>`` for ``inv`` (as ``Inventory.deploy`` runs it), plus ``env``."""
    import subprocess

    extra_args = ["-e", "verify_timeout=30"] if playbook == "validate" else []
    cmd, full_env, control = inv.command(PLAYBOOKS[playbook], *extra_args, *args, limit=limit, extra=extra,
                                         env=env, verify_timeout=15)
    report = inv.reports_dir / "vpn_status.json"
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=timeout,
                              cwd=inv.work, check=False)
    finally:
        shutil.rmtree(control, ignore_errors=True)
    return Run(cmd, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start, inv.out_dir,
               inv.reports_dir, parse_recap(proc.stdout), json.loads(report.read_text()) if report.exists() else None)


def secrets_in(text: str, keys: Iterable[str], where: str) -> list[str]:
    """Every clear key and every ``$9$`` string in ``text`` (a ``$9$`` counts as a key: it is
    reversible; each is decoded to say which key it is)."""
    keys = [k for k in keys if k]
    found = []
    for key in keys:
        at = text.find(key)
        if at >= 0:
            found.append(f"{where}: the clear key {key[:6]}... at ...{text[max(0, at - 80):at]!r}")
    for match in SECRET9.finditer(text):
        secret = match.group(0)
        try:
            clear = junos9_decrypt(secret)
        except (ValueError, KeyError, IndexError):
            clear = None
        which = "one of the keys" if clear in keys else ("undecodable" if clear is None else "another secret")
        found.append(f"{where}: a $9$ string ({which}) at ...{text[max(0, match.start() - 80):match.start()]!r}")
    return found


def folder_secrets(folders: Iterable[pathlib.Path], keys: Iterable[str]) -> list[str]:
    keys = list(keys)
    found = []
    for folder in folders:
        folder = pathlib.Path(folder)
        files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
        for path in files:
            found += secrets_in(path.read_text(errors="replace"), keys, str(path))
    return found
