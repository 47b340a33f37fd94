from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from academy.core.permissions import ReadOnlyPermissionPolicy

from .models import Certificate
from .viewsets import revoke_view

register_permission_policy(Certificate, ReadOnlyPermissionPolicy(Certificate))


@hooks.register("register_admin_urls")
def revoke_urls():
    return [
        path(
            "records/certificates/<int:pk>/revoke/",
            revoke_view,
            name="certificate_revoke",
        )
    ]
