"""`portal notify …`: the emails a timer sends from the staff zone, in Japanese.

Exit status 1 when the SMTP server refused a message (the next run tries it again), 2 when
mail is not configured.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from portal.core import mail
from portal.core.database import database
from portal.core.dates import business_today

notify_group = AppGroup("notify", help="Emails sent by a timer in the staff zone.")
DATE_OPTION = click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The consultation day, YYYY-MM-DD (default: tomorrow in Tokyo).",
)


def _require_mail() -> None:
    if not mail.enabled():
        raise click.UsageError("mail is off: set PORTAL_SMTP_HOST")


def _mail_day(value: datetime | None) -> date:
    """The day to send for; mail must be configured."""
    _require_mail()
    return value.date() if value else business_today() + timedelta(days=1)


@notify_group.command("reminders")
@DATE_OPTION
def reminders_command(day: datetime | None) -> None:
    """Remind visitors who gave an email of their booking, once per booking."""
    from portal.staff.bookings.reminders import send_reminders

    consultation_day = _mail_day(day)
    with database.connection_context(), force_locale("ja"):
        outcome = send_reminders(consultation_day)
    click.echo(f"reminders for {consultation_day}: {outcome.sent} sent, {outcome.failed} failed")
    if outcome.failed:
        raise SystemExit(1)


@notify_group.command("daily-list")
@DATE_OPTION
def daily_list_command(day: datetime | None) -> None:
    """Tell the city and the day's consultants that the day's list is ready, once per day."""
    from portal.staff.bookings.notice import send_daily_notice

    list_day = _mail_day(day)
    with database.connection_context(), force_locale("ja"):
        outcome = send_daily_notice(list_day)
    if outcome.earlier:
        click.echo(f"daily list notice for {list_day}: already sent at {outcome.earlier:%Y-%m-%d %H:%M} UTC")
        return
    click.echo(f"daily list notice for {list_day}: {outcome.sent} sent, {outcome.failed} failed")
    if outcome.failed:
        raise SystemExit(1)


@notify_group.command("manage-links")
def manage_links_command() -> None:
    """Mail visitors the manage links they asked for again on the public site (run it every few minutes)."""
    from portal.staff.bookings.lost_links import send_lost_links

    _require_mail()
    with database.connection_context(), force_locale("ja"):
        outcome = send_lost_links()
    click.echo(f"manage links: {outcome.sent} sent, {outcome.unmatched} not sent, {outcome.failed} failed")
    if outcome.failed:
        raise SystemExit(1)


@notify_group.command("waiting-list")
def waiting_list_command() -> None:
    """Give back offered places nobody took in time, mail accepted ones their booking, and forget
    ended waiting requests (run it every few minutes)."""
    from portal.staff.bookings.waiting_sweep import sweep_waiting_list

    _require_mail()
    with database.connection_context(), force_locale("ja"):
        outcome = sweep_waiting_list()
    click.echo(
        f"waiting list: {outcome.expired} expired, {outcome.confirmed} confirmed, {outcome.failed} failed, "
        f"{outcome.lapsed} lapsed, {outcome.forgotten} forgotten"
    )
    if outcome.failed:
        raise SystemExit(1)
