"""The base of every form: no control characters in any text a user submits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def no_control_characters(_form: FlaskForm, field: Field) -> None:
    """NUL and other control characters are refused with a message (PostgreSQL cannot store NUL)."""
    data = field.data
    if isinstance(data, str) and any(
        (ord(c) < 0x20 and c not in ALLOWED_CONTROLS) or c == "\x7f" for c in data
    ):
        raise ValidationError(_l("使用できない文字が含まれています。"))


class PortalForm(FlaskForm):
    """Flask-WTF's form with the control-character check on every field."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            validators = unbound_field.kwargs.get("validators") or []
            if no_control_characters not in validators:
                unbound_field.kwargs["validators"] = [*validators, no_control_characters]
            return super().bind_field(form, unbound_field, options)
