"""Thin views for taking an assessment. Each checks who is asking, calls a service
or a selector, and answers; a refused move gets its own status and a plain message."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from wagtail.contrib.routable_page.templatetags.wagtailroutablepage_tags import (
    routablepageurl,
)

from academy.core.exceptions import ApplicationError
from academy.core.views import client_address

from . import selectors, services


def _url(request, assessment, name, *args):
    return routablepageurl({"request": request}, assessment, name, *args)


def _problem(request, assessment, error: ApplicationError, attempt=None):
    return render(
        request,
        "assessments/problem.html",
        {"page": assessment, "message": error.message, "attempt": attempt},
        status=error.status,
    )


def _attempt_or_404(request, assessment, number):
    attempt = selectors.attempt_get_for_user(
        user=request.user, assessment=assessment, number=number
    )
    if attempt is None:
        raise Http404(_("There is no such attempt among yours."))
    return attempt


def attempt_start(request, *, assessment):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], _("Use the button on the page."))
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


def attempt_take(request, *, assessment, number):
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    attempt = _attempt_or_404(request, assessment, number)
    if attempt.is_submitted or services.attempt_expire_if_due(attempt_id=attempt.pk):
        return redirect(_url(request, assessment, "result", number))
    position = selectors.attempt_position(attempt=attempt)
    if position["mode"] == "done":  # every item answered; grade on the next continue
        return redirect(_url(request, assessment, "result", number))
    return render(
        request,
        "assessments/attempt.html",
        {"page": assessment, "attempt": attempt, **position},
    )


def attempt_answer(request, *, assessment, number):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], _("Use the button on the page."))
    if not request.user.is_authenticated:
        return redirect_to_login(assessment.url)
    attempt = _attempt_or_404(request, assessment, number)
    try:
        services.attempt_answer_record(
            attempt_id=attempt.pk,
            user=request.user,
            item_key=request.POST.get("item", ""),
            answer=[v for v in request.POST.getlist("answer") if v],
        )
    except ApplicationError as error:
        return _problem(request, assessment, error, attempt)
    return redirect(_url(request, assessment, "attempt", number))


def attempt_continue(request, *, assessment, number):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], _("Use the button on the page."))
    if not request.user.is_authenticated:
        return redirect_to_login(assessment.url)
    attempt = _attempt_or_404(request, assessment, number)
    try:
        attempt = services.attempt_continue(
            attempt_id=attempt.pk,
            user=request.user,
            item_key=request.POST.get("item", ""),
            client_address=client_address(request),
        )
    except ApplicationError as error:
        return _problem(request, assessment, error, attempt)
    name = "result" if attempt.is_submitted else "attempt"
    return redirect(_url(request, assessment, name, number))


def attempt_result(request, *, assessment, number):
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    attempt = _attempt_or_404(request, assessment, number)
    if not attempt.is_submitted:
        return redirect(_url(request, assessment, "attempt", number))
    return render(
        request,
        "assessments/result.html",
        {
            "page": assessment,
            "attempt": attempt,
            "eligibility": selectors.assessment_eligibility(
                user=request.user, assessment=assessment
            ),
            **selectors.attempt_result(attempt=attempt),
        },
    )


def attempt_remediation(request, *, assessment, number):
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    attempt = _attempt_or_404(request, assessment, number)
    if not attempt.is_submitted or not attempt.had_critical:
        raise Http404(_("This attempt has no note to read."))
    services.attempt_remediation_view(attempt_id=attempt.pk, user=request.user)
    result = selectors.attempt_result(attempt=attempt)
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
