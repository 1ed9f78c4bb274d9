"""Configuration, read in one place: environment variables first, then `.streamlit/secrets.toml`,
then defaults that let `streamlit run app.py` work with no set-up at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
DATA_DIR = REPOSITORY / "data"
DEFAULT_DB = DATA_DIR / "indicators.duckdb"
DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_MAX_UPLOAD_ROWS = 2_000_000  # lines of a text file or rows of a sheet
DEFAULT_MAX_UPLOAD_COLUMNS = 2_000


def _secret(name: str) -> str | None:
    """A value from Streamlit's secrets when running under Streamlit with a secrets file; else None."""
    try:
        import streamlit as st

        if name in st.secrets:
            return str(st.secrets[name])
    except Exception:  # no secrets file, or not running under Streamlit: secrets are optional
        return None
    return None


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the setting, what it holds and what it should."""


def number(name: str, value: str | None, default: float, *, whole: bool = True, minimum: float = 1) -> float:
    """A numeric setting: ``default`` when unset; a clear ConfigError (never a bare ValueError and its
    traceback) when it is not a number of the right kind."""
    if value is None or not str(value).strip():
        return default
    text = str(value).strip()
    try:
        parsed = int(text) if whole else float(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed != parsed or parsed < minimum:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name} must be {kind} of at least {minimum:g}, not '{text}'")
    return parsed


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    db_path: Path
    editor_password: str | None
    read_only: bool
    snapshots_dir: Path
    max_upload_mb: int
    max_upload_rows: int = DEFAULT_MAX_UPLOAD_ROWS
    max_upload_columns: int = DEFAULT_MAX_UPLOAD_COLUMNS


def settings() -> Settings:
    """Read the settings now (cheap; called on every page run so tests can change the environment)."""
    db_path = Path(os.environ.get("INDICATORS_DB") or _secret("indicators_db") or DEFAULT_DB).expanduser()
    password = os.environ.get("INDICATORS_EDITOR_PASSWORD") or _secret("editor_password") or None
    read_only = _flag(os.environ.get("INDICATORS_READ_ONLY") or _secret("read_only"))
    snapshots = os.environ.get("INDICATORS_SNAPSHOTS_DIR") or _secret("snapshots_dir")
    snapshots_dir = Path(snapshots).expanduser() if snapshots else db_path.parent / "snapshots"
    max_upload = os.environ.get("INDICATORS_MAX_UPLOAD_MB") or _secret("max_upload_mb")
    max_rows = os.environ.get("INDICATORS_MAX_UPLOAD_ROWS") or _secret("max_upload_rows")
    max_columns = os.environ.get("INDICATORS_MAX_UPLOAD_COLUMNS") or _secret("max_upload_columns")
    return Settings(
        db_path=db_path,
        editor_password=password,
        read_only=read_only,
        snapshots_dir=snapshots_dir,
        max_upload_mb=number("INDICATORS_MAX_UPLOAD_MB", max_upload, DEFAULT_MAX_UPLOAD_MB),
        max_upload_rows=number("INDICATORS_MAX_UPLOAD_ROWS", max_rows, DEFAULT_MAX_UPLOAD_ROWS),
        max_upload_columns=number("INDICATORS_MAX_UPLOAD_COLUMNS", max_columns, DEFAULT_MAX_UPLOAD_COLUMNS),
    )
