"""Entry points for waitress: `waitress-serve --call wsgi:public` and `--call wsgi:staff`."""

from flask import Flask

from portal import create_app


def public() -> Flask:
    """The public instance: venues, slots and booking requests."""
    return create_app("public")


def staff() -> Flask:
    """The staff instance, behind the gate."""
    return create_app("staff")
