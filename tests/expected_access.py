"""Who may reach each staff endpoint, written out from the business rules (DESIGN.md, README).

This is the answer key the access walk holds the product to. It is kept apart from the product's
own table on purpose: a test that read `portal.staff.permissions` would agree with any mistake
made there. Per-object rules (whose record, which folder) are decided in the views, on top.

The organisations: the city oversees; the consultants hold consultations and write their records;
the contracted operator takes bookings, runs venues and reception and files daily reports, and
never reads record content; the administrators manage accounts and configuration, no content.
"""

from __future__ import annotations

CITY, CONSULTANT, OPERATOR, ADMIN = "city", "consultant", "operator", "admin"


def only(*roles: str) -> frozenset[str]:
    """The roles named, and no other."""
    return frozenset(roles)


ROLES = (CITY, CONSULTANT, OPERATOR, ADMIN)
EVERYONE = frozenset(ROLES)
# The README gives the booking side (intake, the web request inbox, venues and seasons) to the
# operator and the city; reception and the daily-list notice sit on the same front desk.
FRONT_DESK = only(OPERATOR, CITY)
# Job 2: the list of upcoming bookings goes from the operator to the city and the consultants.
DAILY_LIST = only(OPERATOR, CITY, CONSULTANT)
# Job 5: a record's content is its author's (a consultant) and the city's.
RECORD_CONTENT = only(CONSULTANT, CITY)

# Reachable without signing in: signing in itself (with the new password a pause of code entry
# requires before any session starts), our assets, health, crawler rules, language; and the
# metrics, for a scraper that holds their token and no session (without it: the 404).
OPEN = frozenset(
    {
        "auth.login",
        "auth.second_factor",
        "auth.enrol",
        "auth.enrol_qr",
        "auth.new_password",
        "site.favicon",
        "site.healthz",
        "metrics.scrape",
        "site.robots",
        "site.htmx",
        "site.set_language",
        "static",
    }
)

EXPECTED_ACCESS: dict[str, frozenset[str]] = {
    "home.index": EVERYONE,
    "auth.logout": EVERYONE,
    "auth.keepalive": EVERYONE,
    # Everyone sees and ends the sessions signed in as themselves (the view finds only those).
    "account.sessions": EVERYONE,
    "account.confirm": EVERYONE,
    "account.end_session": EVERYONE,
    "account.end_other_sessions": EVERYONE,
    # Everyone changes their own password (after typing the current one); nobody anyone else's.
    "account.password": EVERYONE,
    # Accounts, organisations and contracts are the administrators' job alone.
    "admin.users": only(ADMIN),
    "admin.user_new": only(ADMIN),
    "admin.user_detail": only(ADMIN),
    "admin.user_status": only(ADMIN),
    "admin.user_expiry": only(ADMIN),
    "admin.user_reset_second_factor": only(ADMIN),
    # A forgotten password is reset by an administrator only, never by the holder or by email.
    "admin.user_reset_password": only(ADMIN),
    "admin.user_end_sessions": only(ADMIN),
    "admin.end_all_sessions": only(ADMIN),
    "admin.user_role": only(ADMIN),
    "admin.user_name": only(ADMIN),
    "admin.user_history": only(ADMIN),
    "admin.organisations": only(ADMIN),
    "admin.organisation_contract": only(ADMIN),
    "admin.organisation_new": only(ADMIN),
    # Two people: a role that reads personal data, given by an administrator, waits for a city
    # user's approval, the city owning that data.
    "approvals.index": only(CITY),
    "approvals.approve": only(CITY),
    "approvals.reject": only(CITY),
    # Web requests are opened and decided in the inbox by the operator and the city.
    "bookings.requests_inbox": FRONT_DESK,
    "bookings.confirm_request": FRONT_DESK,
    "bookings.decline_request": FRONT_DESK,
    # The waiting list is part of the same inbox: the front desk offers a freed place by email.
    "bookings.offer_waiting": FRONT_DESK,
    "bookings.daily_list": DAILY_LIST,
    # Its A4 print goes to the same people as the list itself.
    "bookings.daily_print": DAILY_LIST,
    "bookings.daily_csv": DAILY_LIST,
    "bookings.daily_xlsx": DAILY_LIST,
    "bookings.daily_notice": FRONT_DESK,
    "bookings.reception": FRONT_DESK,
    # The reception sheet is reception's, on paper.
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
    # Job 6: every organisation shares documents; a folder's owner and grants decide per folder,
    # and only administrators open new folders.
    "library.index": EVERYONE,
    "library.folder": EVERYONE,
    "library.folder_new": only(ADMIN),
    "library.grants": EVERYONE,
    "library.revoke": EVERYONE,
    "library.upload": EVERYONE,
    "library.document": EVERYONE,
    "library.new_version": EVERYONE,
    "library.download": EVERYONE,
    "library.move": EVERYONE,
    "library.delete": EVERYONE,
    "library.seen": EVERYONE,
    # The operator files the day's report and attaches to it; the city reads them.
    "daily_reports.index": only(OPERATOR, CITY),
    "daily_reports.report": only(OPERATOR, CITY),
    "daily_reports.file": only(OPERATOR),
    "daily_reports.attach": only(OPERATOR),
    # Deletion certificates are evidence for the city's oversight and the administrators.
    "retention.certificates": only(CITY, ADMIN),
    # Everyone may know a record exists (reference, date, venue, follow-up date) to schedule;
    # content, files and "who has seen this" are the author's and the city's; only the consultant
    # who held the consultation writes; the author or the city deletes; the city grants.
    "records.index": EVERYONE,
    "records.follow_ups_csv": EVERYONE,
    "records.new": only(CONSULTANT),
    "records.view": RECORD_CONTENT,
    "records.edit": only(CONSULTANT),
    "records.version": RECORD_CONTENT,
    "records.delete": RECORD_CONTENT,
    "records.viewers": RECORD_CONTENT,
    "records.grant": only(CITY),
    "records.revoke": only(CITY),
    "records.upload": only(CONSULTANT),
    # Sending a file in chunks: whoever may use some upload form (every role has the library's); an
    # upload is held to its form's own rule and to the session that began it.
    "uploads.start": EVERYONE,
    "uploads.status": EVERYONE,
    "uploads.chunk": EVERYONE,
    "records.download": RECORD_CONTENT,
    "records.preview": RECORD_CONTENT,
    "records.delete_attachment": only(CONSULTANT),
    # Job 8 and its issue: only the city and the operator reach the staff support ledger (bureau
    # names and counts); consultants and administrators have no part in it.
    "ledger.summary": only(CITY, OPERATOR),
    "ledger.summary_xlsx": only(CITY, OPERATOR),
    "ledger.new": only(CITY, OPERATOR),
    "ledger.entries_list": only(CITY, OPERATOR),
    "ledger.delete": only(CITY, OPERATOR),
    # Job 7: only the city and the operator reach the dashboard, reports and ledger; the consultants
    # and the administrators have no part in monitoring the contract.
    "monitoring.dashboard": only(CITY, OPERATOR),
    # Job 7: only the city and the operator reach the staffing plans, the figures staffed and the
    # monthly report; the operator (and the city) edit plans and enter what was staffed. The report
    # is the operator's to the city: the operator writes its remarks and signs it off.
    "staffing.overview": only(CITY, OPERATOR),
    "staffing.plan": only(CITY, OPERATOR),
    "staffing.actual": only(CITY, OPERATOR),
    "reports.monthly": only(CITY, OPERATOR),
    "reports.monthly_print": only(CITY, OPERATOR),
    "reports.monthly_xlsx": only(CITY, OPERATOR),
    "reports.remarks": only(OPERATOR),
    "reports.sign": only(OPERATOR),
    # Only the city and administrators read the audit log (who did what, refusals included), and
    # export it; consultants and the operator, whose work it records, do not.
    "audit_log.index": only(CITY, ADMIN),
    "audit_log.export_csv": only(CITY, ADMIN),
    "audit_log.export_xlsx": only(CITY, ADMIN),
    # The portal's checks on itself (is anything exposed, is the chain intact) are for those who
    # answer for the system: the city, which owns the data, and the administrators who run it.
    # Consultants and the operator are told nothing of the system's weak points.
    "self_checks.index": only(CITY, ADMIN),
    # The contract: everyone who handles the work signs the confidentiality pledge before starting,
    # so every role reaches the pledge page. The pledge is a term of the city's contract: the city
    # publishes its versions and sees who signed which when; administrators run accounts, not the
    # contract's terms, and the contractors do not oversee each other.
    "pledge.sign": EVERYONE,
    "pledge.signatures_list": only(CITY),
    "pledge.signatures_csv": only(CITY),
    "pledge.signatures_xlsx": only(CITY),
    "pledge.version": only(CITY),
    "pledge.publish": only(CITY),
    # Copying the work's data needs the city's consent: only the city gives or withdraws it.
    "export_consent.index": only(CITY),
    "export_consent.edit": only(CITY),
    # Job 9: an incident is the city's to register, investigate and report; the operator takes the
    # apology calls for it, so it reaches the incidents' list and, per business, the entries and the
    # contact details, never the incident's facts, its access history or the report to the city.
    "incidents.index": only(CITY, OPERATOR),
    "incidents.register": only(CITY),
    "incidents.incident": only(CITY),
    "incidents.timeline_entry": only(CITY),
    "incidents.business_add": only(CITY),
    "incidents.timeline_print": only(CITY),
    "incidents.timeline_xlsx": only(CITY),
    "incidents.businesses": only(CITY, OPERATOR),
    "incidents.business": only(CITY, OPERATOR),
    "incidents.contact_entry": only(CITY, OPERATOR),
    "incidents.reveal": only(CITY, OPERATOR),
    # Job 10: the security check sheet is checked and signed by the city, the operator and the
    # administrators (the system's side); consultants have no part in it. Any of the three signs a
    # stage, and another of them countersigns; each may run the dependency scan behind its evidence.
    "check_sheet.sheet": only(CITY, OPERATOR, ADMIN),
    "check_sheet.sheet_print": only(CITY, OPERATOR, ADMIN),
    "check_sheet.sheet_xlsx": only(CITY, OPERATOR, ADMIN),
    "check_sheet.sign": only(CITY, OPERATOR, ADMIN),
    "check_sheet.countersign": only(CITY, OPERATOR, ADMIN),
    "check_sheet.scan_dependencies": only(CITY, OPERATOR, ADMIN),
}
