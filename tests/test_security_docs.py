"""The limits the README and the security documents promise are the ones the code enforces.

The README's configuration table states each setting's default; docs/security/*.md state the
numbers the code defines (allowances, sizes, limits, retention periods), and input-rules.md has a
row for every field of every form with the rules that form enforces.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re

import pytest
from argon2 import PasswordHasher
from flask_wtf.file import FileRequired
from waitress.adjustments import Adjustments
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

import portal
from portal.core.forms import PortalForm
from portal.core.settings import PROJECT_ROOT, Settings, load_settings

DOCUMENTED_DEFAULT = re.compile(r"^\| `PORTAL_([A-Z_]+)` \| `([^`]*)`", re.MULTILINE)
# Security limits and how each default reads in the README's configuration table.
LIMITS = {
    "session_idle_minutes": str,
    "session_lifetime_hours": str,
    "upload_max_bytes": str,
    "upload_abandon_hours": str,
    "booking_rate_limit": str,
    "change_cutoff": lambda cutoff: cutoff.strftime("%H:%M"),
    "trusted_proxies": str,
    "staff_networks": lambda networks: ",".join(str(network) for network in networks),
}
SECURITY_DOCS = PROJECT_ROOT / "docs" / "security"
FIELD_ROW = re.compile(r"^\| `([a-z_.]+\.[A-Z]\w*\.\w+)` \| (.+) \|$", re.MULTILINE)
REQUIRED = (DataRequired, InputRequired, FileRequired)
KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@pytest.fixture
def defaults(tmp_path, monkeypatch) -> Settings:
    """The staff zone's settings with nothing configured."""
    for variable in [v for v in os.environ if v.startswith("PORTAL_")]:
        monkeypatch.delenv(variable)
    return load_settings("staff", {"INSTANCE_PATH": tmp_path})


@pytest.mark.parametrize("name", LIMITS)
def test_the_readme_states_the_limits_the_code_enforces(name, defaults):
    documented = dict(DOCUMENTED_DEFAULT.findall((PROJECT_ROOT / "README.md").read_text(encoding="utf-8")))
    assert documented[name.upper()] == LIMITS[name](getattr(defaults, name))


def portal_forms() -> dict[str, type]:
    """Every form class of the portal, by `module.Class` with the module relative to `portal`."""
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    found, waiting = {}, [PortalForm]
    while waiting:
        for form in waiting.pop().__subclasses__():
            found[f"{form.__module__.removeprefix('portal.')}.{form.__name__}"] = form
            waiting.append(form)
    return found


def rule_problems(field: UnboundField, rule: str) -> list[str]:
    """What a row says otherwise than the field's validators: required, optional, lengths, ranges."""
    validators = field.kwargs.get("validators") or []
    problems = []
    if rule.startswith("required") != any(isinstance(v, REQUIRED) for v in validators):
        problems.append("required")
    if rule.startswith("optional") != any(isinstance(v, Optional) for v in validators):
        problems.append("optional")
    for validator in validators:
        if isinstance(validator, Length) and validator.max >= 0 and f"≤ {validator.max}" not in rule:
            problems.append(f"≤ {validator.max}")
        if isinstance(validator, NumberRange) and f"{validator.min}–{validator.max}" not in rule:
            problems.append(f"{validator.min}–{validator.max}")
    return problems


def test_the_input_rules_document_every_form_field_as_the_form_enforces_it():
    """Each field is documented once, at the form class that declares it."""
    text = (SECURITY_DOCS / "input-rules.md").read_text(encoding="utf-8")
    documented = dict(FIELD_ROW.findall(text))
    fields = {
        f"{name}.{field}": unbound
        for name, form in portal_forms().items()
        for field, unbound in vars(form).items()
        if isinstance(unbound, UnboundField)
    }
    assert sorted(fields.keys() - documented.keys()) == [], "give these fields a row in input-rules.md"
    assert sorted(documented.keys() - fields.keys()) == [], "rows for fields no form declares"
    wrong = {key: rule_problems(fields[key], rule) for key, rule in documented.items()}
    assert {key: problems for key, problems in wrong.items() if problems} == {}


def stated_numbers(settings: Settings) -> dict[str, list[str]]:
    """Each document's phrases that carry a number or a name the code defines."""
    from portal import REQUEST_BODY_LIMIT, UPLOAD_CHUNK, UPLOAD_FORM_LIMIT
    from portal.core.database import DEFAULT_POOL_SIZE, POOL_WAIT_SECONDS
    from portal.core.mail import SMTP_TIMEOUT
    from portal.core.models.accounts import ROLES
    from portal.serve import OUTPUT_HIGH_WATERMARK, waitress_options
    from portal.staff.account_notices import SHOWN_FOR
    from portal.staff.audit import PUBLIC_ACTIONS
    from portal.staff.auth.signin import PENDING_SECONDS
    from portal.staff.bookings.repeat import earlier_bookings
    from portal.staff.intake.search import RESULTS
    from portal.staff.library.folders import SEARCH_LIMIT
    from portal.staff.roles import ROLE_LABELS
    from portal.staff.security.passwords import MAX_LENGTH, MIN_LENGTH, _common_passwords
    from portal.staff.security.recovery_codes import COUNT as RECOVERY_CODE_COUNT
    from portal.staff.security.throttle import ACCOUNT_ALLOWANCE, ACCOUNT_CODES, ADDRESS_ALLOWANCE, MAX_DELAY
    from portal.staff.security.totp import STEP_SECONDS
    from portal.staff.storage.chunked import IN_PROGRESS_FILES
    from portal.staff.storage.filetypes import MAX_RATIO, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES, TYPES
    from portal.staff.storage.stream_aead import PREFIX, SEGMENT
    from portal.staff.storage.successors import MOST_WAITING, WAIT
    from portal.staff.storage.uploads import MAX_NAME

    def named(kinds) -> str:
        return ", ".join({"jpg": "JPEG"}.get(kind.extension, kind.extension.upper()) for kind in kinds)

    server = waitress_options(settings)
    hasher = PasswordHasher()
    upload = f"`PORTAL_UPLOAD_MAX_BYTES` ({settings.upload_max_bytes / GiB:g} GiB)"
    body = f"{REQUEST_BODY_LIMIT // KiB} KiB"
    connections, held = server["connection_limit"], server["inbuf_overflow"] / MiB
    policy = [f"{MIN_LENGTH} to {MAX_LENGTH} characters", f"{len(_common_passwords()):,} most common"]
    unpacked = f"at most {MAX_ZIP_ENTRIES} entries, {MAX_UNPACKED_BYTES // MiB} MiB declared"
    return {
        "input-rules.md": [
            f"at most {UPLOAD_FORM_LIMIT // MiB} MiB (`UPLOAD_FORM_LIMIT`)",
            upload,
            f"{body} (`REQUEST_BODY_LIMIT`)",
            f"one {UPLOAD_CHUNK // MiB} MiB chunk (`UPLOAD_CHUNK`)",
            f"`PORTAL_UPLOAD_ABANDON_HOURS` ({settings.upload_abandon_hours} hours)",
            f"at most {IN_PROGRESS_FILES} times `PORTAL_UPLOAD_MAX_BYTES` declared together",
            f"waits for that one at most {WAIT:g} s, with at most {MOST_WAITING} such chunks waiting",
            f"limited to {Adjustments.max_request_header_size} bytes",
            unpacked.replace(", ", " and ") + " in total",
            f"no entry above {MAX_RATIO} times its packed size",
            f"at most {MAX_NAME} characters",
            f"| {named(kind for kind in TYPES.values() if not kind.legacy)} |",
            f"legacy Office ({named(kind for kind in TYPES.values() if kind.legacy)})",
            f"`PORTAL_CHANGE_CUTOFF` ({settings.change_cutoff:%H:%M})",
            *policy,
        ],
        "authentication.md": [
            f"{STEP_SECONDS}-second steps",
            f"{RECOVERY_CODE_COUNT} recovery codes",
            f"good for {PENDING_SECONDS // 60} minutes",
            f"| one account from one client address | {ACCOUNT_ALLOWANCE} |",
            f"| one client address, whatever accounts it tries (IPv6: its /64) | {ADDRESS_ALLOWANCE} |",
            f"at most {MAX_DELAY.seconds // 60} minutes",
            f"| {ACCOUNT_CODES.failures} within {ACCOUNT_CODES.period.seconds // 3600} hour of the first |",
            f"code entry paused for {ACCOUNT_CODES.pause.seconds // 3600} hour",
            f"leaves {ACCOUNT_CODES.failures - 1} guesses per window",
            f"home pages for {SHOWN_FOR.days} days",
            f"(`PORTAL_SESSION_IDLE_MINUTES`, {settings.session_idle_minutes})",
            f"(`PORTAL_SESSION_LIFETIME_HOURS`, {settings.session_lifetime_hours})",
            *policy,
            *ROLES,
            *(str(label) for label in ROLE_LABELS.values()),
        ],
        "cryptography.md": [f"{SEGMENT // MiB} MiB segments", f"nonce = {PREFIX} random bytes"],
        "communications.md": [f"| {settings.smtp_port} |", f"{SMTP_TIMEOUT} s timeout"],
        "data-protection.md": [
            f"records {settings.retention_records_days} days",
            f"attachments {settings.retention_attachments_days} after upload",
            f"library documents {settings.retention_documents_days} from",
            f"replaced versions {settings.retention_documents_days} after",
            f"daily reports {settings.retention_daily_reports_days} from their day",
            f"soft-deleted items {settings.retention_deleted_days} days",
            f"after {settings.upload_abandon_hours} hours without a chunk (`PORTAL_UPLOAD_ABANDON_HOURS`)",
            f"{settings.session_idle_minutes} minutes idle, {settings.session_lifetime_hours} hours at most",
        ],
        "maintenance.md": [
            upload,
            f"{server['threads']} threads and {server['connection_limit']} connections per process",
            f"every request body at most {body}",
            f"{UPLOAD_CHUNK // MiB} MiB chunks",
            f"{connections} connections × {held:g} MiB ({connections * held:g} MiB)",
            unpacked,
            f"high-watermark ({OUTPUT_HIGH_WATERMARK // MiB} MiB)",
            f"{hasher.time_cost} passes over {hasher.memory_cost // 1024} MiB, {hasher.parallelism} lanes",
            f"{ACCOUNT_ALLOWANCE} attempts per account and address, {ADDRESS_ALLOWANCE} per address",
            f"(`PORTAL_CALENDAR_CACHE_BYTES`, {settings.calendar_cache_bytes // MiB} MiB)",
            f"`PORTAL_BOOKING_RATE_LIMIT` ({settings.booking_rate_limit.replace(';', ', ')})",
            f"at most {SEARCH_LIMIT} results",
            f"at most {RESULTS} results (search) and "
            f"{inspect.signature(earlier_bookings).parameters['limit'].default} (warnings)",
            f"`PORTAL_DATABASE_POOL_SIZE` ({DEFAULT_POOL_SIZE}) per process",
            f"waits at most {POOL_WAIT_SECONDS} s",
        ],
        "logging.md": [f"`{action}`" for action in sorted(PUBLIC_ACTIONS)],
    }


@pytest.mark.parametrize(
    "document",
    [
        "input-rules.md",
        "authentication.md",
        "cryptography.md",
        "communications.md",
        "data-protection.md",
        "maintenance.md",
        "logging.md",
    ],
)
def test_the_security_documents_state_the_numbers_the_code_enforces(document, defaults):
    text = " ".join((SECURITY_DOCS / document).read_text(encoding="utf-8").split())
    assert [phrase for phrase in stated_numbers(defaults)[document] if phrase not in text] == []
