"""An uploaded picture shown to visitors (a challenge's cover, a company's logo): checked
from its bytes before anything is stored."""

from __future__ import annotations

from app.errors import AppError, ValidationFailed
from app.filetypes import image_size, sniff
from app.i18n import gettext as _

IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


def check_image(
    data: bytes,
    *,
    max_bytes: int,
    max_side: int,
    refused: type[AppError],
    too_large: type[AppError],
) -> str:
    """The image's proven type (PNG or JPEG). An empty file asks for one; a file over
    `max_bytes`, or declaring a side over `max_side` pixels, raises `too_large`; anything
    else that is not a readable PNG or JPEG raises `refused`: each with its class's message."""
    if not data:
        raise ValidationFailed({"file": _("Please choose a file.")})
    if len(data) > max_bytes:
        raise too_large(_(too_large.message))
    content_type = sniff(data)
    size = image_size(data)
    if content_type not in IMAGE_TYPES or size is None or min(size) < 1:
        raise refused(_(refused.message))
    if max(size) > max_side:
        raise too_large(_(too_large.message))
    return content_type
