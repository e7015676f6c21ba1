"""The unit tests of plugins/: their shared case modules (state_cases.py, intent_cases.py)
sit in this folder and are imported from its subfolders too."""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
