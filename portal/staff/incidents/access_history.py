"""Every access to an incident's exposed objects during its window, from the audit log.

Two kinds of event name an exposed object. Features audit what they did to an object by its type
and id ("record" 12, "attachment" <uuid>, "document", "document-version", "folder"), and so do
per-object refusals (`portal.staff.refusals`). The gate's refusals (anonymous, no permission)
name the endpoint asked for and the ids in its URL, joined by commas; each id is matched to the
URL's argument it filled, so a refused anonymous download of an exposed attachment is found too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import current_app

from portal.core.models import AuditEvent, DocumentVersion, Incident, RecordAttachment, User
from portal.staff.audit_log.search import actors_of
from portal.staff.incidents.affected import Exposed

DENIED = "request.denied"
SHOWN_MAX = 1000  # events listed on the page, oldest first; the count says how many there were
CHUNK = 500  # ids per IN list
# The URL arguments that name an object, and the audit type of that object.
ARGUMENT_TYPES = {
    "record_id": "record",
    "attachment_id": "attachment",
    "document_id": "document",
    "folder_id": "folder",
    "version_id": "document-version",
}
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class History:
    """The accesses found (the first SHOWN_MAX), how many in all, and the accounts that made them."""

    events: list[AuditEvent]
    total: int
    actors: dict[int, User]


def _ids_of(model, column, owners: frozenset[int]) -> set[str]:
    """The ids of `model`'s rows whose `column` is one of `owners`, asked a chunk at a time."""
    ordered = sorted(owners)
    return {
        str(row.id)
        for start in range(0, len(ordered), CHUNK)
        for row in model.select(model.id).where(column.in_(ordered[start : start + CHUNK]))
    }


def exposed_pairs(found: Exposed) -> dict[str, set[str]]:
    """Audit object ids by type, for every exposed object and the files that belong to it."""
    attachments = _ids_of(RecordAttachment, RecordAttachment.record, found.records)
    versions = _ids_of(DocumentVersion, DocumentVersion.document, found.documents)
    return {
        "record": {str(i) for i in found.records},
        "attachment": attachments,
        "document": {str(i) for i in found.documents},
        "document-version": versions,
        "folder": {str(i) for i in found.folders},
    }


def _endpoint_arguments() -> dict[str, list[str]]:
    """Each endpoint's URL arguments, in the order the gate joins their values."""
    return {rule.endpoint: RULE_ARGUMENT.findall(rule.rule) for rule in current_app.url_map.iter_rules()}


def names_exposed(event: AuditEvent, arguments: dict[str, list[str]], pairs: dict[str, set[str]]) -> bool:
    """Whether a gate refusal asked for an exposed object."""
    ids = (event.object_id or "").split(",")
    named = [name for name in arguments.get(event.object_type or "", []) if name in ARGUMENT_TYPES]
    return any(value in pairs[ARGUMENT_TYPES[name]] for name, value in zip(named, ids, strict=False))


def _chunks(values: set[str]) -> Iterator[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _in_window(incident: Incident):
    return (AuditEvent.at >= incident.window_start) & (AuditEvent.at <= incident.window_end)


def accesses(incident: Incident, found: Exposed) -> list[AuditEvent]:
    """The events that touched an exposed object in the window, oldest first."""
    pairs = exposed_pairs(found)
    events: dict[int, AuditEvent] = {}
    for object_type, ids in pairs.items():
        for chunk in _chunks(ids):
            query = AuditEvent.select().where(
                _in_window(incident), AuditEvent.object_type == object_type, AuditEvent.object_id.in_(chunk)
            )
            events.update((event.seq, event) for event in query)
    arguments = _endpoint_arguments()
    by_url = [endpoint for endpoint, names in arguments.items() if set(names) & ARGUMENT_TYPES.keys()]
    refused = AuditEvent.select().where(
        _in_window(incident), AuditEvent.action == DENIED, AuditEvent.object_type.in_(by_url)
    )
    events.update((event.seq, event) for event in refused if names_exposed(event, arguments, pairs))
    return [events[seq] for seq in sorted(events)]


def history(events: list[AuditEvent]) -> History:
    """The accesses as the incident page lists them."""
    shown = events[:SHOWN_MAX]
    return History(shown, len(events), actors_of(shown))


def anonymous(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The accesses by nobody signed in."""
    return [event for event in events if event.actor_id is None]
