from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter
from academy.core.permissions import ReadOnlyPermissionPolicy

from .models import Certificate, OrganisationCertificate
from .viewsets import revoke_organisation_view, revoke_view

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
    ]
