import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.core.choices import Jurisdiction
from academy.core.models import TimeStampedModel
from academy.core.storage import private_storage


def _default_reminder_days() -> list[int]:
    return [7, 1]


def validate_reminder_days(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 90 for d in value
    ):
        raise ValidationError(_("List whole days before the due date, from 1 to 90."))


class Sector(models.TextChoices):
    """What an employer does (the public register of certified employers filters
    by it)."""

    AGRICULTURE = "agriculture", _("Agriculture and food production")
    CARE = "care", _("Care and health")
    CLEANING = "cleaning", _("Cleaning and facilities")
    CONSTRUCTION = "construction", _("Construction")
    HOSPITALITY = "hospitality", _("Hospitality and food service")
    LOGISTICS = "logistics", _("Logistics and warehousing")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    OFFICE = "office", _("Office and professional services")
    PUBLIC = "public", _("Public sector and non-profit")
    RETAIL = "retail", _("Retail")
    OTHER = "other", _("Other")


class Organisation(TimeStampedModel):
    """An agency or employer whose people train here."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        PROSECUTION = "prosecution", _("Prosecution")
        BORDER = "border", _("Border and immigration")
        JUDICIARY = "judiciary", _("Judiciary")
        EMPLOYER = "employer", _("Employer")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=8, choices=Jurisdiction.choices
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Due dates fall at the end of the day in this time zone."),
    )
    reminder_days = models.JSONField(
        _("reminders before the due date"),
        default=_default_reminder_days,
        validators=[validate_reminder_days],
        help_text=_("Days before, e.g. [7, 1]."),
    )
    weekly_digest = models.BooleanField(
        _("weekly digest for coordinators"), default=True
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    sector = models.CharField(
        _("sector"), max_length=32, choices=Sector.choices, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": _("Choose a time zone from the list.")})


class Cohort(TimeStampedModel):
    """A named group of people inside one organisation (a shift, a unit, an intake)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="organisations_cohort_unique_name"
            )
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def current(self):
        """Members who agreed to belong and were not removed: only these people's
        training reaches the organisation."""
        return self.filter(
            accepted_at__isnull=False, removed_at__isnull=True, declined_at__isnull=True
        )

    def pending(self):
        """Added by a coordinator, not yet accepted: name and email only."""
        return self.filter(
            accepted_at__isnull=True, removed_at__isnull=True, declined_at__isnull=True
        )

    def coordinators(self):
        return self.current().filter(role=Membership.Role.COORDINATOR)


class Membership(TimeStampedModel):
    """One row per person per organisation they belong to, with their role there.

    A coordinator's adding someone makes a pending membership; the person accepts
    (`accepted_at`) or declines (`declined_at`), and until they accept the
    organisation sees their name and email only. Removing someone stamps
    `removed_at`: their training records stay theirs."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        COORDINATOR = "coordinator", _("Training coordinator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.LEARNER
    )
    is_manager = models.BooleanField(
        _("designated manager"),
        default=False,
        help_text=_("For employers: one of the managers whose training counts."),
    )
    supervises_partnership_hire = models.BooleanField(
        _("supervises a partnership hire"),
        default=False,
        help_text=_(
            "For employers: supervises someone hired through a survivor-employment "
            "partnership (they need a valid Foundations certificate). Says nothing "
            "about who that person is."
        ),
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person agreed to belong; empty while the invitation waits.",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    @property
    def is_current(self) -> bool:
        return (
            self.accepted_at is not None
            and self.removed_at is None
            and self.declined_at is None
        )

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.removed_at is None
            and self.declined_at is None
        )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisations_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
                name="organisations_membership_accepted_or_declined",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"


class Invitation(TimeStampedModel):
    """A single-use, expiring link for a person a coordinator added: a new account
    sets its password with it ("account"); an existing account accepts or declines
    joining the organisation ("membership"). Only a hash of the token is stored."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Choose a password and join")
        MEMBERSHIP = "membership", _("Accept or decline joining")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ACCOUNT)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="organisations_invitation_accepted_or_withdrawn",
            ),
            models.CheckConstraint(
                condition=Q(declined_at__isnull=True)
                | (Q(accepted_at__isnull=True) & Q(withdrawn_at__isnull=True)),
                name="organisations_invitation_declined_alone",
            ),
        ]

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.withdrawn_at is None
            and self.expires_at > timezone.now()
        )


class Assignment(TimeStampedModel):
    """A course an organisation requires: of a cohort (everyone in it, including
    people who join later) or of one person; due on a date, or N days after the
    person joined; optionally again every N months (a refresher)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assignments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="assignments"
    )
    cohort = models.ForeignKey(
        Cohort,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    due_on = models.DateField(null=True, blank=True)
    due_days_after_joining = models.PositiveSmallIntegerField(null=True, blank=True)
    recurrence_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Due again this many months after passing.")
    )
    mandatory = models.BooleanField(default=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(cohort__isnull=False, user__isnull=True)
                    | Q(cohort__isnull=True, user__isnull=False)
                ),
                name="organisations_assignment_cohort_or_person",
            ),
            models.CheckConstraint(
                condition=(
                    Q(due_on__isnull=False, due_days_after_joining__isnull=True)
                    | Q(due_on__isnull=True, due_days_after_joining__isnull=False)
                ),
                name="organisations_assignment_one_due_rule",
            ),
        ]

    def __str__(self):
        return f"{self.course} → {self.cohort or self.user}"


class DueExtension(models.Model):
    """A later due date for one person on one assignment (the latest one counts)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="extensions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    due_on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]


class Exemption(models.Model):
    """Prior learning or an exemption for one person and course, with its reason."""

    class Kind(models.TextChoices):
        PRIOR_LEARNING = "prior_learning", _("Prior learning")
        EXEMPTION = "exemption", _("Exemption")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="exemptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exemptions"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "course"],
                name="organisations_exemption_unique",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="organisations_exemption_has_reason"
            ),
        ]


class ReminderSent(models.Model):
    """One row per reminder sent: the unique key makes each one go out once, however
    often (or concurrently) the reminder command runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200, help_text="e.g. due:<assignment>:<date>:7")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="organisations_reminder_once"
            )
        ]


class ImportJob(models.Model):
    """A large people import, run by the task worker; its status page reads this."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    rows = models.JSONField(
        default=list,
        blank=True,
        help_text="The checked rows to import; emptied once the job has run.",
    )
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    result = models.JSONField(default=dict, blank=True)  # counts and errors only
    finished_at = models.DateTimeField(null=True, blank=True)


class ExportJob(models.Model):
    """A ZIP of certificates too large to stream at once (over 500), made by the task
    worker into private storage; its status page offers the file to its coordinator."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="export_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    certificate_ids = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(upload_to="exports/", storage=private_storage, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
