"""Any bytes as a snapshot to restore: the archive reader gives an archive or a plain ArchiveError, planning
the restore gives a plan or a plain refusal, and nothing changes the store (hypothesis, bounded). Besides
random bytes, real snapshots are damaged: truncated, bytes flipped, members replaced."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.bootstrap import prepare
from indicators.snapshot import ArchiveError, build_snapshot, plan_restore, read_archive
from indicators.store import Store, StoreError

# a failing example is a whole snapshot: hypothesis warns that its repr is large, which is expected here
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

STORE = prepare(Store())
GOOD = build_snapshot(STORE).data
MEMBERS = zipfile.ZipFile(io.BytesIO(GOOD)).namelist()


def _state() -> tuple:
    return STORE.counts(), STORE._write_count


BEFORE = _state()


def _replace_member(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(GOOD)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            target.writestr(member, content if member == name else source.read(member))
    return out.getvalue()


def _flip(flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(GOOD)
    for position, value in flips:
        data[position] = value
    return bytes(data)


damaged = st.one_of(
    st.binary(max_size=400),
    st.integers(0, len(GOOD)).map(lambda cut: GOOD[:cut]),
    st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), min_size=1, max_size=5).map(_flip),
    st.tuples(st.sampled_from(MEMBERS), st.binary(max_size=300)).map(lambda pair: _replace_member(*pair)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged)
def test_any_damaged_snapshot_is_refused_plainly_or_planned_and_never_changes_the_store(data):
    try:
        archive = read_archive(data, name="damaged.zip")
        plan_restore(STORE, archive, mode="replace")
    except (ArchiveError, StoreError) as error:
        assert str(error)
    assert _state() == BEFORE


def test_an_intact_snapshot_plans_cleanly():
    plan = plan_restore(STORE, read_archive(GOOD, name="good.zip"), mode="replace")
    assert plan is not None
    assert _state() == BEFORE
