from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    """The content pipeline: content/ files read, checked and loaded into pages."""

    name = "academy.curriculum"
    label = "curriculum"
    verbose_name = "Curriculum"
