"""Entry points for waitress: `waitress-serve --call wsgi:public` and `--call wsgi:staff`."""

from flask import Flask

from portal import create_app
from portal.core.logs import configure


def public() -> Flask:
    """The public instance: venues, slots and booking requests; its log is JSON lines."""
    configure("public")
    return create_app("public")


def staff() -> Flask:
    """The staff instance, behind the gate; its log is JSON lines."""
    configure("staff")
    return create_app("staff")
