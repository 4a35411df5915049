"""Asking for a lost manage link: the reference and the email or phone given when booking.

The request is sealed to the staff zone, which alone can compare it with the booking and mail
the link to the address the booking holds. The public zone cannot read either back, so its
answer is the same whether or not the details matched; it is rate-limited like booking.
"""

from __future__ import annotations

from flask import Response, current_app, url_for

from portal.core import normalise
from portal.core import public_log as events
from portal.core.models import ManageLinkRequest
from portal.core.security.sealing import sealer
from portal.core.web import redirect_to, render
from portal.public.forms import LostLinkForm
from portal.public.views import bp, limiter


@bp.route("/manage/lost", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PORTAL"].booking_rate_limit, methods=["POST"])
def lost_link() -> Response:
    """The form; a valid request is sealed and stored, then the same answer whatever it holds."""
    form = LostLinkForm()
    if form.validate_on_submit():
        sealed = sealer().seal(
            {
                "kind": "manage_link",
                "reference": normalise.reference(form.reference.data),
                "contact": form.contact.data.strip(),
            }
        )
        request_id = ManageLinkRequest.insert(sealed=sealed).execute()
        events.log("manage_link.request", object_type="manage_link_request", object_id=request_id)
        return redirect_to(url_for("public.lost_link_sent"))
    return render("public/lost_link.html", form=form)


@bp.get("/manage/lost/sent")
def lost_link_sent() -> Response:
    """What happens next; it says nothing about whether the details matched (nothing here knows)."""
    return render("public/lost_link_sent.html")
