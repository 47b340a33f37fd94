from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from academy.core.exceptions import ApplicationError
from academy.core.permissions import ReadOnlyPermissionPolicy
from academy.core.views import client_address

from .models import Certificate
from .services import certificate_revoke

register_permission_policy(Certificate, ReadOnlyPermissionPolicy(Certificate))


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "success"
    menu_label = gettext_lazy("Certificates")
    url_prefix = "records/certificates"
    url_namespace = "records_certificates"
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
    inspect_view_enabled = True
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
    copy_view_enabled = False
    form_fields: list[str] = []  # never edited; revoked through its own form


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy("Shown on the public verification page."),
    )


def revoke_view(request, pk):
    if not (
        request.user.is_superuser
        or request.user.groups.filter(name="Academy administrators").exists()
    ):
        return render(
            request,
            "403.html",
            {"message": _("Only academy administrators can revoke certificates.")},
            status=403,
        )
    certificate = get_object_or_404(Certificate, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(
                certificate=certificate,
                by=request.user,
                reason=form.cleaned_data["reason"],
                client_address=client_address(request),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Certificate %(code)s is revoked.") % {"code": certificate.code},
            )
        return redirect(reverse("records_certificates:index"))
    return render(
        request,
        "certificates/admin_revoke.html",
        {"certificate": certificate, "form": form},
    )


@hooks.register("register_admin_urls")
def revoke_urls():
    return [
        path(
            "records/certificates/<int:pk>/revoke/",
            revoke_view,
            name="certificate_revoke",
        )
    ]


@hooks.register("register_admin_viewset")
def certificates_viewset():
    return CertificateViewSet()


def revoke_link(certificate):  # for templates
    return format_html(
        '<a href="{}">{}</a>',
        reverse("certificate_revoke", args=[certificate.pk]),
        _("Revoke"),
    )
