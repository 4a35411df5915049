"""Finding a slot by day, venue or ward, with the places left right now: for a caller on the phone,
and for a visitor moving a booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from portal.core.query_args import date_arg, int_arg, text_arg
from portal.core.reservations import open_sessions

DAYS_AHEAD = 14  # without a chosen day, the next two weeks
LIMIT = 100


@dataclass(frozen=True)
class SlotFilter:
    """What the operator narrowed the slots to."""

    day: date | None = None
    venue_id: int | None = None
    ward: str = ""

    @classmethod
    def from_args(cls, values: MultiDict | None = None) -> SlotFilter:
        """The filter in the query string (or in `values`, a form posted back); anything malformed
        is ignored."""
        return cls(
            day=date_arg("date", values), venue_id=int_arg("venue", values), ward=text_arg("ward", 50, values)
        )


def find_slots(
    chosen: SlotFilter, keep: int | None = None, days: int = DAYS_AHEAD, limit: int = LIMIT
) -> list[ConsultationSession]:
    """Open sessions on the chosen day, else in the `days` from today, full ones included so the
    caller hears why; at most `limit`.

    `keep` is a slot already chosen in a form coming back with a message: it stays on the list
    even if the filter that found it is not in the address any more.
    """
    start = max(chosen.day or business_today(), business_today())
    end = chosen.day or start + timedelta(days=days - 1)
    query = open_sessions(start, end, chosen.ward or None)
    if chosen.venue_id:
        query = query.where(Venue.id == chosen.venue_id)
    found = list(query.limit(limit))
    if keep and all(slot.id != keep for slot in found):
        found[:0] = open_sessions(business_today(), date.max).where(ConsultationSession.id == keep)
    return found


def filter_choices() -> dict:
    """The venues and wards to narrow by."""
    venues = list(Venue.select().where(Venue.active == True).order_by(Venue.ward, Venue.name))  # noqa: E712
    return {"venues": venues, "wards": sorted({venue.ward for venue in venues})}
