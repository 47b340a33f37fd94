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
        return self.filter(
            revoked_at__isnull=True, valid_from__lte=at, expires_at__gt=at
        )


class Certificate(TimeStampedModel):
    """One certificate per learner, course and enrolment cycle. It keeps what was
    true when it was issued, so it survives the course being edited or retired;
    its status (valid, expired, revoked) is computed when read."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        NOT_YET = "not_yet", _("Not yet valid")
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
    # A renewal earned before the old certificate ran out is valid from its expiry.
    valid_from = models.DateTimeField()
    expires_at = models.DateTimeField()
    renews = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_by",
        help_text="The certificate of the previous cycle this one renews.",
    )
    revision = models.PositiveSmallIntegerField(
        default=1, help_text="1, then 2, 3… each time it is re-issued (a new name)."
    )
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
    # What the certificate attests, as it stood when it was issued (the credential's
    # criteria and alignment are written from it): the pass marks and how much was
    # drawn, and the prerequisite certificates the holder had, e.g.
    # {"scenario_pass_percent": 75, "knowledge_pass_percent": 80, "questions": 15,
    #  "scenarios": 2, "prerequisites": [{"key", "title", "version", "code"}]}.
    requirements = models.JSONField(default=dict, blank=True)
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
                condition=Q(expires_at__gt=models.F("valid_from")),
                name="certificates_expires_after_start",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificates_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.holder_name} · {self.course_title}"

    def save(self, *args, **kwargs):
        if self.valid_from is None:  # a first certificate is valid once issued
            self.valid_from = self.issued_at
        super().save(*args, **kwargs)

    def status_at(self, at=None) -> str:
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return self.Status.REVOKED
        if self.expires_at <= at:
            return self.Status.EXPIRED
        if self.valid_from > at:
            return self.Status.NOT_YET
        return self.Status.VALID

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def status_list(self) -> int:
        return self.status_index // STATUS_LIST_SIZE

    @property
    def status_list_position(self) -> int:
        return self.status_index % STATUS_LIST_SIZE


def revision_path(instance, filename: str) -> str:
    return f"certificates/history/{filename}"


class CertificateRevision(models.Model):
    """What a certificate said before it was re-issued: the earlier PDF is kept
    here, no longer offered, and still recognised if someone uploads it."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="revisions"
    )
    revision = models.PositiveSmallIntegerField()
    holder_name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=255)
    pdf = models.FileField(upload_to=revision_path, storage=private_storage, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["certificate", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "revision"], name="certificates_revision_once"
            )
        ]


class NameChange(models.Model):
    """A learner asks for a new name on their certificates; an academy administrator
    approves (every certificate is re-issued under the new name) or declines."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="name_changes"
    )
    current_name = models.CharField(max_length=200)
    requested_name = models.CharField(max_length=200)
    note = models.TextField(max_length=1000, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(blank=True, help_text="Why it was decided so (audited).")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(decision=""),
                name="certificates_one_open_name_change",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(reason=""),
                name="certificates_name_change_decided_with_reason",
            ),
        ]


class ExpiryNotice(models.Model):
    """A notice sent to the holder before their certificate expires (90, 30, 7
    days, and 0: on the day): once each."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="expiry_notices"
    )
    days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days"], name="certificates_expiry_notice_once"
            )
        ]


class Transcript(models.Model):
    """A learner's record of every course, cycle, result and certificate, as it
    stood when generated; checked at /verify/<code>/ like a certificate."""

    code = models.CharField(max_length=21, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transcripts"
    )
    holder_name = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    entries = models.JSONField(default=list)
    entries_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(
        upload_to="transcripts/", storage=private_storage, blank=True
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]


class CredentialSlot(models.Model):
    """One row for every credential the academy issues, of either kind: a person's
    certificate or an organisation's. Its code and its place in the status lists are
    unique across both (one code space, one set of revocation lists), and the
    database says so: a credential is issued by first taking its slot."""

    class Kind(models.TextChoices):
        PERSON = "person", _("A person's certificate")
        ORGANISATION = "organisation", _("An organisation's certificate")
        TRANSCRIPT = "transcript", _("A transcript")

    code = models.CharField(max_length=21, unique=True)
    # A transcript is checked by its code but is not revocable: no status index.
    status_index = models.PositiveIntegerField(unique=True, null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.code} ({self.kind})"


class OrganisationCertificateQuerySet(models.QuerySet):
    def valid(self, *, at=None):
        at = at or timezone.now()
        return self.filter(
            revoked_at__isnull=True,
            valid_from__lte=at,
            expires_at__gt=at,
            attested_until__gt=at,
        )


class OrganisationCertificate(TimeStampedModel):
    """An organisation's certificate against a standard (the "Trauma-informed
    workplace"): issued when assessors approve its self-assessment, valid 24 months
    as long as a senior manager attests each year that nothing material changed.
    Like a person's certificate it keeps what was true when it was issued; it holds
    nothing of the evidence, which never leaves the workplace review."""

    class Level(models.TextChoices):
        CERTIFIED = "certified", _("Certified")
        DISTINCTION = "distinction", _("Certified with distinction")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        NOT_YET = "not_yet", _("Not yet valid")
        LAPSED = "lapsed", _("Lapsed: the annual attestation was not made")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    code = models.CharField(max_length=21, unique=True)
    status_index = models.PositiveIntegerField(unique=True)
    # Who holds it, as given by the certifying app (certificates knows no
    # organisation model): a stable opaque reference and the name at issue.
    holder_ref = models.CharField(max_length=64)
    holder_name = models.CharField(max_length=200)
    holder_place = models.CharField(max_length=200, blank=True)
    standard_key = models.CharField(max_length=100)
    standard_title = models.CharField(max_length=255)
    standard_version = models.CharField(max_length=32)
    level = models.CharField(max_length=16, choices=Level.choices)
    domains_met = models.JSONField(
        default=list, help_text='[{"key", "title"}] in the language of the certificate.'
    )
    language = models.CharField(max_length=8)
    issued_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    expires_at = models.DateTimeField()
    attested_until = models.DateTimeField(
        help_text="The annual attestation is due by then; moved on by each one."
    )
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
        upload_to="organisation-certificates/", storage=private_storage, blank=True
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)

    objects = OrganisationCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("valid_from")),
                name="certificates_org_expires_after_start",
            ),
            models.CheckConstraint(
                condition=Q(attested_until__lte=models.F("expires_at")),
                name="certificates_org_attested_within_validity",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="certificates_org_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.holder_name} · {self.get_level_display()}"

    def status_at(self, at=None) -> str:
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return self.Status.REVOKED
        if self.expires_at <= at:
            return self.Status.EXPIRED
        if self.valid_from > at:
            return self.Status.NOT_YET
        if self.attested_until <= at:
            return self.Status.LAPSED
        return self.Status.VALID

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def valid_until(self):
        """What a verifier is told: the attestation date, or the expiry if sooner."""
        return min(self.expires_at, self.attested_until)

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
