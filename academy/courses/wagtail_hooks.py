from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from academy.core.permissions import ReadOnlyPermissionPolicy

from .models import Enrollment, GlossaryTerm
from .selectors import page_has_learner_records

register_permission_policy(Enrollment, ReadOnlyPermissionPolicy(Enrollment))


@hooks.register("before_delete_page")
def keep_pages_with_learner_records(request, page):
    """Learners' enrolments and progress point at course and module pages: such a
    page is retired by unpublishing it, never deleted."""
    if page_has_learner_records(page=page):
        messages.error(
            request,
            _(
                "Learners have records on this page or below it, so it cannot be "
                "deleted. Unpublish it instead: their records and certificates stay."
            ),
        )
        return redirect("wagtailadmin_explore", page.get_parent().id)
    return None


class GlossaryTermViewSet(SnippetViewSet):
    model = GlossaryTerm
    icon = "help"
    menu_label = gettext_lazy("Glossary")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["term", "key"]
    search_fields = ["term", "key"]


register_snippet(GlossaryTermViewSet)
