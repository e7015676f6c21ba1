"""Repository-wide pytest setup: make `ansible_collections.netops.srx_vpn` importable."""
import os
import sys

_ROOT = os.path.dirname(os.path.abspath(__file__))
_COLL = os.path.join(_ROOT, ".venv", "collections")
if os.path.isdir(_COLL) and _COLL not in sys.path:
    sys.path.insert(0, _COLL)
