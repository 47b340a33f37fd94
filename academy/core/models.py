import zoneinfo

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from . import content_cache
from .choices import Jurisdiction, WorkRole
from .page_tree import TreeRestrictionsMixin


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def time_zone_choices() -> list[tuple[str, str]]:
    return [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):  # the whole address, not just the domain
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=(username or "").strip())

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        extra.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One row per person who signs in: learners, coordinators, editors, admins."""

    email = models.EmailField(_("email address"), max_length=254)
    full_name = models.CharField(
        _("full name"),
        max_length=200,
        help_text=_("As it should be printed on your certificates, in any script."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=8,
        choices=Jurisdiction.choices,
        blank=True,
        help_text=_("Which law applies where you work. Empty: your organisation's."),
    )
    work_role = models.CharField(
        _("your work"),
        max_length=16,
        choices=WorkRole.choices,
        blank=True,
        help_text=_(
            "Which work you do: the assessment plays a scenario written for it, and "
            "the catalogue shows its courses first."
        ),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    reminder_emails = models.BooleanField(
        _("reminder emails"),
        default=True,
        help_text=_(
            "Reminders before a due date. Overdue mandatory training is "
            "always notified."
        ),
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="core_user_email_ci_unique",
                violation_error_message=_("An account with this email already exists."),
            )
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    # Wagtail's admin shows these names.
    @property
    def first_name(self):
        return self.full_name

    @property
    def last_name(self):
        return ""


class AuditEvent(models.Model):
    """One row per change worth answering for later; append-only."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=64, db_index=True)  # e.g. "user.register"
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted.")


class HomePage(TreeRestrictionsMixin, Page):
    """The site's root page in every language: what this is, and the way in."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The catalogue is the home page's one child type (subpage_types): what a
        # publish makes, so kept in the shared cache until the next one.
        context["catalogue"] = content_cache.entry(
            f"academy:home-catalogue:{self.pk}",
            lambda: self.get_children().live().first(),
        )
        return context


class RateCounter(models.Model):
    """How many times something happened in one time window (rate limits). Shared by
    every app server through the database, and counted atomically: the row is
    locked while it is incremented (core.ratelimit)."""

    key = models.CharField(max_length=200)  # e.g. "verify:203.0.113.7"
    window = models.BigIntegerField()  # the window's start, in epoch seconds
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="core_rate_once")
        ]
        indexes = [models.Index(fields=["window"], name="core_rate_window")]
