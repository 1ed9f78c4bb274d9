"""What the killed-process tests share: reading a child's progress lines until the moment to kill it."""

from __future__ import annotations

import subprocess


def wait_for(child: subprocess.Popen, start: str, who: str = "the child") -> str:
    """Read the child's stdout until a line starting with ``start``; return that line."""
    for line in child.stdout:
        if line.startswith(start):
            return line
    raise AssertionError(f"{who} ended before printing {start!r} (exit {child.wait()})")
