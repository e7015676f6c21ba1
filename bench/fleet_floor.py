#!/usr/bin/env python3
"""The ncclient "floor" contender of bench/fleet.py: the fleet deploy from one Python process.

    python bench/fleet_floor.py JOB.json [--threads 20] [--wait 60] [--confirm-timeout 5]

JOB.json (written by bench/fleet.py) lists the devices of a running lab::

    {"devices": [{"name", "host", "port", "username", "password",
                  "lines": ["set ...", ...],          # all stanzas, in order
                  "psks": {"<tunnel>": "<clear key>"}}]}

The lines carry the product's key placeholder ``"@@srx_vpn_psk:<tunnel>@@"``. Each device
is handled by one thread of a pool (``--threads``), in one NETCONF session:

1. connect (ncclient, device_params junos, no host key check, no SSH agent or key files);
2. lock; get-configuration format=set (the committed config); every placeholder becomes the
   device's own ``$9$`` value when it decodes to the key (as the product does: an unchanged
   key makes no diff), else the clear key in double quotes (Junos stores it as ``$9$``);
3. load-configuration action=set; get-configuration compare=rollback rollback=0 format=text;
4. a diff: commit-configuration confirmed (confirm-timeout ``--confirm-timeout`` minutes),
   then a confirming commit-configuration; no diff: discard-changes, no commit;
5. unlock; then get-ike-security-associations-information,
   get-security-associations-information and get-bgp-summary-information, polled every
   second until an IKE SA is UP, IPsec SAs exist and every BGP peer is Established (at most
   ``--wait`` seconds); close.

One line per device and a summary line are printed; exit status 0 when every device
succeeded and verified, 1 otherwise. The keys are never printed.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import logging
import re
import shlex
import sys
import time

from ncclient import manager
from ncclient.xml_ import to_ele
from netutils.password import decrypt_juniper_type9

NETCONF_TIMEOUT = 60                 # seconds for one ncclient operation
POLL_INTERVAL = 1.0                  # seconds between two state polls
_PLACEHOLDER = re.compile(r'"@@srx_vpn_psk:([^@"]+)@@"')
_POLICY_KEY = re.compile(r'^set security ike policy (\S+) pre-shared-key ascii-text "?(\$9\$[^"\s]+)"?$')


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def elements(reply, name: str) -> list:
    """Elements named ``name`` (any namespace) in an ncclient reply."""
    if hasattr(reply, "_root"):
        root = reply._root
    elif hasattr(reply, "xpath") and not hasattr(reply, "iter"):
        root = reply.xpath("/*")[0]      # the junos handler's NCElement
    else:
        root = reply
    return [el for el in root.iter() if local(el.tag) == name]


def texts(reply, name: str) -> list[str]:
    return [(el.text or "").strip() for el in elements(reply, name)]


def fill_keys(lines: list[str], psks: dict[str, str], committed_set: str) -> list[str]:
    """Replace each key placeholder: the device's own $9$ of the same key, else the clear key."""
    on_device = {}
    for line in committed_set.splitlines():
        m = _POLICY_KEY.match(line.strip())
        if m:
            on_device[m.group(1)] = m.group(2)

    def policy_of(line: str) -> str | None:
        words = shlex.split(line)
        return words[4] if words[:4] == ["set", "security", "ike", "policy"] and len(words) > 4 else None

    out = []
    for line in lines:
        m = _PLACEHOLDER.search(line)
        if m:
            key = psks[m.group(1)]
            current = on_device.get(policy_of(line) or "")
            value = current if current and _decrypts_to(current, key) else key
            line = line[:m.start()] + f'"{value}"' + line[m.end():]
        out.append(line)
    return out


def _decrypts_to(secret: str, key: str) -> bool:
    try:
        return decrypt_juniper_type9(secret) == key
    except (ValueError, KeyError, IndexError):
        return False


def state_ok(m: manager.Manager) -> tuple[bool, str]:
    ike = m.rpc(to_ele("<get-ike-security-associations-information/>"))
    ipsec = m.rpc(to_ele("<get-security-associations-information/>"))
    bgp = m.rpc(to_ele("<get-bgp-summary-information/>"))
    ike_states = texts(ike, "ike-sa-state")
    ipsec_sas = elements(ipsec, "ipsec-security-associations")
    peers = texts(bgp, "peer-state")
    ok = "UP" in ike_states and bool(ipsec_sas) and bool(peers) and all(p == "Established" for p in peers)
    return ok, f"ike={ike_states} ipsec_sas={len(ipsec_sas)} bgp={peers}"


def deploy(dev: dict, confirm_timeout: int, wait: float) -> dict:
    start = time.monotonic()
    result = {"name": dev["name"], "changed": False, "commits": 0, "verified": False, "error": None}
    m = manager.connect(host=dev["host"], port=dev["port"], username=dev["username"],
                        password=dev["password"], hostkey_verify=False, device_params={"name": "junos"},
                        look_for_keys=False, allow_agent=False, timeout=NETCONF_TIMEOUT)
    try:
        m.lock()
        try:
            current = texts(m.rpc(to_ele('<get-configuration format="set" database="committed"/>')),
                            "configuration-set")
            lines = fill_keys(dev["lines"], dev.get("psks", {}), current[0] if current else "")
            m.load_configuration(action="set", config=lines)
            diff = texts(m.rpc(to_ele('<get-configuration compare="rollback" rollback="0" format="text"/>')),
                         "configuration-output")
            if diff and diff[0]:
                m.rpc(to_ele("<commit-configuration><confirmed/>"
                             f"<confirm-timeout>{confirm_timeout}</confirm-timeout></commit-configuration>"))
                m.rpc(to_ele("<commit-configuration/>"))
                result.update(changed=True, commits=2)
            else:
                m.rpc(to_ele("<discard-changes/>"))
        finally:
            m.unlock()
        deadline = time.monotonic() + wait
        while True:
            ok, detail = state_ok(m)
            if ok or time.monotonic() >= deadline:
                break
            time.sleep(POLL_INTERVAL)
        result["verified"] = ok
        if not ok:
            result["error"] = f"not up after {wait:g} s: {detail}"
    finally:
        m.close_session()
    result["seconds"] = time.monotonic() - start
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("job", help="JSON job file written by bench/fleet.py")
    parser.add_argument("--threads", type=int, default=20, help="thread pool size (default 20)")
    parser.add_argument("--wait", type=float, default=60.0,
                        help="seconds to wait per device for IKE/IPsec/BGP (default 60)")
    parser.add_argument("--confirm-timeout", type=int, default=5,
                        help="minutes of the commit confirmed (default 5)")
    args = parser.parse_args(argv)
    logging.getLogger("ncclient").setLevel(logging.WARNING)
    with open(args.job, encoding="utf-8") as handle:
        devices = json.load(handle)["devices"]
    start = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        futures = {pool.submit(deploy, dev, args.confirm_timeout, args.wait): dev["name"] for dev in devices}
        for future in concurrent.futures.as_completed(futures):
            try:
                results.append(future.result())
            except Exception as exc:  # noqa: BLE001 - one device's failure is reported, the others go on
                results.append({"name": futures[future], "changed": False, "commits": 0, "verified": False,
                                "error": f"{type(exc).__name__}: {exc}", "seconds": float("nan")})
    for r in sorted(results, key=lambda r: r["name"]):
        state = "ok" if r["verified"] and not r["error"] else f"FAILED: {r['error']}"
        print(f"{r['name']}: changed={'yes' if r['changed'] else 'no'} commits={r['commits']} "
              f"{r['seconds']:.1f} s {state}")
    failed = [r["name"] for r in results if r["error"] or not r["verified"]]
    print(f"floor: {len(results)} devices, {sum(r['changed'] for r in results)} changed, "
          f"{len(results) - len(failed)} verified, {len(failed)} failed, {args.threads} threads, "
          f"{time.monotonic() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
