"""Check-in belongs to the day itself.

Arrivals, absences and walk-ins are recorded on the consultation day. A day that has not come
cannot be marked: a visitor marked as arrived would have the consultant asked for the record of
a consultation that never took place. A past day is closed, except that a city user may correct
it; each correction is audited as one.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from portal.core.dates import business_today
from portal.core.i18n import long_date

CORRECTOR_ROLE = "city"


def refusal(day: date, role: str) -> str | None:
    """Why `role` may not record arrivals on `day`, or None if it may."""
    today = business_today()
    if day > today:
        return _(
            "%(date)sはまだ来ていないため、来場・欠席・当日来場は記録できません。受付は相談の当日に行ってください。",
            date=long_date(day),
        )
    if day < today and role != CORRECTOR_ROLE:
        return _(
            "%(date)sは過ぎた日のため、来場・欠席は変更できません。訂正が必要なときは市の担当者に依頼してください。",
            date=long_date(day),
        )
    return None


def is_correction(day: date) -> bool:
    """Whether recording on `day` corrects a day that has passed."""
    return day < business_today()
