"""Who may write, decided in one place (pages ask; the store enforces read-only mode on its own).

- INDICATORS_READ_ONLY=1: nobody edits; editing pages are hidden and the store refuses writes.
- No editor password set: editing is open to the person at this machine, recorded as the local user.
"""

from __future__ import annotations

from indicators.config import settings
from indicators.store import local_user


def editing_enabled() -> bool:
    """False in read-only deployments: editing pages are not even listed."""
    return not settings().read_only


def current_editor() -> str | None:
    """The name to record as "who" for a change made now, or None when nobody may edit."""
    if not editing_enabled():
        return None
    return local_user()
