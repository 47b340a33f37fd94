from django.apps import AppConfig


class WorkplaceConfig(AppConfig):
    name = "academy.workplace"
    label = "workplace"
    verbose_name = "Workplace certification"
