"""The employer's side of workplace certification, and the public register. Views
only read (selectors) and call services; a refusal is a clear 4xx page."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from academy.certificates.models import OrganisationCertificate
from academy.certificates.services import organisation_certificate_pdf_ensure
from academy.core.exceptions import ApplicationError, PublicHttp404
from academy.core.http import client_address
from academy.organisations.models import Membership
from academy.organisations.services import membership_employer_roles_set

from . import selectors, services
from .evidence import EvidenceRefused
from .forms import (
    AnswerForm,
    AttestationForm,
    EvidenceForm,
    RegisterFilterForm,
    RegisterForm,
    RolesForm,
)
from .models import Certification, Evidence

SESSION_KEY = "workplace_organisation"


def manager_view(view):
    """Signed in, and a coordinator or designated manager of an employer; the chosen
    employer is request.organisation."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        employers = selectors.managed_employers(user=request.user)
        if not employers:
            return render(
                request,
                "403.html",
                {
                    "message": _(
                        "This page is for the managers and training coordinators "
                        "of an employer."
                    )
                },
                status=403,
            )
        chosen = request.session.get(SESSION_KEY)
        if request.GET.get("organisation", "").isdigit():
            chosen = int(request.GET["organisation"])
        request.organisation = next(
            (o for o in employers if o.pk == chosen), employers[0]
        )
        request.session[SESSION_KEY] = request.organisation.pk
        request.employers = employers
        return view(request, *args, **kwargs)

    return wrapper


def _refused(request, error: Exception, status: int = 400, template="400.html"):
    message = getattr(error, "message", None) or str(error)
    return render(request, template, {"message": message}, status=status)


def _certification(request, *, open_only=False) -> Certification:
    org = request.organisation
    certification = selectors.certification_open(organisation=org)
    if certification is None and not open_only:
        certification = selectors.certification_approved_latest(organisation=org)
    if certification is None:
        raise PublicHttp404(_("Your organisation has no certification in progress."))
    return certification


def _is_coordinator(request) -> bool:
    return (
        Membership.objects.coordinators()
        .filter(organisation=request.organisation, user=request.user)
        .exists()
    )


@manager_view
def overview(request):
    org = request.organisation
    standard = selectors.standard_current()
    current = selectors.certification_open(organisation=org)
    approved = selectors.certification_approved_latest(organisation=org)
    shown = current or approved
    standard_shown = shown.standard if shown else standard
    context = {
        "organisation": org,
        "employers": request.employers,
        "standard": standard_shown,
        "words": standard_shown.words() if standard_shown else {},
        "current": current,
        "approved": approved,
        "certificate": approved.certificate if approved else None,
        "listed": selectors.register_listed(organisation=org),
    }
    if standard_shown is not None:
        check = selectors.training_check(organisation=org, standard=standard_shown)
        context["check"] = check
    if current is not None:
        domains = selectors.certification_state(certification=current)
        context |= {
            "domains": domains,
            "problems": selectors.submission_problems(
                certification=current, domains=domains, check=context["check"]
            ),
        }
    if approved is not None:
        certificate = approved.certificate
        context |= {
            "certificate_status": certificate.status,
            "can_attest": selectors.attestation_can_be_made(certificate),
            "renewal_opens_at": selectors.renewal_opens_at(certificate),
            "can_renew": current is None
            and timezone.now() >= selectors.renewal_opens_at(certificate),
        }
    return render(request, "workplace/overview.html", context)


@require_POST
@manager_view
def start(request):
    try:
        services.certification_start(organisation=request.organisation, by=request.user)
    except services.NotAllowed as error:
        return _refused(request, error, 403, "403.html")
    except ApplicationError as error:
        return _refused(request, error)
    messages.success(request, _("Your self-assessment is open. Answer each criterion."))
    return redirect("workplace:overview")


def _criterion_page(
    request, certification, key, *, answer_form=None, evidence_form=None, status=200
):
    domains = selectors.certification_state(certification=certification)
    states = {c.key: (d, c) for d in domains for c in d.criteria}
    if key not in states:
        raise PublicHttp404(_("The standard has no such criterion."))
    domain, criterion = states[key]
    order = [c.key for d in domains for c in d.criteria]
    index = order.index(key)
    initial = (
        {"answer": criterion.answer.answer, "statement": criterion.answer.statement}
        if criterion.answer
        else {}
    )
    return render(
        request,
        "workplace/criterion.html",
        {
            "organisation": request.organisation,
            "certification": certification,
            "domain": domain,
            "criterion": criterion,
            "answer_form": answer_form or AnswerForm(initial=initial),
            "evidence_form": evidence_form or EvidenceForm(),
            "previous": order[index - 1] if index else None,
            "next": order[index + 1] if index + 1 < len(order) else None,
        },
        status=status,
    )


@manager_view
def criterion(request, key: str):
    certification = _certification(request)
    if request.method != "POST":
        return _criterion_page(request, certification, key)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _criterion_page(
            request, certification, key, answer_form=form, status=400
        )
    try:
        services.criterion_answer_save(
            certification=certification,
            criterion_key=key,
            answer=form.cleaned_data["answer"],
            statement=form.cleaned_data["statement"],
            by=request.user,
        )
    except services.NotAllowed as error:
        return _refused(request, error, 403, "403.html")
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _criterion_page(
            request, certification, key, answer_form=form, status=400
        )
    messages.success(request, _("Saved. Earlier answers stay in the history."))
    return redirect("workplace:criterion", key=key)


@require_POST
@manager_view
def evidence_add(request, key: str):
    certification = _certification(request, open_only=True)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _criterion_page(
            request, certification, key, evidence_form=form, status=400
        )
    upload = form.cleaned_data["file"]
    try:
        services.evidence_add(
            certification=certification,
            criterion_key=key,
            name=upload.name,
            data=upload.read(),
            by=request.user,
        )
    except services.NotAllowed as error:
        return _refused(request, error, 403, "403.html")
    except (EvidenceRefused, ApplicationError) as error:
        form.add_error("file", error.message)
        status = 413 if upload.size > 10 * 1024 * 1024 else 400
        return _criterion_page(
            request, certification, key, evidence_form=form, status=status
        )
    messages.success(
        request, _("File added. Only the academy's assessors will see it.")
    )
    return redirect("workplace:criterion", key=key)


def _evidence(request, evidence_id: int) -> Evidence:
    evidence = (
        Evidence.objects.select_related("certification__organisation")
        .filter(pk=evidence_id, certification__organisation=request.organisation)
        .first()
    )
    if evidence is None:
        raise PublicHttp404(_("No such file in your organisation's certification."))
    return evidence


@require_POST
@manager_view
def evidence_remove(request, evidence_id: int):
    evidence = _evidence(request, evidence_id)
    try:
        services.evidence_remove(evidence=evidence, by=request.user)
    except services.NotAllowed as error:
        return _refused(request, error, 403, "403.html")
    except ApplicationError as error:
        return _refused(request, error)
    messages.success(request, _("File removed and deleted; the history says so."))
    return redirect("workplace:criterion", key=evidence.criterion_key)


@require_GET
@login_required
def evidence_file(request, evidence_id: int):
    """The file itself: for the organisation's managers and coordinators, and for
    assessors who may review it. Never a public address."""
    evidence = (
        Evidence.objects.select_related("certification__organisation")
        .filter(pk=evidence_id, removed_at__isnull=True)
        .first()
    )
    if evidence is None:
        raise PublicHttp404(_("No such file."))
    org = evidence.certification.organisation
    allowed = org in selectors.managed_employers(user=request.user) or (
        selectors.is_assessor(request.user)
        and org.pk not in selectors.member_organisation_ids(user=request.user)
    )
    if not allowed:
        raise PublicHttp404(_("No such file."))
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@manager_view
def submit(request):
    certification = _certification(request, open_only=True)
    try:
        services.certification_submit(certification=certification, by=request.user)
    except services.NotAllowed as error:
        return _refused(request, error, 403, "403.html")
    except ApplicationError as error:
        return _refused(request, error)
    messages.success(
        request,
        _("Submitted. The academy's assessors will review it and write to you."),
    )
    return redirect("workplace:overview")


@manager_view
def attest(request):
    approved = selectors.certification_approved_latest(
        organisation=request.organisation
    )
    if approved is None or not selectors.attestation_can_be_made(approved.certificate):
        raise PublicHttp404(_("There is no attestation to make now."))
    form = AttestationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attestation = services.attestation_make(
                    certification=approved,
                    nothing_changed=form.cleaned_data["nothing_changed"],
                    changes=form.cleaned_data["changes"],
                    by=request.user,
                )
            except services.NotAllowed as error:
                return _refused(request, error, 403, "403.html")
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Thank you. Your certificate stays valid for another year.")
                    if attestation.nothing_changed
                    else _("Thank you. An assessor will look at what changed."),
                )
                return redirect("workplace:overview")
        status = 400
    return render(
        request,
        "workplace/attest.html",
        {
            "organisation": request.organisation,
            "certificate": approved.certificate,
            "form": form,
        },
        status=status,
    )


@require_POST
@manager_view
def register(request):
    form = RegisterForm(request.POST)
    if not form.is_valid():
        return _refused(request, ApplicationError(_("Choose to be listed or not.")))
    try:
        services.register_consent_set(
            organisation=request.organisation,
            listed=form.cleaned_data["listed"],
            by=request.user,
        )
    except services.NotAllowed as error:
        return _refused(request, error, 403, "403.html")
    messages.success(
        request,
        _("You are listed in the public register while your certificate is valid.")
        if form.cleaned_data["listed"]
        else _("You are not listed in the public register."),
    )
    return redirect("workplace:overview")


@require_GET
@manager_view
def certificate_pdf(request):
    approved = selectors.certification_approved_latest(
        organisation=request.organisation
    )
    if approved is None:
        raise PublicHttp404(_("Your organisation holds no certificate yet."))
    certificate: OrganisationCertificate = organisation_certificate_pdf_ensure(
        certificate=approved.certificate
    )
    return FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
    )


@manager_view
def people(request):
    org = request.organisation
    coordinator = _is_coordinator(request)
    if request.method == "POST":
        if not coordinator:
            return _refused(
                request,
                ApplicationError(
                    _("Only the organisation's training coordinators can change this.")
                ),
                403,
                "403.html",
            )
        form = RolesForm(request.POST)
        membership = None
        if form.is_valid():
            membership = (
                Membership.objects.current()
                .filter(organisation=org, user_id=form.cleaned_data["person"])
                .first()
            )
        if membership is None:
            return _refused(
                request, ApplicationError(_("No such person in your organisation."))
            )
        try:
            membership_employer_roles_set(
                membership=membership,
                is_manager=form.cleaned_data["is_manager"],
                supervises_partnership_hire=form.cleaned_data[
                    "supervises_partnership_hire"
                ],
                by=request.user,
                client_address=client_address(request),
            )
        except ApplicationError as error:
            return _refused(request, error)
        messages.success(request, _("Saved."))
        return redirect(reverse("workplace:people") + f"#person-{membership.user_id}")
    standard = selectors.standard_current()
    check = (
        selectors.training_check(organisation=org, standard=standard)
        if standard
        else None
    )
    held = {}
    if check:
        held = {m.pk: ok for m, ok in check.managers} | {
            f"s{m.pk}": ok for m, ok in check.supervisors
        }
    return render(
        request,
        "workplace/people.html",
        {
            "organisation": org,
            "people": Membership.objects.current()
            .filter(organisation=org)
            .select_related("user")
            .order_by("user__full_name"),
            "check": check,
            "held": held,
            "coordinator": coordinator,
        },
    )


@require_GET
def public_register(request):
    """Certified employers that chose to be listed: for survivors and referral
    partners looking for a safe workplace."""
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.register_entries(
        city=(filters.get("city") or "").strip(),
        sector=filters.get("sector") or "",
        level=filters.get("level") or "",
    )
    return render(
        request,
        "workplace/register.html",
        {"form": form, "entries": entries, "filtered": bool(request.GET)},
        status=200 if form.is_valid() or not request.GET else 400,
    )
