from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "academy.organisations"
    label = "organisations"
    verbose_name = "Organisations"
