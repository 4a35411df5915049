"""A bare Flask route returning a fixed string, served with the portal's waitress options.

The baseline for bench.public: what the same server costs with no portal code at all.

    .venv/bin/python -m bench.bare --listen=127.0.0.1:8080
"""

from __future__ import annotations

import argparse

import waitress
from flask import Flask

from portal.core.settings import load_settings
from portal.serve import waitress_options

BODY = "ok"


def make_app() -> Flask:
    """One route for the load and one for start-up's health check."""
    app = Flask(__name__)
    app.add_url_rule("/", "bare", lambda: BODY)
    app.add_url_rule("/healthz", "healthz", lambda: BODY)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="host:port")
    args = parser.parse_args()
    waitress.serve(make_app(), listen=args.listen, **waitress_options(load_settings("public")))


if __name__ == "__main__":
    main()
