"""The pledge's versions and acceptances: which text is in force, who still owes it, recording both.

The newest version is the one in force; publishing a new one asks every account again. A store
with no version at all asks nothing, which only a store `portal init` never ran on can be.
"""

from __future__ import annotations

from peewee import JOIN, fn

from portal.core.database import write_transaction
from portal.core.models import PledgeAcceptance, PledgeVersion, User
from portal.staff import audit
from portal.staff.pledge.first_text import FIRST_TEXT

TEXT_MAX = 20000


def current_version() -> PledgeVersion | None:
    """The version in force: the highest number."""
    return PledgeVersion.select().order_by(PledgeVersion.version.desc()).first()


def awaited(user: User) -> bool:
    """Whether `user` has yet to accept the version in force (one query, asked on every request)."""
    newest = PledgeVersion.select(fn.MAX(PledgeVersion.version))
    accepted = PledgeAcceptance.select().where(
        PledgeAcceptance.version == PledgeVersion.id, PledgeAcceptance.user == user.id
    )
    return PledgeVersion.select().where(PledgeVersion.version == newest, ~fn.EXISTS(accepted)).exists()


def accepted_at(user: User, version: PledgeVersion):
    """When `user` accepted `version`, or None."""
    found = PledgeAcceptance.get_or_none(
        PledgeAcceptance.user == user.id, PledgeAcceptance.version == version
    )
    return found.accepted_at if found else None


def accept(user: User, version: PledgeVersion) -> bool:
    """Record that `user` accepted `version`; False if it had already (a second click records nothing)."""
    with write_transaction():
        if accepted_at(user, version) is not None:
            return False
        PledgeAcceptance.create(user=user.id, version=version)
    audit.record("pledge.accept", actor_id=user.id, object_type="pledge-version", object_id=version.version)
    return True


def _create(text: str, by: User | None) -> PledgeVersion:
    with write_transaction():
        number = (PledgeVersion.select(fn.MAX(PledgeVersion.version)).scalar() or 0) + 1
        return PledgeVersion.create(version=number, text=text, published_by=by.id if by else None)


def publish(text: str, by: User) -> PledgeVersion:
    """A new version in force from now: every account, the publisher's included, accepts it again."""
    created = _create(text, by)
    audit.record("pledge.publish", object_type="pledge-version", object_id=created.version)
    return created


def ensure_first_version() -> PledgeVersion | None:
    """Publish the first text on a store that has none; returns it, or None if one was there.

    Part of setting a store up, like its schema, so it runs where no audit key may be loaded yet;
    the version row itself says when it was published and by nobody.
    """
    if PledgeVersion.select().exists():
        return None
    return _create(FIRST_TEXT, None)


def versions() -> list[PledgeVersion]:
    """Every version, newest first, each with how many accounts accepted it (`signed`)."""
    return list(
        PledgeVersion.select(PledgeVersion, fn.COUNT(PledgeAcceptance.id).alias("signed"))
        .join(PledgeAcceptance, JOIN.LEFT_OUTER)
        .group_by(PledgeVersion.id)
        .order_by(PledgeVersion.version.desc())
    )


def version_numbered(number: int) -> PledgeVersion | None:
    """The version with that number, if published."""
    return PledgeVersion.get_or_none(PledgeVersion.version == number)
