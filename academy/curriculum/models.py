from django.db import models

from academy.core.models import TimeStampedModel


class SourceDigest(TimeStampedModel):
    """One row per part of content/ the loader has loaded (a module, a course's
    assessment, the glossary, a standard; digests.py names them): the digest of
    the files it was last loaded from. A later load passes over a part whose files
    still have this digest, without reading, checking or writing it again."""

    unit = models.CharField(
        max_length=255, unique=True, help_text="e.g. foundations/f1-what-it-is"
    )
    digest = models.CharField(max_length=64, help_text="SHA-256, see digests.py")
    # The page the part made: the row goes with it, so a deleted page is made again.
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # What the load report calls what the part made ("module f1-what-it-is", …),
    # so a part passed over is still counted as unchanged.
    labels = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.unit
