"""An app's routes as an attacker lists them from its url_map: which name an object by id, which
change state, and which route a URL reaches, so that a test can say it left none out."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, UUIDConverter

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def object_routes(app: Flask, blueprint: str) -> set[tuple[str, str]]:
    """(endpoint, method) of every route of `blueprint` whose URL holds an object's id
    (HEAD and OPTIONS left out: they answer as GET and the gate do)."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] != blueprint:
            continue
        if any(isinstance(c, (IntegerConverter, UUIDConverter)) for c in rule._converters.values()):
            routes |= {(rule.endpoint, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def state_changing_routes(app: Flask) -> set[tuple[str, str]]:
    """(endpoint, method) of every route that accepts a method which may change state."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods & UNSAFE}


def reached(app: Flask, method: str, url: str) -> tuple[str, str]:
    """(endpoint, method) of the route the url_map sends `method url` to."""
    endpoint, _values = app.url_map.bind("localhost").match(url, method=method)
    return endpoint, method
