"""The limits the README promises operators are the ones the code enforces (its defaults)."""

from __future__ import annotations

import os
import re

import pytest

from portal.core.settings import PROJECT_ROOT, load_settings

DOCUMENTED_DEFAULT = re.compile(r"^\| `PORTAL_([A-Z_]+)` \| `([^`]*)`", re.MULTILINE)
# Security limits and how each default reads in the README's configuration table.
LIMITS = {
    "session_idle_minutes": str,
    "session_lifetime_hours": str,
    "upload_max_bytes": str,
    "booking_rate_limit": str,
    "change_cutoff": lambda cutoff: cutoff.strftime("%H:%M"),
    "trusted_proxies": str,
    "staff_networks": lambda networks: ",".join(str(network) for network in networks),
}


@pytest.mark.parametrize("name", LIMITS)
def test_the_readme_states_the_limits_the_code_enforces(name, tmp_path, monkeypatch):
    for variable in [v for v in os.environ if v.startswith("PORTAL_")]:
        monkeypatch.delenv(variable)
    documented = dict(DOCUMENTED_DEFAULT.findall((PROJECT_ROOT / "README.md").read_text(encoding="utf-8")))
    enforced = getattr(load_settings("staff", {"INSTANCE_PATH": tmp_path}), name)
    assert documented[name.upper()] == LIMITS[name](enforced)
