"""What a script (cron, a shell pipeline, CI) meets at the command line's edges: a read-only deployment whose
store was never created, and a stdout that cannot be written."""

from indicators.cli import main


def test_a_read_only_deployment_without_a_store_says_to_run_init_and_creates_no_file(store_path, monkeypatch, capsys):
    # A cron job on a read-only server, before anyone ran `init`: the message must say what is wrong
    # (there is no store) and what to do, and must not leave an empty file that later looks like a store.
    monkeypatch.setenv("INDICATORS_READ_ONLY", "1")
    assert main(["list"]) == 1
    error = capsys.readouterr().err
    assert str(store_path) in error and "indicators init" in error and "Traceback" not in error
    assert "nothing can be changed" not in error  # the old, misleading reason: nothing was being changed
    assert not store_path.exists()
