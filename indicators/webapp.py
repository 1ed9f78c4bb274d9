"""Streamlit glue shared by the pages: the cached store, reads cached per store version, safe text.

The store object is cached per (path, read-only) with ``st.cache_resource``; it is thread-safe (every unit
of work takes its own cursor, see store/connection.py). Query results are cached with ``st.cache_data`` keyed
by the store's version token, so a rerun of an unchanged page does not query again, and any write (ours or
another process's) makes the next read fresh.
"""

from __future__ import annotations

import contextvars
import re
import runpy

import pandas as pd
import streamlit as st

from indicators.bootstrap import open_store
from indicators.config import ConfigError, settings
from indicators.models import Indicator
from indicators.store import Store, StoreError
from indicators.store.reads import SPARK_POINTS

_UNDER_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("indicators_under_app", default=False)


def run_navigation(navigation) -> None:
    """Run the chosen page from app.py, marking the run so the page knows it has the app around it."""
    marker = _UNDER_APP.set(True)
    try:
        navigation.run()
    finally:
        _UNDER_APP.reset(marker)


def page_needs_app() -> None:
    """Called first by every page. Until some session has run app.py, Streamlit serves a URL like
    /indicator?indicator=... by running pages/indicator.py on its own (its old pages/ directory mode), with
    no navigation, sidebar or sign-in. Such a run executes app.py instead, which routes to this same page."""
    if _UNDER_APP.get():
        return
    from indicators.config import REPOSITORY

    runpy.run_path(str(REPOSITORY / "app.py"), run_name="__main__")
    st.stop()


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:])")
# Streamlit's markdown (GFM) turns bare addresses into links after escapes are resolved: ``https://x``,
# ``www.x`` and ``a@b.org`` would become clickable. An invisible WORD JOINER breaks each trigger.
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGER = re.compile(r"(?i)(https?|www|ftp|mailto)(?=\W)|(@)(?=[\w-])")


def md(text: object) -> str:
    """User text made inert for st.markdown: every markdown and HTML character is backslash-escaped, and
    bare web and mail addresses are kept from turning into links, so a note like ``[click](javascript:...)``,
    ``<script>`` or ``https://evil.example`` shows as typed."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    unlinked = _AUTOLINK_TRIGGER.sub(lambda match: match.group(0) + WORD_JOINER, str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked).replace("\n", "  \n")


@st.cache_resource(show_spinner=False)
def _store_for(path: str, read_only: bool) -> Store:
    return open_store(settings())


def current_store() -> Store:
    """The configured store, or a clear message and a stopped page when it cannot be opened (or a setting
    such as INDICATORS_MAX_UPLOAD_MB cannot be used)."""
    try:
        config = settings()
        return _store_for(str(config.db_path), config.read_only)
    except (StoreError, ConfigError) as error:
        st.error(md(error))  # a path such as /srv/__live__/store.duckdb shows as typed
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers


def guarded(read, *args, **kwargs):
    """Run a read; when the store is busy or broken, show why instead of a traceback."""
    try:
        return read(*args, **kwargs)
    except StoreError as error:
        st.warning(md(error))
        st.stop()
        raise


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(_store: Store, name: str, token: tuple, args: tuple) -> object:
    return getattr(_store, name)(*args)


def read(store: Store, name: str, *args) -> object:
    """``store.<name>(*args)``, cached until the store changes."""
    return guarded(_cached, store, name, store.version_token(), args)


def overview(store: Store) -> pd.DataFrame:
    return read(store, "overview")


def sparklines(store: Store, indicator_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The Overview's sparkline points (of the indicators named, when named)."""
    if indicator_ids is None:
        return read(store, "sparklines")
    return read(store, "sparklines", SPARK_POINTS, indicator_ids)


def indicators(store: Store) -> list[Indicator]:
    return read(store, "indicators")


def series(store: Store, indicator_id: str, entities: tuple[str, ...] = ()) -> pd.DataFrame:
    return read(store, "series", indicator_id, entities or None)


def progress_bar(bar, label: str):
    """A progress callback (``indicators.progress``) that moves ``bar``, an ``st.progress`` element, and says
    which stage is running: ``Building the snapshot: report``."""
    return lambda fraction, stage: bar.progress(min(1.0, max(0.0, fraction)), text=f"{label}: {md(stage)}")
