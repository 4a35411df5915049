"""Installed distributions against an OSV export for PyPI, read from a file: no network.

pip-audit asks PyPI's or OSV's online service and has no offline database (pypa/pip-audit#698),
and the staff host may reach neither. OSV publishes every PyPI advisory as JSON (`all.zip` per
ecosystem); given one, this module reads it and matches each installed distribution's version
against the advisory's listed versions and ECOSYSTEM ranges with `packaging`.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


class NoDatabase(Exception):
    """No vulnerability database is configured, or the one named cannot be read."""


@dataclass(frozen=True)
class Vulnerable:
    """An installed distribution an advisory names."""

    name: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]


def installed() -> dict[str, str]:
    """Every installed distribution, by canonical name, with its version."""
    found = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if name:
            found.setdefault(canonicalize_name(name), distribution.version)
    return found


def advisories(database: Path) -> Iterator[dict]:
    """Each advisory in an OSV export: a zip of JSON files, a folder of them, or one JSON file."""
    try:
        if zipfile.is_zipfile(database):
            with zipfile.ZipFile(database) as archive:
                for name in archive.namelist():
                    if name.endswith(".json"):
                        yield from _entries(archive.read(name))
        elif database.is_dir():
            for path in sorted(database.rglob("*.json")):
                yield from _entries(path.read_bytes())
        else:
            yield from _entries(database.read_bytes())
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise NoDatabase(f"{database}: {error}") from None


def _entries(raw: bytes) -> list[dict]:
    loaded = json.loads(raw)
    return loaded if isinstance(loaded, list) else [loaded]


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: list[dict]) -> bool:
    """OSV's ECOSYSTEM range: affected from each `introduced` until the next `fixed` (excluded)
    or `last_affected` (included)."""
    affected = False
    for event in events:
        if "introduced" in event:
            start = _version(event["introduced"]) if event["introduced"] != "0" else None
            affected = affected or start is None or version >= start
        elif "fixed" in event and (fixed := _version(event["fixed"])) is not None and version >= fixed:
            affected = False
        elif "last_affected" in event and (last := _version(event["last_affected"])) and version > last:
            affected = False
    return affected


def _affects(affected: dict, version: str) -> bool:
    if version in affected.get("versions", ()):
        return True
    parsed = _version(version)
    ranges = [r for r in affected.get("ranges", ()) if r.get("type") == "ECOSYSTEM"]
    return parsed is not None and any(_in_range(parsed, r.get("events", [])) for r in ranges)


def _fixed_in(affected: dict) -> tuple[str, ...]:
    return tuple(e["fixed"] for r in affected.get("ranges", ()) for e in r.get("events", ()) if "fixed" in e)


def scan(database: Path, packages: dict[str, str]) -> tuple[list[Vulnerable], int]:
    """The installed `packages` that an advisory in `database` names, and how many advisories were read."""
    found, read = [], 0
    for advisory in advisories(database):
        read += 1
        if advisory.get("withdrawn"):
            continue
        for affected in advisory.get("affected", ()):
            package = affected.get("package", {})
            name = canonicalize_name(package.get("name", ""))
            if package.get("ecosystem") != "PyPI" or name not in packages:
                continue
            if _affects(affected, packages[name]):
                found.append(
                    Vulnerable(
                        name,
                        packages[name],
                        advisory.get("id", ""),
                        tuple(advisory.get("aliases", ())),
                        advisory.get("summary", ""),
                        _fixed_in(affected),
                    )
                )
    return found, read
