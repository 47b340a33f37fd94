"""What an evidence file may be: a PDF, a PNG or a JPEG of at most 10 MB, known by
its content, never by its name or the type the browser claims. No library checks
"is this upload really a PDF or an image" for us in one call: python-magic needs
libmagic, and the file signatures of these three formats are short and fixed, so
we read them here and let Pillow (already installed, through Wagtail) open images
fully before we keep them."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from academy.core.exceptions import ApplicationError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_CRITERION = 10
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


class EvidenceRefused(ApplicationError):
    status = 400


def evidence_type(data: bytes) -> str:
    """The content type of an acceptable evidence file, or EvidenceRefused saying
    why it is not one."""
    if len(data) > MAX_BYTES:
        raise EvidenceRefused(
            _("That file is larger than 10 MB. Send a smaller copy or a few pages.")
        )
    if not data:
        raise EvidenceRefused(_("That file is empty."))
    kind = next((t for sig, t in SIGNATURES.items() if data.startswith(sig)), None)
    if kind is None:
        raise EvidenceRefused(
            _("Evidence must be a PDF or an image (PNG or JPEG); this file is neither.")
        )
    if kind == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise EvidenceRefused(_("That PDF is incomplete or damaged."))
        return kind
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise EvidenceRefused(
            _("That image is damaged or not really an image.")
        ) from None
    return kind
