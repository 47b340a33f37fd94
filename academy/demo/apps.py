from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo organisations, people and records for trying the site (never production)."""

    name = "academy.demo"
    label = "demo"
    verbose_name = "Demo data"
