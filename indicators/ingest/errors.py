"""The one exception the importer raises for a file it cannot read at all (empty, binary, too large)."""

from __future__ import annotations


class UploadError(ValueError):
    """The file as a whole cannot be read; the message says why, for the person who chose it."""
