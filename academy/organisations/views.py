"""Coordinator views. Each is wrapped by `coordinator_view`: a current coordinator
membership is required (403 otherwise), the organisation worked in is one of theirs,
and every person is looked up inside it (404 for anyone else)."""

from __future__ import annotations

import functools
from datetime import date

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from academy.assessments.selectors import attempts_on_courses
from academy.core.exceptions import ApplicationError
from academy.core.http import client_address
from academy.courses.models import CoursePage
from academy.progress.selectors import STATE_LABELS

from . import exports, selectors, services
from .models import Assignment, Cohort, Exemption, ImportJob, Invitation, Membership
from .people_csv import TASK_ROWS, parse_people_csv
from .tasks import people_import_task

SESSION_KEY = "coordinating_organisation"


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


def _post_only(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], _("Use the button on the page."))
    return None


def _person(request, user_id) -> Membership:
    membership = selectors.member_get(
        organisation=request.organisation, user_id=user_id
    )
    if membership is None:
        raise Http404(_("No such person in your organisation."))
    return membership


def _send_invitations(request, result) -> None:
    for invitation, token in result["invitations"]:
        services.invitation_email(
            invitation=invitation, token=token, base_url=request.build_absolute_uri("/")
        )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@coordinator_view
def dashboard(request):
    org = request.organisation
    cohort_id = _int(request.GET.get("cohort"))
    course_id = _int(request.GET.get("course"))
    status = request.GET.get("status", "")
    if status not in ("", "overdue", "open", "done"):
        status = ""
    data = selectors.overview(
        organisation=org, cohort_id=cohort_id, course_id=course_id, status=status
    )
    page = Paginator(data["rows"], 50).get_page(request.GET.get("page"))
    return render(
        request,
        "coordinate/dashboard.html",
        {
            **data,
            "page": page,
            "cohorts": org.cohorts.all(),
            "cohort_id": cohort_id,
            "course_id": course_id,
            "status": status,
            "labels": STATE_LABELS,
            "organisation": org,
            "organisations": request.coordinated,
            "query": request.GET.urlencode(),
        },
    )


@coordinator_view
def switch(request):
    if (response := _post_only(request)) is not None:
        return response
    chosen = _int(request.POST.get("organisation"))
    if chosen not in {o.pk for o in request.coordinated}:
        raise Http404(_("You do not coordinate that organisation."))
    request.session[SESSION_KEY] = chosen
    return redirect("coordinate:dashboard")


@coordinator_view
def person(request, user_id):
    membership = _person(request, user_id)
    duties = selectors.duties(
        organisation=request.organisation, memberships=[membership]
    )
    attempts = attempts_on_courses(
        user=membership.user, course_ids={d.assignment.course_id for d in duties}
    )
    return render(
        request,
        "coordinate/person.html",
        {
            "membership": membership,
            "duties": duties,
            "attempts": attempts,
            "cohorts": request.organisation.cohorts.all(),
            "kinds": Exemption.Kind.choices,
            "organisation": request.organisation,
        },
    )


@coordinator_view
def person_update(request, user_id, action):
    if (response := _post_only(request)) is not None:
        return response
    membership = _person(request, user_id)
    org, address = request.organisation, client_address(request)
    try:
        if action == "move":
            cohort_id = _int(request.POST.get("cohort"))
            cohort = (
                get_object_or_404(Cohort, pk=cohort_id, organisation=org)
                if cohort_id
                else None
            )
            services.member_update(
                membership=membership,
                by=request.user,
                cohort=cohort,
                client_address=address,
            )
        elif action == "role":
            role = request.POST.get("role")
            if role not in Membership.Role.values:
                raise ApplicationError(_("Choose learner or coordinator."))
            services.member_update(
                membership=membership,
                by=request.user,
                role=role,
                client_address=address,
            )
        elif action == "remove":
            services.member_update(
                membership=membership,
                by=request.user,
                remove=True,
                client_address=address,
            )
            messages.success(
                request,
                _("%(name)s is no longer in %(org)s; their training records are kept.")
                % {"name": membership.user.full_name, "org": org.name},
            )
            return redirect("coordinate:dashboard")
        elif action == "exempt":
            course = get_object_or_404(CoursePage, pk=_int(request.POST.get("course")))
            kind = request.POST.get("kind")
            if kind not in Exemption.Kind.values:
                raise ApplicationError(_("Choose prior learning or exemption."))
            services.exemption_record(
                organisation=org,
                user=membership.user,
                course=course,
                kind=kind,
                reason=request.POST.get("reason", ""),
                by=request.user,
                client_address=address,
            )
        elif action == "extend":
            assignment = get_object_or_404(
                Assignment, pk=_int(request.POST.get("assignment")), organisation=org
            )
            try:
                due_on = date.fromisoformat(request.POST.get("due_on", ""))
            except ValueError as error:
                raise ApplicationError(_("Give the new due date as a date.")) from error
            services.due_extend(
                assignment=assignment,
                user=membership.user,
                due_on=due_on,
                reason=request.POST.get("reason", "")[:300],
                by=request.user,
                client_address=address,
            )
        else:
            raise Http404()
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("coordinate:person", user_id=user_id)
    messages.success(request, _("Saved."))
    return redirect("coordinate:person", user_id=user_id)


@coordinator_view
def people_import(request):
    org = request.organisation
    context = {"organisation": org, "cohorts": org.cohorts.all()}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_problem"] = _("Choose a CSV file.")
            return render(request, "coordinate/import.html", context, status=400)
        if upload.size > 5 * 1024 * 1024:
            context["file_problem"] = _("The file is larger than 5 MB.")
            return render(request, "coordinate/import.html", context, status=413)
        rows, problems = parse_people_csv(
            upload.read(), cohorts={c.name for c in org.cohorts.all()}
        )
        if problems:
            context["problems"] = problems
            return render(request, "coordinate/import.html", context, status=400)
        base_url = request.build_absolute_uri("/")
        if len(rows) > TASK_ROWS:
            job = ImportJob.objects.create(
                organisation=org,
                created_by=request.user,
                rows=[r.__dict__ for r in rows],
            )
            people_import_task.enqueue(job.pk, base_url)
            return redirect("coordinate:import_job", job_id=job.pk)
        result = services.people_import(
            organisation=org,
            rows=rows,
            by=request.user,
            client_address=client_address(request),
        )
        _send_invitations(request, result)
        messages.success(
            request,
            _(
                "Added %(created)s new people and matched %(matched)s "
                "existing accounts. Invitations are on their way."
            )
            % result,
        )
        return redirect("coordinate:dashboard")
    return render(request, "coordinate/import.html", context)


@coordinator_view
def import_job(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id, organisation=request.organisation)
    return render(request, "coordinate/import_job.html", {"job": job})


@coordinator_view
def person_add(request):
    """One person at a time: the same checks and the same import."""
    org = request.organisation
    data = request.POST
    if request.method == "POST":
        line = ",".join(
            data.get(f, "").replace(",", " ")
            for f in ("email", "full_name", "cohort", "role")
        )
        rows, problems = parse_people_csv(
            ("email,full_name,cohort,role\n" + line + "\n").encode(),
            cohorts={c.name for c in org.cohorts.all()},
        )
        if problems:
            return render(
                request,
                "coordinate/add_person.html",
                {
                    "organisation": org,
                    "cohorts": org.cohorts.all(),
                    "data": data,
                    "problems": [p.message for p in problems],
                },
                status=400,
            )
        result = services.people_import(
            organisation=org,
            rows=rows,
            by=request.user,
            client_address=client_address(request),
        )
        _send_invitations(request, result)
        messages.success(request, _("Added."))
        return redirect("coordinate:dashboard")
    return render(
        request,
        "coordinate/add_person.html",
        {"organisation": org, "cohorts": org.cohorts.all(), "data": {}},
    )


@coordinator_view
def assignments(request):
    org = request.organisation
    if request.method == "POST":
        data = request.POST
        try:
            course = get_object_or_404(CoursePage, pk=_int(data.get("course")))
            cohort = user = None
            if data.get("cohort"):
                cohort = get_object_or_404(
                    Cohort, pk=_int(data.get("cohort")), organisation=org
                )
            if data.get("person"):
                user = _person(request, _int(data.get("person"))).user
            due_on = date.fromisoformat(data["due_on"]) if data.get("due_on") else None
            services.assignment_create(
                organisation=org,
                course=course,
                by=request.user,
                cohort=cohort,
                user=user,
                due_on=due_on,
                due_days_after_joining=_int(data.get("due_days")),
                recurrence_months=_int(data.get("recurrence_months")),
                client_address=client_address(request),
            )
        except (ApplicationError, ValueError) as error:
            messages.error(request, getattr(error, "message", _("Check the due date.")))
            return redirect("coordinate:assignments")
        messages.success(request, _("Assigned."))
        return redirect("coordinate:assignments")
    return render(
        request,
        "coordinate/assignments.html",
        {
            "organisation": org,
            "assignments": Assignment.objects.filter(organisation=org).select_related(
                "course", "cohort", "user", "assigned_by"
            ),
            "courses": CoursePage.objects.live().order_by("path"),
            "cohorts": org.cohorts.all(),
            "people": selectors.members(organisation=org),
        },
    )


@coordinator_view
def invitations(request):
    org = request.organisation
    if request.method == "POST":
        invitation = get_object_or_404(
            Invitation, pk=_int(request.POST.get("invitation")), organisation=org
        )
        try:
            if request.POST.get("action") == "withdraw":
                services.invitation_withdraw(
                    invitation=invitation,
                    by=request.user,
                    client_address=client_address(request),
                )
            else:
                new, token = services.invitation_create(
                    organisation=org, user=invitation.user, by=request.user
                )
                services.invitation_email(
                    invitation=new,
                    token=token,
                    base_url=request.build_absolute_uri("/"),
                )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Done."))
        return redirect("coordinate:invitations")
    pending = [
        i
        for i in Invitation.objects.filter(organisation=org).select_related("user")
        if i.is_pending
    ]
    return render(
        request,
        "coordinate/invitations.html",
        {"organisation": org, "pending": pending},
    )


@coordinator_view
def export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Exports are CSV or XLSX."))
    org = request.organisation
    data = selectors.overview(organisation=org)
    header = [_("Name"), _("Email"), _("Cohort")]
    for course in data["courses"]:
        header += [course.title, _("Due")]
    rows = []
    for row in data["rows"]:
        m = row["membership"]
        values = [m.user.full_name, m.user.email, m.cohort.name if m.cohort else ""]
        for duty in row["cells"]:
            if duty is None:
                values += ["", ""]
                continue
            label = (
                duty.exemption.get_kind_display()
                if duty.exemption
                else _("Overdue")
                if duty.overdue
                else str(STATE_LABELS[duty.status.state])
            )
            values += [label, duty.due_on.isoformat() if duty.due_on else ""]
        rows.append(values)
    if fmt == "xlsx":
        body = exports.to_xlsx(header, rows)
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        body = exports.to_csv(header, rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="training-record.{fmt}"'
    return response


def invitation(request, token):
    """A person a coordinator added sets their password through a single-use link."""
    pending = selectors.invitation_by_token(token=token)
    problem = None
    if pending is None:
        problem = "invalid"
    elif pending.accepted_at is not None:
        problem = "used"
    elif pending.withdrawn_at is not None:
        problem = "withdrawn"
    elif not pending.is_pending:
        problem = "expired"
    if problem:
        return render(
            request, "accounts/invitation_failed.html", {"problem": problem}, status=400
        )
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
