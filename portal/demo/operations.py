"""The demo's operating data: venues, seasons, their sessions and fictional bookings."""

from __future__ import annotations

import random
from datetime import date

from portal.core.database import write_transaction
from portal.core.models import ConsultationSession, Season
from portal.demo.bookings import Planner, insert, plan_current, plan_past
from portal.demo.calendar import create_seasons, create_venues
from portal.staff.venues.season import generate

SEED = 20200615  # the same demo on every fresh database (the current season moves with today)


def _sessions(season: Season) -> list[ConsultationSession]:
    return list(
        ConsultationSession.select()
        .where(ConsultationSession.date.between(season.starts_on, season.ends_on))
        .order_by(ConsultationSession.date, ConsultationSession.starts_at, ConsultationSession.venue)
    )


def seed_operations(
    consultant_id: int | None, operator_id: int | None, today: date
) -> list[tuple[Season, int]]:
    """Everything in one transaction; returns each season with the number of sessions generated."""
    rng = random.Random(SEED)
    with write_transaction():
        create_venues(consultant_id)
        seasons = create_seasons(today)
        generated = [(season, generate(season)) for season in seasons]
        planner = Planner(rng, operator_id)
        past, current = seasons
        plan_past(planner, _sessions(past))
        plan_current(planner, _sessions(current))
        insert(planner)
    return generated
