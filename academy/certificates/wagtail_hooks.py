from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter
from academy.core.permissions import ReadOnlyPermissionPolicy, is_academy_administrator

from .models import Certificate, OrganisationCertificate
from .viewsets import (
    name_changes_view,
    reissue_view,
    revoke_organisation_view,
    revoke_view,
)

register_permission_policy(Certificate, ReadOnlyPermissionPolicy(Certificate))
register_permission_policy(
    OrganisationCertificate, ReadOnlyPermissionPolicy(OrganisationCertificate)
)


@hooks.register("register_admin_urls")
def revoke_urls():
    return [
        path(
            "records/certificates/<id:pk>/revoke/",
            revoke_view,
            name="certificate_revoke",
        ),
        path(
            "records/organisation-certificates/<id:pk>/revoke/",
            revoke_organisation_view,
            name="organisation_certificate_revoke",
        ),
        path(
            "records/certificates/<id:pk>/reissue/",
            reissue_view,
            name="certificate_reissue",
        ),
        path(
            "records/name-changes/",
            name_changes_view,
            name="certificate_name_changes",
        ),
    ]


class AdministratorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_academy_administrator(request.user)


@hooks.register("register_admin_menu_item")
def name_changes_menu():
    return AdministratorMenuItem(
        _("Name changes"),
        reverse("certificate_name_changes"),
        icon_name="user",
        order=360,
    )
