"""Forms for venues, sessions and the operating calendar."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.dates import business_today
from portal.core.forms import PortalForm
from portal.core.models import Organisation, User
from portal.core.models.reservations import SessionStatus
from portal.staff.names import person_name

WEEKDAYS = (_l("月曜"), _l("火曜"), _l("水曜"), _l("木曜"), _l("金曜"), _l("土曜"), _l("日曜"))
STATUSES = {SessionStatus.OPEN: _l("受付中"), SessionStatus.CLOSED: _l("受付停止")}
WEEKDAY_CHOICES = [SelectChoice(str(number), label) for number, label in enumerate(WEEKDAYS)]
MAX_CAPACITY = 100
LATER_TIME = _l("終了時刻は開始時刻より後にしてください。")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def https_only(_form: PortalForm, field: StringField) -> None:
    """A map link opens outside the portal: only an https address with a host is accepted."""
    value = field.data or ""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValidationError(_l("地図のURLは https:// で始まるアドレスを入力してください。"))


class After:
    """The field comes after another one of the form (on the same day too, with `same_allowed`)."""

    def __init__(self, other: str, message: str, *, same_allowed: bool = False) -> None:
        self.other, self.message, self.same_allowed = other, message, same_allowed

    def __call__(self, form: PortalForm, field) -> None:
        first = form[self.other].data
        if first is None or field.data is None:
            return
        if field.data < first or (field.data == first and not self.same_allowed):
            raise ValidationError(self.message)


def active_consultants() -> list[User]:
    """Consultants who can sign in today: the only ones a session or pattern may be given to."""
    today = business_today()
    users = User.select(User, Organisation).join(Organisation).where(User.role == "consultant")
    return [user for user in users.order_by(User.email) if user.may_sign_in(today)]


class EditForm(PortalForm):
    """A form over a stored row; `loaded` is the fingerprint of what it showed (concurrency.py)."""

    loaded = HiddenField()


class VenueForm(EditForm):
    """A venue as the public calendar and the booking page show it."""

    name = StringField(_l("会場名"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    ward = StringField(_l("区"), validators=[DataRequired(), Length(max=50)], filters=[_strip])
    address = StringField(_l("所在地"), validators=[DataRequired(), Length(max=300)], filters=[_strip])
    access_notes = TextAreaField(_l("アクセス"), validators=[Length(max=2000)], filters=[_strip], default="")
    what_to_bring = TextAreaField(
        _l("お持ちいただくもの"), validators=[Length(max=2000)], filters=[_strip], default=""
    )
    map_url = StringField(
        _l("地図のURL（https）"),
        validators=[Optional(), Length(max=500), https_only],
        filters=[_strip],
        default="",
    )
    active = BooleanField(_l("公開する（予約を受け付ける）"), default=True)


class StaffingForm(PortalForm):
    """Places and the consultant; the choices are the consultants active today."""

    capacity = IntegerField(
        _l("定員"), validators=[InputRequired(), NumberRange(min=1, max=MAX_CAPACITY)], render_kw={"min": 1}
    )
    consultant = SelectField(_l("相談員"), choices=[], default="")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.consultant.choices = [SelectChoice("", _l("未定"))] + [
            SelectChoice(str(user.id), person_name(user)) for user in active_consultants()
        ]

    @property
    def consultant_id(self) -> int | None:
        """The chosen consultant's id, or None for none."""
        return int(self.consultant.data) if self.consultant.data else None


class SessionForm(StaffingForm, EditForm):
    """A session's places, whether it takes bookings, and its consultant."""

    status = SelectField(
        _l("受付"), choices=[SelectChoice(value, label) for value, label in STATUSES.items()]
    )


class HoursForm(StaffingForm):
    """Start and end times, the end after the start."""

    starts_at = TimeField(_l("開始時刻"), validators=[InputRequired()])
    ends_at = TimeField(_l("終了時刻"), validators=[InputRequired(), After("starts_at", LATER_TIME)])


class NewSessionForm(HoursForm):
    """One session added by hand, outside the weekly patterns."""

    date = DateField(_l("日付"), validators=[InputRequired()])


class PatternForm(HoursForm):
    """A venue's regular session on one weekday."""

    weekday = SelectField(_l("曜日"), choices=WEEKDAY_CHOICES)


class SeasonForm(EditForm):
    """A season's period and when the phone line takes reservations."""

    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=100)], filters=[_strip])
    starts_on = DateField(_l("開始日"), validators=[InputRequired()])
    ends_on = DateField(
        _l("終了日"),
        validators=[
            InputRequired(),
            After("starts_on", _l("終了日は開始日以降にしてください。"), same_allowed=True),
        ],
    )
    intake_weekdays = SelectMultipleField(
        _l("電話受付の曜日"),
        choices=WEEKDAY_CHOICES,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("曜日を一つ以上選んでください。"))],
    )
    intake_opens = TimeField(_l("電話受付の開始時刻"), validators=[InputRequired()])
    intake_closes = TimeField(
        _l("電話受付の終了時刻"), validators=[InputRequired(), After("intake_opens", LATER_TIME)]
    )


class HolidayForm(PortalForm):
    """A day without consultations."""

    date = DateField(_l("日付"), validators=[InputRequired()])
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=100)], filters=[_strip])
