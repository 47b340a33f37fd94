from django.apps import AppConfig


class LearningConfig(AppConfig):
    """What a learner does: course, module and assessment pages, My learning, and the
    services that tie progress, results and certificates together."""

    name = "academy.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self):
        from academy.core import page_views  # noqa: PLC0415 - apps are ready now

        from . import page_state, pages  # noqa: PLC0415

        page_views.register(pages)
        page_state.register()
