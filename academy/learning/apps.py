from django.apps import AppConfig


class LearningConfig(AppConfig):
    """What a learner does: course, module and assessment pages, My learning, and the
    services that tie progress, results and certificates together."""

    name = "academy.learning"
    label = "learning"
    verbose_name = "Learning"
