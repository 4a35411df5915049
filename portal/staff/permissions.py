"""Who may reach which staff endpoint: the one table, deny by default.

An endpoint missing from both OPEN_ENDPOINTS and PERMISSIONS answers 404 to everyone.
Per-object checks (whose record, which organisation) live in the views on top of this.
"""

from __future__ import annotations

ALL_STAFF = frozenset({"city", "consultant", "operator", "admin"})
ADMIN = frozenset({"admin"})
FRONT_DESK = frozenset({"operator", "city"})
DAILY_LIST = frozenset({"operator", "city", "consultant"})
OPERATOR = frozenset({"operator"})
OVERSIGHT = frozenset({"city", "admin"})
# Consultation records: everyone sees that one exists; content is the author's and the city's
# (and a granted consultant's), which the views decide per record.
RECORD_READERS = frozenset({"consultant", "city"})
RECORD_AUTHORS = frozenset({"consultant"})
CITY = frozenset({"city"})
# Oversight (jobs 7 and 8): monitoring, staffing plans, the monthly report and the staff support
# ledger belong to the city, which the work is accounted to, and the operator, who runs and reports
# it; the operator alone writes the report's remarks and signs it off.
REPORTING = frozenset({"city", "operator"})
INCIDENT_CONTACT = frozenset({"city", "operator"})
# The security check sheet (job 10): the city, which the work is done for, the operator, who runs
# it, and the administrators, who run the system, read it, sign its stages and countersign.
SECURITY_SHEET = frozenset({"city", "operator", "admin"})

# Reachable without a session: signing in, assets, health and the crawler rules; the metrics, which
# answer only a scraper holding PORTAL_METRICS_TOKEN (portal/staff/metrics/views.py).
OPEN_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.second_factor",
        "auth.enrol",
        "auth.enrol_qr",
        "auth.new_password",
        "site.healthz",
        "metrics.scrape",
        "site.robots",
        "site.favicon",
        "site.htmx",
        "site.set_language",
        "static",
    }
)

# Reachable by a signed-in account that has yet to accept the confidentiality pledge in force:
# the pledge itself and the way out (keeping the session alive while reading it included).
BEFORE_PLEDGE = frozenset({"pledge.sign", "auth.logout", "auth.keepalive"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "home.index": ALL_STAFF,
    "auth.logout": ALL_STAFF,
    "auth.keepalive": ALL_STAFF,
    # One's own sessions and password: each view finds only the signed-in user's rows.
    "account.sessions": ALL_STAFF,
    "account.confirm": ALL_STAFF,
    "account.end_session": ALL_STAFF,
    "account.end_other_sessions": ALL_STAFF,
    "account.password": ALL_STAFF,
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_detail": ADMIN,
    "admin.user_status": ADMIN,
    "admin.user_expiry": ADMIN,
    "admin.user_reset_second_factor": ADMIN,
    "admin.user_reset_password": ADMIN,
    "admin.user_end_sessions": ADMIN,
    "admin.end_all_sessions": ADMIN,
    "admin.user_role": ADMIN,
    "admin.user_name": ADMIN,
    "admin.user_history": ADMIN,
    "admin.organisations": ADMIN,
    "admin.organisation_contract": ADMIN,
    "admin.organisation_new": ADMIN,
    # A role that reads personal data, given by an administrator, waits for a city user (the data's owner).
    "approvals.index": CITY,
    "approvals.approve": CITY,
    "approvals.reject": CITY,
    "bookings.requests_inbox": FRONT_DESK,
    "bookings.confirm_request": FRONT_DESK,
    "bookings.decline_request": FRONT_DESK,
    "bookings.offer_waiting": FRONT_DESK,
    "bookings.daily_list": DAILY_LIST,
    "bookings.daily_print": DAILY_LIST,
    "bookings.daily_csv": DAILY_LIST,
    "bookings.daily_xlsx": DAILY_LIST,
    "bookings.daily_notice": FRONT_DESK,
    "bookings.reception": FRONT_DESK,
    "bookings.reception_print": FRONT_DESK,
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
    "venues.venue_list": FRONT_DESK,
    "venues.venue_new": FRONT_DESK,
    "venues.venue_edit": FRONT_DESK,
    "venues.sessions": FRONT_DESK,
    "venues.session_row": FRONT_DESK,
    "venues.session_edit": FRONT_DESK,
    "venues.session_new": FRONT_DESK,
    "venues.patterns": FRONT_DESK,
    "venues.pattern_delete": FRONT_DESK,
    "venues.operating_calendar": FRONT_DESK,
    "venues.season_new": FRONT_DESK,
    "venues.season_edit": FRONT_DESK,
    "venues.season_generate": FRONT_DESK,
    "venues.season_holidays": FRONT_DESK,
    "venues.holiday_new": FRONT_DESK,
    "venues.holiday_delete": FRONT_DESK,
    # The library: any role, then the folder's owner and grants decide in the view.
    "library.index": ALL_STAFF,
    "library.folder": ALL_STAFF,
    "library.folder_new": ADMIN,
    "library.grants": ALL_STAFF,
    "library.revoke": ALL_STAFF,
    "library.upload": ALL_STAFF,
    "library.document": ALL_STAFF,
    "library.new_version": ALL_STAFF,
    "library.download": ALL_STAFF,
    "library.move": ALL_STAFF,
    "library.delete": ALL_STAFF,
    "library.seen": ALL_STAFF,
    # Daily reports: the daily-report folder's grants decide in the view as well.
    "daily_reports.index": FRONT_DESK,
    "daily_reports.report": FRONT_DESK,
    "daily_reports.file": OPERATOR,
    "daily_reports.attach": OPERATOR,
    # Files sent in chunks: any role that may use an upload form (library documents: every role);
    # the view holds each upload to the form it is for, and to its user's session.
    "uploads.start": ALL_STAFF,
    "uploads.status": ALL_STAFF,
    "uploads.chunk": ALL_STAFF,
    "retention.certificates": OVERSIGHT,
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
    "ledger.summary": REPORTING,
    "ledger.summary_xlsx": REPORTING,
    "ledger.new": REPORTING,
    "ledger.entries_list": REPORTING,
    "ledger.delete": REPORTING,
    "monitoring.dashboard": REPORTING,
    "staffing.overview": REPORTING,
    "staffing.plan": REPORTING,
    "staffing.actual": REPORTING,
    "reports.monthly": REPORTING,
    "reports.monthly_print": REPORTING,
    "reports.monthly_xlsx": REPORTING,
    "reports.remarks": OPERATOR,
    "reports.sign": OPERATOR,
    # The audit log: the city's oversight and the administrators who run the system.
    "audit_log.index": OVERSIGHT,
    "audit_log.export_csv": OVERSIGHT,
    "audit_log.export_xlsx": OVERSIGHT,
    # The portal's own checks (exposure, storage, audit chain, zones): oversight's, like the log.
    "self_checks.index": OVERSIGHT,
    # The confidentiality pledge: every account accepts it; the city, whose contract it is, keeps
    # it (administrators run accounts, not the contract's terms) and sees who signed what.
    "pledge.sign": ALL_STAFF,
    "pledge.signatures_list": CITY,
    "pledge.signatures_csv": CITY,
    "pledge.signatures_xlsx": CITY,
    "pledge.version": CITY,
    "pledge.publish": CITY,
    # Copying the work's data needs the city's consent: the city holds the switch per organisation.
    "export_consent.index": CITY,
    "export_consent.edit": CITY,
    # Incident response (job 9): the city's; the operator, who makes the apology calls, reaches the
    # list of incidents and the contact work (the businesses, their entries, their contact details).
    "incidents.index": INCIDENT_CONTACT,
    "incidents.register": CITY,
    "incidents.incident": CITY,
    "incidents.timeline_entry": CITY,
    "incidents.business_add": CITY,
    "incidents.timeline_print": CITY,
    "incidents.timeline_xlsx": CITY,
    "incidents.businesses": INCIDENT_CONTACT,
    "incidents.business": INCIDENT_CONTACT,
    "incidents.contact_entry": INCIDENT_CONTACT,
    "incidents.reveal": INCIDENT_CONTACT,
    "check_sheet.sheet": SECURITY_SHEET,
    "check_sheet.sheet_print": SECURITY_SHEET,
    "check_sheet.sheet_xlsx": SECURITY_SHEET,
    "check_sheet.sign": SECURITY_SHEET,
    "check_sheet.countersign": SECURITY_SHEET,
    "check_sheet.scan_dependencies": SECURITY_SHEET,
}


def allowed(endpoint: str | None, role: str) -> bool:
    """Whether a signed-in user with `role` may reach `endpoint`."""
    return endpoint is not None and role in PERMISSIONS.get(endpoint, frozenset())
