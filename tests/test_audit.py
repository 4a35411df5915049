"""The audit chain verifies, and editing or deleting events is caught."""

from __future__ import annotations

from portal import audit
from portal.models import AuditEvent


def _record_some(app, count=5):
    with app.app_context():
        for number in range(count):
            audit.record("test.event", object_type="thing", object_id=number)


def test_chain_verifies(staff_app):
    _record_some(staff_app)
    with staff_app.app_context():
        result = audit.verify(staff_app.config["PORTAL"].audit_anchor)
    assert result.problems == [] and result.events == 5


def test_an_altered_event_breaks_the_chain(staff_app):
    _record_some(staff_app)
    with staff_app.app_context():
        AuditEvent.update(object_id="9").where(AuditEvent.seq == 3).execute()
        problems = audit.verify(staff_app.config["PORTAL"].audit_anchor).problems
    assert any("event 3 was altered" in p for p in problems)


def test_deleting_the_newest_events_is_caught_by_the_anchor(staff_app):
    _record_some(staff_app)
    with staff_app.app_context():
        AuditEvent.delete().where(AuditEvent.seq >= 4).execute()
        problems = audit.verify(staff_app.config["PORTAL"].audit_anchor).problems
    assert problems == ["events after 3 were deleted (the anchor holds 4)"]


def test_rewriting_the_whole_chain_is_caught_by_the_anchor(staff_app):
    _record_some(staff_app)
    with staff_app.app_context():
        prev = audit.GENESIS
        for event in AuditEvent.select().order_by(AuditEvent.seq):
            event.action = "rewritten"
            event.prev_hash = prev
            event.hash = audit.chain_hash(prev, event)
            event.save()
            prev = event.hash
        problems = audit.verify(staff_app.config["PORTAL"].audit_anchor).problems
    assert problems and all("differs from its anchored hash" in p for p in problems)


def test_audit_verify_command_exit_status(staff_app, portal_cli):
    _record_some(staff_app)
    ok = portal_cli("audit", "verify")
    assert ok.exit_code == 0 and "5 events" in ok.output
    with staff_app.app_context():
        AuditEvent.delete().where(AuditEvent.seq == 5).execute()
    broken = portal_cli("audit", "verify")
    assert broken.exit_code == 1


def test_events_hold_ids_not_personal_data(staff_app, signed_in, accounts):
    signed_in("city")
    with staff_app.app_context():
        rows = [(e.action, e.object_type, e.object_id, e.client, e.outcome) for e in AuditEvent.select()]
    text = repr(rows)
    assert accounts["city"].email not in text and accounts["city"].password not in text
    assert ("signin.success", "user", str(accounts["city"].id), "127.0.0.1", "ok") in rows
