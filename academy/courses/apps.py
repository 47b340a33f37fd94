from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "academy.courses"
    label = "courses"
    verbose_name = "Courses"
