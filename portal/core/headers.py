"""Security headers on every response of both zones, error pages and static files included."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

COMMON = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

# Never indexed, never cached: every staff response, and public pages that carry a secret or an error.
PRIVATE = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "no-store",
}


def private(response: Response) -> Response:
    """Keep `response` out of caches and search engines."""
    response.headers.update(PRIVATE)
    return response


def init_app(app: Flask, zone: str) -> None:
    """Register the after-request hook for `zone`."""
    extra = PRIVATE if zone == "staff" else {}

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # One pass over the headers: werkzeug's setdefault raises and catches an exception per miss.
        present = {name.lower() for name in response.headers.keys()}
        for name, value in COMMON.items():
            if name.lower() not in present:
                response.headers.add(name, value)
        for name, value in extra.items():
            response.headers[name] = value
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return response
