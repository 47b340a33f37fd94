from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "academy.certificates"
    label = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        from . import checks  # noqa: F401, PLC0415 - registers the deployment checks
