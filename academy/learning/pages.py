"""The learner's side of the course, module and assessment pages: the context each
page renders with, and the routes its RoutablePageMixin answers.

The page models live in lower layers (courses, assessments) and call into this
module through core.page_views, where LearningConfig.ready() registers it. Each
handler checks who is asking, calls a service or a selector, and answers; a refused
move gets its own status and a plain message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.contrib.routable_page.templatetags.wagtailroutablepage_tags import (
    routablepageurl,
)

from academy.assessments.models import AssessmentPage, Attempt
from academy.assessments.selectors import (
    attempt_get_for_user,
    attempt_is_practice,
    attempt_position,
    attempts_for_user,
)
from academy.assessments.selectors import attempt_result as attempt_result_data
from academy.core import content_cache
from academy.core.exceptions import ApplicationError, PublicHttp404
from academy.core.http import client_address
from academy.courses.models import CoursePage, ModulePage
from academy.progress.selectors import course_status_for_user

from . import selectors, services
from .forms import KnowledgeCheckForm
from .selectors import (
    assessment_context,
    catalogue_context,
    course_context,
    module_context,
)

__all__ = [
    "assessment_context",
    "catalogue_context",
    "course_context",
    "module_context",
]


# ---------------------------------------------------------------------------
# Courses and modules.


@require_POST
def course_enrol(request: HttpRequest, *, course: CoursePage) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    try:
        services.course_enrol(user=request.user, course=course)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(course.url)
    status = course_status_for_user(user=request.user, course=course)
    messages.success(request, _("You are enrolled. Take it at your own pace."))
    return redirect(status.next_module.url if status.next_module else course.url)


def module_opened(request: HttpRequest, *, module: ModulePage) -> None:
    """A learner reading a module (not an editor's preview) is noted, from the
    record the page reads anyway (selectors.learner_record): its first opening, and
    when it was last read (courses.services.VIEW_STAMP_INTERVAL)."""
    if not request.user.is_authenticated or getattr(request, "is_preview", False):
        return
    course = selectors.parent_course(module)
    enrollment = selectors.learner_record(request).current.get(course.pk)
    if enrollment is None:
        return
    progress = next(
        (p for p in enrollment.progress_rows if p.module_id == module.pk), None
    )
    stamped = services.module_opened(
        user=request.user, module=module, enrollment=enrollment, progress=progress
    )
    if progress is None and stamped is not None:
        enrollment.progress_rows.append(stamped)  # what a fresh read would show


@require_POST
def module_complete(request: HttpRequest, *, module: ModulePage) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(module.url)
    try:
        services.module_complete(
            user=request.user, module=module, client_address=client_address(request)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(module.url)
    status = course_status_for_user(
        user=request.user, course=selectors.parent_course(module)
    )
    if status.next_module is not None:
        messages.success(request, _("Module done. The next one is ready when you are."))
        return redirect(status.next_module.url)
    messages.success(request, _("You have finished every module in this course."))
    return redirect(status.course.url)


@require_POST
def knowledge_check_answer(
    request: HttpRequest, *, module: ModulePage, key: str
) -> HttpResponse:
    """Keep a practice answer in the session and show every option's rationale."""
    block = next(
        (b for b in module.body if b.block_type == "knowledge_check" and b.id == key),
        None,
    )
    if block is None:
        raise PublicHttp404(_("There is no such practice question on this page."))
    form = KnowledgeCheckForm(
        request.POST,
        options=len(block.value["options"]),
        multiple=block.value["multiple"],
    )
    if not form.is_valid():
        messages.error(request, form.problem())
        return redirect(f"{module.url}#check-{key}")
    store_key = f"kc:{module.pk}"
    answers = dict(request.session.get(store_key, {}))
    answers[key] = form.cleaned_data["option"]
    request.session[store_key] = answers
    return redirect(f"{module.url}#check-{key}")


# ---------------------------------------------------------------------------
# The certifying assessment.


def _url(request: HttpRequest, assessment: AssessmentPage, name: str, *args) -> str:
    return routablepageurl({"request": request}, assessment, name, *args)


def _problem(request, assessment, error: ApplicationError, attempt=None):
    return render(
        request,
        "assessments/problem.html",
        {
            "page": assessment,
            "message": error.message,
            "attempt": attempt,
            "missing_prerequisites": getattr(error, "extra", {}).get("missing", []),
        },
        status=error.status,
    )


def _attempt_or_404(request, assessment, number: int) -> Attempt:
    attempt = attempt_get_for_user(
        user=request.user, assessment=assessment, number=number
    )
    if attempt is None:
        raise PublicHttp404(_("There is no such attempt among yours."))
    return attempt


@require_POST
def attempt_start(request: HttpRequest, *, assessment: AssessmentPage) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(assessment.url)
    try:
        attempt = services.attempt_start(
            user=request.user,
            assessment=assessment,
            declared_own_work=request.POST.get("own_work") == "yes",
        )
    except ApplicationError as error:
        return _problem(request, assessment, error)
    return redirect(_url(request, assessment, "attempt", attempt.number))


def attempt_take(
    request: HttpRequest, *, assessment: AssessmentPage, number: int
) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    attempt = _attempt_or_404(request, assessment, number)
    if attempt.is_submitted or services.attempt_expire_if_due(attempt=attempt):
        return redirect(_url(request, assessment, "result", number))
    position = attempt_position(attempt=attempt)
    if position["mode"] == "done":  # every item answered; grade on the next continue
        return redirect(_url(request, assessment, "result", number))
    return render(
        request,
        "assessments/attempt.html",
        {
            "page": assessment,
            "attempt": attempt,
            "practice": attempt_is_practice(attempt=attempt),
            **position,
        },
    )


@require_POST
def attempt_answer(
    request: HttpRequest, *, assessment: AssessmentPage, number: int
) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(assessment.url)
    attempt = _attempt_or_404(request, assessment, number)
    try:
        services.attempt_answer(
            attempt_id=attempt.pk,
            user=request.user,
            item_key=request.POST.get("item", "")[:200],
            answer=[v[:100] for v in request.POST.getlist("answer")[:10] if v],
            client_address=client_address(request),
        )
    except ApplicationError as error:
        return _problem(request, assessment, error, attempt)
    return redirect(_url(request, assessment, "attempt", number))


@require_POST
def attempt_continue(
    request: HttpRequest, *, assessment: AssessmentPage, number: int
) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(assessment.url)
    attempt = _attempt_or_404(request, assessment, number)
    try:
        attempt = services.attempt_continue(
            attempt_id=attempt.pk,
            user=request.user,
            item_key=request.POST.get("item", "")[:200],
            client_address=client_address(request),
        )
    except ApplicationError as error:
        return _problem(request, assessment, error, attempt)
    name = "result" if attempt.is_submitted else "attempt"
    return redirect(_url(request, assessment, name, number))


def attempt_result(
    request: HttpRequest, *, assessment: AssessmentPage, number: int
) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    # The learner's attempts at this assessment, read once: this one, whether it is
    # practice, and whether another may be started.
    attempts = attempts_for_user(user=request.user, assessment=assessment)
    attempt = next((a for a in attempts if a.number == number), None)
    if attempt is None:
        raise PublicHttp404(_("There is no such attempt among yours."))
    if not attempt.is_submitted:
        return redirect(_url(request, assessment, "attempt", number))
    return render(
        request,
        "assessments/result.html",
        {
            "page": assessment,
            "attempt": attempt,
            "practice": attempt_is_practice(attempt=attempt, attempts=attempts),
            "eligibility": selectors.assessment_eligibility(
                user=request.user,
                assessment=assessment,
                record=selectors.learner_record(request),
                attempts=attempts,
            ),
            "parts_html": _result_parts_html(attempt),
        },
    )


def _result_parts_html(attempt: Attempt) -> str:
    """The parts of a submitted attempt's result (every question and step with its
    feedback), rendered once per language and kept in the shared cache: they are
    made from the attempt's own snapshot, answers and scores, which submission
    fixes once (assessments.services.attempt_submit) and nothing changes after."""
    key = (
        f"academy:result-parts:{attempt.pk}:{attempt.submitted_at.timestamp()}:"
        f"{translation.get_language()}"
    )
    return content_cache.entry(
        key,
        lambda: render_to_string(  # a SafeString, and kept as one
            "assessments/_result_parts.html", attempt_result_data(attempt=attempt)
        ),
    )


def attempt_remediation(
    request: HttpRequest, *, assessment: AssessmentPage, number: int
) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    attempt = _attempt_or_404(request, assessment, number)
    if not attempt.is_submitted or not attempt.had_critical:
        raise PublicHttp404(_("This attempt has no note to read."))
    services.attempt_remediation_view(attempt=attempt, user=request.user)
    result = attempt_result_data(attempt=attempt)
    critical = [
        step
        for part in result["parts"]
        if part["kind"] == "scenario"
        for step in part["path"]
        if step["choice"]["grade"] == "critical"
    ]
    return render(
        request,
        "assessments/remediation.html",
        {"page": assessment, "attempt": attempt, "critical": critical},
    )
