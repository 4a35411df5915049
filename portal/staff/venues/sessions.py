"""A venue's sessions by month: places, whether they take bookings, and who consults.

Capacity never drops below the places already taken: the check reads the session under the
write lock, in the same transaction as the save and the availability counter, so a seat taken
meanwhile cannot be lost.
"""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _
from peewee import JOIN, IntegrityError

from portal.core import availability
from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.models import ConsultationSession, User
from portal.core.months import requested_month, shift, span_of
from portal.core.web import htmx, not_found, redirect_to, render
from portal.staff import audit
from portal.staff.venues.concurrency import fingerprint, reread_locked
from portal.staff.venues.forms import NewSessionForm, SessionForm
from portal.staff.venues.views import bp, overtaken_by_someone, venue_or_404


def _with_consultant():
    return ConsultationSession.select(ConsultationSession, User).join(
        User, JOIN.LEFT_OUTER, on=(ConsultationSession.consultant == User.id)
    )


def _session_or_404(session_id: int) -> ConsultationSession:
    found = _with_consultant().where(ConsultationSession.id == session_id).first()
    if found is None:
        not_found()
    return found


def _month_url(consultation: ConsultationSession) -> str:
    return url_for(
        "venues.sessions", venue_id=consultation.venue_id, month=consultation.date.strftime("%Y-%m")
    )


@bp.get("/<int:venue_id>/sessions")
def sessions(venue_id: int) -> Response:
    """One month of a venue's sessions with places taken and capacity, in the months sessions exist."""
    venue = venue_or_404(venue_id)
    today = business_today()
    months = span_of(ConsultationSession.date, today)
    first = requested_month(months, today)
    following = shift(first, 1)
    rows = (
        _with_consultant()
        .where(
            ConsultationSession.venue == venue,
            ConsultationSession.date >= first,
            ConsultationSession.date < following,
        )
        .order_by(ConsultationSession.date, ConsultationSession.starts_at)
    )
    return render(
        "venues/sessions.html",
        venue=venue,
        first=first,
        rows=list(rows),
        previous_month=months.before(first),
        next_month=months.after(first),
    )


SESSION_FIELDS = ("capacity", "status", "consultant_id")


def _session_form(consultation: ConsultationSession) -> SessionForm:
    """Prefixed by the session, so rows edited side by side keep distinct field ids."""
    return SessionForm(
        prefix=f"session-{consultation.id}",
        data={
            "capacity": consultation.capacity,
            "status": consultation.status,
            "consultant": str(consultation.consultant_id or ""),
            "loaded": fingerprint(consultation, SESSION_FIELDS),
        },
    )


@bp.get("/sessions/<int:session_id>")
def session_row(session_id: int) -> Response:
    """A session's row as the month list shows it (htmx puts it back after editing)."""
    consultation = _session_or_404(session_id)
    if not htmx:
        return redirect_to(_month_url(consultation))
    return render("venues/_session_row.html", item=consultation)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int) -> Response:
    """Change places, status or consultant: in place with htmx, as a page without it."""
    consultation = _session_or_404(session_id)
    form = _session_form(consultation)
    if form.validate_on_submit():
        refused = _update(consultation, form)
        if refused is None:
            audit.record("session.update", object_type="session", object_id=consultation.id)
            if not htmx:
                return redirect_to(_month_url(consultation))
            return render("venues/_session_row.html", item=_session_or_404(session_id))
        consultation = _session_or_404(session_id)
        if refused == "overtaken":
            overtaken_by_someone(form, fingerprint(consultation, SESSION_FIELDS))
        else:
            form.capacity.errors.append(
                _("予約済みの%(taken)d席より少なくはできません。", taken=consultation.taken)
            )
    return render("venues/session_edit.html", "venues/_session_edit_row.html", item=consultation, form=form)


def _update(consultation: ConsultationSession, form: SessionForm) -> str | None:
    """Why the change was refused ("overtaken", "below-taken"), or None once it is saved.

    The row is read under the write lock, so no seat can be taken between the check and the save.
    """
    with write_transaction():
        current = reread_locked(consultation)
        if fingerprint(current, SESSION_FIELDS) != form.loaded.data:
            return "overtaken"
        if current.taken > form.capacity.data:
            return "below-taken"
        ConsultationSession.update(
            capacity=form.capacity.data, status=form.status.data, consultant=form.consultant_id
        ).where(ConsultationSession.id == consultation.id).execute()
        availability.changed()
    return None


@bp.route("/<int:venue_id>/sessions/new", methods=["GET", "POST"])
def session_new(venue_id: int) -> Response:
    """Add one session by hand, outside the weekly patterns."""
    venue = venue_or_404(venue_id)
    form = NewSessionForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                created = ConsultationSession.create(
                    venue=venue,
                    date=form.date.data,
                    starts_at=form.starts_at.data,
                    ends_at=form.ends_at.data,
                    capacity=form.capacity.data,
                    consultant=form.consultant_id,
                )
                availability.changed()
        except IntegrityError:
            form.starts_at.errors.append(_("この会場のこの日時の相談枠はすでにあります。"))
        else:
            audit.record("session.create", object_type="session", object_id=created.id)
            return redirect_to(_month_url(created))
    return render("venues/session_new.html", venue=venue, form=form)
