"""Differential test: the same cases through the model backend and the real backend, compared
on what NETCONF shows on both ends (IKE SAs up, IPsec SA directions, BGP Established, ping
over the tunnel). The case table is diffcases.CASES.

One lab per backend serves every case (per xdist worker): each case commits the reference
configuration plus its lines on both devices, runs its steps, and undoes them afterwards."""
from __future__ import annotations

import pathlib
import shutil
import tempfile

import pytest
from diffcases import AWAIT_IKE_DOWN, CASES, Case
from realhelpers import LabUnderTest, View, srxlab

CONVERGE = 45.0     # real seconds for the daemons to reach the model's outcome (DPD, retries)
DIVERGES_WAIT = 15.0  # ... for a known divergence (the model's outcome is not expected)
STABLE = 3.0        # seconds the real lab must show the model's outcome


def summary(views: tuple[View, ...]) -> tuple:
    """The comparable outcome: BGP's transient states (Active, Connect...) differ between
    Junos and BIRD and are compared as "not Established"."""
    return tuple((v.ike_up, v.ipsec, tuple(s == "Established" for s in v.bgp),
                  v.received if all(s == "Established" for s in v.bgp) else (), v.ping) for v in views)


@pytest.fixture(scope="module")
def labs():
    dirs = [pathlib.Path(tempfile.mkdtemp(prefix=f"srxlab-diff-{b}-")) for b in ("model", "real")]
    model = LabUnderTest(dirs[0], "model", env={"SRXLAB_TIME_SCALE": "0.05"})
    real = LabUnderTest(dirs[1], "real")
    try:
        model.up()
        real.up()
        yield model, real
    finally:
        for lab in (model, real):
            lab.down()
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


def _apply(lab: LabUnderTest, case: Case) -> None:
    lab.apply("srx-b", case.b)
    lab.apply("srx-a", case.a)


def _settle(model: LabUnderTest) -> None:
    settled = srxlab(model.state_dir, "wait-settled", "--timeout", "30")
    assert settled.returncode == 0, settled.stderr


def _run(lab: LabUnderTest, command: tuple[str, ...]) -> None:
    proc = srxlab(lab.state_dir, *command)
    assert proc.returncode == 0, f"srxlab {' '.join(command)}: {proc.stdout}{proc.stderr}"


def _steps(lab: LabUnderTest, case: Case, settle=None) -> None:
    """Run the case's steps on ``lab``; ``settle`` (the model's) after each command."""
    off: set[str] = set()
    for step in case.steps:
        if step[0] == AWAIT_IKE_DOWN:
            views = lab.wait_for(lambda v: not any(x.ike_up for x in v), CONVERGE, skip=off)
            assert not any(x.ike_up for x in views), f"{case.name} ({lab.backend}): IKE SAs not torn down"
            continue
        _run(lab, step)
        if step[0] in ("stop", "start"):
            (off.add if step[0] == "stop" else off.discard)(step[1])
        if settle:
            settle()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(
    reason=c.diverges, strict=True)] if c.diverges else []) for c in CASES])
def test_model_and_real_agree(labs, case):
    model, real = labs
    skip = case.stopped()
    try:
        _apply(real, case)      # the daemons negotiate while the model is read
        _apply(model, case)
        _settle(model)
        before = summary(model.pair())
        _steps(model, case, settle=lambda: _settle(model))
        expected = summary(model.pair(skip))
        if case.steps:
            # the daemons first reach the committed outcome, so that the steps act on it
            got = summary(real.wait_for(lambda v: summary(v) == before, CONVERGE, stable=STABLE))
            assert got == before, f"{case.name} before its steps: real {got} != model {before}"
            _steps(real, case)
        timeout = DIVERGES_WAIT if case.diverges else CONVERGE
        got = summary(real.wait_for(lambda v: summary(v) == expected, timeout, stable=STABLE, skip=skip))
        assert got == expected, f"{case.name}: real {got} != model {expected}"
    finally:
        for lab in (model, real):
            for command in case.undo():
                srxlab(lab.state_dir, *command)


def test_table_covers_steps_and_undo():
    """The steps' bookkeeping the comparison relies on (no lab needed)."""
    dpd = next(c for c in CASES if c.name == "dpd-peer-stopped")
    assert dpd.stopped() == {"srx-b"} and dpd.undo() == [("start", "srx-b")]
    link = next(c for c in CASES if c.name == "link-down-and-up")
    assert link.stopped() == set() and link.undo() == [("link", "up", "srx-a", "ge-0/0/0")]
    assert len({c.name for c in CASES}) == len(CASES)
