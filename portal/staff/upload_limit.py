"""Which views take a file (a small one in a plain form, or a chunk of one), and the larger body
limit only they get.

Every other request keeps the small form limit. The gate applies it before its CSRF check reads
the body, so the limit holds before any byte of a form is parsed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from portal import REQUEST_BODY_LIMIT

UPLOAD_ATTRIBUTE = "accepts_upload"


def accepts_upload(view: Callable) -> Callable:
    """Mark a view whose requests may carry a file, or a chunk of one, up to REQUEST_BODY_LIMIT."""
    setattr(view, UPLOAD_ATTRIBUTE, True)
    return view


def apply_upload_limit() -> None:
    """Raise the body limit for upload views only; every other form keeps the small default."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, UPLOAD_ATTRIBUTE, False):
        request.max_content_length = REQUEST_BODY_LIMIT
