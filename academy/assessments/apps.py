from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "academy.assessments"
    label = "assessments"
    verbose_name = "Assessments"
