"""Finding a slot for a caller: by day, venue or ward, with the places left right now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import request
from werkzeug.datastructures import MultiDict

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
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
        """The filter in the query string (or in `values`, a posted form); anything malformed is ignored."""
        values = request.args if values is None else values
        try:
            day = date.fromisoformat(values.get("date", ""))
        except ValueError:
            day = None
        venue_id = values.get("venue", type=int)
        return cls(day=day, venue_id=venue_id, ward=values.get("ward", "")[:50])


def find_slots(chosen: SlotFilter, keep: int | None = None) -> list[ConsultationSession]:
    """Open sessions from today on (or on the chosen day), full ones included so the caller hears why.

    `keep` is a slot already chosen in a form coming back with a message: it stays on the list
    even if the filter that found it is not in the address any more.
    """
    start = max(chosen.day or business_today(), business_today())
    end = chosen.day or start + timedelta(days=DAYS_AHEAD - 1)
    query = open_sessions(start, end, chosen.ward or None)
    if chosen.venue_id:
        query = query.where(Venue.id == chosen.venue_id)
    found = list(query.limit(LIMIT))
    if keep and all(slot.id != keep for slot in found):
        found[:0] = open_sessions(business_today(), date.max).where(ConsultationSession.id == keep)
    return found


def filter_choices() -> dict:
    """The venues and wards to narrow by."""
    venues = list(Venue.select().where(Venue.active == True).order_by(Venue.ward, Venue.name))  # noqa: E712
    return {"venues": venues, "wards": sorted({venue.ward for venue in venues})}
