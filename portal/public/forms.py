"""The public forms: booking, the waiting list, moving a booking, and asking for a lost manage link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, Field, HiddenField, IntegerField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.core import normalise
from portal.core.forms import PortalForm, japanese_phone
from portal.core.models import Booking, WaitingRequest
from portal.core.programmes import programmes_field


def consent_field() -> BooleanField:
    """The consent to the privacy notice that every form taking personal data asks for."""
    return BooleanField(
        _l("個人情報の取扱いに同意します"),
        validators=[
            DataRequired(
                message=_l(
                    "個人情報の取扱いへの同意が必要です。内容をご確認のうえ、チェックを入れてください。"
                )
            )
        ],
    )


class BookingForm(PortalForm):
    """What a business gives to request a consultation."""

    business_name = StringField(_l("事業者名（屋号）"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("ご担当者名"), validators=[DataRequired(), Length(max=100)])
    contact_kana = StringField(_l("フリガナ（任意）"), validators=[Optional(), Length(max=100)])
    phone = TelField(_l("電話番号"), validators=[DataRequired(), japanese_phone])
    email = EmailField(_l("メールアドレス（任意）"), validators=[Optional(), Length(max=254), Email()])
    programmes = programmes_field(DataRequired(message=_l("相談したい支援制度を1つ以上選んでください。")))
    consent = consent_field()
    website = StringField(_l("この欄は空のままにしてください"))  # a honeypot: people leave it empty
    # Longer than its column, a hostile key would fail the insert on PostgreSQL instead of the form.
    idempotency_key = HiddenField(validators=[Length(max=Booking.idempotency_key.max_length)])


class WaitingForm(PortalForm):
    """What a business gives to wait for a place in a full session: an email is needed, since the
    place is offered by email."""

    business_name = StringField(_l("事業者名（屋号）"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("ご担当者名"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(), Length(max=254), Email()])
    phone = TelField(_l("電話番号（任意）"), validators=[Optional(), japanese_phone])
    programmes = programmes_field(DataRequired(message=_l("相談したい支援制度を1つ以上選んでください。")))
    any_in_week = BooleanField(_l("この会場の同じ週のほかの回でもよい"))
    consent = consent_field()
    website = StringField(_l("この欄は空のままにしてください"))  # a honeypot, as on the booking form
    idempotency_key = HiddenField(validators=[Length(max=WaitingRequest.idempotency_key.max_length)])


class MoveForm(PortalForm):
    """The session a visitor moves their booking to (offered as radio buttons on the manage page)."""

    session_id = IntegerField(
        _l("変更先の日時"), validators=[DataRequired(message=_l("変更先の日時を選んでください。"))]
    )


def booking_reference(_form: PortalForm, field: Field) -> None:
    """A reference as the confirmation page and emails show it, however it was typed."""
    if field.data and not normalise.reference(field.data):
        raise ValidationError(_l("受付番号は 7KQM-4XWD のように、英数字8文字で入力してください。"))


class LostLinkForm(PortalForm):
    """What proves a booking is the visitor's, to have its manage link sent again."""

    reference = StringField(_l("受付番号"), validators=[DataRequired(), booking_reference])
    contact = StringField(
        _l("予約のときに入力したメールアドレスまたは電話番号"), validators=[DataRequired(), Length(max=254)]
    )
