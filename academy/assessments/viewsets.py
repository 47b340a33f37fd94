from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from academy.core.viewsets import RecordsViewSet, SafeExportIndexView

from .models import Accommodation, Attempt


class AttemptViewSet(RecordsViewSet):
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


class AccommodationViewSet(ModelViewSet):
    """Extra time on a timed assessment, granted to one learner by an administrator."""

    model = Accommodation
    icon = "time"
    menu_label = _("Extra time")
    url_prefix = "records/extra-time"
    url_namespace = "records_extra_time"
    index_view_class = SafeExportIndexView
    list_display = ["user", "assessment", "extra_time_percent", "reason", "created_at"]
    form_fields = ["user", "assessment", "extra_time_percent", "reason"]
    search_fields = ["user__email", "user__full_name"]
    copy_view_enabled = False
