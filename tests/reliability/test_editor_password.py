"""The editor password: after a wrong and a right sign-in through the sidebar's sign-in form, the password is
in no log line (every logger at DEBUG), no printed output, no URL query parameter, no session-state value,
no widget state and no element on the page; a password in the URL signs nobody in; wrong passwords cost a
growing delay. (AppTest of app.py loses the sidebar after a form submit, so the form runs on its own here,
as in tests/test_pages_editing.py; the constant-time comparison is tested there too.)"""

from __future__ import annotations

import logging
import time

import pytest

from indicators import access

PASSWORD = "Tr0ub4dor&3-unique-marker"
WRONG = "wrong-guess-unique-marker"


def sign_in_form() -> None:
    import streamlit as st

    from indicators import access

    with st.sidebar:
        access.sidebar()
    st.text(f"editor: {access.current_editor()}")


def _form(store_path):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_function(sign_in_form, default_timeout=30)


def _everything_the_app_keeps_or_shows(at) -> str:
    shown = []
    for kind in ("markdown", "caption", "text", "error", "warning", "info", "success", "title", "header"):
        shown += [str(getattr(item, "value", "")) for item in getattr(at, kind)]
        shown += [str(getattr(item, "value", "")) for item in getattr(at.sidebar, kind)]
    # (the text inputs' own .value is AppTest's local copy of what the test typed, not the app's state)
    shown.append(repr(dict(at.query_params)))
    shown.append(repr(at.session_state))
    # what the server keeps between runs, widget values included (after the form is submitted it clears its
    # inputs; AppTest's client keeps re-sending what the test typed, so its incoming widget states are not
    # the app's memory and are left out)
    state = at.session_state._state._state
    shown.append(repr(state._old_state) + repr(state._new_session_state))
    return "\n".join(shown)


def test_the_password_is_never_logged_shown_kept_or_put_in_the_url(store_path, monkeypatch, caplog, capfd):
    monkeypatch.setenv("INDICATORS_EDITOR_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)  # every logger, streamlit's included, at its most talkative
    at = _form(store_path).run()
    assert not at.exception

    at.sidebar.text_input[0].set_value("Ana")
    at.sidebar.text_input[1].set_value(WRONG)
    at.sidebar.button[0].click().run()
    assert "Wrong password" in at.sidebar.error[0].value
    assert WRONG not in _everything_the_app_keeps_or_shows(at)

    at.sidebar.text_input[0].set_value("Ana")
    at.sidebar.text_input[1].set_value(PASSWORD)
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.text[0].value == "editor: Ana", "the sign-in should have worked"
    kept = _everything_the_app_keeps_or_shows(at)
    assert PASSWORD not in kept and WRONG not in kept
    assert "Ana" in kept

    printed = capfd.readouterr()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PASSWORD, WRONG):
        assert secret not in logged and secret not in printed.out and secret not in printed.err


def test_wrong_passwords_cost_a_growing_delay(store_path, monkeypatch):
    monkeypatch.setenv("INDICATORS_EDITOR_PASSWORD", PASSWORD)
    delays = [access.failure_delay(n) for n in range(1, 8)]
    assert delays == sorted(delays) and delays[0] > 0 and delays[-1] <= 3.0
    at = _form(store_path).run()
    took = []
    for _ in range(3):
        at.sidebar.text_input[0].set_value("Mallory")
        at.sidebar.text_input[1].set_value(WRONG)
        started = time.monotonic()
        at.sidebar.button[0].click().run()
        took.append(time.monotonic() - started)
        assert "Wrong password" in at.sidebar.error[0].value
    assert took[2] >= delays[2] * 0.9, took
    assert at.text[0].value == "editor: None"


@pytest.mark.parametrize("header", ["password", "editor_password", "INDICATORS_EDITOR_PASSWORD"])
def test_the_password_is_not_a_query_parameter_the_app_reads(app, monkeypatch, header):
    """A password in the URL (?password=...) does not sign anyone in."""
    monkeypatch.setenv("INDICATORS_EDITOR_PASSWORD", PASSWORD)
    at = app()
    at.query_params[header] = PASSWORD
    at.run()
    assert not at.exception
    assert access.SESSION_KEY not in at.session_state
    assert not any(element.label == "Sign out" for element in at.sidebar.button)
