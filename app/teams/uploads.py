"""Project files: the type is read from the bytes, the name is for show, storage keys are ours."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from app.events.service import log_action
from app.filetypes import sniff
from app.forms import Upload
from app.i18n import get_locale, lazy
from app.i18n import gettext as _
from app.storage import Staged
from app.teams import events, queries
from app.teams.models import ProjectFile
from app.teams.projects import bump, editable_project, load_project

MAX_NAME = 120
FALLBACK_NAMES = {
    "application/pdf": "document.pdf",
    "image/png": "image.png",
    "image/jpeg": "image.jpg",
}
# The extensions a stored name may end with, by the type its bytes prove: the first is the
# one a name gets when it ends otherwise ("budget.bat" holding a PDF is "budget.pdf").
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
}


class FileTypeRefused(UnsupportedMediaType):
    message = lazy(
        "Only PDF documents and PNG or JPEG images can be uploaded, and this file is none of these."
    )
    field = "file"


class FileTooLarge(PayloadTooLarge):
    message = lazy("The file is too large: the limit is %(size)s MB.")
    field = "file"


def clean_display_name(filename: str, content_type: str) -> str:
    """The name to show and to download as: no folders, no control or direction characters,
    at most 120 chars, ending with an extension of the type the bytes prove (a browser or a
    desktop opens a file by its extension: a PDF must not arrive as "report.html")."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or not unicodedata.category(ch).startswith("C")
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return FALLBACK_NAMES.get(content_type, "file")
    allowed = EXTENSIONS.get(content_type, ())
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem = name
    elif ext.lower() in allowed:
        stem = stem if len(stem) + len(ext) < MAX_NAME else stem[: MAX_NAME - len(ext) - 1]
        return stem.rstrip() + "." + ext
    ext = allowed[0] if allowed else ""
    stem = stem.strip(" .") or FALLBACK_NAMES.get(content_type, "file").rpartition(".")[0]
    stem = stem[: MAX_NAME - len(ext) - 1].rstrip()
    return f"{stem}.{ext}" if ext else stem


def check_file(data: bytes, *, max_bytes: int) -> str:
    """The file's proven content type; 422 if empty, 413 if too large, 415 if not accepted."""
    if not data:
        raise ValidationFailed({"file": _("Please choose a file.")})
    if len(data) > max_bytes:
        size = format_decimal(round(max_bytes / (1024 * 1024), 1), locale=get_locale())
        raise FileTooLarge(_(FileTooLarge.message) % {"size": size})
    content_type = sniff(data)
    if content_type is None:
        raise FileTypeRefused(_(FileTypeRefused.message))
    return content_type


async def add_file(
    session: AsyncSession,
    *,
    user: User,
    project_id: int,
    upload: Upload,
    max_bytes: int,
    stage: Staged,
    now: datetime | None = None,
) -> ProjectFile:
    """Attach a file to the project (the coach, while it may be changed); nothing is stored
    unless every check passes."""
    assert user.id is not None
    project, _team = await editable_project(session, user=user, project_id=project_id, now=now)
    content_type = check_file(upload.data, max_bytes=max_bytes)
    stored = stage.save(upload.data)
    project_file = ProjectFile(
        project_id=project_id,
        storage_key=stored.key,
        display_name=clean_display_name(upload.filename, content_type),
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=user.id,
    )
    session.add(project_file)
    bump(project)
    await session.flush()
    assert project_file.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.FILE_ADDED,
        subject_type="project",
        subject_id=project_id,
        challenge_id=project.challenge_id,
        data={"file_id": project_file.id, "sha256": stored.sha256, "size": stored.size},
    )
    return project_file


async def delete_file(
    session: AsyncSession,
    *,
    user: User,
    project_id: int,
    file_id: int,
    now: datetime | None = None,
) -> str:
    """Remove a file from the project; returns its storage key, to delete after commit."""
    project, _team = await editable_project(session, user=user, project_id=project_id, now=now)
    project_file = await queries.get_file(session, project_id=project_id, file_id=file_id)
    await session.delete(project_file)
    bump(project)
    log_action(
        session,
        actor_id=user.id,
        action=events.FILE_DELETED,
        subject_type="project",
        subject_id=project_id,
        challenge_id=project.challenge_id,
        data={"file_id": file_id, "sha256": project_file.sha256},
    )
    return project_file.storage_key


async def file_for_download(
    session: AsyncSession, *, user: User | None, project_id: int, file_id: int
) -> ProjectFile:
    """A file, for those who may see its project."""
    await load_project(session, user=user, project_id=project_id)
    return await queries.get_file(session, project_id=project_id, file_id=file_id)
