from django.utils.translation import gettext_lazy as _

from academy.core.viewsets import RecordsViewSet

from .models import Enrollment


class EnrollmentViewSet(RecordsViewSet):
    model = Enrollment
    url_prefix = "records/enrolments"
    url_namespace = "records_enrolments"
    icon = "user"
    menu_label = _("Enrolments")
    list_display = ["user", "course", "cycle", "origin", "started_at", "completed_at"]
    list_filter = ["origin", "cycle"]
    list_export = ["user", "course", "cycle", "origin", "started_at", "completed_at"]
    search_fields = ["user__email", "user__full_name"]
