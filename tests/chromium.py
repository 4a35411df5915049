"""Debian's chromium, driven by Playwright: one headless browser for each test process.

A process can hold one Playwright driver at a time, so every test that prints or clicks shares
this one (the `browser` fixture of tests/conftest.py), the browser stories and the print checks
of the staff pages alike.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
