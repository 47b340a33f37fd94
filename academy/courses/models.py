from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from academy.core.models import TimeStampedModel

from .blocks import LessonStreamBlock, SourceBlock


class Audience(models.TextChoices):
    POLICE = "police", _("Police and first responders")
    PROSECUTION = "prosecution", _("Prosecutors")
    BORDER = "border", _("Border and immigration officials")
    JUDICIARY = "judiciary", _("Judges and judicial officers")
    EMPLOYER = "employer", _("Employers")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CourseIndexPage(Page):
    """The catalogue: every published course, filterable by audience."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_catalogue

        context = super().get_context(request, *args, **kwargs)
        audience = request.GET.get("audience", "")
        if audience not in Audience.values:
            audience = ""
        context["audience"] = audience
        context["audiences"] = Audience.choices
        context["rows"] = course_catalogue(user=request.user, audience=audience or None)
        return context


class CoursePage(RoutablePageMixin, Page):
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

    @property
    def audience_values(self) -> list[str]:
        return [link.audience for link in self.audience_links.all()]

    def get_context(self, request, *args, **kwargs):
        from academy.assessments.selectors import assessment_for_course

        from .selectors import course_status_for_user

        context = super().get_context(request, *args, **kwargs)
        context["status"] = course_status_for_user(user=request.user, course=self)
        context["assessment"] = assessment_for_course(course=self)
        return context

    @path("enrol/", name="enrol")
    def enrol(self, request):
        from . import views

        return views.course_enrol(request, course=self)


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


class ModulePage(RoutablePageMixin, Page):
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
        from .selectors import module_context

        context = super().get_context(request, *args, **kwargs)
        context.update(module_context(request=request, module=self))
        return context

    def serve(self, request, view=None, args=None, kwargs=None):
        from .services import module_progress_record_view

        if view is None or view.__name__ == "index_route":
            if request.user.is_authenticated and not getattr(
                request, "is_preview", False
            ):
                module_progress_record_view(user=request.user, module=self)
        return super().serve(request, view, args, kwargs)

    @path("complete/", name="complete")
    def complete(self, request):
        from . import views

        return views.module_complete(request, module=self)

    @path("check/<slug:key>/", name="check")
    def knowledge_check(self, request, key):
        from . import views

        return views.knowledge_check_answer(request, module=self, key=key)


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
