"""Who may read, write and manage a folder: its owning organisation, explicit grants, admins.

A grant names an organisation or a role and gives read or write (write includes read).
The owning organisation's users may do everything in their folders; its users and the
administrators manage the grants. Refusals are the unknown-URL 404, audited.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user
from peewee import Expression

from portal import audit
from portal.models import Folder, FolderGrant, User
from portal.web import not_found


def _granted(user: User, access: tuple[str, ...]):
    return FolderGrant.select(FolderGrant.folder).where(
        FolderGrant.revoked_at.is_null(),
        FolderGrant.access.in_(access),
        (FolderGrant.organisation == user.organisation_id) | (FolderGrant.role == user.role),
    )


def readable(user: User) -> Expression:
    """A condition on Folder: the user may read it."""
    return (Folder.owner == user.organisation_id) | Folder.id.in_(_granted(user, ("read", "write")))


def writable(user: User) -> Expression:
    """A condition on Folder: the user may add, change and delete its documents."""
    return (Folder.owner == user.organisation_id) | Folder.id.in_(_granted(user, ("write",)))


def may_read(user: User, folder: Folder) -> bool:
    """Whether `user` may see the folder's documents."""
    return Folder.select().where(Folder.id == folder.id, readable(user)).exists()


def may_write(user: User, folder: Folder) -> bool:
    """Whether `user` may change the folder's documents."""
    return Folder.select().where(Folder.id == folder.id, writable(user)).exists()


def may_manage(user: User, folder: Folder) -> bool:
    """Whether `user` may grant and revoke access to the folder."""
    return user.role == "admin" or user.organisation_id == folder.owner_id


def refuse(object_type: str, object_id: object, exists: bool = True) -> None:
    """Audit a per-object refusal and answer exactly as an unknown URL would."""
    audit.record(
        "request.denied",
        outcome="refused" if exists else "missing",
        object_type=object_type,
        object_id=object_id,
    )
    not_found()


def checked_folder(folder_id: int, allowed: Callable[[User, Folder], bool]) -> Folder:
    """The folder, if `allowed` lets the signed-in user at it; else the audited 404."""
    folder = Folder.get_or_none(Folder.id == folder_id)
    if folder is None:
        refuse("folder", folder_id, exists=False)
    if not allowed(current_user, folder):
        refuse("folder", folder_id)
    return folder
