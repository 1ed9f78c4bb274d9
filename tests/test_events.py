"""Events: the papers' events seeded word for word, and editors adding more (CSV, command line), validated,
versioned and audited like figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from indicators.bootstrap import prepare
from indicators.cli import main
from indicators.config import DATA_DIR
from indicators.events import events_csv, load_events_csv, parse_event, read_events_csv
from indicators.models import Event, event_slug
from indicators.seed import apply_seed, seed_checksum
from indicators.store import Store, StoreError

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def normalise(text: str) -> str:
    return " ".join(text.split())


# --- the papers' events ----------------------------------------------------------------------------------


def test_the_store_holds_the_events_both_papers_date(store):
    events = store.events().set_index("id")
    assert events.loc["1999-03-nato-bombing", "type"] == "conflict"
    assert events.loc["1980-06-carter-visits-belgrade", "date"] == "1980-06"
    assert "45 years" in events.loc["1980-06-carter-visits-belgrade", "note"]  # how we dated it
    assert events.loc["2015-migration-crisis", "source_id"] == "five_areas_2019"
    assert events.loc["2024-11-05-us-presidential-election", "type"] == "election"
    assert {"agreement", "rating", "crisis", "visit", "conflict", "election"} <= set(events["type"])
    assert events["quote"].notna().all()


@pytest.mark.skipif(not SEEDS.exists(), reason="the papers (../shared/seeds) are not available in this checkout")
def test_every_seeded_event_quote_is_word_for_word_in_its_paper(store):
    papers = {}
    for path in SEEDS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        key = "pupin_2024" if "A Vision for Future Cooperation Between Serbia and the US" in text else "five_areas_2019"
        papers[key] = normalise(text)
    for event in store.events().itertuples():
        assert normalise(event.quote) in papers[event.source_id], event.id


def test_seeding_twice_adds_nothing_and_the_events_file_is_part_of_the_checksum(store, tmp_path):
    before = store.counts()["batches"]
    assert apply_seed(store) is None
    assert store.counts()["batches"] == before
    copy = tmp_path / "data"
    copy.mkdir()
    for path in DATA_DIR.glob("*.csv"):
        (copy / path.name).write_bytes(path.read_bytes())
    changed = seed_checksum(copy)
    (copy / "events.csv").write_text((copy / "events.csv").read_text() + "2030,visit,A future visit,pupin_2024,,\n")
    assert seed_checksum(copy) != changed


def test_seed_data_never_overrides_an_editor_s_correction_of_an_event(store):
    nato = store.events().set_index("id").loc["1999-03-nato-bombing"]
    corrected = Event(
        id="1999-03-nato-bombing", date="1999-03-24", type="conflict", title=nato.title, source_id="five_areas_2019"
    )
    store.write_events([corrected], kind="event", who="ana", reason="the day is known")
    apply_seed(store, force=True)
    assert store.events().set_index("id").loc["1999-03-nato-bombing", "date"] == "1999-03-24"


# --- the rules ---------------------------------------------------------------------------------------------


def test_an_event_gets_a_readable_id_from_its_date_and_title():
    event = Event(date="2025-09", type="visit", title="Vice President visits Belgrade!", source_id="pupin_2024")
    assert event.id == "2025-09-vice-president-visits-belgrade"


@pytest.mark.parametrize(
    ("field", "value", "column"),
    [("date", "2025-13", "date"), ("type", "treaty", "type"), ("title", " ", "title"), ("source", "Bad Id", "source")],
)
def test_an_invalid_event_names_the_column_and_why(field, value, column):
    record = {"date": "2025", "type": "visit", "title": "A visit", "source": "pupin_2024", field: value}
    event, problems = parse_event(record, row=7)
    assert event is None
    assert [problem.column for problem in problems] == [column]
    assert problems[0].row == 7 and problems[0].reason


def test_an_unknown_event_type_is_refused_by_the_model_too():
    with pytest.raises(ValidationError):
        Event(date="2025", type="party", title="x", source_id="pupin_2024")


# --- CSV: all or nothing --------------------------------------------------------------------------------------


GOOD = "date,type,title,source,quote,note\n2025-09,visit,US Vice President visits Belgrade,pupin_2024,,\n"


def test_a_valid_events_file_is_loaded_as_one_audited_batch(store):
    parsed, result = load_events_csv(store, GOOD.encode(), who="ana", reason="news of September")
    assert parsed.ok and result.added == 1
    batch = store.query_rows("SELECT kind, who, reason, added FROM batch WHERE id = ?", [result.batch_id])[0]
    assert batch == ("event", "ana", "news of September", 1)
    assert "2025-09-us-vice-president-visits-belgrade" in set(store.events()["id"])


def test_a_file_with_one_bad_row_loads_nothing_and_names_every_problem(store):
    before = len(store.events())
    content = GOOD + "2025-02-30,visit,Bad day,pupin_2024,,\n2025,sanction,Sanctions,nobody,,\n"
    parsed, result = load_events_csv(store, content, who="ana", reason="x")
    assert not parsed.ok and result.batch_id is None
    assert [(p.row, p.column) for p in parsed.problems] == [(3, "date"), (4, "source")]
    assert len(store.events()) == before


def test_a_file_without_the_required_columns_says_which_are_missing():
    parsed = read_events_csv("when,what\n2025,visit\n")
    assert {p.column for p in parsed.problems} == {"date", "type", "title", "source"}


def test_the_same_event_twice_in_one_file_is_a_problem():
    parsed = read_events_csv(GOOD + GOOD.splitlines()[1] + "\n")
    assert [p.column for p in parsed.problems] == ["id"]


def test_events_written_as_csv_load_again_unchanged(store):
    content = events_csv(store.events())
    parsed = read_events_csv(content, store.source_ids())
    assert parsed.ok and len(parsed.events) == len(store.events())
    _, result = load_events_csv(store, content, who="ana", reason="round trip")
    assert result.unchanged == len(parsed.events) and result.batch_id is None


# --- versions -----------------------------------------------------------------------------------------------


def test_a_corrected_event_keeps_its_old_version_for_the_as_of_view(store):
    seeded_at = store.events()["recorded_at"].max()
    event = Event(
        id="2015-migration-crisis", date="2015-09", type="crisis", title="Migration crisis", source_id="five_areas_2019"
    )
    result = store.write_events([event], kind="event", who="ana", reason="month known")
    assert result.changed == 1
    assert store.events().set_index("id").loc["2015-migration-crisis", "date"] == "2015-09"
    assert store.events(as_of=seeded_at).set_index("id").loc["2015-migration-crisis", "date"] == "2015"


def test_the_events_change_log_says_who_added_corrected_and_removed_what(store):
    event = Event(date="2025-09", type="visit", title="A visit", source_id="pupin_2024")
    store.write_events([event], kind="event", who="ana", reason="news")
    store.write_events([event.model_copy(update={"title": "A state visit"})], kind="event", who="bo", reason="fix")
    store.delete_event(event.id, who="cy", reason="did not happen")
    log = store.event_changes(limit=3)
    assert list(zip(log["who"], log["action"], log["new_title"].fillna(""), strict=True)) == [
        ("cy", "delete", ""),
        ("bo", "change", "A state visit"),
        ("ana", "add", "A visit"),
    ]
    assert log.iloc[1]["old_title"] == "A visit"


def test_deleting_an_event_is_a_batch_and_an_unknown_source_is_refused(store):
    batch = store.delete_event("2008-global-financial-crisis", who="ana", reason="not bilateral")
    assert "2008-global-financial-crisis" not in set(store.events()["id"])
    assert store.query_value("SELECT removed FROM batch WHERE id = ?", [batch]) == 1
    with pytest.raises(StoreError, match="unknown source"):
        store.write_events(
            [Event(date="2025", type="visit", title="x", source_id="nobody")], kind="event", who="a", reason="r"
        )


def test_a_read_only_store_refuses_events(store_path):
    prepare(Store(store_path)).close()
    read_only = Store(store_path, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        read_only.write_events(
            [Event(date="2025", type="visit", title="x", source_id="pupin_2024")], kind="event", who="a", reason="r"
        )
    read_only.close()


def test_an_old_store_gets_the_event_table_when_it_is_opened(tmp_path):
    from indicators.store import schema

    old = Store(tmp_path / "old.duckdb")
    with old.cursor() as con:
        schema.ensure_migration_table(con)
        schema._initial(con)
        con.execute("INSERT INTO schema_migration VALUES ('0001_initial', now())")
    assert old.migrate()[0] == "0002_events"  # then any later migrations
    prepare(old)
    assert len(old.events()) >= 8
    old.close()


# --- the command line --------------------------------------------------------------------------------------


def test_the_command_line_lists_adds_and_imports_events(store_path, tmp_path, capsys):
    assert main(["events", "--type", "visit"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("id,date,type,title,source,quote,note\n") and "carter" in listed and "nato" not in listed

    assert (
        main(
            [
                "add-event",
                "--date",
                "2025-09",
                "--type",
                "visit",
                "--title",
                "A visit",
                "--source",
                "pupin_2024",
                "--reason",
                "news",
            ]
        )
        == 0
    )
    assert "2025-09-a-visit added" in capsys.readouterr().out

    assert (
        main(
            [
                "add-event",
                "--date",
                "2025-13",
                "--type",
                "visit",
                "--title",
                "x",
                "--source",
                "pupin_2024",
                "--reason",
                "news",
            ]
        )
        == 1
    )
    assert re.search(r"--date: .*no month 13.*nothing was written", capsys.readouterr().err)

    bad = tmp_path / "events.csv"
    bad.write_text(GOOD + "2025,war,x,pupin_2024,,\n")
    assert main(["import-events", str(bad), "--reason", "file"]) == 1
    assert "row 3, column type" in capsys.readouterr().err
    bad.write_text(GOOD)
    assert main(["import-events", str(bad), "--reason", "file", "--dry-run"]) == 0
    assert main(["import-events", str(bad), "--reason", "file"]) == 0
    assert "1 added" in capsys.readouterr().out.splitlines()[-1]


def test_two_events_titled_in_cyrillic_on_one_day_get_their_own_ids():
    """An editor adds two events of the same month, titled in Serbian Cyrillic. Their ids were both the bare
    date (Cyrillic letters vanished from the id), so the second was saved as a correction of the first."""
    visit, agreement = event_slug("2025-03", "Посета Вашингтону"), event_slug("2025-03", "Потписан споразум")
    assert visit == "2025-03-poseta-vasingtonu" and agreement == "2025-03-potpisan-sporazum"


def test_the_command_line_refuses_an_event_change_without_a_reason(store_path, tmp_path, capsys):
    """`add --reason " "` is refused ("every change needs a reason"), and so is the page's event form; but
    `add-event` and `import-events` recorded a blank reason in the change log."""
    prepare(Store(store_path)).close()
    added = ["add-event", "--date", "2025-09", "--type", "visit", "--title", "A visit", "--source", "pupin_2024"]
    assert main([*added, "--reason", "  "]) == 1
    assert "--reason" in capsys.readouterr().err
    events = tmp_path / "events.csv"
    events.write_text(GOOD)
    assert main(["import-events", str(events), "--reason", ""]) == 1
    assert "every change needs a reason" in capsys.readouterr().err
    store = Store(store_path)
    assert "2025-09-a-visit" not in set(store.events()["id"])
    assert store.event_changes()["reason"].fillna("").str.strip().ne("").all()
    store.close()


def test_undo_of_an_added_event_from_the_command_line_removes_it(store_path, capsys):
    """`undo` of an event's batch was refused ("did not change any figure"): events are undone like figures."""
    prepare(Store(store_path)).close()
    added = ["add-event", "--date", "2025-09", "--type", "visit", "--title", "A visit", "--source", "pupin_2024"]
    assert main([*added, "--reason", "news"]) == 0
    batch = capsys.readouterr().out.split("(batch ")[1].rstrip(")\n")
    assert main(["undo", batch]) == 0
    assert "0 event(s) restored, 1 removed" in capsys.readouterr().out
    store = Store(store_path)
    assert "2025-09-a-visit" not in set(store.events()["id"])
    store.close()
    assert main(["undo", batch]) == 1
    assert "already undone" in capsys.readouterr().err
