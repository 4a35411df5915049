"""Who may reach which staff endpoint: the one table, deny by default.

An endpoint missing from both OPEN_ENDPOINTS and PERMISSIONS answers 404 to everyone.
Per-object checks (whose record, which organisation) live in the views on top of this.
"""

from __future__ import annotations

ALL_STAFF = frozenset({"city", "consultant", "operator", "admin"})
ADMIN = frozenset({"admin"})
FRONT_DESK = frozenset({"operator", "city"})
DAILY_LIST = frozenset({"operator", "city", "consultant"})
# Consultation records: everyone sees that one exists; content is the author's and the city's
# (and a granted consultant's), which the views decide per record.
RECORD_READERS = frozenset({"consultant", "city"})
RECORD_AUTHORS = frozenset({"consultant"})
CITY = frozenset({"city"})

# Reachable without a session: signing in, assets, health and the crawler rules.
OPEN_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.second_factor",
        "auth.enrol",
        "auth.enrol_qr",
        "site.healthz",
        "site.robots",
        "site.htmx",
        "site.set_language",
        "static",
    }
)

PERMISSIONS: dict[str, frozenset[str]] = {
    "home.index": ALL_STAFF,
    "auth.logout": ALL_STAFF,
    "auth.keepalive": ALL_STAFF,
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_detail": ADMIN,
    "admin.user_status": ADMIN,
    "admin.user_expiry": ADMIN,
    "admin.user_reset_second_factor": ADMIN,
    "admin.user_end_sessions": ADMIN,
    "admin.organisations": ADMIN,
    "admin.organisation_contract": ADMIN,
    "bookings.requests_inbox": FRONT_DESK,
    "bookings.confirm_request": FRONT_DESK,
    "bookings.decline_request": FRONT_DESK,
    "bookings.daily_list": DAILY_LIST,
    "bookings.daily_csv": DAILY_LIST,
    "bookings.daily_xlsx": DAILY_LIST,
    "bookings.reception": FRONT_DESK,
    "bookings.reception_mark": FRONT_DESK,
    "bookings.reception_walk_in": FRONT_DESK,
    "intake.call": FRONT_DESK,
    "intake.slots": FRONT_DESK,
    "intake.matches": FRONT_DESK,
    "intake.enquiry": FRONT_DESK,
    "intake.booked": FRONT_DESK,
    "intake.search": FRONT_DESK,
    "intake.change": FRONT_DESK,
    "intake.move_booking": FRONT_DESK,
    "intake.cancel_booking": FRONT_DESK,
    "records.index": ALL_STAFF,
    "records.follow_ups_csv": ALL_STAFF,
    "records.new": RECORD_AUTHORS,
    "records.view": RECORD_READERS,
    "records.edit": RECORD_AUTHORS,
    "records.version": RECORD_READERS,
    "records.delete": RECORD_READERS,
    "records.viewers": RECORD_READERS,
    "records.grant": CITY,
    "records.revoke": CITY,
    "records.upload": RECORD_AUTHORS,
    "records.download": RECORD_READERS,
    "records.preview": RECORD_READERS,
    "records.delete_attachment": RECORD_AUTHORS,
}


def allowed(endpoint: str | None, role: str) -> bool:
    """Whether a signed-in user with `role` may reach `endpoint`."""
    return endpoint is not None and role in PERMISSIONS.get(endpoint, frozenset())
