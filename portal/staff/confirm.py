"""Asking before an action that cannot be undone: a dialog with JavaScript, a page of its own without.

A destructive form carries `hx-confirm` and sends `confirmed=yes` once the dialog is accepted.
Without JavaScript the form arrives without it, and the view answers with a page that says what
will happen and posts the same fields again, confirmed, or goes back.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, request

from portal.core.web import render

CONFIRMED = "confirmed"


def confirmed() -> bool:
    """Whether the person already said yes, in the dialog or on the confirmation page."""
    return request.form.get(CONFIRMED) == "yes"


def ask(
    title: str, consequence: str, button: str, back: str, details: Iterable[tuple[str, str]] = ()
) -> Response:
    """The confirmation page: what will happen, the same form again with everything typed kept,
    and a way back that changes nothing."""
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", CONFIRMED)
    ]
    action = request.full_path if request.query_string else request.path
    return render(
        "confirm.html",
        title=title,
        consequence=consequence,
        button=button,
        back=back,
        details=list(details),
        fields=fields,
        action=action,
    )
