"""The learner's own pages that are not Wagtail pages: My learning, one enrolment's
record, and the glossary."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from academy.core.exceptions import PublicHttp404
from academy.courses.selectors import enrollment_get_for_user, glossary_terms
from academy.organisations.selectors import user_jurisdiction
from academy.progress.selectors import course_status_for_user

from . import selectors


@login_required
def dashboard(request):
    board = selectors.dashboard(user=request.user)
    return render(
        request,
        "courses/dashboard.html",
        {
            "duties": board.duties,
            "rows": board.rows,
            "suggestions": board.suggestions,
            "invitations": board.invitations,
            "missing": board.missing,
            "renewals": board.renewals,
        },
    )


@login_required
def enrollment_detail(request, enrollment_id: int):
    enrollment = enrollment_get_for_user(user=request.user, enrollment_id=enrollment_id)
    if enrollment is None:
        raise PublicHttp404(_("No such record among yours."))
    status = course_status_for_user(user=request.user, course=enrollment.course)
    return render(
        request,
        "courses/enrollment_detail.html",
        {"enrollment": enrollment, "status": status},
    )


def glossary(request):
    return render(
        request,
        "courses/glossary.html",
        {
            "terms": glossary_terms(),
            "jurisdiction": user_jurisdiction(user=request.user),
        },
    )
