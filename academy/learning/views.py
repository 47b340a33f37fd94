"""The learner's own pages that are not Wagtail pages: My learning, one enrolment's
record, and the glossary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from academy.certificates.models import NameChange
from academy.certificates.services import name_change_request, transcript_create
from academy.core import page_cache
from academy.core.exceptions import ApplicationError, PublicHttp404
from academy.core.page_tree import site_for_request
from academy.courses.selectors import enrollment_get_for_user, glossary_terms
from academy.organisations.selectors import memberships_for_request, user_jurisdiction
from academy.progress.selectors import course_status_for_user

from . import selectors
from .forms import NameChangeForm


@login_required
def dashboard(request):
    """My learning: kept while nothing it shows has changed (core.page_cache)."""
    return page_cache.serve(request, "dashboard", lambda: _dashboard(request))


def _dashboard(request):
    site_for_request(request)  # the links to pages need it: from the page tree
    board = selectors.dashboard(
        user=request.user,
        record=selectors.learner_record(request),
        memberships=memberships_for_request(request),
        request=request,
    )
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
            "jurisdiction": user_jurisdiction(
                user=request.user, memberships=memberships_for_request(request)
            ),
        },
    )


@login_required
def name_change(request):
    """Ask for a new name on every certificate (an administrator approves)."""
    waiting = NameChange.objects.filter(user=request.user, decision="").first()
    last = NameChange.objects.filter(user=request.user).exclude(decision="").first()
    form = NameChangeForm(request.POST or None)
    status = 200
    if request.method == "POST" and waiting is None:
        if form.is_valid():
            try:
                name_change_request(
                    user=request.user,
                    requested_name=form.cleaned_data["requested_name"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as error:
                form.add_error("requested_name", error.message)
            else:
                messages.success(
                    request,
                    _("Sent. An administrator will answer; we will write to you."),
                )
                return redirect("name_change")
        status = 400
    return render(
        request,
        "courses/name_change.html",
        {"form": form, "waiting": waiting, "last": last},
        status=status,
    )


@login_required
def transcript_pdf(request):
    """The learner's transcript, made now (or the last one, if nothing changed)."""
    transcript = transcript_create(user=request.user)
    return FileResponse(
        transcript.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"transcript-{transcript.code}.pdf",
    )
