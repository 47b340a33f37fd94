from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from academy.core.permissions import ReadOnlyPermissionPolicy
from academy.courses.models import Enrollment

from .models import Accommodation, Attempt

register_permission_policy(Attempt, ReadOnlyPermissionPolicy(Attempt))
register_permission_policy(Enrollment, ReadOnlyPermissionPolicy(Enrollment))


class EnrollmentViewSet(ModelViewSet):
    model = Enrollment
    url_prefix = "records/enrolments"
    url_namespace = "records_enrolments"
    icon = "user"
    menu_label = _("Enrolments")
    list_display = ["user", "course", "cycle", "origin", "started_at", "completed_at"]
    list_filter = ["origin", "cycle"]
    list_export = ["user", "course", "cycle", "origin", "started_at", "completed_at"]
    search_fields = ["user__email", "user__full_name"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields: list[str] = []  # never edited: the policy allows only "view"


class AttemptViewSet(ModelViewSet):
    model = Attempt
    url_prefix = "records/attempts"
    url_namespace = "records_attempts"
    icon = "tasks"
    menu_label = _("Attempts")
    list_display = [
        "user",
        "assessment",
        "number",
        "started_at",
        "submitted_at",
        "passed",
    ]
    list_filter = ["passed", "had_critical"]
    list_export = [
        "user",
        "assessment",
        "number",
        "started_at",
        "submitted_at",
        "passed",
        "had_critical",
    ]
    search_fields = ["user__email", "user__full_name"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "user",
        "assessment",
        "number",
        "started_at",
        "declared_own_work_at",
        "submitted_at",
        "passed",
        "had_critical",
        "remediation_viewed_at",
    ]
    copy_view_enabled = False
    form_fields: list[str] = []  # never edited: the policy allows only "view"


class AccommodationViewSet(ModelViewSet):
    """Extra time on a timed assessment, granted to one learner by an administrator."""

    model = Accommodation
    icon = "time"
    menu_label = _("Extra time")
    url_prefix = "records/extra-time"
    url_namespace = "records_extra_time"
    list_display = ["user", "assessment", "extra_time_percent", "reason", "created_at"]
    form_fields = ["user", "assessment", "extra_time_percent", "reason"]
    search_fields = ["user__email", "user__full_name"]
    copy_view_enabled = False


class RecordsGroup(ViewSetGroup):
    menu_label = _("Academy records")
    menu_icon = "folder-open-inverse"
    items = (EnrollmentViewSet, AttemptViewSet, AccommodationViewSet)


@hooks.register("register_admin_viewset")
def register_records():
    return RecordsGroup()
