from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter
from academy.core.permissions import ReadOnlyPermissionPolicy

from .admin_views import item_analysis_index, item_analysis_view
from .models import Attempt

# Learner records are history: the admin lists and exports them, never edits them.
register_permission_policy(Attempt, ReadOnlyPermissionPolicy(Attempt))


@hooks.register("register_admin_urls")
def item_analysis_urls():
    return [
        path("reports/item-analysis/", item_analysis_index, name="item_analysis"),
        path(
            "reports/item-analysis/<id:pk>/",
            item_analysis_view,
            name="item_analysis_assessment",
        ),
    ]


class ItemAnalysisMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin") and (
            request.user.is_superuser
            or request.user.groups.filter(page_permissions__isnull=False).exists()
        )


@hooks.register("register_reports_menu_item")
def item_analysis_menu():
    return ItemAnalysisMenuItem(
        _("Item analysis"), reverse("item_analysis"), icon_name="table", order=900
    )
