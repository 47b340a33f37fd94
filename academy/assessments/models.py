"""Assessments: the definition is content (pages with clusterable children, only the
text translated); an attempt is data (rows added, never rewritten once submitted)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page

from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter
from academy.core import page_views
from academy.core.choices import Comparison, Grade, Mistake, QuestionJurisdiction
from academy.core.models import TimeStampedModel
from academy.core.page_tree import TreeRestrictionsMixin

from .forms import AssessmentPageForm, ScenarioPageForm

KEY_HELP = _("Stable key: lower-case letters, digits and hyphens. Never change it.")


def _learning():
    """The learning layer builds these pages' context and answers their routes; it
    sits above this app and registers its handlers (core.page_views)."""
    return page_views.learner_pages()


def _children_without_deleted(content: dict, relation: str, model):
    """Clear primary keys of children that no longer exist, so reverting to (or
    publishing) an old revision recreates them instead of failing."""
    rows = content.get(relation) or []
    existing = set(
        model.objects.filter(
            pk__in=[r.get("pk") for r in rows if r.get("pk")]
        ).values_list("pk", flat=True)
    )
    for row in rows:
        if row.get("pk") and row["pk"] not in existing:
            row["pk"] = None
        yield row


class AssessmentPage(TreeRestrictionsMixin, RoutablePageMixin, Page):
    """A course's certifying assessment: a knowledge bank and the scenarios below it.
    One attempt covers every part."""

    content_key = models.SlugField(max_length=100, blank=True, help_text=KEY_HELP)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    intro = models.TextField(blank=True)
    bank_draw = models.PositiveSmallIntegerField(
        default=10, help_text=_("How many bank questions each attempt draws at random.")
    )
    scenario_draw = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Scenarios played per attempt: the learner's own role's first, the rest "
            "drawn from the others. Empty: every scenario."
        ),
    )
    scenario_pass_percent = models.PositiveSmallIntegerField(
        default=75, validators=[MaxValueValidator(100)]
    )
    knowledge_pass_percent = models.PositiveSmallIntegerField(
        default=80, validators=[MaxValueValidator(100)]
    )
    requires_modules = models.BooleanField(
        default=True, help_text=_("Open only once every module of the course is done.")
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)], help_text=_("Per window.")
    )
    attempt_window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1)]
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Empty: no time limit (the default; trauma-informed)."),
    )

    base_form_class = AssessmentPageForm
    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("scenario_pass_percent"),
                        FieldPanel("knowledge_pass_percent"),
                    ]
                ),
                FieldRowPanel(
                    [FieldPanel("attempts_allowed"), FieldPanel("attempt_window_days")]
                ),
                FieldPanel("requires_modules"),
                FieldPanel("time_limit_minutes"),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("dimensions", label=_("Rubric dimensions"), min_num=1),
        FieldRowPanel([FieldPanel("bank_draw"), FieldPanel("scenario_draw")]),
        InlinePanel("questions", label=_("Knowledge bank")),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("content_key")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["assessments.ScenarioPage"]
    max_count_per_parent = 1

    def with_content_json(self, content):
        content = dict(content)
        content["questions"] = list(
            _children_without_deleted(content, "questions", BankQuestion)
        )
        for question in content["questions"]:
            if question.get("pk") is None:
                for option in question.get("options", []):
                    option["pk"] = None
                    option["question"] = None
        return super().with_content_json(content)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(_learning().assessment_context(request=request, assessment=self))
        return context

    @path("start/", name="start")
    def start_route(self, request):
        return _learning().attempt_start(request, assessment=self)

    @path("attempts/<id:number>/", name="attempt")
    def attempt_route(self, request, number):
        return _learning().attempt_take(request, assessment=self, number=number)

    @path("attempts/<id:number>/answer/", name="answer")
    def answer_route(self, request, number):
        return _learning().attempt_answer(request, assessment=self, number=number)

    @path("attempts/<id:number>/continue/", name="continue")
    def continue_route(self, request, number):
        return _learning().attempt_continue(request, assessment=self, number=number)

    @path("attempts/<id:number>/result/", name="result")
    def result_route(self, request, number):
        return _learning().attempt_result(request, assessment=self, number=number)

    @path("attempts/<id:number>/remediation/", name="remediation")
    def remediation_route(self, request, number):
        return _learning().attempt_remediation(request, assessment=self, number=number)


class Dimension(Orderable):
    """A rubric dimension points are given on, e.g. safety."""

    assessment = ParentalKey(
        AssessmentPage, on_delete=models.CASCADE, related_name="dimensions"
    )
    key = models.SlugField(max_length=50, help_text=KEY_HELP)
    label = models.CharField(max_length=100)

    panels = [FieldRowPanel([FieldPanel("key"), FieldPanel("label")])]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "key"], name="assessments_dimension_key"
            )
        ]


class BankQuestion(ClusterableModel, Orderable):
    """One knowledge question; an attempt draws some of them at random."""

    assessment = ParentalKey(
        AssessmentPage, on_delete=models.CASCADE, related_name="questions"
    )
    key = models.SlugField(max_length=100, help_text=KEY_HELP)
    module_key = models.SlugField(
        max_length=100, blank=True, help_text=_("The key of the module it tests.")
    )
    jurisdiction = models.CharField(
        max_length=8,
        choices=QuestionJurisdiction.choices,
        default=QuestionJurisdiction.ALL,
        help_text=_("Whose law it tests; learners draw only their own and 'all'."),
    )
    multiple = models.BooleanField(default=False, help_text=_("Select all that apply."))
    question = models.TextField()

    panels = [
        FieldRowPanel([FieldPanel("key"), FieldPanel("multiple")]),
        FieldRowPanel([FieldPanel("module_key"), FieldPanel("jurisdiction")]),
        FieldPanel("question"),
        InlinePanel("options", label=_("Options"), min_num=2, max_num=6),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "key"], name="assessments_question_key"
            )
        ]

    def __str__(self):
        return self.key


class BankOption(Orderable):
    question = ParentalKey(
        BankQuestion, on_delete=models.CASCADE, related_name="options"
    )
    key = models.SlugField(max_length=20)
    correct = models.BooleanField(default=False)
    mistake = models.CharField(
        max_length=16,
        choices=Mistake.choices,
        blank=True,
        help_text=_("For a wrong option: which mistake it stands for."),
    )
    text = models.CharField(max_length=500)
    rationale = models.TextField()

    panels = [
        FieldRowPanel(
            [FieldPanel("key"), FieldPanel("correct"), FieldPanel("mistake")]
        ),
        FieldPanel("text"),
        FieldPanel("rationale"),
    ]


class ScenarioPage(TreeRestrictionsMixin, Page):
    """A branching scenario: steps with decisions (or routing on points gathered),
    choices leading onwards, and endings. Its structure is the same in every
    language; only the text is translated."""

    content_key = models.SlugField(max_length=100, blank=True, help_text=KEY_HELP)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    roles = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The work roles this scenario is written for."),
    )
    intro = models.TextField(blank=True)
    content_note = models.TextField(
        blank=True, help_text=_("Shown before the scenario when it touches on abuse.")
    )

    base_form_class = ScenarioPageForm
    content_panels = Page.content_panels + [
        FieldPanel("roles"),
        FieldPanel("intro"),
        FieldPanel("content_note"),
        InlinePanel(
            "steps", label=_("Steps (the first is where learners start)"), min_num=1
        ),
        InlinePanel("endings", label=_("Endings"), min_num=1),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("content_key")]
    parent_page_types = ["assessments.AssessmentPage"]
    subpage_types: list[str] = []

    def with_content_json(self, content):
        content = dict(content)
        content["steps"] = list(
            _children_without_deleted(content, "steps", ScenarioStep)
        )
        for step in content["steps"]:
            choices = list(_children_without_deleted(step, "choices", ScenarioChoice))
            if step.get("pk") is None:
                for choice in choices:
                    choice["pk"] = None
                    choice["step"] = None
            step["choices"] = choices
        content["endings"] = list(
            _children_without_deleted(content, "endings", ScenarioEnding)
        )
        return super().with_content_json(content)

    def serve(self, request, *args, **kwargs):
        # Learners take scenarios through the assessment, never on their own.
        return redirect(self.get_parent().specific.url)

    def get_preview_template(self, request, mode_name):
        return "assessments/scenario_preview.html"

    def get_preview_context(self, request, mode_name):
        """Every step as a learner would see it, with each choice's consequence shown
        to the editor."""
        context = super().get_preview_context(request, mode_name)
        context["steps"] = [
            {"step": step, "choices": list(step.choices.all())}
            for step in self.steps.all()
        ]
        context["endings"] = list(self.endings.all())
        return context


class ScenarioStep(ClusterableModel, Orderable):
    """One moment in the scenario: a decision, or a routing point (no choices)."""

    scenario = ParentalKey(ScenarioPage, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(max_length=100, help_text=KEY_HELP)
    narrative = models.TextField(blank=True, help_text=_("Markdown."))
    content_note = models.TextField(blank=True)
    media_url = models.URLField(blank=True, help_text=_("Optional image or video."))
    transcript = models.TextField(blank=True, help_text=_("Required with a video."))
    prompt = models.CharField(max_length=300, blank=True)
    route_dimension = models.SlugField(
        max_length=50,
        blank=True,
        help_text=_("For a routing step: the dimension to test. Empty: a decision."),
    )
    route_comparison = models.CharField(
        max_length=2, choices=Comparison.choices, default=Comparison.LT
    )
    route_value = models.PositiveSmallIntegerField(default=0)
    route_next = models.SlugField(
        max_length=100, blank=True, help_text=_("Where to go when the test is true.")
    )
    route_otherwise = models.SlugField(
        max_length=100, blank=True, help_text=_("Where to go otherwise.")
    )

    panels = [
        FieldPanel("key"),
        FieldPanel("narrative"),
        FieldPanel("content_note"),
        FieldRowPanel([FieldPanel("media_url"), FieldPanel("transcript")]),
        FieldPanel("prompt"),
        InlinePanel("choices", label=_("Choices")),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("route_dimension"),
                        FieldPanel("route_comparison"),
                        FieldPanel("route_value"),
                    ]
                ),
                FieldRowPanel(
                    [FieldPanel("route_next"), FieldPanel("route_otherwise")]
                ),
            ],
            heading=_("Routing on points (instead of choices)"),
        ),
    ]

    class Meta(Orderable.Meta):
        pass

    def __str__(self):
        return self.key


class ScenarioChoice(Orderable):
    step = ParentalKey(ScenarioStep, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(max_length=100, help_text=KEY_HELP)
    next_key = models.SlugField(
        max_length=100, help_text=_("The step or ending it leads to.")
    )
    grade = models.CharField(max_length=12, choices=Grade.choices)
    mistake = models.CharField(
        max_length=16,
        choices=Mistake.choices,
        blank=True,
        help_text=_("For a choice short of best: which mistake it stands for."),
    )
    points = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Points per rubric dimension, e.g. {"safety": 2, "trust": 1}.'),
    )
    text = models.CharField(max_length=500)
    feedback = models.TextField(
        help_text=_("The consequence, and the principle it shows.")
    )
    remediation = models.TextField(
        blank=True, help_text=_("For a critical choice: what to do instead, kindly.")
    )

    panels = [
        FieldRowPanel([FieldPanel("key"), FieldPanel("next_key"), FieldPanel("grade")]),
        FieldRowPanel([FieldPanel("mistake"), FieldPanel("points")]),
        FieldPanel("text"),
        FieldPanel("feedback"),
        FieldPanel("remediation"),
    ]

    def clean(self):
        super().clean()
        if not isinstance(self.points, dict):
            raise ValidationError(
                {"points": _('Write points as {"dimension": number}.')}
            )


class ScenarioEnding(Orderable):
    scenario = ParentalKey(
        ScenarioPage, on_delete=models.CASCADE, related_name="endings"
    )
    key = models.SlugField(max_length=100, help_text=KEY_HELP)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text=_("Markdown."))
    remember = models.TextField(
        blank=True, help_text=_("What to remember, one per line.")
    )

    panels = [
        FieldPanel("key"),
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("remember"),
    ]


class AttemptQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def in_progress(self):
        return self.filter(submitted_at__isnull=True)

    def passed(self):
        return self.filter(passed=True)


class Attempt(TimeStampedModel):
    """One try at an assessment by one learner. The graph, drawn questions, pass rules
    and text in every language are copied in at start; grading reads only the copy."""

    SCHEMA_VERSION = 2  # see types.Snapshot

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    assessment = models.ForeignKey(
        AssessmentPage, on_delete=models.PROTECT, related_name="attempts"
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    declared_own_work_at = models.DateTimeField(
        help_text=_('When the learner confirmed "I am taking this assessment myself".')
    )
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(
        help_text="The assessment as it was at start: types.Snapshot."
    )
    pending_feedback = models.CharField(
        max_length=200,
        blank=True,
        help_text="The item whose feedback the learner has not yet continued past.",
    )
    scores = models.JSONField(default=dict, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    had_critical = models.BooleanField(default=False)
    remediation_viewed_at = models.DateTimeField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "assessment", "number"],
                name="assessments_attempt_number",
            ),
            models.UniqueConstraint(
                fields=["user", "assessment"],
                condition=Q(submitted_at__isnull=True),
                name="assessments_attempt_one_open",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="assessments_attempt_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(passed__isnull=False),
                name="assessments_attempt_submitted_is_graded",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.assessment} · #{self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    # Once submitted, an attempt is history: only the remediation stamp may be added.
    AFTER_SUBMIT_FIELDS = frozenset({"remediation_viewed_at", "updated_at"})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Loaded without `submitted_at` (a partial row, such as the passed attempt
        # the status selectors carry): taken as submitted, so it is never saved as
        # a draft, and without a query to find out.
        instance._submitted_when_loaded = (
            "submitted_at" not in field_names or instance.submitted_at is not None
        )
        return instance

    def save(self, *args, **kwargs):
        if getattr(self, "_submitted_when_loaded", False):
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.AFTER_SUBMIT_FIELDS:
                raise ValueError("A submitted attempt is never changed.")
        super().save(*args, **kwargs)
        self._submitted_when_loaded = self.submitted_at is not None


class AttemptAnswer(models.Model):
    """One row per answered question or scenario step of an attempt."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers"
    )
    item_key = models.CharField(
        max_length=200, help_text='"q:<key>" or "s:<scenario>:<step>"'
    )
    answer = models.JSONField(help_text="The chosen option or choice keys.")
    points = models.JSONField(default=dict, blank=True)
    grade = models.CharField(max_length=12, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "item_key"], name="assessments_answer_once"
            )
        ]


class Accommodation(TimeStampedModel):
    """Extra time for one learner on one timed assessment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="accommodations",
    )
    assessment = models.ForeignKey(
        AssessmentPage, on_delete=models.CASCADE, related_name="accommodations"
    )
    extra_time_percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "assessment"], name="assessments_accommodation_unique"
            )
        ]
