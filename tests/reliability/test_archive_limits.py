"""Oversize snapshots are refused from the zip's directory, before a single member is decompressed: too many
members, a member that would unpack past the limit, a member compressed like a zip bomb, a whole archive that
would unpack past the limit, an oversize manifest. Each through the real ``restore`` command with the default
limits: exit 1, a message that names the limit, no member opened, and the store exactly as it was.

Sizes of gigabytes are *declared* (the zip's central directory is edited), not built: what is tested is that
the reader believes nothing it has not checked, and that it checks before it reads.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest

from indicators.bootstrap import open_store, prepare
from indicators.cli import main
from indicators.snapshot import DEFAULT_LIMITS, Filters, build_snapshot
from indicators.store import Store
from tests.snapshot_helpers import rewrite, store_state

GIB = 1024**3


@pytest.fixture(scope="module")
def snapshot() -> bytes:
    return build_snapshot(prepare(Store()), Filters(indicators=("gdp_growth",))).data


def declare(data: bytes, sizes: dict[str, tuple[int, int]]) -> bytes:
    """The archive with the central directory declaring other (unpacked, packed) sizes for some members."""
    out = bytearray(data)
    position = zipfile.ZipFile(io.BytesIO(data)).start_dir
    while out[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", out, position + 28)
        name = bytes(out[position + 46 : position + 46 + name_length]).decode()
        if name in sizes:
            unpacked, packed = sizes[name]
            struct.pack_into("<II", out, position + 20, packed, unpacked)
        position += 46 + name_length + extra_length + comment_length
    return bytes(out)


def _many_members(data: bytes) -> bytes:
    return rewrite(data, add={f"extra/{n}.txt": b"x" for n in range(40)})


CASES = {
    "too many members": (_many_members, "has 49 files; a snapshot has at most 32"),
    "a member over the size limit": (
        lambda data: declare(data, {"observations.csv": (3 * GIB, 300 * 1024**2)}),
        "observations.csv would unpack to 3,221,225,472 bytes, over the limit of 2,147,483,648",
    ),
    "a zip bomb": (
        lambda data: rewrite(data, replace={"README.md": bytes(50 * 1024**2)}),  # 50 MB of zeros, ~50 KB packed
        r"README.md is compressed [\d,]+ to 1, like a zip bomb",  # about 1,000 to 1: deflate at its best
    ),
    "the whole archive over the limit": (
        lambda data: declare(data, {name: (3 * GIB // 2, 150 * 1024**2) for name in ("a", "b", "c")}),
        r"hostile.zip would unpack to 4,8\d\d,\d{3},\d{3} bytes, over the limit of 4,294,967,296",
    ),
    "an oversize manifest": (
        lambda data: declare(data, {"manifest.json": (5 * 1024**2, 1024**2)}),
        "manifest.json is too large to be a manifest",
    ),
}


def _with_abc(data: bytes) -> bytes:
    return rewrite(data, add={name: name.encode() * 100 for name in ("a", "b", "c")})


def test_the_default_limits_are_the_documented_ones():
    assert DEFAULT_LIMITS.max_members == 32
    assert DEFAULT_LIMITS.max_member_bytes == 2 * GIB and DEFAULT_LIMITS.max_total_bytes == 4 * GIB
    assert DEFAULT_LIMITS.max_ratio == 200 and DEFAULT_LIMITS.max_manifest_bytes == 1024**2


@pytest.mark.parametrize("case", list(CASES))
def test_an_oversize_snapshot_is_refused_before_any_member_is_unpacked(
    case, snapshot, store_path, tmp_path, monkeypatch, capsys
):
    build, reason = CASES[case]
    source = _with_abc(snapshot) if case == "the whole archive over the limit" else snapshot
    hostile = tmp_path / "hostile.zip"
    hostile.write_bytes(build(source))
    store = open_store(idle_release=0)
    before = store_state(store)
    store.close()

    opened = []
    original = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(name) or original(self, name, *a, **k)
    )
    assert main(["restore", str(hostile)]) == 1
    message = capsys.readouterr().err
    assert "refused, nothing changed" in message and re.search(reason, message), message
    assert opened == [], f"members were decompressed before the refusal: {opened}"

    store = open_store(idle_release=0)
    try:
        assert store_state(store) == before
    finally:
        store.close()


def test_a_well_formed_snapshot_still_restores_under_the_same_checks(snapshot, store_path, tmp_path, capsys):
    good = tmp_path / "good.zip"
    good.write_bytes(snapshot)
    assert main(["restore", str(good), "--dry-run"]) == 0
    assert "Dry run" in capsys.readouterr().out
