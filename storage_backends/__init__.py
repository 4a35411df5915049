"""Where file bytes live: plain byte movers behind one small interface.

Backends know nothing of encryption or of the database; the layer above them encrypts every
byte before it arrives here. A backend is chosen by name from configuration and imported only
when chosen.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from storage_backends.base import Backend, BackendError, safe_key

REGISTRY = {
    "local": "storage_backends.local:LocalBackend",
    "minio": "storage_backends.minio:MinioBackend",
}


def load_backend(name: str, **options: Any) -> Backend:
    """The backend called `name`, built from `options`; unknown names and options raise ValueError."""
    try:
        module_name, class_name = REGISTRY[name].split(":")
    except KeyError:
        raise ValueError(f"unknown storage backend {name!r}; known: {', '.join(REGISTRY)}") from None
    backend_class = getattr(import_module(module_name), class_name)
    unknown = set(options) - set(backend_class.OPTIONS)
    if unknown:
        raise ValueError(f"storage backend {name!r} takes no option {', '.join(sorted(unknown))}")
    return backend_class(**options)


__all__ = ["REGISTRY", "Backend", "BackendError", "load_backend", "safe_key"]
