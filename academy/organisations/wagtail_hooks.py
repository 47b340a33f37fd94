from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy

from academy.assessments.viewsets import AccommodationViewSet, AttemptViewSet
from academy.certificates.viewsets import (
    CertificateViewSet,
    OrganisationCertificateViewSet,
)
from academy.core.models import AuditEvent
from academy.core.permissions import ReadOnlyPermissionPolicy
from academy.courses.viewsets import EnrollmentViewSet

from .models import Membership
from .viewsets import (
    AuditEventViewSet,
    CohortViewSet,
    MembershipViewSet,
    OrganisationViewSet,
)

register_permission_policy(Membership, ReadOnlyPermissionPolicy(Membership))
register_permission_policy(AuditEvent, ReadOnlyPermissionPolicy(AuditEvent))


class RecordsGroup(ViewSetGroup):
    """Every record an academy administrator answers for, in one menu."""

    menu_label = _("Academy records")
    menu_icon = "folder-open-inverse"
    items = (
        OrganisationViewSet,
        MembershipViewSet,
        CohortViewSet,
        EnrollmentViewSet,
        AttemptViewSet,
        AccommodationViewSet,
        CertificateViewSet,
        OrganisationCertificateViewSet,
        AuditEventViewSet,
    )


@hooks.register("register_admin_viewset")
def register_records():
    return RecordsGroup()
