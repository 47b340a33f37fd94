"""Employers certify their practice against the "Trauma-informed workplace" standard:
a self-assessment with evidence, reviewed by the academy's assessors, approved into an
organisation certificate (certificates.OrganisationCertificate).

Every change is kept: answers, reviews, attestations and register consent are rows
appended, never overwritten; removed evidence keeps its row (its file is deleted)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from academy.core.models import TimeStampedModel
from academy.core.storage import private_storage

ASSESSORS_GROUP = "Workplace assessors"


class Standard(models.Model):
    """One version of a standard, loaded from content/standards/<key>/ by
    load_content. Criteria keys never change once published: answers refer to them."""

    key = models.CharField(max_length=100)
    version = models.CharField(max_length=32)
    validity_months = models.PositiveSmallIntegerField(default=24)
    training = models.JSONField(default=dict)
    domains = models.JSONField(default=list)  # [{key, criteria: [{key, required}]}]
    text = models.JSONField(default=dict)  # lang -> {title, summary, intro, domains}
    sources = models.JSONField(default=list, blank=True)
    reviews = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="workplace_standard_version_once"
            )
        ]

    def __str__(self):
        return f"{self.title()} {self.version}"

    def words(self, language: str | None = None) -> dict:
        language = language or translation.get_language() or "en"
        return self.text.get(language[:2]) or self.text.get("en") or {}

    def title(self, language: str | None = None) -> str:
        return self.words(language).get("title") or self.key

    @property
    def criteria(self) -> list[dict]:
        return [c for d in self.domains for c in d["criteria"]]

    @property
    def criterion_keys(self) -> list[str]:
        return [c["key"] for c in self.criteria]

    @property
    def required_keys(self) -> list[str]:
        return [c["key"] for c in self.criteria if c["required"]]

    @property
    def recommended_keys(self) -> list[str]:
        return [c["key"] for c in self.criteria if not c["required"]]


class CertificationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Certification.OPEN)


class Certification(TimeStampedModel):
    """One round of certification of one organisation against one standard version:
    drafted by its managers, submitted, reviewed, returned or approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")

    class Kind(models.TextChoices):
        INITIAL = "initial", _("First certification")
        RENEWAL = "renewal", _("Renewal (full re-review)")

    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="certifications"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(blank=True)
    renews = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.OneToOneField(
        "certificates.OrganisationCertificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certification",
    )

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("review_certification", "Can review workplace certifications")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="workplace_one_open_certification",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(certificate__isnull=False),
                name="workplace_approved_has_certificate",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.standard} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Answer(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_YET = "not_yet", _("Not yet")


class CriterionAnswer(models.Model):
    """One saved answer to one criterion: the latest is current, earlier ones are the
    history."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="answers"
    )
    criterion_key = models.CharField(max_length=100)
    answer = models.CharField(max_length=8, choices=Answer.choices)
    statement = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["certification", "criterion_key", "-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["certification", "criterion_key", "created_at"],
                name="workplace_answer_latest",
            )
        ]


def evidence_path(instance, filename: str) -> str:
    """A random name under the certification's folder: what the organisation called
    the file is kept in the row only. `instance` is the Evidence (or, before it
    exists, its Certification)."""
    certification = getattr(instance, "certification_id", None) or instance.pk
    return f"workplace-evidence/{certification}/{secrets.token_hex(16)}"


class Evidence(models.Model):
    """A file an organisation gave for one criterion: a PDF or an image, at most
    10 MB, checked by its content, stored where no public address reaches it.
    Removing it deletes the file and keeps the row (who, when, what it was)."""

    class Kind(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="evidence"
    )
    criterion_key = models.CharField(max_length=100)
    file = models.FileField(upload_to=evidence_path, storage=private_storage)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=32, choices=Kind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["criterion_key", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__lte=10 * 1024 * 1024), name="workplace_evidence_10mb"
            )
        ]


class CriterionReview(models.Model):
    """An assessor's decision on one criterion: accepted, or more is needed, with a
    comment the organisation sees. The latest counts, while it is newer than the
    organisation's latest change to that criterion."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        MORE = "more", _("More needed")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="reviews"
    )
    criterion_key = models.CharField(max_length=100)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["certification", "criterion_key", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="accepted") | ~Q(comment=""),
                name="workplace_more_needs_a_comment",
            )
        ]


class Attestation(models.Model):
    """A senior manager's yearly statement that nothing material has changed (or
    what has). "Nothing changed" keeps the certificate valid another year at once;
    a reported change waits for an assessor."""

    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="attestations"
    )
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nothing_changed = models.BooleanField()
    changes = models.TextField(max_length=4000, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-made_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nothing_changed=True) | ~Q(changes=""),
                name="workplace_attestation_says_what_changed",
            )
        ]


class RegisterConsent(models.Model):
    """An organisation's choice to appear in the public register of certified
    employers, or to leave it: the latest row counts."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="register_consents",
    )
    listed = models.BooleanField()
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-changed_at", "-pk"]
