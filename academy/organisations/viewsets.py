"""The administrator's view of organisations, memberships, cohorts and the audit
trail, in the Wagtail admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from academy.core.models import AuditEvent
from academy.core.viewsets import RecordsViewSet, SafeExportIndexView

from .models import Cohort, Membership, Organisation


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    url_prefix = "records/organisations"
    url_namespace = "records_organisations"
    index_view_class = SafeExportIndexView
    list_display = ["name", "kind", "jurisdiction", "time_zone"]
    list_filter = ["kind", "jurisdiction"]
    list_export = ["name", "kind", "jurisdiction", "time_zone"]
    search_fields = ["name"]
    form_fields = [
        "name",
        "kind",
        "jurisdiction",
        "time_zone",
        "reminder_days",
        "weekly_digest",
    ]
    copy_view_enabled = False
    inspect_view_enabled = True


class MembershipViewSet(RecordsViewSet):
    """Who belongs where, with their role; changed by coordinators (audited) and by
    people accepting or declining, never edited here."""

    model = Membership
    icon = "user"
    menu_label = _("Memberships")
    url_prefix = "records/memberships"
    url_namespace = "records_memberships"
    list_display = ["user", "organisation", "role", "cohort", "joined_at", "removed_at"]
    list_filter = ["role", "organisation"]
    list_export = ["user", "organisation", "role", "cohort", "joined_at", "removed_at"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "folder-inverse"
    menu_label = _("Cohorts")
    url_prefix = "records/cohorts"
    url_namespace = "records_cohorts"
    index_view_class = SafeExportIndexView
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    form_fields = ["organisation", "name"]
    copy_view_enabled = False


class AuditEventViewSet(RecordsViewSet):
    """The audit trail: append-only, read here."""

    model = AuditEvent
    icon = "history"
    menu_label = _("Audit log")
    url_prefix = "records/audit"
    url_namespace = "records_audit"
    list_display = ["occurred_at", "action", "actor", "organisation", "target_type"]
    list_filter = ["action"]
    list_export = [
        "occurred_at",
        "action",
        "actor",
        "organisation",
        "target_type",
        "target_id",
        "client_address",
        "details",
    ]
    search_fields = ["action", "target_id"]
    ordering = ["-occurred_at", "-id"]
