from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.menus import MenuItem

from academy.core.exceptions import ApplicationError
from academy.core.http import client_address
from academy.core.permissions import is_academy_administrator
from academy.core.viewsets import RecordsViewSet, SafeExportIndexView

from .models import Certificate, NameChange, OrganisationCertificate
from .services import (
    CertificateRevokeAction,
    certificate_reissue,
    name_change_decide,
)


class CertificateIndexView(SafeExportIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.revoked_at is None and is_academy_administrator(self.request.user):
            buttons.append(
                MenuItem(
                    _("Re-issue"),
                    url=reverse("certificate_reissue", args=[instance.pk]),
                    icon_name="repeat",
                    priority=35,
                )
            )
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse("certificate_revoke", args=[instance.pk]),
                    icon_name="warning",
                    priority=40,
                )
            )
        return buttons


class CertificateViewSet(RecordsViewSet):
    model = Certificate
    icon = "success"
    menu_label = gettext_lazy("Certificates")
    url_prefix = "records/certificates"
    url_namespace = "records_certificates"
    index_view_class = CertificateIndexView
    list_display = [
        "code",
        "holder_name",
        "course_title",
        "issued_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["course_key"]
    list_export = [
        "code",
        "holder_name",
        "course_title",
        "course_version",
        "issued_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
    ]
    search_fields = ["code", "holder_name"]
    inspect_view_fields = [
        "code",
        "holder_name",
        "course_title",
        "course_version",
        "contact_hours",
        "language",
        "issued_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
        "pdf_sha256",
    ]


class OrganisationCertificateIndexView(SafeExportIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.revoked_at is None and is_academy_administrator(self.request.user):
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse("organisation_certificate_revoke", args=[instance.pk]),
                    icon_name="warning",
                    priority=40,
                )
            )
        return buttons


class OrganisationCertificateViewSet(RecordsViewSet):
    model = OrganisationCertificate
    icon = "success"
    menu_label = gettext_lazy("Workplace certificates")
    url_prefix = "records/organisation-certificates"
    url_namespace = "records_organisation_certificates"
    index_view_class = OrganisationCertificateIndexView
    list_display = [
        "code",
        "holder_name",
        "level",
        "valid_from",
        "expires_at",
        "attested_until",
        "revoked_at",
    ]
    list_filter = ["level", "standard_version"]
    list_export = [
        "code",
        "holder_name",
        "holder_place",
        "standard_title",
        "standard_version",
        "level",
        "valid_from",
        "expires_at",
        "attested_until",
        "revoked_at",
        "revoked_reason",
    ]
    search_fields = ["code", "holder_name"]
    inspect_view_fields = [
        "code",
        "holder_name",
        "holder_place",
        "standard_title",
        "standard_version",
        "level",
        "domains_met",
        "language",
        "issued_at",
        "valid_from",
        "expires_at",
        "attested_until",
        "revoked_at",
        "revoked_reason",
        "pdf_sha256",
    ]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy("Shown on the public verification page."),
    )


def revoke_view(request, pk):
    """An administrator revokes a person's certificate, with the reason verifiers
    will see."""
    return _revoke(request, Certificate, pk, "records_certificates:index")


def revoke_organisation_view(request, pk):
    """The same for an organisation's workplace certificate (e.g. after a
    substantiated complaint)."""
    return _revoke(
        request, OrganisationCertificate, pk, "records_organisation_certificates:index"
    )


def _revoke(request, model, pk: int, index: str):
    if not is_academy_administrator(request.user):
        raise PermissionDenied(
            _("Only academy administrators can revoke certificates.")
        )
    certificate = get_object_or_404(model, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            CertificateRevokeAction(
                certificate,
                user=request.user,
                reason=form.cleaned_data["reason"],
                client_address=client_address(request),
            ).execute()
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Certificate %(code)s is revoked.") % {"code": certificate.code},
            )
        return redirect(reverse(index))
    return render(
        request,
        "certificates/admin_revoke.html",
        {"certificate": certificate, "form": form},
    )


def reissue_view(request, pk):
    """Re-issue after a correction (the course's title, the holder's name as held):
    same code, a new revision, the course version the holder passed kept."""
    if not is_academy_administrator(request.user):
        raise PermissionDenied(_("Only academy administrators re-issue certificates."))
    certificate = get_object_or_404(Certificate, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_reissue(
                certificate=certificate,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Certificate %(code)s is re-issued.") % {"code": certificate.code},
            )
        return redirect(reverse("records_certificates:index"))
    return render(
        request,
        "certificates/admin_reissue.html",
        {"certificate": certificate, "form": form},
    )


class DecisionForm(forms.Form):
    change = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    decision = forms.ChoiceField(choices=NameChange.Decision.choices)
    reason = forms.CharField(max_length=1000)


def name_changes_view(request):
    """Requests for a new name on certificates: approve (every certificate is
    re-issued under it) or decline, always with a reason."""
    if not is_academy_administrator(request.user):
        raise PermissionDenied(_("Only academy administrators decide name changes."))
    if request.method == "POST":
        form = DecisionForm(request.POST)
        change = (
            NameChange.objects.filter(pk=form.cleaned_data["change"]).first()
            if form.is_valid()
            else None
        )
        if change is None:
            messages.error(request, _("Choose approve or decline, and give a reason."))
        else:
            try:
                name_change_decide(
                    change=change,
                    by=request.user,
                    approve=form.cleaned_data["decision"] == "approved",
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Decision recorded."))
        return redirect(reverse("certificate_name_changes"))
    return render(
        request,
        "certificates/admin_name_changes.html",
        {
            "waiting": NameChange.objects.filter(decision="").select_related("user"),
            "decided": NameChange.objects.exclude(decision="")
            .select_related("user", "decided_by")
            .order_by("-decided_at")[:30],
        },
    )
