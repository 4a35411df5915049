"""The public booking form."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectMultipleField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal import normalise
from portal.forms import PortalForm
from portal.programmes import PROGRAMMES


def japanese_phone(_form, field) -> None:
    """A domestic number: 10 or 11 digits starting with 0."""
    if not re.fullmatch(r"0\d{9,10}", normalise.phone(field.data)):
        raise ValidationError(_l("電話番号は 03-1234-5678 や 090-1234-5678 の形で入力してください。"))


class BookingForm(PortalForm):
    """What a business gives to request a consultation."""

    business_name = StringField(_l("事業者名（屋号）"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("ご担当者名"), validators=[DataRequired(), Length(max=100)])
    contact_kana = StringField(_l("フリガナ（任意）"), validators=[Optional(), Length(max=100)])
    phone = TelField(_l("電話番号"), validators=[DataRequired(), japanese_phone])
    email = EmailField(_l("メールアドレス（任意）"), validators=[Optional(), Length(max=254), Email()])
    programmes = SelectMultipleField(
        _l("相談したい支援制度"),
        choices=[SelectChoice(code, label) for code, label in PROGRAMMES],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("相談したい支援制度を1つ以上選んでください。"))],
    )
    consent = BooleanField(
        _l("個人情報の取扱いに同意します"),
        validators=[DataRequired(message=_l("個人情報の取扱いへの同意が必要です。"))],
    )
    website = StringField(_l("この欄は空のままにしてください"))  # a honeypot: people leave it empty
    idempotency_key = HiddenField()
