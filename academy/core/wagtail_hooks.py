"""The admin's dashboard says when background work has stopped being done."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from .permissions import is_academy_administrator
from .selectors import task_queue_health


class QueueHealthPanel(Component):
    """A warning at the top of the dashboard, for academy administrators, while
    jobs wait longer than ACADEMY_QUEUE_STALL_MINUTES (no worker takes them) or the
    Celery broker does not answer. Nothing is shown while all is well."""

    order = 10
    template_name = "core/admin/queue_panel.html"

    def __init__(self, health):
        self.health = health

    def get_context_data(self, parent_context=None):
        return {"health": self.health}


@hooks.register("construct_homepage_panels")
def queue_health_panel(request, panels):
    if not is_academy_administrator(request.user):
        return
    health = task_queue_health()
    if not health.ok:
        panels.insert(0, QueueHealthPanel(health))
