"""Venues: the list, and the details the public calendar and booking page show."""

from __future__ import annotations

from flask import Blueprint, Response, url_for
from flask_babel import gettext as _

from portal.core import availability
from portal.core.database import write_transaction
from portal.core.models import Venue
from portal.core.web import htmx, not_found, redirect_to, render
from portal.staff import audit
from portal.staff.venues.concurrency import fingerprint, overtaken
from portal.staff.venues.forms import STATUSES, WEEKDAYS, EditForm, VenueForm

bp = Blueprint("venues", __name__, url_prefix="/venues")
bp.context_processor(lambda: {"statuses": STATUSES, "weekdays": WEEKDAYS})

VENUE_FIELDS = ("name", "ward", "address", "access_notes", "what_to_bring", "map_url", "active")


def venue_or_404(venue_id: int) -> Venue:
    """The venue, or the same 404 as an unknown URL."""
    venue = Venue.get_or_none(Venue.id == venue_id)
    if venue is None:
        not_found()
    return venue


def row_removed(fallback: str) -> Response:
    """htmx swaps the deleted row for nothing; without JavaScript the list reloads."""
    return Response("") if htmx else redirect_to(fallback)


@bp.get("/")
def venue_list() -> Response:
    """Every venue, by ward."""
    return render("venues/list.html", venues=Venue.select().order_by(Venue.ward, Venue.name))


@bp.route("/new", methods=["GET", "POST"])
def venue_new() -> Response:
    """Add a venue."""
    form = VenueForm()
    if form.validate_on_submit():
        venue = Venue()
        _save(venue, form)
        audit.record("venue.create", object_type="venue", object_id=venue.id)
        return redirect_to(url_for("venues.venue_list"))
    return render("venues/venue_form.html", form=form, venue=None)


@bp.route("/<int:venue_id>/edit", methods=["GET", "POST"])
def venue_edit(venue_id: int) -> Response:
    """Change a venue's details, or stop publishing it."""
    venue = venue_or_404(venue_id)
    form = VenueForm(obj=venue, loaded=fingerprint(venue, VENUE_FIELDS))
    if form.validate_on_submit():
        if _save(venue, form):
            audit.record("venue.update", object_type="venue", object_id=venue.id)
            return redirect_to(url_for("venues.venue_list"))
        overtaken_by_someone(form, fingerprint(venue_or_404(venue_id), VENUE_FIELDS))
    return render("venues/venue_form.html", form=form, venue=venue)


def overtaken_by_someone(form: EditForm, now: str) -> None:
    """Keep what was typed, say why it was not saved; saving again then overwrites knowingly."""
    form.form_errors.append(
        _(
            "ほかの方が先にこの内容を変更しました。入力した内容は残しています。確かめてから、もう一度保存してください。"
        )
    )
    form.loaded.data = now


def _save(venue: Venue, form: VenueForm) -> bool:
    """False if someone saved the venue since the form was loaded.

    Names and activity show on the public calendar, so its counter moves with them.
    """
    with write_transaction():
        if venue.id is not None and overtaken(venue, VENUE_FIELDS, form.loaded.data):
            return False
        for name in VENUE_FIELDS:
            setattr(venue, name, form[name].data)
        venue.save()
        availability.changed()
    return True
