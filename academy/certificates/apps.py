from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "academy.certificates"
    label = "certificates"
    verbose_name = "Certificates"
