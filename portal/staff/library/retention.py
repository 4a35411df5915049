"""Retention of documents and their versions: what has expired, and destroying it.

A soft-deleted document goes once the grace period has passed; a live one once it has not
changed for its kind's retention (daily-report attachments follow their report instead); an
older version once a newer one has replaced it for that long.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from peewee import fn

from portal.core.models import Document, DocumentVersion
from portal.core.settings import Settings
from portal.staff.library import store
from portal.staff.retention import EXPIRED, Expired, deleted_or_aged, register, rule


def expired_documents(settings: Settings, now: datetime) -> Iterator[Expired]:
    """Deleted past the grace period, or unchanged for longer than the documents' retention."""
    return deleted_or_aged(
        Document,
        Document.updated_at,
        "retention_documents_days",
        settings,
        now,
        Document.daily_report.is_null(),
    )


def destroy_document(object_id: str) -> list[tuple[str, str]]:
    """Every version's ciphertext and data key, then the document's rows."""
    return store.destroy_document(Document.get_by_id(int(object_id)))


def expired_versions(settings: Settings, now: datetime) -> Iterator[Expired]:
    """Versions replaced by a newer one longer ago than the documents' retention."""
    age_rule, days = rule(settings, "retention_documents_days")
    newer = DocumentVersion.alias()
    replaced = newer.select(newer.id).where(
        newer.document == DocumentVersion.document,
        newer.number > DocumentVersion.number,
        newer.created_at <= now - timedelta(days=days),
    )
    for version in DocumentVersion.select(DocumentVersion.id).where(fn.EXISTS(replaced)):
        yield Expired(str(version.id), EXPIRED, age_rule)


def destroy_version(object_id: str) -> list[tuple[str, str]]:
    """One version's ciphertext, data key and row."""
    store.destroy_version(DocumentVersion.get_by_id(int(object_id)))
    return []


register("document", expired_documents, destroy_document, label=_l("文書"))
register("document-version", expired_versions, destroy_version, label=_l("文書の版"))
