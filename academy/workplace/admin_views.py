"""The assessors' side, in the Wagtail admin: submitted self-assessments, a decision
per criterion, then approve or return; attestations that report a change. Views
only read (selectors) and call services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academy.certificates.models import OrganisationCertificate
from academy.core.exceptions import ApplicationError

from . import selectors, services
from .forms import NoteForm, ReviewForm
from .models import Attestation, Certification


def _assessor(request) -> None:
    if not selectors.is_assessor(request.user):
        raise PermissionDenied


def queue(request):
    _assessor(request)
    own = selectors.member_organisation_ids(user=request.user)
    return render(
        request,
        "workplace/admin_queue.html",
        {
            "submitted": [
                c for c in selectors.assessor_queue() if c.organisation_id not in own
            ],
            "recent": selectors.certifications_recent(),
            "attestations": [
                a
                for a in selectors.attestations_waiting()
                if a.certification.organisation_id not in own
            ],
        },
    )


def _certification(request, pk: int) -> Certification:
    _assessor(request)
    certification = get_object_or_404(
        Certification.objects.select_related("organisation", "standard"), pk=pk
    )
    if certification.organisation_id in selectors.member_organisation_ids(
        user=request.user
    ):
        raise PermissionDenied  # nobody reviews their own organisation
    return certification


def review(request, pk: int, *, status: int = 200, error: str = ""):
    certification = _certification(request, pk)
    domains = selectors.certification_state(certification=certification)
    check = selectors.training_check(
        organisation=certification.organisation, standard=certification.standard
    )
    return render(
        request,
        "workplace/admin_review.html",
        {
            "certification": certification,
            "domains": domains,
            "check": check,
            "problems": selectors.approval_problems(
                certification=certification, domains=domains, check=check
            ),
            "level": OrganisationCertificate.Level(
                selectors.level_earned(domains)
            ).label,
            "error": error,
        },
        status=status,
    )


def _act(request, pk: int, action, success: str):
    try:
        action()
    except services.NotAllowed as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    except ApplicationError as refusal:
        return review(request, pk, status=400, error=refusal.message)
    messages.success(request, success)
    return redirect("workplace_review", pk=pk)


@require_POST
def review_criterion(request, pk: int):
    certification = _certification(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return review(request, pk, status=400, error=_("Choose a decision."))
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda: services.criterion_review_record(
            certification=certification,
            criterion_key=data["criterion"],
            decision=data["decision"],
            comment=data["comment"],
            reviewer=request.user,
        ),
        _("Decision recorded."),
    )


@require_POST
def approve(request, pk: int):
    certification = _certification(request, pk)
    return _act(
        request,
        pk,
        lambda: services.certification_approve(
            certification=certification, reviewer=request.user
        ),
        _("Approved: the certificate is issued."),
    )


@require_POST
def return_to_organisation(request, pk: int):
    certification = _certification(request, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        pk,
        lambda: services.certification_return(
            certification=certification, note=note, reviewer=request.user
        ),
        _("Returned to the organisation."),
    )


@require_POST
def attestation_accept(request, pk: int):
    _assessor(request)
    attestation = get_object_or_404(Attestation, pk=pk)
    try:
        services.attestation_accept(attestation=attestation, reviewer=request.user)
    except services.NotAllowed as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Attestation accepted: valid for another year."))
    return redirect("workplace_queue")
