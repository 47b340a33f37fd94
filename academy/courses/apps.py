from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "academy.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self):
        from academy.core import content_cache  # noqa: PLC0415 - models are loaded

        from .selectors import CATALOGUE_KEY  # noqa: PLC0415

        content_cache.read_along(CATALOGUE_KEY)  # most learner pages need it
