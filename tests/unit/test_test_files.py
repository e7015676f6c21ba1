"""The test files can all be collected in one run: pytest imports each test file by its base
name (no packages under tests/), so two files of one name in different folders stop the whole
suite with "import file mismatch" - this says which, in any partial run too."""
from __future__ import annotations

import collections
import pathlib

TESTS = pathlib.Path(__file__).resolve().parents[1]


def test_no_two_test_files_share_a_name():
    by_name = collections.defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        if ".venv" not in path.parts and "output" not in path.parts:
            by_name[path.name].append(str(path.relative_to(TESTS)))
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert not clashes, f"test files sharing a name (rename one): {clashes}"
