"""Who may write, decided in one place (pages ask; the store enforces read-only mode on its own).

- INDICATORS_READ_ONLY=1: nobody edits; editing pages are hidden and the store refuses writes.
- An editor password (INDICATORS_EDITOR_PASSWORD, or ``editor_password`` in .streamlit/secrets.toml):
  everyone may browse; only editors signed in with a name and the password may edit, and the name is
  recorded as "who" on every change.
- No editor password set: editing is open to the person at this machine, recorded as the local user.

The password is compared in constant time (``hmac.compare_digest``), never logged, never put in a URL and
never kept in the session: the session holds only the signed-in name and an HMAC of it keyed by the
password, so changing the password signs everybody out. A wrong password costs a short, growing delay.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from indicators.config import settings
from indicators.store import local_user

SESSION_KEY = "_indicators_editor"  # {"name": ..., "proof": HMAC(password, name)}
FAILURES_KEY = "_indicators_sign_in_failures"
MAX_NAME = 80


def editing_enabled() -> bool:
    """False in read-only deployments: editing pages are not even listed."""
    return not settings().read_only


def password_required() -> bool:
    return editing_enabled() and bool(settings().editor_password)


def check_password(given: str, expected: str) -> bool:
    """Constant-time comparison of the typed password with the configured one."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def editor_proof(name: str, password: str) -> str:
    """What the session keeps instead of the password: an HMAC of the editor's name keyed by it."""
    return hmac.new(password.encode("utf-8"), name.encode("utf-8"), hashlib.sha256).hexdigest()


def failure_delay(failures: int) -> float:
    """Seconds to wait after the n-th wrong password in a row: short, growing, capped."""
    return min(0.25 * 2 ** max(failures - 1, 0), 3.0)


def _session() -> dict | None:
    try:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx() is None:
            return None
        return st.session_state
    except Exception:  # not running under Streamlit (the CLI, unit tests)
        return None


def signed_in_name() -> str | None:
    """The name of the editor signed in to this session, if the proof still matches the password."""
    password = settings().editor_password
    session = _session()
    if not password or session is None:
        return None
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    name, proof = str(entry.get("name", "")), str(entry.get("proof", ""))
    if name and hmac.compare_digest(proof, editor_proof(name, password)):
        return name
    return None


def current_editor() -> str | None:
    """The name to record as "who" for a change made now, or None when nobody may edit."""
    if not editing_enabled():
        return None
    if not password_required():
        return local_user()
    return signed_in_name()


def may_edit() -> bool:
    return current_editor() is not None


def sign_in(name: str, password: str) -> str | None:
    """Sign this session in; returns None on success, or the message to show. Never logs the password."""
    expected = settings().editor_password
    session = _session()
    if not expected or session is None:
        return "Signing in is not needed here: editing is open."
    name = " ".join((name or "").split())
    if not name:
        return "Enter your name: it is recorded with every change you make."
    if len(name) > MAX_NAME:
        return f"That name is too long (at most {MAX_NAME} characters)."
    if not check_password(password or "", expected):
        failures = int(session.get(FAILURES_KEY, 0)) + 1
        session[FAILURES_KEY] = failures
        time.sleep(failure_delay(failures))
        return "Wrong password. Nothing was changed; try again."
    session[FAILURES_KEY] = 0
    session[SESSION_KEY] = {"name": name, "proof": editor_proof(name, expected)}
    return None


def sign_out() -> None:
    session = _session()
    if session is not None:
        session.pop(SESSION_KEY, None)


def sidebar() -> None:
    """The sidebar's editing block: who edits, sign-in form, or why editing is off."""
    import streamlit as st

    if not editing_enabled():
        st.caption("Read-only: browsing only, nothing can be changed here.")
        return
    if not password_required():
        st.caption(f"Editing is open on this machine; changes are recorded as **{_md(local_user())}**.")
        return
    name = signed_in_name()
    if name:
        st.caption(f"Signed in as **{_md(name)}**; your changes are recorded under this name.")
        if st.button("Sign out", key="sign_out"):
            sign_out()
            st.rerun()
        return
    with st.form("sign_in", clear_on_submit=True):
        st.markdown("**Editors: sign in**")
        typed_name = st.text_input("Your name", max_chars=MAX_NAME)
        typed_password = st.text_input("Editor password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        problem = sign_in(typed_name, typed_password)
        del typed_password
        if problem:
            st.error(problem)
        else:
            st.rerun()


def require_editor() -> str:
    """For editing pages: the editor's name, or a message and a stopped page when nobody may edit here."""
    import streamlit as st

    who = current_editor()
    if who:
        return who
    if not editing_enabled():
        st.info("This dashboard is read-only: nothing can be changed here.")
    else:
        st.info("Sign in as an editor (in the sidebar) to enter or change figures.")
    st.stop()
    raise RuntimeError("unreachable")  # st.stop() raises


def _md(text: str) -> str:
    from indicators.webapp import md

    return md(text)
