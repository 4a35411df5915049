"""The support programmes a business can ask about (configurable by editing this list)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

PROGRAMMES = (
    ("jizokuka", _l("持続化給付金")),
    ("yachin", _l("家賃支援給付金")),
    ("koyo", _l("雇用調整助成金")),
    ("kinkyu", _l("緊急支援補助金")),
    ("yushi", _l("融資")),
)


def programmes_field(*validators: Callable, label: str = _l("相談したい支援制度")) -> SelectMultipleField:
    """The programmes as a list of checkboxes."""
    return SelectMultipleField(
        label,
        choices=[SelectChoice(code, label) for code, label in PROGRAMMES],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=list(validators),
    )
