"""Fixtures shared by the lab tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from labfakes import LoopThread


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    """An asyncio loop in a background thread, stopped after the test."""
    lt = LoopThread()
    yield lt
    lt.close()
