from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.core.models import TimeStampedModel
from academy.core.storage import private_storage

STATUS_LIST_SIZE = 131_072  # entries per Bitstring Status List (the spec's minimum)


class CertificateQuerySet(models.QuerySet):
    def valid(self, *, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at)


class Certificate(TimeStampedModel):
    """One certificate per learner, course and enrolment cycle. It keeps what was
    true when it was issued, so it survives the course being edited or retired;
    its status (valid, expired, revoked) is computed when read."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    code = models.CharField(
        max_length=21, unique=True, help_text="XXXX-XXXX-XXXX-XXXX-C"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(
        "courses.CoursePage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="certificates"
    )
    cycle = models.PositiveSmallIntegerField()
    # As issued: never recomputed from the course or the person.
    holder_name = models.CharField(max_length=200)
    course_key = models.CharField(max_length=100)
    course_title = models.CharField(max_length=255)
    course_version = models.CharField(max_length=32)
    contact_hours = models.DecimalField(max_digits=5, decimal_places=2)
    language = models.CharField(max_length=8)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pdf = models.FileField(
        upload_to="certificates/", storage=private_storage, blank=True
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status_index = models.PositiveIntegerField(
        unique=True, help_text="Position in the revocation status lists (random)."
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"], name="certificates_one_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")),
                name="certificates_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificates_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.holder_name} · {self.course_title}"

    def status_at(self, at=None) -> str:
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return self.Status.REVOKED
        if self.expires_at <= at:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_list(self) -> int:
        return self.status_index // STATUS_LIST_SIZE

    @property
    def status_list_position(self) -> int:
        return self.status_index % STATUS_LIST_SIZE


class SigningKey(models.Model):
    """One generation of the keys the academy signs credentials with: an RSA key for
    the VC-JWT and an Ed25519 key for the embedded Data Integrity proof. Their
    private halves live in files (see README: keys); the public halves are published
    in the issuer's DID document, and stay published after the generation is retired
    so older credentials still verify."""

    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    ed25519_public = models.CharField(
        max_length=64,
        blank=True,
        help_text="The Ed25519 public key as a Multikey (multibase base58btc, "
        "'z6Mk…'); empty for a generation made before Data Integrity proofs.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="certificates_one_active_key",
            )
        ]

    def __str__(self):
        return self.kid
