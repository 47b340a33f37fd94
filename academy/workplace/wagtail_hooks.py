from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter

from . import admin_views, selectors


@hooks.register("register_admin_urls")
def workplace_review_urls():
    return [
        path("workplace/", admin_views.queue, name="workplace_queue"),
        path("workplace/<id:pk>/", admin_views.review, name="workplace_review"),
        path(
            "workplace/<id:pk>/criterion/",
            admin_views.review_criterion,
            name="workplace_review_criterion",
        ),
        path(
            "workplace/<id:pk>/approve/", admin_views.approve, name="workplace_approve"
        ),
        path(
            "workplace/<id:pk>/return/",
            admin_views.return_to_organisation,
            name="workplace_return",
        ),
        path(
            "workplace/attestations/<id:pk>/accept/",
            admin_views.attestation_accept,
            name="workplace_attestation_accept",
        ),
    ]


class AssessorMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.is_assessor(request.user)


@hooks.register("register_admin_menu_item")
def workplace_menu():
    return AssessorMenuItem(
        _("Workplace reviews"),
        reverse("workplace_queue"),
        icon_name="tasks",
        order=350,
    )
