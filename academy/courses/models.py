from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from academy.core import page_views
from academy.core.choices import Audience
from academy.core.models import TimeStampedModel
from academy.core.page_tree import TreeRestrictionsMixin

from .blocks import LessonStreamBlock, SourceBlock


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _learning():
    """The learning layer builds these pages' context and answers their routes; it
    sits above this app and registers its handlers (core.page_views)."""
    return page_views.learner_pages()


class CourseIndexPage(TreeRestrictionsMixin, Page):
    """The catalogue: every published course, filterable by audience."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(_learning().catalogue_context(request=request))
        return context


class CoursePage(TreeRestrictionsMixin, RoutablePageMixin, Page):
    """A course: its promise, its numbers and its modules (the child pages)."""

    content_key = models.SlugField(
        max_length=100,
        blank=True,
        help_text=_("Stable key from content/; never change it once published."),
    )
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the content/ source last loaded into this page.",
    )
    summary = models.TextField(blank=True)
    outcomes = models.TextField(
        blank=True, help_text=_("Learning outcomes, one per line.")
    )
    estimated_minutes = models.PositiveIntegerField(default=60)
    contact_hours = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    validity_months = models.PositiveSmallIntegerField(
        default=24, help_text=_("How long a certificate stays valid, in months.")
    )
    version_label = models.CharField(max_length=32, default="1.0")
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        blank=True,
        related_name="required_by",
        help_text=_(
            "A valid certificate of each of these courses is needed before this "
            "course's certifying assessment opens. Enrolling and reading stay open."
        ),
    )
    renews = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refreshers",
        help_text=_("For a refresher: the course whose certificate it renews."),
    )
    review_record = models.JSONField(
        default=list,
        blank=True,
        help_text="Expert reviews done and pending (content/<course>/review/).",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("outcomes"),
        InlinePanel("audience_links", label=_("Audiences")),
        MultiFieldPanel(
            [
                FieldPanel("estimated_minutes"),
                FieldPanel("contact_hours"),
                FieldPanel("validity_months"),
                FieldPanel("version_label"),
            ],
            heading=_("Numbers"),
        ),
        FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
        FieldPanel("renews"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("content_key")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage", "assessments.AssessmentPage"]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_key"],
                condition=~Q(content_key=""),
                name="courses_coursepage_content_key_unique",
            )
        ]

    @property
    def outcome_list(self) -> list[str]:
        return lines(self.outcomes)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(_learning().course_context(request=request, course=self))
        return context

    @path("enrol/", name="enrol")
    def enrol(self, request):
        return _learning().course_enrol(request, course=self)


class CourseAudience(Orderable):
    """One row per audience a course is written for."""

    course = ParentalKey(
        CoursePage, on_delete=models.CASCADE, related_name="audience_links"
    )
    audience = models.CharField(max_length=16, choices=Audience.choices)

    panels = [FieldPanel("audience")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["course", "audience"], name="courses_courseaudience_unique"
            )
        ]


class ModulePage(TreeRestrictionsMixin, RoutablePageMixin, Page):
    """One module of a course: objectives and a lesson made of blocks."""

    content_key = models.SlugField(
        max_length=100,
        blank=True,
        help_text=_("Stable key from content/; never change it once published."),
    )
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the content/ source last loaded into this page.",
    )
    summary = models.TextField(blank=True)
    objectives = models.TextField(
        blank=True, help_text=_("What the learner will be able to do, one per line.")
    )
    body = StreamField(LessonStreamBlock(), blank=True)
    estimated_minutes = models.PositiveIntegerField(default=30)
    sources = StreamField([("source", SourceBlock())], blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("objectives"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
        FieldPanel("sources"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("content_key")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_key"],
                condition=~Q(content_key=""),
                name="courses_modulepage_content_key_unique",
            )
        ]

    @property
    def objective_list(self) -> list[str]:
        return lines(self.objectives)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(_learning().module_context(request=request, module=self))
        return context

    def serve(self, request, view=None, args=None, kwargs=None):
        if view is None or view.__name__ == "index_route":
            _learning().module_opened(request, module=self)
        return super().serve(request, view, args, kwargs)

    @path("complete/", name="complete")
    def complete(self, request):
        return _learning().module_complete(request, module=self)

    @path("check/<slug:key>/", name="check")
    def knowledge_check(self, request, key):
        return _learning().knowledge_check_answer(request, module=self, key=key)


class Enrollment(TimeStampedModel):
    """One row per learner, course and cycle (a renewal opens cycle 2, 3, …)."""

    class Origin(models.TextChoices):
        SELF = "self", _("Enrolled themselves")
        ASSIGNMENT = "assignment", _("Assigned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="enrollments"
    )
    cycle = models.PositiveSmallIntegerField(default=1)
    origin = models.CharField(
        max_length=16, choices=Origin.choices, default=Origin.SELF
    )
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When every module was first done.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "cycle"],
                name="courses_enrollment_unique_cycle",
            ),
            models.CheckConstraint(
                condition=Q(cycle__gte=1), name="courses_enrollment_cycle_positive"
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True)
                | Q(completed_at__gte=models.F("started_at")),
                name="courses_enrollment_completed_after_start",
            ),
        ]
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.user} in {self.course} (cycle {self.cycle})"


class ModuleProgress(TimeStampedModel):
    """One row per enrolment per module: when it was first opened, last read, done."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(
        ModulePage, on_delete=models.PROTECT, related_name="progress"
    )
    started_at = models.DateTimeField()
    last_viewed_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "module"], name="courses_moduleprogress_unique"
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True)
                | Q(completed_at__gte=models.F("started_at")),
                name="courses_moduleprogress_completed_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment} / {self.module}"


class GlossaryTerm(models.Model):
    """One legal or clinical term, defined in every language; where the law differs,
    the meaning in each jurisdiction. Lessons link a term where it first appears."""

    key = models.SlugField(max_length=100, unique=True)
    term = models.CharField(max_length=200)
    definition = models.TextField()
    us = models.TextField(blank=True, verbose_name=_("United States"))
    coe_eu = models.TextField(blank=True, verbose_name=_("Council of Europe and EU"))
    intl = models.TextField(blank=True, verbose_name=_("Elsewhere (international law)"))

    panels = [
        FieldPanel("key"),
        FieldPanel("term"),
        FieldPanel("definition"),
        MultiFieldPanel(
            [FieldPanel("us"), FieldPanel("coe_eu"), FieldPanel("intl")],
            heading=_("Where the meaning differs by jurisdiction"),
        ),
    ]

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.term
