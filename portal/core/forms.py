"""The base of every form: no control characters in any text, and messages that say what to do."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, FileField
from wtforms.fields.choices import SelectFieldBase
from wtforms.i18n import DummyTranslations
from wtforms.validators import DataRequired, InputRequired, ValidationError

from portal.core import normalise

ALLOWED_CONTROLS = {"\t", "\n", "\r"}
INVALID_CHOICE = _l("選べない値が送られました。表示されている選択肢から選び直してください。")
TOO_LONG = _l("%(max)d文字以内で入力してください。")
# WTForms' own messages that name neither the field nor the remedy, and what we say instead.
# Those quoting a value keep %(value)s out: a tampered value is not worth echoing back.
PLAINER_MESSAGES = {
    "'%(value)s' is not a valid choice for this field.": INVALID_CHOICE,
    "'%(value)s' are not valid choices for this field.": INVALID_CHOICE,
    "Not a valid choice.": INVALID_CHOICE,
    "Invalid Choice: could not coerce.": INVALID_CHOICE,
    "Invalid choice(s): one or more data inputs could not be coerced.": INVALID_CHOICE,
    "Invalid email address.": _l(
        "メールアドレスの形が正しくありません。info@example.jp のように入力してください。"
    ),
    "Field cannot be longer than %(max)d character.": TOO_LONG,
    "Field cannot be longer than %(max)d characters.": TOO_LONG,
    "Not a valid integer value.": _l("半角の数字で入力してください。"),
    "Not a valid date value.": _l("日付を 2026-04-01 のように入力してください。"),
    "Not a valid time value.": _l("時刻を 09:30 のように入力してください。"),
}


def no_control_characters(_form: FlaskForm, field: Field) -> None:
    """NUL and other control characters are refused with a message (PostgreSQL cannot store NUL)."""
    data = field.data
    if isinstance(data, str) and any(
        (ord(c) < 0x20 and c not in ALLOWED_CONTROLS) or c == "\x7f" for c in data
    ):
        raise ValidationError(_l("使用できない文字が含まれています。"))


def japanese_phone(_form: FlaskForm, field: Field) -> None:
    """A domestic number: 10 or 11 digits starting with 0, however it was typed."""
    if not re.fullmatch(r"0\d{9,10}", normalise.phone(field.data)):
        raise ValidationError(_l("電話番号は 03-1234-5678 や 090-1234-5678 の形で入力してください。"))


def required_message(field: Field):
    """What to do about an empty required field, naming it: choose, tick or type."""
    if isinstance(field, SelectFieldBase | FileField):
        return _l("%(field)sを選んでください。", field=field.label.text)
    if isinstance(field, BooleanField):
        return _l("「%(field)s」にチェックを入れてください。", field=field.label.text)
    return _l("%(field)sを入力してください。", field=field.label.text)


class PlainerMessages:
    """WTForms' translations, with PLAINER_MESSAGES in place of theirs."""

    def __init__(self, fallback) -> None:
        self._fallback = fallback or DummyTranslations()

    def gettext(self, string: str) -> str:
        """Ours if we have one, else WTForms' own translation."""
        ours = PLAINER_MESSAGES.get(string)
        return str(ours) if ours is not None else self._fallback.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The same for messages with a plural."""
        ours = PLAINER_MESSAGES.get(plural)
        return str(ours) if ours is not None else self._fallback.ngettext(singular, plural, n)


class PortalForm(FlaskForm):
    """Flask-WTF's form with the control-character check on every field, and plain messages."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            validators = unbound_field.kwargs.get("validators") or []
            if no_control_characters not in validators:
                unbound_field.kwargs["validators"] = [*validators, no_control_characters]
            field = super().bind_field(form, unbound_field, options)
            field.validators = [
                type(v)(message=required_message(field))
                if type(v) in (DataRequired, InputRequired) and v.message is None
                else v
                for v in field.validators
            ]
            return field

        def get_translations(self, form):
            return PlainerMessages(super().get_translations(form))
