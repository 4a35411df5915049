"""What a session's browser is, in words its owner recognises (Chrome on Windows)."""

from __future__ import annotations

# The first name found wins: Edge and Opera also say Chrome, and Chrome also says Safari.
BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(agent: str | None) -> str | None:
    """ "Chrome / Windows", or None when the User-Agent names neither."""
    agent = agent or ""
    browser = next((name for token, name in BROWSERS if token in agent), None)
    system = next((name for token, name in SYSTEMS if token in agent), None)
    return " / ".join(part for part in (browser, system) if part) or None
