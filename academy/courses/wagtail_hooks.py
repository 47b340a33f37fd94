from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks

from .selectors import page_has_learner_records


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
