"""The base of every form: no control characters in text, numbers and dates the portal can hold,
and messages that say what to do."""

from __future__ import annotations

import re
from functools import cache

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, FileField, IntegerField
from wtforms.fields.choices import SelectFieldBase
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from portal.core import normalise
from portal.core.database import MAX_INTEGER
from portal.core.dates import EARLIEST, LATEST, in_business_range

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
    "Not a valid decimal value.": _l("半角の数字で入力してください（小数は 2.5 のように）。"),
    "Not a valid date value.": _l("日付を 2026-04-01 のように入力してください。"),
    "Not a valid time value.": _l("時刻を 09:30 のように入力してください。"),
    "Not a valid datetime value.": _l("日時を 2026-04-01 09:30 のように入力してください。"),
}


def no_control_characters(_form: FlaskForm, field: Field) -> None:
    """NUL and other control characters are refused with a message (PostgreSQL cannot store NUL)."""
    data = field.data
    if isinstance(data, str) and any(
        (ord(c) < 0x20 and c not in ALLOWED_CONTROLS) or c == "\x7f" for c in data
    ):
        raise ValidationError(_l("使用できない文字が含まれています。"))


def within_database(number: int | None) -> int | None:
    """A number past the database's integers reads as no number, as "abc" does (a filter)."""
    return number if number is None or -MAX_INTEGER <= number <= MAX_INTEGER else None


def database_integer(_form: FlaskForm, field: Field) -> None:
    """Such a number (an id in a hidden field, say) is refused with a message."""
    if field.data is None and field.raw_data and not field.process_errors:  # the filter let it go
        raise ValidationError(_l("数が大きすぎます。"))


def business_date(_form: FlaskForm, field: Field) -> None:
    """A date outside the years the portal deals in is a typing mistake, refused with a message."""
    if field.data is not None and not in_business_range(field.data):
        message = _l("%(first)d年から%(last)d年までの日付を入力してください。")
        raise ValidationError(message % {"first": EARLIEST.year, "last": LATEST.year})


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


@cache
def wtforms_catalogue(locale: str) -> Translations:
    """WTForms' own messages in a language, read once per process (Flask-WTF reads the file again
    for every request that builds a form)."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


class PlainerMessages:
    """WTForms' translations, with PLAINER_MESSAGES in place of theirs."""

    def __init__(self, fallback: Translations) -> None:
        self._fallback = fallback

    def gettext(self, string: str) -> str:
        """Ours if we have one, else WTForms' own translation."""
        ours = PLAINER_MESSAGES.get(string)
        return str(ours) if ours is not None else self._fallback.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The same for messages with a plural."""
        ours = PLAINER_MESSAGES.get(plural)
        return str(ours) if ours is not None else self._fallback.ngettext(singular, plural, n)


def _checks_for(field_class: type[Field], validators: list) -> list:
    """The base checks a field of this class gets besides its own validators."""
    checks = [no_control_characters]
    if issubclass(field_class, IntegerField) and not any(isinstance(v, NumberRange) for v in validators):
        checks.append(database_integer)
    if issubclass(field_class, DateField):
        checks.append(business_date)
    return checks


class PortalForm(FlaskForm):
    """Flask-WTF's form with the base checks on every field, and plain messages."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            kwargs = unbound_field.kwargs
            validators = list(kwargs.get("validators") or [])
            checks = _checks_for(unbound_field.field_class, validators)
            kwargs["validators"] = [*validators, *(c for c in checks if c not in validators)]
            if issubclass(unbound_field.field_class, IntegerField):
                filters = list(kwargs.get("filters") or [])
                kwargs["filters"] = filters if within_database in filters else [*filters, within_database]
            field = super().bind_field(form, unbound_field, options)
            field.validators = [
                type(v)(message=required_message(field))
                if type(v) in (DataRequired, InputRequired) and v.message is None
                else v
                for v in field.validators
            ]
            return field

        def get_translations(self, form):
            return PlainerMessages(wtforms_catalogue(str(get_locale())))
