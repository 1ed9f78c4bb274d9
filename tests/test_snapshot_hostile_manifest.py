"""A hostile sender edits a snapshot's manifest.json or its Parquet file by hand (the manifest is not itself
checksummed). Whatever they write, `restore` and `diff` answer with exit 1 and a plain message, never a
traceback, and the store is unchanged."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pandas as pd
import pytest

from indicators.cli import main
from indicators.snapshot import Filters, build_snapshot
from tests.snapshot_helpers import rewrite, store_state, with_store


@pytest.fixture
def snapshot_file(store_path, tmp_path):
    """A snapshot of the seeded store's trade figures, saved as trade.zip."""
    data = with_store(lambda store: build_snapshot(store, Filters(indicators=("trade_volume",))).data)
    path = tmp_path / "trade.zip"
    path.write_bytes(data)
    return path


def _with_manifest_text(data: bytes, edit) -> bytes:
    """The archive with manifest.json replaced by ``edit(text)`` (raw text: not necessarily JSON we write)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = source.read(name)
            archive.writestr(name, edit(content.decode("utf-8")) if name == "manifest.json" else content)
    return out.getvalue()


def _manifest_with(changes: dict):
    def edit(text: str) -> str:
        manifest = json.loads(text)
        manifest.update(changes)
        return json.dumps(manifest)

    return edit


HOSTILE_MANIFESTS = {
    "a schema version of 5,000 digits": (
        lambda text: re.sub(r'"schema_version": \d+', '"schema_version": 1' + "0" * 5000, text),
        "manifest.json does not parse",
    ),
    "a manifest nested 100,000 deep": (lambda text: "[" * 100_000 + "]" * 100_000, "manifest.json does not parse"),
    "a period filter that is an object": (
        _manifest_with({"filters": {"period_from": {"year": 2015}}}),
        "filters are not valid",
    ),
    "an indicator filter that is one string, not a list": (
        _manifest_with({"filters": {"indicators": "trade_volume"}}),
        "filters are not valid",
    ),
    "a snapshot format from the future": (_manifest_with({"format_version": 99}), "newer version"),
}


@pytest.mark.parametrize("case", list(HOSTILE_MANIFESTS))
def test_a_hand_edited_manifest_is_refused_with_a_message_and_the_store_unchanged(
    case, snapshot_file, tmp_path, capsys
):
    edit, reason = HOSTILE_MANIFESTS[case]
    hostile = tmp_path / "edited.zip"
    hostile.write_bytes(_with_manifest_text(snapshot_file.read_bytes(), edit))
    before = with_store(store_state)
    assert main(["restore", str(hostile)]) == 1
    assert main(["diff", str(hostile)]) == 1
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err
    assert with_store(store_state) == before


def test_a_zip_with_a_deeply_nested_manifest_in_the_folder_is_listed_not_a_crash(snapshot_file, tmp_path):
    from indicators.snapshot import list_snapshots, snapshot_files

    folder = tmp_path / "snaps"
    folder.mkdir()
    nested = _with_manifest_text(snapshot_file.read_bytes(), lambda text: "[" * 100_000 + "]" * 100_000)
    (folder / "nested.zip").write_bytes(nested)
    (folder / "good.zip").write_bytes(snapshot_file.read_bytes())
    listed = list_snapshots(folder)
    assert list(listed["file"]) == ["good.zip", "nested.zip"]
    assert snapshot_files(listed) == ["good.zip"]


def _with_parquet_column(data: bytes, name: str, values) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(zipfile.ZipFile(io.BytesIO(data)).read("observations.parquet")))
    table = table.set_column(table.schema.get_field_index(name), name, pa.array(values))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return rewrite(data, replace={"observations.parquet": buffer.getvalue()})


PARQUET_TYPES = {
    "values that are dates": ("value", lambda n: pd.to_datetime(["2020-01-01"] * n), "value"),
    "periods that are whole numbers": ("period", lambda n: list(range(2019, 2019 + n)), "period"),
    "quotes that are records": ("quote", lambda n: [{"said": "x"}] * n, "quote"),
}


@pytest.mark.parametrize("case", list(PARQUET_TYPES))
def test_a_parquet_column_of_the_wrong_type_is_refused_not_converted(case, snapshot_file, tmp_path, capsys):
    """Dates as values were restored as microseconds since 1970 (1.5778368e+15), periods 2019... as periods,
    a record as the text of a quote: the figures are refused, naming the column."""
    column, values, named = PARQUET_TYPES[case]
    count = len(pd.read_parquet(io.BytesIO(zipfile.ZipFile(snapshot_file).read("observations.parquet"))))
    edited = tmp_path / "typed.zip"
    edited.write_bytes(_with_parquet_column(snapshot_file.read_bytes(), column, values(count)))
    before = with_store(store_state)
    assert main(["restore", str(edited)]) == 1
    assert main(["diff", str(edited)]) == 1
    err = capsys.readouterr().err
    assert f"observations.parquet: column {named} holds" in err and "Traceback" not in err
    assert with_store(store_state) == before


def test_a_parquet_file_holding_other_than_the_manifests_count_is_refused(snapshot_file, tmp_path, capsys):
    """An emptied observations.parquet (checksum recomputed) would have removed every trade figure in a
    replace restore; the manifest's count of figures says it is not the file that was exported."""
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(zipfile.ZipFile(snapshot_file).read("observations.parquet")))
    buffer = io.BytesIO()
    pq.write_table(table.slice(0, 0), buffer)
    emptied = tmp_path / "emptied.zip"
    emptied.write_bytes(rewrite(snapshot_file.read_bytes(), replace={"observations.parquet": buffer.getvalue()}))
    before = with_store(store_state)
    assert main(["restore", str(emptied)]) == 1
    err = capsys.readouterr().err
    assert f"the manifest counts {len(table)} figures; observations.parquet holds 0" in err
    assert with_store(store_state) == before


def _password_protected(data: bytes) -> bytes:
    """The archive with every member flagged as encrypted, as a zip tool's 'protect with a password' makes it
    (the flag is what a reader sees first; Python's zipfile cannot write real encryption)."""
    import struct

    marked = bytearray(data)
    for signature, flags_at in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        start = 0
        while (found := marked.find(signature, start)) != -1:
            (flags,) = struct.unpack_from("<H", marked, found + flags_at)
            struct.pack_into("<H", marked, found + flags_at, flags | 1)
            start = found + 4
    return bytes(marked)


def test_a_password_protected_zip_is_refused_with_a_message_and_listed_not_a_crash(snapshot_file, tmp_path, capsys):
    """Someone e-mails the snapshot re-zipped with a password: restore and diff said 'RuntimeError: File ... is
    encrypted, password required for extraction' in a traceback, and the Saved list crashed."""
    from indicators.snapshot import list_snapshots

    folder = tmp_path / "snaps"
    folder.mkdir()
    locked = folder / "locked.zip"
    locked.write_bytes(_password_protected(snapshot_file.read_bytes()))
    before = with_store(store_state)
    assert main(["restore", str(locked)]) == 1
    assert main(["diff", str(locked)]) == 1
    err = capsys.readouterr().err
    assert "locked.zip: " in err and "is encrypted (protected by a password)" in err and "Traceback" not in err
    assert with_store(store_state) == before
    assert list(list_snapshots(folder)["filters"]) == ["not a snapshot (no manifest)"]


def test_a_folder_or_a_broken_link_named_zip_in_the_snapshots_folder_is_not_listed(snapshot_file, tmp_path):
    """'old.zip/' (a folder someone unpacked into) was listed, and Download again failed on it; a dangling
    link 'gone.zip' failed the listing itself (FileNotFoundError from its size)."""
    from indicators.snapshot import list_snapshots

    folder = tmp_path / "snaps"
    (folder / "old.zip").mkdir(parents=True)
    (folder / "gone.zip").symlink_to(tmp_path / "nowhere.zip")
    (folder / "good.zip").write_bytes(snapshot_file.read_bytes())
    assert list(list_snapshots(folder)["file"]) == ["good.zip"]


def test_a_catalog_listing_one_id_twice_is_refused_not_last_one_wins(snapshot_file, tmp_path, capsys):
    """sources.csv with the paper twice, under two titles: the second silently won."""
    source = zipfile.ZipFile(snapshot_file)
    lines = source.read("sources.csv").decode("utf-8").splitlines()
    twice = "\n".join([*lines, lines[1].replace(",", ",Another title ", 1)]) + "\n"
    edited = tmp_path / "twice.zip"
    edited.write_bytes(rewrite(snapshot_file.read_bytes(), replace={"sources.csv": twice.encode("utf-8")}))
    before = with_store(store_state)
    assert main(["restore", str(edited)]) == 1
    err = capsys.readouterr().err
    first = lines[1].split(",")[0]
    assert f"sources.csv lists {first} twice (rows 2 and {len(lines) + 1})" in err
    assert with_store(store_state) == before


def test_figures_outside_the_manifests_filters_are_refused(snapshot_file, tmp_path, capsys):
    """A manifest edited to say 'gdp_growth only' over the trade figures: a replace restore would have
    removed every GDP figure (the filters decide what replace may remove) and added the trade figures."""
    edited = tmp_path / "mislabelled.zip"
    edited.write_bytes(
        _with_manifest_text(snapshot_file.read_bytes(), _manifest_with({"filters": {"indicators": ["gdp_growth"]}}))
    )
    before = with_store(store_state)
    assert main(["restore", str(edited), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "lie outside its own filters (indicators gdp_growth)" in err and "trade_volume" in err
    assert with_store(store_state) == before
