"""A venue's weekly pattern: the regular sessions a season is generated from."""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _
from peewee import JOIN

from portal.core.models import User, WeeklyPattern
from portal.core.web import not_found, redirect_to, render
from portal.staff import audit
from portal.staff.confirm import ask, confirmed
from portal.staff.venues.forms import PatternForm
from portal.staff.venues.views import bp, row_removed, venue_or_404


@bp.route("/<int:venue_id>/patterns", methods=["GET", "POST"])
def patterns(venue_id: int) -> Response:
    """The venue's weekly sessions, and a form to add one."""
    venue = venue_or_404(venue_id)
    form = PatternForm()
    if form.validate_on_submit():
        pattern = WeeklyPattern.create(
            venue=venue,
            weekday=int(form.weekday.data),
            starts_at=form.starts_at.data,
            ends_at=form.ends_at.data,
            capacity=form.capacity.data,
            consultant=form.consultant_id,
        )
        audit.record("pattern.create", object_type="pattern", object_id=pattern.id)
        return redirect_to(url_for("venues.patterns", venue_id=venue.id))
    rows = (
        WeeklyPattern.select(WeeklyPattern, User)
        .join(User, JOIN.LEFT_OUTER, on=(WeeklyPattern.consultant == User.id))
        .where(WeeklyPattern.venue == venue)
        .order_by(WeeklyPattern.weekday, WeeklyPattern.starts_at)
    )
    return render("venues/patterns.html", venue=venue, rows=list(rows), form=form)


@bp.post("/<int:venue_id>/patterns/<int:pattern_id>/delete")
def pattern_delete(venue_id: int, pattern_id: int) -> Response:
    """Remove a weekly session; sessions already generated from it stay."""
    if (
        not WeeklyPattern.select()
        .where(WeeklyPattern.id == pattern_id, WeeklyPattern.venue == venue_id)
        .exists()
    ):
        not_found()
    if not confirmed():
        return ask(
            _("毎週の相談枠を削除しますか"),
            _("これから作る期間に、この相談枠はできなくなります。作成済みの相談枠と予約はそのまま残ります。"),
            _("削除する"),
            back=url_for("venues.patterns", venue_id=venue_id),
        )
    removed = (
        WeeklyPattern.delete()
        .where(WeeklyPattern.id == pattern_id, WeeklyPattern.venue == venue_id)
        .execute()
    )
    if not removed:
        not_found()
    audit.record("pattern.delete", object_type="pattern", object_id=pattern_id)
    return row_removed(url_for("venues.patterns", venue_id=venue_id))
