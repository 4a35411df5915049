"""The base of every form: no control characters in any text a user submits."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

from portal.core import normalise

ALLOWED_CONTROLS = {"\t", "\n", "\r"}


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


class PortalForm(FlaskForm):
    """Flask-WTF's form with the control-character check on every field."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            validators = unbound_field.kwargs.get("validators") or []
            if no_control_characters not in validators:
                unbound_field.kwargs["validators"] = [*validators, no_control_characters]
            return super().bind_field(form, unbound_field, options)
