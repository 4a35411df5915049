"""Where file bytes live: plain byte movers behind one small interface.

Backends know nothing of encryption or of the database; the layer above them encrypts every
byte before it arrives here. Each backend declares its own options (`Backend.OPTIONS`); adding
one is a module here and a line in REGISTRY, from which settings and commands follow.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from storage_backends.base import Backend, BackendError, Option, safe_key

REGISTRY = {
    "local": "storage_backends.local:LocalBackend",
    "minio": "storage_backends.minio:MinioBackend",
}


def backend_class(name: str) -> type[Backend]:
    """The class registered as `name`, imported now; an unknown name raises ValueError."""
    try:
        module_name, class_name = REGISTRY[name].split(":")
    except KeyError:
        raise ValueError(f"unknown storage backend {name!r}; known: {', '.join(REGISTRY)}") from None
    return getattr(import_module(module_name), class_name)


def load_backend(name: str, **options: Any) -> Backend:
    """The backend called `name`, built from `options`; unknown names and options raise ValueError."""
    cls = backend_class(name)
    unknown = set(options) - {option.name for option in cls.OPTIONS}
    if unknown:
        raise ValueError(f"storage backend {name!r} takes no option {', '.join(sorted(unknown))}")
    return cls(**options)


__all__ = ["REGISTRY", "Backend", "BackendError", "Option", "backend_class", "load_backend", "safe_key"]
