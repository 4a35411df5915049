"""The support programmes a business can ask about (configurable by editing this list)."""

from flask_babel import lazy_gettext as _l

PROGRAMMES = (
    ("jizokuka", _l("持続化給付金")),
    ("yachin", _l("家賃支援給付金")),
    ("koyo", _l("雇用調整助成金")),
    ("kinkyu", _l("緊急支援補助金")),
    ("yushi", _l("融資")),
)
