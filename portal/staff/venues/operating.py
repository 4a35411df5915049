"""The operating calendar: seasons, holidays, and generating a season's sessions."""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _
from peewee import IntegrityError

from portal.core.database import write_transaction
from portal.core.models import Holiday, Season
from portal.core.web import not_found, redirect_to, render
from portal.staff import audit
from portal.staff.confirm import ask, confirmed
from portal.staff.venues.concurrency import fingerprint, overtaken
from portal.staff.venues.forms import HolidayForm, SeasonForm
from portal.staff.venues.season import add_national_holidays, generate
from portal.staff.venues.views import bp, overtaken_by_someone, row_removed

EDITED_FIELDS = ("name", "starts_on", "ends_on", "intake_opens", "intake_closes")
SEASON_FIELDS = (*EDITED_FIELDS, "intake_weekdays")


def _season_or_404(season_id: int) -> Season:
    season = Season.get_or_none(Season.id == season_id)
    if season is None:
        not_found()
    return season


def _calendar(holiday_form: HolidayForm | None = None, fragment: str | None = None, **context) -> Response:
    return render(
        "venues/calendar.html",
        fragment,
        seasons=list(Season.select().order_by(Season.starts_on)),
        holidays=Holiday.select().order_by(Holiday.date),
        holiday_form=holiday_form or HolidayForm(formdata=None),
        **context,
    )


@bp.get("/calendar")
def operating_calendar() -> Response:
    """Seasons and holidays, with the buttons that generate sessions."""
    return _calendar()


@bp.route("/seasons/new", methods=["GET", "POST"])
def season_new() -> Response:
    """Add a season."""
    return _season_form(Season(), "season.create")


@bp.route("/seasons/<int:season_id>/edit", methods=["GET", "POST"])
def season_edit(season_id: int) -> Response:
    """Change a season's period or phone-intake hours; sessions made already stay as they are."""
    return _season_form(_season_or_404(season_id), "season.update")


def _season_form(season: Season, action: str) -> Response:
    form = SeasonForm(
        data={name: getattr(season, name) for name in SEASON_FIELDS}
        | {"intake_weekdays": season.intake_weekdays.split(","), "loaded": fingerprint(season, SEASON_FIELDS)}
    )
    if form.validate_on_submit():
        if _save(season, form):
            audit.record(action, object_type="season", object_id=season.id)
            return redirect_to(url_for("venues.operating_calendar"))
        overtaken_by_someone(form, fingerprint(_season_or_404(season.id), SEASON_FIELDS))
    return render("venues/season_form.html", form=form, season=season)


def _save(season: Season, form: SeasonForm) -> bool:
    """False if someone saved the season since the form was loaded."""
    with write_transaction():
        if season.id is not None and overtaken(season, SEASON_FIELDS, form.loaded.data):
            return False
        for name in EDITED_FIELDS:
            setattr(season, name, form[name].data)
        season.intake_weekdays = ",".join(sorted(form.intake_weekdays.data, key=int))
        season.save()
    return True


@bp.post("/seasons/<int:season_id>/generate")
def season_generate(season_id: int) -> Response:
    """Create the season's sessions from the weekly patterns; what exists already is skipped."""
    season = _season_or_404(season_id)
    created = generate(season)
    audit.record("season.generate", object_type="season", object_id=season.id, outcome=str(created))
    message = _("相談枠を%(count)d件作りました。", count=created)
    return _calendar(fragment="venues/_season_row.html", season=season, notices={season.id: message})


@bp.post("/seasons/<int:season_id>/holidays")
def season_holidays(season_id: int) -> Response:
    """Record the national holidays in the season's period."""
    season = _season_or_404(season_id)
    added = add_national_holidays(season)
    audit.record("holiday.import", object_type="season", object_id=season.id, outcome=str(added))
    return redirect_to(url_for("venues.operating_calendar"))


@bp.post("/holidays")
def holiday_new() -> Response:
    """Add a day without consultations."""
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            holiday = Holiday.create(date=form.date.data, name=form.name.data)
        except IntegrityError:
            form.date.errors.append(_("この日はすでに休日です。"))
        else:
            audit.record("holiday.create", object_type="holiday", object_id=holiday.id)
            return redirect_to(url_for("venues.operating_calendar"))
    return _calendar(holiday_form=form)


@bp.post("/holidays/<int:holiday_id>/delete")
def holiday_delete(holiday_id: int) -> Response:
    """Remove a holiday; the next generation fills that day."""
    if not Holiday.select().where(Holiday.id == holiday_id).exists():
        not_found()
    if not confirmed():
        return ask(
            _("休日を削除しますか"),
            _("次に期間の相談枠をまとめて作るとき、この日にも相談枠ができます。"),
            _("削除する"),
            back=url_for("venues.operating_calendar"),
        )
    if not Holiday.delete().where(Holiday.id == holiday_id).execute():
        not_found()
    audit.record("holiday.delete", object_type="holiday", object_id=holiday_id)
    return row_removed(url_for("venues.operating_calendar"))
