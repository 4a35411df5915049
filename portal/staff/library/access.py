"""Who may read, write and manage a folder: its owning organisation, explicit grants, admins.

A grant names an organisation or a role and gives read or write (write includes read).
The owning organisation's users may do everything in their folders; its users and the
administrators manage the grants. Refusals are the unknown-URL 404, audited.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Expression

from portal.core.models import Folder, FolderGrant, User
from portal.staff.refusals import permitted


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


def checked_folder(user: User, folder_id: int, allowed: Callable[[User, Folder], bool]) -> Folder:
    """The folder, if `allowed` lets `user` at it; else the audited 404."""
    return permitted(user, Folder.get_or_none(Folder.id == folder_id), allowed, "folder", folder_id)
