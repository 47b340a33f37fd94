"""Coordinator views, and a person's answer to an organisation's invitation.

Each coordinator view is wrapped by `coordinator_view`: a current coordinator
membership is required (403 otherwise), the organisation worked in is one of theirs,
and every person is looked up inside it (404 for anyone else). Input goes through a
form (forms.py); the work is a service's."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.assessments.models import AssessmentPage
from academy.assessments.selectors import attempts_on_courses
from academy.core.exceptions import ApplicationError, PublicHttp404
from academy.core.http import client_address
from academy.core.services import audit_event_record

from . import exports, people, selectors, services
from .exports import certificate_files, zip_stream
from .forms import (
    AssignmentForm,
    ExemptionForm,
    ExtensionForm,
    ExtraTimeForm,
    FilterForm,
    InvitationActionForm,
    MoveForm,
    PersonForm,
    RoleForm,
    SwitchForm,
    first_error,
)
from .models import Exemption, ExportJob, ImportJob, Invitation, Membership
from .people_csv import parse_people_csv

SESSION_KEY = "coordinating_organisation"
UPLOAD_MAX_BYTES = 5 * 1024 * 1024


def coordinator_view(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        organisations = selectors.coordinator_organisations(user=request.user)
        if not organisations:
            return render(
                request,
                "403.html",
                {"message": _("Only training coordinators can open this page.")},
                status=403,
            )
        chosen = request.session.get(SESSION_KEY)
        organisation = next(
            (o for o in organisations if o.pk == chosen), organisations[0]
        )
        request.organisation = organisation
        request.coordinated = organisations
        return view(request, *args, **kwargs)

    return wrapper


def _membership(request, user_id: int) -> Membership:
    """Anyone the organisation has added (current, pending or removed), or 404."""
    membership = selectors.member_get(
        organisation=request.organisation, user_id=user_id
    )
    if membership is None:
        raise PublicHttp404(_("No such person in your organisation."))
    return membership


def _answer(request, user_id: int, action, success: str):
    """Run a service for a person; a refusal is a message, never a 500."""
    try:
        action()
    except services.NotInYourOrganisation as error:
        raise PublicHttp404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("coordinate:person", user_id=user_id)


@coordinator_view
def dashboard(request):
    org = request.organisation
    filters = FilterForm(request.GET or None, organisation=org)
    cohort, course = filters.value("cohort"), filters.value("course")
    status = filters.value("status") or ""
    data = selectors.overview(
        organisation=org,
        cohort_id=cohort.pk if cohort else None,
        course_id=course.pk if course else None,
        status=status,
        page=filters.value("page") or 1,
        fresh=request.GET.get("fresh") == "1",
    )
    if data["recounting"]:
        services.figures_recount_soon(
            organisation=org,
            cohort_id=cohort.pk if cohort else None,
            course_id=course.pk if course else None,
            status=status,
        )
    return render(
        request,
        "coordinate/dashboard.html",
        {
            **data,
            "cohorts": org.cohorts.all(),
            "cohort_id": cohort.pk if cohort else None,
            "course_id": course.pk if course else None,
            "status": status,
            "organisation": org,
            "organisations": request.coordinated,
            "pending": selectors.pending_members(organisation=org),
            "query": _without_page(request),
        },
    )


def _without_page(request) -> str:
    """The filters as a query string, without the page (the pager adds its own) or
    a request to count again."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("fresh", None)
    return query.urlencode()


@require_POST
@coordinator_view
def switch(request):
    form = SwitchForm(request.POST)
    chosen = form.cleaned_data["organisation"] if form.is_valid() else None
    if chosen not in {o.pk for o in request.coordinated}:
        raise PublicHttp404(_("You do not coordinate that organisation."))
    request.session[SESSION_KEY] = chosen
    return redirect("coordinate:dashboard")


@coordinator_view
def person(request, user_id: int):
    org = request.organisation
    membership = _membership(request, user_id)
    context = {"membership": membership, "organisation": org}
    if membership.is_current:
        duties = selectors.duties(organisation=org, memberships=[membership])
        context |= {
            "duties": duties,
            # Only the courses this organisation assigned, never the rest.
            "attempts": attempts_on_courses(
                user=membership.user,
                course_ids={d.assignment.course_id for d in duties},
            ),
            "cohorts": org.cohorts.all(),
            "kinds": Exemption.Kind.choices,
            "roles": Membership.Role.choices,
            "timed": selectors.timed_assessments(organisation=org),
            "extra_time": selectors.accommodations_of(user=membership.user),
        }
    elif membership.is_pending:
        context["invitation"] = selectors.invitation_latest(membership=membership)
    return render(request, "coordinate/person.html", context)


@require_POST
@coordinator_view
def person_move(request, user_id: int):
    membership = _membership(request, user_id)
    form = MoveForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("coordinate:person", user_id=user_id)
    return _answer(
        request,
        user_id,
        lambda: services.membership_move(
            membership=membership,
            cohort=form.cleaned_data["cohort"],
            by=request.user,
            client_address=client_address(request),
        ),
        _("Moved."),
    )


@require_POST
@coordinator_view
def person_role(request, user_id: int):
    membership = _membership(request, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose learner or coordinator."))
        return redirect("coordinate:person", user_id=user_id)
    return _answer(
        request,
        user_id,
        lambda: services.membership_role_change(
            membership=membership,
            role=form.cleaned_data["role"],
            by=request.user,
            client_address=client_address(request),
        ),
        _("Role changed."),
    )


@require_POST
@coordinator_view
def person_remove(request, user_id: int):
    membership = _membership(request, user_id)
    try:
        services.membership_remove(
            membership=membership,
            by=request.user,
            client_address=client_address(request),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("coordinate:person", user_id=user_id)
    messages.success(
        request,
        _("%(name)s is no longer in %(org)s; their training records are theirs.")
        % {"name": membership.user.full_name, "org": request.organisation.name},
    )
    return redirect("coordinate:dashboard")


@require_POST
@coordinator_view
def person_exempt(request, user_id: int):
    membership = _membership(request, user_id)
    form = ExemptionForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("coordinate:person", user_id=user_id)
    return _answer(
        request,
        user_id,
        lambda: services.exemption_record(
            membership=membership,
            course=form.cleaned_data["course"],
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            client_address=client_address(request),
        ),
        _("Recorded."),
    )


@require_POST
@coordinator_view
def person_extend(request, user_id: int):
    membership = _membership(request, user_id)
    form = ExtensionForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("coordinate:person", user_id=user_id)
    return _answer(
        request,
        user_id,
        lambda: services.due_extension_create(
            assignment=form.cleaned_data["assignment"],
            membership=membership,
            due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            client_address=client_address(request),
        ),
        _("Due date extended."),
    )


@coordinator_view
def people_import(request):
    org = request.organisation
    context = {"organisation": org, "cohorts": org.cohorts.all()}
    if request.method != "POST":
        return render(request, "coordinate/import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["file_problem"] = _("Choose a CSV file.")
        return render(request, "coordinate/import.html", context, status=400)
    if upload.size > UPLOAD_MAX_BYTES:
        context["file_problem"] = _("The file is larger than 5 MB.")
        return render(request, "coordinate/import.html", context, status=413)
    rows, problems = parse_people_csv(
        upload.read(),
        cohorts={c.name for c in org.cohorts.all()},
        language=translation.get_language() or "",
    )
    if problems:
        context["problems"] = problems
        return render(request, "coordinate/import.html", context, status=400)
    outcome = services.people_import_start(
        organisation=org,
        rows=rows,
        by=request.user,
        base_url=request.build_absolute_uri("/"),
        client_address=client_address(request),
    )
    if isinstance(outcome, ImportJob):
        return redirect("coordinate:import_job", job_id=outcome.pk)
    messages.success(request, _added_message(outcome.added_or_invited))
    return redirect("coordinate:dashboard")


def _added_message(count: int) -> str:
    # The same words whether or not people already had accounts (no enumeration).
    return _(
        "%(n)s people added or invited. Each receives an email and joins once they "
        "accept."
    ) % {"n": count}


@coordinator_view
def import_job(request, job_id: int):
    job = selectors.import_job_get(organisation=request.organisation, job_id=job_id)
    if job is None:
        raise PublicHttp404(_("No such import in your organisation."))
    return render(request, "coordinate/import_job.html", {"job": job})


@coordinator_view
def person_add(request):
    """One person at a time: the same checks and the same import as a file's row."""
    org = request.organisation
    form = PersonForm(request.POST or None, organisation=org)
    if request.method == "POST":
        problem = None
        if form.is_valid():
            try:
                result = people.person_add(
                    organisation=org,
                    by=request.user,
                    client_address=client_address(request),
                    **form.cleaned_data,
                )
            except ApplicationError as error:
                problem = error.message
            else:
                services.invitations_send(
                    invitations=result.invitations,
                    base_url=request.build_absolute_uri("/"),
                )
                messages.success(request, _added_message(1))
                return redirect("coordinate:dashboard")
        return render(
            request,
            "coordinate/add_person.html",
            {"organisation": org, "form": form, "problem": problem},
            status=400,
        )
    return render(
        request, "coordinate/add_person.html", {"organisation": org, "form": form}
    )


@coordinator_view
def assignments(request):
    org = request.organisation
    form = AssignmentForm(request.POST or None, organisation=org)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.assignment_create(
                    organisation=org,
                    course=data["course"],
                    by=request.user,
                    cohort=data["cohort"],
                    user=data["person"].user if data["person"] else None,
                    due_on=data["due_on"],
                    due_days_after_joining=data["due_days"],
                    recurrence_months=data["recurrence_months"],
                    client_address=client_address(request),
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Assigned."))
                return redirect("coordinate:assignments")
        status = 400
    return render(
        request,
        "coordinate/assignments.html",
        {
            "organisation": org,
            "form": form,
            "assignments": selectors.assignments_of(organisation=org),
        },
        status=status,
    )


@coordinator_view
def invitations(request):
    org = request.organisation
    if request.method == "POST":
        form = InvitationActionForm(request.POST, organisation=org)
        if not form.is_valid():
            raise PublicHttp404(_("No such invitation in your organisation."))
        invitation = form.cleaned_data["invitation"]
        try:
            if form.cleaned_data["action"] == "withdraw":
                services.invitation_withdraw(
                    invitation=invitation,
                    by=request.user,
                    client_address=client_address(request),
                )
            else:
                new, token = services.invitation_resend(
                    invitation=invitation,
                    by=request.user,
                    client_address=client_address(request),
                )
                services.invitations_send(
                    invitations=[(new, token)],
                    base_url=request.build_absolute_uri("/"),
                )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Done."))
        return redirect("coordinate:invitations")
    return render(
        request,
        "coordinate/invitations.html",
        {
            "organisation": org,
            "pending": selectors.invitations_pending(organisation=org),
        },
    )


def _filters(request) -> dict:
    """The dashboard's filters as the selectors take them."""
    filters = FilterForm(request.GET or None, organisation=request.organisation)
    cohort, course = filters.value("cohort"), filters.value("course")
    return {
        "organisation": request.organisation,
        "cohort_id": cohort.pk if cohort else None,
        "course_id": course.pk if course else None,
        "status": filters.value("status") or "",
    }


@coordinator_view
def export(request, fmt: str):
    """The matrix as filtered, every row, streamed: CSV as it is written, XLSX
    from a temporary file (a workbook is a ZIP, written whole before it is sent)."""
    if fmt not in ("csv", "xlsx"):
        raise PublicHttp404(_("Exports are CSV or XLSX."))
    courses, rows = selectors.matrix_rows(**_filters(request))
    header, values = exports.training_record(courses, rows)
    filename = f"training-record.{fmt}"
    if fmt == "xlsx":
        return FileResponse(
            exports.to_xlsx_file(header, values),
            as_attachment=True,
            filename=filename,
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
    response = StreamingHttpResponse(
        exports.csv_stream(header, values), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@coordinator_view
def export_certificates(request):
    """The certificates of the people and courses shown (as filtered), as a ZIP:
    streamed at once up to 500; beyond, prepared by the task worker."""
    _courses, rows = selectors.matrix_rows(**_filters(request))
    certificates = services.certificates_of(rows=rows)
    if not certificates:
        messages.error(request, _("No certificate among the people shown."))
        return redirect(reverse("coordinate:dashboard") + f"?{request.GET.urlencode()}")
    if len(certificates) <= services.ZIP_STREAM_MAX:
        audit_event_record(
            actor=request.user,
            action="export.certificates",
            organisation=request.organisation,
            client_address=client_address(request),
            details={"count": len(certificates), "streamed": True},
        )
        response = StreamingHttpResponse(
            zip_stream(certificate_files(certificates)), content_type="application/zip"
        )
        response["Content-Disposition"] = 'attachment; filename="certificates.zip"'
        return response
    try:
        job = services.certificates_zip_start(
            organisation=request.organisation,
            certificates=certificates,
            by=request.user,
        )
    except ApplicationError as error:
        return render(request, "400.html", {"message": error.message}, status=400)
    return redirect("coordinate:export_job", job_id=job.pk)


def _export_job(request, job_id: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=job_id, organisation=request.organisation).first()
    if job is None:
        raise PublicHttp404(_("No such export in your organisation."))
    return job


@coordinator_view
def export_job(request, job_id: int):
    job = _export_job(request, job_id)
    return render(
        request,
        "coordinate/export_job.html",
        {"job": job, "organisation": request.organisation},
    )


@coordinator_view
def export_job_download(request, job_id: int):
    job = _export_job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise PublicHttp404(_("This export is not ready."))
    return FileResponse(
        job.file.open("rb"),
        content_type="application/zip",
        as_attachment=True,
        filename="certificates.zip",
    )


@require_POST
@coordinator_view
def person_extra_time(request, user_id: int):
    membership = _membership(request, user_id)
    form = ExtraTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("coordinate:person", user_id=user_id)
    assessment = AssessmentPage.objects.filter(
        pk=form.cleaned_data["assessment"]
    ).first()
    allowed = {
        a.pk for a in selectors.timed_assessments(organisation=request.organisation)
    }
    if assessment is None or assessment.pk not in allowed:
        messages.error(
            request, _("Choose a timed assessment your organisation assigned.")
        )
        return redirect("coordinate:person", user_id=user_id)
    return _answer(
        request,
        user_id,
        lambda: services.accommodation_grant(
            membership=membership,
            assessment=assessment,
            extra_time_percent=form.cleaned_data["extra_time_percent"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            client_address=client_address(request),
        ),
        _("Extra time recorded."),
    )


# ---------------------------------------------------------------------------
# The person's side: answering an invitation.


def invitation(request, token: str):
    """The link in an invitation email. A new account chooses its password here;
    an existing account, signed in as itself, accepts or declines."""
    pending = selectors.invitation_by_token(token=token)
    problem = selectors.invitation_problem(invitation=pending)
    if problem:
        return render(
            request, "accounts/invitation_failed.html", {"problem": problem}, status=400
        )
    assert pending is not None
    if pending.kind == Invitation.Kind.MEMBERSHIP:
        return _membership_invitation(request, token, pending)
    form = SetPasswordForm(pending.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except ApplicationError as error:
            return render(
                request,
                "accounts/invitation_failed.html",
                {"problem": error.message},
                status=400,
            )
        login(request, user, backend="academy.core.backends.EmailBackend")
        messages.success(request, _("Your password is set. Welcome."))
        with translation.override(user.preferred_language):
            return redirect(reverse("dashboard"))
    return render(
        request, "accounts/invitation.html", {"form": form, "invitation": pending}
    )


def _membership_invitation(request, token: str, pending: Invitation):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != pending.user_id:
        return render(
            request,
            "accounts/invitation_failed.html",
            {"problem": "other-account"},
            status=403,
        )
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            return render(
                request,
                "accounts/invitation_answer.html",
                {"invitation": pending, "problem": True},
                status=400,
            )
        try:
            services.invitation_respond(
                token=token,
                user=request.user,
                accept=answer == "accept",
                client_address=client_address(request),
            )
        except ApplicationError as error:
            return render(
                request,
                "accounts/invitation_failed.html",
                {"problem": error.message},
                status=400,
            )
        messages.success(request, _answered(answer, pending.organisation.name))
        return redirect("dashboard")
    return render(request, "accounts/invitation_answer.html", {"invitation": pending})


@require_POST
@login_required
def membership_answer(request, membership_id: int):
    """Accept or decline from My learning, where pending invitations are listed."""
    membership = selectors.membership_pending_for_user(
        user=request.user, membership_id=membership_id
    )
    if membership is None:
        raise PublicHttp404(_("No such invitation among yours."))
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or to decline."))
        return redirect("dashboard")
    services.membership_respond(
        membership=membership,
        user=request.user,
        accept=answer == "accept",
        client_address=client_address(request),
    )
    messages.success(request, _answered(answer, membership.organisation.name))
    return redirect("dashboard")


def _answered(answer: str, organisation: str) -> str:
    if answer == "accept":
        return _("You joined %(org)s.") % {"org": organisation}
    return _("You said no to %(org)s. They see nothing of your training.") % {
        "org": organisation
    }
