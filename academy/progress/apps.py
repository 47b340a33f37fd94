from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """Where a learner stands in a course: the one status rule every page uses."""

    name = "academy.progress"
    label = "progress"
    verbose_name = "Progress"
