"""Optional photos on a case: checked by content (not by name), size-limited, never required."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fuhe.cases.models import Case, CasePhoto

SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"RIFF": "image/webp"}


def _sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature) and (content_type != "image/webp" or head[8:12] == b"WEBP"):
            return content_type
    return None


def photos_validate(files: Sequence) -> list[tuple[object, str]]:
    """Return (file, content type) pairs, or raise ValidationError naming the field and the file."""
    if len(files) > settings.FUHE_MAX_PHOTOS:
        raise ValidationError({"photos": _("at most %(count)s photos") % {"count": settings.FUHE_MAX_PHOTOS}})
    checked = []
    for upload in files:
        if upload.size > settings.FUHE_MAX_PHOTO_BYTES:
            raise ValidationError(
                {
                    "photos": _("%(name)s: larger than %(size)s MB")
                    % {"name": upload.name, "size": settings.FUHE_MAX_PHOTO_BYTES // 2**20}
                }
            )
        head = upload.read(16)
        upload.seek(0)
        content_type = _sniff(head)
        if content_type is None:
            raise ValidationError({"photos": _("%(name)s: not a JPEG, PNG or WebP image") % {"name": upload.name}})
        checked.append((upload, content_type))
    return checked


def photos_attach(*, case: Case, checked: list[tuple[object, str]]) -> list[CasePhoto]:
    return [
        CasePhoto.objects.create(case=case, image=upload, content_type=content_type) for upload, content_type in checked
    ]
