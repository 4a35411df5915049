"""The caller's details as the operator takes them down, and a cancellation's reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, IntegerField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from portal.core.forms import PortalForm, japanese_phone
from portal.core.models import Booking
from portal.core.programmes import programmes_field
from portal.staff.people import FIELDS

CHOOSE_SLOT = _l("相談の日時と会場を、一覧から選んでください。")


class CallerForm(PortalForm):
    """A phone booking: the slot and the business behind it."""

    session_id = IntegerField(validators=[InputRequired(message=CHOOSE_SLOT)])
    business_name = StringField(
        FIELDS["business_name"],
        validators=[
            DataRequired(_l("事業者名（屋号）を入力してください。個人の方は氏名で構いません。")),
            Length(max=200),
        ],
    )
    business_kana = StringField(FIELDS["business_kana"], validators=[Optional(), Length(max=200)])
    contact_name = StringField(
        FIELDS["contact_name"],
        validators=[DataRequired(_l("ご担当者名を入力してください。")), Length(max=100)],
    )
    contact_kana = StringField(
        FIELDS["contact_kana"],
        validators=[
            DataRequired(_l("ご担当者名のフリガナを、カタカナかひらがなで入力してください。")),
            Length(max=100),
        ],
    )
    phone = TelField(
        FIELDS["phone"],
        validators=[
            DataRequired(_l("電話番号を入力してください。日程の変更などの連絡に使います。")),
            japanese_phone,
        ],
    )
    email = EmailField(FIELDS["email"], validators=[Optional(), Length(max=254), Email()])
    address = StringField(FIELDS["address"], validators=[Optional(), Length(max=300)])
    industry = StringField(FIELDS["industry"], validators=[Optional(), Length(max=100)])
    programmes = programmes_field()
    # Longer than its column, a hostile key would fail the insert on PostgreSQL instead of the form.
    idempotency_key = HiddenField(validators=[Length(max=Booking.idempotency_key.max_length)])


class MoveForm(PortalForm):
    """The session a booking moves to."""

    session_id = IntegerField(validators=[InputRequired(message=CHOOSE_SLOT)])


class CancelForm(PortalForm):
    """Why a booking is cancelled; a web visitor reads it on their manage page."""

    reason = TextAreaField(
        _l("取り消しの理由"),
        validators=[DataRequired(message=_l("取り消しの理由を入力してください。")), Length(max=500)],
    )
