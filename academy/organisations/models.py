from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from academy.core.models import Jurisdiction, TimeStampedModel


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

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(TimeStampedModel):
    """One row per person per organisation they belong to, with their role there."""

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

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisations_membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"
