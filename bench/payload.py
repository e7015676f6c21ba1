#!/usr/bin/env python3
"""Size of a module's Ansiballz payload, and the collection files it ships.

    .venv/bin/python bench/payload.py [--module vpn_state] [--compression ZIP_DEFLATED] [--json]

Builds the payload exactly as ``ansible-playbook`` does before it sends a module to its
target (``ansible.executor.module_common.modify_module``: the module, every module_utils
file it imports transitively, the package ``__init__`` files, ansible's own module_utils),
then prints the size of the AnsiballZ wrapper script, of the zip inside it and of each
``netops/srx_vpn`` file in the zip. The default compression is ansible's default
(``ZIP_STORED``, the ``module_compression`` setting), so the figures are what travels.
``--json`` prints the same figures as one JSON object. Figures only: nothing is asserted
(tests/unit/plugins/module_utils/test_payload.py runs this script to check which files the
vpn_state payload holds).
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import pathlib
import re
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".venv" / "collections"


def build(module: str, compression: str = "ZIP_STORED") -> bytes:
    """The AnsiballZ wrapper script of ``netops.srx_vpn.<module>``."""
    if str(COLLECTIONS) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS))
    from ansible.executor import module_common
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible.utils.collection_loader._collection_finder import (
        _AnsibleCollectionFinder,
    )

    _AnsibleCollectionFinder(paths=[str(COLLECTIONS)])._install()
    path = COLLECTIONS / "ansible_collections" / "netops" / "srx_vpn" / "plugins" / "modules" / f"{module}.py"
    built = module_common.modify_module(
        module_name=f"netops.srx_vpn.{module}", module_path=str(path), module_args={},
        templar=Templar(loader=DataLoader()), module_compression=compression,
        task_vars={"ansible_python_interpreter": sys.executable})
    return built.b_module_data


def payload_zip(wrapper: bytes) -> bytes:
    """The zip the wrapper carries (base64 in its ``zip_data`` literal)."""
    match = re.search(rb"zip_data='([A-Za-z0-9+/=]+)'", wrapper)
    if not match:
        raise ValueError("no zip_data in the AnsiballZ wrapper")
    return base64.b64decode(match.group(1))


def collection_files(payload: bytes) -> dict[str, int]:
    """Uncompressed size of every netops/srx_vpn file in the zip, by path."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return {i.filename: i.file_size for i in archive.infolist() if "netops/srx_vpn" in i.filename}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="vpn_state")
    parser.add_argument("--compression", default="ZIP_STORED", choices=["ZIP_STORED", "ZIP_DEFLATED"])
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    wrapper = build(args.module, args.compression)
    payload = payload_zip(wrapper)
    ours = collection_files(payload)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        count = len(archive.infolist())
    if args.json:
        print(json.dumps({"module": args.module, "compression": args.compression, "wrapper_bytes": len(wrapper),
                          "zip_bytes": len(payload), "zip_files": count, "collection_files": ours}))
        return 0
    print(f"module netops.srx_vpn.{args.module} ({args.compression})")
    print(f"  AnsiballZ wrapper script: {len(wrapper)} bytes")
    print(f"  zip inside it:            {len(payload)} bytes")
    print(f"  files in the zip: {count}, of this collection: {len(ours)} ({sum(ours.values())} bytes uncompressed)")
    for name in sorted(ours):
        print(f"    {ours[name]:8d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
