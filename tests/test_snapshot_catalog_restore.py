"""Restoring a snapshot also writes its indicators and sources. An editor who corrected a source's licence
after the snapshot must see, before applying, that the restore puts the old licence back, and find it in
the change log afterwards: it was overwritten silently, with "nothing to change" said and no batch kept."""

from __future__ import annotations

import json

import pytest

from indicators.bootstrap import open_store
from indicators.cli import main
from indicators.models import Source
from indicators.snapshot import Filters, apply_restore, build_snapshot, plan_restore, read_archive

TRADE = Filters(indicators=("trade_volume",))


def _corrected_licence(store) -> Source:
    """The editor's correction: the ministry's page, with an address and a licence."""
    source = next(s for s in store.snapshot_sources().to_dict("records") if s["id"] == "mfa_serbia_bilateral")
    fields = {k: v for k, v in source.items() if k in Source.model_fields and v == v and v is not None}
    corrected = Source(**{**fields, "url": "https://www.mfa.gov.rs/en", "licence": "CC BY 4.0"})
    store.save_source(corrected, who="editor", reason="licence found")
    return corrected


def test_a_restore_that_changes_only_a_source_says_so_and_keeps_one_batch(store):
    snapshot = read_archive(build_snapshot(store, TRADE).data, name="trade.zip")
    _corrected_licence(store)
    plan = plan_restore(store, snapshot, "replace")
    assert plan.changes == 0  # no figure differs
    catalog = plan.catalog.to_dict("records")
    assert catalog == [{"table": "source", "id": "mfa_serbia_bilateral", "status": "changed", "fields": "url, licence"}]
    result = apply_restore(store, plan, who="analyst")
    assert result.batch_id is not None and result.catalog == 1
    back = store.query_rows("SELECT url, licence FROM source WHERE id = 'mfa_serbia_bilateral'")
    assert back == [(None, None)]  # the snapshot's, as the preview said
    detail = json.loads(store.query_value("SELECT detail FROM batch WHERE id = ?", [result.batch_id]))
    (entry,) = detail["catalog"]
    assert entry["id"] == "mfa_serbia_bilateral" and entry["before"]["licence"] == "CC BY 4.0"


def test_an_unchanged_catalog_is_not_reported_and_an_identical_restore_writes_nothing(store):
    data = build_snapshot(store, TRADE).data
    plan = plan_restore(store, read_archive(data), "replace")
    assert plan.catalog.empty and plan.changes == 0
    batches = store.query_value("SELECT count(*) FROM batch")
    assert apply_restore(store, plan, who="analyst").batch_id is None
    assert store.query_value("SELECT count(*) FROM batch") == batches


def test_into_an_empty_store_every_indicator_and_source_is_new(store, empty_store):
    plan = plan_restore(empty_store, read_archive(build_snapshot(store, TRADE).data), "merge")
    assert set(zip(plan.catalog["table"], plan.catalog["status"], strict=True)) == {
        ("indicator", "added"),
        ("source", "added"),
    }
    assert len(plan.catalog) == 1 + 3  # trade_volume; the ministry, the census and the paper citing the ministry


@pytest.fixture
def trade_snapshot(store_path, tmp_path):
    store = open_store(idle_release=0)
    try:
        path = tmp_path / "trade.zip"
        path.write_bytes(build_snapshot(store, TRADE).data)
        _corrected_licence(store)
    finally:
        store.close()
    return path


def test_the_command_line_dry_run_names_the_source_it_would_change(trade_snapshot, capsys):
    assert main(["restore", str(trade_snapshot), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "source mfa_serbia_bilateral: changed (url, licence)" in out
    assert "0 figure(s) and 1 indicator(s) or source(s) would change" in out
    assert main(["restore", str(trade_snapshot)]) == 0
    out = capsys.readouterr().out
    assert (
        "Restored as batch" in out and "1 indicator(s) or source(s) updated" in out and "Nothing to change" not in out
    )


def test_the_change_log_lists_the_source_a_restore_overwrote(store):
    snapshot = read_archive(build_snapshot(store, TRADE).data, name="trade.zip")
    _corrected_licence(store)
    result = apply_restore(store, plan_restore(store, snapshot, "replace"), who="analyst")
    log = store.change_log(batch_id=result.batch_id)
    assert list(zip(log["kind"], log["action"], log["source_id"], strict=True)) == [
        ("restore", "source", "mfa_serbia_bilateral")
    ]


def test_an_indicator_whose_numbers_the_csv_rounds_is_not_reported_as_changed(store):
    """indicators.csv writes numbers with 15 significant digits, as every CSV here: a benchmark of
    0.1 + 0.2 comes back as 0.3. Restoring the snapshot just taken must not report (and rewrite) it."""
    gdp = store.indicator("gdp_growth")
    store.save_indicator(gdp.model_copy(update={"benchmark_value": 0.1 + 0.2}), who="editor", reason="target")
    plan = plan_restore(store, read_archive(build_snapshot(store, Filters(indicators=("gdp_growth",))).data))
    assert plan.catalog.empty and plan.nothing_to_do
